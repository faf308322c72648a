import { describe, expect, test } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { gram } from '../../core/linalg.ts';
import { stableRank } from '../../core/observables.ts';
import { InputError } from '../../core/errors.ts';
import { leakyKkt, oneStepStableRank, oneStepTolerance } from '../../theory/leakyRank.ts';
import {
  boundaryDisagreements,
  checkpointIndex,
  checkpointSteps,
  drawLeakyInstance,
  frobeniusCosine,
  fromCoefficients,
  kktMarginResidual,
  leakyModel,
  signBlock,
  spectralPoint,
  summarizeRun,
  type LeakyInstanceSpec,
} from './leakyRun.ts';

/** Round-off of sums over a few hundred products. */
const ROUNDOFF = 1e-10;

const spec = (over: Partial<LeakyInstanceSpec> = {}): LeakyInstanceSpec => ({
  n: 8,
  m: 20,
  g: 0.3,
  kappa: 1e-3,
  seed: 4,
  d: 64000,
  nearOrthMin: 10,
  maxDataAttempts: 50,
  etaFraction: 0.25,
  signs: 'random',
  aValue: 1 / Math.sqrt(20),
  ...over,
});

describe('drawLeakyInstance', () => {
  test('balanced labels, near-orthogonality as required, K = X X^T, deterministic', () => {
    const a = drawLeakyInstance(spec());
    const b = drawLeakyInstance(spec());
    expect(a).not.toBeNull();
    if (a === null || b === null) return;
    expect(Array.from(a.data.y).filter((v) => v > 0).length).toBe(4);
    expect(a.nearOrth).toBeGreaterThanOrEqual(10);
    const K = gram(a.data.X, 8, a.data.d);
    for (let q = 0; q < 64; q++) expect(Math.abs(K[q] - a.K[q])).toBeLessThan(ROUNDOFF * 64000);
    expect(Array.from(b.p0.W)).toEqual(Array.from(a.p0.W));
    expect(a.data.d).toBe(8 + 20);
  });

  test('data and the unit-std init do not depend on g or kappa; W(0) scales with kappa; eta = 0.25 n / (A max ||x||^2)', () => {
    const a = drawLeakyInstance(spec({ kappa: 1e-3 }));
    const b = drawLeakyInstance(spec({ kappa: 1, g: 0.5 }));
    if (a === null || b === null) throw new Error('no data');
    expect(Array.from(b.data.X)).toEqual(Array.from(a.data.X));
    const ratio = b.p0.W[20 * 28 - 1] / a.p0.W[20 * 28 - 1];
    expect(Math.abs(ratio / ((1000 * b.omegaThreshold) / a.omegaThreshold) - 1)).toBeLessThan(ROUNDOFF);
    let maxSq = 0;
    for (let i = 0; i < 8; i++) maxSq = Math.max(maxSq, a.K[i * 8 + i]);
    expect(Math.abs(a.eta - (0.25 * 8) / (a.sumASq * maxSq))).toBeLessThan(ROUNDOFF * a.eta);
  });

  test("'half' signs give equal blocks; odd n and unreachable near-orthogonality are handled", () => {
    const h = drawLeakyInstance(spec({ signs: 'half', m: 10, aValue: 0.2 }));
    expect(Array.from(h?.p0.a ?? [])).toEqual([0.2, 0.2, 0.2, 0.2, 0.2, -0.2, -0.2, -0.2, -0.2, -0.2]);
    expect(() => drawLeakyInstance(spec({ n: 7 }))).toThrow(InputError);
    expect(drawLeakyInstance(spec({ nearOrthMin: 1e6, maxDataAttempts: 3 }))).toBeNull();
  });
});

describe('spectral helpers', () => {
  test('spectralPoint: stable rank as core stableRank; s2, s3 and the tail of diag(3, 2, 1, 1)', () => {
    const W = new Float64Array(4 * 6);
    [3, 2, 1, 1].forEach((s, j) => (W[j * 6 + j] = s));
    const sp = spectralPoint(W, 4, 6);
    expect(Math.abs(sp.srank - 15 / 9)).toBeLessThan(ROUNDOFF);
    expect(Math.abs(sp.srank - stableRank(W, 4, 6))).toBeLessThan(ROUNDOFF);
    expect(Math.abs(sp.s2 - 2 / 3)).toBeLessThan(ROUNDOFF);
    expect(Math.abs(sp.s3 - 1 / 3)).toBeLessThan(ROUNDOFF);
    expect(Math.abs(sp.tailSq - 2)).toBeLessThan(ROUNDOFF);
  });

  test('signBlock, frobeniusCosine, fromCoefficients', () => {
    const W = Float64Array.of(1, 2, 3, 4, 5, 6);
    const { B, rows } = signBlock(W, Float64Array.of(-1, 1, -1), 2, -1);
    expect(rows).toBe(2);
    expect(Array.from(B)).toEqual([1, 2, 5, 6]);
    expect(Math.abs(frobeniusCosine(W, W.map((v) => 3 * v)) - 1)).toBeLessThan(ROUNDOFF);
    expect(Math.abs(frobeniusCosine(Float64Array.of(1, 0), Float64Array.of(0, 2)))).toBeLessThan(ROUNDOFF);
    expect(Array.from(fromCoefficients(Float64Array.of(1, 2), Float64Array.of(1, 0, 0, 1), 1, 2, 2))).toEqual([1, 2]);
  });

  test('checkpointSteps: 0, 1, T and the extras, sorted and unique; checkpointIndex throws for an absent step', () => {
    const c = checkpointSteps(3000, 2, [300]);
    expect(c[0]).toBe(0);
    expect(c[1]).toBe(1);
    expect(c[c.length - 1]).toBe(3000);
    expect(c).toContain(300);
    expect(new Set(c).size).toBe(c.length);
    expect([...c].sort((p, q) => p - q)).toEqual(c);
    expect(() => checkpointIndex(c, 7)).toThrow(InputError);
  });
});

describe('boundaryDisagreements', () => {
  test('0 for the rank-2 block structure of a leaky network; about 1/4 for ReLU with orthogonal class directions', () => {
    const d = 6;
    const m = 4;
    // rows u - g v (a > 0) and v - g u (a < 0), u = e1, v = e2
    const g = 0.3;
    const W = new Float64Array(m * d);
    for (let j = 0; j < m; j++) {
      W[j * d] = j < 2 ? 1 : -g;
      W[j * d + 1] = j < 2 ? -g : 1;
    }
    const a = Float64Array.of(0.5, 0.5, -0.5, -0.5);
    const N = 4000;
    expect(boundaryDisagreements({ m, d, W, a, b: null }, leakyModel(g), new Rng(1), N)).toBe(0);
    const Wr = new Float64Array(m * d);
    for (let j = 0; j < m; j++) Wr[j * d + (j < 2 ? 0 : 1)] = 1;
    // ReLU: f = 0 exactly where <u, x> < 0 and <v, x> < 0 (probability 1/4) while <W^T a, x> != 0
    const bad = boundaryDisagreements({ m, d, W: Wr, a, b: null }, leakyModel(0), new Rng(2), N);
    expect(Math.abs(bad / N - 0.25)).toBeLessThan(5 * Math.sqrt(0.25 * 0.75 / N));
  });
});

describe('summarizeRun (integration with the core GD)', () => {
  test('one step from a tiny init: srank(W(1)) within the one-step tolerance of 1 + ((1-g)/(1+g))^2; KKT residual ~ 0', () => {
    const inst = drawLeakyInstance(spec({ m: 40, aValue: 1 / Math.sqrt(40) }));
    if (inst === null) throw new Error('no data');
    const kkt = leakyKkt(inst.K, inst.data.y, 8, 0.3, inst.p0.a);
    if (kkt === null) throw new Error('singular');
    const s = summarizeRun(inst, 0.3, [0, 1, 2, 5], fromCoefficients(kkt.Cstar, inst.data.X, 40, 8, inst.data.d));
    const one = oneStepStableRank(0.3);
    expect(Math.abs(s.whole[1].srank / one - 1)).toBeLessThan(oneStepTolerance(0.3, 8, 40, 0.02));
    expect(s.whole[0].srank).toBeGreaterThan(30);
    expect(s.cosRef.length).toBe(4);
    expect(s.marginsT.length).toBe(8);
    expect(kktMarginResidual(inst, 0.3, kkt.Cstar)).toBeLessThan(1e-8);
  });
});
