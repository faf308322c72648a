/**
 * Predictions of the norm-bias claim (MORN26, BPF22; derived in ../shared/papers.md "norm-bias"
 * and below): the squared norm Q = sum_j (a_j^2 + ||w_j||^2) of the interpolator gradient flow
 * finds from small balanced init on orthogonal data x_i = r_i e_i.
 *
 * Minimum norm (derived): a balanced neuron contributing c_ji = a_j u_ji r_i to f_i has
 * a_j^2 + ||w_j||^2 >= 2 |a_j| ||u_j|| = 2 ||c_j / r||, and the contributions of one class add up to
 * y / r on that class, so Q >= Q* = 2 (N+ + N-), N+- = ||y/r||_{I+-} (triangle inequality), with
 * equality for one neuron per class.
 *
 * Cauchy-Schwarz (derived): with k+ neurons of positive sign, sum_j ||c_j/r|| <= sqrt(k+)
 * (sum_j ||c_j/r||^2)^(1/2) <= sqrt(k+) N+ (non-negative contributions), so every balanced
 * interpolator with w_j in the data span has Q <= sqrt(max(k+, k-)) Q*.
 *
 * Limit process (src/core/oracle.ts): Q -> Q_lim = 2 sum_k ||y/r||_{T_k} as lambda -> 0.
 *
 * Halving constant (derived here): a neuron's admissible set holds each point of its class with
 * probability 1/2 independently, and the set a neuron fits at its jump is (about) half of the
 * class mass not yet fit. The k-th jump of a class fits a fraction 2^-k of it, so
 * Q_lim / Q* -> sum_{k >= 1} 2^(-k/2) = 1 / (sqrt 2 - 1) = 1 + sqrt 2 as n -> infinity at m ~ log n
 * (enough neurons for the halving to run to the end); at finite n the sum is truncated after
 * ~log2(n) terms, so the approach is from below, by O(n^(-1/2)).
 *
 * Near-ties at finite lambda (derived): when neuron j activates while a competitor k sharing its
 * points C sits at l_k = -mu, k's coordinates on C freeze at ~ lambda^mu once j has fit C; when k
 * jumps later (a_k of order 1) it co-fits a fraction ~ lambda^mu of C (measured: the gap decays
 * like e^(-mu log(1/lambda)) down to lambda = 1e-32). Splitting C between
 * the two (fraction alpha to j), their Q is 2 (sqrt(|v_A|^2 + alpha^2 |v_C|^2) + sqrt(|v_B|^2 +
 * (1 - alpha)^2 |v_C|^2)), v = y / r, A, B their other points: convex in alpha, with slope
 * 2 |v_C|^2 / |v_{A u C}| > 0 at alpha = 1. So sharing lowers Q to first order (the simulation
 * approaches Q_lim from below as lambda -> 0), and a shared outcome never exceeds the larger of
 * the two hard outcomes "j first" and "k first". The second is the limit process with k's start
 * raised by its margin (flipAlternatives).
 */
import { exponentsAt, limitProcess, type OracleInput, type OracleResult } from '../core/oracle.ts';
import { InputError } from '../core/errors.ts';

/** The halving constant 1 + sqrt 2 = sum_{k >= 1} 2^(-k/2) (see the module comment). */
export const HALVING_RATIO = 1 + Math.SQRT2;

/**
 * An event is resolved at lambda when every competitor sits at least RESOLVE_MARGIN_LOGS /
 * log(1/lambda) below 0 in l units: it then co-fits a fraction <= lambda^mu = e^-3 = 0.05.
 */
export const RESOLVE_MARGIN_LOGS = 3;

/**
 * Reference scale of the flipped limit processes: starts are set on the exponent scale
 * log(1/LAMBDA_REF) = 230 with 'finite' start, so that raising a start by mu <= 1 stays within
 * float64 (e^230 ~ 1e100).
 */
export const LOG_LAMBDA_REF = 230;

/** A start raised by the margin plus FLIP_EPS (in l units) activates strictly first. */
export const FLIP_EPS = 1e-3;

/** The init's activation pattern and data (fixed before training), as flat arrays. */
export interface NormBiasInit {
  n: number;
  m: number;
  r: number[];
  y: number[];
  /** u_ji(0), [m x n] row-major (only the signs and the row directions matter). */
  U0: number[];
  /** sign(a_j) in {+1, -1}. */
  signs: number[];
}

export interface NormBiasPrediction {
  Qstar: number;
  Qlim: number;
  /** Jumps (events; tied neurons with one remaining set jump together) per class in the limit. */
  jumpsPos: number;
  jumpsNeg: number;
  /** Smallest near-tie margin of the limit's events (l units; Infinity when none). */
  minMargin: number;
  /** Largest Q over the limit and its single-flip alternatives (the near-tie bracket). */
  Qhi: number;
  /** Number of single-flip alternatives computed. */
  flips: number;
  /** The claim's constant: Q / Q* <= R. */
  R: number;
}

function oracleInput(init: NormBiasInit, start?: 'finite', w0Norm?: Float64Array): OracleInput {
  const { n, m } = init;
  const lambda = Math.exp(-LOG_LAMBDA_REF);
  const U0 = new Float64Array(m * n);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += init.U0[j * n + i] ** 2;
    const nr = Math.sqrt(s);
    for (let i = 0; i < n; i++) U0[j * n + i] = nr > 0 ? (init.U0[j * n + i] / nr) * lambda : 0;
  }
  return { n, m, r: Float64Array.from(init.r), y: Float64Array.from(init.y), U0, signs: Float64Array.from(init.signs), lambda, start, w0Norm };
}

/** The lambda -> 0 limit process of the init (every start at l = -1). */
export function limitOf(init: NormBiasInit): OracleResult {
  return limitProcess(oracleInput(init));
}

/** Q* = 2 (||y/r||_{I+} + ||y/r||_{I-}). */
export function minNormQ(r: ArrayLike<number>, y: ArrayLike<number>): number {
  if (r.length !== y.length) throw new InputError('minNormQ', 'r, y', r, 'arrays of equal length');
  let p = 0;
  let q = 0;
  for (let i = 0; i < r.length; i++) {
    const v = (y[i] * y[i]) / (r[i] * r[i]);
    if (y[i] > 0) p += v;
    else q += v;
  }
  return 2 * (Math.sqrt(p) + Math.sqrt(q));
}

/** sqrt(max(k+, k-)): Q / Q* of any balanced interpolator with k+- neurons per sign is below it. */
export function cauchySchwarzBound(kPos: number, kNeg: number): number {
  return Math.sqrt(Math.max(kPos, kNeg, 1));
}

/**
 * Q_lim of the single-flip alternatives: for every event with a competitor k (still growing,
 * sharing one of the event's points) less than `window` below 0, the limit process with k's start
 * raised by its margin + FLIP_EPS (so k activates first).
 */
export function flipAlternatives(init: NormBiasInit, base: OracleResult, window: number): number[] {
  const out: number[] = [];
  const ref = Math.exp(-LOG_LAMBDA_REF);
  for (const ev of base.events) {
    if (!(ev.margin < window)) continue;
    const l = exponentsAt(base, ev.tau);
    for (let c = 0; c < init.m; c++) {
      if (ev.neurons.includes(c) || !(l[c] < 0) || -l[c] >= window) continue;
      if (!ev.fitted.some((i) => base.S[c].includes(i))) continue;
      const w0 = new Float64Array(init.m).fill(ref);
      w0[c] = ref * Math.exp((-l[c] + FLIP_EPS) * LOG_LAMBDA_REF);
      out.push(limitProcess(oracleInput(init, 'finite', w0)).Qlim);
    }
  }
  return out;
}

/**
 * The claim's prediction for one init: Q*, Q_lim, the near-tie bracket over the ladder
 * (competitors within RESOLVE_MARGIN_LOGS / log(1/lambdaMax)), and the constant R.
 * opts.limit = 'qstar' is the "minimum-norm" mutant (Q -> Q*; the bracket is unchanged).
 */
export function normBiasPrediction(init: NormBiasInit, lambdaMax: number, opts: { limit?: 'qlim' | 'qstar' } = {}): NormBiasPrediction {
  if (!(lambdaMax > 0 && lambdaMax < 1)) throw new InputError('normBiasPrediction', 'lambdaMax', lambdaMax, 'a number in (0, 1)');
  const o = limitOf(init);
  let jumpsPos = 0;
  let jumpsNeg = 0;
  for (const e of o.events) {
    if (e.fitted.length === 0) continue;
    if (init.y[e.fitted[0]] > 0) jumpsPos++;
    else jumpsNeg++;
  }
  let minMargin = Infinity;
  for (const e of o.events) minMargin = Math.min(minMargin, e.margin);
  const alts = flipAlternatives(init, o, RESOLVE_MARGIN_LOGS / Math.log(1 / lambdaMax));
  const Qstar = o.Qstar;
  const minNorm = opts.limit === 'qstar';
  return {
    Qstar,
    Qlim: minNorm ? Qstar : o.Qlim,
    jumpsPos,
    jumpsNeg,
    minMargin,
    // The mutant moves the limit only; the near-tie bracket stays the derived one.
    Qhi: Math.max(o.Qlim, ...alts),
    flips: alts.length,
    R: HALVING_RATIO,
  };
}
