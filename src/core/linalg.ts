/**
 * Small linear-algebra helpers off the hot path: random orthonormal frames, Gram matrices,
 * projections and eigenvalues of small symmetric matrices (via mathjs `eigs`).
 *
 * Storage is row-major Float64Array throughout: a [k x d] matrix holds row i in
 * entries [i*d, (i+1)*d).
 *
 * mathjs is loaded on the first symEig call, not at import: loading it costs seconds, and most
 * importers of this module (the data generators, hence every claim and the command line) never
 * compute an eigenvalue. Its CommonJS build is the same code as the ES module one.
 */
import { createRequire } from 'node:module';
import { InputError, checkAllFinite, checkInt } from './errors.ts';
import type { Rng } from './rng.ts';

type Eigs = (rows: number[][], opts: { eigenvectors: boolean; precision: number }) => { values: unknown };
let eigsFn: Eigs | null = null;

/** mathjs `eigs`, required on first use. */
function mathjsEigs(): Eigs {
  if (eigsFn === null) eigsFn = (createRequire(import.meta.url)('mathjs') as { eigs: Eigs }).eigs;
  return eigsFn;
}

/**
 * A row whose norm falls below this fraction of its norm before orthogonalisation is treated as
 * (numerically) dependent on the previous rows and redrawn. For Gaussian rows this happens with
 * probability ~0; it guards the degenerate case instead of returning a non-orthonormal frame.
 */
const DEPENDENT_ROW_RATIO = 1e-8;

/**
 * Asymmetry allowed in `symEig` input, relative to max |A_ij|. Gram matrices assembled in
 * different summation orders differ by a few ulps; anything larger means the caller passed a
 * matrix that is not symmetric.
 */
const SYMMETRY_REL_TOL = 1e-10;

/**
 * Stopping threshold handed to mathjs' Jacobi method after the matrix is scaled to max |A_ij| = 1.
 * mathjs stops once every off-diagonal entry is below precision / k (an absolute test, hence the
 * scaling); the eigenvalues are then within ~precision * max |A_ij| of the exact ones.
 */
const EIG_PRECISION = 1e-13;

/** <x, y> over `len` entries starting at offsets xOff, yOff (ddot-style, no allocation). */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>, len: number = x.length, xOff = 0, yOff = 0): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += x[xOff + i] * y[yOff + i];
  return s;
}

/** Squared Euclidean norm ||x||^2 over `len` entries from offset `off`. */
export function normSq(x: ArrayLike<number>, len: number = x.length, off = 0): number {
  let s = 0;
  for (let i = off, e = off + len; i < e; i++) s += x[i] * x[i];
  return s;
}

/** Euclidean norm ||x||_2 over `len` entries from offset `off` (not squared; see normSq). */
export function norm2(x: ArrayLike<number>, len: number = x.length, off = 0): number {
  return Math.sqrt(normSq(x, len, off));
}

/**
 * out = A x for A [rows x cols] row-major, x [cols], out [rows]; returns out.
 *
 * @param out [rows], overwritten (must not alias x)
 * @param A [rows x cols]
 * @param x [cols]
 */
export function matVec(out: Float64Array, A: ArrayLike<number>, rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += A[off + j] * x[j];
    out[i] = s;
  }
  return out;
}

/**
 * out = A^T x for A [rows x cols] row-major, x [rows], out [cols]; returns out.
 *
 * @param out [cols], overwritten (must not alias x)
 */
export function matTVec(out: Float64Array, A: ArrayLike<number>, rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    const xi = x[i];
    for (let j = 0; j < cols; j++) out[j] += A[off + j] * xi;
  }
  return out;
}

/**
 * Gram matrix G = X X^T of the rows of X.
 *
 * @param X [n x d] row-major
 * @param out optional [n x n] output
 * @returns G [n x n], exactly symmetric (the upper triangle is computed and mirrored)
 */
export function gram(X: ArrayLike<number>, n: number, d: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  checkInt('gram', 'n', n, 1);
  checkInt('gram', 'd', d, 1);
  if (X.length !== n * d) throw new InputError('gram', 'X', X, `length n * d = ${n * d}`);
  if (out.length !== n * n) throw new InputError('gram', 'out', out, `length n * n = ${n * n}`);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      const g = dot(X, X, d, i * d, k * d);
      out[i * n + k] = g;
      out[k * n + i] = g;
    }
  }
  return out;
}

/**
 * k orthonormal rows in R^d, uniformly (Haar) distributed: a Gaussian [k x d] matrix
 * orthonormalised row by row with modified Gram-Schmidt, each row orthogonalised twice.
 *
 * Why not mathjs `qr`: it returns the full d x d Q as nested arrays (O(d^2) memory, O(d^2 k)
 * work, slow generic arithmetic), and Householder QR does not fix the signs of R's diagonal,
 * which Haar-uniformity needs. Gram-Schmidt on Gaussian rows *is* the QR factorisation with
 * positive diagonal R, so its Q is exactly Haar-distributed; one pass leaves orthogonality
 * errors ~eps * cond, the second pass brings them to ~eps ("twice is enough", Giraud et al.).
 * Cost O(k^2 d), on Float64Array.
 *
 * Examples:
 *     const E = randomOrthonormal(new Rng(1), 3, 10)  // [3 x 10], E E^T = I_3
 *
 * See also: gram, projectOnto
 *
 * @returns [k x d] row-major, rows orthonormal
 */
export function randomOrthonormal(rng: Rng, k: number, d: number): Float64Array {
  const fn = 'randomOrthonormal';
  checkInt(fn, 'd', d, 1);
  checkInt(fn, 'k', k, 1);
  if (k > d) throw new InputError(fn, 'k', k, `an integer <= d = ${d}`);
  const Q = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    const off = i * d;
    for (;;) {
      for (let c = 0; c < d; c++) Q[off + c] = rng.normal();
      const before = norm2(Q, d, off);
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          const r = dot(Q, Q, d, off, j * d);
          const offJ = j * d;
          for (let c = 0; c < d; c++) Q[off + c] -= r * Q[offJ + c];
        }
      }
      const after = norm2(Q, d, off);
      if (after > DEPENDENT_ROW_RATIO * before) {
        const inv = 1 / after;
        for (let c = 0; c < d; c++) Q[off + c] *= inv;
        break;
      }
    }
  }
  return Q;
}

/**
 * out = B^T B v: the orthogonal projection of v [d] onto the span of the orthonormal rows of
 * B [k x d]. Returns out ([d], may alias v).
 */
export function projectOnto(out: Float64Array, B: ArrayLike<number>, k: number, d: number, v: ArrayLike<number>): Float64Array {
  // Coefficients first, so that out may alias v.
  const coef = new Float64Array(k);
  for (let i = 0; i < k; i++) coef[i] = dot(B, v, d, i * d, 0);
  return matTVec(out, B, k, d, coef);
}

/**
 * out = v - B^T B v: the component of v [d] orthogonal to the span of the orthonormal rows of
 * B [k x d] (e.g. P_perp v for a subspace basis from subspaceData). Returns out (may alias v).
 */
export function projectOrthogonal(out: Float64Array, B: ArrayLike<number>, k: number, d: number, v: ArrayLike<number>): Float64Array {
  const coef = new Float64Array(k);
  for (let i = 0; i < k; i++) coef[i] = dot(B, v, d, i * d, 0);
  for (let c = 0; c < d; c++) {
    let s = v[c];
    for (let i = 0; i < k; i++) s -= coef[i] * B[i * d + c];
    out[c] = s;
  }
  return out;
}

/**
 * Eigenvalues of a small real symmetric matrix, in descending order (mathjs `eigs`, Jacobi).
 *
 * The matrix is first scaled to max |A_ij| = 1 because mathjs' stopping test is absolute; the
 * eigenvalues are accurate to about 1e-13 * max |A_ij| in absolute terms (so eigenvalues much
 * smaller than the largest are known only to that absolute accuracy). Cost ~k^4 for the
 * max-pivot Jacobi: about 0.3 s at k = 100; keep k small (use the smaller of W W^T and W^T W).
 *
 * Examples:
 *     symEig(Float64Array.of(2, 1, 1, 2), 2)  // [3, 1]
 *
 * @param A [k x k] row-major, symmetric up to round-off
 * @returns Float64Array [k], descending
 */
export function symEig(A: ArrayLike<number>, k: number): Float64Array {
  const fn = 'symEig';
  checkInt(fn, 'k', k, 1);
  if (A.length !== k * k) throw new InputError(fn, 'A', A, `length k * k = ${k * k}`);
  checkAllFinite(fn, 'A', A);
  let scale = 0;
  for (let i = 0; i < k * k; i++) scale = Math.max(scale, Math.abs(A[i]));
  const out = new Float64Array(k);
  if (scale === 0) return out;
  const rows: number[][] = [];
  for (let i = 0; i < k; i++) {
    const row = new Array<number>(k);
    for (let j = 0; j < k; j++) {
      const aij = A[i * k + j];
      const aji = A[j * k + i];
      if (Math.abs(aij - aji) > SYMMETRY_REL_TOL * scale) {
        throw new InputError(fn, `A[${i * k + j}]`, aij, `a symmetric matrix (A[${j * k + i}] = ${aji})`);
      }
      row[j] = (aij + aji) / (2 * scale);
    }
    rows.push(row);
  }
  if (k === 1) {
    out[0] = A[0];
    return out;
  }
  const { values } = mathjsEigs()(rows, { eigenvectors: false, precision: EIG_PRECISION }) as unknown as { values: number[] };
  for (let i = 0; i < k; i++) out[i] = values[i] * scale;
  out.sort();
  out.reverse();
  return out;
}
