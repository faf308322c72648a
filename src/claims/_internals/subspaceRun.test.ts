import { describe, expect, test } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { matVec, normSq } from '../../core/linalg.ts';
import { chessProblem, diagonalProblem, highDimInit, highDimProblem, myv23Init, perpPoint, trainToMargin } from './subspaceRun.ts';

/** Data built as x = P z lies in P to round-off (a few ulps of ||z||). */
const IN_P_ROUNDOFF = 1e-13;
/** GD on data in P leaves P_perp W at its init to round-off (see offSubspace INVARIANCE_REL_TOL). */
const INVARIANCE_ROUNDOFF = 1e-12;
/** Standard deviations allowed for a Monte Carlo mean. */
const MC_SD = 4;

describe('highDimProblem', () => {
  test('points lie in P (P_perp x = 0), balanced labels, nearest other-class distance', () => {
    const prob = highDimProblem(new Rng(1), 10, 40, 8);
    const { X, y, n, d } = prob.data;
    const c = new Float64Array(prob.l);
    for (let i = 0; i < n; i++) {
      matVec(c, prob.perp, prob.l, d, X.subarray(i * d, (i + 1) * d));
      expect(Math.sqrt(normSq(c))).toBeLessThanOrEqual(IN_P_ROUNDOFF * prob.xNorm[i]);
    }
    expect(y.filter((v) => v > 0).length).toBe(5);
    // dOther is attained by some other-class point and is <= every other-class distance
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let q = 0; q < n; q++) {
        if (y[q] === y[i]) continue;
        let s = 0;
        for (let k = 0; k < d; k++) s += (X[q * d + k] - X[i * d + k]) ** 2;
        best = Math.min(best, Math.sqrt(s));
      }
      expect(prob.dOther[i]).toBe(best);
    }
  });
});

describe('the authors\' low-dimensional data sets', () => {
  test('diagonal: 7 points on span(1, 1), alternating labels, other class at sqrt(2)/3', () => {
    const p = diagonalProblem();
    expect(Array.from(p.data.y)).toEqual([-1, 1, -1, 1, -1, 1, -1]);
    for (let i = 0; i < 7; i++) {
      expect(p.data.X[2 * i]).toBe(p.data.X[2 * i + 1]);
      expect(p.dOther[i]).toBeCloseTo(Math.SQRT2 / 3, 14);
    }
  });
  test('chessboard: 25 points in z = 0, 13 of label +1, neighbours of the other colour at 0.25', () => {
    const p = chessProblem();
    expect(p.data.y.filter((v) => v > 0).length).toBe(13);
    for (let i = 0; i < 25; i++) {
      expect(p.data.X[3 * i + 2]).toBe(0);
      expect(p.dOther[i]).toBeCloseTo(0.25, 14);
    }
  });
});

describe('initialisations', () => {
  test('myv23Init: W entries N(0, 1/(d f^2)), u_j N(0, 1/(m f^2)), b in (-1/sqrt d, 1/sqrt d)', () => {
    const m = 400;
    const d = 3;
    const f = 2;
    const p = myv23Init(new Rng(2), m, d, f);
    const wVar = normSq(p.W) / (m * d);
    const uVar = normSq(p.a) / m;
    expect(Math.abs(wVar * d * f * f - 1)).toBeLessThanOrEqual(MC_SD * Math.sqrt(2 / (m * d)));
    expect(Math.abs(uVar * m * f * f - 1)).toBeLessThanOrEqual(MC_SD * Math.sqrt(2 / m));
    for (const v of p.b as Float64Array) expect(Math.abs(v)).toBeLessThan(1 / Math.sqrt(d));
  });
  test('highDimInit: |u_j| = 1/sqrt(m), zero biases', () => {
    const p = highDimInit(new Rng(3), 16, 20, 0.5);
    for (const v of p.a) expect(Math.abs(v)).toBeCloseTo(0.25, 15);
    for (const v of p.b as Float64Array) expect(v).toBe(0);
  });
});

describe('trainToMargin and perpPoint', () => {
  test('training reaches the margin, keeps P_perp W, and the found flip is no larger than the cap', () => {
    const rng = new Rng(4);
    const prob = highDimProblem(rng.fork(1), 8, 64, 8);
    const p0 = highDimInit(rng.fork(2), 32, 64, 1);
    const tr = trainToMargin(prob, p0, { target: 0.3, weightDecay: 0, chunk: 5, maxSteps: 2000 });
    expect(tr.reached).toBe(true);
    expect(tr.invarianceDev).toBeLessThanOrEqual(INVARIANCE_ROUNDOFF);
    const pp = perpPoint(tr.params, prob, 0, 4, 100 * prob.xNorm[0]);
    expect(pp.capped).toBe(false);
    expect(pp.flip).toBeGreaterThan(0);
    expect(pp.absN).toBeGreaterThanOrEqual(0.3);
    const tiny = perpPoint(tr.params, prob, 0, 4, pp.flip / 2);
    expect(tiny.capped).toBe(true);
    expect(tiny.flip).toBe(pp.flip / 2);
  });
});
