/**
 * `flowcheck simulate`: one trajectory (or K seeded trials) from flags, or explicit instances
 * from `--config FILE` (a JSON instance or an array of them; src/core/schema/instance.schema.json).
 *
 * Bad input exits 2 with a message naming the field and prints no partial result: every flag is
 * checked (and the sizes against the machine's memory) before the first trajectory runs; with
 * --config, flags that describe an instance are refused (the file does). Trials stream: each is
 * built, run and printed in turn (with --json the document is written incrementally and closed
 * on Ctrl-C), so a long run shows progress and an interrupt keeps every finished result.
 */
import { Option } from 'commander';
import { Rng, deriveSeed } from '../core/rng.ts';
import { orthogonalData, isotropicData, subspaceData, clusterData, teacherStudentData } from '../core/data.ts';
import { balancedInit, gaussianInit, fixedSecondLayerInit, danaInit } from '../core/init.ts';
import { MAX_STEPS, MIN_FLOW_T_END, parseInstance, resolveInstance, summarize, toInstance, type Instance, type TrajectorySummary } from '../core/instance.ts';
import { simulate, TOLERANCES } from '../core/dynamics.ts';
import { InputError } from '../core/errors.ts';
import type { Dataset, DynamicsConfig, ModelConfig, Params, Problem } from '../core/types.ts';
import { readJsonFile } from '../report/_internals/readJson.ts';
import { dbp25Instance, nbEpochs, nbNeurons } from '../core/dbp25.ts';
import { parseNumber, parseSeed } from './_internals/parse.ts';
import { checkMemory, estimateSimulation, MAX_SIMULATE_TRIALS } from './_internals/limits.ts';
import { onInterrupt } from './_internals/signals.ts';

const FN = 'flowcheck simulate';

export const SIMULATE_FLAGS: Option[] = [
  new Option('--config <FILE>', 'JSON instance or array of instances'),
  new Option('--dataset <kind>', 'data generator').choices(['orthogonal', 'isotropic', 'subspace', 'clusters', 'teacher']).default('orthogonal'),
  new Option('--n <n>', 'samples').default('16'),
  new Option('--d <d>', 'input dimension (default: n for orthogonal, 4n^2 for isotropic)'),
  new Option('--k <k>', 'subspace dimension / clusters / teacher neurons').default('4'),
  new Option('--m <m>', 'width').default('16'),
  new Option('--init <kind>', 'initialisation').choices(['balanced', 'gaussian', 'fixed', 'dana']).default('balanced'),
  new Option('--init-scale <lambda>', 'init scale').default('1e-6'),
  new Option('--activation <a>', 'activation').choices(['relu', 'leaky']).default('relu'),
  new Option('--leak <g>', 'leaky slope').default('0.1'),
  new Option('--output-scale <s>', 'output scale').choices(['1', '1/m', '1/sqrt(m)']).default('1'),
  new Option('--train <which>', 'trained layers').choices(['both', 'first']).default('both'),
  new Option('--bias', 'neurons have biases'),
  new Option('--loss <l>', 'loss').choices(['square', 'logistic', 'exponential']).default('square'),
  new Option('--weight-decay <c>', 'weight decay').default('0'),
  new Option('--dynamics <kind>', 'gradient flow or descent').choices(['flow', 'gd']).default('flow'),
  new Option('--eta <eta>', 'gd step').default('0.1'),
  new Option('--t-end <T>', 'flow horizon').default('300'),
  new Option('--steps <N>', 'gd steps').default('1000'),
  new Option('--max-steps <N>', `flow step budget (default ${TOLERANCES.maxFlowSteps}); a flow that uses it up before --t-end is reported as budget exhausted`),
  new Option('--seed <S>', 'seed').default('1'),
  new Option('--trials <K>', 'independent trials (seeds derived from --seed)').default('1'),
  new Option('--engine <e>', 'engine').choices(['auto', 'reduced', 'full', 'tfjs']).default('auto'),
  new Option('--success-loss <r>', 'success = final loss below this fraction of the initial loss').default('1e-6'),
  new Option('--protocol <p>', "the DBP25 authors' protocol: their data (sphere = exp 1, orthogonal = exp 2), init, (1/p) output, p-scaled square loss, GD lr 1, nb_epochs steps, success sum (f - y)^2 <= 1; --m defaults to nb_neurons(n, 0.05)").choices(['dbp25-sphere', 'dbp25-orthogonal']),
  new Option('--stop-ssr <s>', 'with --protocol: stop early once sum (f - y)^2 < s (default 1, the success level; the authors\' rate runs use 1e-6 with 10x --steps)'),
  new Option('--json', 'print JSON summaries'),
];

/** Option keys that apply with --protocol (the protocol sets everything else). */
const WITH_PROTOCOL = new Set(['protocol', 'n', 'd', 'm', 'steps', 'stopSsr', 'seed', 'trials', 'engine', 'json']);

/** Option keys that still apply with --config (everything else describes the instance). */
const WITH_CONFIG = new Set(['config', 'json', 'successLoss']);

interface ProtocolSpec {
  n: number;
  d: number;
  p: number;
  steps: number;
  stopSsr: number;
  data: 'sphere' | 'orthogonal';
  engine: string;
}

/** --protocol: every flag checked, sizes included, before any data is generated. */
function parseProtocol(o: Record<string, unknown>, given: ReadonlySet<string>): ProtocolSpec {
  const extra = [...given].filter((k) => !WITH_PROTOCOL.has(k));
  if (extra.length > 0) throw new InputError(FN, flagOf(extra[0]), o[extra[0]], `no ${flagOf(extra[0])} with --protocol (the protocol sets data, init, model, loss and dynamics; it takes --n, --d, --m, --steps, --stop-ssr, --seed, --trials, --engine, --json)`);
  const data = o.protocol === 'dbp25-orthogonal' ? 'orthogonal' : 'sphere';
  const n = parseNumber(FN, '--n', o.n, { int: true, min: 1 });
  const d = given.has('d') ? parseNumber(FN, '--d', o.d, { int: true, min: 1 }) : data === 'orthogonal' ? n : Math.max(1, 2 * n);
  if (data === 'orthogonal' && n > d) throw new InputError(FN, '--d', d, `d >= n for orthogonal data (the first n standard basis vectors; n = ${n})`);
  const p = given.has('m') ? parseNumber(FN, '--m', o.m, { int: true, min: 1 }) : nbNeurons(n);
  const steps = given.has('steps') ? parseNumber(FN, '--steps', o.steps, { int: true, min: 0, max: MAX_STEPS }) : nbEpochs(n, p);
  const stopSsr = o.stopSsr === undefined ? 1 : parseNumber(FN, '--stop-ssr', o.stopSsr, { min: 0, minExclusive: true });
  const engine = String(o.engine);
  checkMemory(FN, given.has('m') ? '--m' : '--n', given.has('m') ? o.m : o.n, estimateSimulation({ n, d, m: p, engine: engine === 'tfjs' ? 'full' : engine }), `n = ${n}, d = ${d}, p = ${p}`);
  return { n, d, p, steps, stopSsr, data, engine };
}

function protocolJob(f: ProtocolSpec, seed: number): Job {
  try {
    const inst = dbp25Instance({ n: f.n, d: f.d, p: f.p, data: f.data, seed, steps: f.steps, stopSsr: f.stopSsr });
    return { problem: inst.problem, p0: inst.p0, dyn: inst.dyn, engine: f.engine, seed, successSsr: 1 };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(FN, e.field === 'p' ? '--m' : `--${e.field}`, f.p, `values the protocol accepts (${e.message})`);
  }
}

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

interface Job {
  problem: Problem;
  p0: Params;
  dyn: DynamicsConfig;
  engine: string;
  seed: number | null;
  /** --protocol: success is sum (f - y)^2 <= successSsr (absolute), not a fraction of the initial loss. */
  successSsr?: number;
}

/** Every flag parsed and checked, sizes included, before any data is generated. */
interface FlagSpec {
  n: number;
  d: number;
  m: number;
  k: number;
  lambda: number;
  leak: number;
  weightDecay: number;
  dataset: string;
  dyn: DynamicsConfig;
  engine: string;
}

function parseFlags(o: Record<string, unknown>, given: ReadonlySet<string>): FlagSpec {
  const int = (key: string, min: number, max?: number): number => parseNumber(FN, flagOf(key), o[key], { int: true, min, max });
  const n = int('n', 1);
  const m = int('m', 1);
  const k = int('k', 1);
  const lambda = parseNumber(FN, '--init-scale', o.initScale, { min: 0, minExclusive: true });
  const leak = parseNumber(FN, '--leak', o.leak, { min: 0, max: 1, maxExclusive: true });
  const weightDecay = parseNumber(FN, '--weight-decay', o.weightDecay, { min: 0 });
  const dataset = String(o.dataset);
  const d = o.d !== undefined ? int('d', 1) : dataset === 'isotropic' || dataset === 'clusters' ? 4 * n * n : dataset === 'subspace' ? 2 * n : n;
  if (dataset === 'orthogonal' && n > d) throw new InputError(FN, o.d !== undefined ? '--d' : '--n', o.d ?? o.n, `d >= n for orthogonal data (at most d orthogonal directions; n = ${n}, d = ${d})`);
  if (dataset === 'subspace' && k > d) throw new InputError(FN, '--k', o.k, `an integer <= d = ${d} (the subspace lies in R^d)`);
  let dyn: DynamicsConfig;
  if (o.dynamics === 'gd') {
    for (const key of ['tEnd', 'maxSteps']) if (given.has(key)) throw new InputError(FN, flagOf(key), o[key], 'no such flag with --dynamics gd (it sets the gradient flow; gd runs --steps steps of size --eta)');
    dyn = { kind: 'gd', eta: parseNumber(FN, '--eta', o.eta, { min: 0, minExclusive: true }), steps: int('steps', 0, MAX_STEPS) };
  } else {
    for (const key of ['eta', 'steps']) if (given.has(key)) throw new InputError(FN, flagOf(key), o[key], 'no such flag with --dynamics flow (it sets gradient descent; the flow runs to --t-end)');
    dyn = { kind: 'flow', tEnd: parseNumber(FN, '--t-end', o.tEnd, { min: MIN_FLOW_T_END }) };
    if (o.maxSteps !== undefined) dyn.maxSteps = int('maxSteps', 1, MAX_STEPS);
  }
  const engine = String(o.engine);
  if (engine === 'tfjs' && dyn.kind !== 'gd') throw new InputError(FN, '--engine', 'tfjs', 'used with --dynamics gd (the tfjs engine runs gradient descent)');
  if (o.activation !== 'leaky' && given.has('leak')) throw new InputError(FN, '--leak', o.leak, 'used with --activation leaky (ReLU has no slope to set)');
  const nEff = dataset === 'clusters' ? k * Math.ceil(n / k) : n;
  const extra = dataset === 'teacher' ? k * d : 0;
  const sizes = { n: nEff, d, m };
  const sizeFlags = (['n', 'd', 'm', 'k'] as const).filter((s) => given.has(s));
  const field = sizeFlags.length === 0 ? '--n' : flagOf(sizeFlags.reduce((a, b) => (Number(o[b]) > Number(o[a]) ? b : a)));
  checkMemory(FN, field, o[field.slice(2)] ?? n, estimateSimulation({ ...sizes, engine: engine === 'tfjs' ? 'full' : engine, extra }), `n = ${nEff}, d = ${d}, m = ${m}${extra > 0 ? `, k = ${k}` : ''}`);
  return { n, d, m, k, lambda, leak, weightDecay, dataset, dyn, engine };
}

/** The core's checks name its own arguments; say which flag they concern. */
function asFlagError(e: unknown): never {
  if (!(e instanceof InputError)) throw e;
  const map: Record<string, string> = { n: '--n', d: '--d', k: '--k', m: '--m', scale: '--init-scale', leak: '--leak', perCluster: '--n' };
  const flag = map[e.field.split(/[.[]/)[0]] ?? '--dataset';
  throw new InputError(FN, flag, e.field, `flags the data generator and initialisation accept (${e.message})`);
}

function instanceFromSpec(o: Record<string, unknown>, f: FlagSpec, seed: number): Job & { lambda: number } {
  const { n, d, m, k, lambda, leak, dataset } = f;
  try {
    const rng = new Rng(seed);
    const labels = { kind: 'sign' as const, balance: 'balanced' as const };
    let data: Dataset;
    switch (dataset) {
      case 'orthogonal':
        data = orthogonalData(rng.fork(1), { n, d, normRange: [1, 2], labels: { kind: 'magnitude', range: [1, 2] } });
        break;
      case 'isotropic':
        data = isotropicData(rng.fork(1), { n, d, dist: 'gaussian', labels });
        break;
      case 'subspace':
        data = subspaceData(rng.fork(1), { n, d, k, labels });
        break;
      case 'clusters':
        data = clusterData(rng.fork(1), { k, perCluster: Math.max(1, Math.ceil(n / k)), d, meanNorm: Math.sqrt(d), noiseStd: 1, labels: 'random' });
        break;
      default:
        data = teacherStudentData(rng.fork(1), { n, d, k });
    }
    const model: ModelConfig = {
      activation: o.activation as ModelConfig['activation'],
      leak,
      outputScale: o.outputScale as ModelConfig['outputScale'],
      train: o.train as ModelConfig['train'],
      bias: o.bias === true,
    };
    const irng = rng.fork(2);
    const D = data.d;
    let p0: Params;
    switch (o.init) {
      case 'balanced':
        p0 = balancedInit(irng, { m, d: D, scale: lambda, bias: model.bias });
        break;
      case 'gaussian':
        p0 = gaussianInit(irng, { m, d: D, scale: lambda, bias: model.bias });
        break;
      case 'fixed':
        p0 = fixedSecondLayerInit(irng, { m, d: D, scale: lambda, aValue: 1 / Math.sqrt(m), signs: 'alternating' });
        if (model.bias) p0.b = new Float64Array(m);
        break;
      default:
        p0 = danaInit(irng, { m, d: D, scale: lambda });
        if (model.bias) p0.b = new Float64Array(m);
    }
    const problem: Problem = { data, model, loss: o.loss as Problem['loss'], weightDecay: f.weightDecay };
    return { problem, p0, dyn: { ...f.dyn }, engine: f.engine, seed, lambda };
  } catch (e) {
    asFlagError(e);
  }
}

async function runOne(job: Job): Promise<TrajectorySummary> {
  if (job.engine === 'tfjs' && job.dyn.kind === 'gd') {
    const { simulateTfjs } = await import('../engines/tfjs.ts');
    const traj = await simulateTfjs(job.problem, job.p0, job.dyn);
    return summarize(traj, job.problem.model);
  }
  const traj = simulate(job.problem, job.p0, job.dyn, { engine: job.engine as 'auto' | 'reduced' | 'full' });
  return summarize(traj, job.problem.model);
}

/** JSON with non-finite numbers (a diverged run) written as "NaN", "+Infinity", "-Infinity". */
export function jsonText(v: unknown, indent = 2): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? (Number.isNaN(x) ? 'NaN' : x > 0 ? '+Infinity' : '-Infinity') : x), indent);
}

type Result = TrajectorySummary & { seed: number | null; success: boolean };

function textLine(r: Result): string {
  const end = r.diverged ? `, DIVERGED (${r.divergeReason})` : r.budgetExhausted ? `, step budget exhausted before t-end (not divergence; raise --max-steps)` : '';
  return `${r.seed !== null ? `seed ${r.seed}: ` : ''}loss ${r.initialLoss.toExponential(4)} -> ${r.finalLoss.toExponential(4)}, ||theta||^2 ${r.paramNormSq.toPrecision(5)}, stable rank ${r.stableRank.toPrecision(4)}, t ${r.tEnd.toPrecision(5)}, ${r.steps} steps${end}\n`;
}

export interface SimulateContext {
  /** Option keys the user gave on the command line (not defaults). */
  given?: ReadonlySet<string>;
  /** Progress lines for runs of several trials (stderr). */
  err?: (s: string) => void;
}

export async function simulateCommand(o: Record<string, unknown>, out: (s: string) => void, ctx: SimulateContext = {}): Promise<number> {
  const given = ctx.given ?? new Set<string>();
  const successRel = parseNumber(FN, '--success-loss', o.successLoss, { min: 0, minExclusive: true });
  let total: number;
  let jobAt: (k: number) => Job;
  if (o.config !== undefined) {
    const extra = [...given].filter((k) => !WITH_CONFIG.has(k));
    if (extra.length > 0) {
      throw new InputError(FN, flagOf(extra[0]), o[extra[0]], `no ${flagOf(extra[0])} with --config (the instance file sets the whole simulation; only --json and --success-loss apply)`);
    }
    const file = String(o.config);
    const v = readJsonFile(file, FN, '--config');
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) throw new InputError(FN, `--config ${file}`, v, 'an instance or a non-empty array of instances');
    // Validate everything before running anything, so bad input prints no partial result.
    const jobs: Job[] = list.map((x, k) => {
      const where = Array.isArray(v) ? `instance[${k}]` : 'instance';
      const inst: Instance = parseInstance(x, where);
      const r = resolveInstance(inst);
      if (r.engine === 'tfjs' && r.dynamics.kind !== 'gd') throw new InputError(FN, `${where}.engine`, 'tfjs', "used with dynamics kind 'gd' (the tfjs engine runs gradient descent)");
      const { n, d } = r.problem.data;
      checkMemory(FN, where, `n = ${n}, d = ${d}, m = ${r.params.m}`, estimateSimulation({ n, d, m: r.params.m, engine: r.engine === 'tfjs' ? 'full' : r.engine }), `n = ${n}, d = ${d}, m = ${r.params.m}`);
      return { problem: r.problem, p0: r.params, dyn: r.dynamics, engine: r.engine, seed: null };
    });
    total = jobs.length;
    jobAt = (k) => jobs[k];
  } else if (o.protocol !== undefined) {
    const seed = parseSeed(FN, '--seed', o.seed);
    total = parseNumber(FN, '--trials', o.trials, { int: true, min: 1, max: MAX_SIMULATE_TRIALS });
    const spec = parseProtocol(o, given);
    const seedOf = (k: number): number => (total === 1 ? seed : deriveSeed(seed, k));
    const first = protocolJob(spec, seedOf(0));
    jobAt = (k) => (k === 0 ? first : protocolJob(spec, seedOf(k)));
  } else {
    if (given.has('stopSsr')) throw new InputError(FN, '--stop-ssr', o.stopSsr, 'used with --protocol (it is the protocol\'s absolute stopping level)');
    const seed = parseSeed(FN, '--seed', o.seed);
    total = parseNumber(FN, '--trials', o.trials, { int: true, min: 1, max: MAX_SIMULATE_TRIALS });
    const spec = parseFlags(o, given);
    const seedOf = (k: number): number => (total === 1 ? seed : deriveSeed(seed, k));
    // Trial 0 is built now: a problem the generators refuse is reported before any output.
    const first = instanceFromSpec(o, spec, seedOf(0));
    jobAt = (k) => (k === 0 ? first : instanceFromSpec(o, spec, seedOf(k)));
  }

  const json = o.json === true;
  let done = 0;
  let successes = 0;
  let closed = false;
  const close = (interrupted: boolean): void => {
    if (closed) return;
    closed = true;
    if (json && total > 1) {
      out(`\n  ],\n  "trials": ${done},\n  "requestedTrials": ${total},\n  "successes": ${successes},\n  "successRate": ${done > 0 ? successes / done : 0},\n  "interrupted": ${interrupted}\n}\n`);
    } else if (!json && total > 1) {
      out(`success (${o.protocol !== undefined ? 'sum (f - y)^2 <= 1' : `final loss < ${successRel} x initial`}): ${successes}/${done}${interrupted ? ` (interrupted after ${done} of ${total} trials)` : ''}\n`);
    }
  };
  const removeCleanup = onInterrupt(() => close(true));
  try {
    if (json && total > 1) out(`{\n  "successLoss": ${jsonText(successRel)},\n  "results": [`);
    for (let k = 0; k < total; k++) {
      const job = jobAt(k);
      const s = await runOne(job);
      const ok = job.successSsr !== undefined ? 2 * job.problem.data.n * s.finalLoss <= job.successSsr : s.finalLoss < successRel * s.initialLoss;
      const r: Result = { ...s, seed: job.seed, success: !s.diverged && ok };
      done++;
      if (r.success) successes++;
      if (json && total > 1) out(`${k > 0 ? ',' : ''}\n${jsonText(r, 2).replace(/^/gm, '    ')}`);
      else if (json) out(jsonText(r) + '\n');
      else out(textLine(r));
      if (total > 1 && ctx.err !== undefined && (done % Math.max(1, Math.floor(total / 20)) === 0 || done === total)) ctx.err(`[flowcheck] simulate: ${done}/${total} trials\n`);
      // let a pending Ctrl-C run between trajectories
      if (total > 1) await new Promise((res) => setImmediate(res));
    }
    close(false);
  } finally {
    removeCleanup();
  }
  return 0;
}

/** Exposed for tests: the instance the flags describe. */
export function flagsInstance(o: Record<string, unknown>, seed: number): Instance {
  const j = instanceFromSpec(o, parseFlags(o, new Set()), seed);
  return toInstance(j.problem, j.p0, j.dyn, { initScale: j.lambda });
}
