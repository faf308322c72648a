import { describe, expect, test } from 'vitest';
import { median } from './median.ts';

describe('median', () => {
  test('median of odd and even lists, NaN for none, input untouched', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});
