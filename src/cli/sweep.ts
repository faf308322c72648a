/**
 * `flowcheck sweep --claim ID --vary m=1..32 [--vary n=8,16,32] [--trials N]`: the pass rate of
 * a claim's trial over a parameter grid, with exact intervals and, where the claim predicts a
 * probability (exact-cell claims) or claims a rate, that prediction per cell.
 *
 * A varied name overrides the regime parameter of the same name; `n` is accepted for claims
 * parametrised by nPos/nNeg and sets nPos = ceil(n/2), nNeg = floor(n/2).
 *
 * Everything is checked before any trial runs (prepareSweep): the grid's size (counted before it
 * is expanded), each value against what the claim's regime draws for that parameter (integers
 * where it draws integers, at least its smallest value, selectors within their range, at most
 * SWEEP_MAX_GROWTH times its largest value) and an estimate of the memory a trial needs. A value
 * the claim's own code still refuses is reported naming the --vary cell.
 */
import fc from 'fast-check';
import type { Claim, ClaimParams } from '../claims/claim.ts';
import type { Cell, Plot, Report } from '../report/report.types.ts';
import { claimIds, getClaim } from '../claims/registry.ts';
import { drawParams } from '../runner/drawParams.ts';
import { claimSeedOf, claimHeader, emptyResultFields } from '../runner/runClaim.ts';
import { judgeTrial } from '../claims/claim.ts';
import { deriveSeed } from '../core/rng.ts';
import { InputError } from '../core/errors.ts';
import { summarizeBernoulli } from '../stats/verdict.ts';
import { binomialTestTwoSided } from '../stats/binomialTest.ts';
import { holm } from '../stats/holm.ts';
import { VERSION, FAMILY_ALPHA, FAMILY_BETA } from '../runner/verify.ts';
import { shellCommand } from '../report/_internals/shellQuote.ts';
import { createProgress } from './progress.ts';
import { parseNumber } from './_internals/parse.ts';
import { checkMemory, estimateSimulation, guessClaimSizes, MAX_SWEEP_CELLS, MAX_SWEEP_TRIALS, SWEEP_MAX_GROWTH } from './_internals/limits.ts';

const FN = 'flowcheck sweep';

/** Most values of one --vary axis. */
export const MAX_AXIS_VALUES = 200;

/** Draws used to learn the values the claim's regime gives each parameter. */
const ENVELOPE_SAMPLES = 300;

/** Parses `name=a..b` (integers), `name=a..b:step` or `name=v1,v2,...`; a range is counted before it is expanded. */
export function parseVary(spec: string): { name: string; values: number[] } {
  const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(spec);
  if (!m) throw new InputError(FN, '--vary', spec, 'name=a..b, name=a..b:step or name=v1,v2,...');
  const [, name, rhs] = m;
  const range = /^(-?\d+)\.\.(-?\d+)(?::(\d+))?$/.exec(rhs);
  let values: number[];
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    const step = range[3] ? Number(range[3]) : 1;
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || !Number.isSafeInteger(step)) throw new InputError(FN, `--vary ${name}`, rhs, 'a..b with integers of at most 15 digits');
    if (hi < lo || step < 1) throw new InputError(FN, `--vary ${name}`, rhs, 'a..b with a <= b and step >= 1');
    const count = Math.floor((hi - lo) / step) + 1;
    if (count > MAX_AXIS_VALUES) throw new InputError(FN, `--vary ${name}`, rhs, `at most ${MAX_AXIS_VALUES} values (this range has ${count})`);
    values = [];
    for (let v = lo; v <= hi; v += step) values.push(v);
  } else {
    const parts = rhs.split(',');
    if (parts.length > MAX_AXIS_VALUES) throw new InputError(FN, `--vary ${name}`, rhs.slice(0, 40), `at most ${MAX_AXIS_VALUES} values (this list has ${parts.length})`);
    values = parts.map((s) => parseNumber(FN, `--vary ${name}`, s.trim(), {}));
    if (new Set(values).size !== values.length) throw new InputError(FN, `--vary ${name}`, rhs, 'distinct values');
  }
  return { name, values };
}

function applyOverride(params: ClaimParams, name: string, value: number): void {
  if (name === 'n' && 'nPos' in params && !('n' in params)) {
    params.nPos = Math.ceil(value / 2);
    params.nNeg = Math.floor(value / 2);
    return;
  }
  params[name] = value;
}

interface Envelope {
  lo: number;
  hi: number;
  ints: boolean;
}

/** Per parameter: the range of values the claim's trials use (regime draws, plus the grid cells of exact-cell claims). */
function envelopes(claim: Claim): Map<string, Envelope | 'other'> {
  const samples = fc.sample(claim.regime, { numRuns: ENVELOPE_SAMPLES, seed: 0x5eed }) as ClaimParams[];
  const all: ClaimParams[] = claim.claimed.kind === 'exact-cells' ? [...samples.map((s) => ({ ...s, ...(claim.claimed as { cells: ClaimParams[] }).cells[0] })), ...claim.claimed.cells] : samples;
  const out = new Map<string, Envelope | 'other'>();
  for (const s of all) {
    for (const [k, v] of Object.entries(s)) {
      const cur = out.get(k);
      if (typeof v !== 'number' || cur === 'other') {
        out.set(k, 'other');
        continue;
      }
      out.set(k, cur === undefined ? { lo: v, hi: v, ints: Number.isInteger(v) } : { lo: Math.min(cur.lo, v), hi: Math.max(cur.hi, v), ints: cur.ints && Number.isInteger(v) });
    }
  }
  return out;
}

function checkAxis(name: string, values: number[], env: Map<string, Envelope | 'other'>, domain: Claim['sweepDomain']): void {
  const field = `--vary ${name}`;
  const targets = name === 'n' && env.has('nPos') && !env.has('n') ? ['nPos', 'nNeg'] : [name];
  for (const t of targets) {
    const e = env.get(t);
    if (e === undefined) throw new InputError(FN, '--vary', name, `a parameter of the claim (${[...env.keys()].join(', ')}${env.has('nPos') && !env.has('n') ? ', or n for nPos + nNeg' : ''})`);
    if (e === 'other') throw new InputError(FN, '--vary', name, 'a numeric parameter of the claim (this one takes non-numeric values)');
    const dom = domain?.[t];
    if (dom !== undefined) {
      const ints = dom.ints ?? true;
      for (const raw of values) {
        if ((ints && !Number.isInteger(raw)) || raw < dom.min || raw > dom.max) throw new InputError(FN, field, raw, `${ints ? 'integers' : 'numbers'} in [${dom.min}, ${dom.max}] (the claim's sweep domain for ${t}; its regime draws ${t} in [${e.lo}, ${e.hi}])`);
      }
      continue;
    }
    for (const raw of values) {
      const v = t === 'nPos' ? Math.ceil(raw / 2) : t === 'nNeg' ? Math.floor(raw / 2) : raw;
      const selector = /(Sel|Idx)$/.test(t);
      const cap = t === 'seed' ? 0xffffffff : selector ? e.hi : e.hi > 0 ? SWEEP_MAX_GROWTH * e.hi : Infinity;
      const expected = `${e.ints ? 'integers' : 'numbers'} in [${e.lo}, ${cap}] (${selector ? `a selector: the claim draws ${t} in [${e.lo}, ${e.hi}]` : `the claim's regime draws ${t} in [${e.lo}, ${e.hi}]; a sweep may go up to ${t === 'seed' ? '2^32 - 1' : `${SWEEP_MAX_GROWTH}x its largest value`}`})`;
      if ((e.ints && !Number.isInteger(v)) || v < e.lo || v > cap) throw new InputError(FN, field, raw, expected);
    }
  }
}

export interface SweepPlan {
  claim: Claim;
  axes: { name: string; values: number[] }[];
  grid: Record<string, number>[];
  trials: number;
  seed: number;
  vary: string[];
}

/** Checks every sweep input (no trial runs); see the module comment. */
export function prepareSweep(o: { claim: string; vary: string[]; trials: string; seed: number }): SweepPlan {
  let claim: Claim;
  try {
    claim = getClaim(o.claim);
  } catch {
    throw new InputError(FN, '--claim', o.claim, `a claim id (one of ${claimIds().join(', ')})`);
  }
  const trials = parseNumber(FN, '--trials', o.trials, { int: true, min: 1, max: MAX_SWEEP_TRIALS });
  if (o.vary.length === 0) throw new InputError(FN, '--vary', undefined, 'at least one name=values');
  const axes = o.vary.map(parseVary);
  const names = axes.map((a) => a.name);
  const dup = names.find((x, k) => names.indexOf(x) !== k);
  if (dup !== undefined) throw new InputError(FN, '--vary', dup, 'each parameter varied once');
  if (names.includes('n') && (names.includes('nPos') || names.includes('nNeg'))) throw new InputError(FN, '--vary', 'n', 'either n or nPos/nNeg, not both (n sets both)');
  const cells = axes.reduce((a, ax) => a * ax.values.length, 1);
  if (cells > MAX_SWEEP_CELLS) throw new InputError(FN, '--vary', o.vary.join(' '), `a grid of at most ${MAX_SWEEP_CELLS} cells (this one has ${cells})`);
  if (cells * trials > MAX_SWEEP_TRIALS) throw new InputError(FN, '--trials', o.trials, `at most ${MAX_SWEEP_TRIALS} trials in all (${cells} cells x ${trials})`);
  const env = envelopes(claim);
  for (const ax of axes) checkAxis(ax.name, ax.values, env, claim.sweepDomain);
  let grid: Record<string, number>[] = [{}];
  for (const ax of axes) grid = grid.flatMap((g) => ax.values.map((v) => ({ ...g, [ax.name]: v })));
  // Memory of the largest cell, from sizes guessed by parameter name (claims do not declare theirs).
  const base = drawParams(claim.regime, 0) as ClaimParams;
  if (claim.claimed.kind === 'exact-cells') Object.assign(base, claim.claimed.cells[0]);
  for (const cell of grid) {
    const p: ClaimParams = { ...base };
    for (const [k, v] of Object.entries(cell)) applyOverride(p, k, v);
    const s = guessClaimSizes(p);
    const name = Object.keys(cell).reduce((a, b) => (Number(cell[b]) > Number(cell[a]) ? b : a));
    checkMemory(FN, `--vary ${name}`, cell[name], estimateSimulation(s), `${Object.entries(cell).map(([k, v]) => `${k} = ${v}`).join(', ')} (n = ${s.n}, d = ${s.d}, m = ${s.m} at least)`);
  }
  return { claim, axes, grid, trials, seed: o.seed, vary: o.vary };
}

/** A claim's own refusal of a cell's parameters (an InputError from its code) names the --vary cell. */
function cellError(e: unknown, cell: Record<string, number>): never {
  const where = Object.entries(cell).map(([k, v]) => `${k}=${v}`).join(' ');
  if (e instanceof InputError) throw new InputError(FN, `--vary ${where}`, where, `parameters the claim's trial accepts (it refused them: ${e.message})`);
  if (e instanceof RangeError && /allocation failed|Invalid typed array length|Invalid array length/.test(e.message)) {
    throw new InputError(FN, `--vary ${where}`, where, `parameters whose trial fits in memory (allocating failed: ${e.message})`);
  }
  throw e;
}

/** Runs a prepared sweep: trial t of every cell before trial t + 1 of any, so a cell the claim refuses shows up at once. */
export function runSweep(plan: SweepPlan, err: (s: string) => void): Report {
  const { claim, axes, grid, trials } = plan;
  const started = new Date();
  const claimSeed = claimSeedOf(plan.seed, claim.meta.id);
  const progress = createProgress(err);
  progress.start(`sweep ${claim.meta.id}`);
  const passes = grid.map(() => 0);
  const samples: ClaimParams[] = grid.map(() => ({}));
  let done = 0;
  try {
    for (let t = 0; t < trials; t++) {
      for (const [c, cell] of grid.entries()) {
        const seed = deriveSeed(claimSeed, c, t);
        const params = drawParams(claim.regime, seed);
        if (claim.claimed.kind === 'exact-cells') Object.assign(params, claim.claimed.cells[0]);
        for (const [k, v] of Object.entries(cell)) applyOverride(params, k, v);
        if (t === 0) samples[c] = params;
        try {
          if (judgeTrial(claim, params as never, seed).pass) passes[c]++;
        } catch (e) {
          cellError(e, cell);
        }
        progress.update(`sweep ${claim.meta.id}`, ++done, grid.length * trials);
      }
    }
  } finally {
    progress.stop();
  }
  const cells: Cell[] = grid.map((cell, c) => {
    const predicted = claim.claimed.kind === 'exact-cells' ? claim.claimed.predicted(samples[c]) : claim.claimed.p0;
    const s = summarizeBernoulli(trials, passes[c]);
    const p = binomialTestTwoSided(passes[c], trials, predicted);
    return { params: { ...cell }, trials, passes: passes[c], passRate: s.passRate, interval: s.interval, predicted, pValue: p, adjustedPValue: p, agrees: true };
  });
  const adj = holm(cells.map((c) => c.pValue));
  cells.forEach((c, k) => {
    c.adjustedPValue = adj[k];
    c.agrees = adj[k] >= FAMILY_ALPHA;
  });
  progress.end(`sweep ${claim.meta.id}`, `${cells.length} cells x ${trials} trials`);
  const total = cells.reduce((a, c) => a + c.trials, 0);
  const pass = cells.reduce((a, c) => a + c.passes, 0);
  const s = summarizeBernoulli(total, pass);
  const plots: Plot[] = [];
  if (axes.length === 2) {
    const [a, b] = axes;
    plots.push({
      id: 'pass-rate-surface',
      title: `pass rate against ${a.name}, one line per ${b.name} (dashed: predicted)`,
      xLabel: a.name,
      yLabel: 'pass rate',
      xScale: 'linear',
      yScale: 'linear',
      series: b.values.flatMap((bv) => {
        const row = cells.filter((c) => c.params[b.name] === bv);
        return [
          { name: `${b.name}=${bv}`, mark: 'line' as const, points: row.map((c) => [Number(c.params[a.name]), c.passRate] as [number, number]) },
          { name: `${b.name}=${bv} predicted`, mark: 'dashed' as const, points: row.map((c) => [Number(c.params[a.name]), c.predicted] as [number, number]) },
        ];
      }),
    });
  }
  const verdict = cells.every((c) => c.agrees) ? 'accept' : 'reject';
  const finished = new Date();
  return {
    schemaVersion: 1,
    kind: 'sweep',
    flowcheckVersion: VERSION,
    run: {
      seed: plan.seed,
      budget: 'custom',
      claims: [claim.meta.id],
      alpha: FAMILY_ALPHA,
      beta: FAMILY_BETA,
      multipleTesting: 'holm',
      shard: null,
      command: shellCommand(['npx', 'flowcheck', 'sweep', '--claim', claim.meta.id, ...plan.vary.flatMap((v) => ['--vary', v]), '--trials', String(trials), '--seed', String(plan.seed)]),
    },
    claims: [
      {
        ...claimHeader(claim, claimSeed),
        regime: `sweep over ${axes.map((a) => `${a.name} in {${a.values.join(', ')}}`).join(' x ')}; other parameters from the claim's regime`,
        verdict,
        asExpected: verdict === 'accept',
        trials: total,
        passes: pass,
        passRate: s.passRate,
        interval: s.interval,
        sequential: null,
        pValue: Math.min(...cells.map((c) => c.pValue)),
        adjustedPValue: Math.min(...cells.map((c) => c.adjustedPValue)),
        cells,
        metrics: {},
        tables: [],
        plots,
        failures: [],
        counterexamples: [],
        edge: null,
        error: null,
        ...emptyResultFields(),
      },
    ],
    summary: { accepted: verdict === 'accept' ? 1 : 0, rejected: verdict === 'reject' ? 1 : 0, inconclusive: 0, asExpected: verdict === 'accept', exitCode: 0, mutantsKilled: 0, mutantsTotal: 0, notDiscriminating: [] },
    timing: { startedAt: started.toISOString(), finishedAt: finished.toISOString(), wallSeconds: (finished.getTime() - started.getTime()) / 1000, workers: 1, perClaim: { [claim.meta.id]: (finished.getTime() - started.getTime()) / 1000 } },
  };
}

/** prepareSweep + runSweep (kept for callers of the one-step form). */
export async function sweepCommand(o: { claim: string; vary: string[]; trials: string; seed: number }, err: (s: string) => void): Promise<Report> {
  return runSweep(prepareSweep(o), err);
}
