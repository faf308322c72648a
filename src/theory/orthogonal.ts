/**
 * Predictions on orthogonal data, square loss (BPF22, DBP25; derived in ../shared/papers.md
 * "Orthogonal data, square loss"): which points gradient flow fits, and the limit loss.
 *
 * With u_ji = <w_j, e_i>, du_ji/dt = (a_j r_i / n)(y_i - f_i) 1[u_ji > 0]: a coordinate <= 0
 * never moves again, and while sign(a_j) is fixed (a_j^2 - ||w_j||^2 >= 0 conserved) neuron j can
 * only fit S_j = { i : u_ji(0) > 0, sign y_i = sign a_j }. A covered point's residual decays to 0
 * (the neurons fitting it grow until it is fit); an uncovered point keeps f_i = 0 (its only
 * active neurons have the wrong sign and shrink), so L -> L_inf = 1/(2n) sum_{uncovered} y_i^2.
 */

export interface LimitPrediction {
  /** Gradient flow reaches zero loss. */
  zero: boolean;
  /** The limit loss (0 when zero). */
  Linf: number;
  /** The points predicted to stay unfit. */
  unfit: number[];
}

/**
 * The limit of gradient flow from the init's activation pattern.
 * @param U0 [m x n] u_ji(0)
 * @param a0 [m] second layer at t = 0
 * @param y [n] labels
 * @param opts.ignoreSign mutant: a point counts as covered when some neuron of either sign is active on it
 * @param opts.linfFactor mutant: L_inf = linfFactor/(2n) sum_{unfit} y_i^2 (1 is the true law)
 */
export function orthogonalLimit(U0: ArrayLike<number>, a0: ArrayLike<number>, y: ArrayLike<number>, m: number, n: number, opts: { ignoreSign?: boolean; linfFactor?: number } = {}): LimitPrediction {
  const unfit: number[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let covered = false;
    for (let j = 0; j < m && !covered; j++) {
      if (U0[j * n + i] > 0 && (opts.ignoreSign === true || Math.sign(y[i]) === Math.sign(a0[j]))) covered = true;
    }
    if (!covered) {
      unfit.push(i);
      sum += y[i] * y[i];
    }
  }
  const Linf = ((opts.linfFactor ?? 1) * sum) / (2 * n);
  return { zero: unfit.length === 0, Linf, unfit };
}
