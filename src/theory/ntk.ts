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
import { gram, symEig } from '../core/linalg.ts';
import { preActivations } from '../core/model.ts';
import type { Dataset, Params } from '../core/types.ts';

/** H_inf for the data (n x n, row-major). */
export function ntkInfinite(data: Dataset): Float64Array {
  const { n, d, X } = data;
  const H = gram(X, n, d);
  const diag = Array.from({ length: n }, (_, i) => H[i * n + i]);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const g = H[i * n + k];
      const cos = Math.max(-1, Math.min(1, g / Math.sqrt(diag[i] * diag[k])));
      H[i * n + k] = (g * (Math.PI - Math.acos(cos))) / (2 * Math.PI);
    }
  }
  return H;
}

/** The empirical NTK Gram at W (first layer, a_j^2 = 1, output 1/sqrt(m)). */
export function ntkEmpirical(data: Dataset, p: Params): Float64Array {
  const { n, d, X } = data;
  const Z = new Float64Array(p.m * n);
  preActivations(Z, p.W, null, X, p.m, n, d);
  const H = gram(X, n, d);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < p.m; j++) if (Z[j * n + i] > 0 && Z[j * n + k] > 0) s++;
      const v = (s / p.m) * H[i * n + k];
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
