/**
 * Simulation side of the double-edged claim (FVBS23): clustered data (optionally with correlated
 * means), gradient flow of a bias-free two-layer ReLU network from a small balanced init, and the
 * measurements on fresh test points: accuracy, the first-flip radius along -y u (u the unit vector
 * along sum_j y_j mu_j), the interval certificate of the robust network g, and a noise-memorising
 * interpolator that shows the regime's generalisation is not automatic. No judgement here.
 */
import { Rng } from '../../core/rng.ts';
import { simulate } from '../../core/dynamics.ts';
import { balancedInit } from '../../core/init.ts';
import { clusterData, sampleClusterPoints, type ClusterDataset } from '../../core/data.ts';
import { normSq } from '../../core/linalg.ts';
import { margins } from '../../core/observables.ts';
import type { Dataset, ModelConfig, Params, Problem } from '../../core/types.ts';
import { median } from '../../stats/median.ts';
import { accuracy, rayFlipRadius, robustCertifiedRadius, robustClusterNetwork, ROBUST_MODEL, signedMeanDirection } from './highdim.ts';

/** f(x) = sum_j a_j relu(<w_j, x>): no bias, output scale 1, both layers trained. */
export const CLUSTER_MODEL: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1', train: 'both', bias: false };

/** ||mu|| of every cluster mean (the unit of all radii). */
export const MEAN_NORM = 1;
/** Small balanced init (neuron norms ~ INIT_SCALE << ||mu||). */
export const INIT_SCALE = 1e-2;
/** Gradient flow stops once the training loss is below STOP_LOSS (margins ~ log(1/STOP_LOSS)). */
export const STOP_LOSS = 1e-3;
export const T_END = 1e6;
/** Label draws tried before giving up on having both classes (each fails with probability 2^(1-k)). */
const MAX_LABEL_ATTEMPTS = 64;

export interface ClusterSpec {
  k: number;
  perCluster: number;
  m: number;
  d: number;
  /** Noise norm relative to ||mu||: x = mu_c + N(0, (nu^2 / d) I_d). */
  nu: number;
  seed: number;
  /** Common component of the means: pairwise cosine ~ rho (default 0). */
  rho?: number;
}

/**
 * Cluster data with independent random cluster labels, redrawn (rng.fork(1), fork(2), ...) until
 * both labels occur; with rho > 0 the means become normalise(sqrt(rho) e + sqrt(1 - rho) mu_c)
 * (e a common unit vector from rng.fork(0)) and every point keeps its noise.
 */
export function drawClusters(rng: Rng, s: ClusterSpec): ClusterDataset {
  for (let f = 1; f <= MAX_LABEL_ATTEMPTS; f++) {
    const data = clusterData(rng.fork(f), { k: s.k, perCluster: s.perCluster, d: s.d, meanNorm: MEAN_NORM, noiseStd: (s.nu * MEAN_NORM) / Math.sqrt(s.d), labels: 'random' });
    let pos = 0;
    for (let c = 0; c < s.k; c++) if (data.clusterLabels[c] > 0) pos++;
    if (pos === 0 || pos === s.k) continue;
    if ((s.rho ?? 0) > 0) correlateMeans(rng.fork(0), data, s.rho as number);
    return data;
  }
  throw new Error(`drawClusters: no labelling with both classes in ${MAX_LABEL_ATTEMPTS} draws (k = ${s.k})`);
}

function correlateMeans(rng: Rng, data: ClusterDataset, rho: number): void {
  const { k, d, means, X, cluster, n } = data;
  const e = new Float64Array(d);
  for (let j = 0; j < d; j++) e[j] = rng.normal();
  const en = Math.sqrt(normSq(e));
  const old = means.slice();
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) means[c * d + j] = (Math.sqrt(rho) * e[j]) / en + (Math.sqrt(1 - rho) * old[c * d + j]) / MEAN_NORM;
    const f = MEAN_NORM / Math.sqrt(normSq(means, d, c * d));
    for (let j = 0; j < d; j++) means[c * d + j] *= f;
  }
  for (let i = 0; i < n; i++) {
    const c = cluster[i];
    for (let j = 0; j < d; j++) X[i * d + j] += means[c * d + j] - old[c * d + j];
  }
}

/**
 * A noise-memorising interpolator: the linear function x -> <v, x>, v = sum_i y_i xi_i / ||xi_i||^2
 * (xi_i = x_i - mu_{c(i)} the training noise), as the ReLU network relu(<v, x>) - relu(<-v, x>).
 * It fits every training point whose noise dominates its overlaps with the other points, and on a
 * fresh point its output is a sum of random overlaps: accuracy ~ 1/2.
 */
export function memorizer(data: ClusterDataset): Params {
  const { n, d, X, y, means, cluster } = data;
  const v = new Float64Array(d);
  const xi = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) xi[j] = X[i * d + j] - means[cluster[i] * d + j];
    const s = y[i] / normSq(xi);
    for (let j = 0; j < d; j++) v[j] += s * xi[j];
  }
  const W = new Float64Array(2 * d);
  for (let j = 0; j < d; j++) {
    W[j] = v[j];
    W[d + j] = -v[j];
  }
  return { m: 2, d, W, a: Float64Array.from([1, -1]), b: null };
}

/** Smallest training margin of a network. */
export function minMargin(params: Params, model: ModelConfig, data: Dataset): number {
  const mg = new Float64Array(data.n);
  margins(mg, params, model, data);
  let r = Infinity;
  for (let i = 0; i < data.n; i++) r = Math.min(r, mg[i]);
  return r;
}

export interface ClusterRun {
  data: ClusterDataset;
  problem: Problem;
  p0: Params;
  trained: Params;
  test: Dataset;
  tEnd: number;
  stopped: boolean;
  diverged: boolean;
}

/** Data (rng.fork(1)), balanced init (fork(2)), gradient flow to STOP_LOSS, test points (fork(3)). */
export function clusterRun(s: ClusterSpec, nTest: number): ClusterRun {
  const rng = new Rng(s.seed);
  const data = drawClusters(rng.fork(1), s);
  const p0 = balancedInit(rng.fork(2), { m: s.m, d: s.d, scale: INIT_SCALE });
  const problem: Problem = { data, model: CLUSTER_MODEL, loss: 'logistic', weightDecay: 0 };
  const traj = simulate(problem, p0, { kind: 'flow', tEnd: T_END, stopLoss: STOP_LOSS }, { record: { lossCurve: false } });
  const test = sampleClusterPoints(rng.fork(3), data, nTest);
  return { data, problem, p0, trained: traj.final, test, tEnd: traj.tEnd, stopped: traj.stoppedAtLoss, diverged: traj.diverged };
}

export interface RobustnessSummary {
  accTrained: number;
  accRobust: number;
  /** Median over the first nRay test points of the trained network's first-flip radius along -y u, / ||mu||. */
  medianRadius: number;
  /** Median and min of the robust network's certified radius at the same points, / ||mu||. */
  medianCert: number;
  minCert: number;
  /** Fraction of those points where the trained radius (an upper bound) < g's certificate (a lower bound). */
  fractionLessRobust: number;
}

/** Accuracy on all test points; radii and certificates at the first nRay of them. */
export function robustnessSummary(run: ClusterRun, nRay: number): RobustnessSummary {
  const { data, trained, test } = run;
  const d = data.d;
  const u = signedMeanDirection(data);
  const robust = robustClusterNetwork(data);
  const radii: number[] = [];
  const certs: number[] = [];
  let less = 0;
  for (let i = 0; i < nRay; i++) {
    const x = test.X.subarray(i * d, (i + 1) * d);
    const r = rayFlipRadius(trained, CLUSTER_MODEL, x, test.y[i], u, 10 * MEAN_NORM) / MEAN_NORM;
    const c = robustCertifiedRadius(data, x) / MEAN_NORM;
    radii.push(r);
    certs.push(c);
    if (r < c) less++;
  }
  return {
    accTrained: accuracy(trained, CLUSTER_MODEL, test.X, test.y, test.n),
    accRobust: accuracy(robust, ROBUST_MODEL, test.X, test.y, test.n),
    medianRadius: median(radii),
    medianCert: median(certs),
    minCert: Math.min(...certs),
    fractionLessRobust: less / nRay,
  };
}
