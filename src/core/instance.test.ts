import { describe, expect, test } from 'vitest';
import { InputError } from './errors.ts';
import { MAX_STEPS, MIN_FLOW_T_END, parseInstance, resolveInstance, summarize } from './instance.ts';
import { simulate } from './dynamics.ts';
import { stableRank } from './observables.ts';
import type { Trajectory } from './types.ts';
import { DEFAULT_MODEL } from './types.ts';

/**
 * Stable rank is invariant under scaling W by a power of two except for rounding in the Gram
 * matrix and the eigen solver: a few ulps of the rank's O(1) value.
 */
const SCALED_RANK_TOL = 1e-12;

const GOOD = { X: [[1, 0], [0, 2]], y: [1, -1.5], W0: [[0.001, 0.002], [0.002, -0.001]], a0: [0.002, -0.002] };

function trajectoryWith(W: number[], extra: Partial<Trajectory> = {}): Trajectory {
  const m = 2;
  const d = W.length / m;
  return { t: [], loss: [], snapshots: [], initialLoss: 1, finalLoss: 1, final: { m, d, W: Float64Array.from(W), a: Float64Array.from([1, -1]), b: null }, tEnd: 1, steps: 1, nfev: 1, rejected: 0, diverged: false, stoppedAtLoss: false, engine: 'full', ...extra };
}

describe('summarize: a diverged run is summarised, never thrown', () => {
  test('a NaN first layer has stable rank NaN (singularValues would throw on it)', () => {
    const s = summarize(trajectoryWith([NaN, 1, 2, 3], { diverged: true, divergeReason: 'nan' }), DEFAULT_MODEL);
    expect(s.stableRank).toBeNaN();
    expect(s.diverged).toBe(true);
    expect(s.divergeReason).toBe('nan');
  });

  test('an infinite entry gives NaN too', () => {
    expect(summarize(trajectoryWith([Infinity, 1, 2, 3]), DEFAULT_MODEL).stableRank).toBeNaN();
  });

  test('entries near the float64 limit: the stable rank of the rescaled matrix (scale-invariant)', () => {
    const W = [3, 1, 2, 5];
    const big = W.map((x) => x * 2 ** 1000);
    const s = summarize(trajectoryWith(big), DEFAULT_MODEL);
    expect(Math.abs(s.stableRank - stableRank(Float64Array.from(W), 2, 2))).toBeLessThan(SCALED_RANK_TOL);
  });

  test('an ordinary matrix goes through stableRank unchanged, bit for bit', () => {
    const W = [0.3, -1.2, 2.5, 0.7];
    expect(summarize(trajectoryWith(W), DEFAULT_MODEL).stableRank).toBe(stableRank(Float64Array.from(W), 2, 2));
  });

  test('a flow that used up its step budget is budgetExhausted, not diverged', () => {
    const inst = parseInstance({ ...GOOD, dynamics: { kind: 'flow', tEnd: 1e300, maxSteps: 20 } });
    const r = resolveInstance(inst);
    const traj = simulate(r.problem, r.params, r.dynamics);
    const s = summarize(traj, r.problem.model);
    expect(s.steps).toBe(20);
    expect(s.diverged).toBe(false);
    expect(s.divergeReason).toBeNull();
    expect(s.budgetExhausted).toBe(true);
  });

  test('a run that finished has no budgetExhausted key (stored summaries keep their shape)', () => {
    const r = resolveInstance(parseInstance({ ...GOOD, dynamics: { kind: 'gd', eta: 0.1, steps: 5 } }));
    expect('budgetExhausted' in summarize(simulate(r.problem, r.params, r.dynamics), r.problem.model)).toBe(false);
  });
});

describe('parseInstance: the error names the field the value means', () => {
  const cases: [string, unknown, RegExp][] = [
    ['gd steps 1.5 is judged as gd, not as flow', { ...GOOD, dynamics: { kind: 'gd', eta: 0.1, steps: 1.5 } }, /instance\.dynamics\.steps.*integer/],
    ['gd without steps', { ...GOOD, dynamics: { kind: 'gd', eta: 0.1 } }, /instance\.dynamics\.steps.*required/],
    ['flow without tEnd', { ...GOOD, dynamics: { kind: 'flow' } }, /instance\.dynamics\.tEnd.*required/],
    ['flow with a gd field', { ...GOOD, dynamics: { kind: 'flow', tEnd: 1, eta: 1 } }, /instance\.dynamics\.eta.*unknown field/],
    ['an unknown kind lists the kinds', { ...GOOD, dynamics: { kind: 'sgd' } }, /instance\.dynamics\.kind.*"flow" or "gd"/],
    ['tEnd below the integrator floor', { ...GOOD, dynamics: { kind: 'flow', tEnd: MIN_FLOW_T_END / 2 } }, /instance\.dynamics\.tEnd/],
    ['steps beyond the limit', { ...GOOD, dynamics: { kind: 'gd', eta: 0.1, steps: MAX_STEPS + 1 } }, /instance\.dynamics\.steps/],
    ['maxSteps beyond the limit', { ...GOOD, dynamics: { kind: 'flow', tEnd: 1, maxSteps: MAX_STEPS + 1 } }, /instance\.dynamics\.maxSteps/],
  ];
  for (const [name, v, re] of cases) {
    test(name, () => {
      let err: unknown;
      try {
        parseInstance(v);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(re);
    });
  }
});
