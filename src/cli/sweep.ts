/**
 * `flowcheck sweep --claim ID --vary m=1..32 [--vary n=8,16,32] [--trials N]`: the pass rate of
 * a claim's trial over a parameter grid, with exact intervals and, where the claim predicts a
 * probability (exact-cell claims) or claims a rate, that prediction per cell.
 *
 * A varied name overrides the regime parameter of the same name; `n` is accepted for claims
 * parametrised by nPos/nNeg and sets nPos = ceil(n/2), nNeg = floor(n/2).
 */
import type { ClaimParams } from '../claims/claim.ts';
import type { Cell, Plot, Report } from '../report/report.types.ts';
import { getClaim } from '../claims/registry.ts';
import { drawParams } from '../runner/drawParams.ts';
import { claimSeedOf, claimHeader, emptyResultFields } from '../runner/runClaim.ts';
import { judgeTrial } from '../claims/claim.ts';
import { deriveSeed } from '../core/rng.ts';
import { InputError } from '../core/errors.ts';
import { summarizeBernoulli } from '../stats/verdict.ts';
import { binomialTestTwoSided } from '../stats/binomialTest.ts';
import { holm } from '../stats/holm.ts';
import { VERSION, FAMILY_ALPHA, FAMILY_BETA } from '../runner/verify.ts';
import { createProgress } from './progress.ts';

/** Parses `name=a..b` (integers), `name=a..b:step` or `name=v1,v2,...`. */
export function parseVary(spec: string): { name: string; values: number[] } {
  const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(spec);
  if (!m) throw new InputError('flowcheck sweep', '--vary', spec, 'name=a..b or name=v1,v2,...');
  const [, name, rhs] = m;
  const range = /^(-?\d+)\.\.(-?\d+)(?::(\d+))?$/.exec(rhs);
  let values: number[];
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    const step = range[3] ? Number(range[3]) : 1;
    if (hi < lo || step < 1) throw new InputError('flowcheck sweep', `--vary ${name}`, rhs, 'a..b with a <= b and step >= 1');
    values = [];
    for (let v = lo; v <= hi; v += step) values.push(v);
  } else {
    values = rhs.split(',').map((s) => Number(s));
    if (values.some((v) => !Number.isFinite(v))) throw new InputError('flowcheck sweep', `--vary ${name}`, rhs, 'comma-separated numbers');
  }
  if (values.length > 200) throw new InputError('flowcheck sweep', `--vary ${name}`, rhs, 'at most 200 values');
  return { name, values };
}

function applyOverride(params: ClaimParams, name: string, value: number): void {
  if (name === 'n' && 'nPos' in params && !('n' in params)) {
    params.nPos = Math.ceil(value / 2);
    params.nNeg = Math.floor(value / 2);
    return;
  }
  if (!(name in params)) throw new InputError('flowcheck sweep', '--vary', name, `a parameter of the claim (${Object.keys(params).join(', ')})`);
  params[name] = value;
}

export async function sweepCommand(o: { claim: string; vary: string[]; trials: string; seed: number }, err: (s: string) => void): Promise<Report> {
  const claim = getClaim(o.claim);
  const trials = Number(o.trials);
  if (!Number.isInteger(trials) || trials < 1) throw new InputError('flowcheck sweep', '--trials', o.trials, 'an integer >= 1');
  if (o.vary.length === 0) throw new InputError('flowcheck sweep', '--vary', undefined, 'at least one name=values');
  const axes = o.vary.map(parseVary);
  let grid: Record<string, number>[] = [{}];
  for (const ax of axes) grid = grid.flatMap((g) => ax.values.map((v) => ({ ...g, [ax.name]: v })));
  const started = new Date();
  const claimSeed = claimSeedOf(o.seed, claim.meta.id);
  const progress = createProgress(err);
  progress.start(`sweep ${claim.meta.id}`);
  const cells: Cell[] = [];
  let done = 0;
  for (const [c, cell] of grid.entries()) {
    let passes = 0;
    let sample: ClaimParams = {};
    for (let t = 0; t < trials; t++) {
      const seed = deriveSeed(claimSeed, c, t);
      const params = drawParams(claim.regime, seed);
      if (claim.claimed.kind === 'exact-cells') Object.assign(params, claim.claimed.cells[0]);
      for (const [k, v] of Object.entries(cell)) applyOverride(params, k, v);
      sample = params;
      if (judgeTrial(claim, params as never, seed).pass) passes++;
      progress.update(`sweep ${claim.meta.id}`, ++done, grid.length * trials);
    }
    const predicted = claim.claimed.kind === 'exact-cells' ? claim.claimed.predicted(sample) : claim.claimed.p0;
    const s = summarizeBernoulli(trials, passes);
    const p = binomialTestTwoSided(passes, trials, predicted);
    cells.push({ params: { ...cell }, trials, passes, passRate: s.passRate, interval: s.interval, predicted, pValue: p, adjustedPValue: p, agrees: true });
  }
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
      seed: o.seed,
      budget: 'custom',
      claims: [claim.meta.id],
      alpha: FAMILY_ALPHA,
      beta: FAMILY_BETA,
      multipleTesting: 'holm',
      shard: null,
      command: `npx flowcheck sweep --claim ${claim.meta.id} ${o.vary.map((v) => `--vary ${v}`).join(' ')} --trials ${trials} --seed ${o.seed}`,
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
