/**
 * checkClaim: runs a claim (registered or defined outside src/) exactly as `flowcheck verify`
 * does, and returns its finalised result (data, never throws on a verdict).
 *
 * Example:
 *     const r = await checkClaim(myClaim, { seed: 1 });
 *     r.verdict; r.mutants.map((m) => m.killed); r.discriminating
 *
 * See also: assertClaim, defineClaim.
 */
import type { Budget, Claim } from '../claims/claim.ts';
import type { ClaimResult } from '../report/report.types.ts';
import { CLAIMS, registerClaim } from '../claims/registry.ts';
import { runClaim } from '../runner/runClaim.ts';
import { createRunner } from '../runner/pool.ts';
import { finalizeClaim, FAMILY_ALPHA, FAMILY_BETA } from '../runner/finalize.ts';
import { DEFAULT_SEED } from '../cli/defaults.ts';

export interface CheckClaimOptions {
  /** Run seed (default flowcheck's CI seed). */
  seed?: number;
  budget?: Budget;
  /** Worker threads (default 1: in-process). Claims defined outside src/ must be loaded from a file (loadClaimFile) to run on workers. */
  workers?: number;
  /** Skip the counterexample hunt. */
  skipEdge?: boolean;
  /** Where to save counterexamples (default: none). */
  counterexampleDir?: string | null;
}

export async function checkClaim(claim: Claim, opts: CheckClaimOptions = {}): Promise<ClaimResult> {
  registerClaim(claim);
  const K = CLAIMS.length;
  const runner = createRunner(opts.workers ?? 1);
  try {
    const r = await runClaim(claim, {
      runSeed: opts.seed ?? DEFAULT_SEED,
      budget: opts.budget ?? 'ci',
      alpha: FAMILY_ALPHA / K,
      beta: FAMILY_BETA / K,
      runner,
      counterexampleDir: opts.counterexampleDir ?? null,
      skipEdge: opts.skipEdge,
    });
    return finalizeClaim(r, FAMILY_ALPHA / K);
  } finally {
    await runner.close();
  }
}
