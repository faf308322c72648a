import { describe, expect, test } from 'vitest';
import { HALVING_RATIO, cauchySchwarzBound, flipAlternatives, limitOf, minNormQ, normBiasPrediction, type NormBiasInit } from './normBias.ts';

/** Closed forms evaluated in float64: a few ulps of O(1) numbers. */
const EXACT = 1e-12;

describe('closed forms', () => {
  test('halving constant: sum_k 2^(-k/2) = 1 + sqrt 2', () => {
    let s = 0;
    for (let k = 1; k <= 200; k++) s += Math.pow(2, -k / 2);
    expect(Math.abs(s - HALVING_RATIO)).toBeLessThan(EXACT);
  });
  test('Q* = 2 (||y/r||_+ + ||y/r||_-)', () => {
    // positives y/r = 1/1, 2/2 -> N+ = sqrt 2; negative y/r = -3/1 -> N- = 3
    expect(Math.abs(minNormQ([1, 2, 1], [1, 2, -3]) - 2 * (Math.SQRT2 + 3))).toBeLessThan(EXACT);
  });
  test('Cauchy-Schwarz bound sqrt(max(k+, k-)), at least 1', () => {
    expect(cauchySchwarzBound(4, 9)).toBe(3);
    expect(cauchySchwarzBound(0, 0)).toBe(1);
  });
});

describe('limit process of an init', () => {
  // Two positive points (y/r = 1 each), one negative (y/r = 2).
  const base = { n: 3, r: [1, 1, 1], y: [1, 1, -2] };
  test('one neuron per class active on the whole class: Q_lim = Q*, two jumps, no alternatives', () => {
    const init: NormBiasInit = { ...base, m: 2, U0: [0.3, 0.5, -0.1, -0.2, 0.1, 0.4], signs: [1, -1] };
    const p = normBiasPrediction(init, 1e-4);
    expect(Math.abs(p.Qlim - p.Qstar)).toBeLessThan(EXACT);
    expect(Math.abs(p.Qstar - 2 * (Math.SQRT2 + 2))).toBeLessThan(EXACT);
    expect([p.jumpsPos, p.jumpsNeg]).toEqual([1, 1]);
    expect(p.flips).toBe(0);
    expect(p.Qhi).toBe(p.Qlim);
  });
  test('two positive neurons on one point each: Q_lim = 2 (1 + 1) + 2 * 2 > Q*', () => {
    const init: NormBiasInit = { ...base, m: 3, U0: [0.3, -0.5, -0.1, -0.2, 0.1, -0.4, -0.1, -0.1, 0.2], signs: [1, 1, -1] };
    const o = limitOf(init);
    expect(Math.abs(o.Qlim - (2 * 2 + 2 * 2))).toBeLessThan(EXACT);
    expect(o.Qlim).toBeGreaterThan(o.Qstar);
  });
  test('near-tie: the flipped order is the limit with the competitor first (closed form)', () => {
    // Positives with y/r = y (r = 1): neuron 0 on {0, 1}, neuron 1 on {1, 2}. Rates
    // kappa_0 = sqrt(1 + 1.21)/n, kappa_1 = sqrt(1.21 + 1)/n * (1 - tiny): neuron 1's y_2 is a
    // hair smaller, so neuron 0 jumps first with a margin of ~1e-4 in l units.
    const y2 = 1 - 1e-4;
    const init: NormBiasInit = { n: 4, m: 3, r: [1, 1, 1, 1], y: [1, 1.1, y2, -1], U0: [1, 1, -1, -1, -1, 1, 1, -1, -1, -1, -1, 1], signs: [1, 1, -1] };
    const o = limitOf(init);
    expect(o.events[0].neurons).toEqual([0]);
    expect(o.events[0].margin).toBeLessThan(1e-3);
    // Limit: neuron 0 fits {0, 1}, neuron 1 then fits {2}; flipped: neuron 1 fits {1, 2}, neuron 0 fits {0}.
    const limitQ = 2 * Math.sqrt(1 + 1.21) + 2 * y2 + 2 * 1;
    const flipQ = 2 * Math.sqrt(1.21 + y2 * y2) + 2 * 1 + 2 * 1;
    expect(Math.abs(o.Qlim - limitQ)).toBeLessThan(EXACT);
    const alts = flipAlternatives(init, o, 0.1);
    expect(alts.length).toBe(1);
    expect(Math.abs(alts[0] - flipQ)).toBeLessThan(EXACT);
    const p = normBiasPrediction(init, 1e-4);
    expect(Math.abs(p.Qhi - Math.max(limitQ, flipQ))).toBeLessThan(EXACT);
  });
  test('the minimum-norm mutant moves the limit to Q* and keeps the bracket', () => {
    const init: NormBiasInit = { ...base, m: 3, U0: [0.3, -0.5, -0.1, -0.2, 0.1, -0.4, -0.1, -0.1, 0.2], signs: [1, 1, -1] };
    const p = normBiasPrediction(init, 1e-4);
    const q = normBiasPrediction(init, 1e-4, { limit: 'qstar' });
    expect(q.Qlim).toBe(p.Qstar);
    expect(q.Qhi).toBe(p.Qhi);
  });
  test('rejects lambdaMax outside (0, 1)', () => {
    const init: NormBiasInit = { ...base, m: 2, U0: [0.3, 0.5, -0.1, -0.2, 0.1, 0.4], signs: [1, -1] };
    expect(() => normBiasPrediction(init, 1)).toThrow();
  });
});
