/**
 * Explicit instances: the JSON form of one simulation (data, initial parameters, model, loss,
 * dynamics), so anyone can run flowcheck and another implementation on the very same numbers.
 * The format is src/core/schema/instance.schema.json; its TypeScript types are generated from it.
 */
import { Ajv, type ErrorObject } from 'ajv';
import schema from './schema/instance.schema.json' with { type: 'json' };
import type { Instance } from './schema/instance.types.ts';
import type { DynamicsConfig, LossKind, ModelConfig, OutputScale, Params, Problem, Trajectory } from './types.ts';
import { DEFAULT_MODEL } from './types.ts';
import { InputError } from './errors.ts';
import { simulate } from './dynamics.ts';
import { paramNormSq, stableRank } from './observables.ts';

/**
 * Shortest gradient-flow horizon of an instance: the integrator declares step-size underflow
 * below 1e-14 |t| + 1e-300 (integrators/dopri5.ts), so a horizon must leave room for steps far
 * above 1e-300.
 */
export const MIN_FLOW_T_END = 1e-250;

/**
 * Most gradient-descent steps (and the largest flow step budget, maxSteps) of an instance: a
 * billion steps is hours even for the smallest instance; more is a typo, not a plan.
 */
export const MAX_STEPS = 1_000_000_000;

export type { Instance } from './schema/instance.types.ts';

/** Defaults for omitted fields of an instance. */
export const INSTANCE_DEFAULTS = {
  model: DEFAULT_MODEL,
  loss: 'square' as LossKind,
  dynamics: { kind: 'flow', tEnd: 300 } as DynamicsConfig,
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile(schema);

function fieldOf(path: string): string {
  // '/W0/3/1' -> 'W0[3][1]'
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map((s, k) => (/^\d+$/.test(s) ? `[${s}]` : k === 0 ? s : `.${s}`))
    .join('');
}

/**
 * Validates an unknown value as an Instance: schema first (unknown fields, wrong enums, types),
 * then shapes (every X row has d entries, W0 rows have d columns, y has n entries, a0 and b0 have
 * m entries) and finiteness. Throws InputError naming the field.
 */
export function parseInstance(value: unknown, where = 'instance'): Instance {
  const fn = 'parseInstance';
  if (!validateSchema(value)) {
    const e = pickError(validateSchema.errors ?? []);
    const path = fieldOf(e.instancePath);
    const field = path ? `${where}.${path}` : where;
    throw new InputError(fn, field, valueAt(value, e.instancePath), e.expected);
  }
  const inst = value as unknown as Instance;
  const n = inst.X.length;
  const d = inst.X[0].length;
  inst.X.forEach((row, i) => {
    if (row.length !== d) throw new InputError(fn, `${where}.X[${i}]`, row, `a row of d = ${d} numbers (the length of X[0])`);
    row.forEach((v, k) => {
      if (!Number.isFinite(v)) throw new InputError(fn, `${where}.X[${i}][${k}]`, v, 'a finite number');
    });
  });
  const finite = (arr: number[], field: string): void =>
    arr.forEach((v, k) => {
      if (!Number.isFinite(v)) throw new InputError(fn, `${where}.${field}[${k}]`, v, 'a finite number');
    });
  finite(inst.y, 'y');
  inst.W0.forEach((row, j) => finite(row, `W0[${j}]`));
  finite(inst.a0, 'a0');
  if (inst.b0 !== undefined) finite(inst.b0, 'b0');
  if (inst.y.length !== n) throw new InputError(fn, `${where}.y`, inst.y, `n = ${n} labels (rows of X)`);
  const m = inst.W0.length;
  inst.W0.forEach((row, j) => {
    if (row.length !== d) throw new InputError(fn, `${where}.W0[${j}]`, row, `d = ${d} columns (the columns of X)`);
  });
  if (inst.a0.length !== m) throw new InputError(fn, `${where}.a0`, inst.a0, `m = ${m} entries (rows of W0)`);
  const bias = inst.model?.bias ?? false;
  if (inst.b0 !== undefined && inst.b0.length !== m) throw new InputError(fn, `${where}.b0`, inst.b0, `m = ${m} entries (rows of W0)`);
  if (inst.b0 !== undefined && !bias) throw new InputError(fn, `${where}.model.bias`, bias, 'true when b0 is given');
  const dyn = inst.dynamics;
  if (dyn?.kind === 'flow' && dyn.tEnd < MIN_FLOW_T_END) throw new InputError(fn, `${where}.dynamics.tEnd`, dyn.tEnd, `a number >= ${MIN_FLOW_T_END} (shorter horizons are below the integrator's smallest step)`);
  if (dyn?.kind === 'flow' && dyn.maxSteps !== undefined && dyn.maxSteps > MAX_STEPS) throw new InputError(fn, `${where}.dynamics.maxSteps`, dyn.maxSteps, `an integer in [1, ${MAX_STEPS}]`);
  if (dyn?.kind === 'gd' && dyn.steps > MAX_STEPS) throw new InputError(fn, `${where}.dynamics.steps`, dyn.steps, `an integer in [0, ${MAX_STEPS}]`);
  return inst;
}

/** One schema error, with the field it names and what was expected there, in words. */
interface Picked {
  instancePath: string;
  keyword: string;
  expected: string;
}

function words(e: ErrorObject): Picked {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { instancePath: `${e.instancePath}/${String(p.missingProperty)}`, keyword: e.keyword, expected: 'a value (the field is required)' };
    case 'additionalProperties':
      return { instancePath: `${e.instancePath}/${String(p.additionalProperty)}`, keyword: e.keyword, expected: `no such field (unknown field "${String(p.additionalProperty)}")` };
    case 'enum':
      return { instancePath: e.instancePath, keyword: e.keyword, expected: `one of the allowed values (allowed: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})` };
    case 'const':
      return { instancePath: e.instancePath, keyword: e.keyword, expected: JSON.stringify(p.allowedValue) };
    case 'type':
      return { instancePath: e.instancePath, keyword: e.keyword, expected: p.type === 'integer' ? 'an integer' : p.type === 'array' || p.type === 'object' ? `an ${String(p.type)}` : `a ${String(p.type)}` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return { instancePath: e.instancePath, keyword: e.keyword, expected: `a number ${String(p.comparison)} ${String(p.limit)}` };
    case 'minItems':
      return { instancePath: e.instancePath, keyword: e.keyword, expected: `at least ${String(p.limit)} entr${p.limit === 1 ? 'y' : 'ies'}` };
    default:
      return { instancePath: e.instancePath, keyword: e.keyword, expected: e.message ?? e.keyword };
  }
}

/**
 * The error to report among ajv's (allErrors): inside a oneOf, the branch the value means (the
 * one whose `kind` matches: a gd dynamics is judged as gd, not as flow); a oneOf without such a
 * discriminator (outputScale) is reported as a whole with every allowed value.
 */
function pickError(errors: ErrorObject[]): Picked {
  let candidates = errors.filter((e) => e.keyword !== 'oneOf');
  for (const o of errors.filter((e) => e.keyword === 'oneOf')) {
    const base = `${o.schemaPath}/`;
    const branchOf = (e: ErrorObject): number | null => (e.schemaPath.startsWith(base) ? Number(e.schemaPath.slice(base.length).split('/')[0]) : null);
    const branches = [...new Set(candidates.map(branchOf).filter((b): b is number => b !== null))];
    const kindFails = (b: number): boolean => candidates.some((e) => branchOf(e) === b && e.keyword === 'const' && e.instancePath === `${o.instancePath}/kind`);
    const viable = branches.filter((b) => !kindFails(b));
    if (branches.some(kindFails) && viable.length === 1) {
      candidates = candidates.filter((e) => branchOf(e) === null || branchOf(e) === viable[0]);
    } else if (branches.some(kindFails) && viable.length === 0) {
      const kinds = candidates.filter((e) => e.keyword === 'const' && e.instancePath === `${o.instancePath}/kind`).map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
      return { instancePath: `${o.instancePath}/kind`, keyword: 'const', expected: [...new Set(kinds)].join(' or ') };
    } else {
      const allowed = candidates.filter((e) => branchOf(e) !== null && e.keyword === 'enum').flatMap((e) => (e.params as { allowedValues: unknown[] }).allowedValues);
      return { instancePath: o.instancePath, keyword: 'oneOf', expected: allowed.length > 0 ? `one of the allowed values (allowed: ${allowed.map((v) => JSON.stringify(v)).join(', ')})` : (o.message ?? 'a valid value') };
    }
  }
  const first = candidates[0] ?? errors[0];
  return first ? words(first) : { instancePath: '', keyword: 'type', expected: 'a valid instance' };
}

function valueAt(root: unknown, pointer: string): unknown {
  let v: unknown = root;
  for (const s of pointer.split('/').filter((x) => x.length > 0)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

export interface ResolvedInstance {
  problem: Problem;
  params: Params;
  dynamics: DynamicsConfig;
  engine: 'auto' | 'reduced' | 'full' | 'tfjs';
}

/** Turns a validated instance into core objects, filling defaults. */
export function resolveInstance(inst: Instance): ResolvedInstance {
  const n = inst.X.length;
  const d = inst.X[0].length;
  const m = inst.W0.length;
  const X = new Float64Array(n * d);
  inst.X.forEach((row, i) => X.set(row, i * d));
  const W = new Float64Array(m * d);
  inst.W0.forEach((row, j) => W.set(row, j * d));
  const mm = inst.model ?? {};
  const model: ModelConfig = {
    activation: mm.activation ?? DEFAULT_MODEL.activation,
    leak: mm.leak ?? DEFAULT_MODEL.leak,
    outputScale: (mm.outputScale === 1 ? '1' : mm.outputScale ?? DEFAULT_MODEL.outputScale) as OutputScale,
    train: mm.train ?? DEFAULT_MODEL.train,
    bias: mm.bias ?? DEFAULT_MODEL.bias,
  };
  const b = model.bias ? Float64Array.from(inst.b0 ?? new Array<number>(m).fill(0)) : null;
  return {
    problem: { data: { n, d, X, y: Float64Array.from(inst.y) }, model, loss: inst.loss ?? INSTANCE_DEFAULTS.loss, weightDecay: inst.weightDecay ?? 0 },
    params: { m, d, W, a: Float64Array.from(inst.a0), b },
    dynamics: (inst.dynamics as DynamicsConfig | undefined) ?? INSTANCE_DEFAULTS.dynamics,
    engine: inst.engine ?? 'auto',
  };
}

/** The JSON instance of core objects (numbers round-trip exactly through JSON). */
export function toInstance(problem: Problem, p0: Params, dynamics: DynamicsConfig, extra: Partial<Instance> = {}): Instance {
  const { n, d, X, y } = problem.data;
  const rows = (A: Float64Array, r: number, c: number): number[][] => {
    const out: number[][] = [];
    for (let i = 0; i < r; i++) out.push(Array.from(A.subarray(i * c, (i + 1) * c)));
    return out;
  };
  const inst: Instance = {
    X: rows(X, n, d),
    y: Array.from(y),
    W0: rows(p0.W, p0.m, d),
    a0: Array.from(p0.a),
    model: { ...problem.model },
    loss: problem.loss,
    dynamics: { ...dynamics } as Instance['dynamics'],
    ...extra,
  };
  if (p0.b !== null) inst.b0 = Array.from(p0.b);
  if (problem.weightDecay > 0) inst.weightDecay = problem.weightDecay;
  return inst;
}

/** Summary of one trajectory, as printed by `flowcheck simulate --json` and stored in fixtures. */
export interface TrajectorySummary {
  initialLoss: number;
  finalLoss: number;
  /** Non-finite (NaN / Infinity) when the run diverged there. */
  paramNormSq: number;
  /** NaN when the final first layer is not finite (a diverged run): it has no singular values. */
  stableRank: number;
  tEnd: number;
  steps: number;
  nfev: number;
  /** The run blew up (NaN / Inf, loss exploding, step-size underflow); never set by a step budget. */
  diverged: boolean;
  divergeReason: string | null;
  stoppedAtLoss: boolean;
  engine: string;
  /**
   * The flow used up its step budget (maxSteps) before tEnd: the run stopped at tEnd (the
   * summary's), finite and not diverged, with the numbers reached there.
   */
  budgetExhausted?: boolean;
}

/**
 * Above this largest |entry| the Gram matrix of W (entries squared, summed) could overflow, so
 * the stable rank (scale-invariant) is computed on W scaled by a power of two instead.
 */
const STABLE_RANK_RESCALE_ABOVE = 1e100;

/**
 * Stable rank of a final first layer that may come from a diverged run: NaN when an entry is not
 * finite (or the eigen solver fails on extreme values), never a thrown error. Finite matrices of
 * ordinary scale go through stableRank unchanged (bit-identical to the plain call).
 */
function robustStableRank(W: Float64Array, m: number, d: number): number {
  let max = 0;
  for (let i = 0; i < W.length; i++) {
    const a = Math.abs(W[i]);
    if (!(a <= Number.MAX_VALUE)) return NaN;
    if (a > max) max = a;
  }
  let M = W;
  if (max > STABLE_RANK_RESCALE_ABOVE) {
    const s = 2 ** -Math.ceil(Math.log2(max));
    M = new Float64Array(W.length);
    for (let i = 0; i < W.length; i++) M[i] = W[i] * s;
  }
  try {
    return stableRank(M, m, d);
  } catch {
    return NaN;
  }
}

/**
 * The summary of a trajectory. A diverged run is summarised too (non-finite numbers stay as they
 * are: NaN / Infinity); a flow that ran out of steps is reported as budgetExhausted, not diverged.
 */
export function summarize(traj: Trajectory, model: ModelConfig): TrajectorySummary {
  const f = traj.final;
  const budget = traj.divergeReason === 'max-steps';
  const s: TrajectorySummary = {
    initialLoss: traj.initialLoss,
    finalLoss: traj.finalLoss,
    paramNormSq: paramNormSq(f, model),
    stableRank: robustStableRank(f.W, f.m, f.d),
    tEnd: traj.tEnd,
    steps: traj.steps,
    nfev: traj.nfev,
    diverged: traj.diverged && !budget,
    divergeReason: budget ? null : (traj.divergeReason ?? null),
    stoppedAtLoss: traj.stoppedAtLoss,
    engine: traj.engine,
  };
  if (budget) s.budgetExhausted = true;
  return s;
}

/** Validates and simulates an instance with the float64 core. */
export function runInstance(value: unknown): { instance: Instance; trajectory: Trajectory; summary: TrajectorySummary } {
  const instance = parseInstance(value);
  const r = resolveInstance(instance);
  if (r.engine === 'tfjs') throw new InputError('runInstance', 'instance.engine', 'tfjs', "'auto', 'reduced' or 'full' here (the tfjs engine is run by the CLI)");
  const trajectory = simulate(r.problem, r.params, r.dynamics, { engine: r.engine });
  return { instance, trajectory, summary: summarize(trajectory, r.problem.model) };
}
