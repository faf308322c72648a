/**
 * Saved counterexamples: fixtures/counterexamples/<claim>/<name>.json. Each holds the seeds and
 * fast-check path that found it, the claim parameters, what was observed, and (when the trial is
 * one trajectory) the explicit instance with its trajectory summary, so `flowcheck replay FILE`
 * can re-run it and compare every number bit for bit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { Claim, ClaimParams, Observation, TrialOutcome } from '../claims/claim.ts';
import { judgeTrial } from '../claims/claim.ts';
import type { Counterexample } from '../report/report.types.ts';
import { writeFileAtomic } from '../report/atomicWrite.ts';
import { SimulatedKill } from '../report/_internals/fileOps.ts';
import { readJsonFile } from '../report/_internals/readJson.ts';
import { shellCommand } from '../report/_internals/shellQuote.ts';
import { parseInstance, runInstance, type Instance, type TrajectorySummary } from '../core/instance.ts';
import { InputError } from '../core/errors.ts';
import { deriveSeed } from '../core/rng.ts';
import { claimIds, getClaim } from '../claims/registry.ts';
import { trialParams } from './trial.ts';

export const COUNTEREXAMPLE_FORMAT = 'flowcheck-counterexample/1';

export interface CounterexampleFile {
  format: typeof COUNTEREXAMPLE_FORMAT;
  claim: string;
  kind: 'edge' | 'regime';
  name: string;
  statement: string;
  claimSeed: number;
  trialSeed: number;
  fcSeed: number | null;
  fcPath: string | null;
  params: ClaimParams;
  observation: Observation;
  instance: Instance | null;
  observed: TrajectorySummary | null;
  /** Why the explicit instance is absent although the trial had one (size), or null. */
  instanceOmitted?: string | null;
}

export interface SaveInput {
  claim: string;
  kind: 'edge' | 'regime';
  name: string;
  claimSeed: number;
  trialSeed: number;
  fcSeed: number | null;
  fcPath: string | null;
  params: ClaimParams;
  outcome: TrialOutcome;
  statement: string;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
}

/**
 * Explicit instances above this many numbers (entries of X and W0) are not stored: the
 * counterexample is still replayed exactly from its parameters and seed, which regenerate it.
 */
export const MAX_STORED_INSTANCE_NUMBERS = 200_000;

function instanceSize(inst: Instance): number {
  return inst.X.length * inst.X[0].length + inst.W0.length * inst.W0[0].length;
}

export async function saveCounterexample(dir: string, inp: SaveInput): Promise<Counterexample> {
  const candidate = inp.outcome.instance ?? null;
  const instance = candidate !== null && instanceSize(candidate) <= MAX_STORED_INSTANCE_NUMBERS ? candidate : null;
  const observed = instance === null ? null : runInstance(instance).summary;
  const file: CounterexampleFile = {
    format: COUNTEREXAMPLE_FORMAT,
    claim: inp.claim,
    kind: inp.kind,
    name: safeName(inp.name),
    statement: inp.statement,
    claimSeed: inp.claimSeed,
    trialSeed: inp.trialSeed,
    fcSeed: inp.fcSeed,
    fcPath: inp.fcPath,
    params: inp.params,
    observation: inp.outcome.observation,
    instance,
    observed,
    instanceOmitted: candidate !== null && instance === null ? `explicit instance of ${instanceSize(candidate)} numbers not stored (> ${MAX_STORED_INSTANCE_NUMBERS}); regenerated from params and trialSeed by the claim` : null,
  };
  const text = JSON.stringify(file, null, 1) + '\n';
  const target = path.join(dir, inp.claim, `${file.name}.json`);
  let saved = target;
  let note = '';
  try {
    await writeFileAtomic(target, text);
  } catch (e) {
    if (e instanceof SimulatedKill) throw e;
    // The run's trials are not thrown away because one file could not be written: the
    // counterexample goes to the system's temporary directory and the report says so.
    saved = path.join(os.tmpdir(), 'flowcheck-counterexamples', `${process.pid}`, inp.claim, `${file.name}.json`);
    const why = `${(e as NodeJS.ErrnoException).code ?? (e as Error).name}: ${(e as Error).message}`;
    try {
      await writeFileAtomic(saved, text);
      note = ` (could not be saved to ${target}: ${why}; saved to ${saved} instead)`;
    } catch {
      return { name: file.name, file: target, summary: `${summaryOf(file)} (NOT saved: ${why})`, replay: '' };
    }
  }
  const rel = path.relative(process.cwd(), saved);
  return {
    name: file.name,
    file: rel,
    summary: summaryOf(file) + note,
    replay: shellCommand(['npx', 'flowcheck', 'replay', rel]),
  };
}

/**
 * The same counterexample entry after its file moved from under `from` to under `to` (a run's
 * staging directory swapped in as its output directory): file and replay command updated.
 * Entries outside `from` are returned unchanged.
 */
export function relocateCounterexample(x: Counterexample, from: string, to: string): Counterexample {
  const abs = path.resolve(x.file);
  const rel = path.relative(path.resolve(from), abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return x;
  const file = path.relative(process.cwd(), path.join(path.resolve(to), rel));
  return { ...x, file, replay: shellCommand(['npx', 'flowcheck', 'replay', file]) };
}

function summaryOf(f: CounterexampleFile): string {
  const why = typeof f.observation.why === 'string' ? f.observation.why : JSON.stringify(f.observation).slice(0, 200);
  return `${f.kind === 'edge' ? 'edge' : 'in-regime'} counterexample, params ${JSON.stringify(f.params)}: ${why}`;
}

const REQUIRED: [keyof CounterexampleFile, string][] = [
  ['claim', 'string'],
  ['kind', 'string'],
  ['name', 'string'],
  ['claimSeed', 'number'],
  ['trialSeed', 'number'],
  ['params', 'object'],
  ['observation', 'object'],
];

/** The label runClaim derives the edge search's fast-check seed with: deriveSeed(claimSeed, 'edge' in ASCII). */
export const EDGE_FC_LABEL = 0x65646765;

/** Draws used to learn the values an arbitrary generates (fast-check's bias reaches both ends of every integer range). */
const DOMAIN_SAMPLES = 300;

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/**
 * Whether `params` are values `arb` can generate: exactly when fast-check can tell
 * (canShrinkWithoutContext: records of integer ranges and constants), otherwise the same keys as
 * its samples and every value inside the range (numbers; integers where the samples are) or the
 * set (strings, booleans) of values seen in DOMAIN_SAMPLES draws. Returns the first offending key
 * and what it should be, or null.
 */
export function paramsOutsideDomain(arb: fc.Arbitrary<unknown>, params: ClaimParams): { key: string; received: unknown; expected: string } | null {
  if (arb.canShrinkWithoutContext(params)) return null;
  const samples = fc.sample(arb, { numRuns: DOMAIN_SAMPLES, seed: 0x5eed }) as ClaimParams[];
  const keys = new Set(samples.flatMap((s) => Object.keys(s)));
  for (const k of Object.keys(params)) if (!keys.has(k)) return { key: k, received: params[k], expected: `no such parameter (the claim's parameters are ${[...keys].join(', ')})` };
  for (const k of keys) {
    const seen = samples.map((s) => s[k]).filter((v) => v !== undefined);
    const v = params[k];
    if (v === undefined) {
      if (seen.length === samples.length) return { key: k, received: undefined, expected: 'a value (every draw has this parameter)' };
      continue;
    }
    if (seen.every((x) => typeof x === 'number')) {
      const nums = seen as number[];
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      const ints = nums.every((x) => Number.isInteger(x));
      if (typeof v !== 'number' || !Number.isFinite(v) || (ints && !Number.isInteger(v)) || v < lo || v > hi) {
        return { key: k, received: v, expected: `${ints ? 'an integer' : 'a number'} in [${lo}, ${hi}] (the values the claim draws)` };
      }
    } else if (seen.every((x) => typeof x !== 'object' || x === null)) {
      const set = [...new Set(seen.map((x) => JSON.stringify(x)))];
      if (!set.includes(JSON.stringify(v))) return { key: k, received: v, expected: `one of ${set.join(', ')} (the values the claim draws)` };
    }
  }
  return null;
}

/** Reads and validates a counterexample file; errors name the file and the field. */
export function loadCounterexample(file: string): CounterexampleFile {
  const fn = 'loadCounterexample';
  const v = readJsonFile(file, fn, 'FILE');
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(fn, file, v, 'a JSON object (a counterexample file)');
  const o = v as Record<string, unknown>;
  if (o.format !== COUNTEREXAMPLE_FORMAT) throw new InputError(fn, `${file}: format`, o.format, JSON.stringify(COUNTEREXAMPLE_FORMAT));
  for (const [k, t] of REQUIRED) {
    if (typeof o[k] !== t || o[k] === null || (t === 'object' && Array.isArray(o[k]))) throw new InputError(fn, `${file}: ${k}`, o[k], `a${t === 'object' ? 'n' : ''} ${t}`);
  }
  if (o.kind !== 'edge' && o.kind !== 'regime') throw new InputError(fn, `${file}: kind`, o.kind, "'edge' or 'regime'");
  let claim: Claim;
  try {
    claim = getClaim(o.claim as string);
  } catch {
    throw new InputError(fn, `${file}: claim`, o.claim, `a registered claim id (one of ${claimIds().join(', ')})`);
  }
  if (!isU32(o.claimSeed)) throw new InputError(fn, `${file}: claimSeed`, o.claimSeed, 'an integer in [0, 2^32 - 1]');
  if (!isU32(o.trialSeed)) throw new InputError(fn, `${file}: trialSeed`, o.trialSeed, 'an integer in [0, 2^32 - 1]');
  const params = o.params as ClaimParams;
  if (o.kind === 'edge') {
    if (!claim.edge) throw new InputError(fn, `${file}: kind`, 'edge', `'regime' (claim ${claim.meta.id} has no edge search)`);
    if (o.fcSeed !== null && o.fcSeed !== undefined && o.fcSeed !== deriveSeed(o.claimSeed, EDGE_FC_LABEL)) {
      throw new InputError(fn, `${file}: fcSeed`, o.fcSeed, `${deriveSeed(o.claimSeed, EDGE_FC_LABEL)}, the edge search's seed for claimSeed ${o.claimSeed} (or null)`);
    }
    const seed = params.seed ?? 0;
    if (o.trialSeed !== seed) throw new InputError(fn, `${file}: trialSeed`, o.trialSeed, `${JSON.stringify(seed)}, the seed in params (an edge trial runs with params.seed)`);
    const bad = paramsOutsideDomain(claim.edge.arbitrary as fc.Arbitrary<unknown>, params);
    if (bad !== null) throw new InputError(fn, `${file}: params.${bad.key}`, bad.received, `${bad.expected.replace('the claim draws', "the claim's edge search draws")}`);
  } else {
    const m = typeof o.name === 'string' ? /^regime-trial-(\d+)$/.exec(o.name) : null;
    if (m === null) throw new InputError(fn, `${file}: name`, o.name, "'regime-trial-<i>', the trial index a regime counterexample comes from");
    const index = Number(m[1]);
    const expected = trialParams(claim, o.claimSeed, index);
    if (o.trialSeed !== expected.seed) throw new InputError(fn, `${file}: trialSeed`, o.trialSeed, `${expected.seed} = deriveSeed(claimSeed, ${index}), the seed of trial ${index}`);
    if (JSON.stringify(params) !== JSON.stringify(expected.params)) {
      const key = [...new Set([...Object.keys(params), ...Object.keys(expected.params)])].find((k) => JSON.stringify(params[k]) !== JSON.stringify(expected.params[k])) ?? '';
      throw new InputError(fn, `${file}: params${key ? `.${key}` : ''}`, key ? params[key] : params, `${key ? JSON.stringify(expected.params[key]) : JSON.stringify(expected.params)}, drawn by trial ${index} of the regime from claimSeed ${o.claimSeed}`);
    }
  }
  if (o.instance !== null && o.instance !== undefined) parseInstance(o.instance, `${file}: instance`);
  if (o.observed !== null && o.observed !== undefined && (typeof o.observed !== 'object' || Array.isArray(o.observed))) throw new InputError(fn, `${file}: observed`, o.observed, 'a trajectory summary object or null');
  return o as unknown as CounterexampleFile;
}

export interface ReplayResult {
  file: string;
  claim: string;
  /** Claim's statement re-run on the saved parameters. */
  outcome: TrialOutcome;
  /** The statement still fails, as recorded. */
  stillFails: boolean;
  /** The observation equals the recorded one exactly. */
  observationMatches: boolean;
  /** Trajectory summary of the explicit instance re-run (null when none was saved). */
  summary: TrajectorySummary | null;
  /** Every number of the summary equals the recorded one bit for bit. */
  summaryMatches: boolean | null;
  mismatches: string[];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Re-runs a saved counterexample exactly and compares with what was recorded. */
export function replayCounterexample(file: string): ReplayResult {
  const f = loadCounterexample(file);
  const claim = getClaim(f.claim);
  let outcome: TrialOutcome;
  if (f.kind === 'edge') {
    if (!claim.edge) throw new InputError('replayCounterexample', `${file}: claim`, f.claim, 'a claim with an edge');
    outcome = claim.edge.run(f.params as never, f.trialSeed);
  } else {
    outcome = judgeTrial(claim, f.params as never, f.trialSeed);
  }
  const mismatches: string[] = [];
  const observationMatches = sameJson(outcome.observation, f.observation);
  if (!observationMatches) {
    for (const k of Object.keys(f.observation)) {
      if (!sameJson(outcome.observation[k], f.observation[k])) mismatches.push(`observation.${k}: recorded ${JSON.stringify(f.observation[k])}, replayed ${JSON.stringify(outcome.observation[k])}`);
    }
  }
  let summary: TrajectorySummary | null = null;
  let summaryMatches: boolean | null = null;
  if (f.instance !== null && f.instance !== undefined) {
    summary = runInstance(f.instance).summary;
    summaryMatches = sameJson(summary, f.observed);
    if (!summaryMatches && f.observed) {
      for (const k of Object.keys(f.observed) as (keyof TrajectorySummary)[]) {
        if (!sameJson(summary[k], f.observed[k])) mismatches.push(`summary.${k}: recorded ${JSON.stringify(f.observed[k])}, replayed ${JSON.stringify(summary[k])}`);
      }
    }
  }
  return { file, claim: f.claim, outcome, stillFails: !outcome.pass, observationMatches, summary, summaryMatches, mismatches };
}

/** All counterexample files under a directory (recursively), sorted. */
export function listCounterexamples(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listCounterexamples(p));
    else if (e.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

/** Where `flowcheck promote` copies counterexamples: the committed fixtures replayed by npm test. */
export const FIXTURE_COUNTEREXAMPLE_DIR = path.join('fixtures', 'counterexamples');

/**
 * Promotes a run's counterexample to a committed fixture (`flowcheck promote FILE`): validates it
 * like replay does, then writes it atomically to `toDir/<claim>/<name>.json`. An existing
 * different file there is kept unless `force`: fixtures change only on purpose.
 *
 * @throws InputError naming the file and field (invalid counterexample) or the target (exists)
 */
export async function promoteCounterexample(file: string, toDir: string = FIXTURE_COUNTEREXAMPLE_DIR, force = false): Promise<{ target: string; status: 'added' | 'unchanged' | 'replaced' }> {
  const f = loadCounterexample(file);
  const target = path.join(toDir, f.claim, `${safeName(f.name)}.json`);
  const text = fs.readFileSync(file, 'utf8');
  let existing: string | null = null;
  try {
    existing = fs.readFileSync(target, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new InputError('flowcheck promote', '--to', toDir, `a directory where ${target} can be written (${code ?? String(e)})`);
  }
  if (existing === text) return { target, status: 'unchanged' };
  if (existing !== null && !force) throw new InputError('flowcheck promote', 'FILE', file, `a counterexample not already committed differently (${target} exists with other content; pass --force to replace it)`);
  try {
    await writeFileAtomic(target, text);
  } catch (e) {
    throw new InputError('flowcheck promote', '--to', toDir, `a writable directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return { target, status: existing === null ? 'added' : 'replaced' };
}
