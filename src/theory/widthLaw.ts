/**
 * Width law on orthogonal data (DBP25, MORN26; derived in ../shared/papers.md "width-law"):
 * the probability that gradient flow from a random symmetric init interpolates, and the
 * plausible wrong laws a referee would name (the width-law claim's mutants).
 *
 * Derivation of the true law: under random symmetric init each u_ji(0) = <w_j(0), e_i> > 0 with
 * probability 1/2 and each s_j = +-1 with probability 1/2, all independent; point i is fit iff
 * some neuron of its sign is active on it at t = 0 (claim zero-loss). Given k positive neurons,
 * the positive points are covered independently with probability 1 - 2^-k each, the negative
 * ones with 1 - 2^-(m-k); summing over k ~ Binomial(m, 1/2) couples all points through the
 * shared neuron signs.
 */
import { interpolationProbability } from '../core/oracle.ts';

export { interpolationProbability };

/**
 * Mutant: points covered independently, each with probability 1 - (3/4)^m (a neuron covers a
 * given point with probability 1/4). Wrong: the points share the neurons' signs.
 */
export function independenceLaw(nPos: number, nNeg: number, m: number): number {
  return Math.pow(1 - Math.pow(0.75, m), nPos + nNeg);
}

/** Mutant: the union bound 1 - n (3/4)^m read as the exact probability (clamped at 0). */
export function unionBoundLaw(nPos: number, nNeg: number, m: number): number {
  return Math.max(0, 1 - (nPos + nNeg) * Math.pow(0.75, m));
}

/**
 * Mutant: the sign of a_j is ignored (a point is fit when some neuron is active on it, of
 * either sign): (1 - 2^-m)^n.
 */
export function signIgnoredLaw(nPos: number, nNeg: number, m: number): number {
  return Math.pow(1 - Math.pow(2, -m), nPos + nNeg);
}
