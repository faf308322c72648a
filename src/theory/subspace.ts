/**
 * Predictions for data on a linear subspace (MYV23, arXiv 2303.00783; derived in
 * ../shared/papers.md "Data on a subspace"). Theorem numbers of MYV23 were not readable; what is
 * encoded here is exact algebra plus the linear flip estimate.
 *
 * Setting: N(x) = sum_j u_j relu(<w_j, x> + b_j), data x_i in P (dim d - l), P_perp of dimension l.
 * Every gradient of w_j is a combination of the x_i, so gradient descent leaves P_perp w_j(t) =
 * P_perp w_j(0), and weight decay eta c turns it into (1 - eta c)^t P_perp w_j(0). Hence for x in P
 *   P_perp grad_x N(x) = rho sum_j c_j P_perp w_j(0),  c_j = u_j 1[<w_j, x> + b_j > 0],
 * with rho = (1 - eta c)^t. Training sees only P w(0) (x in P), so for w_j(0) ~ N(0, beta^2 I / d)
 * the vectors P_perp w_j(0) are independent of c, and
 *   ||P_perp grad_x N(x)||^2 d / (rho^2 beta^2 ||c||^2) ~ chi^2_l  exactly (mean l):
 * "of order beta sqrt(l/d) ||c||". A perturbation z in P_perp of size |N(x)| / ||P_perp grad||
 * along -sign(N) P_perp grad flips the sign when N is affine on that segment (the linear flip
 * estimate). So the flip shrinks like 1/beta, grows like sqrt(d/l), and weight decay multiplies it
 * by 1/rho: small init, weight decay and small codimension make the network robust off P.
 */

/**
 * Typical size of ||P_perp grad_x N(x)|| per unit ||c(x)||: rho beta sqrt(l/d) (the root mean
 * square of the exact chi^2_l law above).
 *
 * @param beta init scale, w_j(0) ~ N(0, beta^2 I_d / d)
 * @param l codimension of the data subspace
 * @param d input dimension
 * @param rho weight-decay factor (1 - eta c)^t (default 1: no weight decay)
 */
export function perpGradientScale(beta: number, l: number, d: number, rho = 1): number {
  return rho * beta * Math.sqrt(l / d);
}

/**
 * The linear flip estimate from the gradient law: |N(x)| / (gradScale ||c(x)||), the size of the
 * perturbation in P_perp that crosses the boundary if N is affine on the way.
 */
export function flipLaw(absN: number, cNorm: number, gradScale: number): number {
  return absN / (gradScale * cNorm);
}

/** Weight-decay factor (1 - eta c)^t of P_perp w after t GD steps with step eta and decay c. */
export function weightDecayFactor(etaC: number, steps: number): number {
  return Math.pow(1 - etaC, steps);
}

/**
 * Interval [lo, hi] for ratio = sqrt(X / l), X ~ chi^2_l, with P(ratio < lo), P(ratio > hi) <=
 * delta each, from Laurent and Massart (2000, Lemma 1): P(X - l >= 2 sqrt(l t) + 2 t) <= e^-t and
 * P(l - X >= 2 sqrt(l t)) <= e^-t, t = ln(1/delta). lo = 0 when the lower bound is vacuous.
 */
export function gradLawInterval(l: number, delta: number): { lo: number; hi: number } {
  const t = Math.log(1 / delta);
  const lo2 = 1 - 2 * Math.sqrt(t / l);
  const hi2 = 1 + 2 * Math.sqrt(t / l) + (2 * t) / l;
  return { lo: lo2 > 0 ? Math.sqrt(lo2) : 0, hi: Math.sqrt(hi2) };
}
