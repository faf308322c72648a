/**
 * Instances and tracked gradient-descent runs of the leaky-rank (FVBSH23) and kcg-rank (KCG23)
 * claims: f(x) = sum_j a_j phi_g(<w_j, x>), a fixed, W trained, logistic loss, GD.
 *
 * Data and init are d-dimensional Gaussian draws realised exactly in R^{n+m} (leakyData.ts), so
 * every trial costs the same whatever d, and the reduced dynamics W = W0 + C X of the core
 * (src/core/system.ts, chosen by simulate's 'auto' engine as n <= n + m) run in O(m n^2) a step.
 */
import { Rng } from '../../core/rng.ts';
import { simulate } from '../../core/dynamics.ts';
import { makeLabels } from '../../core/data.ts';
import { linearBoundaryAgreement, margins, singularValues } from '../../core/observables.ts';
import { InputError } from '../../core/errors.ts';
import type { Dataset, ModelConfig, Params, Problem } from '../../core/types.ts';
import { bartlettRows, dataGram, nearOrthogonalityFromGram } from './leakyData.ts';

export interface LeakyInstanceSpec {
  n: number;
  /** Number of neurons (all of them: 2m for KCG23's two blocks of m). */
  m: number;
  g: number;
  /** Init std omega = kappa x omegaThreshold. */
  kappa: number;
  seed: number;
  /** Ambient dimension d of the Gaussian inputs being realised. */
  d: number;
  /** Required near-orthogonality ratio min_i ||x_i||^2 / (n max_k |<x_i, x_k>|). */
  nearOrthMin: number;
  maxDataAttempts: number;
  /** GD step eta = etaFraction n / (A max_i ||x_i||^2), A = sum_j a_j^2 (the curvature of the loss scales with A). */
  etaFraction: number;
  /** 'random': a_j = +-aValue with independent uniform signs (FVBSH23); 'half': first half +, rest - (KCG23). */
  signs: 'random' | 'half';
  aValue: number;
}

export interface LeakyInstance {
  spec: LeakyInstanceSpec;
  /** Inputs in the (n + m)-dimensional frame, balanced +-1 labels (exactly n/2 positive). */
  data: Dataset;
  /** Gram matrix X X^T [n x n] (the same as in R^d). */
  K: Float64Array;
  /** Initial parameters (W0 [m x (n+m)], a fixed). */
  p0: Params;
  eta: number;
  /** Init std and the reference omegaThreshold = eta (1+g) / (4 sqrt(n m)) (papers.md). */
  omega: number;
  omegaThreshold: number;
  nearOrth: number;
  dataAttempts: number;
  plusFraction: number;
  sumASq: number;
  meanNormSq: number;
}

export function leakyModel(g: number): ModelConfig {
  return g > 0 ? { activation: 'leaky', leak: g, outputScale: '1', train: 'first', bias: false } : { activation: 'relu', leak: 0, outputScale: '1', train: 'first', bias: false };
}

/**
 * One instance. Streams of new Rng(seed): labels fork(1), second-layer signs fork(3), init
 * fork(2), data attempt k fork(100 + k) (the first with near-orthogonality >= nearOrthMin is
 * kept). The data and W0 / omega do not depend on g or kappa, so runs at other slopes or init
 * scales with the same seed share them. Null when no dataset qualifies.
 */
export function drawLeakyInstance(spec: LeakyInstanceSpec): LeakyInstance | null {
  const { n, m, d } = spec;
  if (n % 2 !== 0) throw new InputError('drawLeakyInstance', 'spec.n', n, 'an even n (balanced classes)');
  const rng = new Rng(spec.seed);
  const k = n + m;
  const y = makeLabels(rng.fork(1), n, { kind: 'sign', balance: 'balanced' });
  let X: Float64Array | null = null;
  let K: Float64Array = new Float64Array(0);
  let nearOrth = 0;
  let attempts = 0;
  while (X === null && attempts < spec.maxDataAttempts) {
    attempts++;
    const cand = bartlettRows(rng.fork(100 + attempts), k, 0, n, d);
    K = dataGram({ n, d: k, X: cand, y });
    nearOrth = nearOrthogonalityFromGram(K, n);
    if (nearOrth >= spec.nearOrthMin) X = cand;
  }
  if (X === null) return null;
  let maxSq = 0;
  let meanSq = 0;
  for (let i = 0; i < n; i++) {
    maxSq = Math.max(maxSq, K[i * n + i]);
    meanSq += K[i * n + i] / n;
  }
  const sumASq = m * spec.aValue * spec.aValue;
  const eta = (spec.etaFraction * n) / (sumASq * maxSq);
  const omegaThreshold = (eta * (1 + spec.g)) / (4 * Math.sqrt(n * m));
  const omega = spec.kappa * omegaThreshold;
  const W0 = bartlettRows(rng.fork(2), k, n, k, d);
  for (let q = 0; q < W0.length; q++) W0[q] *= omega;
  const a = new Float64Array(m);
  const sr = rng.fork(3);
  let plus = 0;
  for (let j = 0; j < m; j++) {
    const s = spec.signs === 'half' ? (j < m / 2 ? 1 : -1) : sr.sign();
    a[j] = s * spec.aValue;
    if (s > 0) plus++;
  }
  return {
    spec,
    data: { n, d: k, X, y },
    K,
    p0: { m, d: k, W: W0, a, b: null },
    eta,
    omega,
    omegaThreshold,
    nearOrth,
    dataAttempts: attempts,
    plusFraction: plus / m,
    sumASq,
    meanNormSq: meanSq,
  };
}

/** Spectral summary of one matrix: stable rank, sigma_2 / sigma_1, sigma_3 / sigma_1, ||.||_F^2 beyond rank 2. */
export interface SpectralPoint {
  srank: number;
  s2: number;
  s3: number;
  sigma1: number;
  /** sum_{k >= 3} sigma_k^2 (mass outside the best rank-2 approximation). */
  tailSq: number;
}

export function spectralPoint(W: Float64Array, m: number, d: number): SpectralPoint {
  const sv = singularValues(W, m, d);
  let fro = 0;
  let tail = 0;
  for (let q = 0; q < sv.length; q++) {
    fro += sv[q] * sv[q];
    if (q >= 2) tail += sv[q] * sv[q];
  }
  const s1 = sv[0];
  return { srank: s1 > 0 ? fro / (s1 * s1) : 0, s2: sv.length > 1 && s1 > 0 ? sv[1] / s1 : 0, s3: sv.length > 2 && s1 > 0 ? sv[2] / s1 : 0, sigma1: s1, tailSq: tail };
}

/** Rows of W [m x d] with sign(a_j) = sign, as a new [count x d] matrix. */
export function signBlock(W: Float64Array, a: Float64Array, d: number, sign: 1 | -1): { B: Float64Array; rows: number } {
  let rows = 0;
  for (let j = 0; j < a.length; j++) if (Math.sign(a[j]) === sign) rows++;
  const B = new Float64Array(rows * d);
  let r = 0;
  for (let j = 0; j < a.length; j++) if (Math.sign(a[j]) === sign) B.set(W.subarray(j * d, (j + 1) * d), d * r++);
  return { B, rows };
}

/** <A, B>_F / (||A||_F ||B||_F) for two matrices of the same shape. */
export function frobeniusCosine(A: Float64Array, B: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let q = 0; q < A.length; q++) {
    ab += A[q] * B[q];
    aa += A[q] * A[q];
    bb += B[q] * B[q];
  }
  return ab / Math.sqrt(aa * bb);
}

/** W = C X for C [m x n], X [n x d]. */
export function fromCoefficients(C: Float64Array, X: Float64Array, m: number, n: number, d: number): Float64Array {
  const W = new Float64Array(m * d);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const c = C[j * n + i];
      if (c === 0) continue;
      const wo = j * d;
      const xo = i * d;
      for (let q = 0; q < d; q++) W[wo + q] += c * X[xo + q];
    }
  }
  return W;
}

export interface TrackedRun {
  problem: Problem;
  /** Parameters at the checkpoints (step counts, ascending; 0 is the init). */
  steps: number[];
  params: Params[];
  diverged: boolean;
  why: string;
  finalLoss: number;
}

/**
 * GD from the instance's init at slope g (0 = ReLU) for the last checkpoint's number of steps,
 * keeping the parameters at every checkpoint (one snapshot each, W rebuilt from the reduced state).
 */
export function trackedRun(inst: LeakyInstance, g: number, checkpoints: number[]): TrackedRun {
  const problem: Problem = { data: inst.data, model: leakyModel(g), loss: 'logistic', weightDecay: 0 };
  const T = checkpoints[checkpoints.length - 1];
  const inner = checkpoints.filter((t) => t > 0 && t < T);
  const traj = simulate(problem, inst.p0, { kind: 'gd', eta: inst.eta, steps: T }, { record: { lossCurve: false, snapshotTimes: inner } });
  const params: Params[] = [];
  const steps: number[] = [];
  if (checkpoints[0] === 0) {
    params.push(inst.p0);
    steps.push(0);
  }
  for (const sn of traj.snapshots) {
    params.push(sn.params);
    steps.push(sn.t);
  }
  if (!traj.diverged) {
    params.push(traj.final);
    steps.push(T);
  }
  return { problem, steps, params, diverged: traj.diverged, why: traj.diverged ? `diverged: ${traj.divergeReason ?? 'unknown'}` : 'ran', finalLoss: traj.finalLoss };
}

/** y_i f(x_i) at params (a new [n] array). */
export function marginsOf(params: Params, problem: Problem): Float64Array {
  const out = new Float64Array(problem.data.n);
  margins(out, params, problem.model, problem.data);
  return out;
}

/**
 * Number of nTest inputs x ~ N(0, I_d) with sign f(x) != sign <W^T a, x> (core
 * linearBoundaryAgreement), drawn as N(0, I_k) in the instance frame: exact, since f and the
 * linear surrogate depend on x only through W x (leakyData.ts).
 */
export function boundaryDisagreements(params: Params, model: ModelConfig, rng: Rng, nTest: number): number {
  const Xt = new Float64Array(nTest * params.d);
  for (let q = 0; q < Xt.length; q++) Xt[q] = rng.normal();
  return Math.round((1 - linearBoundaryAgreement(params, model, Xt, nTest)) * nTest);
}

/** Log-spaced checkpoints 0, 1, ..., T (about `perDecade` a decade), plus the `extra` steps. */
export function checkpointSteps(T: number, perDecade: number, extra: number[] = []): number[] {
  const out = new Set<number>([0, 1, ...extra]);
  for (let e = 0; e <= Math.log10(T) + 1e-12; e += 1 / perDecade) out.add(Math.min(T, Math.round(10 ** e)));
  out.add(T);
  return [...out].sort((p, q) => p - q);
}

export interface RunSummary {
  steps: number[];
  /** Per checkpoint: spectral summary of W and of its two sign blocks. */
  whole: SpectralPoint[];
  plus: SpectralPoint[];
  minus: SpectralPoint[];
  /** Per checkpoint: max_i / min_i of the margins y_i f(x_i) (Infinity when some margin <= 0). */
  marginRatio: number[];
  /** Margins at the last checkpoint, [n]. */
  marginsT: Float64Array;
  /** cos(W(t), ref) per checkpoint when a reference matrix was given, else []. */
  cosRef: number[];
  /** cos(W(T), W(1)). */
  cosT1: number;
  run: TrackedRun;
}

/** Tracked run plus the spectral, margin and alignment summaries at every checkpoint. */
export function summarizeRun(inst: LeakyInstance, g: number, checkpoints: number[], ref: Float64Array | null): RunSummary {
  const run = trackedRun(inst, g, checkpoints);
  const { m, d, a } = inst.p0;
  const whole: SpectralPoint[] = [];
  const plus: SpectralPoint[] = [];
  const minus: SpectralPoint[] = [];
  const marginRatio: number[] = [];
  const cosRef: number[] = [];
  for (const p of run.params) {
    whole.push(spectralPoint(p.W, m, d));
    const bp = signBlock(p.W, a, d, 1);
    const bm = signBlock(p.W, a, d, -1);
    plus.push(bp.rows > 0 ? spectralPoint(bp.B, bp.rows, d) : { srank: 0, s2: 0, s3: 0, sigma1: 0, tailSq: 0 });
    minus.push(bm.rows > 0 ? spectralPoint(bm.B, bm.rows, d) : { srank: 0, s2: 0, s3: 0, sigma1: 0, tailSq: 0 });
    const mg = marginsOf(p, run.problem);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < mg.length; i++) {
      lo = Math.min(lo, mg[i]);
      hi = Math.max(hi, mg[i]);
    }
    marginRatio.push(lo > 0 ? hi / lo : Infinity);
    if (ref !== null) cosRef.push(frobeniusCosine(p.W, ref));
  }
  const last = run.params[run.params.length - 1];
  const i1 = run.steps.indexOf(1);
  return {
    steps: run.steps,
    whole,
    plus,
    minus,
    marginRatio,
    marginsT: marginsOf(last, run.problem),
    cosRef,
    cosT1: i1 >= 0 ? frobeniusCosine(last.W, run.params[i1].W) : NaN,
    run,
  };
}

/** Index of the checkpoint with step count t (throws when absent: the caller's schedule must contain it). */
export function checkpointIndex(steps: number[], t: number): number {
  const i = steps.indexOf(t);
  if (i < 0) throw new InputError('checkpointIndex', 't', t, `one of the checkpoints ${steps.join(', ')}`);
  return i;
}

/** max_i |margins_i(W*) - 1| for W* = Cstar X under the model of slope g (the KKT solve's identity). */
export function kktMarginResidual(inst: LeakyInstance, g: number, Cstar: Float64Array): number {
  const { m, d, a } = inst.p0;
  const W = fromCoefficients(Cstar, inst.data.X, m, inst.data.n, d);
  const mg = new Float64Array(inst.data.n);
  margins(mg, { m, d, W, a, b: null }, leakyModel(g), inst.data);
  let worst = 0;
  for (let i = 0; i < mg.length; i++) worst = Math.max(worst, Math.abs(mg[i] - 1));
  return worst;
}
