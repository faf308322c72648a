import { describe, expect, test } from 'vitest';
import { Rng } from '../core/rng.ts';
import { orthogonalData } from '../core/data.ts';
import { gram } from '../core/linalg.ts';
import { margins, stableRank } from '../core/observables.ts';
import type { ModelConfig } from '../core/types.ts';
import {
  fvbshInitMassRatio,
  gaussianStableRank,
  initMassRatio,
  kktForPattern,
  leakyKkt,
  leakyLimitPattern,
  marginLaw,
  oneStepStableRank,
  oneStepTolerance,
  rank2LimitStableRank,
  rank2StableRank,
  stableRankWithInit,
} from './leakyRank.ts';

/** Closed forms evaluated two ways differ by round-off only. */
const ROUNDOFF = 1e-12;
/** Linear solves of n <= 12 well-conditioned systems. */
const SOLVE_TOL = 1e-9;

const leaky = (g: number): ModelConfig => ({ activation: g > 0 ? 'leaky' : 'relu', leak: g, outputScale: '1', train: 'first', bias: false });

/** Orthogonal inputs of norm r (x_i = r e_i in R^n), labels +1 for the first half. */
function orthoEqual(n: number, r: number): { X: Float64Array; y: Float64Array; K: Float64Array } {
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) X[i * n + i] = r;
  const y = Float64Array.from({ length: n }, (_, i) => (i < n / 2 ? 1 : -1));
  return { X, y, K: gram(X, n, n) };
}

/** W = C X. */
function fromC(C: Float64Array, X: Float64Array, m: number, n: number, d: number): Float64Array {
  const W = new Float64Array(m * d);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) for (let q = 0; q < d; q++) W[j * d + q] += C[j * n + i] * X[i * d + q];
  return W;
}

describe('oneStepStableRank / rank2LimitStableRank', () => {
  test('1 + ((1-g)/(1+g))^2 = 2(1+g^2)/(1+g)^2: 2 at g = 0, 1 at g = 1, 10/9 at g = 1/2', () => {
    expect(oneStepStableRank(0)).toBe(2);
    expect(Math.abs(oneStepStableRank(1) - 1)).toBeLessThan(ROUNDOFF);
    expect(Math.abs(oneStepStableRank(0.5) - 10 / 9)).toBeLessThan(ROUNDOFF);
    for (const g of [0.1, 0.3, 0.7]) expect(Math.abs(oneStepStableRank(g) - (2 * (1 + g * g)) / (1 + g) ** 2)).toBeLessThan(ROUNDOFF);
  });

  test('the balanced rank-2 limit coincides with the one-step value; symmetric in p <-> 1 - p; p moves it', () => {
    for (const g of [0.1, 0.3, 0.5]) {
      expect(Math.abs(rank2LimitStableRank(g, 0.5) - oneStepStableRank(g))).toBeLessThan(ROUNDOFF);
      expect(Math.abs(rank2LimitStableRank(g, 0.3) - rank2LimitStableRank(g, 0.7))).toBeLessThan(ROUNDOFF);
    }
    expect(Math.abs(rank2LimitStableRank(0.3, 0.2) - rank2LimitStableRank(0.3, 0.5))).toBeGreaterThan(0.01);
  });

  test('rank2StableRank equals the stable rank of the explicit matrix [A+ rows u - g v; A- rows v - g u]', () => {
    const rng = new Rng(11);
    const d = 7;
    const u = Float64Array.from({ length: d }, () => rng.normal());
    const v = Float64Array.from({ length: d }, () => rng.normal());
    const g = 0.35;
    const W = new Float64Array(5 * d);
    const scale = [0.4, 0.4, 0.4, 0.9, 0.9];
    for (let j = 0; j < 5; j++) for (let q = 0; q < d; q++) W[j * d + q] = scale[j] * (j < 3 ? u[q] - g * v[q] : v[q] - g * u[q]);
    const dot = (p: Float64Array, q: Float64Array) => p.reduce((s, x, k) => s + x * q[k], 0);
    const got = rank2StableRank(dot(u, u), dot(v, v), dot(u, v), g, 3 * 0.16, 2 * 0.81);
    expect(Math.abs(got - stableRank(W, 5, d))).toBeLessThan(1e-10);
  });
});

describe('leakyKkt / kktForPattern', () => {
  test('orthogonal equal-norm balanced data: valid KKT point, srank = rank2LimitStableRank(g, p), every margin of W* = 1', () => {
    const n = 6;
    const { X, y, K } = orthoEqual(n, 3);
    for (const [g, signs] of [
      [0.3, [1, 1, -1, -1]],
      [0.5, [1, 1, 1, -1, -1]],
      [0.2, [1, -1, -1, -1, -1]],
    ] as [number, number[]][]) {
      const m = signs.length;
      const a = Float64Array.from(signs, (s) => s / Math.sqrt(m));
      const kkt = leakyKkt(K, y, n, g, a);
      expect(kkt).not.toBeNull();
      if (kkt === null) return;
      expect(kkt.valid).toBe(true);
      const p = signs.filter((s) => s > 0).length / m;
      expect(Math.abs(kkt.srank - rank2LimitStableRank(g, p))).toBeLessThan(SOLVE_TOL);
      const W = fromC(kkt.Cstar, X, m, n, n);
      expect(Math.abs(kkt.srank - stableRank(W, m, n))).toBeLessThan(SOLVE_TOL);
      const mg = new Float64Array(n);
      margins(mg, { m, d: n, W, a, b: null }, leaky(g), { n, d: n, X, y });
      for (let i = 0; i < n; i++) expect(Math.abs(mg[i] - 1)).toBeLessThan(SOLVE_TOL);
    }
  });

  test('ReLU pattern on (axis-aligned, exactly) orthogonal data: lambda_i = 1 / (||x_i||^2 sum_j a_j^2 P_ji) in closed form', () => {
    const rng = new Rng(5);
    const data = orthogonalData(rng, { n: 4, d: 6, normRange: [1, 2], labels: { kind: 'sign', balance: 'balanced' }, axisAligned: true });
    const K = gram(data.X, 4, 6);
    const a = Float64Array.of(0.5, 0.5, -0.25, -0.25);
    const P = new Float64Array(4 * 4);
    // neuron 0 active on every positive point, neuron 1 on the first positive only; neurons 2, 3 on the negatives
    for (let i = 0; i < 4; i++) {
      if (data.y[i] > 0) P[0 * 4 + i] = 1;
      else P[2 * 4 + i] = P[3 * 4 + i] = 1;
    }
    const firstPos = Array.from(data.y).findIndex((v) => v > 0);
    P[1 * 4 + firstPos] = 1;
    const kkt = kktForPattern(K, data.y, 4, a, P);
    expect(kkt).not.toBeNull();
    if (kkt === null) return;
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += a[j] * a[j] * P[j * 4 + i];
      expect(Math.abs(kkt.lambda[i] - 1 / (K[i * 4 + i] * s))).toBeLessThan(SOLVE_TOL);
    }
    expect(kkt.valid).toBe(true);
  });

  test('a pattern W* contradicts is reported (patternOk false); a point no neuron covers under ReLU makes G singular', () => {
    const { K, y } = orthoEqual(4, 1);
    const a = Float64Array.of(1, -1);
    // neuron 0 (a > 0) declared inactive on every point, active on nothing: point coverage from neuron 1 only
    const P = Float64Array.of(0, 0, 0, 0, 0, 0, 1, 1);
    expect(kktForPattern(K, y, 4, a, P)).toBeNull();
    // leaky pattern claims neuron 0 active on the negatives: W* has <w_0, x_i> < 0 there
    const wrong = leakyLimitPattern(y, a, 0.3);
    wrong[0 * 4 + 2] = 1;
    wrong[0 * 4 + 0] = 0.3;
    const kkt = kktForPattern(K, y, 4, a, wrong);
    expect(kkt?.patternOk).toBe(false);
    expect(kkt?.valid).toBe(false);
  });
});

describe('init mass and stable rank with init', () => {
  test('initMassRatio at the papers.md threshold with A = 1 and R^2 = d is fvbshInitMassRatio', () => {
    for (const [g, kappa, n, m] of [
      [0.3, 1, 8, 40],
      [0.5, 0.1, 12, 100],
      [0.4, 10, 10, 60],
    ]) {
      const eta = 0.01;
      const d = 5000;
      const omega = (kappa * eta * (1 + g)) / (4 * Math.sqrt(n * m));
      expect(Math.abs(initMassRatio(g, omega, eta, n, m, d, 1, d) / fvbshInitMassRatio(g, kappa) - 1)).toBeLessThan(ROUNDOFF);
    }
  });

  test('stableRankWithInit: s at rho = 0, the Gaussian value as rho -> infinity, and the stable rank of an explicit dW + W(0)', () => {
    expect(stableRankWithInit(1.3, 0, 40, 1e4)).toBe(1.3);
    expect(Math.abs(stableRankWithInit(1.3, 1e12, 40, 1e4) / gaussianStableRank(40, 1e4) - 1)).toBeLessThan(1e-9);
    // dW: rank one along e_1 (s = 1) in the first coordinates; W(0) Gaussian in d >> m.
    const m = 20;
    const d = 4000;
    const rng = new Rng(3);
    for (const rho of [0.1, 1, 10]) {
      const omega = Math.sqrt(rho / (m * d)); // ||W(0)||_F^2 ~ m d omega^2 = rho (||dW||_F^2 = 1)
      const W = new Float64Array(m * d);
      for (let q = 0; q < m * d; q++) W[q] = omega * rng.normal();
      for (let j = 0; j < m; j++) W[j * d] += 1 / Math.sqrt(m);
      const got = stableRank(W, m, d);
      const want = stableRankWithInit(1, rho, m, d);
      // Fluctuations of the Gaussian part: relative sd ~ sqrt(m/d) + 1/sqrt(m d) (~7% here); 15% is ~2 sd
      expect(Math.abs(got / want - 1)).toBeLessThan(0.15);
    }
  });

  test('gaussianStableRank against an explicit Gaussian matrix', () => {
    const rng = new Rng(9);
    const m = 30;
    const d = 3000;
    const W = Float64Array.from({ length: m * d }, () => rng.normal());
    // top singular value (sqrt d + sqrt m) has O(m^-2/3) relative corrections: 5%
    expect(Math.abs(stableRank(W, m, d) / gaussianStableRank(m, d) - 1)).toBeLessThan(0.05);
  });

  test('oneStepTolerance is the pattern term plus the slack', () => {
    expect(Math.abs(oneStepTolerance(1, 8, 40, 0.02) - 0.02)).toBeLessThan(ROUNDOFF);
    expect(Math.abs(oneStepTolerance(0, 4, 4, 0) - 1)).toBeLessThan(ROUNDOFF);
  });
});

describe('marginLaw', () => {
  test('one point, linear logistic GD: the margin after t steps is log(t eta / (n lambda)) with lambda = 1/||x||^2', () => {
    // margin m_t of a linear classifier on one point x, n = 1: m_{t+1} = m_t + eta ||x||^2 / (1 + exp(m_t))
    for (const [eta, r2] of [
      [0.5, 1],
      [0.01, 40],
    ]) {
      let mt = 0;
      const T = 100000;
      for (let t = 0; t < T; t++) mt += (eta * r2) / (1 + Math.exp(mt));
      const law = marginLaw(new Float64Array(1), T, eta, Float64Array.of(1 / r2))[0];
      // logistic vs exponential tail: e^m + m = eta r^2 t + c, so m - law = O(log(t) / t): 1e-3 at t = 1e5
      expect(Math.abs(mt - law)).toBeLessThan(1e-3);
    }
  });
});
