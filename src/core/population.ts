/**
 * The population loss of a teacher-student pair of two-layer ReLU networks on Gaussian inputs,
 * in closed form, with its analytic gradient and Hessian (float64).
 *
 * Setting (Safran & Shamir, ICML 2018; Arjevani & Field, arXiv 2210.06088): student
 * f_W(x) = sum_{i < m} relu(<w_i, x>), teacher f_V(x) = sum_{j < k} relu(<v_j, x>), second layers
 * fixed to 1, no biases, x ~ N(0, I_d). The papers call the student width n; here it is m, the
 * project's width (n is reserved for samples).
 *
 *   L(W) = 1/2 E (f_W - f_V)^2
 *        = 1/2 sum_{i,i'} K(w_i, w_i') - sum_{i,j} K(w_i, v_j) + 1/2 sum_{j,j'} K(v_j, v_j'),
 *   K(u, v) = E relu(<u,x>) relu(<v,x>) = |u| |v| (sin t + (pi - t) cos t) / (2 pi),
 *
 * t in [0, pi] the angle between u and v (K(u, u) = |u|^2 / 2).
 *
 * Derivatives (derived here, checked against finite differences and Monte Carlo in the tests).
 * Write u^ = u/|u|, v^ = v/|v|, s = sin t, c = cos t, and the unit vectors in the (u, v) plane
 * n_u = (v^ - c u^)/s (orthogonal to u, towards v), n_v = (u^ - c v^)/s. Then
 *
 *   g(u, v)   = dK/du        = (|v| s u^ + (pi - t) v) / (2 pi)            (0-homogeneous in u)
 *   H_uu(u,v) = d^2K/du^2    = |v| s / (2 pi |u|) (I - u^ u^T + n_u n_u^T)  (PSD, kills u)
 *   H_uv(u,v) = d^2K/du dv   = ((pi - t) I + s u^ v^T + s n_u n_v^T) / (2 pi)
 *
 * (the t-derivative terms of K cancel in g because |u||v| cos t = <u, v>). At t = 0 the limits
 * are g = v/2, H_uu = 0, H_uv = I/2, and K is C^2 there (K = <u,v>/2 + |u||v| t^3/(6 pi) + ...),
 * so the Hessian of two parallel neurons (a split neuron) is the limit value. At t = pi
 * (opposite neurons) g = 0, H_uu = 0 and H_uv = 0. The loss derivatives are
 *
 *   grad_i L   = w_i/2 + sum_{i' != i} g(w_i, w_i') - sum_j g(w_i, v_j)
 *   H_ii       = I/2 + sum_{i' != i} H_uu(w_i, w_i') - sum_j H_uu(w_i, v_j)
 *   H_ii'      = H_uv(w_i, w_i')   (i != i')
 *
 * The loss is not differentiable where a student neuron is zero (K is 1-homogeneous in each
 * argument): the entry points reject W with a zero row; use `zeroNeuronSlope` in
 * criticalPoints.ts for the one-sided derivative there.
 *
 * Angles are computed as t = 2 atan2(|u^ - v^|, |u^ + v^|) (Kahan), with sin t = |u^-v^||u^+v^|/2
 * and cos t = (|u^+v^|^2 - |u^-v^|^2)/4, accurate to relative round-off for t near 0 and pi
 * where acos(<u^,v^>) loses half the digits (this matters at the global minimum, where every
 * student neuron is parallel to a teacher neuron).
 *
 * Storage: W [m x d], V [k x d] row-major; the Hessian is [(m d) x (m d)] row-major with
 * parameter index i*d + a (neuron i, coordinate a).
 */
import { InputError, checkAllFinite, checkInt } from './errors.ts';

const INV_TWO_PI = 1 / (2 * Math.PI);

/**
 * A teacher and the student width, with precomputed teacher norms and constant term, plus the
 * scratch memory of the gradient and Hessian kernels. Make once per (teacher, m); the kernels
 * allocate nothing.
 */
export interface Population {
  /** Student width (the papers' n). */
  m: number;
  /** Teacher width. */
  k: number;
  /** Input dimension. */
  d: number;
  /** Teacher rows [k x d] (a private copy). */
  V: Float64Array;
  /** |v_j| [k]. */
  normV: Float64Array;
  /** 1/2 sum_{j,j'} K(v_j, v_j'), the loss of W = 0. */
  teacherTerm: number;
  /** Scratch: |w_i| [m]. */
  normW: Float64Array;
  /** Scratch: one d-vector (n_u of the current pair). */
  scratchA: Float64Array;
  /** Scratch: one d-vector (n_v of the current pair). */
  scratchB: Float64Array;
}

/**
 * The teacher V = [I_k | 0] in R^{k x d} (orthonormal rows e_1..e_k), the usual choice with d = k.
 *
 * @returns [k x d]
 */
export function identityTeacher(k: number, d: number = k): Float64Array {
  checkInt('identityTeacher', 'k', k, 1);
  checkInt('identityTeacher', 'd', d, k);
  const V = new Float64Array(k * d);
  for (let j = 0; j < k; j++) V[j * d + j] = 1;
  return V;
}

/**
 * Sets up the population loss of a student of width m against the teacher V.
 *
 * Examples:
 *     const pop = makePopulation(identityTeacher(6), 6, 6, 6)
 *     populationLoss(pop, identityTeacher(6))  // 0 (the global minimum W = V)
 *
 * See also: populationLoss, populationGradient, populationHessian
 *
 * @param V [k x d] teacher rows, nonzero (orthonormal in the papers, any nonzero rows here)
 * @param k teacher width
 * @param d input dimension
 * @param m student width
 */
export function makePopulation(V: ArrayLike<number>, k: number, d: number, m: number): Population {
  const fn = 'makePopulation';
  checkInt(fn, 'k', k, 1);
  checkInt(fn, 'd', d, 1);
  checkInt(fn, 'm', m, 1);
  if (V.length !== k * d) throw new InputError(fn, 'V', V, `length k * d = ${k * d}`);
  checkAllFinite(fn, 'V', V);
  const Vc = Float64Array.from(V);
  const normV = new Float64Array(k);
  rowNorms(normV, Vc, k, d);
  for (let j = 0; j < k; j++) if (normV[j] === 0) throw new InputError(fn, `V row ${j}`, 0, 'a nonzero row');
  const pop: Population = {
    m,
    k,
    d,
    V: Vc,
    normV,
    teacherTerm: 0,
    normW: new Float64Array(m),
    scratchA: new Float64Array(d),
    scratchB: new Float64Array(d),
  };
  let s = 0;
  for (let j = 0; j < k; j++) {
    s += 0.25 * normV[j] * normV[j];
    for (let j2 = j + 1; j2 < k; j2++) s += kernelAt(Vc, j * d, normV[j], Vc, j2 * d, normV[j2], d);
  }
  pop.teacherTerm = s;
  return pop;
}

/**
 * K(u, v) = E_{x ~ N(0, I)} relu(<u,x>) relu(<v,x>) for u = A[aOff..aOff+d), v = B[bOff..bOff+d).
 * Returns 0 when either vector is zero.
 */
export function reluKernel(A: ArrayLike<number>, aOff: number, B: ArrayLike<number>, bOff: number, d: number): number {
  let na = 0;
  let nb = 0;
  for (let c = 0; c < d; c++) {
    na += A[aOff + c] * A[aOff + c];
    nb += B[bOff + c] * B[bOff + c];
  }
  if (na === 0 || nb === 0) return 0;
  return kernelAt(A, aOff, Math.sqrt(na), B, bOff, Math.sqrt(nb), d);
}

/**
 * The closed-form population loss L(W).
 *
 * @param W [m x d] student rows, all nonzero
 */
export function populationLoss(pop: Population, W: ArrayLike<number>): number {
  checkStudent('populationLoss', pop, W);
  return lossKernel(pop, W);
}

/**
 * out = grad L(W) [m x d]; returns L(W).
 *
 * @param out [m x d], overwritten (must not alias W)
 * @param W [m x d] student rows, all nonzero
 */
export function populationGradient(out: Float64Array, pop: Population, W: ArrayLike<number>): number {
  checkStudent('populationGradient', pop, W);
  if (out.length !== pop.m * pop.d) throw new InputError('populationGradient', 'out', out, `length m * d = ${pop.m * pop.d}`);
  return gradientKernel(out, pop, W);
}

/**
 * out = Hessian of L at W, [(m d) x (m d)] row-major, exactly symmetric (each off-diagonal block
 * is computed once and mirrored).
 *
 * @param out [(m d)^2], overwritten
 * @param W [m x d] student rows, all nonzero
 */
export function populationHessian(out: Float64Array, pop: Population, W: ArrayLike<number>): void {
  checkStudent('populationHessian', pop, W);
  const p = pop.m * pop.d;
  if (out.length !== p * p) throw new InputError('populationHessian', 'out', out, `length (m d)^2 = ${p * p}`);
  hessianKernel(out, pop, W);
}

// ---------------------------------------------------------------------------------------------
// Kernels: no argument checks, no allocation. Exported for criticalPoints.ts (which validates
// once per search) and the benchmarks; not part of the public barrel.

/** L(W) without checks. */
export function lossKernel(pop: Population, W: ArrayLike<number>): number {
  const { m, k, d, V, normV, normW } = pop;
  rowNorms(normW, W, m, d);
  let s = pop.teacherTerm;
  for (let i = 0; i < m; i++) {
    const oi = i * d;
    const ni = normW[i];
    s += 0.25 * ni * ni;
    for (let i2 = i + 1; i2 < m; i2++) s += kernelAt(W, oi, ni, W, i2 * d, normW[i2], d);
    for (let j = 0; j < k; j++) s -= kernelAt(W, oi, ni, V, j * d, normV[j], d);
  }
  return s;
}

/** out = grad L(W), returns L(W); no checks. out must not alias W. */
export function gradientKernel(out: Float64Array, pop: Population, W: ArrayLike<number>): number {
  const { m, k, d, V, normV, normW } = pop;
  rowNorms(normW, W, m, d);
  for (let q = 0, e = m * d; q < e; q++) out[q] = 0.5 * W[q];
  let loss = pop.teacherTerm;
  for (let i = 0; i < m; i++) {
    const oi = i * d;
    const ni = normW[i];
    const invNi = 1 / ni;
    loss += 0.25 * ni * ni;
    // Student-student pairs: each unordered pair once, both rows updated.
    for (let i2 = i + 1; i2 < m; i2++) {
      const o2 = i2 * d;
      const n2 = normW[i2];
      const invN2 = 1 / n2;
      let dm = 0;
      let dp = 0;
      for (let c = 0; c < d; c++) {
        const a = W[oi + c] * invNi;
        const b = W[o2 + c] * invN2;
        dm += (a - b) * (a - b);
        dp += (a + b) * (a + b);
      }
      const sn = 0.5 * Math.sqrt(dm * dp);
      const cs = 0.25 * (dp - dm);
      const t = 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
      loss += ni * n2 * (sn + (Math.PI - t) * cs) * INV_TWO_PI;
      // g(w_i, w_i2) = (n2 sn w_i/ni + (pi - t) w_i2)/(2 pi), and symmetrically.
      const beta = (Math.PI - t) * INV_TWO_PI;
      const alphaI = n2 * sn * invNi * INV_TWO_PI;
      const alpha2 = ni * sn * invN2 * INV_TWO_PI;
      for (let c = 0; c < d; c++) {
        const wi = W[oi + c];
        const w2 = W[o2 + c];
        out[oi + c] += alphaI * wi + beta * w2;
        out[o2 + c] += alpha2 * w2 + beta * wi;
      }
    }
    for (let j = 0; j < k; j++) {
      const oj = j * d;
      const nj = normV[j];
      const invNj = 1 / nj;
      let dm = 0;
      let dp = 0;
      for (let c = 0; c < d; c++) {
        const a = W[oi + c] * invNi;
        const b = V[oj + c] * invNj;
        dm += (a - b) * (a - b);
        dp += (a + b) * (a + b);
      }
      const sn = 0.5 * Math.sqrt(dm * dp);
      const cs = 0.25 * (dp - dm);
      const t = 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
      loss -= ni * nj * (sn + (Math.PI - t) * cs) * INV_TWO_PI;
      const beta = (Math.PI - t) * INV_TWO_PI;
      const alpha = nj * sn * invNi * INV_TWO_PI;
      for (let c = 0; c < d; c++) out[oi + c] -= alpha * W[oi + c] + beta * V[oj + c];
    }
  }
  return loss;
}

/** out = Hessian of L at W, [(m d)^2]; no checks. */
export function hessianKernel(out: Float64Array, pop: Population, W: ArrayLike<number>): void {
  const { m, k, d, V, normV, normW } = pop;
  const p = m * d;
  rowNorms(normW, W, m, d);
  out.fill(0);
  for (let q = 0; q < p; q++) out[q * p + q] = 0.5;
  for (let i = 0; i < m; i++) {
    const oi = i * d;
    for (let i2 = i + 1; i2 < m; i2++) {
      const o2 = i2 * d;
      // Off-diagonal block (i, i2) and its mirror, then the H_uu terms of both diagonal blocks.
      pairHessian(out, p, pop, W, oi, normW[i], W, o2, normW[i2], 1, true);
      pairHessian(out, p, pop, W, o2, normW[i2], W, oi, normW[i], 1, false);
    }
    for (let j = 0; j < k; j++) pairHessian(out, p, pop, W, oi, normW[i], V, j * d, normV[j], -1, false);
  }
}

/**
 * Adds sign * H_uu(u, v) to the diagonal block of u (rows/cols uOff..uOff+d of the Hessian) and,
 * when `cross` is set, H_uv(u, v) to block (u, v) and its transpose to block (v, u); u and v are
 * then both student rows, at parameter offsets uOff and vOff.
 */
function pairHessian(
  H: Float64Array,
  p: number,
  pop: Population,
  A: ArrayLike<number>,
  uOff: number,
  nu: number,
  B: ArrayLike<number>,
  vOff: number,
  nv: number,
  sign: number,
  cross: boolean,
): void {
  const d = pop.d;
  const nuv = pop.scratchA; // n_u
  const nvv = pop.scratchB; // n_v
  const invU = 1 / nu;
  const invV = 1 / nv;
  let dm = 0;
  let dp = 0;
  for (let c = 0; c < d; c++) {
    const a = A[uOff + c] * invU;
    const b = B[vOff + c] * invV;
    dm += (a - b) * (a - b);
    dp += (a + b) * (a + b);
  }
  const sn = 0.5 * Math.sqrt(dm * dp);
  const cs = 0.25 * (dp - dm);
  const t = 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
  // n_u and n_v; when the vectors are (anti)parallel (sn = 0) every term using them carries a
  // factor sn, so they are set to 0.
  const invS = sn > 0 ? 1 / sn : 0;
  for (let c = 0; c < d; c++) {
    const a = A[uOff + c] * invU;
    const b = B[vOff + c] * invV;
    nuv[c] = (b - cs * a) * invS;
    nvv[c] = (a - cs * b) * invS;
  }
  // Diagonal block of u: sign * |v| sn /(2 pi |u|) (I - u^ u^T + n_u n_u^T).
  const f = sign * nv * sn * invU * INV_TWO_PI;
  if (f !== 0) {
    for (let a = 0; a < d; a++) {
      const ua = A[uOff + a] * invU;
      const na = nuv[a];
      const row = (uOff + a) * p + uOff;
      H[row + a] += f * (1 + na * na - ua * ua);
      for (let b = a + 1; b < d; b++) {
        const val = f * (na * nuv[b] - ua * (A[uOff + b] * invU));
        H[row + b] += val;
        H[(uOff + b) * p + uOff + a] += val;
      }
    }
  }
  if (!cross) return;
  // Block (u, v): ((pi - t) I + sn u^ v^T + sn n_u n_v^T)/(2 pi), mirrored into (v, u).
  const diag = (Math.PI - t) * INV_TWO_PI;
  const g = sn * INV_TWO_PI;
  for (let a = 0; a < d; a++) {
    const ua = A[uOff + a] * invU;
    const na = nuv[a];
    const row = (uOff + a) * p + vOff;
    for (let b = 0; b < d; b++) {
      const val = g * (ua * (B[vOff + b] * invV) + na * nvv[b]) + (a === b ? diag : 0);
      H[row + b] += val;
      H[(vOff + b) * p + uOff + a] += val;
    }
  }
}

/** K(u, v) for rows at offsets with known nonzero norms. */
function kernelAt(A: ArrayLike<number>, aOff: number, na: number, B: ArrayLike<number>, bOff: number, nb: number, d: number): number {
  const ia = 1 / na;
  const ib = 1 / nb;
  let dm = 0;
  let dp = 0;
  for (let c = 0; c < d; c++) {
    const a = A[aOff + c] * ia;
    const b = B[bOff + c] * ib;
    dm += (a - b) * (a - b);
    dp += (a + b) * (a + b);
  }
  const sn = 0.5 * Math.sqrt(dm * dp);
  const cs = 0.25 * (dp - dm);
  const t = 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
  return na * nb * (sn + (Math.PI - t) * cs) * INV_TWO_PI;
}

/** out[i] = |row i of A| for A [rows x d]. */
export function rowNorms(out: Float64Array, A: ArrayLike<number>, rows: number, d: number): void {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * d;
    for (let c = 0; c < d; c++) s += A[o + c] * A[o + c];
    out[i] = Math.sqrt(s);
  }
}

function checkStudent(fn: string, pop: Population, W: ArrayLike<number>): void {
  const { m, d } = pop;
  if (W.length !== m * d) throw new InputError(fn, 'W', W, `length m * d = ${m * d}`);
  checkAllFinite(fn, 'W', W);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += W[i * d + c] * W[i * d + c];
    if (s === 0) throw new InputError(fn, `W row ${i}`, 0, 'a nonzero row (L is not differentiable at a zero neuron; see zeroNeuronSlope)');
  }
}
