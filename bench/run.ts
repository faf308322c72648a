/**
 * flowcheck benchmarks: `npm run bench` (= node --import tsx bench/run.ts).
 *
 * Options: --quick (fewer repetitions, skips the slowest full-form runs), --only 1,4 (entries),
 * --out <file> (default reports/bench/bench.json), --no-python (skip the numpy and PyTorch
 * baselines).
 *
 * How to read the table
 * - One row per measured case. `median ms` is the median wall time of `reps` repetitions, each a
 *   complete run (trajectory, or the stated number of gd steps), measured after `warm-up` runs so
 *   that V8 has optimised the hot code; `min ms` is the fastest repetition and `cpu ms` the median
 *   process CPU time (user + system) of a repetition. On a loaded machine wall > cpu: trust the
 *   min and cpu columns more than the median.
 * - `steps` are accepted integrator steps (flow) or gd steps; `nfev` derivative (gradient)
 *   evaluations; `us/eval` = median / nfev, the cost of one evaluation including its share of
 *   integrator and recording overhead.
 * - `target` is the goal stated for the entry; `ok` says whether the median meets it (a
 *   performance goal, never a test: nothing here fails the build).
 * - Breakdown rows (entries 1b, 5b) split one trajectory into derivative evaluations, the
 *   integrator's own vector work, and the rest (loss per step, stop search, recording, set-up).
 *   They replay the trajectory's recorded derivative inputs, so they measure exactly the run of
 *   the row above. Parts and total are minimum times (in the `min ms` column), the least
 *   disturbed by other load; the rest is the total minus the two measured parts. The notes add
 *   the shares of a V8 CPU profile of whole runs (`profile x%`), a cross-check that does not
 *   depend on replaying.
 * - Entries compare engines on the same problem and initial point: reduced vs full form of the
 *   float64 core, the tfjs engine (float32), and a numpy baseline (float64, entry 6) when python3
 *   is available. `final loss` columns in the JSON let you check that they ran the same thing.
 * - Entries 7-10 compare with what a researcher would run instead (bench/torch_baseline.py, when a
 *   python3 with torch exists): the DBP25 authors' PyTorch loop and batched PyTorch programs on the
 *   same instances (7), one kernel evaluation in ns per neuron-sample pair (8), the paper-scale run
 *   (9), the claims' heaviest trials (10). See bench/README.md.
 *
 * The JSON (reports/bench/bench.json, written atomically) holds every row plus the machine
 * (node version, cpus, load average) and the raw repetition times.
 */
import { spawnSync } from 'node:child_process';
import { BENCH_TRIALS } from './trials.ts';
import v8 from 'node:v8';
import vm from 'node:vm';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, TOLERANCES, defaultAtol } from '../src/core/dynamics.ts';
import { makeSystem, type GradientSystem } from '../src/core/system.ts';
import { dopri5 } from '../src/core/integrators/dopri5.ts';
import { orthogonalData, isotropicData } from '../src/core/data.ts';
import { balancedInit, danaInit, fixedSecondLayerInit } from '../src/core/init.ts';
import { evalLoss } from '../src/core/model.ts';
import { Rng } from '../src/core/rng.ts';
import { writeFileAtomic } from '../src/report/atomicWrite.ts';
import type { EngineKind, FlowConfig, GdConfig, ModelConfig, Params, Problem, Trajectory } from '../src/core/types.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  only: Set<string> | null;
  out: string;
  python: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: null, out: 'reports/bench/bench.json', python: true };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--quick') o.quick = true;
    else if (a === '--no-python') o.python = false;
    else if (a === '--only') o.only = new Set(String(argv[++k] ?? '').split(','));
    else if (a === '--out') o.out = String(argv[++k]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--quick] [--only 1,2,...,10] [--out file] [--no-python]');
      process.exit(0);
    } else throw new Error(`bench: unknown argument ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Timing

/**
 * A full garbage collection before each case (not between its repetitions: forced collections
 * there flush compiled code and slow the next repetition), so that one case's garbage (the large
 * arrays of the d = 16384 runs) is not collected during the next case's timing.
 */
const collectGarbage: () => void = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return () => undefined;
  }
})();

interface Timing {
  times: number[];
  cpu: number[];
  median: number;
  min: number;
  cpuMedian: number;
}

function median(v: number[]): number {
  const s = v.slice().sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

function summarise(times: number[], cpu: number[]): Timing {
  return { times, cpu, median: median(times), min: Math.min(...times), cpuMedian: median(cpu) };
}

/**
 * Runs `warmFn` (default fn) `warmup` times untimed, then fn `reps` times timed; returns the
 * timings and the last result. A cheaper warmFn (a shorter run of the same code) warms the JIT of
 * the expensive cases without paying for full runs.
 */
function measure<T>(fn: () => T, warmup: number, reps: number, warmFn: () => unknown = fn): { timing: Timing; result: T } {
  let result = undefined as T;
  collectGarbage();
  for (let r = 0; r < warmup; r++) warmFn();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { timing: summarise(times, cpu), result };
}

async function measureAsync<T>(fn: () => Promise<T>, warmup: number, reps: number, warmFn: () => Promise<unknown> = fn): Promise<{ timing: Timing; result: T }> {
  let result = undefined as T;
  collectGarbage();
  for (let r = 0; r < warmup; r++) await warmFn();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = await fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { timing: summarise(times, cpu), result };
}

// ---------------------------------------------------------------------------------------------
// Rows

interface Row {
  entry: string;
  case: string;
  engine: string;
  medianMs: number;
  minMs: number;
  cpuMs: number;
  reps: number;
  warmup: number;
  steps?: number;
  nfev?: number;
  usPerEval?: number;
  finalLoss?: number;
  target?: string;
  ok?: boolean;
  note?: string;
  times?: number[];
}

const rows: Row[] = [];

function addRow(r: Omit<Row, 'medianMs' | 'minMs' | 'cpuMs' | 'times'>, t: Timing, traj?: Trajectory): Row {
  const row: Row = { ...r, medianMs: t.median, minMs: t.min, cpuMs: t.cpuMedian, times: t.times };
  if (traj !== undefined) {
    row.steps = traj.steps;
    row.nfev = traj.nfev;
    row.usPerEval = traj.nfev > 0 ? (1000 * t.median) / traj.nfev : undefined;
    row.finalLoss = traj.finalLoss;
    if (traj.diverged) row.note = `${row.note ? `${row.note}; ` : ''}diverged: ${traj.divergeReason}`;
  }
  rows.push(row);
  process.stderr.write(`  ${row.entry} ${row.case} [${row.engine}]: ${fmtMs(row.medianMs)} ms\n`);
  return row;
}

function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

function printTable(): void {
  const head = ['entry', 'case', 'engine', 'median ms', 'min ms', 'cpu ms', 'reps', 'steps', 'nfev', 'us/eval', 'target', 'ok', 'note'];
  const body = rows.map((r) => [
    r.entry,
    r.case,
    r.engine,
    fmtMs(r.medianMs),
    fmtMs(r.minMs),
    fmtMs(r.cpuMs),
    r.reps > 0 ? `${r.reps}` : '-',
    r.steps === undefined ? '' : String(r.steps),
    r.nfev === undefined ? '' : String(r.nfev),
    r.usPerEval === undefined ? '' : r.usPerEval.toFixed(2),
    r.target ?? '',
    r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
    r.note ?? '',
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]): string => cells.map((s, c) => (c >= 3 && c <= 9 ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

// ---------------------------------------------------------------------------------------------
// Problems

const ORTHO_MODEL: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1', train: 'both', bias: false };

interface OrthoCase {
  problem: Problem;
  p0: Params;
  L0: number;
  seed: number;
}

/**
 * The claims' orthogonal setting (src/claims/_internals/orthogonal.ts): x_i = r_i e_i with
 * r ~ U[1, 2], labels +-U[1, 2] (half positive), balanced init of scale lambda, square loss, d = n.
 * Takes the first seed >= seed0 whose init covers every point (some neuron active on it with the
 * label's sign), so the loss really goes to 0 and the run passes through all plateaus.
 */
function orthoCase(n: number, m: number, lambda: number, seed0: number): OrthoCase {
  for (let seed = seed0; seed < seed0 + 1000; seed++) {
    const rng = new Rng(seed);
    const data = orthogonalData(rng.fork(1), { n, d: n, normRange: [1, 2], labels: { kind: 'magnitude', range: [1, 2], balance: { positives: n / 2 } } });
    const p0 = balancedInit(rng.fork(2), { m, d: n, scale: lambda });
    let covered = true;
    for (let i = 0; i < n && covered; i++) {
      let ok = false;
      for (let j = 0; j < m && !ok; j++) {
        let u = 0;
        for (let q = 0; q < n; q++) u += p0.W[j * n + q] * data.directions[i * n + q];
        if (u > 0 && Math.sign(p0.a[j]) === Math.sign(data.y[i])) ok = true;
      }
      covered = ok;
    }
    if (!covered) continue;
    const problem: Problem = { data, model: ORTHO_MODEL, loss: 'square', weightDecay: 0 };
    return { problem, p0, L0: evalLoss(p0, ORTHO_MODEL, 'square', data), seed };
  }
  throw new Error('bench: no covering seed found');
}

/** The same problem embedded in R^D (D >= d): X padded with zeros, W0 with fresh Gaussian entries. */
function embed(c: OrthoCase, D: number, seed: number): OrthoCase {
  const { n, d, X, y } = c.problem.data;
  const { m } = c.p0;
  const rng = new Rng(seed);
  const XD = new Float64Array(n * D);
  for (let i = 0; i < n; i++) XD.set(X.subarray(i * d, (i + 1) * d), i * D);
  const WD = new Float64Array(m * D);
  const lambda = Math.sqrt(c.p0.W.reduce((s, w) => s + w * w, 0) / m);
  for (let j = 0; j < m; j++) {
    WD.set(c.p0.W.subarray(j * d, (j + 1) * d), j * D);
    for (let q = d; q < D; q++) WD[j * D + q] = (lambda / Math.sqrt(D)) * rng.normal();
  }
  // P0 = W0 X^T and K = X X^T are unchanged, so the trajectory (loss, a, C) is the same for every D.
  return {
    problem: { ...c.problem, data: { n, d: D, X: XD, y } },
    p0: { m, d: D, W: WD, a: c.p0.a.slice(), b: null },
    L0: c.L0,
    seed: c.seed,
  };
}

const flowTo = (c: OrthoCase, rel: number): FlowConfig => ({ kind: 'flow', tEnd: 1e6, stopLoss: rel * c.L0 });

// ---------------------------------------------------------------------------------------------
// Breakdown of one flow trajectory: derivative evaluations vs integrator vs the rest

interface Breakdown {
  totalMs: number;
  derivMs: number;
  integratorMs: number;
  restMs: number;
  nfev: number;
  steps: number;
  derivUs: number;
  lossUs: number;
  /** Shares of CPU-profile samples of whole simulate() runs (a cross-check of the replay split). */
  profileShares?: Record<string, number>;
}

/** CPU-profile category of a sample: the innermost flowcheck frame decides (model.ts helpers and `pre` count for their caller). */
function categoryOf(node: ProfileNode, parent: Map<number, ProfileNode>): string {
  const top = node.callFrame.functionName;
  if (top === '(garbage collector)') return 'gc';
  if (top === '(program)' || top === '(idle)') return 'other';
  for (let cur: ProfileNode | undefined = node; cur !== undefined; cur = parent.get(cur.id)) {
    const url = cur.callFrame.url;
    const fn = cur.callFrame.functionName;
    if (url.endsWith('/integrators/dopri5.ts')) return 'integrator';
    if (url.endsWith('/core/system.ts')) {
      if (fn === 'pre') continue;
      return fn === 'deriv' ? 'derivative' : 'rest';
    }
    if (url.endsWith('/core/dynamics.ts')) return 'rest';
  }
  return 'other';
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Runs fn `runs` times under the V8 sampling profiler; returns the time share of each category. */
async function profileShares(fn: () => unknown, runs: number): Promise<Record<string, number>> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    for (let r = 0; r < runs; r++) fn();
    const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const byId = new Map<number, ProfileNode>();
    const parent = new Map<number, ProfileNode>();
    for (const nd of profile.nodes) byId.set(nd.id, nd);
    for (const nd of profile.nodes) for (const ch of nd.children ?? []) parent.set(ch, nd);
    const acc: Record<string, number> = {};
    let total = 0;
    for (let k = 0; k < profile.samples.length; k++) {
      const dt = profile.timeDeltas[k] ?? 0;
      const cat = categoryOf(byId.get(profile.samples[k]) as ProfileNode, parent);
      if (cat === 'other') continue; // the profiler's own start/stop and idle time
      acc[cat] = (acc[cat] ?? 0) + dt;
      total += dt;
    }
    for (const key of Object.keys(acc)) acc[key] /= total;
    return acc;
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}


/**
 * Replays the trajectory simulate() takes with the default tolerances: (1) records the state of
 * every derivative call (dopri5 on a recording wrapper, same tolerances, stopping after the same
 * number of steps); (2) times the derivative alone on the recorded states; (3) times dopri5 alone
 * by feeding it the recorded derivatives from a tape (its vector work, step control and dense
 * output, minus the tape copy); the rest of simulate (loss of every step, the stop-level search,
 * recording, system set-up) is the remainder.
 */
function breakdown(c: OrthoCase, dyn: FlowConfig, totalMs: number, traj: Trajectory, reps: number): Breakdown | null {
  const sys = makeSystem(c.problem, c.p0, 'auto');
  const dim = sys.dim;
  const states: Float64Array[] = [];
  const outs: Float64Array[] = [];
  const rec = {
    dim,
    deriv(out: Float64Array, t: number, y: Float64Array): void {
      sys.deriv(out, t, y);
      states.push(y.slice());
      outs.push(out.slice());
    },
  };
  const opts = {
    rtol: dyn.rtol ?? TOLERANCES.rtol,
    atol: dyn.atol ?? defaultAtol(sys, c.p0, c.problem.data.X, c.problem.data.n),
    maxSteps: traj.steps,
    onStep: () => false,
  };
  const r0 = dopri5(rec, 0, sys.y0, dyn.tEnd, opts);
  const N = states.length;
  // simulate's final step stops at the loss level: the replay ends with the same accepted step
  if (r0.steps !== traj.steps || N !== traj.nfev) {
    process.stderr.write(`bench: replay took ${r0.steps} steps / ${N} evals, simulate ${traj.steps} / ${traj.nfev}: breakdown skipped\n`);
    return null;
  }
  // (2) derivative alone on the recorded states
  // Each recorded state is first copied into one buffer, as dopri5 hands its stage buffer to
  // deriv (hot in cache); the copies are timed alone and subtracted.
  const out = new Float64Array(dim);
  const buf = new Float64Array(dim);
  const copyIn = measure(() => {
    for (let k = 0; k < N; k++) buf.set(states[k]);
  }, 3, reps).timing;
  const dRaw = measure(() => {
    for (let k = 0; k < N; k++) {
      buf.set(states[k]);
      sys.deriv(out, 0, buf);
    }
  }, 3, reps).timing;
  const lRaw = measure(() => {
    for (let k = 0; k < N; k++) {
      buf.set(states[k]);
      sys.loss(buf);
    }
  }, 3, reps).timing;
  const dT = { min: Math.max(0, dRaw.min - copyIn.min) };
  const lT = { min: Math.max(0, lRaw.min - copyIn.min) };
  // parts and total are minima over the repetitions: the least disturbed by other load
  // (3) the integrator fed from the tape, minus the cost of the copies
  let idx = 0;
  const tape = {
    dim,
    deriv(o: Float64Array): void {
      o.set(outs[idx++]);
    },
  };
  const iT = measure(() => {
    idx = 0;
    dopri5(tape, 0, sys.y0, dyn.tEnd, opts);
  }, 3, reps).timing;
  const cT = measure(() => {
    for (let k = 0; k < N; k++) out.set(outs[k]);
  }, 3, reps).timing;
  const integratorMs = Math.max(0, iT.min - cT.min);
  return {
    totalMs,
    derivMs: dT.min,
    integratorMs,
    restMs: Math.max(0, totalMs - dT.min - integratorMs),
    nfev: N,
    steps: r0.steps,
    derivUs: (1000 * dT.min) / N,
    lossUs: (1000 * lT.min) / N,
  };
}

function addBreakdownRows(entry: string, caseName: string, b: Breakdown): void {
  const pct = (v: number): string => `${((100 * v) / b.totalMs).toFixed(0)}%`;
  const prof = (key: string): string => (b.profileShares === undefined ? '' : `; profile ${(100 * (b.profileShares[key] ?? 0)).toFixed(0)}%`);
  const mk = (part: string, ms: number, note: string): void => {
    rows.push({ entry, case: `${caseName}: ${part}`, engine: 'reduced', medianMs: NaN, minMs: ms, cpuMs: NaN, reps: 0, warmup: 0, note: `${pct(ms)} of the fastest run; ${note}` });
  };
  mk('derivative evaluations', b.derivMs, `${b.nfev} evals x ${b.derivUs.toFixed(2)} us${prof('derivative')}`);
  mk('integrator (dopri5 vector work)', b.integratorMs, `${b.steps} steps x ${((1000 * b.integratorMs) / Math.max(1, b.steps)).toFixed(1)} us${prof('integrator')}`);
  mk('rest (loss/step, stop search, recording, set-up)', b.restMs, `a loss evaluation costs ${b.lossUs.toFixed(2)} us${prof('rest')}${b.profileShares === undefined ? '' : `, gc ${(100 * (b.profileShares.gc ?? 0)).toFixed(0)}%`}`);
}

// ---------------------------------------------------------------------------------------------
// Entries

const breakdowns: Record<string, Breakdown> = {};
const checks: Record<string, unknown> = {};

async function entry1(o: Options): Promise<void> {
  const c = orthoCase(32, 16, 1e-6, 1);
  const dyn = flowTo(c, 1e-10);
  const reps = o.quick ? 7 : 21;
  const { timing, result } = measure(() => simulate(c.problem, c.p0, dyn), o.quick ? 5 : 15, reps);
  const row = addRow(
    { entry: '1', case: 'ortho n=32 m=16 lambda=1e-6 square, flow to 1e-10 L0', engine: result.engine, reps, warmup: o.quick ? 5 : 15, target: '< 5 ms' },
    timing,
    result,
  );
  row.ok = timing.median < 5;
  if (!result.stoppedAtLoss) row.note = 'did not reach the stop level';
  const shares = await profileShares(() => simulate(c.problem, c.p0, dyn), o.quick ? 50 : 200);
  const b = breakdown(c, dyn, timing.min, result, reps);
  if (b !== null) {
    b.profileShares = shares;
    breakdowns['1'] = b;
    addBreakdownRows('1b', 'breakdown of 1', b);
  } else {
    checks['profileShares1'] = shares;
  }
}

function entry2(o: Options): void {
  const base = orthoCase(32, 16, 1e-6, 1);
  const dims = [64, 1024, 16384];
  const integrators: { D: number; run: () => unknown }[] = [];
  for (const D of dims) {
    const c = embed(base, D, 7);
    const dyn = flowTo(c, 1e-10);
    const short: FlowConfig = { kind: 'flow', tEnd: 5 };
    for (const engine of ['reduced', 'full'] as EngineKind[]) {
      const heavy = engine === 'full' && D >= 16384;
      if (heavy && o.quick) continue;
      const big = engine === 'full' && D >= 1024;
      const warmup = big ? 2 : 15;
      const reps = big ? (heavy ? 2 : 3) : o.quick ? 7 : 15;
      const run = (): Trajectory => simulate(c.problem, c.p0, dyn, { engine });
      const { timing, result } = measure(run, warmup, reps, big ? () => simulate(c.problem, c.p0, short, { engine }) : run);
      addRow({ entry: '2', case: `same trajectory embedded in d=${D}`, engine, reps, warmup }, timing, result);
      if (engine === 'reduced') {
        // The O(d) fixed part of a reduced run (K = X X^T, P0 = W0 X^T in makeSystem, validation,
        // the final W = sw W0 + C X): the same run stopped after one step.
        const one: FlowConfig = { kind: 'flow', tEnd: 1e-9 };
        const fixed = measure(() => simulate(c.problem, c.p0, one, { engine }), 5, reps).timing;
        rows.push({ entry: '2', case: `  d=${D} reduced: fixed O(n d (n + m)) part (a 1-step run)`, engine: 'reduced', medianMs: fixed.median, minMs: fixed.min, cpuMs: fixed.cpuMedian, reps, warmup: 5 });
        // The integration: dopri5 on the prebuilt reduced system with simulate's tolerances,
        // stopping at the same loss level (timed below, the three d interleaved).
        const sys = makeSystem(c.problem, c.p0, 'reduced');
        const level = dyn.stopLoss as number;
        const opts = {
          rtol: TOLERANCES.rtol,
          atol: defaultAtol(sys, c.p0, c.problem.data.X, c.problem.data.n),
          maxSteps: TOLERANCES.maxFlowSteps,
          onStep: () => sys.lastLoss < level,
        };
        integrators.push({ D, run: () => dopri5(sys, 0, sys.y0, dyn.tEnd, opts) });
      }
    }
  }
  // Integration alone, the d values interleaved (so drift and garbage collection hit all alike).
  collectGarbage();
  for (let r = 0; r < 15; r++) for (const it of integrators) it.run();
  const reps = o.quick ? 15 : 31;
  const times = integrators.map(() => [] as number[]);
  const cpu = integrators.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    integrators.forEach((it, k) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      it.run();
      times[k].push(performance.now() - t0);
      const cu = process.cpuUsage(c0);
      cpu[k].push((cu.user + cu.system) / 1000);
    });
  }
  const medians: number[] = [];
  integrators.forEach((it, k) => {
    const t = summarise(times[k], cpu[k]);
    medians.push(t.median);
    rows.push({ entry: '2', case: `  d=${it.D} reduced: integration alone (dopri5 on the built system)`, engine: 'reduced', medianMs: t.median, minMs: t.min, cpuMs: t.cpuMedian, reps, warmup: 15, times: t.times });
  });
  const ratio = Math.max(...medians) / Math.min(...medians);
  checks.entry2ReducedIntegrationMaxOverMin = ratio;
  rows.push({
    entry: '2',
    case: 'reduced integration cost over d (max/min)',
    engine: 'reduced',
    medianMs: NaN,
    minMs: NaN,
    cpuMs: NaN,
    reps: 0,
    warmup: 0,
    target: 'max/min < 1.5',
    ok: ratio < 1.5,
    note: `max/min of integration medians = ${ratio.toFixed(2)}; whole runs add the O(d) fixed part`,
  });
}

interface NearOrtho {
  problem: Problem;
  p0: Params;
}

/**
 * Nearly orthogonal data (FVBSH23 / KCG23 setting): x_i ~ N(0, I_d) with n = 20, d = 2000
 * (|<x_i, x_k>| ~ sqrt(d) << ||x_i||^2 = d), random +-1 labels, m = 100, second layer fixed at
 * +-1/sqrt(m), first layer trained from a small Gaussian init, logistic loss.
 */
function nearOrtho(): NearOrtho {
  const rng = new Rng(4);
  const n = 20;
  const d = 2000;
  const m = 100;
  const data = isotropicData(rng.fork(1), { n, d, dist: 'gaussian', labels: { kind: 'sign' } });
  const p0 = fixedSecondLayerInit(rng.fork(2), { m, d, wStd: 1e-3, aValue: 1 / Math.sqrt(m), signs: 'half' });
  const model: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1', train: 'first', bias: false };
  return { problem: { data, model, loss: 'logistic', weightDecay: 0 }, p0 };
}

const NEAR_ETA = 0.5;

async function entry3(o: Options, tfjs: { simulateTfjs: (p: Problem, p0: Params, gd: GdConfig) => Promise<Trajectory> } | null, backend: string): Promise<void> {
  const { problem, p0 } = nearOrtho();
  const gd: GdConfig = { kind: 'gd', eta: NEAR_ETA, steps: 200 };
  const reps = o.quick ? 3 : 5;
  const a = measure(() => simulate(problem, p0, gd, { engine: 'reduced' }), 2, reps);
  addRow({ entry: '3', case: 'near-ortho n=20 d=2000 m=100 logistic, 200 gd steps', engine: 'core reduced (f64)', reps, warmup: 2 }, a.timing, a.result);
  const warmGd: GdConfig = { ...gd, steps: 20 };
  const b = measure(() => simulate(problem, p0, gd, { engine: 'full' }), 1, o.quick ? 1 : 3, () => simulate(problem, p0, warmGd, { engine: 'full' }));
  addRow({ entry: '3', case: 'near-ortho n=20 d=2000 m=100 logistic, 200 gd steps', engine: 'core full (f64)', reps: o.quick ? 1 : 3, warmup: 1 }, b.timing, b.result);
  if (tfjs !== null) {
    const t = await measureAsync(() => tfjs.simulateTfjs(problem, p0, gd), 1, o.quick ? 1 : 3, () => tfjs.simulateTfjs(problem, p0, warmGd));
    const row = addRow({ entry: '3', case: 'near-ortho n=20 d=2000 m=100 logistic, 200 gd steps', engine: `tfjs ${backend} (f32)`, reps: o.quick ? 1 : 3, warmup: 1 }, t.timing, t.result);
    const rel = Math.abs(t.result.finalLoss - a.result.finalLoss) / a.result.finalLoss;
    row.note = `final loss vs core: rel diff ${rel.toExponential(1)}`;
    checks.entry3TfjsFinalLossRelDiff = rel;
  }
}

function entry4(o: Options): { problem: Problem; p0: Params; reducedFinal: number } {
  const { problem, p0 } = nearOrtho();
  const gd: GdConfig = { kind: 'gd', eta: NEAR_ETA, steps: 1000 };
  const reps = o.quick ? 3 : 7;
  const a = measure(() => simulate(problem, p0, gd, { engine: 'reduced' }), 2, reps);
  addRow({ entry: '4', case: 'near-ortho n=20 d=2000 m=100 logistic, 1000 gd steps', engine: 'reduced', reps, warmup: 2 }, a.timing, a.result);
  const fr = o.quick ? 1 : 2;
  const b = measure(() => simulate(problem, p0, gd, { engine: 'full' }), 1, fr, () => simulate(problem, p0, { ...gd, steps: 20 }, { engine: 'full' }));
  const rowF = addRow({ entry: '4', case: 'near-ortho n=20 d=2000 m=100 logistic, 1000 gd steps', engine: 'full', reps: fr, warmup: 1 }, b.timing, b.result);
  const rel = Math.abs(a.result.finalLoss - b.result.finalLoss) / b.result.finalLoss;
  rowF.note = `full/reduced = ${(b.timing.median / a.timing.median).toFixed(1)}x; final loss rel diff ${rel.toExponential(1)}`;
  checks.entry4ReducedVsFullFinalLossRelDiff = rel;
  const gd10 = { ...gd, steps: 10_000 };
  const r10 = o.quick ? 1 : 3;
  const c = measure(() => simulate(problem, p0, gd10, { engine: 'reduced' }), 1, r10, () => simulate(problem, p0, gd, { engine: 'reduced' }));
  const row = addRow({ entry: '4', case: 'near-ortho n=20 d=2000 m=100 logistic, 10000 gd steps', engine: 'reduced', reps: r10, warmup: 1, target: '<< 10 s' }, c.timing, c.result);
  row.ok = c.timing.median < 10_000;
  return { problem, p0, reducedFinal: a.result.finalLoss };
}

async function entry5(o: Options): Promise<void> {
  const c = orthoCase(64, 24, 1e-12, 1);
  const dyn = flowTo(c, 1e-10);
  const reps = o.quick ? 5 : 15;
  const { timing, result } = measure(() => simulate(c.problem, c.p0, dyn), o.quick ? 3 : 10, reps);
  const row = addRow(
    { entry: '5', case: 'ortho n=64 m=24 lambda=1e-12 square, flow to 1e-10 L0 (all plateaus)', engine: result.engine, reps, warmup: o.quick ? 3 : 10, target: '<< 1 s' },
    timing,
    result,
  );
  row.ok = timing.median < 1000;
  if (!result.stoppedAtLoss) row.note = 'did not reach the stop level';
  const shares = await profileShares(() => simulate(c.problem, c.p0, dyn), o.quick ? 15 : 60);
  const b = breakdown(c, dyn, timing.min, result, reps);
  if (b !== null) {
    b.profileShares = shares;
    breakdowns['5'] = b;
    addBreakdownRows('5b', 'breakdown of 5', b);
  } else {
    checks['profileShares5'] = shares;
  }
}

/** Entry 6: the numpy baseline of entry 4, same data and initial point (python3 + numpy). */
function entry6(o: Options, near: { problem: Problem; p0: Params; reducedFinal: number }): void {
  const probe = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    rows.push({ entry: '6', case: 'numpy baseline', engine: 'numpy', medianMs: NaN, minMs: NaN, cpuMs: NaN, reps: 0, warmup: 0, note: 'skipped: python3 with numpy not available' });
    return;
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'flowcheck-bench-'));
  try {
    const { problem, p0 } = near;
    const { n, d, X, y } = problem.data;
    writeFileSync(join(dir, 'X.f64'), Buffer.from(X.buffer, X.byteOffset, X.byteLength));
    writeFileSync(join(dir, 'y.f64'), Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    writeFileSync(join(dir, 'W.f64'), Buffer.from(p0.W.buffer, p0.W.byteOffset, p0.W.byteLength));
    writeFileSync(join(dir, 'a.f64'), Buffer.from(p0.a.buffer, p0.a.byteOffset, p0.a.byteLength));
    const spec = { n, d, m: p0.m, eta: NEAR_ETA, steps: 1000, reps: o.quick ? 2 : 5, fullReps: o.quick ? 1 : 3, dir };
    // single-threaded BLAS, like the single-threaded JavaScript core (and stable on a loaded machine)
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const res = spawnSync('python3', [join(HERE, 'numpy_baseline.py'), JSON.stringify(spec)], { encoding: 'utf8', timeout: 600_000, env });
    if (res.status !== 0) throw new Error(`numpy baseline failed: ${res.stderr}`);
    const out = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Record<string, { times: number[]; finalLoss: number }>;
    for (const [engine, r] of Object.entries(out)) {
      const t = summarise(r.times, r.times.map(() => NaN));
      const rel = Math.abs(r.finalLoss - near.reducedFinal) / near.reducedFinal;
      addRow({ entry: '6', case: 'numpy baseline of entry 4 (1000 gd steps)', engine: `numpy ${engine} (f64)`, reps: r.times.length, warmup: 1, note: `final loss vs core: rel diff ${rel.toExponential(1)}; numpy ${probe.stdout.trim()}, 1 BLAS thread` }, t);
      rows[rows.length - 1].cpuMs = NaN;
      rows[rows.length - 1].finalLoss = r.finalLoss;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


// ---------------------------------------------------------------------------------------------
// Entries 7-10: against what a researcher would run instead (PyTorch), and the kernel itself

/** The python3 that has torch (the pyenv one may not; Debian's python3-torch lives in /usr/bin), or null. */
function torchPython(): { exe: string; version: string } | null {
  for (const exe of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(exe, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { exe, version: probe.stdout.trim() };
  }
  return null;
}

/** Writes the arrays as raw float64 files into dir and runs torch_baseline.py on spec. */
function runTorch(py: { exe: string }, spec: Record<string, unknown>, arrays: Record<string, Float64Array>): Record<string, { times: number[]; steps: number[]; finalLoss: number[]; K?: number }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'flowcheck-torch-'));
  try {
    for (const [name, a] of Object.entries(arrays)) writeFileSync(join(dir, `${name}.f64`), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
    const res = spawnSync(py.exe, [join(HERE, 'torch_baseline.py'), JSON.stringify({ ...spec, dir })], { encoding: 'utf8', timeout: 1_200_000, env });
    if (res.status !== 0) throw new Error(`torch baseline failed: ${res.stderr}`);
    return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function mean(v: number[]): number {
  return v.reduce((s, x) => s + x, 0) / v.length;
}

/** DBP25's model: f = (1/p) sum_j a_j relu(<w_j, x>), both layers trained, square loss. */
const DBP25_MODEL: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1/m', train: 'both', bias: false };

/**
 * The DBP25 authors' small experiment (their generate_data_exp2 + One_hidden_layer + train):
 * x_i = r_i e_i (axis-aligned, r ~ U[1, 2]), y_i = +-U[1, 2], w ~ 0.01 U(-1/sqrt d, 1/sqrt d)^d,
 * a_j = s_j (||w_j|| + Exp(1)). Their loss p/(2n) sum (f - y)^2 is p times the core's L, so SGD
 * with lr 1 on it is gradient descent with eta = p on L, and their stop "loss < p/(2n) cv" is
 * L < cv/(2n).
 */
function dbp25Case(seed: number, n: number, d: number, p: number): { problem: Problem; p0: Params } {
  const rng = new Rng(seed);
  const data = orthogonalData(rng.fork(1), { n, d, normRange: [1, 2], axisAligned: true, labels: { kind: 'magnitude', range: [1, 2] } });
  const p0 = danaInit(rng.fork(2), { m: p, d, scale: 0.01 });
  return { problem: { data, model: DBP25_MODEL, loss: 'square', weightDecay: 0 }, p0 };
}

const DBP25 = { n: 32, d: 64, p: 16, steps: 530, cv: 1e-6, lr: 1 };

async function entry7(o: Options): Promise<void> {
  const { n, d, p, steps, cv, lr } = DBP25;
  const K = o.quick ? 40 : 100;
  const cases = Array.from({ length: K }, (_, k) => dbp25Case(7000 + k, n, d, p));
  const gd: GdConfig = { kind: 'gd', eta: lr * p, steps, stopLoss: cv / (2 * n) };
  const runAll = (): Trajectory[] => cases.map((c) => simulate(c.problem, c.p0, gd, { engine: 'reduced' }));
  const reps = o.quick ? 5 : 11;
  const { timing, result } = measure(runAll, 3, reps);
  const perTraj = (t: Timing): Timing => summarise(t.times.map((x) => x / K), t.cpu.map((x) => x / K));
  const core = perTraj(timing);
  const meanSteps = mean(result.map((t) => t.steps));
  const stopped = result.filter((t) => t.stoppedAtLoss).length;
  const row = addRow(
    { entry: '7', case: `DBP25 orthogonal n=${n} d=${d} p=${p}, lr 1, <= ${steps} gd steps, stop at p/(2n) ${cv} (per trajectory, ${K} trajectories)`, engine: 'core reduced (f64)', reps, warmup: 3 },
    core,
  );
  row.steps = Math.round(meanSteps);
  row.note = `mean ${meanSteps.toFixed(1)} steps, ${stopped}/${K} stopped at the level`;
  checks.entry7CoreMsPerTrajectory = core.median;
  const py = o.python ? torchPython() : null;
  if (py === null) {
    rows.push({ entry: '7', case: 'PyTorch baselines', engine: 'torch', medianMs: NaN, minMs: NaN, cpuMs: NaN, reps: 0, warmup: 0, note: o.python ? 'skipped: no python3 with torch (Debian: apt-get install -y python3-torch)' : 'skipped (--no-python)' });
    return;
  }
  const res = runTorch(
    py,
    { case: 'dbp25', K, n, d, m: p, lr, steps, cv, reps: o.quick ? 2 : 3 },
    {
      X: concat(cases.map((c) => c.problem.data.X)),
      y: concat(cases.map((c) => c.problem.data.y)),
      W: concat(cases.map((c) => c.p0.W)),
      a: concat(cases.map((c) => c.p0.a)),
    },
  );
  const ratios: Record<string, number> = {};
  for (const [mode, r] of Object.entries(res)) {
    if (typeof r !== 'object' || r === null || !Array.isArray(r.times)) continue;
    const batch = r.K !== undefined;
    const times = batch ? r.times.map((x) => x / K) : r.times;
    const t = summarise(times, times.map(() => NaN));
    const ratio = t.median / core.median;
    ratios[mode] = ratio;
    const label = mode.startsWith('loop') ? "authors' per-trajectory loop" : mode.startsWith('batched') ? 'batched bmm program, autograd' : 'batched bmm program, hand-written gradients';
    rows.push({
      entry: '7',
      case: `  ${label} (per trajectory${batch ? `, batch of ${K}` : ''})`,
      engine: `torch ${mode.split(' ')[1]} (1 thread)`,
      medianMs: t.median,
      minMs: t.min,
      cpuMs: NaN,
      reps: r.times.length,
      warmup: 1,
      steps: Math.round(mean(r.steps)),
      note: `${ratio.toFixed(1)}x the core's time; mean ${mean(r.steps).toFixed(1)} steps (they step before testing the level: one more)`,
      times: r.times,
    });
  }
  const loop = ratios['loop f32'] ?? NaN;
  const batched = Math.min(...['batched f32', 'batched f64', 'manual f32', 'manual f64'].map((k) => ratios[k] ?? Infinity));
  checks.entry7Ratios = ratios;
  rows.push({
    entry: '7',
    case: "core vs the authors' loop (float32, theirs) / vs the fastest batched program",
    engine: 'ratio',
    medianMs: NaN,
    minMs: NaN,
    cpuMs: NaN,
    reps: 0,
    warmup: 0,
    target: '>= 50x / >= 5x',
    ok: loop >= 50 && batched >= 5,
    note: `${loop.toFixed(0)}x / ${batched.toFixed(1)}x (torch ${py.version})`,
  });
}

/**
 * Entry 10: the claims' heaviest trials. leaky-rank at its largest regime cell (n = 12, m = 100,
 * logistic loss, leaky g = 0.5, 3000 gd steps; data realised in n + m dimensions): the training
 * run alone (core, and PyTorch's loop on the same numbers) and the whole trial (training plus
 * the claim's own analysis); off-subspace at its largest cell (n = 20, d = 384, m = 64), whole
 * trial. Whole trials run with the kernels and with the JavaScript loops (setKernels).
 */
async function entry10(o: Options): Promise<void> {
  const { leakyRankInstance } = await import('../src/claims/leakyRank.ts');
  const { leakyModel } = await import('../src/claims/_internals/leakyRun.ts');
  const { getClaim } = await import('../src/claims/registry.ts');
  const { judgeTrial } = await import('../src/claims/claim.ts');
  const { setKernels } = await import('../src/core/kernels/wasm.ts');
  const g = 0.5;
  const inst = leakyRankInstance(12, 100, g, 1e-2, 11);
  if (inst === null) throw new Error('bench: no leaky-rank instance');
  const problem: Problem = { data: inst.data, model: leakyModel(g), loss: 'logistic', weightDecay: 0 };
  const gd: GdConfig = { kind: 'gd', eta: inst.eta, steps: 3000 };
  const reps = o.quick ? 3 : 7;
  const base = `leaky-rank training n=12 m=100 d=${inst.data.d} logistic leaky g=0.5, 3000 gd steps`;
  const a = measure(() => simulate(problem, inst.p0, gd, { record: { lossCurve: false } }), 2, reps);
  const coreRow = addRow({ entry: '10', case: base, engine: `core ${a.result.engine} (f64)`, reps, warmup: 2 }, a.timing, a.result);
  const j = measure(() => simulate(problem, inst.p0, gd, { record: { lossCurve: false }, kernels: 'js' }), 1, reps);
  addRow({ entry: '10', case: base, engine: `core ${j.result.engine}, JavaScript loops (f64)`, reps, warmup: 1 }, j.timing, j.result);
  const py = o.python ? torchPython() : null;
  if (py !== null) {
    const res = runTorch(
      py,
      { case: 'gd', n: inst.data.n, d: inst.data.d, m: inst.p0.m, eta: inst.eta, steps: 3000, leak: g, s: 1, loss: 'logistic', train: 'first', reps: o.quick ? 1 : 3 },
      { X: inst.data.X, y: inst.data.y, W: inst.p0.W, a: inst.p0.a },
    );
    for (const [mode, r] of Object.entries(res)) {
      if (typeof r !== 'object' || r === null || !Array.isArray(r.times)) continue;
      const t = summarise(r.times, r.times.map(() => NaN));
      const rel = Math.abs(r.finalLoss[0] - a.result.finalLoss) / a.result.finalLoss;
      rows.push({ entry: '10', case: `  same run, a researcher's PyTorch loop (full form, autograd)`, engine: `torch ${mode.split(' ')[1]} (1 thread)`, medianMs: t.median, minMs: t.min, cpuMs: NaN, reps: r.times.length, warmup: 1, steps: 3000, note: `core is ${(t.median / a.timing.median).toFixed(1)}x faster; final loss rel diff ${rel.toExponential(1)}`, times: r.times });
    }
  }
  void coreRow;
  const trials = BENCH_TRIALS;
  for (const t of trials) {
    const claim = getClaim(t.id);
    const tr = o.quick ? 2 : 5;
    for (const mode of ['auto', 'js'] as const) {
      setKernels(mode);
      const r = measure(() => judgeTrial(claim as never, t.params as never, 12345), 1, tr);
      addRow({ entry: '10', case: `${t.id} whole trial, ${t.what}`, engine: mode === 'auto' ? 'core (kernels)' : 'core (JavaScript loops)', reps: tr, warmup: 1 }, r.timing);
    }
    setKernels('auto');
  }
}

/** Entry 8: one evaluation of the orthogonal reduced kernel, ns per neuron-sample pair. */
function entry8(o: Options): void {
  const { n, d, p } = DBP25;
  const c = dbp25Case(8001, n, d, p);
  for (const kernels of ['auto', 'js'] as const) {
    const sys = makeSystem(c.problem, c.p0, 'reduced', { kernels });
    const b = (sys as Partial<GradientSystem>).buffers?.() ?? { y: sys.y0.slice(), out: new Float64Array(sys.dim) };
    b.y.set(sys.y0);
    const inner = 2000;
    const reps = o.quick ? 7 : 21;
    const { timing } = measure(() => {
      for (let r = 0; r < inner; r++) sys.deriv(b.out, 0, b.y);
    }, 5, reps);
    const nsPair = (timing.median * 1e6) / inner / (n * p);
    const row = rows[rows.push({
      entry: '8',
      case: `orthogonal reduced gradient, n=${n} m=${p}, square loss, one evaluation`,
      engine: (sys as { kernels?: string }).kernels === 'wasm' ? 'core wasm kernels' : 'core JavaScript loops',
      medianMs: timing.median / inner,
      minMs: timing.min / inner,
      cpuMs: timing.cpuMedian / inner,
      reps,
      warmup: 5,
      target: kernels === 'auto' ? '<= 2 ns per pair' : undefined,
      note: `${nsPair.toFixed(2)} ns per neuron-sample pair (median), ${((timing.min * 1e6) / inner / (n * p)).toFixed(2)} (min)`,
    }) - 1];
    if (kernels === 'auto') {
      row.ok = nsPair <= 2;
      checks.entry8NsPerPair = nsPair;
    }
    (sys as Partial<GradientSystem>).release?.();
  }
}

/**
 * Entry 9: paper scale, the authors' experiment 1 (generate_data_exp1: x_i / ||x_i|| uniform on
 * the sphere, ||x_i|| ~ U[1, 2]; their default init, scale 1), d = 100, n = 1400, p = 30, 819
 * gd steps, full form (n > d), fixed number of steps on both sides.
 */
function entry9(o: Options): void {
  const n = 1400;
  const d = 100;
  const p = 30;
  const steps = 819;
  const rng = new Rng(9);
  const data = isotropicData(rng.fork(1), { n, d, dist: 'sphere', normRange: [1, 2], labels: { kind: 'magnitude', range: [1, 2] } });
  const p0 = danaInit(rng.fork(2), { m: p, d, scale: 1 });
  const problem: Problem = { data, model: DBP25_MODEL, loss: 'square', weightDecay: 0 };
  const gd: GdConfig = { kind: 'gd', eta: p, steps };
  const reps = o.quick ? 2 : 5;
  const short: GdConfig = { ...gd, steps: 40 };
  const a = measure(() => simulate(problem, p0, gd, { engine: 'full' }), 1, reps, () => simulate(problem, p0, short, { engine: 'full' }));
  const coreRow = addRow({ entry: '9', case: `paper scale: sphere d=${d} n=${n} p=${p}, ${steps} gd steps (full form)`, engine: 'core (f64)', reps, warmup: 1 }, a.timing, a.result);
  if (!o.quick) {
    // the JavaScript loops (what the core ran before the WebAssembly kernels): one run
    const js = measure(() => simulate(problem, p0, gd, { engine: 'full', kernels: 'js' }), 0, 1);
    const row = addRow({ entry: '9', case: `paper scale, JavaScript loops (one run)`, engine: 'core js (f64)', reps: 1, warmup: 0 }, js.timing, js.result);
    row.note = `same final loss as the kernels: ${js.result.finalLoss === a.result.finalLoss}`;
  }
  const py = o.python ? torchPython() : null;
  if (py === null) {
    rows.push({ entry: '9', case: 'PyTorch baseline', engine: 'torch', medianMs: NaN, minMs: NaN, cpuMs: NaN, reps: 0, warmup: 0, note: 'skipped: no python3 with torch' });
    return;
  }
  const res = runTorch(py, { case: 'paper', n, d, m: p, lr: 1, steps, reps: o.quick ? 1 : 3 }, { X: data.X, y: data.y, W: p0.W, a: p0.a });
  const coreFinal = p * a.result.finalLoss; // their loss is p L
  for (const [mode, r] of Object.entries(res)) {
    if (typeof r !== 'object' || r === null || !Array.isArray(r.times)) continue;
    const t = summarise(r.times, r.times.map(() => NaN));
    const prec = mode.split(' ')[1];
    rows.push({
      entry: '9',
      case: "  the authors' loop, same instance",
      engine: `torch ${prec} (1 thread)`,
      medianMs: t.median,
      minMs: t.min,
      cpuMs: NaN,
      reps: r.times.length,
      warmup: 1,
      steps: r.steps[0],
      note: `core is ${(t.median / a.timing.median).toFixed(2)}x faster; their loss before the last step ${r.finalLoss[0].toExponential(4)} (core after it: ${coreFinal.toExponential(4)})`,
      times: r.times,
    });
    if (prec === 'f64') {
      coreRow.target = '<= torch f64 loop';
      coreRow.ok = a.timing.median <= t.median;
      checks.entry9CoreOverTorchF64 = a.timing.median / t.median;
    }
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const want = (e: string): boolean => o.only === null || o.only.has(e);
  const t0 = performance.now();
  let tfjs: { simulateTfjs: (p: Problem, p0: Params, gd: GdConfig) => Promise<Trajectory> } | null = null;
  let backend = 'unavailable';
  if (want('3')) {
    try {
      const mod = await import('../src/engines/tfjs.ts');
      backend = (await mod.initTfjs()).backend;
      tfjs = mod;
    } catch (e) {
      process.stderr.write(`tfjs engine unavailable: ${(e as Error).message}\n`);
    }
  }
  if (want('1')) await entry1(o);
  if (want('2')) entry2(o);
  if (want('3')) await entry3(o, tfjs, backend);
  let near: ReturnType<typeof entry4> | null = null;
  if (want('4') || want('6')) near = entry4(o);
  if (want('5')) await entry5(o);
  if (want('6') && o.python && near !== null) entry6(o, near);
  if (want('7')) await entry7(o);
  if (want('8')) entry8(o);
  if (want('9')) entry9(o);
  if (want('10')) await entry10(o);
  printTable();
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().map((c) => c.model).filter((v, k, a) => a.indexOf(v) === k),
    cpuCount: os.cpus().length,
    loadavg: os.loadavg(),
    quick: o.quick,
    tfjsBackend: backend,
    totalSeconds: (performance.now() - t0) / 1000,
    rows: rows.map((r) => ({ ...r, medianMs: nanToNull(r.medianMs), minMs: nanToNull(r.minMs), cpuMs: nanToNull(r.cpuMs) })),
    breakdowns,
    checks,
  };
  await writeFileAtomic(o.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${o.out} (${report.totalSeconds.toFixed(1)} s; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')})`);
}

function nanToNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

await main();

