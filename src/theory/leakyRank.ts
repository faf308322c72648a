/**
 * Predictions of the leaky-rank (FVBSH23) and kcg-rank (KCG23) claims: two-layer networks
 * f(x) = sum_j a_j phi_g(<w_j, x>), a fixed, W trained by gradient descent on the logistic loss
 * L = (1/n) sum_i log(1 + exp(-y_i f(x_i))) over nearly orthogonal inputs. Derived in
 * ../shared/papers.md ("leaky-rank") and below; theorem numbers of the papers were not seen.
 *
 * 1. One step (oneStepStableRank). From a negligible init the first gradient step gives row
 *    j = a_j (eta / 2n) sum_i y_i phi_g'(z_ji(0)) x_i, and phi_g' is 1 or g with probability 1/2
 *    each (the sign of a tiny random z): row j = a_j (eta / 2n) [(1+g)/2 s + (1-g)/2 e_j] with
 *    s = sum_i y_i x_i and e_j = sum_i y_i eps_ji x_i, eps_ji = +-1 at random. For orthogonal
 *    inputs of equal norm, ||s||^2 = E||e_j||^2 and the e_j are nearly orthogonal to s and to
 *    each other, so srank = 1 + ((1-g)/(1+g))^2 = 2 (1 + g^2)/(1 + g)^2, whatever the signs.
 * 2. Init mass (initMassRatio, stableRankWithInit). With W(0) entries N(0, omega^2) in R^d, the
 *    first step has ||dW||_F^2 = (eta/2n)^2 A sum_i E phi'^2 ||x_i||^2 = eta^2 A (1 + g^2) R^2 / (8n)
 *    (A = sum_j a_j^2, R^2 the mean ||x_i||^2), against ||W(0)||_F^2 = m d omega^2: a ratio
 *    rho = 8 n m d omega^2 / (eta^2 A (1 + g^2) R^2). At papers.md's threshold omega =
 *    kappa eta (1+g) / (4 sqrt(n m)) with A = 1 (a = +-1/sqrt(m)) and R^2 = d this is
 *    rho = kappa^2 (1+g)^2 / (2 (1 + g^2)) (fvbshInitMassRatio). The part of W(0) outside the data
 *    span never moves (every gradient row is a combination of the x_i) and, for d >> m,
 *    W(0) W(0)^T ~ omega^2 d I_m: every squared singular value of the trained part gains
 *    omega^2 d, so srank(W) = (||dW||_F^2 + m omega^2 d) / (sigma_1(dW)^2 + omega^2 d)
 *    = (1 + rho) / (1/s + rho/m) with s = srank(dW). Nothing happens at kappa = 1: the init
 *    matters through rho at t = 1 and through rho (sigma_1(dW(1)) / sigma_1(dW(t)))^2 later.
 * 3. The limit (leakyKkt). Gradient flow converges in direction to a KKT point of
 *    min ||W||_F^2 s.t. y_i f(x_i) >= 1 (FVBSH23). With the activation pattern where neurons with
 *    a_j > 0 are active (slope 1) on the positive class and at slope g on the negative one (the
 *    reverse for a_j < 0), f is linear in W along that pattern: y_i f(x_i) = <Phi_i, W> with
 *    Phi_i [m x d], row j = y_i a_j phi'_ji x_i, and W* = sum_i lambda_i Phi_i. All points are
 *    support vectors when the data are nearly orthogonal, so lambda solves G lambda = 1 with
 *    G_ik = <Phi_i, Phi_k> = K_ik (A+ + g^2 A-) (both positive), K_ik (A- + g^2 A+) (both
 *    negative), -g (A+ + A-) K_ik (different classes), A+- = sum over a_j > 0 (< 0) of a_j^2.
 *    The rows of W* are |a_j| (u - g v) (a_j > 0) and |a_j| (v - g u) (a_j < 0), u, v the
 *    lambda-weighted class sums: rank 2, one direction per sign block (KCG23: block stable
 *    rank 1), and sign f = sign <W^T a, x> for every x. A KKT point of this form exists iff all
 *    lambda_i > 0 and the pattern is consistent (checked per instance).
 * 4. Margins (marginLaw). Once the pattern is fixed, gradient descent on W is gradient descent of
 *    a linear classifier on the features Phi_i (step eta, loss (1/n) sum ell), and with an
 *    exponential tail (Soudry, Hoffer, Nacson, Gunasekar, Srebro 2018, all points support
 *    vectors) W(t) = W* log t + W~ + o(1) with (eta / n) exp(-<Phi_i, W~>) = lambda_i: the margins
 *    are y_i f(x_i) = log(t eta / (n lambda_i)) + o(1). So margins differ by bounded amounts
 *    log(lambda_k / lambda_i), and normalised margins equalise at rate 1 / log t (KCG23).
 *
 * Shapes: K [n x n] Gram matrix of the inputs, y [n] labels (signs), a [m] second layer.
 */
import { InputError, checkInt } from '../core/errors.ts';

/** 1 + ((1 - g)/(1 + g))^2 = 2 (1 + g^2)/(1 + g)^2: stable rank after one GD step from a negligible init (derived above). */
export function oneStepStableRank(g: number): number {
  const r = (1 - g) / (1 + g);
  return 1 + r * r;
}

/**
 * rho = ||W(0)||_F^2 / ||dW(1)||_F^2 = 8 n m d omega^2 / (eta^2 A (1 + g^2) R^2) (item 2), for init
 * std omega in R^d, step eta, A = sum_j a_j^2 and R^2 the mean squared input norm.
 */
export function initMassRatio(g: number, omega: number, eta: number, n: number, m: number, d: number, sumASq: number, meanNormSq: number): number {
  return (8 * n * m * d * omega * omega) / (eta * eta * sumASq * (1 + g * g) * meanNormSq);
}

/**
 * initMassRatio at omega = kappa eta (1+g) / (4 sqrt(n m)), a = +-1/sqrt(m), ||x_i||^2 = d:
 * kappa^2 (1+g)^2 / (2 (1 + g^2)), about 0.8 kappa^2 at g = 0.3.
 */
export function fvbshInitMassRatio(g: number, kappa: number): number {
  return (kappa * kappa * (1 + g) * (1 + g)) / (2 * (1 + g * g));
}

/**
 * Stable rank of W = W(0) + dW (item 2): W(0) W(0)^T ~ omega^2 d I_m adds omega^2 d to every
 * squared singular value of dW, while W(0)'s own top squared singular value is
 * omega^2 (sqrt(d) + sqrt(m))^2, so with rho = ||W(0)||_F^2 / ||dW||_F^2 = m omega^2 d / ||dW||_F^2
 *   srank = (1 + rho) / max(1/s + rho/m, rho (sqrt(d) + sqrt(m))^2 / (m d)),   s = srank(dW).
 * Equals s at rho = 0 and tends to gaussianStableRank(m, d) (the init's own) as rho -> infinity.
 */
export function stableRankWithInit(s: number, rho: number, m: number, d: number): number {
  const edge = (Math.sqrt(d) + Math.sqrt(m)) ** 2 / (m * d);
  return (1 + rho) / Math.max(1 / s + rho / m, rho * edge);
}

/**
 * Expected stable rank of an m x d matrix with i.i.d. Gaussian entries, for d >> 1:
 * E||G||_F^2 / (sqrt(d) + sqrt(m))^2 = m d / (sqrt(d) + sqrt(m))^2 (the top singular value of a
 * Gaussian matrix is sqrt(d) + sqrt(m) to leading order, Marchenko-Pastur edge). Order min(m, d).
 */
export function gaussianStableRank(m: number, d: number): number {
  return (m * d) / ((Math.sqrt(d) + Math.sqrt(m)) ** 2);
}

/**
 * Relative tolerance of the one-step stable rank at finite n, m: the random patterns e_j add
 * ((1-g)/2)^2 ||E||_2^2 / m to sigma_1^2, ||E||_2 <= sqrt(m) + sqrt(n) for a +-1 pattern matrix,
 * against ((1+g)/2)^2 n for the mean part: a relative change <= ((1-g)/(1+g))^2
 * (1/sqrt(n) + 1/sqrt(m))^2; `slack` adds the O(1/C) cross terms of nearly orthogonal inputs.
 */
export function oneStepTolerance(g: number, n: number, m: number, slack: number): number {
  const r = (1 - g) / (1 + g);
  const q = 1 / Math.sqrt(n) + 1 / Math.sqrt(m);
  return r * r * q * q + slack;
}

/**
 * Stable rank of the rank-2 matrix with weight A+ on rows u - g v and A- on rows v - g u (each
 * row scaled by |a_j|, A+- the summed a_j^2 of each block), from |u|^2 = uu, |v|^2 = vv,
 * <u, v> = uv: trace / top eigenvalue of the 2 x 2 Gram of sqrt(A+) w+, sqrt(A-) w-.
 */
export function rank2StableRank(uu: number, vv: number, uv: number, g: number, aPlus: number, aMinus: number): number {
  const hpp = aPlus * (uu - 2 * g * uv + g * g * vv);
  const hmm = aMinus * (vv - 2 * g * uv + g * g * uu);
  const hpm = Math.sqrt(aPlus * aMinus) * (uv - g * uu - g * vv + g * g * uv);
  const tr = hpp + hmm;
  const top = 0.5 * tr + Math.sqrt(0.25 * (hpp - hmm) * (hpp - hmm) + hpm * hpm);
  return tr / top;
}

/**
 * The rank-2 limit for orthogonal inputs of equal norm with balanced classes (papers.md) and
 * block weights A+ : A- = p : (1 - p): equal margins give |u|^2 : |v|^2 = (q + p g^2)^2 : (p + q g^2)^2
 * (q = 1 - p) and <u, v> = 0. At p = 1/2 this is 2 (1 + g^2)/(1 + g)^2 = oneStepStableRank(g):
 * the limit value coincides with the one-step value, so it cannot tell convergence from a run that
 * stopped learning after step 1.
 */
export function rank2LimitStableRank(g: number, plusFraction = 0.5): number {
  const p = plusFraction;
  const q = 1 - p;
  const U = 1 / ((p + q * g * g) * (p + q * g * g));
  const V = 1 / ((q + p * g * g) * (q + p * g * g));
  return rank2StableRank(U, V, 0, g, p, q);
}

export interface PatternKkt {
  /** KKT multipliers, [n] (the margins of W* are all exactly 1). */
  lambda: Float64Array;
  minLambda: number;
  maxLambda: number;
  /** W* = Cstar X, Cstar [m x n] with Cstar_ji = a_j lambda_i y_i P_ji. */
  Cstar: Float64Array;
  /** The pattern holds at W*: Z*_ji = <w*_j, x_i> > 0 where P_ji = 1 and <= 0 elsewhere. */
  patternOk: boolean;
  /** lambda > 0 and patternOk: W* is a KKT point of min ||W||_F^2 s.t. y_i f(x_i) >= 1. */
  valid: boolean;
}

/**
 * The max-margin KKT point with every point a support vector for a fixed activation pattern
 * P [m x n] (P_ji = phi'(<w_j, x_i>): 1 where active, g (leaky) or 0 (ReLU) where not): f is linear
 * in W along P, y_i f(x_i) = <Phi_i, W> with row j of Phi_i = y_i a_j P_ji x_i, and lambda solves
 * G lambda = 1, G_ik = y_i y_k K_ik sum_j a_j^2 P_ji P_jk (item 3 of the module comment).
 * Null when G is singular (e.g. a point no neuron is active on under ReLU).
 *
 * @param K [n x n] Gram matrix of the inputs
 * @param y [n] labels (signs used)
 * @param a [m] fixed second layer
 * @param P [m x n] activation pattern
 */
export function kktForPattern(K: Float64Array, y: Float64Array, n: number, a: Float64Array, P: Float64Array): PatternKkt | null {
  const fn = 'kktForPattern';
  checkInt(fn, 'n', n, 1);
  if (K.length !== n * n) throw new InputError(fn, 'K', K, `an [n x n] Gram matrix, n = ${n}`);
  if (y.length !== n) throw new InputError(fn, 'y', y, `n = ${n} labels`);
  const m = a.length;
  if (P.length !== m * n) throw new InputError(fn, 'P', P, `an [m x n] pattern, m = ${m}, n = ${n}`);
  const w = n + 1;
  const A = new Float64Array(n * w);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += a[j] * a[j] * P[j * n + i] * P[j * n + k];
      const v = Math.sign(y[i]) * Math.sign(y[k]) * K[i * n + k] * s;
      A[i * w + k] = v;
      A[k * w + i] = v;
    }
    A[i * w + n] = 1;
  }
  const lambda = solveAugmented(A, n);
  if (lambda === null) return null;
  let minLambda = Infinity;
  let maxLambda = -Infinity;
  for (let i = 0; i < n; i++) {
    minLambda = Math.min(minLambda, lambda[i]);
    maxLambda = Math.max(maxLambda, lambda[i]);
  }
  const Cstar = new Float64Array(m * n);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) Cstar[j * n + i] = a[j] * lambda[i] * Math.sign(y[i]) * P[j * n + i];
  let patternOk = true;
  for (let j = 0; j < m && patternOk; j++) {
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let k = 0; k < n; k++) z += Cstar[j * n + k] * K[k * n + i];
      const active = P[j * n + i] === 1;
      if (active ? !(z > 0) : z > 0) {
        patternOk = false;
        break;
      }
    }
  }
  return { lambda, minLambda, maxLambda, Cstar, patternOk, valid: patternOk && minLambda > 0 };
}

/** FVBSH23's limit pattern [m x n]: slope 1 where sign(a_j) = y_i, g elsewhere. */
export function leakyLimitPattern(y: Float64Array, a: Float64Array, g: number): Float64Array {
  const n = y.length;
  const m = a.length;
  const P = new Float64Array(m * n);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) P[j * n + i] = (a[j] > 0) === (y[i] > 0) ? 1 : g;
  return P;
}

export interface LeakyKkt extends PatternKkt {
  /** Stable rank of W* (rank 2: rank2StableRank of its two row types). */
  srank: number;
}

/**
 * The instance's rank-2 KKT point of a leaky network (g in (0, 1)): kktForPattern at the limit
 * pattern, with rows |a_j| (u - g v) (a_j > 0) and |a_j| (v - g u) (a_j < 0). Null when singular.
 */
export function leakyKkt(K: Float64Array, y: Float64Array, n: number, g: number, a: Float64Array): LeakyKkt | null {
  if (!(g > 0 && g < 1)) throw new InputError('leakyKkt', 'g', g, 'a leak slope in (0, 1)');
  const base = kktForPattern(K, y, n, a, leakyLimitPattern(y, a, g));
  if (base === null) return null;
  const lam = base.lambda;
  let aPlus = 0;
  let aMinus = 0;
  for (let j = 0; j < a.length; j++) {
    if (a[j] > 0) aPlus += a[j] * a[j];
    else if (a[j] < 0) aMinus += a[j] * a[j];
  }
  let uu = 0;
  let vv = 0;
  let uv = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const t = lam[i] * lam[k] * K[i * n + k];
      if (y[i] > 0 && y[k] > 0) uu += t;
      else if (y[i] < 0 && y[k] < 0) vv += t;
      else if (y[i] > 0) uv += t;
    }
  }
  return { ...base, srank: rank2StableRank(uu, vv, uv, g, aPlus, aMinus) };
}

/**
 * Predicted margins after t GD steps (item 4): out[i] = log(t eta / (n lambda_i)).
 * @param out [n] output
 */
export function marginLaw(out: Float64Array, t: number, eta: number, lambda: Float64Array): Float64Array {
  const n = lambda.length;
  for (let i = 0; i < n; i++) out[i] = Math.log((t * eta) / (n * lambda[i]));
  return out;
}

/** Gaussian elimination with partial pivoting on [n x (n+1)] (destroyed); null if singular. */
function solveAugmented(A: Float64Array, n: number): Float64Array | null {
  const w = n + 1;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r * w + col]) > Math.abs(A[piv * w + col])) piv = r;
    if (A[piv * w + col] === 0) return null;
    if (piv !== col) {
      for (let c = 0; c < w; c++) {
        const t = A[col * w + c];
        A[col * w + c] = A[piv * w + c];
        A[piv * w + c] = t;
      }
    }
    for (let r = col + 1; r < n; r++) {
      const f = A[r * w + col] / A[col * w + col];
      if (f === 0) continue;
      for (let c = col; c < w; c++) A[r * w + c] -= f * A[col * w + c];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let acc = A[r * w + n];
    for (let c = r + 1; c < n; c++) acc -= A[r * w + c] * x[c];
    x[r] = acc / A[r * w + r];
  }
  return x;
}
