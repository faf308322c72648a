/**
 * Size limits checked before anything is allocated, so a huge size is refused with exit 2 and a
 * message naming the field, instead of a RangeError from the allocator or the operating system
 * killing the process. Memory is estimated from the sizes (float64 = 8 bytes per number) and
 * compared with the machine's (os.totalmem()).
 */
import os from 'node:os';
import { InputError } from '../../core/errors.ts';

/**
 * Share of the machine's memory one run may plan to use: half of os.totalmem(), leaving the rest
 * to the operating system, V8's own heap (the estimate counts only the big float64 arrays) and
 * other processes.
 */
export const MEMORY_FRACTION = 0.5;

/** Largest typed array V8 can allocate in Node 20, in elements (new Float64Array(2^32 + 1) throws). */
export const MAX_ARRAY_ELEMENTS = 2 ** 32;

/**
 * Copies of the state vector alive during a gradient-flow run: Dormand-Prince's 7 stages, the
 * new state, the error estimate, atol, 5 dense-output coefficients and the system's buffers
 * (src/core/integrators/dopri5.ts, system.ts), rounded up.
 */
export const STATE_COPIES = 16;

/** Most trials `simulate --trials` runs (they stream, but each costs at least milliseconds). */
export const MAX_SIMULATE_TRIALS = 10_000_000;

/** Most gradient-descent steps, and the largest flow step budget (--steps, --max-steps). */
export const MAX_STEPS = 1_000_000_000;

/**
 * Shortest gradient-flow horizon: the integrator declares step-size underflow below
 * 1e-14 |t| + 1e-300 (dopri5.ts), so a horizon must leave room for steps far above 1e-300.
 */
export const MIN_FLOW_T_END = 1e-250;

/** Most cells of a sweep grid (each runs --trials trials). */
export const MAX_SWEEP_CELLS = 10_000;

/** Most trials of a sweep in all (cells x --trials). */
export const MAX_SWEEP_TRIALS = 10_000_000;

/**
 * A swept integer parameter may exceed the largest value the claim's regime draws by at most
 * this factor: claims allocate arrays growing with their parameters in ways the sweep cannot see
 * (e.g. d = 1000 n^2), so unbounded growth is refused before any trial runs.
 */
export const SWEEP_MAX_GROWTH = 16;

export interface MemoryEstimate {
  /** Total bytes of the large float64 arrays. */
  bytes: number;
  /** Elements of the largest single array. */
  largestArray: number;
  /** What the bytes consist of, for messages. */
  parts: string;
}

export function fmtBytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toPrecision(3)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toPrecision(3)} MiB`;
  return `${Math.ceil(b / 1024)} KiB`;
}

/**
 * Memory of one simulation with n samples in d dimensions and width m: the data X [n x d], the
 * initial and final first layer [m x d], and STATE_COPIES copies of the integrator state, which is
 * m x n (+ the Gram matrix n x n) in the reduced form and m x d in the full form. 'auto' takes the
 * reduced form when n <= d (src/core/system.ts makeSystem).
 */
export function estimateSimulation(s: { n: number; d: number; m: number; engine?: string; extra?: number }): MemoryEstimate {
  const { n, d, m } = s;
  const reduced = s.engine === 'reduced' || ((s.engine ?? 'auto') === 'auto' && n <= d);
  const state = (reduced ? m * n : m * d) + 2 * m + 1;
  const data = n * d;
  const layers = 2 * m * d;
  const gram = reduced ? n * n : 0;
  const extra = s.extra ?? 0;
  const numbers = data + layers + gram + STATE_COPIES * state + extra;
  return {
    bytes: 8 * numbers,
    largestArray: Math.max(data, m * d, gram, state, extra),
    parts: `data ${fmtBytes(8 * data)}, first layer ${fmtBytes(8 * layers)}${gram > 0 ? `, Gram matrix ${fmtBytes(8 * gram)}` : ''}, ${STATE_COPIES} copies of the ${reduced ? 'reduced' : 'full'} state ${fmtBytes(8 * STATE_COPIES * state)}${extra > 0 ? `, other ${fmtBytes(8 * extra)}` : ''}`,
  };
}

/**
 * Refuses a run whose estimate exceeds MEMORY_FRACTION of this machine's memory, or whose largest
 * array exceeds what V8 can allocate.
 *
 * @param what the sizes, as the user gave them ("n = 50000, d = 50000, m = 16")
 * @throws InputError(fn, field, received, ...) with the estimate and the machine's memory
 */
export function checkMemory(fn: string, field: string, received: unknown, est: MemoryEstimate, what: string): void {
  const total = os.totalmem();
  const limit = MEMORY_FRACTION * total;
  if (!(est.bytes <= limit)) {
    throw new InputError(fn, field, received, `sizes whose run fits in memory: ${what} needs about ${fmtBytes(est.bytes)} (${est.parts}), more than ${MEMORY_FRACTION * 100}% of this machine's ${fmtBytes(total)} (os.totalmem)`);
  }
  if (!(est.largestArray <= MAX_ARRAY_ELEMENTS)) {
    throw new InputError(fn, field, received, `sizes whose arrays can be allocated: ${what} needs an array of ${est.largestArray} numbers, more than the ${MAX_ARRAY_ELEMENTS} a typed array can hold`);
  }
}

function num(p: Record<string, unknown>, k: string): number | undefined {
  const v = p[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Sizes of one trial of a claim guessed from its parameter names (n or nPos + nNeg or 2 nHalf or
 * k perCluster; d, else n + extraD; m or p): a lower bound on what the trial allocates, used to
 * refuse absurd sweeps before any trial runs (claims do not declare their sizes).
 */
export function guessClaimSizes(p: Record<string, unknown>): { n: number; d: number; m: number } {
  const nPos = num(p, 'nPos');
  const nHalf = num(p, 'nHalf');
  const k = num(p, 'k');
  const per = num(p, 'perCluster');
  const n = num(p, 'n') ?? (nPos !== undefined ? nPos + (num(p, 'nNeg') ?? 0) : nHalf !== undefined ? 2 * nHalf : k !== undefined ? k * (per ?? 1) : 1);
  const d = num(p, 'd') ?? n + (num(p, 'extraD') ?? 0);
  const m = num(p, 'm') ?? num(p, 'p') ?? k ?? 1;
  return { n: Math.max(1, n), d: Math.max(1, d), m: Math.max(1, m) };
}
