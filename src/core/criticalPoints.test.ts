import { describe, expect, test } from 'vitest';
import {
  CRITICAL_TOLERANCES,
  classifyCriticalPoint,
  findCriticalPoint,
  hessianSpectrum,
  lineClasses,
  sameUpToSymmetry,
  splitCurvatures,
  splitNeuron,
  xavierInit,
  zeroNeuronSlope,
  zeroNeuronSlopeAt,
} from './criticalPoints.ts';
import { identityTeacher, makePopulation, populationGradient, populationHessian, populationLoss } from './population.ts';
import { Rng } from './rng.ts';
import { InputError } from './errors.ts';
import { globalMinLambdaMin } from '../theory/landscape.ts';

/** Sums of O(k^2) kernel terms of size O(1) in different orders: ~100 ulps. */
const ROUNDOFF_TOL = 1e-12;
/**
 * A point returned by the search has |grad| <= gradTol = 1e-10; its distance to the exact
 * critical point is <= |grad| / lambda_min ~ 1e-8 (lambda_min >= 1e-2 at the minima used), so
 * quantities that vanish at the exact point (D(w_i/|w_i|), grad D there, B_i w_i) are <= ~1e-8.
 */
const NEAR_CRITICAL_TOL = 1e-7;
/** symEig accuracy on Hessians with entries O(1): ~1e-13 absolute (linalg.ts), plus round-off. */
const EIG_TOL = 1e-10;
/** Central differences (h = 1e-5) of the smooth D(u) away from every neuron direction. */
const FD_STEP = 1e-5;
const FD_TOL = 1e-7;

const k = 8;
const pop = makePopulation(identityTeacher(k), k, k, k);

/** The first seed (from 1) whose search ends at a spurious minimum; P(none in 80) ~ 1e-4 at k = 8. */
function firstSpurious(): { W: Float64Array; seed: number } {
  for (let seed = 1; seed <= 80; seed++) {
    const r = findCriticalPoint(pop, xavierInit(new Rng(seed), k, k));
    if (r.stop === 'converged' && classifyCriticalPoint(pop, r.W).spurious) return { W: r.W, seed };
  }
  throw new Error('no spurious minimum in 80 seeds at k = 8');
}
const spurious = firstSpurious();

function permuted(W: Float64Array, m: number, d: number, rowPerm: number[], colPerm: number[]): Float64Array {
  const out = new Float64Array(m * d);
  for (let i = 0; i < m; i++) for (let a = 0; a < d; a++) out[rowPerm[i] * d + colPerm[a]] = W[i * d + a];
  return out;
}

describe('findCriticalPoint', () => {
  test('from a perturbation of V it returns to W = V (Newton-polished, gradient below gradTol)', () => {
    const rng = new Rng(3);
    const W0 = identityTeacher(k);
    for (let q = 0; q < W0.length; q++) W0[q] += 0.05 * rng.normal();
    const r = findCriticalPoint(pop, W0, { globalStopLoss: 0 });
    expect(r.stop).toBe('converged');
    expect(r.gradNorm).toBeLessThanOrEqual(CRITICAL_TOLERANCES.gradTol);
    expect(r.newtonSteps).toBeGreaterThan(0);
    const V = identityTeacher(k);
    // Up to a student permutation (the perturbation is small, so none happens here).
    for (let q = 0; q < V.length; q++) expect(Math.abs(r.W[q] - V[q])).toBeLessThan(NEAR_CRITICAL_TOL);
  });

  test('every search from Xavier init ends at a point whose gradient really is small', () => {
    for (let seed = 100; seed < 110; seed++) {
      const r = findCriticalPoint(pop, xavierInit(new Rng(seed), k, k));
      const g = new Float64Array(k * k);
      const L = populationGradient(g, pop, r.W);
      expect(Math.abs(L - r.loss)).toBeLessThan(ROUNDOFF_TOL);
      if (r.stop === 'converged') expect(Math.hypot(...g)).toBeLessThanOrEqual(CRITICAL_TOLERANCES.gradTol);
      else expect(r.stop).toBe('global');
    }
  });

  test('at width k + 1 the search stops as global once the loss is below globalStopLoss', () => {
    const pop9 = makePopulation(identityTeacher(k), k, k, k + 1);
    const r = findCriticalPoint(pop9, xavierInit(new Rng(1), k + 1, k));
    if (r.stop === 'global') expect(r.loss).toBeLessThanOrEqual(CRITICAL_TOLERANCES.globalStopLoss);
    else expect(r.stop).toBe('converged');
  });

  test('rejects bad arguments with InputError', () => {
    expect(() => findCriticalPoint(pop, new Float64Array(3))).toThrow(InputError);
    expect(() => findCriticalPoint(pop, identityTeacher(k), { step: -1 })).toThrow(InputError);
  });
});

describe('classifyCriticalPoint', () => {
  test('W = V is a global strict minimum, with lambda_min = 1/4 - 1/(2 pi) (theory) by symEig', () => {
    const c = classifyCriticalPoint(pop, identityTeacher(k));
    expect(c).toMatchObject({ kind: 'strict-min', global: true, spurious: false });
    const ev = hessianSpectrum(pop, identityTeacher(k));
    expect(Math.abs(ev[ev.length - 1] - globalMinLambdaMin(k))).toBeLessThan(EIG_TOL);
  });

  test('a spurious minimum: positive loss, and the Cholesky verdict agrees with symEig', () => {
    const c = classifyCriticalPoint(pop, spurious.W);
    expect(c.global).toBe(false);
    expect(c.loss).toBeGreaterThan(CRITICAL_TOLERANCES.globalLossTol);
    const ev = hessianSpectrum(pop, spurious.W);
    const lmin = ev[ev.length - 1];
    expect(c.kind).toBe(lmin > c.curvatureTol ? 'strict-min' : lmin < -c.curvatureTol ? 'saddle' : 'degenerate');
  });

  test('the split of W = V at width k + 1 is a degenerate global minimum', () => {
    const pop9 = makePopulation(identityTeacher(k), k, k, k + 1);
    const c = classifyCriticalPoint(pop9, splitNeuron(identityTeacher(k), k, k, 0, 0.3));
    expect(c).toMatchObject({ kind: 'degenerate', global: true });
  });

  test('a split of a spurious neuron with lambda_min(B_i) < 0 is a saddle (Cholesky) with lambda_min <= 2 lambda_min(B_i) at c = 1/2', () => {
    const curv = splitCurvatures(pop, spurious.W);
    let i = 0;
    for (let j = 1; j < k; j++) if (curv[j] < curv[i]) i = j;
    expect(curv[i]).toBeLessThan(-CRITICAL_TOLERANCES.curvatureTol);
    const pop9 = makePopulation(identityTeacher(k), k, k, k + 1);
    const Ws = splitNeuron(spurious.W, k, k, i, 0.5);
    expect(classifyCriticalPoint(pop9, Ws).kind).toBe('saddle');
    const ev = hessianSpectrum(pop9, Ws);
    expect(ev[ev.length - 1]).toBeLessThanOrEqual(2 * curv[i] + EIG_TOL);
  });
});

describe('embedding identities (derived in criticalPoints.ts)', () => {
  test('adding eps u: L(W, eps u) - L(W) = eps D(u) + eps^2/4 exactly', () => {
    const rng = new Rng(9);
    const pop9 = makePopulation(identityTeacher(k), k, k, k + 1);
    const u = new Float64Array(k);
    const g = new Float64Array(k);
    for (let trial = 0; trial < 5; trial++) {
      for (let a = 0; a < k; a++) u[a] = rng.normal();
      const nu = Math.hypot(...u);
      for (let a = 0; a < k; a++) u[a] /= nu;
      const D = zeroNeuronSlopeAt(g, pop, spurious.W, u);
      for (const eps of [1e-3, 0.1, 1]) {
        const Wbig = new Float64Array((k + 1) * k);
        Wbig.set(spurious.W);
        for (let a = 0; a < k; a++) Wbig[k * k + a] = eps * u[a];
        const dL = populationLoss(pop9, Wbig) - populationLoss(pop, spurious.W);
        expect(Math.abs(dL - (eps * D + (eps * eps) / 4))).toBeLessThan(ROUNDOFF_TOL);
      }
    }
  });

  test('grad D agrees with central differences, and D is 1-homogeneous', () => {
    const rng = new Rng(4);
    const u = new Float64Array(k);
    for (let a = 0; a < k; a++) u[a] = rng.normal();
    const g = new Float64Array(k);
    const scratch = new Float64Array(k);
    const D = zeroNeuronSlopeAt(g, pop, spurious.W, u);
    expect(Math.abs(zeroNeuronSlopeAt(scratch, pop, spurious.W, u.map((x) => 3 * x)) - 3 * D)).toBeLessThan(ROUNDOFF_TOL);
    for (let a = 0; a < k; a++) {
      const up = u.slice();
      const um = u.slice();
      up[a] += FD_STEP;
      um[a] -= FD_STEP;
      const fd = (zeroNeuronSlopeAt(scratch, pop, spurious.W, up) - zeroNeuronSlopeAt(scratch, pop, spurious.W, um)) / (2 * FD_STEP);
      expect(Math.abs(fd - g[a])).toBeLessThan(FD_TOL);
    }
  });

  test('at a critical point D(w_i/|w_i|) = 0 and grad D(w_i/|w_i|) = 0 for every neuron', () => {
    const g = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const u = spurious.W.slice(i * k, (i + 1) * k);
      expect(Math.abs(zeroNeuronSlopeAt(g, pop, spurious.W, u))).toBeLessThan(NEAR_CRITICAL_TOL);
      for (const v of g) expect(Math.abs(v)).toBeLessThan(NEAR_CRITICAL_TOL);
    }
  });

  test('split Hessian on (xi, -xi) has Rayleigh quotient xi^T B_i xi / (2 c (1 - c))', () => {
    const rng = new Rng(12);
    const pop9 = makePopulation(identityTeacher(k), k, k, k + 1);
    const H = new Float64Array(k * k * k * k);
    populationHessian(H, pop, spurious.W);
    const p9 = (k + 1) * k;
    const H9 = new Float64Array(p9 * p9);
    for (const [i, c] of [
      [0, 0.5],
      [3, 0.2],
    ] as const) {
      populationHessian(H9, pop9, splitNeuron(spurious.W, k, k, i, c));
      const xi = new Float64Array(k);
      for (let a = 0; a < k; a++) xi[a] = rng.normal();
      const x = new Float64Array(p9);
      for (let a = 0; a < k; a++) {
        x[i * k + a] = xi[a];
        x[k * k + a] = -xi[a];
      }
      let q9 = 0;
      for (let r = 0; r < p9; r++) for (let s = 0; s < p9; s++) q9 += x[r] * H9[r * p9 + s] * x[s];
      let qB = 0;
      const p = k * k;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) qB += xi[a] * (H[(i * k + a) * p + i * k + b] - (a === b ? 0.5 : 0)) * xi[b];
      }
      expect(Math.abs(q9 - qB / (c * (1 - c)))).toBeLessThan(ROUNDOFF_TOL * 100);
    }
  });

  test('at W = V: D vanishes identically and every B_i = 0 (no descent direction from either embedding)', () => {
    const V = identityTeacher(k);
    for (const v of splitCurvatures(pop, V)) expect(Math.abs(v)).toBeLessThan(EIG_TOL);
    const z = zeroNeuronSlope(pop, V, new Rng(2), 4);
    expect(Math.abs(z.minSlope)).toBeLessThan(ROUNDOFF_TOL);
    expect(z.negativeStarts).toBe(0);
  });

  test('at the spurious minimum the zero-neuron slope is negative (a proof: D is evaluated at the returned u)', () => {
    const z = zeroNeuronSlope(pop, spurious.W, new Rng(2), 8);
    expect(z.minSlope).toBeLessThan(-CRITICAL_TOLERANCES.curvatureTol);
    const g = new Float64Array(k);
    expect(Math.abs(zeroNeuronSlopeAt(g, pop, spurious.W, z.direction) - z.minSlope)).toBeLessThan(ROUNDOFF_TOL);
    expect(Math.abs(Math.hypot(...z.direction) - 1)).toBeLessThan(ROUNDOFF_TOL);
  });
});

describe('sameUpToSymmetry / lineClasses', () => {
  test('recognises a student- and teacher-permuted copy and returns the permutations', () => {
    const rng = new Rng(8);
    const rows = rng.shuffle([...Array(k).keys()]);
    const cols = rng.shuffle([...Array(k).keys()]);
    const B = permuted(spurious.W, k, k, rows, cols);
    // The loss is invariant under the group (teacher V = I permutes with the coordinates).
    expect(Math.abs(populationLoss(pop, B) - populationLoss(pop, spurious.W))).toBeLessThan(ROUNDOFF_TOL);
    const match = sameUpToSymmetry(spurious.W, B, k, k);
    expect(match).not.toBeNull();
    for (let i = 0; i < k; i++) {
      for (let a = 0; a < k; a++) expect(Math.abs(spurious.W[i * k + a] - B[match!.rowMap[i] * k + match!.colMap[a]])).toBeLessThanOrEqual(CRITICAL_TOLERANCES.matchTol);
    }
  });

  test('rejects the global minimum, a transposed-sign copy and a small perturbation of one entry', () => {
    expect(sameUpToSymmetry(spurious.W, identityTeacher(k), k, k)).toBeNull();
    expect(sameUpToSymmetry(spurious.W, spurious.W.map((x) => -x), k, k)).toBeNull();
    const B = spurious.W.slice();
    B[5] += 1e-3;
    expect(sameUpToSymmetry(spurious.W, B, k, k)).toBeNull();
  });

  test('W = V has one row class and one column class; a permutation matrix is equivalent to V', () => {
    expect(lineClasses(identityTeacher(k), k, k)).toEqual({ rows: [k], cols: [k] });
    const P = permuted(identityTeacher(k), k, k, [1, 2, 3, 4, 5, 6, 7, 0], [...Array(k).keys()]);
    expect(sameUpToSymmetry(identityTeacher(k), P, k, k)).not.toBeNull();
  });

  test('the classes of a minimum are invariant under the group', () => {
    const rng = new Rng(21);
    const B = permuted(spurious.W, k, k, rng.shuffle([...Array(k).keys()]), rng.shuffle([...Array(k).keys()]));
    expect(lineClasses(B, k, k)).toEqual(lineClasses(spurious.W, k, k));
  });
});

describe('splitNeuron', () => {
  test('copies c w_i into row i and (1 - c) w_i into row m; rejects c outside (0, 1)', () => {
    const W = Float64Array.of(1, 2, 3, 4);
    expect(Array.from(splitNeuron(W, 2, 2, 1, 0.25))).toEqual([1, 2, 0.75, 1, 2.25, 3]);
    expect(() => splitNeuron(W, 2, 2, 1, 1)).toThrow(InputError);
    expect(() => splitNeuron(W, 2, 2, 2, 0.5)).toThrow(InputError);
  });
});
