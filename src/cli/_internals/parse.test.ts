import { describe, expect, test } from 'vitest';
import { InputError } from '../../core/errors.ts';
import { describeSpec, MAX_SEED, parseNumber, parseSeed } from './parse.ts';

describe('parseNumber: plain decimal numbers only', () => {
  test.each([
    ['16', { int: true, min: 1 }, 16],
    ['1e3', { int: true, min: 1 }, 1000],
    ['1e-6', { min: 0, minExclusive: true }, 1e-6],
    ['.5', {}, 0.5],
    ['+2.5E2', {}, 250],
    ['0', { int: true, min: 0 }, 0],
  ])('%s is accepted', (raw, spec, want) => {
    expect(parseNumber('f', '--x', raw, spec)).toBe(want);
  });

  test.each(['', ' ', '0x4', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', '1e400', '4 ', '1,5', '1_000', 'abc'])('%j is refused naming the flag', (raw) => {
    expect(() => parseNumber('f', '--x', raw, {})).toThrow(InputError);
    expect(() => parseNumber('f', '--x', raw, {})).toThrow(/f: invalid --x/);
  });

  test('bounds and integrality, with the expectation in words', () => {
    expect(() => parseNumber('f', '--n', '1.5', { int: true, min: 1 })).toThrow(/expected an integer >= 1/);
    expect(() => parseNumber('f', '--leak', '1', { min: 0, max: 1, maxExclusive: true })).toThrow(/expected a finite number in \[0, 1\)/);
    expect(() => parseNumber('f', '--eta', '0', { min: 0, minExclusive: true })).toThrow(/expected a finite number > 0/);
    expect(() => parseNumber('f', '--n', '1e20', { int: true })).toThrow(InputError); // not a safe integer
  });

  test('describeSpec covers each form', () => {
    expect(describeSpec({})).toBe('a finite number');
    expect(describeSpec({ int: true, max: 3 })).toBe('an integer <= 3');
    expect(describeSpec({ min: 0, minExclusive: true, max: 1 })).toBe('a finite number in (0, 1]');
  });
});

describe('parseSeed: 32-bit unsigned integers', () => {
  test('the ends of the range are seeds; one past them is not', () => {
    expect(parseSeed('f', '--seed', '0')).toBe(0);
    expect(parseSeed('f', '--seed', String(MAX_SEED))).toBe(MAX_SEED);
    expect(() => parseSeed('f', '--seed', String(MAX_SEED + 1))).toThrow(/--seed.*\[0, 4294967295\]/);
    expect(() => parseSeed('f', '--seed', '-1')).toThrow(/--seed/);
  });
});
