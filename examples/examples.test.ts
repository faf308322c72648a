/**
 * The examples run in CI: the external claim passes through the public API (accepted,
 * discriminating), and the external mutant of zero-loss is killed by zero-loss's own test.
 */
import { describe, expect, test } from 'vitest';
import { assertClaim, checkClaim } from 'flowcheck';
import claim from './claim.ts';
import { mutateClaim } from '../src/runner/mutate.ts';

describe('examples', () => {
  test('examples/claim.ts: accepted and discriminating through assertClaim', async () => {
    const r = await assertClaim(claim, { seed: 7, skipEdge: true });
    expect(r.verdict).toBe('accept');
    expect(r.mutants.every((m) => m.killed)).toBe(true);
  });
  test('checkClaim returns data: a claim whose criterion is broken is rejected, assertClaim throws with seeds', async () => {
    const broken = { ...claim, meta: { ...claim.meta, id: 'one-neuron-logistic-broken' }, prediction: claim.mutants![0].prediction! };
    const r = await checkClaim(broken, { seed: 7, skipEdge: true });
    expect(r.verdict).toBe('reject');
    await expect(assertClaim(broken, { seed: 7, skipEdge: true })).rejects.toThrow(/claim seed \d+.*trial seed/s);
  });
  test('examples/mutant.ts is killed by zero-loss on zero-loss\'s own trials', async () => {
    const m = await mutateClaim('zero-loss', 'examples/mutant.ts', { seed: 20261122, budget: 'ci' });
    expect(m.killed).toBe(true);
  });
});
