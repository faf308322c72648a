/**
 * MVM24's setting for early-alignment: equicorrelated unit data with +-1 labels, exponential or logistic
 * loss, balanced small init, gradient descent with a small step (explicit Euler of the flow), and
 * the measured alignment time T = the first time every non-dead neuron sits in the cone of its
 * class (active exactly on the points with y_i = sign(a_j)) with 1 - cos(w_j, X_s) <= eps,
 * X_s = sum_{y_i = s} x_i (the class's sum: the fixed direction of the direction flow there).
 *
 * Loss: exponential (1/n) sum exp(-y_i f_i) or logistic (1/n) sum log(1 + exp(-y_i f_i)), MVM24's two.
 *
 * Data (signed mu): orthonormal e_1..e_n, u in R^d (d = n + 1 + extraD), labels y_i = +-1
 * (the first nPos positive), unit points
 *   mu >= 0: x_i = y_i (sqrt(mu) u + sqrt(1 - mu) e_i), so <y_i x_i, y_k x_k> = mu (i != k);
 *   mu <  0: x_i = sqrt(-mu) u + sqrt(1 + mu) e_i, so <y_i x_i, y_k x_k> = -|mu| y_i y_k.
 * In both cases min_{i != k} <y_i x_i, y_k x_k> / (||x_i|| ||x_k||) = mu exactly (MVM24's
 * separation parameter); mu = 0 is orthogonal data (BPF22's setting, where activation sets only
 * shrink).
 */
import { Rng } from '../../core/rng.ts';
import { randomOrthonormal } from '../../core/linalg.ts';
import { balancedInit } from '../../core/init.ts';
import { simulate } from '../../core/dynamics.ts';
import type { Dataset, GdConfig, Params, Problem } from '../../core/types.ts';
import { toInstance, type Instance } from '../../core/instance.ts';
import { ORTHO_MODEL } from './orthogonal.ts';
import { activationPattern, oneMinusCos } from './incremental.ts';
import { separation, lossWeightAtZero } from '../../theory/alignment.ts';

/** Round-off dead zone of the activation read-off: active iff <w, x> > ACT_ROUNDOFF ||w|| ||x||. */
export const ACT_ROUNDOFF = 1e-12;

export type AlignLoss = 'exponential' | 'logistic';

export interface AlignSpec {
  /** MVM24's losses (default exponential). */
  loss?: AlignLoss;
  nPos: number;
  nNeg: number;
  extraD: number;
  m: number;
  /** Signed separation parameter, in (-1, 1). */
  mu: number;
  seed: number;
}

export interface AlignData extends Dataset {
  mu: number;
  /** X_+ = sum_{y_i > 0} x_i and X_- = sum_{y_i < 0} x_i, [d] each. */
  Xpos: Float64Array;
  Xneg: Float64Array;
}

export function alignmentData(spec: AlignSpec): AlignData {
  const rng = new Rng(spec.seed);
  const n = spec.nPos + spec.nNeg;
  const d = n + 1 + spec.extraD;
  const B = randomOrthonormal(rng.fork(1), n + 1, d);
  const y = new Float64Array(n);
  const X = new Float64Array(n * d);
  const Xpos = new Float64Array(d);
  const Xneg = new Float64Array(d);
  const mu = spec.mu;
  const su = Math.sqrt(Math.abs(mu));
  const se = Math.sqrt(1 - Math.abs(mu));
  for (let i = 0; i < n; i++) {
    y[i] = i < spec.nPos ? 1 : -1;
    const cu = mu >= 0 ? y[i] * su : su;
    const ce = mu >= 0 ? y[i] * se : se;
    const S = y[i] > 0 ? Xpos : Xneg;
    for (let c = 0; c < d; c++) {
      const v = cu * B[n * d + c] + ce * B[i * d + c];
      X[i * d + c] = v;
      S[c] += v;
    }
  }
  return { n, d, X, y, mu, Xpos, Xneg };
}

export interface AlignRunOptions {
  lambda: number;
  eta: number;
  /** Steps between two alignment checks. */
  checkEvery: number;
  /** Last time checked (the run stops there if not aligned). */
  horizon: number;
  eps: number;
  /** Initial parameters (default: initParams(spec, d, lambda)). */
  init?: Params;
}

export interface AlignResult {
  /** First checked time with every non-dead neuron in its cone and aligned; Infinity if none by the horizon. */
  T: number;
  /** Neurons dead (active on no point) at T (or at the horizon). */
  dead: number;
  /** Non-dead neurons at T (or at the horizon). */
  alive: number;
  /** At the horizon when not aligned: non-dead neurons outside their cone (active on a point of the other class or missing one of theirs). */
  outOfCone: number;
  /** Worst 1 - cos(w_j, X_{s_j}) over non-dead neurons at T (or the horizon). */
  worstOneMinusCos: number;
  /** Worst 1 - cos(w_j, mean of all x_i) over non-dead neurons at T (or the horizon). */
  worstOneMinusCosMean: number;
  /** max_i |f(x_i)| at T (or the horizon): how far the output is from 0. */
  maxAbsF: number;
  /** Activation read-off became active where it was inactive at the previous check (count). */
  growths: number;
  steps: number;
  diverged: boolean;
  why: string;
}

export const ALIGN_PROBLEM = (data: Dataset, loss: AlignLoss = 'exponential'): Problem => ({ data, model: ORTHO_MODEL, loss, weightDecay: 0 });

export function initParams(spec: AlignSpec, d: number, lambda: number): Params {
  return balancedInit(new Rng(spec.seed).fork(4), { m: spec.m, d, scale: lambda });
}

interface Status {
  aligned: boolean;
  dead: number;
  alive: number;
  outOfCone: number;
  worst: number;
  worstMean: number;
  maxAbsF: number;
  pattern: Uint8Array;
}

function status(p: Params, data: AlignData, eps: number, mean: Float64Array): Status {
  const { n, d, y } = data;
  const pat = activationPattern(p, data, ACT_ROUNDOFF);
  let dead = 0;
  let outOfCone = 0;
  let worst = 0;
  let worstMean = 0;
  for (let j = 0; j < p.m; j++) {
    const s = p.a[j] > 0 ? 1 : -1;
    let active = 0;
    let inCone = true;
    for (let i = 0; i < n; i++) {
      const on = pat[j * n + i] === 1;
      if (on) active++;
      if (on !== (y[i] === s)) inCone = false;
    }
    if (active === 0) {
      dead++;
      continue;
    }
    if (!inCone) outOfCone++;
    worst = Math.max(worst, oneMinusCos(p.W, j * d, s > 0 ? data.Xpos : data.Xneg, 0, d));
    worstMean = Math.max(worstMean, oneMinusCos(p.W, j * d, mean, 0, d));
  }
  let maxAbsF = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < p.m; j++) {
      let z = 0;
      for (let c = 0; c < d; c++) z += p.W[j * d + c] * data.X[i * d + c];
      if (z > 0) f += p.a[j] * z;
    }
    maxAbsF = Math.max(maxAbsF, Math.abs(f));
  }
  const alive = p.m - dead;
  return { aligned: outOfCone === 0 && worst <= eps, dead, alive, outOfCone, worst, worstMean, maxAbsF, pattern: pat };
}

/**
 * Gradient descent from the balanced init at scale lambda, checked every `checkEvery` steps until
 * every non-dead neuron is aligned (T) or the horizon passes (T = Infinity).
 */
export function runAlignment(spec: AlignSpec, data: AlignData, opts: AlignRunOptions): AlignResult {
  const problem = ALIGN_PROBLEM(data, spec.loss);
  let p = opts.init ?? initParams(spec, data.d, opts.lambda);
  const mean = new Float64Array(data.d);
  for (let c = 0; c < data.d; c++) mean[c] = (data.Xpos[c] + data.Xneg[c]) / data.n;
  const dyn: GdConfig = { kind: 'gd', eta: opts.eta, steps: opts.checkEvery };
  const maxChecks = Math.ceil(opts.horizon / (opts.eta * opts.checkEvery));
  let st = status(p, data, opts.eps, mean);
  let growths = 0;
  let steps = 0;
  for (let k = 0; k <= maxChecks; k++) {
    if (st.aligned) break;
    if (k === maxChecks) break;
    const traj = simulate(problem, p, dyn, { record: { lossCurve: false } });
    steps += traj.steps;
    if (traj.diverged) {
      return { T: Infinity, dead: st.dead, alive: st.alive, outOfCone: st.outOfCone, worstOneMinusCos: st.worst, worstOneMinusCosMean: st.worstMean, maxAbsF: st.maxAbsF, growths, steps, diverged: true, why: `diverged: ${traj.divergeReason}` };
    }
    p = traj.final;
    const next = status(p, data, opts.eps, mean);
    for (let q = 0; q < next.pattern.length; q++) if (next.pattern[q] === 1 && st.pattern[q] === 0) growths++;
    st = next;
  }
  const T = st.aligned ? steps * opts.eta : Infinity;
  const why = st.aligned
    ? `aligned at T = ${T.toFixed(3)}: ${st.alive} non-dead neuron(s) in their cones, worst 1 - cos ${st.worst.toExponential(2)}, ${st.dead} dead`
    : `not aligned by t = ${(steps * opts.eta).toFixed(3)}: ${st.outOfCone} of ${st.alive} non-dead neuron(s) outside their cone, worst 1 - cos ${st.worst.toExponential(2)}`;
  return { T, dead: st.dead, alive: st.alive, outOfCone: st.outOfCone, worstOneMinusCos: st.worst, worstOneMinusCosMean: st.worstMean, maxAbsF: st.maxAbsF, growths, steps, diverged: false, why };
}

// ---------------------------------------------------------------------------------------------
// One trial of the claim (shared by the claim, its edge and the calibration script)

/** Init scales of a trial: the alignment time is measured at each (same init directions). */
export const LAMBDAS = [1e-6, 1e-9, 1e-12];
/**
 * Gradient-descent step (explicit Euler of the flow). Every rate of the early phase is at most
 * g max_s ||X_s|| / n <= 1 (unit data, mean loss, g = -l'(0) <= 1), so eta r <= 0.05: the Euler growth factor
 * 1 + eta r differs from e^{eta r} by <= 2.5% of the rate, the same for every lambda.
 */
export const ALIGN_ETA = 0.05;
/** Steps between alignment checks: the measured T is a multiple of h = ALIGN_ETA * CHECK_EVERY = 0.2. */
export const CHECK_EVERY = 4;
/** "Good alignment": 1 - cos(w_j, X_{s_j}) <= ALIGN_EPS (convention: MVM24's own epsilon was not seen). */
export const ALIGN_EPS = 1e-2;

export interface TrialParams {
  loss?: AlignLoss;
  nPos: number;
  nNeg: number;
  m: number;
  extraD: number;
  mu: number;
}

export type Num = number | string;
const num = (x: number): Num => (Number.isFinite(x) ? x : String(x));

export interface TrialObservation {
  loss: string;
  /** -l'(0): 1 exponential, 1/2 logistic (every early rate is proportional to it). */
  g: number;
  n: number;
  m: number;
  mu: number;
  /** min_{i != k} cos(y_i x_i, y_k x_k) measured on the generated data (= mu up to round-off). */
  separation: number;
  horizon: number;
  checkInterval: number;
  /** T at each of LAMBDAS ('Infinity' when not aligned by the horizon). */
  T0: Num;
  T1: Num;
  T2: Num;
  alive: number;
  dead: number;
  outOfCone: number;
  worstOneMinusCos: number;
  worstOneMinusCosMean: number;
  /** max_i |f(x_i)| at T for the largest lambda: how close the run stayed to f = 0. */
  maxAbsF: number;
  /** Orthogonal data (mu = 0, same seed, lambda = LAMBDAS[0]) run to the horizon: activation growths. */
  orthoGrowths: number;
  orthoChecks: number;
  diverged: boolean;
  why: string;
}

/** The trial's first run (lambda = LAMBDAS[0], to the horizon) as a replayable instance. */
export function trialInstance(p: TrialParams, seed: number, horizon: number): Instance {
  const spec: AlignSpec = { ...p, seed };
  const data = alignmentData(spec);
  const dyn: GdConfig = { kind: 'gd', eta: ALIGN_ETA, steps: Math.ceil(horizon / ALIGN_ETA) };
  return toInstance(ALIGN_PROBLEM(data, p.loss), initParams(spec, data.d, LAMBDAS[0]), dyn, { initScale: LAMBDAS[0], label: `early-alignment mu ${p.mu} seed ${seed}` });
}

/** The three lambda runs and the orthogonal regression run of one trial. */
export function observeTrial(p: TrialParams, seed: number, horizon: number): TrialObservation {
  const spec: AlignSpec = { ...p, seed };
  const data = alignmentData(spec);
  const runs = LAMBDAS.map((lambda) => runAlignment(spec, data, { lambda, eta: ALIGN_ETA, checkEvery: CHECK_EVERY, horizon, eps: ALIGN_EPS }));
  const orthoSpec: AlignSpec = { ...spec, mu: 0 };
  const ortho = runAlignment(orthoSpec, alignmentData(orthoSpec), { lambda: LAMBDAS[0], eta: ALIGN_ETA, checkEvery: 5 * CHECK_EVERY, horizon, eps: 0 });
  const r = runs[0];
  const sep = separation(data.X, data.y, data.n, data.d);
  const diverged = runs.some((x) => x.diverged) || ortho.diverged;
  const loss = p.loss ?? 'exponential';
  return {
    loss,
    g: lossWeightAtZero(loss),
    n: data.n,
    m: p.m,
    mu: p.mu,
    separation: sep,
    horizon,
    checkInterval: ALIGN_ETA * CHECK_EVERY,
    T0: num(runs[0].T),
    T1: num(runs[1].T),
    T2: num(runs[2].T),
    alive: r.alive,
    dead: r.dead,
    outOfCone: r.outOfCone,
    worstOneMinusCos: r.worstOneMinusCos,
    worstOneMinusCosMean: r.worstOneMinusCosMean,
    maxAbsF: r.maxAbsF,
    orthoGrowths: ortho.growths,
    orthoChecks: Math.round(ortho.steps / (5 * CHECK_EVERY)),
    diverged,
    why: diverged ? `diverged: ${[...runs, ortho].find((x) => x.diverged)?.why}` : `lambda ${LAMBDAS.join(', ')}: T = ${runs.map((x) => x.T.toFixed(2)).join(', ')}; ${r.why}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Edge: the separation hypothesis at its boundary (mu -> 0+, mu = 0, mu < 0)

/** Smallest positive separation the edge draws: 2^-EDGE_MU_FLOOR_EXP. */
export const EDGE_MU_FLOOR_EXP = 8;

/**
 * Edge index k in [-4, EDGE_MU_FLOOR_EXP] -> mu: k = 0 is orthogonal data (mu = 0), k > 0 gives
 * mu = 2^-(EDGE_MU_FLOOR_EXP + 1 - k) (k = 1: the floor 2^-8, k = 8: 1/2), k < 0 gives
 * mu = -2^-(5 + k) (k = -1: -1/16, k = -4: -1/2). Shrinking k toward 0 moves mu toward 0.
 */
export function edgeMu(k: number): number {
  if (k === 0) return 0;
  return k > 0 ? 2 ** -(EDGE_MU_FLOOR_EXP + 1 - k) : -(2 ** -(5 + k));
}

/** One alignment run at LAMBDAS[0] to the given horizon, checked every 5 CHECK_EVERY steps. */
export function edgeRun(p: TrialParams, seed: number, horizon: number): AlignResult & { n: number; mu: number; horizon: number } {
  const spec: AlignSpec = { ...p, seed };
  const data = alignmentData(spec);
  const r = runAlignment(spec, data, { lambda: LAMBDAS[0], eta: ALIGN_ETA, checkEvery: 5 * CHECK_EVERY, horizon, eps: ALIGN_EPS });
  return { ...r, n: data.n, mu: p.mu, horizon };
}
