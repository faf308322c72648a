/**
 * Predictions for early alignment (MVM24, arXiv 2307.12851; BPF22 for orthogonal data). Derived
 * here (no theorem text was readable; the abstract states an O(log n / sqrt(mu)) upper bound on
 * the time until all neurons are well aligned, mu the data's separation).
 *
 * Setting: f(x) = sum_j a_j relu(<w_j, x>), balanced init a_j = s_j ||w_j||, loss
 * L = (1/n) sum_i l(y_i f(x_i)) with l exponential or logistic and y_i = +-1. While f ~ 0,
 * -l'(0) = g (1 exponential, 1/2 logistic) and with u_j = w_j / ||w_j||:
 *   du_j/dt = s_j g (I - u_j u_j^T) x_a(u_j),  x_a(u) = (1/n) sum_{i : <x_i, u> > 0} y_i x_i,
 * a flow on the sphere that does not involve the init scale lambda (lambda only sets when
 * ||w_j|| ~ lambda e^{rate t} makes f = O(1) and ends this phase): the alignment time is
 * independent of lambda for small lambda. In the cone of its class (active exactly on
 * I_s = {i : y_i = s_j}) x_a = (s_j / n) X_s with X_s = sum_{i in I_s} x_i fixed, so u_j turns
 * toward X_s along a great circle with tan(theta/2) = tan(theta_0/2) e^{-r_s t},
 * r_s = g ||X_s|| / n (inConeAlignmentTime). For equicorrelated unit data
 * (<y_i x_i, y_k x_k> = mu, i != k) ||X_s||^2 = n_s (1 + (n_s - 1) mu), so r_s ~ (n_s/n) sqrt(mu)
 * once n_s mu >> 1: the 1/sqrt(mu) of MVM24's bound is the rate of the class direction. At fixed
 * n and n_s mu << 1 the rate saturates at ~sqrt(n_s)/n, and the last same-class point is pulled
 * into the active set at speed ~ mu |A| / n against an exponential decay of its (negative)
 * margin, which takes ~ log(1/mu) / rate: the divergence as mu -> 0+ at fixed n is logarithmic
 * (measured: extras' divergence table), the 1/sqrt(mu) law is the regime n mu >> 1.
 * At mu = 0 (orthogonal data, BPF22) a coordinate <w_j, x_i> <= 0 never moves: activation sets
 * only shrink, and a neuron active on part of its class never reaches the cone (T = infinity).
 */

/**
 * MVM24's separation parameter: min over pairs i != k of <y_i x_i, y_k x_k> / (||x_i|| ||x_k||)
 * (positive iff same-label pairs are positively and cross-label pairs negatively correlated).
 * Infinity for n < 2.
 */
export function separation(X: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number): number {
  let mu = Infinity;
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      let z = 0;
      let ni = 0;
      let nk = 0;
      for (let c = 0; c < d; c++) {
        z += X[i * d + c] * X[k * d + c];
        ni += X[i * d + c] * X[i * d + c];
        nk += X[k * d + c] * X[k * d + c];
      }
      mu = Math.min(mu, (Math.sign(y[i]) * Math.sign(y[k]) * z) / Math.sqrt(ni * nk));
    }
  }
  return mu;
}

/** -l'(0): the loss-derivative weight of every point while f ~ 0. */
export function lossWeightAtZero(loss: 'exponential' | 'logistic'): number {
  return loss === 'exponential' ? 1 : 0.5;
}

/** r_s = g ||X_s|| / n: the rate at which a neuron in the cone of class s turns toward X_s. */
export function classRate(XsNorm: number, n: number, g: number): number {
  return (g * XsNorm) / n;
}

/** ||X_s|| for n_s equicorrelated unit points (pairwise cos(y_i x_i, y_k x_k) = mu): sqrt(n_s (1 + (n_s - 1) mu)). */
export function equicorrelatedClassNorm(nS: number, mu: number): number {
  return Math.sqrt(nS * (1 + (nS - 1) * mu));
}

/**
 * Time for a neuron in the cone (fixed target) to go from angle theta0 to 1 - cos = eps at rate r:
 * log(tan(theta0/2) / tan(theta_eps/2)) / r with theta_eps = arccos(1 - eps); 0 if already there.
 */
export function inConeAlignmentTime(theta0: number, eps: number, r: number): number {
  const thetaEps = Math.acos(1 - eps);
  if (theta0 <= thetaEps) return 0;
  return Math.log(Math.tan(theta0 / 2) / Math.tan(thetaEps / 2)) / r;
}

/**
 * MVM24's bound with the constant made explicit: C log n / (g sqrt(mu)) (Infinity for mu <= 0),
 * g = -l'(0) relative to the exponential loss (the early flow is proportional to g, so times
 * scale as 1/g; default 1).
 */
export function alignmentBound(n: number, mu: number, C: number, g = 1): number {
  return mu > 0 ? (C * Math.log(n)) / (g * Math.sqrt(mu)) : Infinity;
}

/** What the claim predicts for one instance. */
export interface AlignmentPrediction {
  /** Upper bound on the alignment time. */
  bound: number;
  /** Predicted alignment time at each lambda, relative to the first (1 = independent of lambda). */
  lambdaRatios: number[];
  /** Direction each non-dead neuron aligns with: its class sum X_{sign a_j}, or the mean of all data (a mutant). */
  target: 'class-by-sign' | 'mean-of-all-data';
}

/** The claim: independent of lambda, below C log n / (g sqrt(mu)), aligned with X_{sign(a_j)}. */
export function predictAlignment(n: number, mu: number, lambdas: number[], C: number, g = 1): AlignmentPrediction {
  return { bound: alignmentBound(n, mu, C, g), lambdaRatios: lambdas.map(() => 1), target: 'class-by-sign' };
}

/** Mutant: alignment time of order log(1/lambda), T(lambda_k) / T(lambda_0) = log(1/lambda_k) / log(1/lambda_0). */
export function logInverseLambdaRatios(lambdas: number[]): number[] {
  return lambdas.map((l) => Math.log(1 / l) / Math.log(1 / lambdas[0]));
}
