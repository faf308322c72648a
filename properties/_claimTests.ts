/**
 * The claims as CI checks, generated from the registry (adding a claim touches only its own
 * files and the registry): for every claim, at the test budget and run seed,
 * - its verdict in its own regime is accept (a rejection is a finding, and fails CI);
 * - it is discriminating: at least MIN_MUTANTS planted false variants, every one killed;
 * - no regression check failed (those are identities: a failure is a flowcheck bug);
 * - the counterexample hunt at its edge finds a counterexample showing the edge's characteristic.
 * Claims are dealt round-robin to `of` test files so vitest runs them on all cores.
 */
import { describe, expect, test } from 'vitest';
import { CLAIMS } from '../src/claims/registry.ts';
import { MIN_MUTANTS } from '../src/runner/finalize.ts';
import { claimResult, describeResult, RUN_SEED } from './_harness.ts';

export function claimTests(shard: number, of: number): void {
  const mine = CLAIMS.filter((_, k) => k % of === shard - 1);
  for (const claim of mine) {
    const id = claim.meta.id;
    describe(`${id} (${claim.meta.paper})`, () => {
      test(`verdict in its regime is accept (run seed ${RUN_SEED})`, async ({ task, annotate }) => {
        const r = await claimResult(id);
        await annotate(describeResult(task, r));
        expect(r.error).toBeNull();
        expect(r.verdict, JSON.stringify({ failures: r.failures, checks: r.checks.filter((c) => c.failed > 0) }, null, 1)).toBe('accept');
      });
      test(`discriminating: >= ${MIN_MUTANTS} mutants, every one killed`, async ({ annotate }) => {
        const r = await claimResult(id);
        await annotate(r.mutants.map((m) => `${m.id}: ${m.killed ? 'killed' : 'SURVIVED'} (${m.evidence})`).join('\n'));
        expect(r.mutants.length).toBeGreaterThanOrEqual(MIN_MUTANTS);
        expect(r.mutants.filter((m) => !m.killed).map((m) => `${m.id}: ${m.evidence}`)).toEqual([]);
      });
      test('no regression check failed (identities hold: no flowcheck bug)', async () => {
        const r = await claimResult(id);
        expect(r.checks.filter((c) => c.kind === 'regression' && c.failed > 0)).toEqual([]);
        expect(r.regressionFailures).toBe(0);
      });
      if (claim.edge !== undefined) {
        test(`edge: ${claim.edge.description}`, async ({ annotate }) => {
          const r = await claimResult(id);
          expect(r.edge?.found).toBe(true);
          const shrunk = r.edge?.shrunk as Record<string, unknown>;
          await annotate(`shrunk counterexample: ${JSON.stringify(shrunk)}`);
          expect(shrunk.expectation).toBe('as expected');
        });
      }
    });
  }
}
