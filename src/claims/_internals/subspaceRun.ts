/**
 * Simulation side of the off-subspace claim (MYV23): the data sets (high-dimensional Gaussian data
 * in a rotated subspace, and the authors' two low-dimensional experiments), the two
 * initialisations, gradient descent to a target margin, and the off-subspace measurements at
 * training points (smallest flip found within P_perp, |N(x)|, ||c(x)||, ||P_perp grad_x N(x)||).
 * No judgement here: the claim file compares these numbers with src/theory/subspace.ts.
 *
 * Shapes as in the core: X [n x d], W [m x d] row-major, perp [l x d] with orthonormal rows
 * spanning P_perp (the orthogonal complement of the data subspace P, codimension l).
 */
import { Rng } from '../../core/rng.ts';
import { dot, matVec, normSq, projectOrthogonal, randomOrthonormal } from '../../core/linalg.ts';
import { fixedSecondLayerInit } from '../../core/init.ts';
import { inputGradient, predict } from '../../core/observables.ts';
import { flipSearch } from '../../core/flip.ts';
import { InputError, checkInt, checkPositive } from '../../core/errors.ts';
import type { Dataset, ModelConfig, Params, Problem } from '../../core/types.ts';
import { gdToMargin, maxRowNormSq, perpDeviation } from './highdim.ts';
import { median } from '../../stats/median.ts';

/** N(x) = sum_j u_j relu(<w_j, x> + b_j): ReLU with biases, output scale 1, every layer trained. */
export const SUBSPACE_MODEL: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1', train: 'both', bias: true };

/** A training problem on data in a subspace P, with everything the measurements need. */
export interface SubspaceProblem {
  data: Dataset;
  /** Orthonormal basis of P_perp, [l x d]. */
  perp: Float64Array;
  l: number;
  /** Gradient-descent step. */
  eta: number;
  /** ||x_i||, [n]. */
  xNorm: Float64Array;
  /** Distance from x_i to the nearest training point of the other class, [n]. */
  dOther: Float64Array;
}

function withGeometry(data: Dataset, perp: Float64Array, l: number, eta: number): SubspaceProblem {
  const { n, d, X, y } = data;
  const xNorm = new Float64Array(n);
  const dOther = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    xNorm[i] = Math.sqrt(normSq(X, d, i * d));
    for (let q = 0; q < n; q++) {
      if (Math.sign(y[q]) === Math.sign(y[i])) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += (X[q * d + c] - X[i * d + c]) ** 2;
      dOther[i] = Math.min(dOther[i], Math.sqrt(s));
    }
  }
  return { data, perp, l, eta, xNorm, dOther };
}

/** GD step eta = ETA_FRACTION n / max ||x_i||^2 of the high-dimensional setting (the logistic loss's curvature is <= (1/4n) lambda_max(K)). */
export const ETA_FRACTION = 0.5;

/**
 * High-dimensional data in a random (rotated) subspace: P_perp = span of l Haar-random orthonormal
 * rows (rng.fork(1)), x_i = P z_i with z_i ~ N(0, I_d) (rng.fork(2)), i.e. x_i ~ N(0, P) with
 * ||x_i|| ~ sqrt(d - l); exactly n/2 labels +1 at random positions (rng.fork(3)). Drawing P_perp
 * first costs O(l^2 d + n l d) instead of O((d - l)^2 d) for a basis of P.
 */
export function highDimProblem(rng: Rng, n: number, d: number, l: number): SubspaceProblem {
  const fn = 'highDimProblem';
  checkInt(fn, 'n', n, 2);
  checkInt(fn, 'd', d, 2);
  checkInt(fn, 'l', l, 1);
  if (l >= d) throw new InputError(fn, 'l', l, `an integer < d = ${d}`);
  const perp = randomOrthonormal(rng.fork(1), l, d);
  const zr = rng.fork(2);
  const X = new Float64Array(n * d);
  const z = new Float64Array(d);
  const x = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) z[c] = zr.normal();
    projectOrthogonal(x, perp, l, d, z);
    X.set(x, i * d);
  }
  const y = new Float64Array(n).fill(-1);
  const order = Array.from({ length: n }, (_, i) => i);
  const lr = rng.fork(3);
  for (let i = n - 1; i > 0; i--) {
    const j = lr.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let i = 0; i < Math.floor(n / 2); i++) y[order[i]] = 1;
  const data = { n, d, X, y };
  return withGeometry(data, perp, l, (ETA_FRACTION * n) / maxRowNormSq(X, n, d));
}

/** Step of the authors' diagonal experiment (diagonal/train.py: lr 0.02, batch = data = 7 points, i.e. full-batch GD). */
export const DIAGONAL_LR = 0.02;

/**
 * MYV23's first experiment (authors' diagonal/data.py): the 7 points x = (r, r), r = -1, -2/3, ..., 1,
 * on the line P = span((1, 1)) in R^2 (l = 1), labelled by intervals so that the labels
 * alternate along the line (-, +, -, +, -, +, -); nearest other-class point at sqrt(2)/3.
 */
export function diagonalProblem(): SubspaceProblem {
  const n = 7;
  const X = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = (i / 6) * 2 - 1;
    X[2 * i] = r;
    X[2 * i + 1] = r;
    y[i] = i % 2 === 1 ? 1 : -1;
  }
  return withGeometry({ n, d: 2, X, y }, Float64Array.from([Math.SQRT1_2, -Math.SQRT1_2]), 1, DIAGONAL_LR);
}

/** Step of the authors' chessboard experiment (chess/train.py: lr 0.05, batch = data = 25 points). */
export const CHESS_LR = 0.05;

/**
 * MYV23's second experiment (authors' chess/data.py): the 5 x 5 grid {0, 0.25, ..., 1}^2 coloured
 * as a chessboard (label +1 iff i + j is even), embedded in R^3. The authors put it in the affine
 * plane z = 0.5; here it lies in the linear plane z = 0 (P = span(e1, e2), l = 1), as the
 * theorem's hypothesis (a linear subspace) requires. Nearest other-class point at 0.25.
 */
export function chessProblem(): SubspaceProblem {
  const v = [0, 0.25, 0.5, 0.75, 1];
  const n = 25;
  const X = new Float64Array(3 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      const p = 5 * i + j;
      X[3 * p] = v[i];
      X[3 * p + 1] = v[j];
      y[p] = (i + j) % 2 === 0 ? 1 : -1;
    }
  }
  return withGeometry({ n, d: 3, X, y }, Float64Array.from([0, 0, 1]), 1, CHESS_LR);
}

/**
 * The authors' initialisation (diagonal/model.py): first layer W entries N(0, 1/d), output layer
 * u_j ~ N(0, 1/m), both divided by `factor` (smaller init for factor > 1); first-layer biases at
 * PyTorch's nn.Linear default U(-1/sqrt(d), 1/sqrt(d)), not divided. (Their output bias is not
 * modelled: the core network has none.) Init scale beta = 1 / factor in the convention
 * ||w_j|| ~ beta. Stream order: W, b, u.
 */
export function myv23Init(rng: Rng, m: number, d: number, factor: number): Params {
  checkInt('myv23Init', 'm', m, 1);
  checkPositive('myv23Init', 'factor', factor);
  const W = new Float64Array(m * d);
  const a = new Float64Array(m);
  const b = new Float64Array(m);
  for (let i = 0; i < m * d; i++) W[i] = rng.normal() / (Math.sqrt(d) * factor);
  for (let j = 0; j < m; j++) b[j] = (2 * rng.uniform() - 1) / Math.sqrt(d);
  for (let j = 0; j < m; j++) a[j] = rng.normal() / (Math.sqrt(m) * factor);
  return { m, d, W, a, b };
}

/** High-dimensional init: w_j ~ N(0, beta^2 I / d), u_j = +-1/sqrt(m) (random signs), b = 0. */
export function highDimInit(rng: Rng, m: number, d: number, beta: number): Params {
  return fixedSecondLayerInit(rng, { m, d, scale: beta, aValue: 1 / Math.sqrt(m), signs: 'random', bias: true });
}

export interface MarginTraining {
  params: Params;
  steps: number;
  reached: boolean;
  diverged: boolean;
  /** max_j ||P_perp (w_j(t) - w_j(0))|| / ||P_perp w_j(0)|| over the chunk ends (weight decay 0 only; else NaN). */
  invarianceDev: number;
}

/**
 * Full-batch gradient descent (engine 'full': the off-subspace invariance is a computed fact, not
 * a parametrisation) on the logistic loss (= BCE on a sigmoid with labels in {0, 1}) with weight
 * decay c, until every margin y_i N(x_i) >= target (checked every `chunk` steps) or maxSteps.
 */
export function trainToMargin(prob: SubspaceProblem, p0: Params, opts: { target: number; weightDecay: number; chunk: number; maxSteps: number }): MarginTraining {
  const problem: Problem = { data: prob.data, model: SUBSPACE_MODEL, loss: 'logistic', weightDecay: opts.weightDecay };
  const { l, perp } = prob;
  const { m, d } = p0;
  const track = opts.weightDecay === 0;
  const run = gdToMargin(problem, p0, prob.eta, {
    target: opts.target,
    chunk: opts.chunk,
    maxSteps: opts.maxSteps,
    engine: 'full',
    check: track ? (p) => perpDeviation(p0.W, p.W, perp, l, m, d, 1) : undefined,
  });
  return { params: run.params, steps: run.steps, reached: run.reached, diverged: run.diverged, invarianceDev: track ? run.worstCheck : NaN };
}

/** Off-subspace measurements at one training point. */
export interface PerpPoint {
  /** Smallest flipping perturbation found within P_perp (an upper bound on the minimum), capped at `cap`. */
  flip: number;
  /** True when no flip was found within the cap (flip = cap is then a lower bound). */
  capped: boolean;
  absN: number;
  /** ||c(x)|| with c_j = u_j 1[<w_j, x> + b_j > 0]. */
  cNorm: number;
  /** ||P_perp grad_x N(x)||. */
  perpGrad: number;
}

/**
 * flipSearch within P_perp (restarts as given, maxRadius = cap) and the quantities of the flip law
 * at training point i.
 */
export function perpPoint(params: Params, prob: SubspaceProblem, i: number, restarts: number, cap: number): PerpPoint {
  const { d, X } = prob.data;
  const { perp, l } = prob;
  const x = X.slice(i * d, (i + 1) * d);
  const fr = flipSearch(params, SUBSPACE_MODEL, x, { basis: perp, k: l, restarts, seed: i, maxRadius: cap });
  const g = new Float64Array(d);
  inputGradient(g, params, SUBSPACE_MODEL, x);
  const pg = new Float64Array(l);
  matVec(pg, perp, l, d, g);
  const { m, W, a, b } = params;
  let cn = 0;
  for (let j = 0; j < m; j++) {
    const z = dot(W, x, d, j * d, 0) + (b === null ? 0 : b[j]);
    if (z > 0) cn += a[j] * a[j];
  }
  const found = fr.found;
  return { flip: found === null ? cap : found, capped: found === null, absN: Math.abs(predict(params, SUBSPACE_MODEL, x)), cNorm: Math.sqrt(cn), perpGrad: Math.sqrt(normSq(pg)) };
}

/** Summary of the off-subspace measurements at the first `count` training points of one network. */
export interface PerpSummary {
  /** max over the points of flip / ||x|| (points with ||x|| > 0) and of flip / dOther. */
  maxOverX: number;
  maxOverOther: number;
  /** min over the points of the same ratios. */
  minOverX: number;
  minOverOther: number;
  medianFlip: number;
  /** Median over the points of the normalised flip flip ||c|| / |N(x)| (= 1 / gradScale under the flip law). */
  medianNu: number;
  /** min / max over the points of ||P_perp grad|| / (gradScale ||c||) (the exact chi_l / sqrt(l) law). */
  gradRatioMin: number;
  gradRatioMax: number;
  /** Points where no flip was found within the cap. */
  capped: number;
}

/** Flip-search cap, relative to the larger of ||x|| and dOther (a flip beyond it is "none"). */
export const FLIP_CAP_FACTOR = 100;

/**
 * perpPoint at the first `count` training points, summarised; gradScale is the predicted
 * ||P_perp grad|| per unit ||c|| (perpGradientScale) the gradient-law ratios are taken against.
 */
export function perpSummary(params: Params, prob: SubspaceProblem, count: number, gradScale: number, restarts: number): PerpSummary {
  const s: PerpSummary = { maxOverX: 0, maxOverOther: 0, minOverX: Infinity, minOverOther: Infinity, medianFlip: NaN, medianNu: NaN, gradRatioMin: Infinity, gradRatioMax: 0, capped: 0 };
  const flips: number[] = [];
  const nus: number[] = [];
  for (let i = 0; i < count; i++) {
    const pp = perpPoint(params, prob, i, restarts, FLIP_CAP_FACTOR * Math.max(prob.xNorm[i], prob.dOther[i]));
    if (pp.capped) s.capped++;
    flips.push(pp.flip);
    nus.push(pp.absN > 0 ? (pp.flip * pp.cNorm) / pp.absN : Infinity);
    if (prob.xNorm[i] > 0) {
      s.maxOverX = Math.max(s.maxOverX, pp.flip / prob.xNorm[i]);
      s.minOverX = Math.min(s.minOverX, pp.flip / prob.xNorm[i]);
    }
    s.maxOverOther = Math.max(s.maxOverOther, pp.flip / prob.dOther[i]);
    s.minOverOther = Math.min(s.minOverOther, pp.flip / prob.dOther[i]);
    if (pp.cNorm > 0) {
      const r = pp.perpGrad / (gradScale * pp.cNorm);
      s.gradRatioMin = Math.min(s.gradRatioMin, r);
      s.gradRatioMax = Math.max(s.gradRatioMax, r);
    }
  }
  s.medianFlip = median(flips);
  s.medianNu = median(nus);
  return s;
}
