/**
 * Strict parsing of command-line numbers. `Number()` accepts far more than a user means: '' and
 * '  ' are 0, '0x4' is 4, '0b11' is 3, 'Infinity' is infinite. A flag value here must be a plain
 * decimal number (optionally with an exponent, e.g. 1e-6 or 2.5E3); anything else is an
 * InputError naming the flag and the value expected.
 */
import { InputError } from '../../core/errors.ts';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Largest seed: seeds are 32-bit unsigned integers (src/core/rng.ts). */
export const MAX_SEED = 0xffffffff;

export interface NumberSpec {
  /** Must be an integer. */
  int?: boolean;
  /** Inclusive lower bound (or exclusive with minExclusive). */
  min?: number;
  minExclusive?: boolean;
  /** Inclusive upper bound (or exclusive with maxExclusive). */
  max?: number;
  maxExclusive?: boolean;
}

/** What a NumberSpec accepts, in words: "an integer in [1, 100]", "a finite number > 0". */
export function describeSpec(s: NumberSpec): string {
  const what = s.int ? 'an integer' : 'a finite number';
  const lo = s.min === undefined ? null : s.min;
  const hi = s.max === undefined ? null : s.max;
  if (lo !== null && hi !== null) return `${what} in ${s.minExclusive ? '(' : '['}${lo}, ${hi}${s.maxExclusive ? ')' : ']'}`;
  if (lo !== null) return `${what} ${s.minExclusive ? '>' : '>='} ${lo}`;
  if (hi !== null) return `${what} ${s.maxExclusive ? '<' : '<='} ${hi}`;
  return what;
}

/**
 * Parses a flag value as a decimal number within `spec`.
 *
 * @throws InputError(fn, flag, raw, describeSpec(spec))
 *
 * @example
 *   parseNumber('flowcheck simulate', '--n', '16', { int: true, min: 1 })   // 16
 *   parseNumber('flowcheck simulate', '--n', '0x4', { int: true, min: 1 })  // throws
 */
export function parseNumber(fn: string, flag: string, raw: unknown, spec: NumberSpec = {}): number {
  const bad = (): InputError => new InputError(fn, flag, raw, describeSpec(spec));
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw bad();
    return check(raw, spec, bad);
  }
  if (typeof raw !== 'string' || !DECIMAL.test(raw)) throw bad();
  const v = Number(raw);
  if (!Number.isFinite(v)) throw bad();
  return check(v, spec, bad);
}

function check(v: number, s: NumberSpec, bad: () => InputError): number {
  if (s.int && !Number.isSafeInteger(v)) throw bad();
  if (s.min !== undefined && (s.minExclusive ? v <= s.min : v < s.min)) throw bad();
  if (s.max !== undefined && (s.maxExclusive ? v >= s.max : v > s.max)) throw bad();
  return v;
}

/** A seed: a decimal integer in [0, 2^32 - 1]. */
export function parseSeed(fn: string, flag: string, raw: unknown): number {
  return parseNumber(fn, flag, raw, { int: true, min: 0, max: MAX_SEED });
}
