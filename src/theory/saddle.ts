/**
 * Predictions of the saddle-to-saddle limit (MORN26, BPF22; derived in ../shared/papers.md
 * "saddle-to-saddle"): the lambda -> 0 jump process on orthogonal data x_i = r_i e_i, square loss,
 * balanced small init, in rescaled time tau = t / log(1/lambda).
 *
 * The true process is src/core/oracle.ts limitProcess (start 'limit': l_j(0) = -1). This module
 * states the prediction the claim uses (saddlePrediction) and, for the claim's planted false
 * variants, the same jump process under a different rate rule (jumpProcess):
 * - rateScale: kappa_j multiplied by a constant (rates x1.05: every jump time divided by 1.05);
 * - norm 'l1': kappa_j = (1/n) sum_{S_j unfit} r_i |y_i| instead of the l2 norm
 *   (1/n)(sum r_i^2 y_i^2)^(1/2);
 * - updateRates false: kappa_j stays at its initial value after other neurons fit its points
 *   (a neuron whose points are all fit still stops: it has nothing left to fit).
 * jumpProcess with the true rule reproduces limitProcess (saddle.test.ts), so the variants differ
 * from the truth only by their rule. Tie handling and plateau levels are limitProcess's.
 */
import { limitProcess, plateausOf, ORACLE_TIE_REL_TOL, type OracleInput, type OracleResult, type OracleEvent } from '../core/oracle.ts';

export interface RateRule {
  /** 'l2' (true): (1/n)(sum r^2 y^2)^(1/2); 'l1': (1/n) sum r |y|. */
  norm: 'l2' | 'l1';
  /** Multiplies every rate (1 true). */
  rateScale: number;
  /** Rates recomputed from the still-unfit points after each jump (true). */
  updateRates: boolean;
}

export const TRUE_RULE: RateRule = { norm: 'l2', rateScale: 1, updateRates: true };

/** What the prediction reads: the data and the init's directions (fixed before training). */
export interface SaddleInput {
  n: number;
  m: number;
  /** r_i = ||x_i||, [n]. */
  r: ArrayLike<number>;
  /** y_i, [n]. */
  y: ArrayLike<number>;
  /** u_ji(0) / lambda (the init directions on the e_i), [m x n] row-major. */
  U: ArrayLike<number>;
  /** sign(a_j), [m]. */
  s: ArrayLike<number>;
}

function oracleInput(inp: SaddleInput): OracleInput {
  return {
    n: inp.n,
    m: inp.m,
    r: Float64Array.from(inp.r),
    y: Float64Array.from(inp.y),
    U0: Float64Array.from(inp.U),
    signs: Float64Array.from(inp.s),
    // The 'limit' start does not depend on lambda except through event.t (unused here).
    lambda: 0.5,
  };
}

/**
 * The jump process under `rule` (start 'limit', gradient flow). Same output shape as
 * limitProcess; fitted, Qlim and Qstar are left empty / NaN (the claim does not read them).
 */
export function jumpProcess(inp: SaddleInput, rule: RateRule): OracleResult {
  const { n, m, r, y, U, s } = inp;
  const S: number[][] = [];
  const covered = new Array<boolean>(n).fill(false);
  for (let j = 0; j < m; j++) {
    const row: number[] = [];
    for (let i = 0; i < n; i++) {
      if (U[j * n + i] > 0 && Math.sign(y[i]) === s[j]) {
        row.push(i);
        covered[i] = true;
      }
    }
    S.push(row);
  }
  const weight = (i: number): number => (rule.norm === 'l2' ? r[i] * r[i] * y[i] * y[i] : r[i] * Math.abs(y[i]));
  const rateOf = (j: number, fit: Uint8Array, useFit: boolean): number => {
    let sum = 0;
    for (const i of S[j]) if (!useFit || !fit[i]) sum += weight(i);
    const k = (rule.norm === 'l2' ? Math.sqrt(sum) : sum) / n;
    return k * rule.rateScale;
  };
  let initialLoss = 0;
  let finalLoss = 0;
  for (let i = 0; i < n; i++) {
    initialLoss += y[i] * y[i];
    if (!covered[i]) finalLoss += y[i] * y[i];
  }
  initialLoss /= 2 * n;
  finalLoss /= 2 * n;
  const fit = new Uint8Array(n);
  const done = new Uint8Array(m);
  const l = new Array<number>(m).fill(-1);
  const rate = new Array<number>(m).fill(0);
  const kappa0: number[] = [];
  for (let j = 0; j < m; j++) kappa0.push(rateOf(j, fit, true));
  const pathTau = [0];
  const pathL = [l.slice()];
  const events: OracleEvent[] = [];
  let tau = 0;
  for (;;) {
    let hMin = Infinity;
    for (let j = 0; j < m; j++) {
      rate[j] = 0;
      if (done[j]) continue;
      let left = false;
      for (const i of S[j]) if (!fit[i]) left = true;
      if (!left) continue;
      rate[j] = rateOf(j, fit, rule.updateRates);
      if (rate[j] > 0) hMin = Math.min(hMin, tau + Math.max(0, -l[j]) / rate[j]);
    }
    if (hMin === Infinity) break;
    const tieTol = ORACLE_TIE_REL_TOL * Math.max(1, hMin);
    const group: number[] = [];
    for (let j = 0; j < m; j++) {
      if (done[j] || rate[j] === 0) continue;
      if (tau + Math.max(0, -l[j]) / rate[j] <= hMin + tieTol) group.push(j);
      else l[j] += rate[j] * (hMin - tau);
    }
    tau = hMin;
    const fitted = new Set<number>();
    for (const j of group) for (const i of S[j]) if (!fit[i]) fitted.add(i);
    const fittedPts = [...fitted].sort((a, b) => a - b);
    for (const i of fittedPts) fit[i] = 1;
    for (const j of group) {
      done[j] = 1;
      l[j] = 0;
    }
    let margin = Infinity;
    for (let k = 0; k < m; k++) {
      if (done[k] || rate[k] === 0) continue;
      if (fittedPts.some((i) => S[k].includes(i)) && -l[k] < margin) margin = -l[k];
    }
    let lv = 0;
    for (let i = 0; i < n; i++) if (!fit[i]) lv += y[i] * y[i];
    events.push({ tau, t: NaN, neurons: group, fitted: fittedPts, lossAfter: lv / (2 * n), margin });
    pathTau.push(tau);
    pathL.push(l.slice());
  }
  const plateaus = plateausOf(events, initialLoss);
  return { S, covered, events, plateaus, initialLoss, finalLoss, fitted: [], Qlim: NaN, Qstar: NaN, kappa0, rate0: kappa0.slice(), l0: new Array<number>(m).fill(-1), paths: { tau: pathTau, l: pathL } };
}

/**
 * The claim's prediction: the limit jump process of the instance (core limitProcess for the true
 * rule, jumpProcess for a planted variant). Jump times, order (which neurons), plateau levels.
 */
export function saddlePrediction(inp: SaddleInput, rule: RateRule = TRUE_RULE): OracleResult {
  const isTrue = rule.norm === 'l2' && rule.rateScale === 1 && rule.updateRates;
  return isTrue ? limitProcess(oracleInput(inp)) : jumpProcess(inp, rule);
}

/**
 * Richardson extrapolation in 1/log(1/lambda): with tau(lambda) = tau0 + c / log(1/lambda) + o(.),
 * two measurements at log-scales L1 < L2 give tau0 = (L2 tau2 - L1 tau1) / (L2 - L1).
 */
export function extrapolateInLog(L1: number, v1: number, L2: number, v2: number): number {
  return (L2 * v2 - L1 * v1) / (L2 - L1);
}
