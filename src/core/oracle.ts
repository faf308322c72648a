/**
 * The lambda -> 0 limit process of gradient flow (or gradient descent) for a two-layer ReLU
 * network on orthogonal data with square loss (BPF22, MORN26 "saddle-to-saddle"; DBP25 width
 * law). Closed-form: no simulation.
 *
 * Setting: x_i = r_i e_i (orthonormal e_i), labels y_i != 0, f(x) = sum_j a_j relu(<w_j, x>), no
 * bias, both layers trained, L = 1/(2n) sum (f_i - y_i)^2, small balanced init a_j = s_j ||w_j||,
 * ||w_j|| ~ lambda. With u_ji = <w_j, e_i>, neuron j can only ever fit
 * S_j = { i : u_ji(0) > 0 and sign(y_i) = s_j }.
 *
 * The process, in rescaled time tau = t / log(1/lambda), with exponents l_j = log||w_j|| / log(1/lambda):
 * - l_j starts at -1 ('limit'), or at a finite-lambda value (see {@link OracleStart});
 * - l_j grows at rate kappa_j = (1/n) (sum_{i in S_j, i unfit} r_i^2 y_i^2)^(1/2), piecewise
 *   constant, recomputed whenever points get fit; with a gradient-descent step eta the rate is
 *   log(1 + eta kappa_j) / eta (the per-unit-time growth of the linearised GD map);
 * - when l_j reaches 0 the neuron activates and fits all its currently unfit points T_j; a neuron
 *   whose unfit set is empty has rate 0 and never activates (its norm stays lambda^(-l_j) -> 0);
 * - the loss is a staircase with plateaus 1/(2n) sum_{unfit} y_i^2.
 * Fitted neuron: a_j = s_j (sum_{T_j} y_i^2 / r_i^2)^(1/4), w_j = sum_{T_j} y_i x_i / (a_j r_i^2);
 * on the basis e_i its coefficients are w_j[i] = y_i / (a_j r_i) for i in T_j.
 *
 * Ties. Neurons whose hitting times of l = 0 agree to {@link ORACLE_TIE_REL_TOL} activate as one
 * event. Inside an event the neurons are grouped by identical remaining sets; a group of g
 * neurons with remaining set T shares T equally: each member gets a = s (N_T / g)^(1/2),
 * w[i] = y_i / (g a r_i) with N_T = (sum_T y_i^2 / r_i^2)^(1/2). The group's function is exactly
 * one fitted neuron's, and its contribution to Q is 2 N_T, i.e. Qlim uses the combined set once
 * per group. Choice for the measure-zero case of a tie between neurons whose remaining sets
 * overlap without being equal (the limit itself does not decide the split there): a point lying
 * in c such groups is split equally, each group fitting y_i / c; the fitted function still
 * interpolates, and Qlim is then the Q of these fitted parameters (sum_k a_k^2 + ||w_k||^2).
 *
 * What the oracle does NOT model: the O(1/log(1/lambda)) smoothing of each jump and of each rate
 * change (a finite-lambda simulation departs by about c / log(1/lambda) in tau), and gradient
 * descent effects beyond the escape rate (edge of stability, overshoot at activation).
 *
 * Shapes: U0 is [m x n] row-major (row j = coordinates of w_j(0) on the e_i).
 */
import type { Dataset, Params } from './types.ts';
import { InputError, checkAllFinite, checkInt, checkPositive } from './errors.ts';

/**
 * Relative tolerance on hitting times under which neurons count as tied (activate together).
 * Hitting times are sums of at most m segment lengths, each a few float64 operations, so equal
 * times computed along different paths differ by ~m * 1e-16 relative; genuinely distinct times of
 * a random instance differ by far more than 1e-9 (they come from sums of squares of continuous
 * draws).
 */
export const ORACLE_TIE_REL_TOL = 1e-9;

/**
 * Relative slack when checking that a given ||w_j(0)|| (or |a_j(0)|) is at least the norm of its
 * coordinates on the data directions: the two come from different summation orders.
 */
const NORM_CONSISTENCY_REL_TOL = 1e-9;

/** |<x_i, x_k>| / (r_i r_k) above which {@link oracleInputFromParams} rejects data as not orthogonal. */
export const ORTHOGONALITY_TOL = 1e-9;

/**
 * Start exponents l_j(0):
 * - 'limit': -1 for every neuron (the lambda -> 0 process);
 * - 'finite': log(||w_j(0)||) / log(1/lambda), ||w_j(0)|| from `w0Norm` (default: norm of the U0 row,
 *   exact when d = n);
 * - 'aligned': log(A_j) / log(1/lambda), A_j the amplitude on the growing mode of the linearised
 *   (f = 0) dynamics, so that ||w_j(t)|| ~ A_j exp(kappa_j t) once neuron j has aligned: this is
 *   the exact first-order (1/log(1/lambda)) correction of the first activation time. It solves the
 *   early linear phase in closed form (a'' = kappa^2 a while the active set is fixed), including
 *   the O(1) time during which active coordinates of the wrong label sign shrink to 0, then
 *   projects on the growing eigenvector: A = (|a| + <c_hat, u_S>) / 2. Later rate changes keep
 *   the l_j reached (their own O(1/log) corrections are not modelled). With `eta` the same flow
 *   pre-phase is used (an O(eta) approximation).
 */
export type OracleStart = 'limit' | 'finite' | 'aligned';

export interface OracleInput {
  /** Norms r_i > 0, [n]. */
  r: Float64Array;
  /** Labels y_i != 0, [n]. */
  y: Float64Array;
  n: number;
  m: number;
  /** Initial coordinates u_ji = <w_j(0), e_i>, [m x n] row-major. */
  U0: Float64Array;
  /** s_j in {+1, -1}, the (conserved) sign of a_j, [m]. */
  signs: Float64Array;
  /** Init scale in (0, 1), for the time rescaling tau = t / log(1/lambda). */
  lambda: number;
  /** Gradient-descent step (escape rate log(1 + eta kappa)/eta instead of kappa); undefined = flow. */
  eta?: number;
  /** Start exponents (default 'limit'), see {@link OracleStart}. */
  start?: OracleStart;
  /** ||w_j(0)|| including components off the data span, [m]; default the norm of the U0 row. */
  w0Norm?: Float64Array;
  /** |a_j(0)|, [m], used by start 'aligned'; default w0Norm (balanced init). */
  a0Abs?: Float64Array;
}

export interface OracleEvent {
  /** Rescaled time of the jump. */
  tau: number;
  /** Physical time tau * log(1/lambda) (for gradient descent: step * eta). */
  t: number;
  /** Neurons activating at this jump, ascending (ties activate together). */
  neurons: number[];
  /** Points fit at this jump, ascending. */
  fitted: number[];
  /** Plateau level after the jump, 1/(2n) sum_{unfit} y_i^2. */
  lossAfter: number;
  /**
   * Near-tie margin, in l units: min over the other still-growing neurons that share an unfit
   * point with this event of (0 - l_k) at the event (Infinity when none). A finite-lambda run
   * shows such a neuron co-activating (sharing the points) when margin * log(1/lambda) is O(1):
   * the limit's "one neuron per jump" is resolved at lambda only when margin >> 1/log(1/lambda).
   */
  margin: number;
}

export interface OracleFittedNeuron {
  neuron: number;
  /** Points this neuron (co-)fits. */
  points: number[];
  a: number;
  /** Coefficients of w on the e_i, [n]. */
  w: Float64Array;
}

export interface OracleResult {
  /** S_j, ascending point indices. */
  S: number[][];
  /** Per point: some S_j contains it. */
  covered: boolean[];
  /** Jumps in time order. */
  events: OracleEvent[];
  /** Loss staircase; the last plateau runs to +Infinity. Zero-length plateaus are omitted. */
  plateaus: { tauStart: number; tauEnd: number; loss: number }[];
  initialLoss: number;
  /** 1/(2n) sum_{uncovered} y_i^2. */
  finalLoss: number;
  /** Limit parameters of every activated neuron, in activation order (all others tend to 0). */
  fitted: OracleFittedNeuron[];
  /** Q of the limit parameters: 2 sum_groups (sum_{T_k} y^2/r^2)^(1/2). */
  Qlim: number;
  /** Minimal-norm interpolator's Q* = 2 (N+ + N-), N+- = (sum_{I+-} y_i^2/r_i^2)^(1/2), over ALL points. */
  Qstar: number;
  /** Initial flow rates kappa_j = (1/n)(sum_{S_j} r_i^2 y_i^2)^(1/2) (before the eta transform). */
  kappa0: number[];
  /** Initial escape rates actually used: kappa_j, or log(1 + eta kappa_j)/eta with eta. */
  rate0: number[];
  /** Start exponents l_j(0) used. */
  l0: number[];
  /**
   * Exponent paths: l[k][j] = l_j(tau[k]) at the breakpoints tau = [0, event taus...]; l_j is
   * linear between breakpoints and constant after the last one (activated neurons stay at 0).
   * Evaluate with {@link exponentsAt}.
   */
  paths: { tau: number[]; l: number[][] };
}

// ---------------------------------------------------------------------------------------------
// Argument checks

function checkFloatArray(fn: string, field: string, v: unknown, len: number): Float64Array {
  if (!(v instanceof Float64Array) || v.length !== len) {
    throw new InputError(fn, field, v, `a Float64Array of length ${len}`);
  }
  checkAllFinite(fn, field, v);
  return v;
}

function checkInput(fn: string, inp: OracleInput): void {
  if (inp === null || typeof inp !== 'object') throw new InputError(fn, 'input', inp, 'an OracleInput object');
  const n = checkInt(fn, 'n', inp.n, 1);
  const m = checkInt(fn, 'm', inp.m, 1);
  const r = checkFloatArray(fn, 'r', inp.r, n);
  for (let i = 0; i < n; i++) if (!(r[i] > 0)) throw new InputError(fn, `r[${i}]`, r[i], 'a number > 0');
  const y = checkFloatArray(fn, 'y', inp.y, n);
  for (let i = 0; i < n; i++) if (y[i] === 0) throw new InputError(fn, `y[${i}]`, y[i], 'a nonzero label');
  checkFloatArray(fn, 'U0', inp.U0, m * n);
  const s = checkFloatArray(fn, 'signs', inp.signs, m);
  for (let j = 0; j < m; j++) if (s[j] !== 1 && s[j] !== -1) throw new InputError(fn, `signs[${j}]`, s[j], '+1 or -1');
  const lambda = checkPositive(fn, 'lambda', inp.lambda);
  if (!(lambda < 1)) throw new InputError(fn, 'lambda', lambda, 'a number in (0, 1)');
  if (inp.eta !== undefined) checkPositive(fn, 'eta', inp.eta);
  const start = inp.start ?? 'limit';
  if (start !== 'limit' && start !== 'finite' && start !== 'aligned') {
    throw new InputError(fn, 'start', start, "'limit', 'finite' or 'aligned'");
  }
  if (inp.w0Norm !== undefined) {
    const v = checkFloatArray(fn, 'w0Norm', inp.w0Norm, m);
    for (let j = 0; j < m; j++) {
      let rowSq = 0;
      for (let i = 0; i < n; i++) rowSq += inp.U0[j * n + i] * inp.U0[j * n + i];
      if (!(v[j] > 0) || v[j] < Math.sqrt(rowSq) * (1 - NORM_CONSISTENCY_REL_TOL)) {
        throw new InputError(fn, `w0Norm[${j}]`, v[j], `a number > 0 and >= the norm of row ${j} of U0 (${Math.sqrt(rowSq)})`);
      }
    }
  }
  if (inp.a0Abs !== undefined) {
    const v = checkFloatArray(fn, 'a0Abs', inp.a0Abs, m);
    for (let j = 0; j < m; j++) if (!(v[j] > 0)) throw new InputError(fn, `a0Abs[${j}]`, v[j], 'a number > 0');
  }
}

// ---------------------------------------------------------------------------------------------
// The process

/** Escape rate of a neuron with flow rate kappa: kappa (flow) or log(1 + eta kappa)/eta (GD). */
function escapeRate(kappa: number, eta: number | undefined): number {
  if (kappa === 0) return 0;
  return eta === undefined ? kappa : Math.log1p(eta * kappa) / eta;
}

/**
 * Amplitude A_j of the growing mode after the early linear phase of neuron j (start 'aligned').
 * Sign-adjusted frame: alpha = |a_j|, c_i = s_j r_i y_i / n on the active coordinates (u_ji > 0);
 * alpha' = <c, u>, u' = c alpha, so with kappa = |c| and p = <c, u>:
 * alpha(t) = alpha cosh(kappa t) + (p/kappa) sinh(kappa t),
 * u(t) = u + c F(t), F(t) = int_0^t alpha = alpha sinh(kappa t)/kappa + p (cosh(kappa t) - 1)/kappa^2.
 * A coordinate with c_i < 0 reaches 0 when F = u_i / |c_i| and then stays at 0 (relu'(0) = 0).
 * After the last one died, A = (alpha + <c_S, u_S>/|c_S|)/2 * exp(-kappa_S T).
 */
function alignedAmplitude(j: number, inp: OracleInput, aAbs: number): number {
  const { n, r, y, U0, signs } = inp;
  const s = signs[j];
  const c: number[] = [];
  const u: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = U0[j * n + i];
    if (v > 0) {
      c.push((s * r[i] * y[i]) / n);
      u.push(v);
    }
  }
  let alpha = aAbs;
  let T = 0;
  for (;;) {
    let kSq = 0;
    let p = 0;
    let thetaMin = Infinity;
    let iMin = -1;
    for (let k = 0; k < c.length; k++) {
      kSq += c[k] * c[k];
      p += c[k] * u[k];
      if (c[k] < 0 && u[k] > 0) {
        const th = u[k] / -c[k];
        if (th < thetaMin) {
          thetaMin = th;
          iMin = k;
        }
      }
    }
    if (iMin < 0) break;
    const kappa = Math.sqrt(kSq);
    const A = alpha * kappa + p;
    // A > 0 whenever some c_k > 0 and alpha >= ||u|| (balanced init; the caller only asks for
    // neurons with nonempty S_j). With |a| < ||u|| (unbalanced) alpha can die before the
    // wrong-sign coordinates do; then the projection below ignores them (approximation).
    if (!(A > 0)) break;
    const q = p + kappa * kappa * thetaMin;
    const x = (q + Math.sqrt(Math.max(0, q * q - p * p + alpha * alpha * kappa * kappa))) / A;
    const t1 = Math.log(x) / kappa;
    const ch = 0.5 * (x + 1 / x);
    const sh = 0.5 * (x - 1 / x);
    const F = (alpha * sh) / kappa + (p * (ch - 1)) / (kappa * kappa);
    alpha = alpha * ch + (p / kappa) * sh;
    for (let k = 0; k < c.length; k++) u[k] += c[k] * F;
    u[iMin] = 0;
    c.splice(iMin, 1);
    u.splice(iMin, 1);
    T += t1;
  }
  let kSq = 0;
  let p = 0;
  for (let k = 0; k < c.length; k++) {
    if (c[k] > 0) {
      kSq += c[k] * c[k];
      p += c[k] * u[k];
    }
  }
  const kappaS = Math.sqrt(kSq);
  return 0.5 * (alpha + p / kappaS) * Math.exp(-kappaS * T);
}

/**
 * Runs the limit process. Throws InputError on malformed input.
 *
 * Examples:
 *     // one point, one neuron: jump at tau = n / (r |y|), Qlim = Qstar = 2 |y| / r
 *     limitProcess({ n: 1, m: 1, r: Float64Array.of(2), y: Float64Array.of(3),
 *                    U0: Float64Array.of(0.1), signs: Float64Array.of(1), lambda: 1e-6 })
 *
 * See also: lossStaircase, oracleInputFromParams
 */
export function limitProcess(inp: OracleInput): OracleResult {
  const fn = 'limitProcess';
  checkInput(fn, inp);
  const { n, m, r, y, U0, signs, lambda, eta } = inp;
  const start = inp.start ?? 'limit';
  const logInv = -Math.log(lambda);

  // Admissible sets and point weights.
  const inS = new Uint8Array(m * n);
  const S: number[][] = [];
  const covered: boolean[] = new Array<boolean>(n).fill(false);
  for (let j = 0; j < m; j++) {
    const row: number[] = [];
    for (let i = 0; i < n; i++) {
      if (U0[j * n + i] > 0 && Math.sign(y[i]) === signs[j]) {
        inS[j * n + i] = 1;
        row.push(i);
        covered[i] = true;
      }
    }
    S.push(row);
  }
  const ry2 = new Float64Array(n);
  const yr2 = new Float64Array(n);
  let initialLoss = 0;
  let finalLoss = 0;
  let NposSq = 0;
  let NnegSq = 0;
  for (let i = 0; i < n; i++) {
    ry2[i] = r[i] * r[i] * y[i] * y[i];
    yr2[i] = (y[i] * y[i]) / (r[i] * r[i]);
    initialLoss += y[i] * y[i];
    if (!covered[i]) finalLoss += y[i] * y[i];
    if (y[i] > 0) NposSq += yr2[i];
    else NnegSq += yr2[i];
  }
  initialLoss /= 2 * n;
  finalLoss /= 2 * n;
  const Qstar = 2 * (Math.sqrt(NposSq) + Math.sqrt(NnegSq));

  const fit = new Uint8Array(n);
  const done = new Uint8Array(m);
  const rate = new Float64Array(m);
  const kappa0: number[] = [];
  const rate0: number[] = [];

  // Start exponents.
  const l = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) if (inS[j * n + i]) sum += ry2[i];
    const k0 = Math.sqrt(sum) / n;
    kappa0.push(k0);
    rate0.push(escapeRate(k0, eta));
    if (start === 'limit') {
      l[j] = -1;
      continue;
    }
    let norm0: number;
    if (inp.w0Norm !== undefined) norm0 = inp.w0Norm[j];
    else {
      let sq = 0;
      for (let i = 0; i < n; i++) sq += U0[j * n + i] * U0[j * n + i];
      norm0 = Math.sqrt(sq);
    }
    if (start === 'aligned' && k0 > 0) {
      const aAbs = inp.a0Abs !== undefined ? inp.a0Abs[j] : norm0;
      l[j] = Math.log(alignedAmplitude(j, inp, aAbs)) / logInv;
    } else {
      // norm0 = 0 only for an all-zero row, whose S_j is empty (rate 0): l = -Infinity is harmless.
      l[j] = Math.log(norm0) / logInv;
    }
  }
  const l0 = Array.from(l);
  const pathTau: number[] = [0];
  const pathL: number[][] = [Array.from(l)];

  const events: OracleEvent[] = [];
  const fitted: OracleFittedNeuron[] = [];
  let Qlim = 0;
  let tau = 0;
  let lossNow = initialLoss;

  for (;;) {
    // Current rates and hitting times of l = 0.
    let hMin = Infinity;
    for (let j = 0; j < m; j++) {
      rate[j] = 0;
      if (done[j]) continue;
      let sum = 0;
      for (let i = 0; i < n; i++) if (inS[j * n + i] && !fit[i]) sum += ry2[i];
      rate[j] = escapeRate(Math.sqrt(sum) / n, eta);
      if (rate[j] > 0) {
        const h = tau + Math.max(0, -l[j]) / rate[j];
        if (h < hMin) hMin = h;
      }
    }
    if (hMin === Infinity) break;
    const tieTol = ORACLE_TIE_REL_TOL * Math.max(1, hMin);
    const group: number[] = [];
    for (let j = 0; j < m; j++) {
      if (done[j] || rate[j] === 0) continue;
      const h = tau + Math.max(0, -l[j]) / rate[j];
      if (h <= hMin + tieTol) group.push(j);
      else l[j] += rate[j] * (hMin - tau);
    }
    tau = hMin;

    // Subgroups of identical remaining sets; share(i) = number of subgroups containing point i.
    const subgroups = new Map<string, { set: number[]; members: number[] }>();
    for (const j of group) {
      const set: number[] = [];
      for (let i = 0; i < n; i++) if (inS[j * n + i] && !fit[i]) set.push(i);
      const key = set.join(',');
      const sg = subgroups.get(key);
      if (sg === undefined) subgroups.set(key, { set, members: [j] });
      else sg.members.push(j);
    }
    const share = new Map<number, number>();
    for (const sg of subgroups.values()) for (const i of sg.set) share.set(i, (share.get(i) ?? 0) + 1);
    for (const sg of subgroups.values()) {
      let Nsq = 0;
      for (const i of sg.set) {
        const ci = share.get(i) as number;
        Nsq += yr2[i] / (ci * ci);
      }
      const NT = Math.sqrt(Nsq);
      const g = sg.members.length;
      for (const j of sg.members) {
        const a = signs[j] * Math.sqrt(NT / g);
        const w = new Float64Array(n);
        let wSq = 0;
        for (const i of sg.set) {
          w[i] = y[i] / ((share.get(i) as number) * g * a * r[i]);
          wSq += w[i] * w[i];
        }
        Qlim += a * a + wSq;
        fitted.push({ neuron: j, points: sg.set.slice(), a, w });
      }
    }
    const fittedPts = Array.from(share.keys()).sort((p, q) => p - q);
    for (const i of fittedPts) fit[i] = 1;
    for (const j of group) {
      done[j] = 1;
      l[j] = 0;
    }
    let margin = Infinity;
    for (let k = 0; k < m; k++) {
      if (done[k] || rate[k] === 0) continue;
      let shares = false;
      for (const i of fittedPts) {
        if (inS[k * n + i]) {
          shares = true;
          break;
        }
      }
      if (shares && -l[k] < margin) margin = -l[k];
    }
    // The plateau level from scratch (no running subtraction, so no round-off drift).
    let lv = 0;
    for (let i = 0; i < n; i++) if (!fit[i]) lv += y[i] * y[i];
    lossNow = lv / (2 * n);
    events.push({ tau, t: tau * logInv, neurons: group.slice(), fitted: fittedPts, lossAfter: lossNow, margin });
    pathTau.push(tau);
    pathL.push(Array.from(l));
  }

  const plateaus = plateausOf(events, initialLoss);

  return {
    S, covered, events, plateaus, initialLoss, finalLoss, fitted, Qlim, Qstar, kappa0, rate0, l0,
    paths: { tau: pathTau, l: pathL },
  };
}

/**
 * The oracle's exponents l_j(tau), [m], by linear interpolation of {@link OracleResult.paths}
 * (exact: l_j is piecewise linear with breakpoints at the events); before 0 the start values,
 * after the last event constant.
 */
export function exponentsAt(res: OracleResult, tau: number): number[] {
  if (typeof tau !== 'number' || Number.isNaN(tau)) throw new InputError('exponentsAt', 'tau', tau, 'a number');
  const { tau: bt, l } = res.paths;
  const K = bt.length;
  if (tau <= bt[0]) return l[0].slice();
  if (tau >= bt[K - 1]) return l[K - 1].slice();
  let k = 0;
  while (bt[k + 1] <= tau) k++;
  const f = (tau - bt[k]) / (bt[k + 1] - bt[k]);
  const a = l[k];
  const b = l[k + 1];
  const out = new Array<number>(a.length);
  // -Infinity start values (all-zero rows) stay -Infinity; they never move (rate 0).
  for (let j = 0; j < a.length; j++) out[j] = a[j] === b[j] ? a[j] : a[j] + f * (b[j] - a[j]);
  return out;
}

/**
 * The oracle's piecewise-constant loss at rescaled time tau (right-continuous: at a jump time it
 * returns the level after the jump; before 0 the initial loss).
 */
export function lossStaircase(res: OracleResult, tau: number): number {
  if (typeof tau !== 'number' || Number.isNaN(tau)) throw new InputError('lossStaircase', 'tau', tau, 'a number');
  const ps = res.plateaus;
  if (tau < ps[0].tauStart) return res.initialLoss;
  let lo = 0;
  let hi = ps.length - 1;
  // Last plateau with tauStart <= tau.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ps[mid].tauStart <= tau) lo = mid;
    else hi = mid - 1;
  }
  return ps[lo].loss;
}

/**
 * Probability that a random symmetric init interpolates (DBP25, MORN26): each u_ji > 0 with
 * probability 1/2, each s_j = +-1 with probability 1/2, all independent; interpolation iff every
 * point is covered. Exactly
 * P(n+, n-, m) = sum_{k=0..m} C(m,k) 2^-m (1 - 2^-k)^{n+} (1 - 2^-(m-k))^{n-}
 * (k = number of positive neurons), summed in log space (log-binomials by the product recurrence,
 * log1p for the coverage factors), so it is accurate for m in the hundreds and large n.
 *
 * Examples:
 *     interpolationProbability(1, 0, 1) // 1/4: the neuron must be positive and active
 */
export function interpolationProbability(nPos: number, nNeg: number, m: number): number {
  const fn = 'interpolationProbability';
  checkInt(fn, 'nPos', nPos, 0);
  checkInt(fn, 'nNeg', nNeg, 0);
  checkInt(fn, 'm', m, 0);
  let logC = 0;
  const mLn2 = m * Math.LN2;
  let sum = 0;
  for (let k = 0; k <= m; k++) {
    if (k > 0) logC += Math.log((m - k + 1) / k);
    const lp = nPos === 0 ? 0 : k === 0 ? -Infinity : nPos * Math.log1p(-Math.pow(2, -k));
    const ln = nNeg === 0 ? 0 : k === m ? -Infinity : nNeg * Math.log1p(-Math.pow(2, -(m - k)));
    const lt = logC - mLn2 + lp + ln;
    if (lt > -Infinity) sum += Math.exp(lt);
  }
  return Math.min(1, Math.max(0, sum));
}

/**
 * Builds the oracle input from a dataset of orthogonal points and initial parameters:
 * r_i = ||x_i||, e_i = x_i / r_i, U0[j,i] = <w_j, e_i>, s_j = sign(a_j), w0Norm_j = ||w_j||,
 * a0Abs_j = |a_j|. Throws InputError when the data are not orthogonal (|<x_i,x_k>| >
 * ORTHOGONALITY_TOL r_i r_k), when the parameters have a bias, or when some a_j = 0.
 */
export function oracleInputFromParams(
  data: Dataset,
  p0: Params,
  lambda: number,
  opts: { eta?: number; start?: OracleStart } = {},
): OracleInput {
  const fn = 'oracleInputFromParams';
  const { n, d, X, y } = data;
  checkInt(fn, 'data.n', n, 1);
  checkInt(fn, 'data.d', d, 1);
  if (p0.d !== d) throw new InputError(fn, 'p0.d', p0.d, `the data dimension ${d}`);
  if (p0.b !== null) throw new InputError(fn, 'p0.b', p0.b, 'null (the setting has no bias)');
  const m = p0.m;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let c = 0; c < d; c++) sq += X[i * d + c] * X[i * d + c];
    r[i] = Math.sqrt(sq);
    if (!(r[i] > 0)) throw new InputError(fn, `data.X row ${i}`, r[i], 'a nonzero point');
  }
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      let dp = 0;
      for (let c = 0; c < d; c++) dp += X[i * d + c] * X[k * d + c];
      if (Math.abs(dp) > ORTHOGONALITY_TOL * r[i] * r[k]) {
        throw new InputError(fn, `data.X rows ${i},${k}`, dp / (r[i] * r[k]), 'orthogonal points (cosine 0)');
      }
    }
  }
  const U0 = new Float64Array(m * n);
  const signs = new Float64Array(m);
  const w0Norm = new Float64Array(m);
  const a0Abs = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const a = p0.a[j];
    if (!(a !== 0 && Number.isFinite(a))) throw new InputError(fn, `p0.a[${j}]`, a, 'a finite nonzero number');
    signs[j] = a > 0 ? 1 : -1;
    a0Abs[j] = Math.abs(a);
    let sq = 0;
    for (let c = 0; c < d; c++) sq += p0.W[j * d + c] * p0.W[j * d + c];
    w0Norm[j] = Math.sqrt(sq);
    let rowSq = 0;
    for (let i = 0; i < n; i++) {
      let dp = 0;
      for (let c = 0; c < d; c++) dp += p0.W[j * d + c] * X[i * d + c];
      U0[j * n + i] = dp / r[i];
      rowSq += U0[j * n + i] * U0[j * n + i];
    }
    // Round-off can make the projection's norm exceed ||w_j|| by an ulp when w_j lies in the span.
    const rowNorm = Math.sqrt(rowSq);
    if (w0Norm[j] < rowNorm) w0Norm[j] = rowNorm;
  }
  return { r, y: Float64Array.from(y), n, m, U0, signs, lambda, eta: opts.eta, start: opts.start, w0Norm, a0Abs };
}

/** The plateaus of a jump process: the loss between consecutive events (the last one open-ended). */
export function plateausOf(events: readonly { tau: number; lossAfter: number }[], initialLoss: number): OracleResult['plateaus'] {
  const plateaus: OracleResult['plateaus'] = [];
  let pStart = 0;
  let pLoss = initialLoss;
  for (const ev of events) {
    if (ev.tau > pStart) plateaus.push({ tauStart: pStart, tauEnd: ev.tau, loss: pLoss });
    pStart = ev.tau;
    pLoss = ev.lossAfter;
  }
  plateaus.push({ tauStart: pStart, tauEnd: Infinity, loss: pLoss });
  return plateaus;
}
