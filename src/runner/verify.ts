/**
 * `flowcheck verify`: runs claims, controls error rates across them, and builds the report.
 *
 * Error control across the K claims of the registry (not just those selected, so a claim's
 * verdict does not depend on which others run with it): each claim's sequential test runs at
 * alpha/K and beta/K (Bonferroni), and the exact per-cell and pooled binomial tests of a grid
 * claim are Holm-adjusted within the claim at alpha/K (finalize.ts). Claim-specific extra checks
 * (extras) are deterministic given the seed but have no error budget of their own; they are
 * listed in the report's Checks table. Mutants are judged by the same tests at the same rates.
 */
import type { Budget, Claim } from '../claims/claim.ts';
import type { ClaimResult, Report } from '../report/report.types.ts';
import { CLAIMS, getClaim } from '../claims/registry.ts';
import { runClaim, claimSeedOf, claimHeader, emptyResultFields } from './runClaim.ts';
import { buildReport, finalizeClaim, FAMILY_ALPHA, FAMILY_BETA } from './finalize.ts';
import { createRunner, defaultWorkers, type TrialRunner } from './pool.ts';
import { InputError } from '../core/errors.ts';
import fs from 'node:fs';
import path from 'node:path';

export { FAMILY_ALPHA, FAMILY_BETA, VERSION, summarizeReport } from './finalize.ts';

export interface VerifyOptions {
  claims?: string[];
  seed: number;
  budget: Budget;
  /** 1-based shard index and total: claims are dealt round-robin to shards. */
  shard?: { index: number; total: number } | null;
  counterexampleDir: string | null;
  workers?: number;
  command?: string;
  onClaimStart?(id: string): void;
  onProgress?(id: string, done: number, total: number): void;
  onClaimEnd?(r: ClaimResult): void;
  skipEdge?: boolean;
}

export function selectClaims(ids: string[] | undefined, shard: VerifyOptions['shard']): Claim[] {
  const chosen = ids === undefined || ids.length === 0 ? CLAIMS : ids.map((id) => getClaim(id));
  if (!shard) return chosen;
  if (!Number.isInteger(shard.total) || shard.total < 1) throw new InputError('verify', '--shard total', shard.total, 'an integer >= 1');
  if (!Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.total) throw new InputError('verify', '--shard index', shard.index, `an integer in [1, ${shard.total}]`);
  return chosen.filter((_, k) => k % shard.total === shard.index - 1);
}

/** Finalises claim results (in place) with the alpha split over the registry's K claims. */
export function adjustCells(results: ClaimResult[], alphaPerClaim: number): void {
  for (const r of results) finalizeClaim(r, alphaPerClaim);
}

export async function verify(opts: VerifyOptions): Promise<Report> {
  const started = new Date();
  const claims = selectClaims(opts.claims, opts.shard ?? null);
  const K = CLAIMS.length;
  const alpha = FAMILY_ALPHA / K;
  const beta = FAMILY_BETA / K;
  const workers = opts.workers ?? defaultWorkers();
  const runner: TrialRunner = createRunner(workers);
  const results: ClaimResult[] = [];
  const perClaim: Record<string, number> = {};
  try {
    for (const claim of claims) {
      const t0 = performance.now();
      opts.onClaimStart?.(claim.meta.id);
      let r: ClaimResult;
      try {
        r = await runClaim(claim, {
          runSeed: opts.seed,
          budget: opts.budget,
          alpha,
          beta,
          runner,
          counterexampleDir: opts.counterexampleDir,
          onProgress: (d, t) => opts.onProgress?.(claim.meta.id, d, t),
          skipEdge: opts.skipEdge,
        });
      } catch (e) {
        r = crashedResult(claim, claimSeedOf(opts.seed, claim.meta.id), e);
      }
      perClaim[claim.meta.id] = (performance.now() - t0) / 1000;
      results.push(r);
      opts.onClaimEnd?.(r);
    }
  } finally {
    await runner.close();
  }
  const finished = new Date();
  return buildReport(
    {
      kind: 'verify',
      run: {
        seed: opts.seed,
        budget: opts.budget,
        claims: claims.map((c) => c.meta.id),
        alpha: FAMILY_ALPHA,
        beta: FAMILY_BETA,
        multipleTesting: 'holm',
        shard: opts.shard ?? null,
        command: opts.command ?? `npx flowcheck verify --seed ${opts.seed} --budget ${opts.budget}`,
      },
      timing: {
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        wallSeconds: (finished.getTime() - started.getTime()) / 1000,
        workers,
        perClaim,
      },
    },
    results,
    K,
  );
}

function crashedResult(claim: Claim, seed: number, e: unknown): ClaimResult {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return {
    ...claimHeader(claim, seed),
    verdict: 'inconclusive',
    asExpected: false,
    trials: 0,
    passes: 0,
    passRate: 0,
    interval: { lower: 0, upper: 1, level: 0.95 },
    seed,
    sequential: null,
    pValue: null,
    adjustedPValue: null,
    cells: [],
    metrics: {},
    tables: [],
    plots: [],
    failures: [],
    counterexamples: [],
    edge: null,
    error: msg,
    ...emptyResultFields(),
  };
}

/**
 * A report from per-claim results written by the property tests (reports/claims/<id>.json), in
 * registry order, with the run-wide Holm adjustment redone over all cells. Timing is not known
 * per claim there; it records the collection time.
 */
export function collectReport(dir: string, seed: number, budget: Budget): Report {
  if (!fs.existsSync(dir)) throw new InputError('flowcheck collect', 'CLAIMS_DIR', dir, 'a directory of <claim>.json results (run npm test first)');
  const order = CLAIMS.map((c) => c.meta.id);
  const results: ClaimResult[] = [];
  for (const id of order) {
    const f = path.join(dir, `${id}.json`);
    if (!fs.existsSync(f)) continue;
    let r: ClaimResult;
    try {
      r = JSON.parse(fs.readFileSync(f, 'utf8')) as ClaimResult;
    } catch (e) {
      throw new InputError('flowcheck collect', f, (e as Error).message, 'well-formed JSON');
    }
    results.push(r);
  }
  if (results.length === 0) throw new InputError('flowcheck collect', 'CLAIMS_DIR', dir, 'at least one <claim>.json result');
  const now = new Date().toISOString();
  return buildReport(
    {
      kind: 'verify',
      run: {
        seed,
        budget,
        claims: results.map((r) => r.id),
        alpha: FAMILY_ALPHA,
        beta: FAMILY_BETA,
        multipleTesting: 'holm',
        shard: null,
        command: `FLOWCHECK_SEED=${seed} npm test`,
      },
      timing: { startedAt: now, finishedAt: now, wallSeconds: 0, workers: 1, perClaim: {} },
    },
    results,
    CLAIMS.length,
  );
}
