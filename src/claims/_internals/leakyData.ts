/**
 * Exact low-dimensional realisation of high-dimensional Gaussian draws, for the leaky-rank and
 * kcg-rank claims (FVBSH23, KCG23), and the set-up of their instances.
 *
 * Why it is exact. Let G [k x d] have i.i.d. N(0, 1) entries, k < d (here k = n + m: the n inputs
 * x_i ~ N(0, I_d) and the m rows of W(0) / omega). Gram-Schmidt on the rows gives G = L Q with Q
 * [k x d] orthonormal rows and L [k x k] lower triangular; by Bartlett's decomposition the entries
 * of L are independent, L_ii ~ chi_{d - i} (row i = 0, 1, ...) and L_ij ~ N(0, 1) for j < i.
 * Gradient descent and gradient flow on a two-layer network are rotation-equivariant in the input
 * space (training (X Q^T, W0 Q^T) gives W(t) Q^T), and every row of W(t) stays in the span of the
 * rows of X and W(0), i.e. of Q. So the k rows of L, as vectors of R^k, reproduce every quantity
 * the claims measure (losses, margins, spectra of W(t), Gram matrices) with exactly the law of
 * the d-dimensional draw, at a cost independent of d. A test input x ~ N(0, I_d) enters f only
 * through W x = (W Q^T)(Q x) with Q x ~ N(0, I_k): test inputs are N(0, I_k) in these coordinates.
 */
import { Rng } from '../../core/rng.ts';
import { checkInt, checkPositive, InputError } from '../../core/errors.ts';
import { gram } from '../../core/linalg.ts';
import type { Dataset, Params } from '../../core/types.ts';

/**
 * Gamma(shape, 1) for shape >= 1 by Marsaglia and Tsang (2000): with c = shape - 1/3, draw
 * x ~ N(0, 1), v = (1 + x / sqrt(9c))^3 until v > 0 and log U < x^2/2 + c - c v + c log v; return
 * c v. Exact (a rejection sampler), ~1.05 normals per draw for any shape.
 */
export function gammaSample(rng: Rng, shape: number): number {
  if (!(shape >= 1) || !Number.isFinite(shape)) throw new InputError('gammaSample', 'shape', shape, 'a finite number >= 1');
  const c = shape - 1 / 3;
  const s = 1 / Math.sqrt(9 * c);
  for (;;) {
    const x = rng.normal();
    const t = 1 + s * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = rng.uniform();
    if (u > 0 && Math.log(u) < 0.5 * x * x + c - c * v + c * Math.log(v)) return c * v;
  }
}

/** chi with dof >= 2 degrees of freedom: sqrt(2 Gamma(dof / 2, 1)). */
export function chiSample(rng: Rng, dof: number): number {
  return Math.sqrt(2 * gammaSample(rng, dof / 2));
}

/**
 * Rows [r0, r1) of the Bartlett factor L [k x k] (row-major, lower triangular) of k i.i.d.
 * N(0, I_d) vectors: row i is the i-th vector in the orthonormal frame of Gram-Schmidt,
 * L_ii ~ chi_{d - i}, L_ij ~ N(0, 1) for j < i, zero above the diagonal. All entries are
 * independent, so blocks of rows may come from different streams (data and init apart) and
 * still form one exact draw. Needs d >= k + 1 (every chi has >= 2 degrees of freedom).
 * Stream order: row by row, the normals of row i, then its chi. Returns [(r1 - r0) x k].
 */
export function bartlettRows(rng: Rng, k: number, r0: number, r1: number, d: number): Float64Array {
  const fn = 'bartlettRows';
  checkInt(fn, 'k', k, 1);
  checkInt(fn, 'r0', r0, 0);
  checkInt(fn, 'r1', r1, r0);
  if (r1 > k) throw new InputError(fn, 'r1', r1, `an integer <= k = ${k}`);
  checkInt(fn, 'd', d, k + 1);
  const L = new Float64Array((r1 - r0) * k);
  for (let i = r0; i < r1; i++) {
    const off = (i - r0) * k;
    for (let j = 0; j < i; j++) L[off + j] = rng.normal();
    L[off + i] = chiSample(rng, d - i);
  }
  return L;
}

/** min_i ||x_i||^2 / (n max_{k != i} |<x_i, x_k>|) from the Gram matrix K [n x n] (core nearOrthogonalityRatio, per point). */
export function nearOrthogonalityFromGram(K: Float64Array, n: number): number {
  let ratio = Infinity;
  for (let i = 0; i < n; i++) {
    let maxCross = 0;
    for (let k = 0; k < n; k++) if (k !== i) maxCross = Math.max(maxCross, Math.abs(K[i * n + k]));
    if (maxCross > 0) ratio = Math.min(ratio, K[i * n + i] / (n * maxCross));
  }
  return ratio;
}

/** Gram matrix of the inputs of a dataset (core gram). */
export function dataGram(data: Dataset): Float64Array {
  return gram(data.X, data.n, data.d);
}

/** Params with fixed second layer a (given) and first layer W0 [m x k]. */
export function paramsOf(W0: Float64Array, a: Float64Array, k: number): Params {
  return { m: a.length, d: k, W: W0, a, b: null };
}
