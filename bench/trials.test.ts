import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { BENCH_TRIALS } from './trials.ts';
import { getClaim } from '../src/claims/registry.ts';
import { judgeTrial } from '../src/claims/claim.ts';

describe('bench whole-trial cases are instances of their claims\' current regimes', () => {
  for (const t of BENCH_TRIALS) {
    test(`${t.id}: same parameter names as the regime draws; the trial runs`, () => {
      const claim = getClaim(t.id);
      const sample = fc.sample(claim.regime, { numRuns: 1, seed: 1 })[0] as Record<string, unknown>;
      expect(Object.keys(t.params).sort()).toEqual(Object.keys(sample).sort());
      const out = judgeTrial(claim as never, t.params as never, 12345);
      expect(typeof out.observation.why).toBe('string');
      expect(out.checks?.length ?? 0).toBeGreaterThan(0);
    });
  }
});
