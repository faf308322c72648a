/**
 * One trial of a claim, fully determined by (claim id, claim seed, trial index): the trial seed is
 * deriveSeed(claimSeed, index), the parameters are drawn from the regime with that seed (and, for
 * exact-cell claims, the cell is index mod #cells), and the claim's trial runs with that seed.
 * The same function runs in worker threads and in-process, so results never depend on workers.
 */
import { deriveSeed } from '../core/rng.ts';
import type { Claim, ClaimParams, TrialOutcome } from '../claims/claim.ts';
import { judgeTrial } from '../claims/claim.ts';
import { drawParams } from './drawParams.ts';
import { getClaim } from '../claims/registry.ts';

export interface TrialRecord {
  index: number;
  seed: number;
  params: ClaimParams;
  outcome: TrialOutcome;
}

export function trialParams(claim: Claim, claimSeed: number, index: number): { seed: number; params: ClaimParams } {
  const seed = deriveSeed(claimSeed, index);
  let params = drawParams(claim.regime, seed);
  if (claim.claimed.kind === 'exact-cells') {
    const cells = claim.claimed.cells;
    params = { ...params, ...cells[index % cells.length] };
  }
  return { seed, params };
}

export function runTrial(claim: Claim, claimSeed: number, index: number): TrialRecord {
  const { seed, params } = trialParams(claim, claimSeed, index);
  const outcome = judgeTrial(claim, params, seed);
  // Only failing trials of rate claims are counterexamples worth an explicit instance.
  if (outcome.pass || claim.claimed.kind !== 'rate') delete outcome.instance;
  return { index, seed, params, outcome };
}

/** A trial that throws is a bug in flowcheck, not a claim failure: it is recorded as an error. */
export function safeTrial(claimId: string, claimSeed: number, index: number, f: () => TrialRecord): TrialRecord {
  try {
    return f();
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { index, seed: -1, params: {}, outcome: { pass: false, observation: { error: `${claimId} trial ${index} (claim seed ${claimSeed}) threw: ${msg}` } } };
  }
}

/** Trials `indices` of a registered claim, in order, each guarded by safeTrial (in-process and in workers). */
export function runTrialBatch(claimId: string, claimSeed: number, indices: number[]): TrialRecord[] {
  const claim = getClaim(claimId);
  return indices.map((i) => safeTrial(claimId, claimSeed, i, () => runTrial(claim, claimSeed, i)));
}
