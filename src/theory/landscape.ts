/**
 * Predictions about the teacher-student population loss (src/core/population.ts) at its global
 * minimum and about the annihilation of spurious minima by added neurons.
 *
 * Sources and status of each statement:
 * - Hessian spectrum at W = V (V = [I_k | 0], m = k): derived here (globalMinHessianSpectrum),
 *   exact, checked against the numerical Hessian. It confirms papers.md's "1/4 - 1/(2 pi) with
 *   multiplicity k(k-1)/2" and gives the other eigenvalues.
 * - Arjevani & Field, NeurIPS 2021 ("A Tale of Symmetry II", arXiv 2107.10370), abstract:
 *   modulo O(d^{-1/2}) the Hessian spectrum at the minima concentrates near small positive
 *   constants except Theta(d) eigenvalues growing linearly with d, and the spectra at global and
 *   spurious minima coincide to that order. (Abstract only; no constants taken from it.)
 * - Arjevani & Field, "Symmetry & critical points for a model shallow neural network" (Physica D
 *   2021), abstract: the loss at some spurious families decays like 1/k, at others it tends to a
 *   positive constant.
 * - Arjevani & Field, NeurIPS 2022 (arXiv 2210.06088), abstract: adding neurons can turn
 *   symmetric spurious minima into saddles, minima of lesser symmetry need more neurons.
 *   No theorem numbers are cited: only the abstracts were read.
 * - Embedding identities (zero neuron, split neuron): derived in src/core/criticalPoints.ts.
 */
import { InputError, checkInt } from '../core/errors.ts';

/** One eigenvalue of a spectrum with its multiplicity and the symmetry sector it comes from. */
export interface SpectralLine {
  value: number;
  multiplicity: number;
  /** Isotypic component of the diagonal S_k action (partition notation) or 'complement'. */
  sector: string;
}

/**
 * The exact Hessian spectrum of the population loss at the global minimum W = V, for the
 * teacher V = [I_k | 0] in R^{k x d} and student width m = k. Derived (population.ts gives the
 * blocks): every diagonal block is I/2 and block (i, i') is I/4 + (e_i e_i'^T + e_i' e_i^T)/(2 pi),
 * so on a perturbation X [k x d] (row i = neuron i), with p = 1/(2 pi),
 *
 *   (H X)_ia = X_ia/4 + (sum_i' X_i'a)/4 + p (delta_ia (tr X - X_ii) + [i != a] X_ai)
 *
 * (teacher columns a < k; the last term is absent for a >= k). The diagonal action of S_k
 * (permuting neurons and teachers together) fixes W = V and commutes with H, so H is constant on
 * the isotypic components of R^{k x k} = 2 [k] + 3 [k-1,1] + [k-2,2] + [k-2,1,1]:
 *
 * - [k-2,1,1], antisymmetric X, zero row sums: 1/4 - p, multiplicity (k-1)(k-2)/2.
 * - [k-2,2], symmetric X, zero diagonal and row sums: 1/4 + p, multiplicity k(k-3)/2.
 * - [k-1,1] (each multiplicity k - 1), on span{diag(a), (a_i + a_i'), (a_i - a_i')} with
 *   sum a = 0: the eigenvector k diag(a) + (a_i - a_i')_{i != i'} (zero column sums) gives 1/4 - p
 *   again, and the other two solve l^2 - ((k+2)/4) l + (k+1)/16 + p/2 - p^2 = 0, i.e.
 *   l = ((k+2)/4 +- sqrt((k/4)^2 - 2p(1 - 2p)))/2 (one ~ k/4, one -> 1/4).
 * - [k], on span{I, J - I}: l^2 - (1/2 + k/4 + k p) l + (1/2 + (k-1)p)(k/4 + p) - (k-1)/16 = 0.
 * - complement (d > k): per extra coordinate, 1/4 (multiplicity k - 1) and (k + 1)/4 (once).
 *
 * So 1/4 - 1/(2 pi) has total multiplicity (k-1)(k-2)/2 + (k-1) = k(k-1)/2 (papers.md's value,
 * confirmed), split over two sectors; it is the smallest eigenvalue for k >= 2. The Theta(k)
 * eigenvalues growing like k/4 (the [k-1,1] and [k] roots) match the shape of Arjevani & Field's
 * abstract (a few eigenvalues grow linearly, the rest stay near small positive constants).
 * Lines are listed per sector; equal values from different sectors are not merged.
 *
 * @param k teacher width = student width, >= 1
 * @param d input dimension, >= k
 */
export function globalMinHessianSpectrum(k: number, d: number = k): SpectralLine[] {
  const fn = 'globalMinHessianSpectrum';
  checkInt(fn, 'k', k, 1);
  checkInt(fn, 'd', d, k);
  const p = 1 / (2 * Math.PI);
  const lines: SpectralLine[] = [];
  if (k === 1) {
    lines.push({ value: 0.5, multiplicity: 1, sector: '[1]' });
  } else {
    for (const v of quadraticRoots(0.5 + k / 4 + k * p, (0.5 + (k - 1) * p) * (k / 4 + p) - (k - 1) / 16)) {
      lines.push({ value: v, multiplicity: 1, sector: `[${k}]` });
    }
    const std = `[${k - 1},1]`;
    if (k === 2) {
      // The symmetric combination (a_i + a_i') vanishes at k = 2: a 2 x 2 block on
      // span{diag(a), (a_i - a_i')}: [[1/2 - p, -1/2], [-1/8, 1/2 - p]] in that (orthogonal,
      // unnormalised) basis, eigenvalues 1/2 - p +- 1/4.
      lines.push({ value: 0.75 - p, multiplicity: 1, sector: std });
    } else {
      for (const v of quadraticRoots((k + 2) / 4, (k + 1) / 16 + p / 2 - p * p)) lines.push({ value: v, multiplicity: k - 1, sector: std });
    }
    lines.push({ value: 0.25 - p, multiplicity: k - 1, sector: std });
    if (k >= 4) lines.push({ value: 0.25 + p, multiplicity: (k * (k - 3)) / 2, sector: `[${k - 2},2]` });
    if (k >= 3) lines.push({ value: 0.25 - p, multiplicity: ((k - 1) * (k - 2)) / 2, sector: `[${k - 2},1,1]` });
  }
  if (d > k) {
    if (k > 1) lines.push({ value: 0.25, multiplicity: (k - 1) * (d - k), sector: 'complement' });
    lines.push({ value: (k + 1) / 4, multiplicity: d - k, sector: 'complement' });
  }
  return lines;
}

/** Roots of l^2 - s l + q = 0 (real, s^2 >= 4q here), larger first. */
function quadraticRoots(s: number, q: number): [number, number] {
  const r = Math.sqrt(Math.max(0, s * s - 4 * q));
  const hi = 0.5 * (s + r);
  return [hi, q / hi];
}

/** The lines of a spectrum expanded into a descending list of k d eigenvalues. */
export function expandSpectrum(lines: SpectralLine[]): Float64Array {
  let total = 0;
  for (const l of lines) total += l.multiplicity;
  const out = new Float64Array(total);
  let o = 0;
  for (const l of lines) for (let r = 0; r < l.multiplicity; r++) out[o++] = l.value;
  out.sort();
  return out.reverse();
}

/** The smallest Hessian eigenvalue at the global minimum (1/4 - 1/(2 pi) ~ 0.0908 for k >= 2). */
export function globalMinLambdaMin(k: number, d: number = k): number {
  const lines = globalMinHessianSpectrum(k, d);
  let min = Infinity;
  for (const l of lines) if (l.value < min) min = l.value;
  return min;
}

/** What the embeddings predict at a critical point (derived; see src/core/criticalPoints.ts). */
export interface EmbeddingPrediction {
  /** The zero-neuron first-order slope min_u D(u) is < 0 (a descent direction exists). */
  zeroNeuronDescends: boolean;
  /** The split point of some neuron has a negative Hessian eigenvalue. */
  splitIsSaddle: boolean;
  /** Upper bound on the split Hessian's lambda_min at c = 1/2: 2 min_i lambda_min(B_i). */
  splitLambdaMinBound: number;
}

/**
 * The derived consequences of the split curvatures lambda_min(B_i) (criticalPoints.ts
 * splitCurvatures): if some lambda_min(B_i) < -tol, both embeddings descend (the split Hessian's
 * Rayleigh quotient on (xi, -xi) is xi^T B_i xi / (2 c (1-c)), and the Hessian of D at w_i/|w_i|
 * is |w_i| B_i with D = 0 and grad D = 0 there). If every lambda_min(B_i) >= -tol, the local
 * mechanism gives no descent direction (the embeddings may still descend elsewhere: report).
 *
 * @param splitCurv lambda_min(B_i), i = 0..m-1
 */
export function embeddingPrediction(splitCurv: ArrayLike<number>, tol: number): EmbeddingPrediction {
  if (splitCurv.length === 0) throw new InputError('embeddingPrediction', 'splitCurv', splitCurv, 'a nonempty array');
  let min = Infinity;
  for (let i = 0; i < splitCurv.length; i++) if (splitCurv[i] < min) min = splitCurv[i];
  const neg = min < -tol;
  return { zeroNeuronDescends: neg, splitIsSaddle: neg, splitLambdaMinBound: 2 * min };
}
