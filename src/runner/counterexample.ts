/**
 * Saved counterexamples: fixtures/counterexamples/<claim>/<name>.json. Each holds the seeds and
 * fast-check path that found it, the claim parameters, what was observed, and (when the trial is
 * one trajectory) the explicit instance with its trajectory summary, so `flowcheck replay FILE`
 * can re-run it and compare every number bit for bit.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ClaimParams, Observation, TrialOutcome } from '../claims/claim.ts';
import { judgeTrial } from '../claims/claim.ts';
import type { Counterexample } from '../report/report.types.ts';
import { writeFileAtomic } from '../report/atomicWrite.ts';
import { runInstance, type Instance, type TrajectorySummary } from '../core/instance.ts';
import { InputError } from '../core/errors.ts';
import { getClaim } from '../claims/registry.ts';

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
  const target = path.join(dir, inp.claim, `${file.name}.json`);
  await writeFileAtomic(target, JSON.stringify(file, null, 1) + '\n');
  const rel = path.relative(process.cwd(), target);
  return {
    name: file.name,
    file: rel,
    summary: summaryOf(file),
    replay: `npx flowcheck replay ${rel}`,
  };
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

/** Reads and validates a counterexample file; errors name the file and the field. */
export function loadCounterexample(file: string): CounterexampleFile {
  const fn = 'loadCounterexample';
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new InputError(fn, 'FILE', file, 'an existing counterexample file');
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError(fn, `${file} (JSON)`, (e as Error).message, 'well-formed JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(fn, file, v, 'a JSON object');
  const o = v as Record<string, unknown>;
  if (o.format !== COUNTEREXAMPLE_FORMAT) throw new InputError(fn, `${file}: format`, o.format, JSON.stringify(COUNTEREXAMPLE_FORMAT));
  for (const [k, t] of REQUIRED) {
    if (typeof o[k] !== t || o[k] === null) throw new InputError(fn, `${file}: ${k}`, o[k], `a ${t}`);
  }
  if (o.kind !== 'edge' && o.kind !== 'regime') throw new InputError(fn, `${file}: kind`, o.kind, "'edge' or 'regime'");
  getClaim(o.claim as string);
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
