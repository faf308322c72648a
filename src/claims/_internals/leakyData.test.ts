import { describe, expect, test } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { isotropicData, nearOrthogonalityRatio } from '../../core/data.ts';
import { gram, randomOrthonormal } from '../../core/linalg.ts';
import { simulate } from '../../core/dynamics.ts';
import { InputError } from '../../core/errors.ts';
import type { Problem } from '../../core/types.ts';
import { bartlettRows, chiSample, gammaSample, nearOrthogonalityFromGram } from './leakyData.ts';

/** Monte Carlo means are compared within this many standard errors (false alarm ~1e-6 per test). */
const Z = 5;

function meanSd(xs: number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n) };
}

describe('gammaSample / chiSample', () => {
  test('Gamma(k, 1) has mean k and variance k; chi_nu^2 has mean nu (shapes 1, 3.5, 32000)', () => {
    const rng = new Rng(1);
    for (const k of [1, 3.5, 32000]) {
      const xs = Array.from({ length: 4000 }, () => gammaSample(rng, k));
      const { mean, se } = meanSd(xs);
      expect(Math.abs(mean - k)).toBeLessThan(Z * Math.sqrt(k / xs.length));
      expect(se * Math.sqrt(xs.length)).toBeGreaterThan(0.9 * Math.sqrt(k));
      expect(se * Math.sqrt(xs.length)).toBeLessThan(1.1 * Math.sqrt(k));
    }
    const c2 = Array.from({ length: 4000 }, () => chiSample(rng, 7) ** 2);
    expect(Math.abs(meanSd(c2).mean - 7)).toBeLessThan(Z * Math.sqrt(14 / 4000));
  });

  test('shape < 1 is refused', () => {
    expect(() => gammaSample(new Rng(1), 0.5)).toThrow(InputError);
  });
});

describe('bartlettRows', () => {
  test('lower triangular with positive diagonal; blocks of rows from one call equal the rows of the full factor in law, not in stream', () => {
    const L = bartlettRows(new Rng(2), 5, 0, 5, 50);
    for (let i = 0; i < 5; i++) {
      expect(L[i * 5 + i]).toBeGreaterThan(0);
      for (let j = i + 1; j < 5; j++) expect(L[i * 5 + j]).toBe(0);
    }
    const B = bartlettRows(new Rng(2), 5, 2, 4, 50);
    expect(B.length).toBe(2 * 5);
    expect(B[0 * 5 + 3]).toBe(0);
    expect(() => bartlettRows(new Rng(2), 5, 0, 5, 5)).toThrow(InputError);
  });

  test('the same stream gives the same rows whatever the frame width k (zero padding only)', () => {
    const a = bartlettRows(new Rng(4), 6, 0, 3, 100);
    const b = bartlettRows(new Rng(4), 9, 0, 3, 100);
    for (let i = 0; i < 3; i++) for (let j = 0; j <= i; j++) expect(a[i * 6 + j]).toBe(b[i * 9 + j]);
  });

  test('Gram moments of k Gaussian vectors in R^d: E ||x_i||^2 = d, E <x_i, x_k> = 0, E <x_i, x_k>^2 = d', () => {
    const k = 4;
    const d = 300;
    const rng = new Rng(3);
    const diag: number[] = [];
    const off: number[] = [];
    const offSq: number[] = [];
    for (let r = 0; r < 3000; r++) {
      const K = gram(bartlettRows(rng.fork(r), k, 0, k, d), k, k);
      diag.push(K[3 * k + 3]);
      off.push(K[1 * k + 3]);
      offSq.push(K[0 * k + 2] ** 2);
    }
    const dm = meanSd(diag);
    expect(Math.abs(dm.mean - d)).toBeLessThan(Z * dm.se);
    const om = meanSd(off);
    expect(Math.abs(om.mean)).toBeLessThan(Z * om.se);
    const sm = meanSd(offSq);
    expect(Math.abs(sm.mean - d)).toBeLessThan(Z * sm.se);
  });

  test('same law as a direct d-dimensional draw: mean near-orthogonality ratio of n = 6 points in d = 400', () => {
    const n = 6;
    const d = 400;
    const direct: number[] = [];
    const bart: number[] = [];
    for (let r = 0; r < 600; r++) {
      const data = isotropicData(new Rng(10_000 + r), { n, d, dist: 'gaussian', labels: { kind: 'sign' } });
      direct.push(nearOrthogonalityRatio(data));
      bart.push(nearOrthogonalityFromGram(gram(bartlettRows(new Rng(20_000 + r), n, 0, n, d), n, n), n));
    }
    const a = meanSd(direct);
    const b = meanSd(bart);
    expect(Math.abs(a.mean - b.mean)).toBeLessThan(Z * Math.hypot(a.se, b.se));
  });
});

describe('nearOrthogonalityFromGram', () => {
  test('equals the core nearOrthogonalityRatio (per point) on explicit data', () => {
    const data = isotropicData(new Rng(7), { n: 7, d: 90, dist: 'gaussian', labels: { kind: 'sign' } });
    expect(Math.abs(nearOrthogonalityFromGram(gram(data.X, 7, 90), 7) - nearOrthogonalityRatio(data))).toBeLessThan(1e-12);
  });
});

describe('exactness of the (n + m)-dimensional frame', () => {
  test('GD is rotation-equivariant: an isometric embedding of (X, W0) into a larger space gives the same losses, margins and stable ranks', () => {
    const n = 4;
    const m = 5;
    const k = n + m;
    const D = 23;
    const rng = new Rng(8);
    const X = bartlettRows(rng.fork(1), k, 0, n, 1000);
    const W0 = bartlettRows(rng.fork(2), k, n, k, 1000).map((v) => 1e-3 * v);
    const a = Float64Array.from({ length: m }, (_, j) => (j % 2 === 0 ? 1 : -1) / Math.sqrt(m));
    const y = Float64Array.of(1, -1, 1, -1);
    // Q [k x D] with orthonormal rows: x -> x Q embeds R^k isometrically into R^D.
    const Q = randomOrthonormal(rng.fork(3), k, D);
    const embed = (A: Float64Array, rows: number) => {
      const out = new Float64Array(rows * D);
      for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) for (let q = 0; q < D; q++) out[r * D + q] += A[r * k + c] * Q[c * D + q];
      return out;
    };
    const model = { activation: 'leaky', leak: 0.3, outputScale: '1', train: 'first', bias: false } as const;
    const dyn = { kind: 'gd', eta: 1e-3, steps: 200 } as const;
    const run = (Xs: Float64Array, Ws: Float64Array, d: number) => {
      const problem: Problem = { data: { n, d, X: Xs, y }, model, loss: 'logistic', weightDecay: 0 };
      return simulate(problem, { m, d, W: Ws, a, b: null }, dyn, { engine: 'full' });
    };
    const small = run(X, W0, k);
    const big = run(embed(X, n), embed(W0, m), D);
    // Round-off of d-length dot products in two frames.
    expect(Math.abs(small.finalLoss - big.finalLoss)).toBeLessThan(1e-12);
    const G1 = gram(small.final.W, m, k);
    const G2 = gram(big.final.W, m, D);
    for (let q = 0; q < m * m; q++) expect(Math.abs(G1[q] - G2[q])).toBeLessThan(1e-12 * Math.max(1, Math.abs(G1[q])));
  });
});
