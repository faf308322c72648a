import { describe, expect, test } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { clusterData, isotropicData, subspaceData } from '../../core/data.ts';
import { InputError } from '../../core/errors.ts';
import { gaussianInit } from '../../core/init.ts';
import { normSq, projectOrthogonal, randomOrthonormal } from '../../core/linalg.ts';
import { evalGradient } from '../../core/model.ts';
import { margins, predict, singularValues, stableRank } from '../../core/observables.ts';
import { simulate } from '../../core/dynamics.ts';
import type { ModelConfig, Params, Problem } from '../../core/types.ts';
import {
  ROBUST_MODEL,
  accuracy,
  adamTrain,
  gdToMargin,
  logLogSlope,
  maxRowNormSq,
  perpDeviation,
  rayFlipRadius,
  robustCertifiedRadius,
  robustClusterNetwork,
  signedMeanDirection,
} from './highdim.ts';

// ---------------------------------------------------------------------------------------------
// Tolerances

/** Exact identities evaluated in float64 on O(1) numbers with at most a few hundred operations. */
const ROUNDOFF = 1e-12;
/**
 * One Adam step changes theta (entries O(1)) by ~lr; the subtraction rounds at eps * |theta| ~
 * 2e-16 and both gradients come from the same kernels, so 1e-14 absolute (1e-11 of lr = 1e-3).
 */
const ADAM_ABS_TOL = 1e-14;
/**
 * Adam's default eps (Kingma and Ba; the documented default of adamTrain), in the closed form of
 * the first step -lr g / (|g| + eps).
 */
const ADAM_EPS = 1e-8;
/**
 * "First step = -lr sign(g)" holds to relative eps / |g|; the smallest |g| of the test problem is
 * 6.2e-5 (measured), so 1.6e-4. 1e-2 still catches a missing bias correction (a step of
 * lr (1 - b1) / sqrt(1 - b2) = 3.2 lr) or a plain gradient step (lr |g| <= 0.12 lr).
 */
const SIGN_STEP_REL = 1e-2;
/** |g| above which the sign reading applies (all coordinates of the test problem are above). */
const SIGN_STEP_MIN_GRAD = 1e-6;
/**
 * Adam on data in a rotated subspace moves P_perp W: measured 1.29 (relative, max over neurons)
 * after the 200 steps at lr 1e-2 below; gradient descent on the same problem moves it only by
 * round-off (measured 2.5e-15). 1e-3 separates the two by orders of magnitude each way.
 */
const ADAM_MOVES_MIN = 1e-3;
/**
 * Gradient descent keeps P_perp W fixed exactly in exact arithmetic; in float64 each step adds
 * ~eps * ||gradient|| in P_perp (measured 2.5e-15 after 200 steps), so 1e-12.
 */
const GD_PERP_TOL = 1e-12;
/**
 * rayFlipRadius bisects to hi - lo <= 1e-6 hi and returns hi, so r* <= hi <= r* / (1 - 1e-6);
 * round-off in f near r* moves the crossing by ~eps * ||mu||, far below that. 1.5e-6 above, and
 * 1e-9 below (a returned value clearly below the crossing is a bug, not round-off).
 */
const RAY_ABOVE_REL = 1.5e-6;
const RAY_BELOW_REL = 1e-9;

// ---------------------------------------------------------------------------------------------
// Helpers of the tests (independent of highdim.ts)

const RELU: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1', train: 'both', bias: false };

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let r = 0;
  for (let k = 0; k < x.length; k++) r = Math.max(r, Math.abs(x[k] - y[k]));
  return r;
}

/** count rows with i.i.d. N(0, 1) entries, [count x d] (count * d draws of rng.normal, in order). */
function gaussianRows(rng: Rng, count: number, d: number): Float64Array {
  const X = new Float64Array(count * d);
  for (let i = 0; i < count * d; i++) X[i] = rng.normal();
  return X;
}

/**
 * max_j ||P_perp (w_j - w0_j)|| / ||P_perp w0_j|| with P_perp = I - B^T B for the orthonormal basis
 * B [k x d] of P, through core projectOrthogonal: a second route to perpDeviation (which needs an
 * orthonormal basis of P_perp).
 */
function perpChange(W0: Float64Array, W: Float64Array, B: Float64Array, k: number, m: number, d: number): number {
  const p0 = new Float64Array(d);
  const p1 = new Float64Array(d);
  let worst = 0;
  for (let j = 0; j < m; j++) {
    projectOrthogonal(p0, B, k, d, W0.subarray(j * d, (j + 1) * d));
    projectOrthogonal(p1, B, k, d, W.subarray(j * d, (j + 1) * d));
    let dev = 0;
    for (let c = 0; c < d; c++) dev += (p1[c] - p0[c]) ** 2;
    worst = Math.max(worst, Math.sqrt(dev / normSq(p0)));
  }
  return worst;
}

/** f(x) = <w, x> exactly, as a bias-free ReLU network: relu(<w, x>) - relu(<-w, x>). */
function linearNet(w: Float64Array): Params {
  const d = w.length;
  const W = new Float64Array(2 * d);
  for (let c = 0; c < d; c++) {
    W[c] = w[c];
    W[d + c] = -w[c];
  }
  return { m: 2, d, W, a: Float64Array.of(1, -1), b: null };
}

function unitVector(rng: Rng, d: number): Float64Array {
  const u = gaussianRows(rng, 1, d);
  const s = Math.sqrt(normSq(u));
  for (let c = 0; c < d; c++) u[c] /= s;
  return u;
}

function minOf(xs: Float64Array): number {
  let r = Infinity;
  for (let i = 0; i < xs.length; i++) r = Math.min(r, xs[i]);
  return r;
}

function minMargin(p: Params, problem: Problem): number {
  const mg = new Float64Array(problem.data.n);
  margins(mg, p, problem.model, problem.data);
  return minOf(mg);
}

function flatten(p: Params): number[] {
  return [...p.W, ...p.a, ...(p.b ?? [])];
}

// ---------------------------------------------------------------------------------------------

describe('maxRowNormSq', () => {
  test('maxRowNormSq is the largest squared row norm (wherever the row is)', () => {
    // Rows with squared norms 3, 25, 0, 24.
    const X = Float64Array.of(1, 1, 1, 3, 0, -4, 0, 0, 0, 2, -2, 4);
    expect(maxRowNormSq(X, 4, 3)).toBe(25);
    expect(maxRowNormSq(X, 1, 3)).toBe(3);
  });
});

describe('perpDeviation', () => {
  const d = 9;
  const k = 4;
  const l = d - k;
  const m = 6;
  // A Haar frame of R^d: its first k rows span P, the other l rows P_perp.
  const frame = randomOrthonormal(new Rng(30), d, d);
  const B = frame.slice(0, k * d);
  const perp = frame.slice(k * d);
  const W0 = gaussianRows(new Rng(32), m, d);
  /** W0 scaled by factor plus a change inside P (B^T c_j, c_j Gaussian) in every row. */
  function changedInP(factor: number): Float64Array {
    const W = new Float64Array(m * d);
    const C = gaussianRows(new Rng(33), m, k);
    for (let j = 0; j < m; j++) {
      for (let c = 0; c < d; c++) {
        let v = factor * W0[j * d + c];
        for (let i = 0; i < k; i++) v += C[j * k + i] * B[i * d + c];
        W[j * d + c] = v;
      }
    }
    return W;
  }

  test('0 for W changed only within P (and for W = factor W0 + change in P with that factor)', () => {
    expect(perpDeviation(W0, W0, perp, l, m, d, 1)).toBeLessThan(ROUNDOFF);
    expect(perpDeviation(W0, changedInP(1), perp, l, m, d, 1)).toBeLessThan(ROUNDOFF);
    expect(perpDeviation(W0, changedInP(0.7), perp, l, m, d, 0.7)).toBeLessThan(ROUNDOFF);
    // With factor 1 instead, every row deviates by exactly |0.7 - 1| of its P_perp part.
    expect(Math.abs(perpDeviation(W0, changedInP(0.7), perp, l, m, d, 1) - 0.3)).toBeLessThan(ROUNDOFF);
  });

  test('max_j t_j / ||P_perp w0_j|| for a change of size t_j in P_perp (plus any change in P)', () => {
    const W = changedInP(1);
    const t = [0.3, 2.0, 0.1, 0.7, 0.05, 0.4];
    const rng = new Rng(34);
    let expected = 0;
    const pw = new Float64Array(d);
    for (let j = 0; j < m; j++) {
      // A unit vector of P_perp, built from B (not from perp): q = P_perp z / ||P_perp z||.
      const q = projectOrthogonal(new Float64Array(d), B, k, d, gaussianRows(rng, 1, d));
      const qn = Math.sqrt(normSq(q));
      for (let c = 0; c < d; c++) W[j * d + c] += (t[j] * q[c]) / qn;
      projectOrthogonal(pw, B, k, d, W0.subarray(j * d, (j + 1) * d));
      expected = Math.max(expected, t[j] / Math.sqrt(normSq(pw)));
    }
    const got = perpDeviation(W0, W, perp, l, m, d, 1);
    expect(Math.abs(got - expected) / expected).toBeLessThan(ROUNDOFF);
  });
});

describe('adamTrain', () => {
  const n = 6;
  const d = 5;
  const m = 4;
  const model: ModelConfig = { activation: 'leaky', leak: 0.2, outputScale: '1/sqrt(m)', train: 'both', bias: true };
  const data = isotropicData(new Rng(40), { n, d, dist: 'gaussian', labels: { kind: 'sign', balance: 'balanced' } });
  const problem: Problem = { data, model, loss: 'logistic', weightDecay: 0.01 };
  const p0 = gaussianInit(new Rng(41), { m, d, scale: 1, bias: true });
  (p0.b as Float64Array).set([0.3, -0.2, 0.1, -0.4]);
  const lr = 1e-3;

  function gradVec(p: Params, prob: Problem): number[] {
    const gr = evalGradient(p, prob.model, prob.loss, prob.data, prob.weightDecay);
    return [...gr.gW, ...gr.ga, ...(gr.gb ?? [])];
  }

  test('first step is -lr g / (|g| + eps), i.e. -lr sign(g) up to eps / |g| (bias-corrected)', () => {
    const before = flatten(p0);
    const p1 = adamTrain(problem, p0, { lr, steps: 1 });
    expect(flatten(p0)).toEqual(before); // p0 not modified
    const g = gradVec(p0, problem);
    const th1 = flatten(p1);
    let worst = 0;
    for (let q = 0; q < g.length; q++) {
      worst = Math.max(worst, Math.abs(th1[q] - (before[q] - (lr * g[q]) / (Math.abs(g[q]) + ADAM_EPS))));
      // The sign-descent reading: |g| >> eps for every coordinate here, so the step is lr.
      expect(Math.abs(g[q])).toBeGreaterThan(SIGN_STEP_MIN_GRAD);
      expect(Math.abs(th1[q] - before[q] + lr * Math.sign(g[q]))).toBeLessThan(lr * SIGN_STEP_REL);
    }
    expect(worst).toBeLessThan(ADAM_ABS_TOL);
  });

  test('second step: bias-corrected moments of the two gradients (defaults 0.9, 0.999, 1e-8)', () => {
    const [b1, b2, eps] = [0.9, 0.999, ADAM_EPS];
    const p1 = adamTrain(problem, p0, { lr, steps: 1 });
    const p2 = adamTrain(problem, p0, { lr, steps: 2 });
    const g1 = gradVec(p0, problem);
    const g2 = gradVec(p1, problem);
    const th1 = flatten(p1);
    const th2 = flatten(p2);
    let worst = 0;
    for (let q = 0; q < g1.length; q++) {
      const mHat = (b1 * (1 - b1) * g1[q] + (1 - b1) * g2[q]) / (1 - b1 * b1);
      const vHat = (b2 * (1 - b2) * g1[q] ** 2 + (1 - b2) * g2[q] ** 2) / (1 - b2 * b2);
      worst = Math.max(worst, Math.abs(th2[q] - (th1[q] - (lr * mHat) / (Math.sqrt(vHat) + eps))));
    }
    expect(worst).toBeLessThan(ADAM_ABS_TOL);
  });

  test("train 'first' leaves a unchanged; steps = 0 returns a copy of p0; no bias stays null", () => {
    const pf = adamTrain({ ...problem, model: { ...model, train: 'first' } }, p0, { lr, steps: 3 });
    expect(Array.from(pf.a)).toEqual(Array.from(p0.a));
    expect(maxAbsDiff(pf.W, p0.W)).toBeGreaterThan(lr);
    const p00 = adamTrain(problem, p0, { lr, steps: 0 });
    expect(flatten(p00)).toEqual(flatten(p0));
    expect(p00.W).not.toBe(p0.W);
    const noBias = { ...p0, b: null };
    expect(adamTrain({ ...problem, model: { ...model, bias: false } }, noBias, { lr, steps: 2 }).b).toBeNull();
    expect(() => adamTrain(problem, p0, { lr: 0, steps: 1 })).toThrow(InputError);
  });

  test('axis-aligned P: off-P coordinates of W exactly unchanged; rotated P: Adam moves P_perp W, GD does not', () => {
    const nn = 10;
    const dd = 8;
    const k = 3;
    const mm = 6;
    const steps = 200;
    const lrA = 1e-2;
    const relu: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1/sqrt(m)', train: 'both', bias: true };
    const q0 = gaussianInit(new Rng(42), { m: mm, d: dd, scale: 1, bias: true });
    for (const axisAligned of [true, false]) {
      const sd = subspaceData(new Rng(43), { n: nn, d: dd, k, labels: { kind: 'sign', balance: 'balanced' }, axisAligned });
      const prob: Problem = { data: sd, model: relu, loss: 'logistic', weightDecay: 0 };
      const adam = adamTrain(prob, q0, { lr: lrA, steps });
      const dev = perpChange(q0.W, adam.W, sd.basis, k, mm, dd);
      const gd = simulate(prob, q0, { kind: 'gd', eta: 0.5, steps }, { engine: 'full', record: { lossCurve: false } });
      expect(gd.diverged).toBe(false);
      expect(perpChange(q0.W, gd.final.W, sd.basis, k, mm, dd)).toBeLessThan(GD_PERP_TOL);
      // Both moved within P (the invariance is not trivially from a frozen run).
      expect(maxAbsDiff(adam.W, q0.W)).toBeGreaterThan(lrA);
      if (axisAligned) {
        for (let j = 0; j < mm; j++) for (let c = k; c < dd; c++) expect(adam.W[j * dd + c]).toBe(q0.W[j * dd + c]);
        expect(dev).toBeLessThan(ROUNDOFF);
      } else {
        expect(dev).toBeGreaterThan(ADAM_MOVES_MIN);
      }
    }
  });
});

describe('gdToMargin', () => {
  const n = 6;
  const d = 40;
  const m = 8;
  const model: ModelConfig = { activation: 'leaky', leak: 0.1, outputScale: '1', train: 'both', bias: false };
  const data = isotropicData(new Rng(50), { n, d, dist: 'gaussian', labels: { kind: 'sign', balance: 'balanced' } });
  const problem: Problem = { data, model, loss: 'logistic', weightDecay: 0 };
  const p0 = gaussianInit(new Rng(51), { m, d, scale: 0.1 });
  const eta = 0.05;
  const target = 1;
  // Reference: min margin after every step of one long GD run (snapshots at every step).
  const horizon = 400;
  const ref = simulate(problem, p0, { kind: 'gd', eta, steps: horizon }, {
    engine: 'full',
    record: { lossCurve: false, snapshotTimes: Array.from({ length: horizon + 1 }, (_, s) => s) },
  });
  const refMin = ref.snapshots.map((sn) => minMargin(sn.params, problem));
  const firstAt = (chunk: number): number => {
    for (let s = 0; s <= horizon; s += chunk) if (refMin[s] >= target) return s;
    return -1;
  };

  test('chunk 1: stops at the first step with every margin >= target, with the GD parameters of that step', () => {
    const T = firstAt(1);
    expect(T).toBeGreaterThan(10);
    const run = gdToMargin(problem, p0, eta, { target, chunk: 1, maxSteps: horizon, engine: 'full' });
    expect(run.reached).toBe(true);
    expect(run.diverged).toBe(false);
    expect(run.steps).toBe(T);
    expect(run.minMargin).toBeGreaterThanOrEqual(target);
    expect(run.minMargin).toBe(minMargin(run.params, problem));
    expect(maxAbsDiff(flatten(run.params), flatten(ref.snapshots[T].params))).toBeLessThan(ROUNDOFF);
  });

  test('chunk c: stops at the first chunk end past the target; check runs at every chunk end, worstCheck is the max', () => {
    const chunk = 7;
    const T = firstAt(chunk);
    expect(T % chunk).toBe(0);
    expect(T).toBeGreaterThan(firstAt(1)); // the chunked stop is later than the unchunked one here
    const calls: number[] = [];
    const run = gdToMargin(problem, p0, eta, {
      target,
      chunk,
      maxSteps: horizon,
      engine: 'full',
      check: (_p, s) => {
        calls.push(s);
        return s === 2 * chunk ? 5 : 1;
      },
    });
    expect(run.steps).toBe(T);
    expect(run.reached).toBe(true);
    expect(calls).toEqual(Array.from({ length: T / chunk }, (_, i) => (i + 1) * chunk));
    expect(run.worstCheck).toBe(5);
    expect(maxAbsDiff(flatten(run.params), flatten(ref.snapshots[T].params))).toBeLessThan(ROUNDOFF);
  });

  test('the comparison is margin >= target: a target equal to a reached margin stops exactly there', () => {
    // A step whose min margin exceeds every earlier one: with target = that margin, >= stops at
    // it, > would not (chunk 1 reproduces the reference run bit for bit: minMargin is compared exactly).
    let T = 20;
    while (!(refMin[T] > Math.max(...refMin.slice(0, T)))) T++;
    const run = gdToMargin(problem, p0, eta, { target: refMin[T], chunk: 1, maxSteps: horizon, engine: 'full' });
    expect(run.steps).toBe(T);
    expect(run.minMargin).toBe(refMin[T]);
  });

  test('already at the target: 0 steps, p0 returned; unreachable target: stops at maxSteps, reached false', () => {
    const none = gdToMargin(problem, p0, eta, { target: -Infinity, chunk: 5, maxSteps: 100, engine: 'full' });
    expect(none.steps).toBe(0);
    expect(none.params).toBe(p0);
    expect(none.worstCheck).toBe(0);
    const capped = gdToMargin(problem, p0, eta, { target: 1e6, chunk: 5, maxSteps: 20, engine: 'full' });
    expect(capped.reached).toBe(false);
    expect(capped.diverged).toBe(false);
    expect(capped.steps).toBe(20);
    expect(capped.minMargin).toBeLessThan(1e6);
    expect(capped.minMargin).toBe(refMin[20]);
  });

  test('a diverging chunk ends the run: diverged, not reached, NaN margin, the steps simulate took', () => {
    const hot: Problem = { ...problem, loss: 'exponential' };
    const bigEta = 1e4; // the exponential loss overflows within the first chunk
    const chunk = 5;
    const traj = simulate(hot, p0, { kind: 'gd', eta: bigEta, steps: chunk }, { engine: 'full', record: { lossCurve: false } });
    expect(traj.diverged).toBe(true);
    const run = gdToMargin(hot, p0, bigEta, { target, chunk, maxSteps: horizon, engine: 'full' });
    expect(run.diverged).toBe(true);
    expect(run.reached).toBe(false);
    expect(run.minMargin).toBeNaN();
    expect(run.steps).toBe(traj.steps);
    expect(run.steps).toBeLessThan(chunk);
  });
});

describe('robustClusterNetwork / signedMeanDirection', () => {
  const k = 6;
  const d = 10;
  const R = 3;
  const spec = clusterData(new Rng(60), { k, perCluster: 1, d, meanNorm: R, noiseStd: 0, labels: 'alternating', means: 'orthogonal' });

  test('the documented form: W = means, a = labels, b_c = -||mu_c||^2 / 2, copies of the spec', () => {
    const net = robustClusterNetwork(spec);
    expect(net.m).toBe(k);
    expect(net.d).toBe(d);
    expect(Array.from(net.W)).toEqual(Array.from(spec.means));
    expect(Array.from(net.a)).toEqual(Array.from(spec.clusterLabels));
    for (let c = 0; c < k; c++) expect(Math.abs((net.b as Float64Array)[c] + R * R / 2)).toBeLessThan(ROUNDOFF);
    expect(net.W).not.toBe(spec.means);
    expect(net.a).not.toBe(spec.clusterLabels);
    // predict with ROBUST_MODEL is g(x) = sum_c y_c relu(<mu_c, x> - ||mu_c||^2 / 2).
    const rng = new Rng(61);
    for (let t = 0; t < 20; t++) {
      const x = gaussianRows(rng, 1, d);
      let g = 0;
      for (let c = 0; c < k; c++) {
        let z = -0.5 * normSq(spec.means, d, c * d);
        for (let j = 0; j < d; j++) z += spec.means[c * d + j] * x[j];
        g += spec.clusterLabels[c] * Math.max(z, 0);
      }
      expect(Math.abs(predict(net, ROBUST_MODEL, x) - g)).toBeLessThan(ROUNDOFF * R * R);
    }
    // At a mean only its neuron is active, with value ||mu||^2 / 2.
    for (let c = 0; c < k; c++) {
      const f = predict(net, ROBUST_MODEL, spec.means.slice(c * d, (c + 1) * d));
      expect(Math.abs(f - spec.clusterLabels[c] * R * R / 2)).toBeLessThan(ROUNDOFF * R * R);
    }
  });

  test('robustCertifiedRadius: ||mu|| / 2 at each mean (tight), min((t - 1/2) ||mu||, ||mu|| / 2) at t mu_c, 0 where g = 0', () => {
    const net = robustClusterNetwork(spec);
    for (let c = 0; c < k; c++) {
      const x = spec.means.slice(c * d, (c + 1) * d);
      const yc = spec.clusterLabels[c];
      expect(Math.abs(robustCertifiedRadius(spec, x) - R / 2)).toBeLessThan(ROUNDOFF * R);
      // Tight: straight at the origin the sign is lost at exactly ||mu|| / 2.
      const r0 = rayFlipRadius(net, ROBUST_MODEL, x, yc, x.map((e) => (yc * e) / R), 10 * R);
      expect(r0).toBeGreaterThanOrEqual(robustCertifiedRadius(spec, x) * (1 - RAY_BELOW_REL));
      expect(Math.abs(r0 / robustCertifiedRadius(spec, x) - 1)).toBeLessThan(RAY_ABOVE_REL);
      for (const t of [0.6, 0.8, 1.5]) {
        const xt = x.map((e) => t * e);
        expect(Math.abs(robustCertifiedRadius(spec, xt) - Math.min((t - 0.5) * R, R / 2))).toBeLessThan(ROUNDOFF * R);
      }
    }
    expect(robustCertifiedRadius(spec, new Float64Array(d))).toBe(0);
    // At 0.4 mu_0 every pre-activation is negative: g = 0, no certificate.
    expect(robustCertifiedRadius(spec, spec.means.slice(0, d).map((e) => 0.4 * e))).toBe(0);
  });

  test('robustCertifiedRadius is sound: no flip inside it along the attack direction or random directions', () => {
    const net = robustClusterNetwork(spec);
    const u = signedMeanDirection(spec);
    const rng = new Rng(63);
    let certified = 0;
    for (let t = 0; t < 60; t++) {
      const c = t % k;
      const yc = spec.clusterLabels[c];
      const x = new Float64Array(d);
      for (let j = 0; j < d; j++) x[j] = spec.means[c * d + j] + 0.6 * rng.normal();
      const rc = robustCertifiedRadius(spec, x);
      if (rc > 0) certified++;
      const dirs = [u, unitVector(rng, d), unitVector(rng, d)];
      for (const v of dirs) {
        for (const sgn of [1, -1]) {
          expect(rayFlipRadius(net, ROBUST_MODEL, x, sgn * yc, v, 10 * R)).toBeGreaterThanOrEqual(rc * (1 - RAY_BELOW_REL));
        }
      }
    }
    expect(certified).toBeGreaterThan(30); // most noisy points get a positive certificate
  });

  test('signedMeanDirection: unit vector with <u, mu_c> = y_c ||mu|| / sqrt(k) for orthogonal means; throws on a zero sum', () => {
    const u = signedMeanDirection(spec);
    expect(Math.abs(normSq(u) - 1)).toBeLessThan(ROUNDOFF);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += u[j] * spec.means[c * d + j];
      expect(Math.abs(s - (spec.clusterLabels[c] * R) / Math.sqrt(k))).toBeLessThan(ROUNDOFF);
    }
    const cancel = { k: 2, d: 2, means: Float64Array.of(1, 0, 1, 0), clusterLabels: Float64Array.of(1, -1), noiseStd: 0 };
    expect(() => signedMeanDirection(cancel)).toThrow(InputError);
  });

  test('flip radius at mu_c along the attack direction is sqrt(k)/2 ||mu||; >= ||mu||/2 in every direction, = along mu_c', () => {
    const net = robustClusterNetwork(spec);
    const u = signedMeanDirection(spec);
    const rStar = (Math.sqrt(k) / 2) * R;
    const rng = new Rng(62);
    for (let c = 0; c < k; c++) {
      const x = spec.means.slice(c * d, (c + 1) * d);
      const yc = spec.clusterLabels[c];
      const r = rayFlipRadius(net, ROBUST_MODEL, x, yc, u, 10 * R * Math.sqrt(k));
      expect(r).toBeGreaterThanOrEqual(rStar * (1 - RAY_BELOW_REL));
      expect(r).toBeLessThanOrEqual(rStar * (1 + RAY_ABOVE_REL));
      // Straight at the origin (v = y_c mu_c / ||mu||): the neuron dies at exactly ||mu|| / 2.
      const v = x.map((e) => (yc * e) / R);
      const r0 = rayFlipRadius(net, ROBUST_MODEL, x, yc, v, 10 * R);
      expect(Math.abs(r0 / (R / 2) - 1)).toBeLessThan(RAY_ABOVE_REL);
      for (let t = 0; t < 10; t++) {
        expect(rayFlipRadius(net, ROBUST_MODEL, x, yc, unitVector(rng, d), 10 * R)).toBeGreaterThanOrEqual((R / 2) * (1 - RAY_BELOW_REL));
      }
    }
  });
});

describe('rayFlipRadius / accuracy on a linear model f(x) = <w, x>', () => {
  const n = 40;
  const d = 5;
  const rng = new Rng(70);
  const w = gaussianRows(rng, 1, d);
  const net = linearNet(w);
  const u = unitVector(rng, d);
  const X = gaussianRows(rng, n, d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.uniform() < 0.5 ? 1 : -1;
  let wu = 0;
  for (let c = 0; c < d; c++) wu += w[c] * u[c];
  // f(x - y r u) = <w, x> - y r <w, u> changes sign at r_i = <w, x_i> / (y_i <w, u>) when > 0.
  const rFlip: number[] = [];
  for (let i = 0; i < n; i++) {
    let wx = 0;
    for (let c = 0; c < d; c++) wx += w[c] * X[i * d + c];
    const r = wx / (y[i] * wu);
    rFlip.push(r > 0 ? r : Infinity);
  }

  test('the model is linear (sanity of the construction)', () => {
    for (let i = 0; i < 5; i++) {
      const x = X.slice(i * d, (i + 1) * d);
      let wx = 0;
      for (let c = 0; c < d; c++) wx += w[c] * x[c];
      expect(Math.abs(predict(net, RELU, x) - wx)).toBeLessThan(ROUNDOFF);
    }
  });

  test('rayFlipRadius = r_i (to the bisection width), Infinity beyond rMax or moving away', () => {
    const finite = rFlip.filter(Number.isFinite).sort((p, q) => p - q);
    const rMax = finite[Math.floor(finite.length / 2)] * 1.0001;
    let below = 0;
    for (let i = 0; i < n; i++) {
      const r = rayFlipRadius(net, RELU, X.slice(i * d, (i + 1) * d), y[i], u, rMax);
      if (rFlip[i] <= rMax) {
        below++;
        expect(r).toBeGreaterThanOrEqual(rFlip[i] * (1 - RAY_BELOW_REL));
        expect(r).toBeLessThanOrEqual(rFlip[i] * (1 + RAY_ABOVE_REL));
      } else {
        expect(r).toBe(Infinity);
      }
    }
    expect(below).toBeGreaterThan(2);
    // A point inside the first scan step (r_i < rMax / 1000) exercises the lo = 0 bisection.
    const x = new Float64Array(d);
    for (let c = 0; c < d; c++) x[c] = (1e-5 * rMax * wu * w[c]) / normSq(w);
    const rTiny = 1e-5 * rMax; // <w, x> = 1e-5 rMax <w, u>, y = +1
    const got = rayFlipRadius(net, RELU, x, 1, u, rMax);
    expect(got).toBeGreaterThanOrEqual(rTiny * (1 - RAY_BELOW_REL));
    expect(got).toBeLessThanOrEqual(rTiny * (1 + RAY_ABOVE_REL));
  });

  test('rayFlipRadius finds the first crossing when the sign changes back later along the ray', () => {
    // d = 1: f(z) = |z - 3| - 1 = relu(z - 3) + relu(3 - z) - relu(1); from x = 5 towards z = 5 - r,
    // f < 0 exactly for r in (1, 3).
    const p: Params = { m: 3, d: 1, W: Float64Array.of(1, -1, 0), a: Float64Array.of(1, 1, -1), b: Float64Array.of(-3, 3, 1) };
    const model: ModelConfig = { ...RELU, bias: true };
    const r = rayFlipRadius(p, model, Float64Array.of(5), 1, Float64Array.of(1), 100);
    expect(r).toBeGreaterThanOrEqual(1 - RAY_BELOW_REL);
    expect(r).toBeLessThanOrEqual(1 + RAY_ABOVE_REL);
  });

  test('accuracy = 1 - (labels flipped against sign <w, x>) / n', () => {
    const yy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let wx = 0;
      for (let c = 0; c < d; c++) wx += w[c] * X[i * d + c];
      yy[i] = (wx > 0 ? 1 : -1) * (i % 8 === 3 ? -1 : 1);
    }
    expect(accuracy(net, RELU, X, yy, n)).toBe(1 - 5 / n);
    // f = 0 has sign 0, which is no label: the zero network is right nowhere.
    expect(accuracy(linearNet(new Float64Array(d)), RELU, X, yy, n)).toBe(0);
  });
});

describe('logLogSlope', () => {
  test('logLogSlope recovers the exponent of y = C x^p (any C)', () => {
    const xs = [1, 2, 5, 10, 30, 100];
    for (const p of [-1.7, 0.5, 2]) {
      for (const C of [1, 3e-4]) {
        expect(Math.abs(logLogSlope(xs, xs.map((x) => C * x ** p)) - p)).toBeLessThan(ROUNDOFF);
      }
    }
  });
});
