/**
 * Critical points of the teacher-student population loss (population.ts): search from a random
 * init, classification by curvature and loss, identification up to the symmetry group, and the
 * two embeddings of a width-m critical point into width m + 1 (a zero neuron; a split neuron).
 *
 * Search: gradient descent with a fixed step (halved whenever the loss would increase), the
 * discretisation of gradient flow whose basins the papers' experiments sample, then Newton
 * polishing once the gradient is small and the Hessian is positive definite up to a tiny shift
 * (so Newton only ever refines the minimum gradient descent is converging to; near a saddle it
 * is not used and descent continues).
 *
 * Classification uses the smallest Hessian eigenvalue lambda_min through its sign relative to
 * +-curvatureTol, decided exactly by two Cholesky factorisations (H - tol I succeeds iff
 * lambda_min > tol; H + tol I fails iff lambda_min < -tol). This costs (m d)^3/3 flops, against
 * the Jacobi routine's ~(m d)^4 (symEig in linalg.ts, 2-4 s at m d ~ 150), so every trial can be
 * classified; the full spectrum (`hessianSpectrum`, via symEig) is computed once per distinct
 * minimum.
 *
 * Embeddings (derived; the tests check each identity numerically). Let W be critical at width m
 * and D(u) = sum_i K(u, w_i) - sum_j K(u, v_j) for unit u.
 * - Zero neuron: L(W, eps u) = L(W) + eps D(u) + eps^2/4, and moving W by O(eps) changes the
 *   O(eps) term only at O(eps^2) because grad L(W) = 0. So (W, 0) has a descent direction iff
 *   min_{|u|=1} D(u) < 0 (first order). At every critical point D(w_i/|w_i|) = 0 and
 *   grad D(w_i/|w_i|) = grad_i L = 0, with Hessian of D there |w_i| B_i, where
 *   B_i = H_ii - I/2 = sum_{i'!=i} H_uu(w_i, w_i') - sum_j H_uu(w_i, v_j).
 * - Split w_i -> (c w_i, (1-c) w_i), c in (0,1): the network function is unchanged (relu is
 *   1-homogeneous), the point is critical, and in the direction (xi, -xi) on the two copies the
 *   Hessian's Rayleigh quotient is xi^T B_i xi / (2 c (1-c) |xi|^2). So lambda_min(B_i) < 0 makes
 *   the split point a saddle for every c, and the zero-neuron slope negative near w_i/|w_i|.
 *   Moving c is a flat direction (B_i w_i = 0), so the split point always has a zero eigenvalue.
 * - At the global minimum W = V (m = k), D = 0 identically and B_i = 0: neither embedding has a
 *   descent direction (the loss is 0 there, its global minimum).
 */
import { InputError, checkAllFinite, checkInt, checkPositive } from './errors.ts';
import { symEig } from './linalg.ts';
import { gaussianInit } from './init.ts';
import type { Rng } from './rng.ts';
import { gradientKernel, hessianKernel, lossKernel, makePopulation, type Population } from './population.ts';

/** Every tolerance of the critical-point tools, with the reason for its size. */
export const CRITICAL_TOLERANCES = {
  /**
   * Final gradient norm ||grad L||_2 of a search. With lambda_min >= 2e-4 at the minima found
   * (the smallest seen: 2.1e-3 at m = k, 2.3e-4 at m = k + 1, k <= 12), a gradient of 1e-10
   * places the exact critical point within ~5e-7 of W and its loss within ~1e-16 of L(W);
   * Newton reaches it in one or two steps once started, and round-off floors ||grad|| near
   * 1e-15 m d.
   */
  gradTol: 1e-10,
  /** Gradient norm at which Newton polishing is tried (gradient descent is linear, Newton quadratic). */
  newtonStart: 1e-4,
  /**
   * Shift of the Cholesky test that admits a Newton step: lambda_min(H) > -1e-7. Admits the
   * degenerate minima of m = k + 1 (exact zero eigenvalues show up as +-1e-12 after round-off)
   * and keeps Newton away from saddles, whose negative eigenvalues are >= 1e-4 in magnitude.
   */
  newtonShift: 1e-7,
  /**
   * Curvature threshold of the classification: |lambda_min| <= 1e-6 is "degenerate". Round-off
   * in H is ~1e-15 x (m d) and the distance to the exact critical point (~1e-7, above) moves
   * eigenvalues by ~1e-7 x (Lipschitz constant of H, ~1); strict minima found have
   * lambda_min >= 2e-4, and the zero eigenvalues of degenerate points sit at <= 1e-9.
   */
  curvatureTol: 1e-6,
  /**
   * A critical point is global when L <= 1e-9. The smallest spurious loss seen is 1.6e-2
   * (k <= 12, m in {k, k + 1}; the (k-1)+1 family continued to k = 32 still has 7.7e-3), and a
   * gradient of 1e-10 near the global minimum leaves L ~ |grad|^2 / lambda_min ~ 1e-19.
   */
  globalLossTol: 1e-9,
  /**
   * A search stops as 'global' once L <= 1e-8. The descent never increases L, so it can only end
   * at a critical point with loss <= 1e-8, and none but the global minima has one (spurious
   * losses >= 1e-2, above): the endpoint is decided. Needed at m > k, where the global minima
   * form a degenerate set (split teacher neurons) along which the loss grows like the cube of
   * the angle between the copies, so gradient descent converges only like 1/t there and the
   * gradient norm would take ~1e5 steps to reach gradTol.
   */
  globalStopLoss: 1e-8,
  /**
   * Entrywise tolerance when matching two critical points up to permutations: both are within
   * ~5e-7 of exact critical points (gradTol / lambda_min), distinct families differ by >= 1e-2.
   */
  matchTol: 1e-5,
  /** Rows with norm below this are "collapsed": the loss is not differentiable at a zero neuron. */
  collapseNorm: 1e-8,
} as const;

/** Where a search stopped. */
export type SearchStop = 'converged' | 'global' | 'max-iterations' | 'collapsed';

export interface SearchOptions {
  /** Gradient-descent step (default 0.25: stable for lambda_max(H) < 8, i.e. k up to ~25). */
  step?: number;
  /** Cap on gradient-descent iterations (default 200_000). */
  maxIterations?: number;
  /** Final gradient norm (default CRITICAL_TOLERANCES.gradTol). */
  gradTol?: number;
  /** Cap on Newton steps (default 20). */
  maxNewton?: number;
  /** Stop as 'global' once L <= this (default CRITICAL_TOLERANCES.globalStopLoss; 0 disables). */
  globalStopLoss?: number;
}

export interface SearchResult {
  /** The final point [m x d] (a fresh array). */
  W: Float64Array;
  loss: number;
  gradNorm: number;
  iterations: number;
  newtonSteps: number;
  stop: SearchStop;
}

export type CriticalKind = 'strict-min' | 'saddle' | 'degenerate';

export interface Classification {
  /** strict-min: lambda_min > tol; saddle: lambda_min < -tol; degenerate: in between. */
  kind: CriticalKind;
  /** L <= globalLossTol. */
  global: boolean;
  /** A local minimum (strict or degenerate with lambda_min >= -tol) that is not global. */
  spurious: boolean;
  loss: number;
  curvatureTol: number;
}

/**
 * Xavier-like init of Safran & Shamir: entries i.i.d. N(0, 1/d) (rows of norm ~1), drawn by
 * the project's Gaussian init (init.ts, stream order W first).
 *
 * @returns W [m x d]
 */
export function xavierInit(rng: Rng, m: number, d: number): Float64Array {
  return gaussianInit(rng, { m, d, scale: 1 }).W;
}

/**
 * Runs gradient descent, then Newton polishing, on the closed-form loss from W0 to a critical
 * point (gradient norm <= gradTol).
 *
 * Examples:
 *     const pop = makePopulation(identityTeacher(6), 6, 6, 6)
 *     const r = findCriticalPoint(pop, xavierInit(new Rng(1), 6, 6))
 *     classifyCriticalPoint(pop, r.W)   // { kind: 'strict-min', global: true, ... } mostly
 *
 * See also: classifyCriticalPoint, sameUpToSymmetry
 *
 * @param W0 [m x d] initial student, rows nonzero
 */
export function findCriticalPoint(pop: Population, W0: ArrayLike<number>, opts: SearchOptions = {}): SearchResult {
  const fn = 'findCriticalPoint';
  const { m, d } = pop;
  const p = m * d;
  if (W0.length !== p) throw new InputError(fn, 'W0', W0, `length m * d = ${p}`);
  checkAllFinite(fn, 'W0', W0);
  const step0 = checkPositive(fn, 'step', opts.step ?? 0.25);
  const maxIt = checkInt(fn, 'maxIterations', opts.maxIterations ?? 200_000, 0);
  const gradTol = checkPositive(fn, 'gradTol', opts.gradTol ?? CRITICAL_TOLERANCES.gradTol);
  const maxNewton = checkInt(fn, 'maxNewton', opts.maxNewton ?? 20, 0);
  const globalStop = checkPositive(fn, 'globalStopLoss', opts.globalStopLoss ?? CRITICAL_TOLERANCES.globalStopLoss, true);

  const W = Float64Array.from(W0);
  const Wt = new Float64Array(p);
  const g = new Float64Array(p);
  const gt = new Float64Array(p);
  const H = new Float64Array(p * p);
  const delta = new Float64Array(p);
  let eta = step0;
  let loss = gradientKernel(g, pop, W);
  let gn = norm(g, p);
  let it = 0;
  let newtonSteps = 0;
  let newtonFailures = 0;
  if (hasSmallRow(W, m, d)) return { W, loss: lossKernel(pop, W), gradNorm: NaN, iterations: 0, newtonSteps: 0, stop: 'collapsed' };

  while (gn > gradTol) {
    if (loss <= globalStop) return { W, loss, gradNorm: gn, iterations: it, newtonSteps, stop: 'global' };
    // Newton polish: only where H is positive definite up to the shift (a minimum's basin).
    if (gn < CRITICAL_TOLERANCES.newtonStart && newtonSteps < maxNewton && newtonFailures < 3) {
      hessianKernel(H, pop, W);
      if (choleskyInPlace(H, p, CRITICAL_TOLERANCES.newtonShift)) {
        for (let q = 0; q < p; q++) delta[q] = -g[q];
        choleskySolve(H, p, delta);
        for (let q = 0; q < p; q++) Wt[q] = W[q] + delta[q];
        if (!hasSmallRow(Wt, m, d)) {
          const lt = gradientKernel(gt, pop, Wt);
          const gnt = norm(gt, p);
          newtonSteps++;
          if (gnt < gn && lt <= loss + lossFloor(pop, W)) {
            W.set(Wt);
            g.set(gt);
            loss = lt;
            gn = gnt;
            continue;
          }
        }
        newtonFailures++;
      } else {
        newtonFailures++;
      }
    }
    if (it >= maxIt) return { W, loss, gradNorm: gn, iterations: it, newtonSteps, stop: 'max-iterations' };
    // One gradient-descent step; halve the step until the loss does not increase.
    for (;;) {
      for (let q = 0; q < p; q++) Wt[q] = W[q] - eta * g[q];
      if (hasSmallRow(Wt, m, d)) {
        W.set(Wt);
        return { W, loss: lossKernel(pop, W), gradNorm: NaN, iterations: it + 1, newtonSteps, stop: 'collapsed' };
      }
      const lt = gradientKernel(gt, pop, Wt);
      if (lt <= loss + lossFloor(pop, W) || eta < 1e-12 * step0) {
        W.set(Wt);
        g.set(gt);
        loss = lt;
        gn = norm(g, p);
        break;
      }
      eta *= 0.5;
    }
    it++;
    // Let a halved step recover slowly towards the nominal one.
    if (eta < step0) eta = Math.min(step0, eta * 1.01);
    // Retry Newton after leaving the region where it failed, or every 500 descent steps.
    if (newtonFailures >= 3 && (gn > 10 * CRITICAL_TOLERANCES.newtonStart || it % 500 === 0)) newtonFailures = 0;
  }
  return { W, loss, gradNorm: gn, iterations: it, newtonSteps, stop: 'converged' };
}

/**
 * Newton's method on grad L = 0 from W0 (Gaussian elimination with partial pivoting, so it
 * converges to saddles as well as minima): for continuing a family of critical points from k to
 * k + 1 (extendFamily), where gradient descent would leave a saddle. Steps are damped by
 * backtracking on |grad L| only. Stops at gradTol or after maxNewton steps.
 *
 * @param W0 [m x d], close to a nondegenerate critical point
 */
export function newtonCriticalPoint(pop: Population, W0: ArrayLike<number>, opts: { gradTol?: number; maxNewton?: number } = {}): SearchResult {
  const fn = 'newtonCriticalPoint';
  const { m, d } = pop;
  const p = m * d;
  if (W0.length !== p) throw new InputError(fn, 'W0', W0, `length m * d = ${p}`);
  checkAllFinite(fn, 'W0', W0);
  if (hasSmallRow(W0, m, d)) throw new InputError(fn, 'W0', W0, 'rows of norm >= collapseNorm');
  const gradTol = checkPositive(fn, 'gradTol', opts.gradTol ?? CRITICAL_TOLERANCES.gradTol);
  const maxNewton = checkInt(fn, 'maxNewton', opts.maxNewton ?? 50, 1);
  const W = Float64Array.from(W0);
  const Wt = new Float64Array(p);
  const g = new Float64Array(p);
  const gt = new Float64Array(p);
  const H = new Float64Array(p * p);
  const delta = new Float64Array(p);
  const piv = new Int32Array(p);
  let loss = gradientKernel(g, pop, W);
  let gn = norm(g, p);
  let steps = 0;
  while (gn > gradTol && steps < maxNewton) {
    hessianKernel(H, pop, W);
    for (let q = 0; q < p; q++) delta[q] = -g[q];
    if (!luSolveInPlace(H, p, delta, piv)) break;
    let t = 1;
    let improved = false;
    for (let h = 0; h < 30; h++) {
      for (let q = 0; q < p; q++) Wt[q] = W[q] + t * delta[q];
      if (!hasSmallRow(Wt, m, d)) {
        const lt = gradientKernel(gt, pop, Wt);
        const gnt = norm(gt, p);
        if (gnt < gn) {
          W.set(Wt);
          g.set(gt);
          loss = lt;
          gn = gnt;
          improved = true;
          break;
        }
      }
      t *= 0.5;
    }
    steps++;
    if (!improved) break;
  }
  return { W, loss, gradNorm: gn, iterations: 0, newtonSteps: steps, stop: gn <= gradTol ? 'converged' : 'max-iterations' };
}

/**
 * A guess for the same family of critical points at k + 1 from one at k (m = d = k, V = I):
 * students are paired with teachers greedily by the largest |W_ia|, a neuron g of the largest
 * row class (with its teacher) is duplicated as a new student-teacher pair (the largest class is
 * usually the well-fit neurons, so the number of misfit ones stays fixed; in some families, e.g.
 * 6+5 at k = 11, it is the misfit class that grows): the new row copies
 * row g with g's own entry moved to the new coordinate, the new column copies column sigma(g)
 * with g's own entry replaced by one of g's off-diagonal entries. Exact for minima fixed by
 * S_{k-r} x S_r acting diagonally (the families found here); polish with newtonCriticalPoint.
 *
 * @returns [(k+1) x (k+1)]
 */
export function extendFamily(W: ArrayLike<number>, k: number): Float64Array {
  const fn = 'extendFamily';
  checkInt(fn, 'k', k, 2);
  if (W.length !== k * k) throw new InputError(fn, 'W', W, `length k * k = ${k * k}`);
  const { g, sigma, rowOk } = pairing(W, k);
  let h = -1;
  for (let j = 0; j < k; j++) if (j !== g && rowOk[g * k + j]) h = sigma[j];
  if (h < 0) throw new InputError(fn, 'W', W, 'a critical point with at least two equivalent neurons');
  const sg = sigma[g];
  const K1 = k + 1;
  const out = new Float64Array(K1 * K1);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) out[r * K1 + c] = W[r * k + c];
  for (let r = 0; r < k; r++) out[r * K1 + k] = r === g ? W[g * k + h] : W[r * k + sg];
  for (let c = 0; c < k; c++) out[k * K1 + c] = c === sg ? W[g * k + h] : W[g * k + c];
  out[k * K1 + k] = W[g * k + sg];
  return out;
}

/**
 * The inverse of extendFamily: removes a neuron of the largest row class and its paired teacher
 * coordinate, a guess for the same family at k - 1 (polish with newtonCriticalPoint).
 *
 * @returns [(k-1) x (k-1)]
 */
export function reduceFamily(W: ArrayLike<number>, k: number): Float64Array {
  const fn = 'reduceFamily';
  checkInt(fn, 'k', k, 3);
  if (W.length !== k * k) throw new InputError(fn, 'W', W, `length k * k = ${k * k}`);
  const { g, sigma } = pairing(W, k);
  const sg = sigma[g];
  const out = new Float64Array((k - 1) * (k - 1));
  let o = 0;
  for (let r = 0; r < k; r++) {
    if (r === g) continue;
    for (let c = 0; c < k; c++) if (c !== sg) out[o++] = W[r * k + c];
  }
  return out;
}

/** Greedy student -> teacher pairing by largest |W_ia|, and a row g of the largest row class. */
function pairing(W: ArrayLike<number>, k: number): { g: number; sigma: Int32Array; rowOk: Uint8Array } {
  const order = [...Array(k * k).keys()].sort((x, y) => Math.abs(W[y]) - Math.abs(W[x]));
  const sigma = new Int32Array(k).fill(-1);
  const usedCol = new Uint8Array(k);
  for (const q of order) {
    const i = Math.floor(q / k);
    const a = q % k;
    if (sigma[i] < 0 && !usedCol[a]) {
      sigma[i] = a;
      usedCol[a] = 1;
    }
  }
  const rowKeys = sortedLines(W, k, k, true);
  const rowOk = compatibility(rowKeys, rowKeys, k, k, CRITICAL_TOLERANCES.matchTol);
  let g = 0;
  let best = -1;
  for (let i = 0; i < k; i++) {
    let c = 0;
    for (let j = 0; j < k; j++) c += rowOk[i * k + j];
    if (c > best) {
      best = c;
      g = i;
    }
  }
  return { g, sigma, rowOk };
}

/** Where one search from a random init ends. */
export type SearchOutcome = 'global' | 'spurious-strict' | 'spurious-degenerate' | 'saddle' | 'unconverged';

export interface InitOutcome {
  outcome: SearchOutcome;
  W: Float64Array;
  loss: number;
  search: SearchResult;
}

/**
 * One Safran-Shamir trial: Xavier init from rng, search, classification. 'global' covers both
 * a search stopped below globalStopLoss and a converged point with L <= globalLossTol.
 */
export function searchFromXavier(pop: Population, rng: Rng, opts: SearchOptions = {}): InitOutcome {
  const r = findCriticalPoint(pop, xavierInit(rng, pop.m, pop.d), opts);
  if (r.stop === 'global') return { outcome: 'global', W: r.W, loss: r.loss, search: r };
  if (r.stop !== 'converged') return { outcome: 'unconverged', W: r.W, loss: r.loss, search: r };
  const c = classifyCriticalPoint(pop, r.W);
  const outcome: SearchOutcome = c.global ? 'global' : c.kind === 'saddle' ? 'saddle' : c.kind === 'strict-min' ? 'spurious-strict' : 'spurious-degenerate';
  return { outcome, W: r.W, loss: c.loss, search: r };
}

/**
 * Classifies a critical point by the sign of lambda_min(H) relative to +-curvatureTol (two
 * Cholesky tests, exact in exact arithmetic) and by its loss.
 *
 * @param W [m x d], a point with small gradient (the caller's responsibility)
 */
export function classifyCriticalPoint(pop: Population, W: ArrayLike<number>, opts: { curvatureTol?: number; globalLossTol?: number } = {}): Classification {
  const fn = 'classifyCriticalPoint';
  const { m, d } = pop;
  const p = m * d;
  if (W.length !== p) throw new InputError(fn, 'W', W, `length m * d = ${p}`);
  const tol = checkPositive(fn, 'curvatureTol', opts.curvatureTol ?? CRITICAL_TOLERANCES.curvatureTol);
  const lossTol = checkPositive(fn, 'globalLossTol', opts.globalLossTol ?? CRITICAL_TOLERANCES.globalLossTol);
  if (hasSmallRow(W, m, d)) throw new InputError(fn, 'W', W, 'rows of norm >= collapseNorm (a zero neuron has no Hessian)');
  const loss = lossKernel(pop, W);
  const H = new Float64Array(p * p);
  hessianKernel(H, pop, W);
  const H2 = H.slice();
  let kind: CriticalKind;
  if (choleskyInPlace(H, p, tol)) kind = 'strict-min';
  else if (!choleskyInPlace(H2, p, -tol)) kind = 'saddle';
  else kind = 'degenerate';
  const global = loss <= lossTol;
  return { kind, global, spurious: !global && kind !== 'saddle', loss, curvatureTol: tol };
}

/**
 * Whether lambda_min(H(W)) < threshold, decided by one Cholesky factorisation of H - threshold I
 * (exact up to round-off ~1e-16 (m d) max |H_ij|). Two calls bracket lambda_min without an
 * eigen-decomposition.
 */
export function hessianLambdaMinBelow(pop: Population, W: ArrayLike<number>, threshold: number): boolean {
  const p = pop.m * pop.d;
  if (W.length !== p) throw new InputError('hessianLambdaMinBelow', 'W', W, `length m * d = ${p}`);
  const H = new Float64Array(p * p);
  hessianKernel(H, pop, W);
  return !choleskyInPlace(H, p, threshold);
}

/**
 * All eigenvalues of the Hessian at W, descending (symEig; ~(m d)^4 work, keep for the distinct
 * minima found).
 */
export function hessianSpectrum(pop: Population, W: ArrayLike<number>): Float64Array {
  const p = pop.m * pop.d;
  if (W.length !== p) throw new InputError('hessianSpectrum', 'W', W, `length m * d = ${p}`);
  const H = new Float64Array(p * p);
  hessianKernel(H, pop, W);
  return symEig(H, p);
}

/**
 * B_i = H_ii - I/2 [d x d] for each student neuron i, and lambda_min(B_i): the curvature that
 * decides both embeddings (module doc). lambda_min(B_i) < 0 makes the split of neuron i a saddle
 * for every c in (0, 1) and the zero-neuron slope negative near w_i/|w_i|.
 *
 * @returns lambda_min(B_i) for i = 0..m-1
 */
export function splitCurvatures(pop: Population, W: ArrayLike<number>): Float64Array {
  const { m, d } = pop;
  const p = m * d;
  if (W.length !== p) throw new InputError('splitCurvatures', 'W', W, `length m * d = ${p}`);
  const H = new Float64Array(p * p);
  hessianKernel(H, pop, W);
  const out = new Float64Array(m);
  const B = new Float64Array(d * d);
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) B[a * d + b] = H[(i * d + a) * p + i * d + b] - (a === b ? 0.5 : 0);
    }
    const ev = symEig(B, d);
    out[i] = ev[d - 1];
  }
  return out;
}

/**
 * W with neuron i replaced by the two copies c w_i and (1 - c) w_i (appended as row m):
 * the same network function at width m + 1.
 *
 * @returns [(m + 1) x d]
 */
export function splitNeuron(W: ArrayLike<number>, m: number, d: number, i: number, c: number): Float64Array {
  const fn = 'splitNeuron';
  checkInt(fn, 'm', m, 1);
  checkInt(fn, 'd', d, 1);
  if (W.length !== m * d) throw new InputError(fn, 'W', W, `length m * d = ${m * d}`);
  if (!Number.isInteger(i) || i < 0 || i >= m) throw new InputError(fn, 'i', i, `an integer in [0, ${m - 1}]`);
  if (!(c > 0 && c < 1)) throw new InputError(fn, 'c', c, 'a number in (0, 1)');
  const out = new Float64Array((m + 1) * d);
  out.set(Array.from(W as ArrayLike<number>));
  for (let a = 0; a < d; a++) {
    out[i * d + a] = c * W[i * d + a];
    out[m * d + a] = (1 - c) * W[i * d + a];
  }
  return out;
}

/**
 * The smallest Hessian eigenvalue at the split point (splitNeuron) of width m + 1, by symEig.
 * Expensive ((m+1)^4 d^4); the cheap test is splitCurvatures.
 */
export function splitHessianMin(pop: Population, W: ArrayLike<number>, i: number, c = 0.5): number {
  const big = makePopulation(pop.V, pop.k, pop.d, pop.m + 1);
  const ev = hessianSpectrum(big, splitNeuron(W, pop.m, pop.d, i, c));
  return ev[ev.length - 1];
}

export interface ZeroNeuronSlope {
  /** min over unit u of D(u) = sum_i K(u, w_i) - sum_j K(u, v_j) (the best local minimum found). */
  minSlope: number;
  /** The minimiser u [d], unit norm. */
  direction: Float64Array;
  /** Number of starts whose local minimum was negative (< -slopeTol). */
  negativeStarts: number;
}

/**
 * The first-order change of the loss when a zero neuron is added to W and moved in direction u:
 * min over the unit sphere of D(u) (module doc), by projected gradient descent on the sphere
 * from the teacher directions, their negatives, the student directions perturbed, and `randomStarts`
 * random directions. A local search: a negative value is a proof of a descent direction (D is
 * evaluated exactly at the returned u), a non-negative one is evidence only.
 *
 * @param W [m x d], rows nonzero
 */
export function zeroNeuronSlope(pop: Population, W: ArrayLike<number>, rng: Rng, randomStarts = 32): ZeroNeuronSlope {
  const fn = 'zeroNeuronSlope';
  const { m, k, d, V } = pop;
  if (W.length !== m * d) throw new InputError(fn, 'W', W, `length m * d = ${m * d}`);
  checkInt(fn, 'randomStarts', randomStarts, 0);
  const u = new Float64Array(d);
  const gu = new Float64Array(d);
  const best = new Float64Array(d);
  let bestVal = Infinity;
  let negativeStarts = 0;
  const starts = 2 * k + m + randomStarts;
  for (let s = 0; s < starts; s++) {
    if (s < k) for (let a = 0; a < d; a++) u[a] = V[s * d + a];
    else if (s < 2 * k) for (let a = 0; a < d; a++) u[a] = -V[(s - k) * d + a];
    else if (s < 2 * k + m) for (let a = 0; a < d; a++) u[a] = W[(s - 2 * k) * d + a] + 0.3 * rng.normal() / Math.sqrt(d);
    else for (let a = 0; a < d; a++) u[a] = rng.normal();
    normalize(u, d);
    const val = sphereDescent(u, gu, pop, W);
    if (val < -CRITICAL_TOLERANCES.curvatureTol) negativeStarts++;
    if (val < bestVal) {
      bestVal = val;
      best.set(u);
    }
  }
  return { minSlope: bestVal, direction: best, negativeStarts };
}

/**
 * D(u) and out = grad D(u) = sum_i g(u, w_i) - sum_j g(u, v_j) for u [d] (any nonzero norm;
 * D is 1-homogeneous, its gradient 0-homogeneous).
 */
export function zeroNeuronSlopeAt(out: Float64Array, pop: Population, W: ArrayLike<number>, u: ArrayLike<number>): number {
  const { m, k, d, V } = pop;
  // The pair formulas of population.ts for u against the students (+) and the teachers (-).
  let nu = 0;
  for (let a = 0; a < d; a++) nu += u[a] * u[a];
  nu = Math.sqrt(nu);
  out.fill(0);
  let val = 0;
  for (let r = 0; r < m + k; r++) {
    const B = r < m ? W : V;
    const off = (r < m ? r : r - m) * d;
    const sign = r < m ? 1 : -1;
    let nb = 0;
    for (let a = 0; a < d; a++) nb += B[off + a] * B[off + a];
    nb = Math.sqrt(nb);
    if (nb === 0) continue;
    let dm = 0;
    let dp = 0;
    for (let a = 0; a < d; a++) {
      const x = u[a] / nu;
      const y = B[off + a] / nb;
      dm += (x - y) * (x - y);
      dp += (x + y) * (x + y);
    }
    const sn = 0.5 * Math.sqrt(dm * dp);
    const cs = 0.25 * (dp - dm);
    const t = 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
    val += (sign * nu * nb * (sn + (Math.PI - t) * cs)) / (2 * Math.PI);
    const alpha = (sign * nb * sn) / (nu * 2 * Math.PI);
    const beta = (sign * (Math.PI - t)) / (2 * Math.PI);
    for (let a = 0; a < d; a++) out[a] += alpha * u[a] + beta * B[off + a];
  }
  return val;
}

/** Projected gradient descent of D on the unit sphere from u (in place); returns D(u). */
function sphereDescent(u: Float64Array, gu: Float64Array, pop: Population, W: ArrayLike<number>): number {
  const d = pop.d;
  let val = zeroNeuronSlopeAt(gu, pop, W, u);
  let eta = 0.5;
  const trial = new Float64Array(d);
  const gt = new Float64Array(d);
  for (let it = 0; it < 2000; it++) {
    // Riemannian gradient: the tangential part of grad D (radial part equals D(u) by Euler).
    let radial = 0;
    for (let a = 0; a < d; a++) radial += gu[a] * u[a];
    let gn2 = 0;
    for (let a = 0; a < d; a++) {
      const r = gu[a] - radial * u[a];
      gt[a] = r;
      gn2 += r * r;
    }
    if (gn2 < 1e-24) break;
    let accepted = false;
    for (let h = 0; h < 40; h++) {
      for (let a = 0; a < d; a++) trial[a] = u[a] - eta * gt[a];
      normalize(trial, d);
      const vt = zeroNeuronSlopeAt(gu, pop, W, trial);
      if (vt < val) {
        u.set(trial);
        val = vt;
        accepted = true;
        eta = Math.min(4, eta * 1.5);
        break;
      }
      eta *= 0.5;
    }
    if (!accepted) {
      zeroNeuronSlopeAt(gu, pop, W, u);
      break;
    }
  }
  return val;
}

export interface SymmetryMatch {
  /** rowMap[i] = the row of B matching row i of A. */
  rowMap: Int32Array;
  /** colMap[a] = the column of B matching column a of A. */
  colMap: Int32Array;
}

/**
 * Whether B = P A Q up to `tol` entrywise for a student permutation P and a teacher permutation Q
 * (for V = I_k and d = k, permuting coordinates permutes the teachers): the symmetry group of the
 * loss with that teacher, S_m x S_k. Depth-first search over the column map with row matching
 * (augmenting paths) as the pruning test; exact, with a node budget (null when exceeded too).
 *
 * @param A [m x d], B [m x d] with d = k
 * @returns the permutations when equivalent, else null
 */
export function sameUpToSymmetry(A: ArrayLike<number>, B: ArrayLike<number>, m: number, d: number, tol: number = CRITICAL_TOLERANCES.matchTol): SymmetryMatch | null {
  const fn = 'sameUpToSymmetry';
  checkInt(fn, 'm', m, 1);
  checkInt(fn, 'd', d, 1);
  if (A.length !== m * d) throw new InputError(fn, 'A', A, `length m * d = ${m * d}`);
  if (B.length !== m * d) throw new InputError(fn, 'B', B, `length m * d = ${m * d}`);
  // Invariants first: sorted rows and sorted columns must match as multisets.
  const rowKeyA = sortedLines(A, m, d, true);
  const rowKeyB = sortedLines(B, m, d, true);
  const colKeyA = sortedLines(A, m, d, false);
  const colKeyB = sortedLines(B, m, d, false);
  const rowOk = compatibility(rowKeyA, rowKeyB, m, d, tol);
  const colOk = compatibility(colKeyA, colKeyB, d, m, tol);
  const colMap = new Int32Array(d).fill(-1);
  const usedCol = new Uint8Array(d);
  const rowMatch = new Int32Array(m);
  let budget = 200_000;
  // rowCand[i*m + r] = 1 while row i of A can still map to row r of B.
  const rowCand = Uint8Array.from(rowOk);
  const dfs = (a: number): boolean => {
    if (--budget < 0) return false;
    if (!perfectMatching(rowCand, m, rowMatch)) return false;
    if (a === d) return true;
    for (let b = 0; b < d; b++) {
      if (usedCol[b] || !colOk[a * d + b]) continue;
      const saved = rowCand.slice();
      for (let i = 0; i < m; i++) {
        for (let r = 0; r < m; r++) {
          if (rowCand[i * m + r] && Math.abs(A[i * d + a] - B[r * d + b]) > tol) rowCand[i * m + r] = 0;
        }
      }
      colMap[a] = b;
      usedCol[b] = 1;
      if (dfs(a + 1)) return true;
      usedCol[b] = 0;
      colMap[a] = -1;
      rowCand.set(saved);
    }
    return false;
  };
  if (!dfs(0)) return null;
  const rowMap = new Int32Array(m);
  for (let r = 0; r < m; r++) rowMap[rowMatch[r]] = r;
  return { rowMap, colMap };
}

/**
 * Row and column class sizes of W [m x d]: rows (columns) are in one class when their sorted
 * entries agree to tol. A cheap descriptor of a minimum's symmetry: a minimum fixed by
 * S_{k-1} x S_1 (acting diagonally) has row and column classes {k-1, 1}.
 */
export function lineClasses(W: ArrayLike<number>, m: number, d: number, tol: number = CRITICAL_TOLERANCES.matchTol): { rows: number[]; cols: number[] } {
  const classes = (keys: Float64Array, count: number, len: number): number[] => {
    const ok = compatibility(keys, keys, count, len, tol);
    const seen = new Uint8Array(count);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      if (seen[i]) continue;
      let s = 0;
      for (let j = i; j < count; j++) {
        if (!seen[j] && ok[i * count + j]) {
          seen[j] = 1;
          s++;
        }
      }
      sizes.push(s);
    }
    return sizes.sort((x, y) => y - x);
  };
  return { rows: classes(sortedLines(W, m, d, true), m, d), cols: classes(sortedLines(W, m, d, false), d, m) };
}

// ---------------------------------------------------------------------------------------------

/** Sorted entries of each row (rows = true, [m x d]) or each column ([d x m]). */
function sortedLines(A: ArrayLike<number>, m: number, d: number, rows: boolean): Float64Array {
  const count = rows ? m : d;
  const len = rows ? d : m;
  const out = new Float64Array(count * len);
  for (let i = 0; i < count; i++) {
    const line = out.subarray(i * len, (i + 1) * len);
    for (let j = 0; j < len; j++) line[j] = rows ? A[i * d + j] : A[j * d + i];
    line.sort();
  }
  return out;
}

/** ok[i*count + r] = 1 when line i of A and line r of B agree entrywise to tol. */
function compatibility(KA: Float64Array, KB: Float64Array, count: number, len: number, tol: number): Uint8Array {
  const ok = new Uint8Array(count * count);
  for (let i = 0; i < count; i++) {
    for (let r = 0; r < count; r++) {
      let good = 1;
      for (let j = 0; j < len; j++) {
        if (Math.abs(KA[i * len + j] - KB[r * len + j]) > tol) {
          good = 0;
          break;
        }
      }
      ok[i * count + r] = good;
    }
  }
  return ok;
}

/** Perfect bipartite matching in cand [m x m] by augmenting paths; match[r] = row of A matched to r. */
function perfectMatching(cand: Uint8Array, m: number, match: Int32Array): boolean {
  match.fill(-1);
  const visited = new Uint8Array(m);
  const augment = (i: number): boolean => {
    for (let r = 0; r < m; r++) {
      if (!cand[i * m + r] || visited[r]) continue;
      visited[r] = 1;
      if (match[r] < 0 || augment(match[r])) {
        match[r] = i;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < m; i++) {
    visited.fill(0);
    if (!augment(i)) return false;
  }
  return true;
}

/**
 * In-place Cholesky of A - shift I ([p x p], lower triangle used); true iff A - shift I is
 * positive definite (every pivot > 0). Exact definiteness test up to round-off ~1e-16 p |A|.
 */
function choleskyInPlace(A: Float64Array, p: number, shift: number): boolean {
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    let s = A[rj + j] - shift;
    for (let q = 0; q < j; q++) s -= A[rj + q] * A[rj + q];
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    A[rj + j] = l;
    const inv = 1 / l;
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      let t = A[ri + j];
      for (let q = 0; q < j; q++) t -= A[ri + q] * A[rj + q];
      A[ri + j] = t * inv;
    }
  }
  return true;
}

/** Solves A x = b in place (A destroyed, b -> x) by Gaussian elimination with partial pivoting; false if singular. */
function luSolveInPlace(A: Float64Array, p: number, b: Float64Array, piv: Int32Array): boolean {
  for (let c = 0; c < p; c++) {
    let r = c;
    let big = Math.abs(A[c * p + c]);
    for (let i = c + 1; i < p; i++) {
      const v = Math.abs(A[i * p + c]);
      if (v > big) {
        big = v;
        r = i;
      }
    }
    if (!(big > 0)) return false;
    piv[c] = r;
    if (r !== c) {
      for (let j = 0; j < p; j++) {
        const t = A[c * p + j];
        A[c * p + j] = A[r * p + j];
        A[r * p + j] = t;
      }
      const t = b[c];
      b[c] = b[r];
      b[r] = t;
    }
    const inv = 1 / A[c * p + c];
    for (let i = c + 1; i < p; i++) {
      const f = A[i * p + c] * inv;
      if (f === 0) continue;
      for (let j = c + 1; j < p; j++) A[i * p + j] -= f * A[c * p + j];
      b[i] -= f * b[c];
    }
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < p; j++) s -= A[i * p + j] * b[j];
    b[i] = s / A[i * p + i];
  }
  return true;
}

/** Solves L L^T x = b in place (b -> x) with the factor from choleskyInPlace. */
function choleskySolve(Lf: Float64Array, p: number, b: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let q = 0; q < i; q++) s -= Lf[i * p + q] * b[q];
    b[i] = s / Lf[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let q = i + 1; q < p; q++) s -= Lf[q * p + i] * b[q];
    b[i] = s / Lf[i * p + i];
  }
}

/**
 * Round-off floor of L(W): L is a sum of O((m + k)^2) kernel terms of size up to ~|w||v|/2 that
 * cancel to ~0 near a minimum, so two evaluations differ by ~1e-16 x (sum of |terms|). A
 * gradient step whose decrease is below this floor is accepted (its decrease cannot be seen).
 */
function lossFloor(pop: Population, W: ArrayLike<number>): number {
  let s = pop.teacherTerm;
  for (let q = 0, e = pop.m * pop.d; q < e; q++) s += W[q] * W[q];
  return 64 * Number.EPSILON * (s * (pop.m + pop.k));
}

function hasSmallRow(W: ArrayLike<number>, m: number, d: number): boolean {
  const t2 = CRITICAL_TOLERANCES.collapseNorm * CRITICAL_TOLERANCES.collapseNorm;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let a = 0; a < d; a++) s += W[i * d + a] * W[i * d + a];
    if (s < t2) return true;
  }
  return false;
}

function norm(x: Float64Array, p: number): number {
  let s = 0;
  for (let q = 0; q < p; q++) s += x[q] * x[q];
  return Math.sqrt(s);
}

function normalize(u: Float64Array, d: number): void {
  let s = 0;
  for (let a = 0; a < d; a++) s += u[a] * u[a];
  const inv = 1 / Math.sqrt(s);
  for (let a = 0; a < d; a++) u[a] *= inv;
}
