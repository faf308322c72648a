import { describe, expect, test } from 'vitest';
import { annihilation } from './annihilation.ts';
import { judgeTrial } from './claim.ts';

describe('annihilation trials', () => {
  test('a trial at k = 8 finds a spurious minimum, both embeddings descend, and every trial mutant fails on it', () => {
    const out = judgeTrial(annihilation, { k: 8 }, 777);
    expect(out.observation.found).toBe(true);
    expect(out.pass).toBe(true);
    for (const c of out.checks ?? []) expect(c.pass).toBe(true);
    for (const id of ['still-a-minimum', 'split-only-the-misfit', 'rayleigh-bound-exact', 'global-also-descends']) expect(out.mutants?.[id]).toBe(false);
  });

  test('the edge (the statement at W = V) fails: no descent direction at the global minimum', () => {
    const out = annihilation.edge!.run({ k: 5, seed: 1 }, 1);
    expect(out.pass).toBe(false);
    expect(annihilation.edge!.expect!({ k: 5, seed: 1 }, out)).toBeNull();
  });
});
