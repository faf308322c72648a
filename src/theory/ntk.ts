/**
 * The neural tangent kernel of a two-layer ReLU network f(x) = (1/sqrt m) sum_j a_j relu(<w_j, x>)
 * with the second layer fixed at a_j = +-1 and the first layer trained (the ZG19 / Du et al.
 * setting), on the mean square loss L = 1/(2n) sum_i (f(x_i) - y_i)^2.
 *
 * Empirical NTK Gram at W: H_ik = (1/m) sum_j 1[<w_j, x_i> > 0] 1[<w_j, x_k> > 0] <x_i, x_k>
 * (a_j^2 = 1). Its infinite-width limit for w_j ~ N(0, s^2 I) (any s > 0: the indicators are
 * scale-free) is H_inf_ik = <x_i, x_k> (pi - theta_ik) / (2 pi), theta_ik the angle between
 * x_i and x_k (the probability that a Gaussian direction has positive inner product with both).
 *
 * Linearised GD: the residual r = u - y evolves as r <- (I - (eta/n) H) r, so with
 * eta = n / lambda_max(H) the stiffest mode is removed in one step and the slowest decays by
 * (1 - lambda_min / lambda_max) per step; the loss (||r||^2 / 2n) by its square.
 */
import { symEig } from '../core/linalg.ts';
import type { Dataset, Params } from '../core/types.ts';

/** H_inf for the data (n x n, row-major). */
export function ntkInfinite(data: Dataset): Float64Array {
  const { n, d, X } = data;
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let g = 0;
      let ni = 0;
      let nk = 0;
      for (let c = 0; c < d; c++) {
        g += X[i * d + c] * X[k * d + c];
        ni += X[i * d + c] ** 2;
        nk += X[k * d + c] ** 2;
      }
      const cos = Math.max(-1, Math.min(1, g / Math.sqrt(ni * nk)));
      const v = (g * (Math.PI - Math.acos(cos))) / (2 * Math.PI);
      H[i * n + k] = v;
      H[k * n + i] = v;
    }
  }
  return H;
}

/** The empirical NTK Gram at W (first layer, a_j^2 = 1, output 1/sqrt(m)). */
export function ntkEmpirical(data: Dataset, p: Params): Float64Array {
  const { n, d, X } = data;
  const act = new Uint8Array(p.m * n);
  for (let j = 0; j < p.m; j++) {
    for (let i = 0; i < n; i++) {
      let u = 0;
      for (let c = 0; c < d; c++) u += p.W[j * d + c] * X[i * d + c];
      act[j * n + i] = u > 0 ? 1 : 0;
    }
  }
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < p.m; j++) s += act[j * n + i] & act[j * n + k];
      let g = 0;
      for (let c = 0; c < d; c++) g += X[i * d + c] * X[k * d + c];
      const v = (s / p.m) * g;
      H[i * n + k] = v;
      H[k * n + i] = v;
    }
  }
  return H;
}

/** Extreme eigenvalues of a symmetric n x n matrix. */
export function extremeEigs(H: Float64Array, n: number): { min: number; max: number } {
  const ev = symEig(H, n);
  let min = Infinity;
  let max = -Infinity;
  for (const v of ev) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { min, max };
}
