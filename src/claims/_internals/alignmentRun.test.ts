import { describe, expect, test } from 'vitest';
import { alignmentData, runAlignment, edgeMu, ALIGN_ETA, CHECK_EVERY } from './alignmentRun.ts';
import { separation, inConeAlignmentTime, classRate, equicorrelatedClassNorm } from '../../theory/alignment.ts';
import type { Params } from '../../core/types.ts';

/** Data are built in a few float operations per entry: identities hold to round-off. */
const ROUNDOFF = 1e-12;
/**
 * In-cone alignment time of gradient descent against the flow's closed form: T is read on a grid
 * of step h = ALIGN_ETA * CHECK_EVERY, and Euler's growth factor 1 - eta r per step instead of
 * e^{-eta r} changes the rate by eta r / 2 <= 1% here (r = 0.35, eta = 0.05): |T - T_flow| <=
 * h + 2% T_flow.
 */
const GD_REL = 0.02;

function dotRows(X: Float64Array, d: number, i: number, k: number): number {
  let z = 0;
  for (let c = 0; c < d; c++) z += X[i * d + c] * X[k * d + c];
  return z;
}

describe('alignmentData', () => {
  for (const mu of [0.3, 0, -0.2]) {
    test(`unit points with separation exactly mu = ${mu}; X_s are the class sums`, () => {
      const data = alignmentData({ nPos: 3, nNeg: 4, extraD: 2, m: 1, mu, seed: 11 });
      const { n, d, X, y } = data;
      expect(d).toBe(n + 3);
      for (let i = 0; i < n; i++) expect(Math.abs(dotRows(X, d, i, i) - 1)).toBeLessThan(ROUNDOFF);
      expect(Math.abs(separation(X, y, n, d) - mu)).toBeLessThan(ROUNDOFF);
      for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) {
        const c = y[i] * y[k] * dotRows(X, d, i, k);
        // mu >= 0: every pair at mu; mu < 0: same class +|mu|, cross class -|mu|
        const want = mu >= 0 ? mu : y[i] === y[k] ? -mu : mu;
        expect(Math.abs(c - want)).toBeLessThan(ROUNDOFF);
      }
      for (let c = 0; c < d; c++) {
        let sp = 0;
        let sn = 0;
        for (let i = 0; i < n; i++) (y[i] > 0 ? (sp += X[i * d + c]) : (sn += X[i * d + c]));
        expect(Math.abs(sp - data.Xpos[c])).toBeLessThan(ROUNDOFF);
        expect(Math.abs(sn - data.Xneg[c])).toBeLessThan(ROUNDOFF);
      }
    });
  }
  test('edgeMu: 0 is orthogonal, positive indices climb from 2^-8 to 1/2, negative from -1/16 to -1/2', () => {
    expect(edgeMu(0)).toBe(0);
    expect(edgeMu(1)).toBe(2 ** -8);
    expect(edgeMu(8)).toBe(0.5);
    expect(edgeMu(-1)).toBe(-1 / 16);
    expect(edgeMu(-4)).toBe(-0.5);
  });
});

/** A unit vector orthogonal to every data point (Gram-Schmidt of a fixed vector against the x_i). */
function orthogonalToData(X: Float64Array, n: number, d: number): Float64Array {
  const Q: Float64Array[] = [];
  const reduce = (q: Float64Array): void => {
    for (const b of Q) {
      let z = 0;
      for (let c = 0; c < d; c++) z += q[c] * b[c];
      for (let c = 0; c < d; c++) q[c] -= z * b[c];
    }
    let nq = 0;
    for (let c = 0; c < d; c++) nq += q[c] * q[c];
    for (let c = 0; c < d; c++) q[c] /= Math.sqrt(nq);
  };
  for (let i = 0; i < n; i++) {
    const q = X.slice(i * d, (i + 1) * d);
    reduce(q);
    Q.push(q);
  }
  const v = new Float64Array(d);
  for (let c = 0; c < d; c++) v[c] = Math.cos(1 + 3 * c);
  reduce(v);
  return v;
}

describe('runAlignment against closed forms', () => {
  test('a positive neuron in its cone turns toward X_+ at rate ||X_+|| / n (tan(theta/2) law)', () => {
    const mu = 0.25;
    const data = alignmentData({ nPos: 3, nNeg: 3, extraD: 1, m: 1, mu, seed: 5 });
    const { n, d } = data;
    const v = orthogonalToData(data.X, n, d);
    const xp = Math.sqrt(data.Xpos.reduce((a, b) => a + b * b, 0));
    const theta0 = 1.2;
    const lambda = 1e-8;
    const W = new Float64Array(d);
    for (let c = 0; c < d; c++) W[c] = lambda * (Math.cos(theta0) * (data.Xpos[c] / xp) + Math.sin(theta0) * v[c]);
    const init: Params = { m: 1, d, W, a: new Float64Array([lambda]), b: null };
    const eps = 1e-3;
    const r = runAlignment({ nPos: 3, nNeg: 3, extraD: 1, m: 1, mu, seed: 5 }, data, { lambda, eta: ALIGN_ETA, checkEvery: CHECK_EVERY, horizon: 200, eps, init });
    expect(Math.abs(xp - equicorrelatedClassNorm(3, mu))).toBeLessThan(ROUNDOFF);
    const tFlow = inConeAlignmentTime(theta0, eps, classRate(xp, n, 1));
    expect(tFlow).toBeGreaterThan(10 * ALIGN_ETA * CHECK_EVERY);
    expect(Math.abs(r.T - tFlow)).toBeLessThanOrEqual(ALIGN_ETA * CHECK_EVERY + GD_REL * tFlow);
    expect(r.outOfCone).toBe(0);
  });
  test('orthogonal data: a neuron active on one of two same-sign points never reaches its cone, and no activation set grows', () => {
    const data = alignmentData({ nPos: 2, nNeg: 1, extraD: 0, m: 1, mu: 0, seed: 3 });
    const { d, X } = data;
    const lambda = 1e-6;
    // x_0, x_1 positive, x_2 negative, orthonormal: w = lambda (x_0 - 0.5 x_1 + 0.2 x_2) is active on
    // x_0 and (wrong sign, decays to 0) x_2; <w, x_1> < 0 receives no gradient, so x_1 stays inactive.
    const W = new Float64Array(d);
    for (let c = 0; c < d; c++) W[c] = lambda * (X[c] - 0.5 * X[d + c] + 0.2 * X[2 * d + c]);
    const init: Params = { m: 1, d, W, a: new Float64Array([lambda * Math.sqrt(1.29)]), b: null };
    const r = runAlignment({ nPos: 2, nNeg: 1, extraD: 0, m: 1, mu: 0, seed: 3 }, data, { lambda, eta: ALIGN_ETA, checkEvery: CHECK_EVERY, horizon: 60, eps: 1e-2, init });
    expect(r.T).toBe(Infinity);
    expect(r.outOfCone).toBe(1);
    expect(r.growths).toBe(0);
  });
});
