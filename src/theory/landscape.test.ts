import { describe, expect, test } from 'vitest';
import { embeddingPrediction, expandSpectrum, globalMinHessianSpectrum, globalMinLambdaMin } from './landscape.ts';
import { identityTeacher, makePopulation, populationHessian } from '../core/population.ts';
import { symEig } from '../core/linalg.ts';
import { InputError } from '../core/errors.ts';

/**
 * The closed-form spectrum vs symEig of the assembled Hessian: both exact up to round-off
 * (symEig ~1e-13 absolute on entries of size <= 1, linalg.ts); a wrong sector constant is off
 * by >= 1e-2.
 */
const EIG_TOL = 1e-10;
/**
 * Clustering numerical eigenvalues by value to count a multiplicity: eigenvalues of one line agree
 * to ~1e-13; distinct lines at k <= 8 are >= 0.02 apart.
 */
const CLUSTER_TOL = 1e-8;

const P = 1 / (2 * Math.PI);

function numericSpectrum(k: number, d: number): Float64Array {
  const V = identityTeacher(k, d);
  const pop = makePopulation(V, k, d, k);
  const p = k * d;
  const H = new Float64Array(p * p);
  populationHessian(H, pop, V);
  return symEig(H, p);
}

function countNear(ev: Float64Array, value: number): number {
  let c = 0;
  for (const v of ev) if (Math.abs(v - value) < CLUSTER_TOL) c++;
  return c;
}

describe('globalMinHessianSpectrum', () => {
  test.each([
    [1, 1],
    [1, 3],
    [2, 2],
    [2, 4],
    [3, 3],
    [4, 6],
    [5, 5],
    [7, 7],
  ])('k = %i, d = %i: equals the eigenvalues of the assembled Hessian at W = V', (k, d) => {
    const th = expandSpectrum(globalMinHessianSpectrum(k, d));
    const num = numericSpectrum(k, d);
    expect(th.length).toBe(k * d);
    for (let i = 0; i < k * d; i++) expect(Math.abs(th[i] - num[i])).toBeLessThan(EIG_TOL);
  });

  test.each([3, 4, 5, 6, 7])('k = %i: symmetry-implied multiplicities hold in the numerical spectrum', (k) => {
    const num = numericSpectrum(k, k);
    // 1/4 - 1/(2 pi): (k-1)(k-2)/2 from [k-2,1,1] plus k - 1 from [k-1,1] = k(k-1)/2.
    expect(countNear(num, 0.25 - P)).toBe((k * (k - 1)) / 2);
    // 1/4 + 1/(2 pi): [k-2,2], dimension k(k-3)/2.
    expect(countNear(num, 0.25 + P)).toBe((k * (k - 3)) / 2);
    // Each other standard-sector root has multiplicity k - 1.
    for (const line of globalMinHessianSpectrum(k).filter((l) => l.sector === `[${k - 1},1]` && Math.abs(l.value - (0.25 - P)) > CLUSTER_TOL)) {
      expect(countNear(num, line.value)).toBe(k - 1);
    }
  });

  test('the standard-sector roots sum to (k + 2)/4: one grows like k/4, the other tends to 1/4', () => {
    for (const k of [3, 10, 100, 1000]) {
      const std = globalMinHessianSpectrum(k).filter((l) => l.sector === `[${k - 1},1]` && Math.abs(l.value - (0.25 - P)) > CLUSTER_TOL);
      expect(std.length).toBe(2);
      expect(Math.abs(std[0].value + std[1].value - (k + 2) / 4)).toBeLessThan(EIG_TOL * k);
    }
    const big = globalMinHessianSpectrum(10_000).filter((l) => l.sector.endsWith(',1]'));
    expect(Math.min(...big.map((l) => Math.abs(l.value - 0.25)))).toBeLessThan(1e-3);
  });

  test('multiplicities add up to k d, and lambda_min = 1/4 - 1/(2 pi) for k >= 2', () => {
    for (const [k, d] of [
      [2, 2],
      [6, 6],
      [12, 12],
      [20, 25],
    ]) {
      expect(globalMinHessianSpectrum(k, d).reduce((s, l) => s + l.multiplicity, 0)).toBe(k * d);
      expect(globalMinLambdaMin(k, d)).toBe(0.25 - P);
    }
  });

  test('rejects d < k', () => {
    expect(() => globalMinHessianSpectrum(4, 3)).toThrow(InputError);
  });
});

describe('embeddingPrediction', () => {
  test('a negative split curvature predicts descent for both embeddings, with the bound 2 min', () => {
    expect(embeddingPrediction([0, -0.1, 0.2], 1e-6)).toEqual({ zeroNeuronDescends: true, splitIsSaddle: true, splitLambdaMinBound: -0.2 });
    expect(embeddingPrediction([0, 1e-9], 1e-6).splitIsSaddle).toBe(false);
    expect(() => embeddingPrediction([], 1e-6)).toThrow(InputError);
  });
});
