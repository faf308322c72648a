import { describe, expect, test } from 'vitest';
import { identityTeacher, makePopulation, populationGradient, populationHessian, populationLoss, reluKernel } from './population.ts';
import { InputError } from './errors.ts';
import { gaussian, makeRng, orthonormalRows } from './_internals/random.test-helpers.ts';

/**
 * Monte Carlo agreement: a sample mean of N i.i.d. terms is within 5 standard errors of its
 * expectation except with probability ~6e-7 per comparison (CLT; the terms here have all
 * moments). With a fixed seed the test is deterministic; 5 SE keeps the chance that a correct
 * formula would have failed for the chosen seed negligible over the ~40 comparisons below, while
 * a wrong constant (e.g. 1/pi for 1/(2 pi)) is off by hundreds of SE at N = 2e5.
 */
const MC_SE_MULTIPLE = 5;
const MC_SAMPLES = 200_000;
/**
 * Central differences with h = 1e-5 on O(1) parameters: truncation h^2 |L'''| / 6 ~ 1e-10 and
 * round-off eps |L| / h ~ 1e-10 (L ~ 10 here); 1e-7 absolute is far above both and far below
 * any real error (a missing term or factor is >= 1e-2). Points keep all angles away from 0 and pi.
 */
const FD_STEP = 1e-5;
const FD_TOL = 1e-7;
/**
 * At exactly parallel neurons (a split) K is only C^2: it has a |angle|^3 term, so the gradient
 * has an odd |delta| delta part and the central difference of the gradient errs by O(h). With
 * h = 1e-6 that is ~1e-6; 2e-5 leaves room and still catches any wrong limit value (O(0.1)).
 */
const SPLIT_FD_STEP = 1e-6;
const SPLIT_FD_TOL = 2e-5;
/** Identities among sums of O(k^2) terms of size O(1), computed in different orders. */
const ROUNDOFF_TOL = 1e-12;

function relu(z: number): number {
  return z > 0 ? z : 0;
}

/** Monte Carlo estimates of L and of grad L (E[(f_W - f_V) 1[w_i.x > 0] x]), with standard errors. */
function monteCarlo(W: Float64Array, m: number, V: Float64Array, k: number, d: number, N: number, seed: number) {
  const normal = makeRng(seed);
  const x = new Float64Array(d);
  let s = 0;
  let s2 = 0;
  const g = new Float64Array(m * d);
  const g2 = new Float64Array(m * d);
  for (let t = 0; t < N; t++) {
    for (let a = 0; a < d; a++) x[a] = normal();
    let f = 0;
    const act = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      let z = 0;
      for (let a = 0; a < d; a++) z += W[i * d + a] * x[a];
      if (z > 0) act[i] = 1;
      f += relu(z);
    }
    for (let j = 0; j < k; j++) {
      let z = 0;
      for (let a = 0; a < d; a++) z += V[j * d + a] * x[a];
      f -= relu(z);
    }
    const l = 0.5 * f * f;
    s += l;
    s2 += l * l;
    for (let i = 0; i < m; i++) {
      for (let a = 0; a < d; a++) {
        const v = act[i] ? f * x[a] : 0;
        g[i * d + a] += v;
        g2[i * d + a] += v * v;
      }
    }
  }
  const mean = s / N;
  const se = Math.sqrt((s2 / N - mean * mean) / N);
  const gMean = g.map((v) => v / N);
  const gSe = g2.map((v, q) => Math.sqrt((v / N - gMean[q] * gMean[q]) / N));
  return { mean, se, gMean, gSe };
}

function fdGradient(pop: ReturnType<typeof makePopulation>, W: Float64Array, h: number): Float64Array {
  const out = new Float64Array(W.length);
  for (let q = 0; q < W.length; q++) {
    const Wp = W.slice();
    const Wm = W.slice();
    Wp[q] += h;
    Wm[q] -= h;
    out[q] = (populationLoss(pop, Wp) - populationLoss(pop, Wm)) / (2 * h);
  }
  return out;
}

/** max |H - central differences of the analytic gradient| over all entries. */
function hessianFdError(pop: ReturnType<typeof makePopulation>, W: Float64Array, h: number): number {
  const p = W.length;
  const H = new Float64Array(p * p);
  populationHessian(H, pop, W);
  const gp = new Float64Array(p);
  const gm = new Float64Array(p);
  let err = 0;
  for (let q = 0; q < p; q++) {
    const Wp = W.slice();
    const Wm = W.slice();
    Wp[q] += h;
    Wm[q] -= h;
    populationGradient(gp, pop, Wp);
    populationGradient(gm, pop, Wm);
    for (let r = 0; r < p; r++) err = Math.max(err, Math.abs((gp[r] - gm[r]) / (2 * h) - H[r * p + q]));
  }
  return err;
}

describe('reluKernel', () => {
  test('K(u, u) = |u|^2 / 2, K(u, -u) = 0, K(u, v) = |u||v|/(2 pi) at a right angle', () => {
    const u = Float64Array.of(3, 4, 0);
    expect(reluKernel(u, 0, u, 0, 3)).toBeCloseTo(12.5, 12);
    const minus = u.map((x) => -x);
    expect(Math.abs(reluKernel(u, 0, minus, 0, 3))).toBeLessThan(ROUNDOFF_TOL);
    const v = Float64Array.of(0, 0, 2);
    expect(reluKernel(u, 0, v, 0, 3)).toBeCloseTo((5 * 2) / (2 * Math.PI), 12);
  });

  test('agrees with Monte Carlo E relu(u.x) relu(v.x) at several angles', () => {
    const normal = makeRng(11);
    const d = 3;
    // Angles from near 0 to near pi.
    const pairs: [number[], number[]][] = [
      [[1, 0, 0], [0.99, 0.1, 0]],
      [[1, 2, 0], [-1, 1, 0.5]],
      [[0.5, -1, 2], [-0.5, 1, -1.9]],
      [[2, 0, 0], [-1, 0.05, 0]],
    ];
    const x = new Float64Array(d);
    for (const [ua, va] of pairs) {
      const u = Float64Array.from(ua);
      const v = Float64Array.from(va);
      let s = 0;
      let s2 = 0;
      for (let t = 0; t < MC_SAMPLES; t++) {
        for (let a = 0; a < d; a++) x[a] = normal();
        const val = relu(u[0] * x[0] + u[1] * x[1] + u[2] * x[2]) * relu(v[0] * x[0] + v[1] * x[1] + v[2] * x[2]);
        s += val;
        s2 += val * val;
      }
      const mean = s / MC_SAMPLES;
      const se = Math.sqrt((s2 / MC_SAMPLES - mean * mean) / MC_SAMPLES);
      expect(Math.abs(reluKernel(u, 0, v, 0, d) - mean)).toBeLessThan(MC_SE_MULTIPLE * Math.max(se, 1e-12));
    }
  });
});

describe('populationLoss / populationGradient', () => {
  const m = 3;
  const k = 2;
  const d = 4;
  const normal = makeRng(5);
  const V = orthonormalRows(normal, k, d);
  const W = gaussian(normal, m * d);
  const pop = makePopulation(V, k, d, m);

  test('loss and gradient agree with Monte Carlo on Gaussian inputs', () => {
    const mc = monteCarlo(W, m, V, k, d, MC_SAMPLES, 17);
    const L = populationLoss(pop, W);
    expect(Math.abs(L - mc.mean)).toBeLessThan(MC_SE_MULTIPLE * mc.se);
    const g = new Float64Array(m * d);
    const L2 = populationGradient(g, pop, W);
    expect(Math.abs(L2 - L)).toBeLessThan(ROUNDOFF_TOL);
    for (let q = 0; q < m * d; q++) expect(Math.abs(g[q] - mc.gMean[q])).toBeLessThan(MC_SE_MULTIPLE * mc.gSe[q]);
  });

  test('gradient agrees with central finite differences of the loss', () => {
    const g = new Float64Array(m * d);
    populationGradient(g, pop, W);
    const fd = fdGradient(pop, W, FD_STEP);
    for (let q = 0; q < m * d; q++) expect(Math.abs(g[q] - fd[q])).toBeLessThan(FD_TOL);
  });

  test('non-orthonormal teacher and d > k: gradient still matches finite differences', () => {
    const V2 = gaussian(normal, 3 * 5);
    const pop2 = makePopulation(V2, 3, 5, 4);
    const W2 = gaussian(normal, 4 * 5);
    const g = new Float64Array(20);
    populationGradient(g, pop2, W2);
    const fd = fdGradient(pop2, W2, FD_STEP);
    for (let q = 0; q < 20; q++) expect(Math.abs(g[q] - fd[q])).toBeLessThan(FD_TOL);
  });

  test('W = V is the global minimum: loss 0 and gradient 0', () => {
    const k2 = 6;
    const V6 = identityTeacher(k2);
    const pop6 = makePopulation(V6, k2, k2, k2);
    const g = new Float64Array(k2 * k2);
    expect(Math.abs(populationGradient(g, pop6, V6))).toBeLessThan(ROUNDOFF_TOL);
    for (const v of g) expect(Math.abs(v)).toBeLessThan(ROUNDOFF_TOL);
  });

  test('invariant under student permutations and under a common rotation of W and V', () => {
    const L = populationLoss(pop, W);
    const perm = [2, 0, 1];
    const Wp = new Float64Array(m * d);
    for (let i = 0; i < m; i++) for (let a = 0; a < d; a++) Wp[i * d + a] = W[perm[i] * d + a];
    expect(Math.abs(populationLoss(pop, Wp) - L)).toBeLessThan(ROUNDOFF_TOL);
    // Rotation R (rows orthonormal, d x d): rows w -> R w.
    const R = orthonormalRows(normal, d, d);
    const rot = (A: Float64Array, rows: number) => {
      const out = new Float64Array(rows * d);
      for (let i = 0; i < rows; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) out[i * d + a] += R[a * d + b] * A[i * d + b];
      return out;
    };
    const popR = makePopulation(rot(V, k), k, d, m);
    expect(Math.abs(populationLoss(popR, rot(W, m)) - L)).toBeLessThan(ROUNDOFF_TOL);
  });

  test('splitting a neuron into c w and (1 - c) w keeps the loss, and both copies get the original gradient row', () => {
    const c = 0.3;
    const Ws = new Float64Array((m + 1) * d);
    Ws.set(W);
    for (let a = 0; a < d; a++) {
      Ws[1 * d + a] = c * W[1 * d + a];
      Ws[m * d + a] = (1 - c) * W[1 * d + a];
    }
    const popS = makePopulation(V, k, d, m + 1);
    const g = new Float64Array(m * d);
    const gs = new Float64Array((m + 1) * d);
    const L = populationGradient(g, pop, W);
    expect(Math.abs(populationGradient(gs, popS, Ws) - L)).toBeLessThan(ROUNDOFF_TOL);
    for (let a = 0; a < d; a++) {
      expect(Math.abs(gs[1 * d + a] - g[1 * d + a])).toBeLessThan(ROUNDOFF_TOL);
      expect(Math.abs(gs[m * d + a] - g[1 * d + a])).toBeLessThan(ROUNDOFF_TOL);
    }
  });

  test('rejects a zero neuron and wrong shapes with InputError', () => {
    const Wz = W.slice();
    Wz.fill(0, d, 2 * d);
    expect(() => populationLoss(pop, Wz)).toThrow(InputError);
    expect(() => populationLoss(pop, W.subarray(1))).toThrow(InputError);
    expect(() => populationGradient(new Float64Array(3), pop, W)).toThrow(InputError);
    expect(() => makePopulation(new Float64Array(8), 2, 4, 3)).toThrow(InputError);
    expect(() => identityTeacher(4, 3)).toThrow(InputError);
  });
});

describe('populationHessian', () => {
  const normal = makeRng(23);

  test('agrees with finite differences of the analytic gradient (generic point, d > k)', () => {
    const m = 4;
    const k = 3;
    const d = 5;
    const pop = makePopulation(orthonormalRows(normal, k, d), k, d, m);
    expect(hessianFdError(pop, gaussian(normal, m * d), FD_STEP)).toBeLessThan(FD_TOL);
  });

  test('is exactly symmetric', () => {
    const m = 3;
    const d = 4;
    const pop = makePopulation(identityTeacher(3, d), 3, d, m);
    const p = m * d;
    const H = new Float64Array(p * p);
    populationHessian(H, pop, gaussian(normal, p));
    for (let r = 0; r < p; r++) for (let c = 0; c < r; c++) expect(H[r * p + c]).toBe(H[c * p + r]);
  });

  test('at exactly parallel neurons (a split) equals the limit value, within the O(h) error of differences', () => {
    const k = 3;
    const d = 3;
    const W = gaussian(normal, 3 * d);
    const Ws = new Float64Array(4 * d);
    Ws.set(W);
    for (let a = 0; a < d; a++) {
      Ws[0 * d + a] = 0.4 * W[a];
      Ws[3 * d + a] = 0.6 * W[a];
    }
    const pop = makePopulation(identityTeacher(k), k, d, 4);
    expect(hessianFdError(pop, Ws, SPLIT_FD_STEP)).toBeLessThan(SPLIT_FD_TOL);
  });

  test('at W = V: diagonal blocks I/2, off-diagonal blocks I/4 + (e_i e_j^T + e_j e_i^T)/(2 pi) (derived)', () => {
    const k = 5;
    const d = 6;
    const V = identityTeacher(k, d);
    const pop = makePopulation(V, k, d, k);
    const p = k * d;
    const H = new Float64Array(p * p);
    populationHessian(H, pop, V);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        for (let a = 0; a < d; a++) {
          for (let b = 0; b < d; b++) {
            let want: number;
            if (i === j) want = a === b ? 0.5 : 0;
            else want = (a === b ? 0.25 : 0) + ((a === i && b === j) || (a === j && b === i) ? 1 / (2 * Math.PI) : 0);
            expect(Math.abs(H[(i * d + a) * p + j * d + b] - want)).toBeLessThan(ROUNDOFF_TOL);
          }
        }
      }
    }
  });

  test('Euler identities: H (w_i in block i) = w_i/2 on block i and grad_u K(w_i\', w_i) on block i\'', () => {
    // grad_u K(u, v) is 0-homogeneous in u and 1-homogeneous in v, so H_ii w_i = w_i/2 (only the
    // self term survives) and H_i'i w_i = grad_u K(w_i', w_i); the latter is taken here by central
    // differences of reluKernel, independently of the Hessian code.
    const m = 3;
    const d = 4;
    const pop = makePopulation(orthonormalRows(normal, 2, d), 2, d, m);
    const W = gaussian(normal, m * d);
    const p = m * d;
    const H = new Float64Array(p * p);
    populationHessian(H, pop, W);
    for (let i = 0; i < m; i++) {
      for (let r = 0; r < p; r++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += H[r * p + i * d + a] * W[i * d + a];
        const i2 = Math.floor(r / d);
        const a = r % d;
        if (i2 === i) {
          expect(Math.abs(s - 0.5 * W[r])).toBeLessThan(ROUNDOFF_TOL);
        } else {
          const up = W.slice(i2 * d, (i2 + 1) * d);
          const um = up.slice();
          up[a] += FD_STEP;
          um[a] -= FD_STEP;
          const gK = (reluKernel(up, 0, W, i * d, d) - reluKernel(um, 0, W, i * d, d)) / (2 * FD_STEP);
          expect(Math.abs(s - gK)).toBeLessThan(FD_TOL);
        }
      }
    }
  });
});
