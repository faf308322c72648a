/**
 * Calibration of the leaky-rank and kcg-rank tolerances: the regime's trials on a fixed seed set
 * CALIBRATION_SEEDS = deriveSeed(CALIBRATION_BASE, i), i < count, disjoint from the trial seeds of
 * verification runs (those are deriveSeed(claimSeed, index) with claim seeds derived from the run
 * seed: a collision has probability ~2^-32 per pair). Returns the range of every quantity a
 * tolerance bounds, so the values quoted in the claims' tolerance details can be re-measured:
 *   node --import tsx -e "import('./src/claims/_internals/leakyCalibration.ts').then((m) => console.log(m.calibrateLeaky(40), m.calibrateKcg(40)))"
 */
import { deriveSeed } from '../../core/rng.ts';
import { drawParams } from '../../runner/drawParams.ts';
import { leakyRank, predictLeakyRank, type LeakyObservation } from '../leakyRank.ts';
import { kcgRank, predictKcg, type KcgObservation } from '../kcgRank.ts';

export const CALIBRATION_BASE = 0x4b434723;

export function calibrationSeeds(count: number): number[] {
  return Array.from({ length: count }, (_, i) => deriveSeed(CALIBRATION_BASE, i));
}

type Range = { min: number; max: number };
function widen(r: Record<string, Range>, k: string, v: number): void {
  const cur = r[k] ?? { min: Infinity, max: -Infinity };
  r[k] = { min: Math.min(cur.min, v), max: Math.max(cur.max, v) };
}

export function calibrateLeaky(count: number): Record<string, Range> {
  const r: Record<string, Range> = {};
  for (const seed of calibrationSeeds(count)) {
    const p = drawParams(leakyRank.regime, seed);
    const o = (leakyRank.observe as NonNullable<typeof leakyRank.observe>)(p, seed).observation as LeakyObservation;
    if (o.noData || o.diverged) {
      widen(r, 'failedRuns', 1);
      continue;
    }
    const pr = predictLeakyRank(p, o);
    widen(r, 'oneStepRelDev', (o.srank1 - pr.srankOneStep) / pr.srankOneStep);
    widen(r, 'oneStepRelDevOverTol', Math.abs(o.srank1 - pr.srankOneStep) / pr.srankOneStep / pr.oneStepTol);
    widen(r, 'runMaxOverBound', o.srankMaxRun / pr.runBound);
    widen(r, 's3T', o.s3T);
    widen(r, 's3At1', o.s3At1);
    widen(r, 'oneMinusCosT', 1 - Number(o.cosStarT));
    widen(r, 'oneMinusCos1', 1 - Number(o.cosStar1));
    widen(r, 'srankKktRelDev', (o.srankT - pr.srankLimit) / pr.srankLimit);
    widen(r, 'boundaryRate', o.boundaryDisagree / o.boundaryTests);
    widen(r, 'reluBoundaryRate', o.reluBoundaryDisagree / o.boundaryTests);
    widen(r, 'cosT1', o.cosT1);
    widen(r, 'srank0OverGauss', o.srank0 / pr.srank0);
    widen(r, 'nearOrth', o.nearOrth);
  }
  return r;
}

export function calibrateKcg(count: number): Record<string, Range> {
  const r: Record<string, Range> = {};
  for (const seed of calibrationSeeds(count)) {
    const p = drawParams(kcgRank.regime, seed);
    const o = (kcgRank.observe as NonNullable<typeof kcgRank.observe>)(p, seed).observation as KcgObservation;
    if (o.noData || o.diverged) {
      widen(r, 'failedRuns', 1);
      continue;
    }
    const pr = predictKcg(p, o);
    let dev = 0;
    for (let i = 0; i < o.n; i++) dev = Math.max(dev, Math.abs(o[`marginT${i}`] - pr.marginsT[i]));
    widen(r, 'marginLawMaxDev', dev);
    widen(r, 'blockSrankTMinus1', o.blockSrankT - 1);
    widen(r, 'blockSrank1', o.blockSrank1);
    widen(r, 'wholeKktRelDev', (o.wholeSrankT - pr.wholeLimit) / pr.wholeLimit);
    widen(r, 'reluBlockMaxRunOverBound', o.reluBlockMaxRun / pr.reluRunBound);
    widen(r, 'reluBlockMaxRun', o.reluBlockMaxRun);
    widen(r, 'reluBlockT', o.reluBlockT);
    widen(r, 'reluRatioDrop', Number(o.reluMarginRatioT) / Number(o.reluMarginRatioT10));
    widen(r, 'marginRatioT', Number(o.marginRatioT));
  }
  return r;
}
