import { describe, expect, test } from 'vitest';
import { alignmentBound, classRate, equicorrelatedClassNorm, inConeAlignmentTime, logInverseLambdaRatios, lossWeightAtZero, predictAlignment, separation } from './alignment.ts';

/** Closed forms below are evaluated in a few float operations: agreement to round-off. */
const ROUNDOFF = 1e-12;

describe('separation (MVM24 mu)', () => {
  test('two positive and one negative point in the plane: the minimum over pairs of cos(y_i x_i, y_k x_k)', () => {
    // y x: (1, 0), (0.6, 0.8), and -(-1, 0.2) = (1, -0.2) for the negative point.
    const X = [1, 0, 0.6, 0.8, -1, 0.2];
    const y = [1, 1, -1];
    const c12 = 0.6;
    const c13 = 1 / Math.hypot(1, 0.2);
    const c23 = (0.6 - 0.16) / Math.hypot(1, 0.2);
    expect(separation(X, y, 3, 2)).toBeCloseTo(Math.min(c12, c13, c23), 12);
  });
  test('scale invariant and negative when a cross-label pair is positively correlated', () => {
    const X = [2, 0, 0, 3, 1, 1];
    const y = [1, -1, -1];
    // pair (0, 2): y0 y2 <x0, x2> = -2 < 0, cos = -2 / (2 sqrt 2)
    expect(separation(X, y, 3, 2)).toBeCloseTo(-1 / Math.SQRT2, 12);
  });
  test('fewer than two points: Infinity', () => {
    expect(separation([1, 0], [1], 1, 2)).toBe(Infinity);
  });
});

describe('rates and times', () => {
  test('class norm of equicorrelated unit points: ||sum||^2 = n_s + n_s (n_s - 1) mu', () => {
    expect(equicorrelatedClassNorm(1, 0.3)).toBeCloseTo(1, 14);
    expect(equicorrelatedClassNorm(4, 0)).toBeCloseTo(2, 14);
    expect(equicorrelatedClassNorm(4, 1)).toBeCloseTo(4, 14);
  });
  test('class rate g ||X_s|| / n and the loss weight at f = 0', () => {
    expect(lossWeightAtZero('exponential')).toBe(1);
    expect(lossWeightAtZero('logistic')).toBe(0.5);
    expect(classRate(3, 6, 0.5)).toBeCloseTo(0.25, 14);
  });
  test('in-cone time: tan(theta/2) decays like e^{-r t} (round trip), zero when already aligned', () => {
    const r = 0.7;
    const eps = 1e-3;
    const t = inConeAlignmentTime(Math.PI / 2, eps, r);
    const thetaEps = Math.acos(1 - eps);
    expect(Math.abs(Math.tan(Math.PI / 4) * Math.exp(-r * t) - Math.tan(thetaEps / 2))).toBeLessThan(ROUNDOFF);
    expect(inConeAlignmentTime(thetaEps / 2, eps, r)).toBe(0);
    // twice the rate, half the time
    expect(inConeAlignmentTime(1, eps, 2 * r)).toBeCloseTo(inConeAlignmentTime(1, eps, r) / 2, 12);
  });
});

describe('bound and predictions', () => {
  test('C log n / sqrt(mu); infinite without separation', () => {
    expect(alignmentBound(Math.E ** 2, 0.25, 3)).toBeCloseTo(12, 12);
    expect(alignmentBound(10, 0, 3)).toBe(Infinity);
    expect(alignmentBound(10, -0.1, 3)).toBe(Infinity);
    // the logistic loss's g = 1/2 doubles every early time
    expect(alignmentBound(Math.E ** 2, 0.25, 3, 0.5)).toBeCloseTo(24, 12);
  });
  test('the claim predicts lambda-independence; the mutant predicts log(1/lambda) ratios', () => {
    const lambdas = [1e-6, 1e-9, 1e-12];
    expect(predictAlignment(16, 0.25, lambdas, 2).lambdaRatios).toEqual([1, 1, 1]);
    const r = logInverseLambdaRatios(lambdas);
    expect(r[0]).toBe(1);
    expect(r[1]).toBeCloseTo(1.5, 12);
    expect(r[2]).toBeCloseTo(2, 12);
  });
});
