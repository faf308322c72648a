import { describe, expect, test } from 'vitest';
import { limitProcess } from '../core/oracle.ts';
import { Rng } from '../core/rng.ts';
import { jumpProcess, saddlePrediction, extrapolateInLog, TRUE_RULE, type SaddleInput } from './saddle.ts';

/** Jump times are sums of a few float64 divisions: agreement to this relative precision. */
const TIME_REL_TOL = 1e-12;

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(TIME_REL_TOL * Math.max(1, Math.abs(b)));

function randomInput(rng: Rng, n: number, m: number): SaddleInput {
  const r = Array.from({ length: n }, () => 1 + rng.uniform());
  const y = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (1 + rng.uniform()));
  const U = Array.from({ length: m * n }, () => rng.normal());
  const s = Array.from({ length: m }, (_, j) => (j % 2 === 0 ? 1 : -1));
  return { n, m, r, y, U, s };
}

describe('jumpProcess: closed forms', () => {
  test('one neuron, one point: jump at tau = n / (r |y|), for l2 and l1 alike', () => {
    const inp: SaddleInput = { n: 1, m: 1, r: [2], y: [3], U: [0.1], s: [1] };
    for (const norm of ['l2', 'l1'] as const) {
      const p = jumpProcess(inp, { ...TRUE_RULE, norm });
      expect(p.events.length).toBe(1);
      close(p.events[0].tau, 1 / 6);
      expect(p.events[0].lossAfter).toBe(0);
    }
  });
  // n = 3, r = 1, y = (2, 1, 1); neuron 0 (+) active on {0, 1}, neuron 1 (+) on {1, 2}.
  const inp: SaddleInput = { n: 3, m: 2, r: [1, 1, 1], y: [2, 1, 1], U: [1, 1, -1, -1, 1, 1], s: [1, 1] };
  const k0 = Math.sqrt(5) / 3;
  const k1 = Math.sqrt(2) / 3;
  const t0 = 1 / k0;
  test('rate update after a jump: the second neuron continues at (1/n) r_2 |y_2| from l = -1 + k1 t0', () => {
    const p = jumpProcess(inp, TRUE_RULE);
    expect(p.events.map((e) => e.neurons)).toEqual([[0], [1]]);
    close(p.events[0].tau, t0);
    close(p.events[1].tau, t0 + (1 - k1 * t0) / (1 / 3));
    expect(p.events[0].lossAfter).toBeCloseTo(1 / 6, 15);
    close(p.events[0].margin, 1 - k1 * t0);
  });
  test('mutant rates-not-updated: the second neuron keeps kappa_1 and jumps at 1 / kappa_1', () => {
    const p = jumpProcess(inp, { ...TRUE_RULE, updateRates: false });
    close(p.events[1].tau, 1 / k1);
    expect(p.events[1].tau).toBeLessThan(jumpProcess(inp, TRUE_RULE).events[1].tau);
  });
  test('mutant kappa-l1: rates (1/n) sum r |y|: first jump at n / (2 + 1)', () => {
    const p = jumpProcess(inp, { ...TRUE_RULE, norm: 'l1' });
    close(p.events[0].tau, 1);
  });
  test('mutant rates-x1.05: every jump time divided by 1.05 (start l = -1 for all)', () => {
    const rng = new Rng(7);
    const x = randomInput(rng, 7, 5);
    const a = jumpProcess(x, TRUE_RULE);
    const b = jumpProcess(x, { ...TRUE_RULE, rateScale: 1.05 });
    expect(b.events.map((e) => e.neurons)).toEqual(a.events.map((e) => e.neurons));
    a.events.forEach((e, k) => close(b.events[k].tau, e.tau / 1.05));
  });
});

describe('jumpProcess with the true rule reproduces core limitProcess (two implementations)', () => {
  test('random instances: event times, neurons, fitted points, levels, margins and paths agree', () => {
    const rng = new Rng(2026);
    for (let t = 0; t < 200; t++) {
      const n = rng.int(1, 10);
      const m = rng.int(1, 8);
      const x = randomInput(rng, n, m);
      const a = jumpProcess(x, TRUE_RULE);
      const b = limitProcess({ n, m, r: Float64Array.from(x.r), y: Float64Array.from(x.y), U0: Float64Array.from(x.U), signs: Float64Array.from(x.s), lambda: 0.5 });
      expect(a.events.length).toBe(b.events.length);
      a.events.forEach((e, k) => {
        close(e.tau, b.events[k].tau);
        expect(e.neurons).toEqual(b.events[k].neurons);
        expect(e.fitted).toEqual(b.events[k].fitted);
        expect(e.lossAfter).toBeCloseTo(b.events[k].lossAfter, 14);
        if (Number.isFinite(b.events[k].margin)) close(e.margin, b.events[k].margin);
        else expect(e.margin).toBe(Infinity);
      });
      expect(a.S).toEqual(b.S);
      a.paths.l.forEach((row, k) => row.forEach((v, j) => close(v, b.paths.l[k][j])));
      expect(saddlePrediction(x).events.map((e) => e.tau)).toEqual(b.events.map((e) => e.tau));
    }
  });
});

describe('extrapolateInLog', () => {
  test('exact for tau(lambda) = tau0 + c / log(1/lambda)', () => {
    const tau0 = 1.7;
    const c = 3.2;
    const L1 = 8 * Math.LN10;
    const L2 = 16 * Math.LN10;
    close(extrapolateInLog(L1, tau0 + c / L1, L2, tau0 + c / L2), tau0);
  });
});
