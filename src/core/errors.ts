/**
 * Bad input anywhere in flowcheck raises an InputError that names the function,
 * the field, the value received and what was expected. The CLI maps it to exit status 2.
 */
export class InputError extends Error {
  readonly field: string;
  constructor(fn: string, field: string, received: unknown, expected: string) {
    super(`${fn}: invalid ${field}: received ${describe(received)}, expected ${expected}`);
    this.name = 'InputError';
    this.field = field;
  }
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `typed array of length ${(v as Float64Array).length}`;
  return typeof v;
}

/** Throws unless v is a finite number. */
export function checkFinite(fn: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(fn, field, v, 'a finite number');
  return v;
}

/** Throws unless v is an integer >= min. */
export function checkInt(fn: string, field: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InputError(fn, field, v, `an integer >= ${min}`);
  }
  return v;
}

/** Throws unless v is a finite number > 0 (or >= 0 when allowZero). */
export function checkPositive(fn: string, field: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (allowZero ? v < 0 : v <= 0)) {
    throw new InputError(fn, field, v, allowZero ? 'a finite number >= 0' : 'a finite number > 0');
  }
  return v;
}

/** Throws unless every entry of arr is finite. */
export function checkAllFinite(fn: string, field: string, arr: ArrayLike<number>): void {
  for (let i = 0; i < arr.length; i++) {
    if (!Number.isFinite(arr[i])) throw new InputError(fn, `${field}[${i}]`, arr[i], 'a finite number');
  }
}
