import { describe, expect, test } from 'vitest';
import { orthogonalLimit } from './orthogonal.ts';

describe('orthogonalLimit (closed-form cases)', () => {
  // m = 2 neurons, n = 3 points; U0 row-major [m x n].
  const y = [1, -2, 1.5];
  const U0 = [
    0.1, 0.2, -0.1, // neuron 0: active on points 0, 1
    -0.3, 0.4, 0.5, // neuron 1: active on points 1, 2
  ];
  test('one positive and one negative neuron: coverage follows signs', () => {
    const r = orthogonalLimit(U0, [1, -1], y, 2, 3);
    // neuron 0 (+) covers point 0; neuron 1 (-) covers point 1; point 2 (+) only active for the negative neuron
    expect(r.unfit).toEqual([2]);
    expect(r.zero).toBe(false);
    expect(r.Linf).toBeCloseTo((1.5 * 1.5) / 6, 15);
  });
  test('both positive: the negative point is unfit', () => {
    const r = orthogonalLimit(U0, [1, 1], y, 2, 3);
    expect(r.unfit).toEqual([1]);
    expect(r.Linf).toBeCloseTo(4 / 6, 15);
  });
  test('mutants: ignoring the sign covers every active point; linfFactor scales L_inf', () => {
    expect(orthogonalLimit(U0, [1, -1], y, 2, 3, { ignoreSign: true }).zero).toBe(true);
    expect(orthogonalLimit(U0, [1, 1], y, 2, 3, { linfFactor: 2 }).Linf).toBeCloseTo(8 / 6, 15);
  });
  test('no neuron: every point unfit, L_inf = L(0)', () => {
    const r = orthogonalLimit([], [], y, 0, 3);
    expect(r.unfit).toEqual([0, 1, 2]);
    expect(r.Linf).toBeCloseTo((1 + 4 + 2.25) / 6, 15);
  });
});
