/**
 * assertClaim: checkClaim, then throws unless the claim is accepted in its regime and
 * discriminating (every declared mutant killed). The error names the verdict, the seeds and the
 * command that reproduces the run (fast-check's assert/check split).
 *
 * Example (in a vitest test):
 *     await assertClaim(myClaim, { seed: 1 });
 *
 * See also: checkClaim.
 */
import type { Claim } from '../claims/claim.ts';
import type { ClaimResult } from '../report/report.types.ts';
import { checkClaim, type CheckClaimOptions } from './checkClaim.ts';
import { DEFAULT_SEED } from '../cli/defaults.ts';

export class ClaimAssertionError extends Error {
  constructor(
    message: string,
    readonly result: ClaimResult,
  ) {
    super(message);
    this.name = 'ClaimAssertionError';
  }
}

export async function assertClaim(claim: Claim, opts: CheckClaimOptions = {}): Promise<ClaimResult> {
  const r = await checkClaim(claim, opts);
  const problems: string[] = [];
  if (r.verdict !== 'accept') problems.push(`verdict ${r.verdict} (${r.passes}/${r.trials} trials passed)${r.error ? `: ${r.error}` : ''}`);
  for (const m of r.mutants) if (!m.killed) problems.push(`mutant ${m.id} survived: ${m.evidence}`);
  if (r.mutants.length < 3) problems.push(`only ${r.mutants.length} mutant(s) declared (at least 3 needed to be discriminating)`);
  if (r.regressionFailures > 0) problems.push(`${r.regressionFailures} regression-check failure(s) (a bug, not a finding)`);
  if (problems.length === 0) return r;
  const f = r.failures[0];
  const lines = [
    `claim ${r.id}: ${problems.join('; ')}`,
    `run seed ${opts.seed ?? DEFAULT_SEED}, claim seed ${r.seed}${f ? `, first failing trial ${f.trial} (trial seed ${f.seed})` : ''}`,
    `reproduce: npx flowcheck verify --claim-file <this claim's file> --claims ${r.id} --seed ${opts.seed ?? DEFAULT_SEED} --budget ${opts.budget ?? 'ci'}`,
  ];
  throw new ClaimAssertionError(lines.join('\n'), r);
}
