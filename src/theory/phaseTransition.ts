/**
 * The phase transition on orthogonal data (DBP25, arXiv 2502.16977; the authors' "Theorem 10" as
 * quoted from their code in issue 11, not seen here): the closed-form loss trajectory of gradient
 * flow for one neuron per group, aligned at t = 0, derived below (our derivation, not theirs).
 *
 * Setting. x_i = r e_i for i in a group G (common norm r within the group), f(x) = (1/p) sum_j
 * a_j relu(<w_j, x>), mean loss L = 1/(2n) sum_i (f_i - y_i)^2 and flowcheck's gradient flow
 * theta' = -grad L (time t = p x the authors' GD epochs: their lr-1 GD on p L is GD with eta = p
 * on L). Group k: the points of one label sign s_k, fitted by one neuron j_k with sign(a_j) = s_k
 * and no other neuron active on them. Target D_k = sum_{i in G_k} y_i x_i, ||D_k|| = r Y_k with
 * Y_k^2 = sum_{G_k} y_i^2.
 *
 * Derivation. Aligned: w = rho s D/||D||, rho = ||w|| > 0 (zero on every coordinate outside G;
 * relu'(0) = 0 keeps them at zero). Then <w, x_i> = rho |y_i| r / Y and with q = |a| rho,
 * f_i - y_i = y_i (q/qs - 1), qs = p Y / r: every residual of the group is the same multiple of
 * y_i. Hence grad_w L = (|a| / (n p)) (q/qs - 1) ||D|| s D/||D|| stays along D (alignment is
 * invariant: this needs the common norm r, since the gradient of coordinate i is proportional
 * to y_i r_i while w_i is proportional to y_i / r_i), and with kappa = ||D|| = r Y:
 *   rho' = (kappa/(n p)) |a| (1 - q/qs),   |a|' = (kappa/(n p)) rho (1 - q/qs),
 * so delta = a^2 - rho^2 is conserved and, as a^2 + rho^2 = sqrt(delta^2 + 4 q^2),
 *   q' = (kappa/(n p)) sqrt(delta^2 + 4 q^2) (1 - q/qs),   L_k = (Y^2 / (2n)) (1 - q/qs)^2.
 * Solution (D = |delta| > 0): q = (D/2) sinh(phi), beta = D/(2 qs) turns it into
 * phi' = (2 kappa/(n p)) (1 - beta sinh phi); with u = e^phi the roots of beta u^2 - 2u - beta
 * are u+ = (1 + s)/beta, u- = -1/u+ (s = sqrt(1 + beta^2)), u+ is the fixed point q = qs, and
 *   (u+ - u)/(u - u-) = C e^(-Lambda t),  C = (u+ - u0)/(u0 - u-),  Lambda = 2 s kappa/(n p),
 *   u(t) = (u+ + u- E)/(1 + E), E = C e^(-Lambda t),  q(t) = (D/4)(u - 1/u),
 * u0 = 2 q0/D + sqrt(1 + (2 q0/D)^2). Balanced (delta = 0): the logistic equation q' = (2 kappa/
 * (n p)) q (1 - q/qs), q(t) = qs / (1 + (qs/q0 - 1) e^(-2 kappa t/(n p))). The time at which
 * q/qs = x is explicit (inverting the same formula), see timeToFraction.
 *
 * Transition. For q0 << delta (the authors' init: |a| ~ 1, ||w|| ~ 0.006) the group loss stays
 * on a plateau and drops around the half time (q = qs/2, L_k = L_k(0)/4)
 *   t_k = (n p/(2 kappa)) [log(4 qs/delta) + O(beta + q0/delta)]
 *       = (n p/(2 ||D||)) [log(p ||D||) + log(4/delta)]   (r = 1),
 * the quoted t_k = (n p/(2||D_k||)) log(p ||D_k||) up to an O(1) term inside the log. The drop
 * from 90% to 10% of L_k(0) lasts (n p/(2 kappa)) (logit(1 - sqrt(0.1)) - logit(1 - sqrt(0.9)))
 * + O(beta) ~ 3.69 n p/(2 kappa): the relative width 3.69/log(4 qs/delta) = O(1/log n) as
 * ||D_k|| = c_k sqrt(n).
 */
import { InputError } from '../core/errors.ts';

/** One group: sum of squared labels, common input norm, conserved a^2 - ||w||^2 and q0 = |a(0)| ||w(0)||. */
export interface GroupSpec {
  y2: number;
  r: number;
  delta: number;
  q0: number;
}

export interface GroupConstants {
  /** ||D_k|| = r Y. */
  kappa: number;
  /** The fixed point qs = p Y / r. */
  qStar: number;
  /** |delta| / (2 qs). */
  beta: number;
  /** Asymptotic rate of q - qs: Lambda = 2 sqrt(1 + beta^2) kappa/(n p) (logistic rate 2 kappa/(n p) when delta = 0). */
  rate: number;
  /** Initial group loss Y^2/(2n). */
  L0: number;
}

function check(n: number, p: number, g: GroupSpec): void {
  const fn = 'phaseTransition';
  if (!(n > 0) || !(p > 0)) throw new InputError(fn, 'n, p', [n, p], 'positive numbers');
  if (!(g.y2 > 0) || !(g.r > 0) || !Number.isFinite(g.delta)) throw new InputError(fn, 'group', g, 'y2 > 0, r > 0, finite delta');
  const qStar = (p * Math.sqrt(g.y2)) / g.r;
  if (!(g.q0 > 0 && g.q0 < qStar)) throw new InputError(fn, 'group.q0', g.q0, `0 < q0 < qs = ${qStar}`);
}

export function groupConstants(n: number, p: number, g: GroupSpec): GroupConstants {
  check(n, p, g);
  const Y = Math.sqrt(g.y2);
  const kappa = g.r * Y;
  const qStar = (p * Y) / g.r;
  const beta = Math.abs(g.delta) / (2 * qStar);
  return { kappa, qStar, beta, rate: (2 * Math.sqrt(1 + beta * beta) * kappa) / (n * p), L0: g.y2 / (2 * n) };
}

/** Roots and constants of the u-form (|delta| > 0). */
function uForm(n: number, p: number, g: GroupSpec) {
  const c = groupConstants(n, p, g);
  const D = Math.abs(g.delta);
  const s = Math.sqrt(1 + c.beta * c.beta);
  const up = (1 + s) / c.beta;
  const um = -1 / up;
  const z0 = (2 * g.q0) / D;
  const u0 = z0 + Math.sqrt(1 + z0 * z0);
  return { c, D, up, um, logC: Math.log((up - u0) / (u0 - um)) };
}

/** q(t) = |a(t)| ||w(t)|| of the aligned neuron of a group, in closed form. */
export function qClosed(t: number, n: number, p: number, g: GroupSpec): number {
  if (g.delta === 0) {
    const c = groupConstants(n, p, g);
    return c.qStar / (1 + (c.qStar / g.q0 - 1) * Math.exp(-c.rate * t));
  }
  const f = uForm(n, p, g);
  const E = Math.exp(f.logC - f.c.rate * t);
  const u = (f.up + f.um * E) / (1 + E);
  return (f.D / 4) * (u - 1 / u);
}

/** Group loss 1/(2n) sum_G (f_i - y_i)^2 = (Y^2/(2n)) (1 - q/qs)^2 in closed form. */
export function groupLossClosed(t: number, n: number, p: number, g: GroupSpec): number {
  const c = groupConstants(n, p, g);
  const x = qClosed(t, n, p, g) / c.qStar;
  return c.L0 * (1 - x) * (1 - x);
}

/** Total loss of independent groups (orthogonal data: groups share no point and no neuron). */
export function lossClosed(t: number, n: number, p: number, groups: GroupSpec[]): number {
  let s = 0;
  for (const g of groups) s += groupLossClosed(t, n, p, g);
  return s;
}

/** The time at which q/qs = x (x in (q0/qs, 1)), explicit. */
export function timeToFraction(x: number, n: number, p: number, g: GroupSpec): number {
  const c = groupConstants(n, p, g);
  if (!(x > g.q0 / c.qStar && x < 1)) throw new InputError('timeToFraction', 'x', x, `a fraction in (q0/qs = ${g.q0 / c.qStar}, 1)`);
  if (g.delta === 0) return (Math.log(c.qStar / g.q0 - 1) - Math.log(1 / x - 1)) / c.rate;
  const f = uForm(n, p, g);
  const z = (2 * x * c.qStar) / f.D;
  const ux = z + Math.sqrt(1 + z * z);
  return (f.logC - Math.log((f.up - ux) / (ux - f.um))) / c.rate;
}

/** The time at which the group loss falls to `level` x L_k(0) (level in (0, (1 - q0/qs)^2)). */
export function timeToLossFraction(level: number, n: number, p: number, g: GroupSpec): number {
  return timeToFraction(1 - Math.sqrt(level), n, p, g);
}

/** The transition time t_k: the group loss at a quarter of its initial value (q = qs/2). */
export function transitionTime(n: number, p: number, g: GroupSpec): number {
  return timeToLossFraction(0.25, n, p, g);
}

/** Fractions of the group's initial loss that delimit the transition (10% and 90% of the drop done). */
export const WIDTH_LEVELS: [number, number] = [0.9, 0.1];

/** Relative width of the transition: (t(10% left) - t(90% left)) / t_k. */
export function relativeWidth(n: number, p: number, g: GroupSpec): number {
  return (timeToLossFraction(WIDTH_LEVELS[1], n, p, g) - timeToLossFraction(WIDTH_LEVELS[0], n, p, g)) / transitionTime(n, p, g);
}

/** The leading-order transition time as quoted in issue 11: (n p/(2 ||D||)) log(p ||D||). */
export function quotedTransitionTime(n: number, p: number, normD: number): number {
  return ((n * p) / (2 * normD)) * Math.log(p * normD);
}

/** Mutant: the quoted transition time without its log factor, n p/(2 ||D||). */
export function noLogTransitionTime(n: number, p: number, normD: number): number {
  return (n * p) / (2 * normD);
}

/** Mutant: ||D||^2 in place of ||D||: (n p/(2 ||D||^2)) log(p ||D||^2). */
export function squaredNormTransitionTime(n: number, p: number, normD: number): number {
  return ((n * p) / (2 * normD * normD)) * Math.log(p * normD * normD);
}

/**
 * Mutant "no plateau": each group's loss decays exponentially from t = 0 at its final rate,
 * L_k(0) e^(-2 Lambda_k t) (the rate of (1 - q/qs)^2 near qs).
 */
export function noPlateauLoss(t: number, n: number, p: number, groups: GroupSpec[]): number {
  let s = 0;
  for (const g of groups) {
    const c = groupConstants(n, p, g);
    s += c.L0 * Math.exp(-2 * c.rate * t);
  }
  return s;
}

/** The scalar vector field q' (for tests against a direct integration). */
export function qRhs(q: number, n: number, p: number, g: GroupSpec): number {
  const c = groupConstants(n, p, g);
  return (c.kappa / (n * p)) * Math.sqrt(g.delta * g.delta + 4 * q * q) * (1 - q / c.qStar);
}
