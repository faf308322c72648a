/**
 * Helpers of the high-dimensional claims: off-subspace (MYV23) and double-edged (FVBS23). Nothing
 * here changes the core; it adds what those claims need on top of it: the largest squared row
 * norm, the deviation of P_perp W from its predicted value, gradient descent
 * run until a target margin, a small Adam loop on the full parameters (the core has gradient
 * descent and flow only), the robust cluster network with its certified radius, flips along a
 * fixed direction, and small statistics (median, log-log slope).
 *
 * Shapes as in the core: X [n x d], W [m x d] row-major, bases [k x d] with orthonormal rows.
 */
import type { ClusterSpec } from '../../core/data.ts';
import { dot, normSq } from '../../core/linalg.ts';
import { margins, predictAll } from '../../core/observables.ts';
import { simulate } from '../../core/dynamics.ts';
import { gradWFromG, lossGradFromZ, makeKernelWorkspace, outputScaleValue, preActivations } from '../../core/model.ts';
import { InputError, checkInt, checkPositive } from '../../core/errors.ts';
import type { ModelConfig, Params, Problem } from '../../core/types.ts';

// ---------------------------------------------------------------------------------------------
// Row norms

/** max_i ||x_i||^2 over the rows of X [n x d]. */
export function maxRowNormSq(X: Float64Array, n: number, d: number): number {
  let r = 0;
  for (let i = 0; i < n; i++) r = Math.max(r, normSq(X, d, i * d));
  return r;
}

// ---------------------------------------------------------------------------------------------
// Subspaces (MYV23)

/**
 * max_j ||Pperp (w_j - factor w0_j)|| / ||Pperp w0_j|| over the neurons, where Pperp projects on
 * the span of perp ([l x d], orthonormal rows). With factor = 1 this measures how far gradient
 * training moved the off-subspace part of the weights; with factor = (1 - eta c)^t it measures the
 * departure from the weight-decay law.
 */
export function perpDeviation(W0: Float64Array, W: Float64Array, perp: Float64Array, l: number, m: number, d: number, factor: number): number {
  let worst = 0;
  for (let j = 0; j < m; j++) {
    const off = j * d;
    let dev = 0;
    let base = 0;
    for (let r = 0; r < l; r++) {
      const q = r * d;
      let c0 = 0;
      let c1 = 0;
      for (let c = 0; c < d; c++) {
        c0 += perp[q + c] * W0[off + c];
        c1 += perp[q + c] * W[off + c];
      }
      const e = c1 - factor * c0;
      dev += e * e;
      base += c0 * c0;
    }
    // A neuron with no initial P_perp component: its deviation is absolute (0/0 would be NaN).
    worst = Math.max(worst, base > 0 ? Math.sqrt(dev / base) : Math.sqrt(dev));
  }
  return worst;
}

export interface MarginRun {
  params: Params;
  /** Gradient steps taken. */
  steps: number;
  /** min_i y_i f(x_i) at the end. */
  minMargin: number;
  reached: boolean;
  diverged: boolean;
  /** Largest value of check(params) over the chunk ends (0 when no check is given). */
  worstCheck: number;
}

/**
 * Gradient descent (the core's, engine as given) in chunks of `chunk` steps until every training
 * margin y_i f(x_i) >= target, or maxSteps. Chunked GD is exactly GD (it has no state besides the
 * parameters); `check` is evaluated on the parameters at every chunk end, e.g. the off-subspace
 * deviation, so the invariance is verified throughout training and not only at the end.
 */
export function gdToMargin(
  problem: Problem,
  p0: Params,
  eta: number,
  opts: { target: number; chunk: number; maxSteps: number; engine: 'full' | 'reduced' | 'auto'; check?: (p: Params, steps: number) => number },
): MarginRun {
  const n = problem.data.n;
  const mg = new Float64Array(n);
  let params = p0;
  let steps = 0;
  let worstCheck = 0;
  for (;;) {
    margins(mg, params, problem.model, problem.data);
    let minMargin = Infinity;
    for (let i = 0; i < n; i++) minMargin = Math.min(minMargin, mg[i]);
    if (minMargin >= opts.target || steps >= opts.maxSteps) {
      return { params, steps, minMargin, reached: minMargin >= opts.target, diverged: false, worstCheck };
    }
    // The last chunk is cut so the run never passes maxSteps.
    const traj = simulate(problem, params, { kind: 'gd', eta, steps: Math.min(opts.chunk, opts.maxSteps - steps) }, { engine: opts.engine, record: { lossCurve: false } });
    if (traj.diverged) return { params: traj.final, steps: steps + traj.steps, minMargin: NaN, reached: false, diverged: true, worstCheck };
    params = traj.final;
    steps += traj.steps;
    if (opts.check) worstCheck = Math.max(worstCheck, opts.check(params, steps));
  }
}

// ---------------------------------------------------------------------------------------------
// Adam on the full parameters (the off-subspace edge)

export interface AdamOptions {
  lr: number;
  steps: number;
  /** Defaults 0.9, 0.999, 1e-8 (Kingma and Ba). */
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * Adam (Kingma and Ba, with bias correction) on every trained parameter of problem.model (W, b,
 * and a when train = 'both'), on the objective L + (c/2)||theta_trained||^2 of the core. The update
 * divides coordinate-wise by sqrt(v), so it is not rotation-equivariant: a gradient lying in a
 * subspace P yields an update outside P unless P is spanned by coordinate axes.
 * Returns the final parameters (a new object; p0 is not modified).
 */
export function adamTrain(problem: Problem, p0: Params, opts: AdamOptions): Params {
  const fn = 'adamTrain';
  checkPositive(fn, 'lr', opts.lr);
  checkInt(fn, 'steps', opts.steps, 0);
  const b1 = opts.beta1 ?? 0.9;
  const b2 = opts.beta2 ?? 0.999;
  const eps = opts.eps ?? 1e-8;
  const { m, d } = p0;
  const { n, X, y } = problem.data;
  const model = problem.model;
  const hasB = p0.b !== null;
  const trainA = model.train === 'both';
  const c = problem.weightDecay;
  // Parameter vector [W | a | b] and its moments.
  const aOff = m * d;
  const bOff = aOff + m;
  const dim = bOff + (hasB ? m : 0);
  const theta = new Float64Array(dim);
  theta.set(p0.W, 0);
  theta.set(p0.a, aOff);
  if (hasB) theta.set(p0.b as Float64Array, bOff);
  const mom = new Float64Array(dim);
  const vel = new Float64Array(dim);
  const grad = new Float64Array(dim);
  const Z = new Float64Array(m * n);
  const G = new Float64Array(m * n);
  const gA = new Float64Array(m);
  const gW = new Float64Array(m * d);
  const ws = makeKernelWorkspace(n);
  const s = outputScaleValue(model, m);
  const slope = model.activation === 'leaky' ? model.leak : 0;
  const W = theta.subarray(0, aOff);
  const a = theta.subarray(aOff, bOff);
  const b = hasB ? theta.subarray(bOff, bOff + m) : null;
  let p1 = 1;
  let p2 = 1;
  for (let t = 0; t < opts.steps; t++) {
    preActivations(Z, W, b, X, m, n, d);
    lossGradFromZ(G, gA, ws, Z, a, y, m, n, s, slope, problem.loss);
    gradWFromG(gW, G, X, m, n, d);
    for (let q = 0; q < aOff; q++) grad[q] = gW[q] + c * theta[q];
    for (let j = 0; j < m; j++) grad[aOff + j] = trainA ? gA[j] + c * theta[aOff + j] : 0;
    if (hasB) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += G[j * n + i];
        grad[bOff + j] = acc + c * theta[bOff + j];
      }
    }
    p1 *= b1;
    p2 *= b2;
    for (let q = 0; q < dim; q++) {
      const g = grad[q];
      mom[q] = b1 * mom[q] + (1 - b1) * g;
      vel[q] = b2 * vel[q] + (1 - b2) * g * g;
      const mHat = mom[q] / (1 - p1);
      const vHat = vel[q] / (1 - p2);
      theta[q] -= (opts.lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  }
  return { m, d, W: theta.slice(0, aOff), a: theta.slice(aOff, bOff), b: hasB ? theta.slice(bOff, bOff + m) : null };
}

// ---------------------------------------------------------------------------------------------
// Clusters (FVBS23)

/**
 * The robust network of FVBS23 (papers.md): g(x) = sum_c y_c relu(<mu_c, x> - ||mu_c||^2 / 2),
 * as Params with biases (model: relu, output scale 1, bias true). Near mu_c only neuron c is
 * active, with value ||mu||^2 / 2; changing that takes a perturbation of norm >= ||mu|| / 2.
 */
export function robustClusterNetwork(spec: ClusterSpec): Params {
  const { k, d, means, clusterLabels } = spec;
  const b = new Float64Array(k);
  for (let c = 0; c < k; c++) b[c] = -0.5 * normSq(means, d, c * d);
  return { m: k, d, W: means.slice(), a: clusterLabels.slice(), b };
}

/**
 * Certified radius of the robust network g(x) = sum_c y_c relu(<mu_c, x> - ||mu_c||^2 / 2) at x: a
 * radius r such that sign g is constant on the open ball B(x, r), from interval bounds on the
 * pre-activations z_c(x') = <mu_c, x'> - ||mu_c||^2 / 2 in [z_c(x) - r ||mu_c||, z_c(x) + r ||mu_c||].
 * With s = sign g(x): if some neuron c of label s stays strictly active (z_c(x) - r ||mu_c|| > 0)
 * and every neuron of label -s stays inactive (z_j(x) + r ||mu_j|| <= 0), then g(x') >= its term
 * c > 0 (times s) on the ball. The largest such r is
 *   min( max_{c: y_c = s} z_c(x) / ||mu_c||,  min_{j: y_j = -s} -z_j(x) / ||mu_j|| ),
 * and 0 when g(x) = 0 or either term is <= 0 (no certificate). Sound (a lower bound on the distance
 * to the decision boundary), not tight. Near mu_c with nearly orthogonal means it is
 * ~ ||mu|| / 2.
 */
export function robustCertifiedRadius(spec: ClusterSpec, x: Float64Array): number {
  const { k, d, means, clusterLabels } = spec;
  let gx = 0;
  for (let c = 0; c < k; c++) {
    const z = dot(means, x, d, c * d, 0) - 0.5 * normSq(means, d, c * d);
    if (z > 0) gx += clusterLabels[c] * z;
  }
  const s = Math.sign(gx);
  if (s === 0) return 0;
  let own = -Infinity;
  let other = Infinity;
  for (let c = 0; c < k; c++) {
    const nrm = Math.sqrt(normSq(means, d, c * d));
    const z = dot(means, x, d, c * d, 0) - 0.5 * nrm * nrm;
    if (Math.sign(clusterLabels[c]) === s) own = Math.max(own, z / nrm);
    else other = Math.min(other, -z / nrm);
  }
  const r = Math.min(own, other);
  return r > 0 ? r : 0;
}

export const ROBUST_MODEL: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1', train: 'both', bias: true };

/** Unit vector along sum_c y_c mu_c, [d]. */
export function signedMeanDirection(spec: ClusterSpec): Float64Array {
  const { k, d, means, clusterLabels } = spec;
  const u = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const yc = clusterLabels[c];
    for (let j = 0; j < d; j++) u[j] += yc * means[c * d + j];
  }
  const norm = Math.sqrt(normSq(u));
  if (norm === 0) throw new InputError('signedMeanDirection', 'spec.means', 'sum_c y_c mu_c = 0', 'a non-zero signed sum of the means');
  for (let j = 0; j < d; j++) u[j] /= norm;
  return u;
}

/**
 * Smallest r in [0, rMax] with sign f(x - y r u) != sign f(x), by a geometric scan (growth 1.1 from
 * rMax / 1000) and bisection to relative width 1e-6; Infinity when no flip up to rMax. The first
 * crossing along the ray, so this is the radius "in the direction u".
 */
export function rayFlipRadius(params: Params, model: ModelConfig, x: Float64Array, y: number, u: Float64Array, rMax: number): number {
  const d = params.d;
  const z = new Float64Array(d);
  const out = new Float64Array(1);
  const f0 = new Float64Array(1);
  predictAll(f0, params, model, x, 1);
  const s0 = Math.sign(f0[0]);
  if (s0 === 0) return 0;
  const flipsAt = (r: number): boolean => {
    for (let j = 0; j < d; j++) z[j] = x[j] - y * r * u[j];
    predictAll(out, params, model, z, 1);
    return Math.sign(out[0]) !== s0;
  };
  let lo = 0;
  let hi = rMax / 1000;
  while (!flipsAt(hi)) {
    lo = hi;
    if (hi >= rMax) return Infinity;
    hi = Math.min(rMax, hi * 1.1);
  }
  while (hi - lo > 1e-6 * hi) {
    const mid = 0.5 * (lo + hi);
    if (flipsAt(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Fraction of points where sign f(x_i) == y_i. */
export function accuracy(params: Params, model: ModelConfig, X: Float64Array, y: Float64Array, n: number): number {
  const f = new Float64Array(n);
  predictAll(f, params, model, X, n);
  let ok = 0;
  for (let i = 0; i < n; i++) if (Math.sign(f[i]) === Math.sign(y[i])) ok++;
  return ok / n;
}

// ---------------------------------------------------------------------------------------------
// Small statistics for extras

/** Least-squares slope of log y against log x. */
export function logLogSlope(xs: number[], ys: number[]): number {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += Math.log(xs[i]);
    sy += Math.log(ys[i]);
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = Math.log(xs[i]) - mx;
    num += dx * (Math.log(ys[i]) - my);
    den += dx * dx;
  }
  return num / den;
}
