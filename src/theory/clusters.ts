/**
 * Predictions for clustered data (FVBS23, arXiv 2303.01456; papers.md "Clusters"). Theorem numbers
 * and FVBS23's exact conditions were not readable; the constants here are derived below.
 *
 * Setting: k cluster means mu_1..mu_k of equal norm ||mu||, labels y_c = +-1 per cluster,
 * x = mu_c + noise; f(x) = sum_j a_j relu(<w_j, x>), no bias.
 *
 * Flip radius (derivation of C_FLIP = 1). For orthogonal means the equal-margin two-neuron network
 *   f(x) = a_+ relu(<w_+, x>) - a_- relu(<w_-, x>),  w_+ = alpha sum_{y_j = +1} mu_j,  w_- = beta sum_{y_j = -1} mu_j,
 * with a_+ alpha ||mu||^2 = a_- beta ||mu||^2 = 1 (every cluster at margin 1; the positive-
 * combination form of a KKT point of the margin problem on the means) is flipped at mu_c by
 * z = -y_c r u, u = sum_j y_j mu_j / (sqrt(k) ||mu||): <mu_j, u> = y_j ||mu|| / sqrt(k), so for
 * y_c = +1, f(mu_c + z) = 1 - r k_+ / (sqrt(k) ||mu||) - r k_- / (sqrt(k) ||mu||) while both
 * neurons are active, which vanishes at r = ||mu|| / sqrt(k) (k_+ + k_- = k; the case y_c = -1 is
 * symmetric). Whatever the weights alpha, beta and the class sizes: C_FLIP = 1.
 *
 * Robust network g(x) = sum_c y_c relu(<mu_c, x> - ||mu||^2 / 2): at x = mu_c its own neuron has
 * value ||mu||^2 / 2 and a neuron j of the other label has <mu_j, mu_c> - ||mu||^2 / 2 =
 * (rho - 1/2) ||mu||^2 for pairwise cosine rho, so the interval certificate is
 * min(1/2, 1/2 - rho) ||mu|| (robustCertifiedRadius in claims/_internals/highdim.ts).
 */

/** The derived flip constant: the first flip along -y u is at C_FLIP ||mu|| / sqrt(k). */
export const C_FLIP = 1;

/** Predicted first-flip radius along -y sum_j y_j mu_j of the trained network: C_FLIP ||mu|| / sqrt(k). */
export function flipRadius(meanNorm: number, k: number): number {
  return (C_FLIP * meanNorm) / Math.sqrt(k);
}

/** Certified radius of the robust network at a noiseless mean, for pairwise cosine rho (>= 0) between means. */
export function robustCertificate(meanNorm: number, rho = 0): number {
  return meanNorm * Math.min(0.5, 0.5 - rho);
}

/**
 * The equal-margin two-neuron network of the derivation, as W [2 x d] (rows w_+, w_-) and a [2]
 * (a_+, -a_-), from means [k x d] and cluster labels [k]; alpha = beta = 1, so a_+- = 1 / ||mu_c||^2
 * (exact margins 1 at orthogonal means of equal norm). Needs both labels present.
 */
export function twoNeuronClusterNetwork(means: Float64Array, labels: Float64Array, k: number, d: number): { W: Float64Array; a: Float64Array } {
  const W = new Float64Array(2 * d);
  let nrm2 = 0;
  for (let q = 0; q < d; q++) nrm2 += means[q] * means[q];
  for (let c = 0; c < k; c++) {
    const row = labels[c] > 0 ? 0 : d;
    for (let q = 0; q < d; q++) W[row + q] += means[c * d + q];
  }
  return { W, a: Float64Array.from([1 / nrm2, -1 / nrm2]) };
}
