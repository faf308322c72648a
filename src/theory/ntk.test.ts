import { describe, expect, test } from 'vitest';
import { Rng } from '../core/rng.ts';
import { fixedSecondLayerInit } from '../core/init.ts';
import { separatedSphereData } from '../core/separatedData.ts';
import { extremeEigs, ntkEmpirical, ntkInfinite } from './ntk.ts';

describe('NTK of the two-layer ReLU network (first layer trained)', () => {
  test('closed form: orthogonal inputs give H_inf = diag(||x||^2 / 2); parallel inputs ||x|| ||x\'|| / 2; opposite ones 0', () => {
    const X = Float64Array.of(2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, -1, 4, 0, 0);
    const H = ntkInfinite({ n: 5, d: 3, X, y: new Float64Array(5) });
    expect(H[0 * 5 + 0]).toBeCloseTo(2, 14); // ||x||^2 / 2 = 4 / 2
    expect(H[1 * 5 + 1]).toBeCloseTo(4.5, 14);
    expect(H[0 * 5 + 1]).toBeCloseTo(0, 14); // orthogonal: <x, x'> = 0
    expect(H[0 * 5 + 4]).toBeCloseTo(4, 14); // parallel: 2 * 4 * (pi - 0) / (2 pi)
    expect(H[2 * 5 + 3]).toBeCloseTo(0, 14); // opposite: (pi - pi) = 0
  });
  test('the empirical kernel at a wide Gaussian init matches H_inf within sampling error (Monte Carlo, m = 40000)', () => {
    const data = separatedSphereData(new Rng(5), { n: 6, d: 4, phi: 0.4 });
    const m = 40000;
    const p = fixedSecondLayerInit(new Rng(6), { m, d: 4, wStd: Math.sqrt(2 / 4), aValue: 1 });
    const He = ntkEmpirical(data, p);
    const Hi = ntkInfinite(data);
    // each entry is a mean of m Bernoulli(q) times <x_i, x_k> (|<x_i, x_k>| <= 1): SD <= 0.5 / sqrt(m) = 0.0025; allow 5 SD
    const TOL = 5 * (0.5 / Math.sqrt(m));
    for (let k = 0; k < 36; k++) expect(Math.abs(He[k] - Hi[k])).toBeLessThan(TOL);
    const e = extremeEigs(Hi, 6);
    expect(e.min).toBeGreaterThan(0); // no two inputs parallel: positive definite
    expect(e.max).toBeGreaterThan(e.min);
  });
});

describe('separatedSphereData', () => {
  test('unit norms, minimum separation exactly phi, labels +-1, deterministic', () => {
    for (const phi of [0.1, 0.5, 0.9]) {
      const a = separatedSphereData(new Rng(11), { n: 12, d: 5, phi });
      for (let i = 0; i < 12; i++) {
        let s = 0;
        for (let c = 0; c < 5; c++) s += a.X[i * 5 + c] ** 2;
        expect(Math.abs(s - 1)).toBeLessThan(1e-12);
        expect(Math.abs(a.y[i])).toBe(1);
      }
      expect(Math.abs(a.minSeparation - phi)).toBeLessThan(1e-12);
      expect(separatedSphereData(new Rng(11), { n: 12, d: 5, phi }).X).toEqual(a.X);
    }
  });
  test('bad input names the field', () => {
    expect(() => separatedSphereData(new Rng(1), { n: 5, d: 3, phi: 0 })).toThrow(/phi/);
    expect(() => separatedSphereData(new Rng(1), { n: 5, d: 3, phi: 2 })).toThrow(/phi/);
    expect(() => separatedSphereData(new Rng(1), { n: 1, d: 3, phi: 0.5 })).toThrow(/\bn\b/);
    expect(() => separatedSphereData(new Rng(1), { n: 200, d: 2, phi: 1.2 })).toThrow(/phi/);
  });
});
