import { describe, expect, test } from 'vitest';
import { linearFit2 } from './alignmentFit.ts';
import { Rng } from '../../core/rng.ts';

/** Exact data are fitted to round-off (a few hundred float operations). */
const ROUNDOFF = 1e-10;

describe('linearFit2', () => {
  test('recovers an exact plane with zero-width intervals', () => {
    const x1 = [0, 1, 2, 0, 1, 2];
    const x2 = [0, 0, 0, 1, 1, 1];
    const y = x1.map((a, k) => 3 + 0.5 * a - 2 * x2[k]);
    const f = linearFit2(x1, x2, y);
    expect(f).not.toBeNull();
    expect(Math.abs((f?.b1 ?? NaN) - 0.5)).toBeLessThan(ROUNDOFF);
    expect(Math.abs((f?.b2 ?? NaN) + 2)).toBeLessThan(ROUNDOFF);
    expect(Math.abs((f?.c ?? NaN) - 3)).toBeLessThan(ROUNDOFF);
    expect((f?.b1Hi ?? NaN) - (f?.b1Lo ?? NaN)).toBeLessThan(ROUNDOFF);
  });
  test('noisy plane: the 95% intervals cover the true coefficients in most replications', () => {
    const rng = new Rng(5);
    let cover = 0;
    const reps = 200;
    for (let r = 0; r < reps; r++) {
      const x1: number[] = [];
      const x2: number[] = [];
      const y: number[] = [];
      for (let k = 0; k < 20; k++) {
        x1.push(rng.uniform());
        x2.push(rng.uniform());
        y.push(1 + 0.7 * x1[k] - 0.3 * x2[k] + 0.1 * rng.normal());
      }
      const f = linearFit2(x1, x2, y);
      if (f !== null && f.b1Lo <= 0.7 && 0.7 <= f.b1Hi) cover++;
    }
    // Binomial(200, 0.95): below 180 has probability ~1e-3.
    expect(cover).toBeGreaterThanOrEqual(180);
  });
  test('degenerate input returns null', () => {
    expect(linearFit2([1, 2, 3], [1, 2, 3], [1, 2, 3])).toBeNull();
    expect(linearFit2([1, 2, 3, 4], [2, 4, 6, 8], [1, 2, 3, 4])).toBeNull();
    // only 3 finite rows
    expect(linearFit2([1, 2, 3, 4, 5], [0, 1, 0, NaN, 1], [1, 2, 3, 4, NaN])).toBeNull();
  });
});
