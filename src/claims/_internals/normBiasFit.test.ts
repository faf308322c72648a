import { describe, expect, test } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { bootstrap, fitSaturation } from './normBiasFit.ts';

/** Exact data through a grid exponent: least squares recovers it to round-off. */
const EXACT = 1e-9;

describe('fitSaturation / bootstrap', () => {
  const ns = [64, 256, 1024, 4096, 16384];
  test('recovers R_inf, C, beta from exact data (beta on the grid)', () => {
    const means = ns.map((n) => 2.4 - 5 * Math.pow(n, -0.5));
    const f = fitSaturation(ns, means);
    expect(Math.abs(f.beta - 0.5)).toBeLessThan(EXACT);
    expect(Math.abs(f.Rinf - 2.4)).toBeLessThan(EXACT);
    expect(Math.abs(f.C - 5)).toBeLessThan(EXACT);
  });
  test('constant draws: the bootstrap interval has zero width at the estimate', () => {
    const draws = ns.map((n) => [1, 1, 1].map(() => 2.4 - 5 * Math.pow(n, -0.5)));
    const [rinf] = bootstrap(draws, (mu) => [fitSaturation(ns, mu).Rinf], new Rng(1));
    expect(rinf.hi - rinf.lo).toBeLessThan(EXACT);
    expect(Math.abs(rinf.est - 2.4)).toBeLessThan(EXACT);
  });
  test('noisy draws: the 95% interval of a mean covers the true mean', () => {
    const rng = new Rng(7);
    const draws = [Array.from({ length: 400 }, () => rng.uniform())];
    const [m] = bootstrap(draws, (mu) => mu, new Rng(2));
    expect(m.lo).toBeLessThan(0.5);
    expect(m.hi).toBeGreaterThan(0.5);
    expect(m.hi - m.lo).toBeLessThan(0.1);
  });
  test('rejects fewer than 3 points', () => {
    expect(() => fitSaturation([1, 2], [1, 2])).toThrow();
  });
});
