import { describe, expect, test } from 'vitest';
import { Rng } from '../core/rng.ts';
import { matVec, normSq, randomOrthonormal } from '../core/linalg.ts';
import { simulate } from '../core/dynamics.ts';
import { flipSearch } from '../core/flip.ts';
import { inputGradient, predict } from '../core/observables.ts';
import { flipLaw, gradLawInterval, perpGradientScale, weightDecayFactor } from './subspace.ts';
import { highDimInit, highDimProblem, SUBSPACE_MODEL } from '../claims/_internals/subspaceRun.ts';
import { perpDeviation } from '../claims/_internals/highdim.ts';

/** Standard deviations allowed for a Monte Carlo mean or frequency (a 4-sd event has probability ~6e-5). */
const MC_SD = 4;
/** GD with weight decay on data in P: the P_perp part follows (1 - eta c)^t to round-off (~1e-15 per step). */
const DECAY_ROUNDOFF = 1e-11;
/** flipSearch pins an affine crossing down to a few ulps. */
const CROSSING_REL = 1e-9;

function chiSquare(rng: Rng, l: number): number {
  let s = 0;
  for (let i = 0; i < l; i++) s += rng.normal() ** 2;
  return s;
}

describe('gradLawInterval (Laurent-Massart bounds for sqrt(chi^2_l / l))', () => {
  test('each tail has Monte Carlo frequency <= delta', () => {
    const rng = new Rng(7);
    const delta = 0.02;
    const draws = 20000;
    for (const l of [4, 16, 64]) {
      const { lo, hi } = gradLawInterval(l, delta);
      let below = 0;
      let above = 0;
      for (let k = 0; k < draws; k++) {
        const r = Math.sqrt(chiSquare(rng, l) / l);
        if (r < lo) below++;
        if (r > hi) above++;
      }
      const sd = Math.sqrt((delta * (1 - delta)) / draws);
      expect(below / draws).toBeLessThanOrEqual(delta + MC_SD * sd);
      expect(above / draws).toBeLessThanOrEqual(delta + MC_SD * sd);
    }
  });

  test('contains 1, narrows as l grows, lower end vacuous for l = 1', () => {
    const a = gradLawInterval(16, 1e-3);
    const b = gradLawInterval(256, 1e-3);
    expect(a.lo).toBeLessThan(1);
    expect(a.hi).toBeGreaterThan(1);
    expect(b.lo).toBeGreaterThan(a.lo);
    expect(b.hi).toBeLessThan(a.hi);
    expect(gradLawInterval(1, 1e-3).lo).toBe(0);
  });
});

describe('perpGradientScale: ||P_perp sum_j c_j w_j||^2 d / (beta^2 ||c||^2) ~ chi^2_l', () => {
  test('Monte Carlo mean of ratio^2 = (||P_perp g|| / (scale ||c||))^2 is 1', () => {
    const rng = new Rng(3);
    const d = 40;
    const l = 6;
    const m = 10;
    const beta = 0.7;
    const reps = 4000;
    const perp = randomOrthonormal(rng, l, d);
    const g = new Float64Array(d);
    const pg = new Float64Array(l);
    let mean = 0;
    for (let r = 0; r < reps; r++) {
      g.fill(0);
      let c2 = 0;
      for (let j = 0; j < m; j++) {
        const c = rng.uniform() < 0.5 ? 0 : rng.normal();
        c2 += c * c;
        for (let q = 0; q < d; q++) g[q] += c * ((beta / Math.sqrt(d)) * rng.normal());
      }
      if (c2 === 0) continue;
      matVec(pg, perp, l, d, g);
      mean += normSq(pg) / (perpGradientScale(beta, l, d) ** 2 * c2) / reps;
    }
    // ratio^2 ~ chi^2_l / l: mean 1, variance 2 / l.
    expect(Math.abs(mean - 1)).toBeLessThanOrEqual(MC_SD * Math.sqrt(2 / l / reps));
  });

  test('weight decay scales the gradient by rho', () => {
    expect(perpGradientScale(2, 9, 16, 0.5)).toBeCloseTo(0.5 * 2 * 0.75, 14);
  });
});

describe('flipLaw is the exact flip of a network affine in P_perp', () => {
  test('every neuron active on a large ball: flipSearch in P_perp finds |N| / ||P_perp grad||', () => {
    const rng = new Rng(11);
    const prob = highDimProblem(rng.fork(1), 6, 30, 5);
    const p = highDimInit(rng.fork(2), 8, 30, 1);
    const b = p.b as Float64Array;
    for (let j = 0; j < p.m; j++) b[j] = 1e3; // pre-activations stay positive: N is affine near x
    const x = prob.data.X.slice(0, 30);
    const g = new Float64Array(30);
    inputGradient(g, p, SUBSPACE_MODEL, x);
    const pg = new Float64Array(prob.l);
    matVec(pg, prob.perp, prob.l, 30, g);
    const cNorm = Math.sqrt(normSq(p.a));
    const scale = Math.sqrt(normSq(pg)) / cNorm;
    const fr = flipSearch(p, SUBSPACE_MODEL, x, { basis: prob.perp, k: prob.l, restarts: 2 });
    const law = flipLaw(Math.abs(predict(p, SUBSPACE_MODEL, x)), cNorm, scale);
    expect(fr.found).not.toBeNull();
    expect(Math.abs((fr.found as number) - law)).toBeLessThanOrEqual(CROSSING_REL * law);
  });
});

describe('weightDecayFactor is the law of P_perp w under GD with weight decay', () => {
  test('GD on data in P: P_perp W(t) = (1 - eta c)^t P_perp W(0)', () => {
    const rng = new Rng(5);
    const prob = highDimProblem(rng.fork(1), 8, 24, 6);
    const p0 = highDimInit(rng.fork(2), 10, 24, 1);
    const etaC = 0.03;
    const steps = 25;
    const tr = simulate({ data: prob.data, model: SUBSPACE_MODEL, loss: 'logistic', weightDecay: etaC / prob.eta }, p0, { kind: 'gd', eta: prob.eta, steps }, { engine: 'full', record: { lossCurve: false } });
    const rho = weightDecayFactor(etaC, steps);
    expect(perpDeviation(p0.W, tr.final.W, prob.perp, prob.l, 10, 24, rho)).toBeLessThanOrEqual(DECAY_ROUNDOFF);
    // the law is not the identity: the factor 1 is far off
    expect(perpDeviation(p0.W, tr.final.W, prob.perp, prob.l, 10, 24, 1)).toBeGreaterThan(0.1);
  });
});
