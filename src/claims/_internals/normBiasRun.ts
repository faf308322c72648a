/**
 * Runs of the norm-bias claim (MORN26, BPF22): one covering balanced init simulated at a ladder
 * of init scales (the same directions g_j, w_j(0) = lambda g_j), and the limit process evaluated
 * on random draws of the init's sign pattern for large n (no simulation).
 */
import { simulate } from '../../core/dynamics.ts';
import { limitProcess, oracleInputFromParams, type OracleInput, type OracleResult } from '../../core/oracle.ts';
import { paramNormSq } from '../../core/observables.ts';
import { deriveSeed, Rng } from '../../core/rng.ts';
import type { DynamicsConfig, Params } from '../../core/types.ts';
import { orthoSetup, flowHorizon, NORM_RANGE, LABEL_RANGE, type OrthoSetup } from './orthogonal.ts';

/** Runs stop at loss < NB_STOP_REL L(0) ("interpolated"): ||f - y|| <= 1e-5 ||y||. */
export const NB_STOP_REL = 1e-10;

/** Attempts at drawing a covering init (P(cover) >= ~1/2 in the regime: 200 misses have probability < 2^-200). */
export const COVER_ATTEMPTS = 200;

/** Init scale at which the covering pattern is searched (the pattern does not depend on lambda). */
const PATTERN_LAMBDA = 0.5;

export interface LadderPoint {
  lambda: number;
  Q: number;
  interpolated: boolean;
  diverged: string | null;
  steps: number;
}

export interface LadderRun {
  /** Setup at the first lambda of the ladder. */
  setup: OrthoSetup;
  /** Setup and dynamics at the last (smallest) lambda, for the counterexample instance. */
  last: { setup: OrthoSetup; dyn: DynamicsConfig };
  oracle: OracleResult;
  /** Seed of the covering draw and the number of draws it took. */
  seed: number;
  attempts: number;
  points: LadderPoint[];
}

/**
 * The first covering balanced init of the seed's deterministic sequence of draws (the trial is
 * conditioned on interpolation, zero-loss claim); null when none of COVER_ATTEMPTS covers.
 */
export function coveringSeed(nPos: number, nNeg: number, m: number, seed: number): { seed: number; attempts: number } | null {
  for (let k = 0; k < COVER_ATTEMPTS; k++) {
    const s = deriveSeed(seed >>> 0, k);
    const setup = orthoSetup({ nPos, nNeg, m, lambda: PATTERN_LAMBDA, init: 'balanced', seed: s });
    const o = limitProcess(oracleInputFromParams(setup.data, setup.p0, PATTERN_LAMBDA));
    if (o.covered.every(Boolean)) return { seed: s, attempts: k + 1 };
  }
  return null;
}

/** Gradient flow from the covering init at each lambda of the ladder, to loss NB_STOP_REL L(0). */
export function ladderRun(nPos: number, nNeg: number, m: number, seed: number, lambdas: number[]): LadderRun | null {
  const cov = coveringSeed(nPos, nNeg, m, seed);
  if (cov === null) return null;
  const points: LadderPoint[] = [];
  let setup: OrthoSetup | null = null;
  let oracle: OracleResult | null = null;
  let last: LadderRun['last'] | null = null;
  for (const lambda of lambdas) {
    const s = orthoSetup({ nPos, nNeg, m, lambda, init: 'balanced', seed: cov.seed });
    const o = limitProcess(oracleInputFromParams(s.data, s.p0, lambda));
    if (setup === null) {
      setup = s;
      oracle = o;
    }
    const dyn: DynamicsConfig = { ...flowHorizon(s), stopLoss: NB_STOP_REL * o.initialLoss };
    last = { setup: s, dyn };
    const traj = simulate(s.problem, s.p0, dyn, { record: { lossCurve: false } });
    points.push({
      lambda,
      Q: paramNormSq(traj.final as Params, s.problem.model),
      interpolated: traj.stoppedAtLoss,
      diverged: traj.diverged ? String(traj.divergeReason) : null,
      steps: traj.steps,
    });
  }
  return { setup: setup as OrthoSetup, last: last as LadderRun['last'], oracle: oracle as OracleResult, seed: cov.seed, attempts: cov.attempts, points };
}

/**
 * The limit process's input for the regime's distribution without building the data: for
 * orthonormal e_i and w_j = lambda g_j, g_j ~ N(0, I_d/d), the coordinates u_ji = <w_j, e_i> are
 * i.i.d. N(0, lambda^2/d) and only their signs matter to the 'limit' start; r_i, |y_i| ~ U[1, 2],
 * n+ = ceil(n/2) positive labels, random signs s_j. (orthoSetup would build a d x d frame, O(n^3).)
 */
export function randomOracleInput(n: number, m: number, rng: Rng): OracleInput {
  const r = new Float64Array(n);
  const y = new Float64Array(n);
  const nPos = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) {
    r[i] = NORM_RANGE[0] + (NORM_RANGE[1] - NORM_RANGE[0]) * rng.uniform();
    y[i] = (i < nPos ? 1 : -1) * (LABEL_RANGE[0] + (LABEL_RANGE[1] - LABEL_RANGE[0]) * rng.uniform());
  }
  const U0 = new Float64Array(m * n);
  for (let k = 0; k < m * n; k++) U0[k] = rng.normal();
  const signs = new Float64Array(m);
  for (let j = 0; j < m; j++) signs[j] = rng.sign();
  return { n, m, r, y, U0, signs, lambda: 1e-12 };
}

/** Q_lim / Q* of the first covering draw of the limit process at (n, m); NaN when none covers. */
export function oracleRatio(n: number, m: number, rng: Rng): number {
  for (let k = 0; k < COVER_ATTEMPTS; k++) {
    const o = limitProcess(randomOracleInput(n, m, rng.fork(k)));
    if (o.covered.every(Boolean)) return o.Qlim / o.Qstar;
  }
  return NaN;
}
