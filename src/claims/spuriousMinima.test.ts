import { describe, expect, test } from 'vitest';
import { cochranArmitage, continueFamily, fitInverseK, spuriousMinima } from './spuriousMinima.ts';
import { judgeTrial } from './claim.ts';
import { identityTeacher, makePopulation } from '../core/population.ts';
import { searchFromXavier } from '../core/criticalPoints.ts';
import { Rng } from '../core/rng.ts';

/** Least squares on exact data: the coefficients come back to round-off (condition ~1e6 here). */
const FIT_TOL = 1e-8;
/** z of the trend test in closed form vs the implementation: a few roundings. */
const Z_TOL = 1e-12;

describe('cochranArmitage', () => {
  test('matches the closed form on two groups and is 1 (p) without events or without trend', () => {
    // Two groups at x = 0, 1 with 10 trials each, 2 and 6 events: pbar = 0.4, xbar = 0.5,
    // num = 2(-0.5) + 6(0.5) = 2, den = 10 (0.25) + 10 (0.25) = 5, z = 2 / sqrt(0.24 * 5).
    const t = cochranArmitage([
      { x: 0, trials: 10, events: 2 },
      { x: 1, trials: 10, events: 6 },
    ]);
    expect(Math.abs(t.z - 2 / Math.sqrt(1.2))).toBeLessThan(Z_TOL);
    expect(t.pValue).toBeGreaterThan(0);
    expect(t.pValue).toBeLessThan(0.05);
    expect(cochranArmitage([{ x: 0, trials: 5, events: 0 }, { x: 1, trials: 5, events: 0 }]).pValue).toBe(1);
    const flat = cochranArmitage([{ x: 0, trials: 10, events: 3 }, { x: 1, trials: 10, events: 3 }]);
    expect(flat.z).toBe(0);
    expect(flat.pValue).toBe(0.5);
  });
});

describe('fitInverseK', () => {
  test('recovers a + b/k + c/k^2 from exact data', () => {
    const pts = [6, 8, 10, 14, 20, 30].map((k) => ({ k, loss: 0.01 + 0.2 / k - 0.4 / (k * k) }));
    const f = fitInverseK(pts);
    expect(Math.abs(f.a - 0.01)).toBeLessThan(FIT_TOL);
    expect(Math.abs(f.b - 0.2)).toBeLessThan(FIT_TOL);
    expect(Math.abs(f.c + 0.4)).toBeLessThan(FIT_TOL);
    expect(f.seA).toBeLessThan(FIT_TOL);
    expect(Number.isNaN(fitInverseK(pts.slice(0, 3)).a)).toBe(true);
  });
});

describe('spurious-minima trials', () => {
  test('a trial observes both widths from the same init stream and judges m = k + 1', () => {
    const out = judgeTrial(spuriousMinima, { k: 8 }, 12345);
    const o = out.observation;
    expect(o.k).toBe(8);
    expect(['global', 'spurious-strict', 'spurious-degenerate', 'saddle']).toContain(o.outcomeK);
    expect(out.pass).toBe(o.outcomeK1 === 'global');
    expect(out.mutants?.['no-overparameterization-needed']).toBe(o.outcomeK === 'global');
    // The same stream at m = k reproduces the observation's outcome.
    const again = searchFromXavier(makePopulation(identityTeacher(8), 8, 8, 8), new Rng(12345));
    expect(again.outcome).toBe(o.outcomeK);
  });

  test('continueFamily carries a spurious minimum from k to k + 2 with decreasing loss', () => {
    const pop = makePopulation(identityTeacher(8), 8, 8, 8);
    let W: Float64Array | null = null;
    for (let s = 1; s <= 80 && W === null; s++) {
      const r = searchFromXavier(pop, new Rng(s));
      if (r.outcome === 'spurious-strict') W = r.W;
    }
    expect(W).not.toBeNull();
    const pts = continueFamily(W as Float64Array, 8, 10);
    expect(pts.map((p) => p.k)).toEqual([8, 9, 10]);
    for (let i = 1; i < pts.length; i++) expect(pts[i].loss).toBeLessThan(pts[i - 1].loss);
    for (const p of pts) expect(p.kind).toBe('strict-min');
  });
});
