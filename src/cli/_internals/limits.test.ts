import os from 'node:os';
import { describe, expect, test } from 'vitest';
import { checkMemory, estimateSimulation, guessClaimSizes, MEMORY_FRACTION, STATE_COPIES } from './limits.ts';

describe('estimateSimulation: 8 bytes per number of the large arrays', () => {
  test('reduced form (n <= d): X, two first layers, Gram matrix, STATE_COPIES reduced states', () => {
    const [n, d, m] = [2, 3, 4];
    const numbers = n * d + 2 * m * d + n * n + STATE_COPIES * (m * n + 2 * m + 1);
    expect(estimateSimulation({ n, d, m }).bytes).toBe(8 * numbers);
  });

  test('full form (n > d under auto): no Gram matrix, the state is m x d', () => {
    const [n, d, m] = [5, 3, 4];
    const numbers = n * d + 2 * m * d + STATE_COPIES * (m * d + 2 * m + 1);
    expect(estimateSimulation({ n, d, m }).bytes).toBe(8 * numbers);
    expect(estimateSimulation({ n, d, m, engine: 'full' }).bytes).toBe(8 * numbers);
  });
});

describe('checkMemory against os.totalmem', () => {
  test('refuses just above the limit, accepts at it, naming the field and the machine', () => {
    const limit = MEMORY_FRACTION * os.totalmem();
    const at = { bytes: limit, largestArray: 1, parts: 'x' };
    expect(() => checkMemory('f', '--n', 1, at, 'n = 1')).not.toThrow();
    expect(() => checkMemory('f', '--n', 1, { ...at, bytes: limit * 1.01 }, 'n = 1')).toThrow(/f: invalid --n.*n = 1 needs about .*os\.totalmem/);
  });

  test('refuses an array longer than a typed array can be, whatever the memory', () => {
    expect(() => checkMemory('f', '--m', 1, { bytes: 1, largestArray: 2 ** 32 + 1, parts: 'x' }, 'm')).toThrow(/typed array/);
  });
});

describe('guessClaimSizes from parameter names', () => {
  test.each([
    [{ nPos: 3, nNeg: 2, m: 4, extraD: 1 }, { n: 5, d: 6, m: 4 }],
    [{ nHalf: 4, gTenths: 3 }, { n: 8, d: 8, m: 1 }],
    [{ k: 4, perCluster: 3, d: 400 }, { n: 12, d: 400, m: 4 }],
    [{ d: 20, n: 80, m: 30 }, { n: 80, d: 20, m: 30 }],
  ])('%j', (p, want) => {
    expect(guessClaimSizes(p)).toEqual(want);
  });
});
