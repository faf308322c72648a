/**
 * Shared helpers of the incremental-learning claims on orthogonal data (saddle-to-saddle,
 * norm-bias, early-alignment; BPF22, MORN26, MVM24): one simulated trajectory compared with the
 * lambda -> 0 limit process of src/core/oracle.ts, plus small statistics (least squares with a
 * Student-t interval) and geometry (1 - cos computed without cancellation).
 *
 * Resolvability at finite lambda (used by saddle-to-saddle and norm-bias). The limit process is
 * approached with O(1/log(1/lambda)) errors in rescaled time and in the exponents
 * l_j = log||w_j|| / log(1/lambda). An event of the limit is *resolvable* at lambda when no other
 * still-growing neuron that shares one of its points is closer than RESOLVE_MARGIN_LOGS /
 * log(1/lambda) to l = 0 at the event (OracleEvent.margin * log(1/lambda) >= RESOLVE_MARGIN_LOGS).
 * A competitor at l = -margin halts at ||w|| ~ lambda^margin = e^(-margin log(1/lambda)); below
 * e^-3 = 0.05 (a squared norm of 0.0025) its share of the fitted points is negligible against the
 * fitted neuron's O(1) norm, while at margin * log(1/lambda) = O(1) it co-activates. For counting
 * jumps an event must also be separated from its neighbouring events by more than their smoothing
 * (SEPARATION_WIDTHS, see resolvability). Near-ties and unseparated jumps are never resolved by
 * simulation at a given lambda (they are by taking lambda smaller), so pass criteria that count
 * "one neuron per jump" or compare Q with Q_lim apply to resolvable events only.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { simulate } from '../../core/dynamics.ts';
import { limitProcess, lossStaircase, exponentsAt, oracleInputFromParams, type OracleResult } from '../../core/oracle.ts';
import { rescaleTime, detectLossDrops, staircaseError, type LossDrop } from '../../core/events.ts';
import { InputError } from '../../core/errors.ts';
import type { Dataset, DynamicsConfig, Params, Problem, Trajectory } from '../../core/types.ts';
import type { Plot, Series } from '../../report/report.types.ts';
import { SUCCESS_REL_LOSS } from './orthogonal.ts';

// ---------------------------------------------------------------------------------------------
// Constants (each with its reason)

/**
 * An event is resolvable at lambda when its near-tie margin (in l units) is at least
 * RESOLVE_MARGIN_LOGS / log(1/lambda) (see the module comment): a competitor then halts at
 * ||w||^2 <= e^-6 = 0.0025, far below ACTIVATION_NORM_SQ.
 */
export const RESOLVE_MARGIN_LOGS = 3;

/**
 * A neuron counts as activated when its squared norm reaches 0.1 at some point of the run. A
 * neuron that fits a set T alone ends at ||w||^2 = (sum_T y^2/r^2)^(1/2) >= min |y| / max r = 0.5
 * (|y| >= 1, r <= 2); a resolvable competitor halts below e^-6 = 0.0025 (RESOLVE_MARGIN_LOGS); 0.1
 * sits between both with a factor >= 5 on each side.
 */
export const ACTIVATION_NORM_SQ = 0.1;

/**
 * Length of the window of the time-averaged staircase error, in units of the last jump time of
 * the limit: [0, 1.25 tau_last]. It covers every jump plus a quarter of the run after the last
 * one (where both curves sit at the final level), without diluting the error by a long tail.
 */
export const STAIRCASE_WINDOW = 1.25;

/**
 * Two oracle jumps count as separated at lambda when their distance in physical time is at least
 * SEPARATION_WIDTHS times the sum of their smoothing times 1/kappa (see resolvability).
 */
export const SEPARATION_WIDTHS = 1;

/** Simulated horizon in units of tau_last: 1.5 leaves room for the last jump's O(1/log) delay and settling. */
export const SIM_WINDOW = 1.5;

// ---------------------------------------------------------------------------------------------
// Statistics

/**
 * Quantile of Student's t distribution with nu degrees of freedom, p in (0, 1), through the
 * beta distribution: for T ~ t_nu, nu / (nu + T^2) ~ Beta(nu/2, 1/2).
 */
export function studentTQuantile(p: number, nu: number): number {
  const fn = 'studentTQuantile';
  if (!(p > 0 && p < 1)) throw new InputError(fn, 'p', p, 'a probability in (0, 1)');
  if (!(nu > 0 && Number.isFinite(nu))) throw new InputError(fn, 'nu', nu, 'a finite number > 0');
  if (p === 0.5) return 0;
  const tail = p < 0.5 ? p : 1 - p;
  const x = betaQuantile(2 * tail, nu / 2, 0.5);
  const t = Math.sqrt((nu * (1 - x)) / x);
  return p < 0.5 ? -t : t;
}

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Two-sided `level` intervals from the t distribution with N - 2 degrees of freedom. */
  slopeLo: number;
  slopeHi: number;
  interceptLo: number;
  interceptHi: number;
  /** Number of points. */
  count: number;
  /** Residual standard deviation (N - 2 degrees of freedom). */
  residualSd: number;
}

/**
 * Ordinary least squares y = intercept + slope x with two-sided t intervals (level default 0.95).
 * Needs >= 3 points and at least two distinct x.
 */
export function linearFit(x: number[], y: number[], level = 0.95): LinearFit {
  const fn = 'linearFit';
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.length < 3) {
    throw new InputError(fn, 'x, y', x, 'two arrays of equal length >= 3');
  }
  const N = x.length;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < N; k++) {
    if (!Number.isFinite(x[k]) || !Number.isFinite(y[k])) throw new InputError(fn, `x[${k}], y[${k}]`, [x[k], y[k]], 'finite numbers');
    mx += x[k];
    my += y[k];
  }
  mx /= N;
  my /= N;
  let sxx = 0;
  let sxy = 0;
  for (let k = 0; k < N; k++) {
    sxx += (x[k] - mx) * (x[k] - mx);
    sxy += (x[k] - mx) * (y[k] - my);
  }
  if (!(sxx > 0)) throw new InputError(fn, 'x', x, 'at least two distinct values');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let k = 0; k < N; k++) {
    const r = y[k] - intercept - slope * x[k];
    sse += r * r;
  }
  const s2 = sse / (N - 2);
  const seSlope = Math.sqrt(s2 / sxx);
  const seIntercept = Math.sqrt(s2 * (1 / N + (mx * mx) / sxx));
  const q = studentTQuantile(0.5 + level / 2, N - 2);
  return {
    slope,
    intercept,
    slopeLo: slope - q * seSlope,
    slopeHi: slope + q * seSlope,
    interceptLo: intercept - q * seIntercept,
    interceptHi: intercept + q * seIntercept,
    count: N,
    residualSd: Math.sqrt(s2),
  };
}

/**
 * linearFit on the finite (x, y) pairs only; null when fewer than 3 remain or the x do not vary
 * (degenerate input never throws: a diverged run's NaN error, issue 15 seed 110, is left out).
 * `dropped` counts the pairs left out.
 */
export function linearFitOrNull(x: number[], y: number[], level = 0.95): (LinearFit & { dropped: number }) | null {
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return null;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < x.length; k++) {
    if (Number.isFinite(x[k]) && Number.isFinite(y[k])) {
      xs.push(x[k]);
      ys.push(y[k]);
    }
  }
  if (xs.length < 3 || Math.min(...xs) === Math.max(...xs)) return null;
  return { ...linearFit(xs, ys, level), dropped: x.length - xs.length };
}

// ---------------------------------------------------------------------------------------------
// Geometry

/**
 * 1 - cos(u, v) for the rows u = A[aOff .. aOff+len), v = B[bOff .. bOff+len), computed as
 * ||u/|u| - v/|v|||^2 / 2, which keeps full relative accuracy when the vectors are nearly aligned
 * (1 - cos ~ 1e-20 is resolved; 1 - dot/(|u||v|) would be round-off below ~1e-16).
 * Returns NaN when either vector is zero.
 */
export function oneMinusCos(A: ArrayLike<number>, aOff: number, B: ArrayLike<number>, bOff: number, len: number): number {
  let na = 0;
  let nb = 0;
  for (let k = 0; k < len; k++) {
    na += A[aOff + k] * A[aOff + k];
    nb += B[bOff + k] * B[bOff + k];
  }
  if (!(na > 0) || !(nb > 0)) return NaN;
  const ia = 1 / Math.sqrt(na);
  const ib = 1 / Math.sqrt(nb);
  let acc = 0;
  for (let k = 0; k < len; k++) {
    const diff = A[aOff + k] * ia - B[bOff + k] * ib;
    acc += diff * diff;
  }
  return acc / 2;
}

/**
 * Pre-activation signs of each neuron on each point, with a round-off dead zone: point i is
 * active for neuron j when <w_j, x_i> > tol * ||w_j|| * ||x_i||. Returns [m x n] 0/1.
 */
export function activationPattern(params: Params, data: Dataset, tol: number): Uint8Array {
  const { m, d, W } = params;
  const { n, X } = data;
  const out = new Uint8Array(m * n);
  for (let j = 0; j < m; j++) {
    const wOff = j * d;
    let wn = 0;
    for (let c = 0; c < d; c++) wn += W[wOff + c] * W[wOff + c];
    wn = Math.sqrt(wn);
    for (let i = 0; i < n; i++) {
      const xOff = i * d;
      let z = 0;
      let xn = 0;
      for (let c = 0; c < d; c++) {
        z += W[wOff + c] * X[xOff + c];
        xn += X[xOff + c] * X[xOff + c];
      }
      if (z > tol * wn * Math.sqrt(xn)) out[j * n + i] = 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Staircase analysis (saddle-to-saddle)

export interface ActivationTime {
  neuron: number;
  /** Rescaled time where ||w_j||^2 first reaches half its maximum over the run. */
  tau: number;
  maxNormSq: number;
}

export interface DropRun {
  drop: LossDrop;
  /** Oracle events a .. b-1 (indices into oracle.events) that this detected drop spans. */
  first: number;
  end: number;
  /** Neurons activated across this drop (half-max crossing inside [tauFrom, tauTo]). */
  activated: number[];
  /** One resolvable oracle event (one neuron or one tie group). */
  single: boolean;
}

export interface StaircaseOptions {
  oracle?: OracleResult;
  eta?: number;
}

export interface StaircaseAnalysis {
  lambda: number;
  logInv: number;
  oracle: OracleResult;
  /** The dynamics simulated (for the explicit instance of a counterexample). */
  dyn: DynamicsConfig;
  traj: Trajectory;
  tau: number[];
  tauMax: number;
  /** staircaseError against the limit oracle on [0, tauMax] (relative to L(0)). */
  err: number;
  drops: LossDrop[];
  runs: DropRun[];
  activations: ActivationTime[];
  /** Oracle events that are resolvable at lambda and are a drop of their own. */
  resolvedEvents: number;
  /** Detected plateau levels compared with the oracle (those bounded by resolvable events). */
  levelsChecked: number;
  /** max |detected level - oracle level| / L(0) over the checked levels (0 when none). */
  maxLevelDev: number;
  /**
   * Structure and levels: drops map to consecutive oracle runs ending at the final level, one
   * neuron (group) per resolvable jump, no foreign activation, checked levels within plateauTol.
   */
  structureOk: boolean;
  /** 'ok', or every violation found, '; '-separated. */
  why: string;
}

/** Index of the oracle plateau level nearest to v. */
function nearestLevel(levels: number[], v: number): number {
  let best = 0;
  for (let k = 1; k < levels.length; k++) if (Math.abs(levels[k] - v) < Math.abs(levels[best] - v)) best = k;
  return best;
}

/**
 * Oracle plateau index of each detected plateau level (a decreasing sequence). A detected level
 * is matched to the oracle level nearest to it, except that a level lying between two oracle
 * levels k and k + 1 of which one is not resolved (a plateau too short for the detector: its
 * flattest point may sit inside a jump) may take either. Among the assignments with strictly
 * increasing indices, the one using the fewest non-nearest choices is returned (dynamic
 * programming over at most three candidates per level); when none increases, the nearest indices
 * are returned and the caller reports the inconsistency.
 */
export function assignLevels(detected: number[], levels: number[], resolvedLevel: (k: number) => boolean): number[] {
  const P = detected.length;
  const near = detected.map((v) => nearestLevel(levels, v));
  const cands: { k: number; cost: number }[][] = detected.map((v, p) => {
    const c = [{ k: near[p], cost: 0 }];
    for (let k = 0; k + 1 < levels.length; k++) {
      if (levels[k] >= v && v >= levels[k + 1] && (!resolvedLevel(k) || !resolvedLevel(k + 1))) {
        for (const kk of [k, k + 1]) if (!c.some((x) => x.k === kk)) c.push({ k: kk, cost: 1 });
      }
    }
    return c;
  });
  // best[p][q]: fewest non-nearest choices for levels 0..p with level p at candidate q; from[p][q]: predecessor.
  const best: number[][] = [];
  const from: number[][] = [];
  for (let p = 0; p < P; p++) {
    best.push(cands[p].map(() => Infinity));
    from.push(cands[p].map(() => -1));
    for (let q = 0; q < cands[p].length; q++) {
      if (p === 0) {
        best[p][q] = cands[p][q].cost;
        continue;
      }
      for (let r = 0; r < cands[p - 1].length; r++) {
        if (cands[p - 1][r].k < cands[p][q].k && best[p - 1][r] + cands[p][q].cost < best[p][q]) {
          best[p][q] = best[p - 1][r] + cands[p][q].cost;
          from[p][q] = r;
        }
      }
    }
  }
  if (P === 0) return [];
  let q = -1;
  for (let c = 0; c < cands[P - 1].length; c++) if (best[P - 1][c] < Infinity && (q < 0 || best[P - 1][c] < best[P - 1][q])) q = c;
  if (q < 0) return near;
  const out = new Array<number>(P);
  for (let p = P - 1; p >= 0; p--) {
    out[p] = cands[p][q].k;
    q = from[p][q];
  }
  return out;
}

/**
 * Neurons whose squared norm reaches ACTIVATION_NORM_SQ, with the rescaled time of their first
 * crossing of half their maximum (linear interpolation between samples). Tie partners of a fitted
 * neuron grow in a fixed ratio to it, so their half-maximum crossing coincides with its own.
 */
export function activationTimes(tau: number[], normSq: number[][], m: number): ActivationTime[] {
  const out: ActivationTime[] = [];
  const K = tau.length;
  for (let j = 0; j < m; j++) {
    let mx = 0;
    for (let k = 0; k < K; k++) if (normSq[k][j] > mx) mx = normSq[k][j];
    if (!(mx >= ACTIVATION_NORM_SQ)) continue;
    const half = mx / 2;
    let t = tau[0];
    for (let k = 1; k < K; k++) {
      if (normSq[k][j] >= half) {
        const v0 = normSq[k - 1][j];
        const v1 = normSq[k][j];
        t = v1 > v0 ? tau[k - 1] + ((half - v0) / (v1 - v0)) * (tau[k] - tau[k - 1]) : tau[k];
        break;
      }
    }
    out.push({ neuron: j, tau: t, maxNormSq: mx });
  }
  out.sort((p, q) => p.tau - q.tau || p.neuron - q.neuron);
  return out;
}

/**
 * Near-tie competitors of oracle event k at lambda: still-growing neurons outside the event that
 * share one of its fitted points and sit less than RESOLVE_MARGIN_LOGS / log(1/lambda) below 0.
 */
export function competitors(oracle: OracleResult, k: number, logInv: number): number[] {
  const ev = oracle.events[k];
  const l = exponentsAt(oracle, ev.tau);
  const out: number[] = [];
  for (let j = 0; j < l.length; j++) {
    if (ev.neurons.includes(j)) continue;
    if (!(l[j] < 0 && l[j] > -RESOLVE_MARGIN_LOGS / logInv)) continue;
    if (ev.fitted.some((i) => oracle.S[j].includes(i))) out.push(j);
  }
  return out;
}

/**
 * Rate (in l units per unit tau) at which the neurons of oracle event k approach l = 0: the
 * slope of l_j on the last segment of the exponent path before the event (the smallest over a
 * tie group).
 */
export function eventRate(oracle: OracleResult, k: number): number {
  const { tau, l } = oracle.paths;
  const dt = tau[k + 1] - tau[k];
  let rate = Infinity;
  for (const j of oracle.events[k].neurons) {
    const v = dt > 0 ? (l[k + 1][j] - l[k][j]) / dt : Infinity;
    if (v < rate) rate = v;
  }
  return rate;
}

export interface Resolvability {
  /** Per event: no near-tie competitor (margin * log(1/lambda) >= RESOLVE_MARGIN_LOGS). */
  marginOk: boolean[];
  /** Per pair (k, k+1): separated by SEPARATION_WIDTHS e-folding times (see below). */
  separated: boolean[];
  /** Per event: marginOk and separated from both neighbours. */
  event: boolean[];
}

/**
 * Which oracle events a simulation at lambda can resolve. Near-ties: see RESOLVE_MARGIN_LOGS.
 * Separation: a jump of a neuron approaching l = 0 at rate kappa (per unit tau) is smoothed over
 * a physical time ~ 1/kappa (its norm grows by e per 1/kappa; its output, ~||w||^2, by e^2), i.e.
 * over 1/(kappa log(1/lambda)) in tau; two jumps are separated when
 * (tau_{k+1} - tau_k) log(1/lambda) >= SEPARATION_WIDTHS (1/kappa_k + 1/kappa_{k+1}).
 */
export function resolvability(oracle: OracleResult, logInv: number): Resolvability {
  const K = oracle.events.length;
  const marginOk = oracle.events.map((e) => e.margin * logInv >= RESOLVE_MARGIN_LOGS);
  const rates = oracle.events.map((_, k) => eventRate(oracle, k));
  const separated: boolean[] = [];
  for (let k = 0; k + 1 < K; k++) {
    const gap = (oracle.events[k + 1].tau - oracle.events[k].tau) * logInv;
    separated.push(gap >= SEPARATION_WIDTHS * (1 / rates[k] + 1 / rates[k + 1]));
  }
  const event = marginOk.map((ok, k) => ok && (k === 0 || separated[k - 1]) && (k === K - 1 || separated[k]));
  return { marginOk, separated, event };
}

/**
 * Simulates gradient flow from p0 on problem (orthogonal data) and compares it with the limit
 * oracle at init scale lambda: time-averaged staircase error on [0, STAIRCASE_WINDOW tau_last],
 * detected drops mapped onto consecutive runs of oracle events through the plateau levels, and
 * the neurons activated across each drop. The oracle is computed from the ReLU setting
 * (oracleInputFromParams) whatever problem.model says, so a leaky or otherwise perturbed
 * problem is compared with the ReLU prediction.
 *
 * @param plateauTol allowed |detected level - oracle level| / L(0) for levels bounded by
 *   resolvable events (the caller's c / log(1/lambda))
 * @param opts.oracle the limit process to compare with (default: from problem.data and p0,
 *   which must be orthogonal); used for off-hypothesis data (correlated inputs)
 * @param opts.eta simulate gradient descent with this step instead of gradient flow (the oracle
 *   then uses the escape rate log(1 + eta kappa) / eta)
 */
export function analyzeStaircase(problem: Problem, p0: Params, lambda: number, plateauTol: number, opts: StaircaseOptions = {}): StaircaseAnalysis {
  const logInv = Math.log(1 / lambda);
  const oracle = opts.oracle ?? limitProcess(oracleInputFromParams(problem.data, p0, lambda, { eta: opts.eta }));
  const K = oracle.events.length;
  const { n, y } = problem.data;
  let minRy = Infinity;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let c = 0; c < problem.data.d; c++) sq += problem.data.X[i * problem.data.d + c] ** 2;
    r[i] = Math.sqrt(sq);
    minRy = Math.min(minRy, r[i] * Math.abs(y[i]));
  }
  // Without events nothing is learned in the limit; use the bound n / min r|y| on all jump times.
  const tauLast = K > 0 ? oracle.events[K - 1].tau : n / minRy;
  const tauMax = STAIRCASE_WINDOW * tauLast;
  const tEnd = SIM_WINDOW * tauLast * logInv;
  const stopLoss = SUCCESS_REL_LOSS * oracle.initialLoss;
  const dyn: DynamicsConfig =
    opts.eta === undefined ? { kind: 'flow', tEnd, stopLoss } : { kind: 'gd', eta: opts.eta, steps: Math.ceil(tEnd / opts.eta), stopLoss };
  const traj = simulate(problem, p0, dyn, { record: { neuronNorms: true } });
  const base = { lambda, logInv, oracle, dyn, traj, tauMax };
  if (traj.diverged) {
    return { ...base, tau: [], err: NaN, drops: [], runs: [], activations: [], resolvedEvents: 0, levelsChecked: 0, maxLevelDev: NaN, structureOk: false, why: `diverged: ${traj.divergeReason}` };
  }
  const tau = rescaleTime(traj.t, lambda);
  const err = staircaseError(tau, traj.loss, (s) => lossStaircase(oracle, s), tauMax);
  const drops = detectLossDrops(tau, traj.loss);
  const activations = activationTimes(tau, traj.neuronNormSq as number[][], p0.m);
  const levels = [oracle.initialLoss, ...oracle.events.map((e) => e.lossAfter)];
  const L0 = oracle.initialLoss;
  const res = resolvability(oracle, logInv);
  const resolvedEvent = res.event;
  const marginOk = res.marginOk;
  // Plateau level k (after event k - 1; 0 = initial, K = final) is checked when the events on
  // both sides are free of near-ties and separated from each other.
  const resolvedLevel = (k: number): boolean =>
    (k === 0 || marginOk[k - 1]) && (k === K || marginOk[k]) && (k === 0 || k === K || res.separated[k - 1]);

  const whys: string[] = [];
  const runs: DropRun[] = [];
  let prevEnd = 0;
  let levelsChecked = 0;
  let maxLevelDev = 0;
  const assigned = new Set<number>();
  // Detected plateau levels, in order: before the first drop, then after each drop.
  const detected = drops.length > 0 ? [drops[0].before, ...drops.map((d) => d.after)] : [];
  const idx = assignLevels(detected, levels, resolvedLevel);
  for (let p = 0; p < drops.length; p++) {
    const d = drops[p];
    const a = idx[p];
    const b = idx[p + 1];
    if (a !== prevEnd || b <= a) {
      whys.push(`drop ${p} levels ${d.before.toPrecision(4)} -> ${d.after.toPrecision(4)} map to oracle plateaus ${a} -> ${b}, expected to start at plateau ${prevEnd}`);
    }
    for (const [v, k] of [
      [d.before, a],
      [d.after, b],
    ] as const) {
      if (!resolvedLevel(k)) continue;
      const dev = Math.abs(v - levels[k]) / L0;
      levelsChecked++;
      if (dev > maxLevelDev) maxLevelDev = dev;
      if (dev > plateauTol) whys.push(`plateau ${k} level ${v.toPrecision(5)} vs oracle ${levels[k].toPrecision(5)}: |dev|/L0 = ${dev.toExponential(2)} > ${plateauTol.toExponential(2)}`);
    }
    prevEnd = Math.max(b, prevEnd);
    const first = a;
    const end = Math.max(b, a);
    const activated: number[] = [];
    for (const act of activations) {
      if (act.tau > d.tauFrom && act.tau <= d.tauTo) {
        activated.push(act.neuron);
        assigned.add(act.neuron);
      }
    }
    activated.sort((x, z) => x - z);
    const evs = oracle.events.slice(first, end);
    // A competitor halts right after the event it competes with, so it may spill over into the
    // next drop: a run is "single" (counted as one neuron per jump) only when its event is
    // resolvable and the previous event has no near-tie; other runs may contain competitors of
    // their own events and of the event just before them.
    const single = evs.length === 1 && resolvedEvent[first] && (first === 0 || marginOk[first - 1]);
    const group = new Set(evs.flatMap((e) => e.neurons));
    const comp = new Set<number>();
    for (let k = Math.max(0, first - 1); k < end; k++) for (const j of competitors(oracle, k, logInv)) comp.add(j);
    // Neurons of a neighbouring event that is not separated from this run may fall on either
    // side of the drop boundary.
    if (first > 0 && end > first && !res.separated[first - 1]) for (const j of oracle.events[first - 1].neurons) comp.add(j);
    if (end < K && end > first && !res.separated[end - 1]) for (const j of oracle.events[end].neurons) comp.add(j);
    const foreign = activated.filter((j) => !group.has(j) && (single || !comp.has(j)));
    if (activated.length === 0) whys.push(`drop ${p} (oracle events ${first}..${end - 1}) has no activated neuron`);
    else if (single && !activated.some((j) => group.has(j))) whys.push(`drop ${p}: oracle neuron(s) ${[...group].join('+')} not among activated ${activated.join(',')}`);
    if (foreign.length > 0) whys.push(`drop ${p} (oracle ${evs.map((e) => e.neurons.join('+')).join(' ')}): neuron(s) ${foreign.join(',')} activate too`);
    runs.push({ drop: d, first, end, activated, single });
  }
  if (K > 0 && prevEnd !== K) whys.push(`detected drops reach oracle plateau ${prevEnd} of ${K}`);
  if (K === 0 && drops.length > 0) whys.push(`${drops.length} loss drop(s) where the oracle predicts none`);
  for (const act of activations) {
    if (!assigned.has(act.neuron)) whys.push(`neuron ${act.neuron} activates at tau ${act.tau.toFixed(3)} outside every detected drop`);
  }
  const resolvedEvents = runs.filter((u) => u.single).length;
  return {
    ...base,
    tau,
    err,
    drops,
    runs,
    activations,
    resolvedEvents,
    levelsChecked,
    maxLevelDev,
    structureOk: whys.length === 0,
    why: whys.length === 0 ? 'ok' : whys.join('; '),
  };
}

// ---------------------------------------------------------------------------------------------
// Plot helpers

/** At most `max` evenly spaced indices of a series of length len (always the first and last). */
export function thinIndices(len: number, max: number): number[] {
  if (len <= max) return Array.from({ length: len }, (_, k) => k);
  const out: number[] = [];
  const stride = (len - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(Math.round(k * stride));
  return out;
}

/** Loss in rescaled time with the oracle staircase over it (step series), for one analysis. */
export function staircasePlot(id: string, a: StaircaseAnalysis, maxPoints: number): Plot {
  const idx = thinIndices(a.tau.length, maxPoints);
  const sim: Series = { name: `simulated loss (lambda = ${a.lambda.toExponential(0)})`, mark: 'line', points: idx.map((k) => [a.tau[k], a.traj.loss[k]]) };
  const st: [number, number][] = [[0, a.oracle.initialLoss]];
  for (const e of a.oracle.events) st.push([e.tau, e.lossAfter]);
  st.push([a.tauMax, a.oracle.events.length > 0 ? a.oracle.events[a.oracle.events.length - 1].lossAfter : a.oracle.initialLoss]);
  return {
    id,
    title: `Loss in rescaled time tau = t / log(1/lambda) and the limit staircase (lambda = ${a.lambda.toExponential(0)})`,
    xLabel: 'tau = t / log(1/lambda)',
    yLabel: 'loss',
    xScale: 'linear',
    yScale: 'linear',
    series: [sim, { name: 'limit oracle staircase', mark: 'step', points: st }],
  };
}

/** Neuron exponents l_j(tau) with activation events marked (points). */
export function exponentPlot(id: string, a: StaircaseAnalysis, maxPoints: number): Plot {
  const normSq = a.traj.neuronNormSq as number[][];
  const m = normSq[0].length;
  const idx = thinIndices(a.tau.length, maxPoints);
  const series: Series[] = [];
  for (let j = 0; j < m; j++) {
    series.push({
      name: `l_${j}`,
      mark: 'line',
      points: idx.map((k) => [a.tau[k], (0.5 * Math.log(Math.max(normSq[k][j], Number.MIN_VALUE))) / a.logInv]),
    });
  }
  series.push({
    name: 'simulated activations (half-max of ||w_j||^2)',
    mark: 'point',
    points: a.activations.map((act) => [act.tau, (0.5 * Math.log(act.maxNormSq / 2)) / a.logInv]),
  });
  series.push({ name: 'limit oracle jumps (l = 0)', mark: 'point', points: a.oracle.events.map((e) => [e.tau, 0]) });
  return {
    id,
    title: `Neuron exponents l_j = log||w_j|| / log(1/lambda) and activation events (lambda = ${a.lambda.toExponential(0)})`,
    xLabel: 'tau = t / log(1/lambda)',
    yLabel: 'l_j',
    xScale: 'linear',
    yScale: 'linear',
    series,
  };
}
