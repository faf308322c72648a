/**
 * Verdicts are finalised in one place, and any verdict can be written (issue 15): a claim that
 * rejects (llr = +Infinity under p0 = 1) yields a schema-valid report; a crash in a claim's extra
 * measurements keeps the trials' verdict and reports the measurement error with its seed;
 * mutants are judged on the same trials; non-discriminating claims fail the run.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { defineClaim, type Claim } from '../claims/claim.ts';
import { Rng } from '../core/rng.ts';
import { registerClaim } from '../claims/registry.ts';
import { runClaim } from './runClaim.ts';
import { createRunner } from './pool.ts';
import { buildReport, finalizeClaim, MIN_MUTANTS } from './finalize.ts';
import { validateReport } from '../report/validate.ts';

type P = { seed: number };
type O = { u: number; why: string };

/** A synthetic claim: u ~ U(0,1); the claim says u < threshold always. */
function synthetic(id: string, threshold: number, opts: { crashExtras?: boolean } = {}): Claim {
  return defineClaim<P, O, number>({
    meta: { id, title: id, paper: 'test', theorem: 'synthetic', arxiv: '', statement: `u < ${threshold}`, regime: 'u ~ U(0,1)', hypotheses: [], departures: [] },
    claimed: { kind: 'rate', p0: 1, text: 'always' },
    regime: fc.record({ seed: fc.integer({ min: 0, max: 1000 }) }),
    observe: (_p, seed) => {
      const u = new Rng(seed).uniform();
      return { observation: { u, why: `u = ${u}` } };
    },
    prediction: { name: 'bound', statement: `u < ${threshold}`, predict: () => threshold },
    criterion: { name: 'below', statement: 'u below the bound', tolerances: [], judge: (o, b) => [{ name: 'u < bound', kind: 'evidence', pass: o.u < b, detail: o.why }, { name: 'u in [0, 1)', kind: 'regression', pass: o.u >= 0 && o.u < 1, detail: o.why }] },
    mutants: [
      { id: 'bound-0.5', statement: 'u < 0.5', rationale: 'test', prediction: { name: '0.5', statement: '', predict: () => 0.5 } },
      { id: 'bound-0.9', statement: 'u < 0.9', rationale: 'test', prediction: { name: '0.9', statement: '', predict: () => 0.9 } },
      { id: 'bound-0.1', statement: 'u < 0.1', rationale: 'test', prediction: { name: '0.1', statement: '', predict: () => 0.1 } },
    ],
    budgets: { ci: { maxTrials: 120, p1: 0.9, edgeRuns: 0 }, full: { maxTrials: 120, p1: 0.9, edgeRuns: 0 } },
    extras: opts.crashExtras
      ? () => {
          throw new Error('fit on degenerate input');
        }
      : undefined,
  }) as unknown as Claim;
}

async function run(claim: Claim) {
  registerClaim(claim);
  const runner = createRunner(1);
  const r = await runClaim(claim, { runSeed: 110, budget: 'ci', alpha: 0.005, beta: 0.005, runner, counterexampleDir: null, skipEdge: true });
  await runner.close();
  return finalizeClaim(r, 0.005);
}

const frame = (ids: string[]) => ({
  kind: 'verify' as const,
  run: { seed: 110, budget: 'ci' as const, claims: ids, alpha: 0.05, beta: 0.05, multipleTesting: 'holm' as const, shard: null, command: 'test' },
  timing: { startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', wallSeconds: 1, workers: 1, perClaim: {} },
});

describe('finalize', () => {
  test('a rejected "always" claim (llr = +Infinity) gives a schema-valid report with exit code 1', async () => {
    const r = await run(synthetic('synthetic-false', 0.5));
    expect(r.verdict).toBe('reject');
    expect(r.sequential?.llr).toBe('+Infinity');
    const rep = buildReport(frame([r.id]), [r], 8);
    expect(() => validateReport(rep)).not.toThrow();
    expect(rep.summary.exitCode).toBe(1);
  });
  test('a true claim is accepted; mutants on the same trials: false bounds killed, a true bound survives and makes the claim not discriminating', async () => {
    const r = await run(synthetic('synthetic-true', 1));
    expect(r.verdict).toBe('accept');
    const byId = Object.fromEntries(r.mutants.map((m) => [m.id, m.killed]));
    expect(byId).toEqual({ 'bound-0.5': true, 'bound-0.9': true, 'bound-0.1': true });
    expect(r.discriminating).toBe(true);
    expect(r.regressionFailures).toBe(0);
    // The evidence check and the regression check are tallied apart.
    expect(r.checks.map((c) => [c.name, c.kind])).toEqual([
      ['u < bound', 'evidence'],
      ['u in [0, 1)', 'regression'],
    ]);
    const weak = { ...r, mutants: r.mutants.slice(0, MIN_MUTANTS - 1) };
    expect(finalizeClaim(weak, 0.005).discriminating).toBe(false);
    expect(buildReport(frame([weak.id]), [weak], 8).summary.exitCode).toBe(1);
  });
  test('a crash in the extra measurements keeps the trials and their verdict, and names the seed', async () => {
    const r = await run(synthetic('synthetic-crash', 1, { crashExtras: true }));
    expect(r.verdict).toBe('accept');
    expect(r.trials).toBeGreaterThan(0);
    expect(r.error).toBeNull();
    expect(r.measurementErrors).toHaveLength(1);
    expect(r.measurementErrors[0]).toMatch(/claim seed \d+.*degenerate input/);
  });
});
