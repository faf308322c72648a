/**
 * Runs one claim: trials until the claim's sequential test and every trial-scope mutant's test
 * have decided (rate claims), or the per-cell grid is complete (exact-cell claims); the claim's
 * extra measurements (a crash there is a measurement error: the trials' verdict stands); study
 * mutants; and the counterexample hunt at its edge. Mutants are judged on the very same trials
 * by the claim's own test. Returns a raw ClaimResult; finalize.ts decides the verdict.
 */
import fc from 'fast-check';
import type { Budget, Check, Claim, ClaimParams, Mutant, TrialOutcome } from '../claims/claim.ts';
import { mutantScope } from '../claims/claim.ts';
import type { ClaimResult, Cell, CheckSummary, Counterexample, Failure, MutantResult, Plot, Table } from '../report/report.types.ts';
import { createSprt, sprtBoundaries, type Sprt, type SprtOptions } from '../stats/sprt.ts';
import { jsonLlr, decideCells } from './finalize.ts';
import erfc from '@stdlib/math-base-special-erfc';
import { summarizeBernoulli } from '../stats/verdict.ts';
import { binomialTestTwoSided } from '../stats/binomialTest.ts';
import { deriveSeed } from '../core/rng.ts';
import { hashString } from './drawParams.ts';
import type { TrialRunner } from './pool.ts';
import type { TrialRecord } from './trial.ts';
import { saveCounterexample } from './counterexample.ts';

export interface RunClaimOptions {
  runSeed: number;
  budget: Budget;
  /** Per-claim error rates (already split across the run's claims). */
  alpha: number;
  beta: number;
  runner: TrialRunner;
  /** Where to save counterexamples (null: do not save). */
  counterexampleDir: string | null;
  /** Repository-relative prefix used in the report for saved files. */
  onProgress?(done: number, total: number): void;
  /** Skip the edge hunt (used by shards that only count). */
  skipEdge?: boolean;
}

/** How many failing trials a report lists. */
const MAX_LISTED_FAILURES = 5;

/** Two-sided normal tail 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2). */
export function normalTwoSided(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/**
 * Pooled two-sided test that the total number of passes over all cells matches the sum of the
 * cells' predictions (normal approximation to the Poisson-binomial total, with variance
 * sum n_c P_c (1 - P_c)); far more powerful than the per-cell tests against a systematic
 * deviation of the simulated rates from the formula. 1 when every prediction is 0 or 1 and met.
 */
export function pooledPValue(cells: { trials: number; passes: number; predicted: number }[]): number {
  let expected = 0;
  let variance = 0;
  let observed = 0;
  for (const c of cells) {
    expected += c.trials * c.predicted;
    variance += c.trials * c.predicted * (1 - c.predicted);
    observed += c.passes;
  }
  if (variance === 0) return observed === expected ? 1 : 0;
  const z = Math.abs(observed - expected) / Math.sqrt(variance);
  return Math.min(1, normalTwoSided(z));
}

/**
 * Pass rate against the grid parameter with the most values, one group per combination of the
 * others: measured rates (points), their 95% Clopper-Pearson band, and the predicted curve.
 */
export function cellRatePlot(cells: Cell[]): Plot | null {
  const keys = Object.keys(cells[0].params);
  const distinct = (k: string): number => new Set(cells.map((c) => String(c.params[k]))).size;
  const varying = keys.filter((k) => distinct(k) > 1);
  if (varying.length === 0) return null;
  const x = varying.reduce((a, b) => (distinct(b) > distinct(a) ? b : a));
  const others = varying.filter((k) => k !== x);
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const g = others.map((k) => `${k}=${String(c.params[k])}`).join(', ') || 'all';
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  const series: Plot['series'] = [];
  const bands: NonNullable<Plot['bands']> = [];
  for (const [g, cs] of groups) {
    const sorted = [...cs].sort((a, b) => Number(a.params[x]) - Number(b.params[x]));
    series.push({ name: `${g} measured`, mark: 'point', points: sorted.map((c) => [Number(c.params[x]), c.passRate]) });
    series.push({ name: `${g} predicted`, mark: 'dashed', points: sorted.map((c) => [Number(c.params[x]), c.predicted]) });
    bands.push({ name: `${g} 95% CI`, points: sorted.map((c) => [Number(c.params[x]), c.interval.lower, c.interval.upper]) });
  }
  return {
    id: `pass-rate-vs-${x}`,
    title: `pass rate against ${x}: measured (points, 95% Clopper-Pearson band) and predicted (dashed)`,
    xLabel: x,
    yLabel: 'pass rate',
    xScale: 'linear',
    yScale: 'linear',
    series,
    bands,
  };
}

export function claimSeedOf(runSeed: number, id: string): number {
  return deriveSeed(runSeed, hashString(id));
}

/** The descriptive fields of a claim's result (everything that does not depend on trials). */
export function claimHeader(claim: Claim, claimSeed: number) {
  return {
    id: claim.meta.id,
    title: claim.meta.title,
    paper: claim.meta.paper,
    theorem: claim.meta.theorem,
    arxiv: claim.meta.arxiv,
    statement: claim.meta.statement,
    regime: claim.meta.regime,
    departures: claim.meta.departures,
    claimedProbability: claim.claimed.kind === 'rate' ? claim.claimed.p0 : null,
    claimedProbabilityText: claim.claimed.text,
    expectedVerdict: 'accept' as const,
    seed: claimSeed,
    prediction: claim.prediction ? { name: claim.prediction.name, statement: claim.prediction.statement } : { name: claim.claimed.kind === 'exact-cells' ? 'cell probability' : 'legacy trial', statement: claim.claimed.text },
    criterion: claim.criterion ? { name: claim.criterion.name, statement: claim.criterion.statement } : { name: 'legacy trial', statement: 'observation and judgement in one function (not yet written as prediction + criterion)' },
    tolerances: claim.criterion?.tolerances ?? [],
  };
}

/** Empty trial-dependent fields, for results that ran no trials (crashes, sweeps' headers). */
export function emptyResultFields() {
  return {
    checks: [] as CheckSummary[],
    regressionFailures: 0,
    mutants: [] as MutantResult[],
    mutationScore: null,
    discriminating: false,
    measurementErrors: [] as string[],
  };
}

function failureOf(r: TrialRecord): Failure {
  return { trial: r.index, seed: r.seed, observation: { ...r.params, ...r.outcome.observation } };
}

/** Tally of the checks over trials (name -> counts), first failure kept as detail. */
class CheckTally {
  private readonly rows = new Map<string, CheckSummary>();
  add(checks: Check[], scope: 'trial' | 'study', where: string): void {
    for (const c of checks) {
      let row = this.rows.get(`${scope}:${c.name}`);
      if (row === undefined) {
        row = { name: c.name, kind: c.kind, scope, evaluated: 0, failed: 0, detail: '' };
        this.rows.set(`${scope}:${c.name}`, row);
      }
      row.evaluated++;
      if (!c.pass) {
        row.failed++;
        if (row.failed === 1) row.detail = `first failure ${where}: ${c.detail}`;
      } else if (row.detail === '') row.detail = c.detail;
    }
  }
  all(): CheckSummary[] {
    return [...this.rows.values()];
  }
}

function sprtText(o: SprtOptions): string {
  return `SPRT H0 p >= ${o.p0} vs H1 p <= ${o.p1}, alpha ${o.alpha.toPrecision(3)}, beta ${o.beta.toPrecision(3)}, at most ${o.maxTrials} trials`;
}

interface MutantStream {
  mu: Mutant;
  sprt: Sprt;
  firstFail: TrialRecord | null;
  /** Trials seen when the SPRT decided (or so far). */
  done: boolean;
}

function whyOf(r: TrialRecord): string {
  const w = r.outcome.observation.why;
  return typeof w === 'string' ? w : 'failed';
}

export async function runClaim(claim: Claim, opts: RunClaimOptions): Promise<ClaimResult> {
  const claimSeed = claimSeedOf(opts.runSeed, claim.meta.id);
  const spec = claim.budgets[opts.budget];
  const base = claimHeader(claim, claimSeed);
  const failures: Failure[] = [];
  const counterexamples: Counterexample[] = [];
  const errors: string[] = [];
  const measurementErrors: string[] = [];
  const tally = new CheckTally();
  let regressionFailures = 0;
  let firstRegimeFailure: TrialRecord | null = null;
  const mutants = claim.mutants ?? [];
  const trialMutants = mutants.filter((mu) => mutantScope(mu) === 'trial');
  const mutantResults: MutantResult[] = [];

  const take = (r: TrialRecord, countsForClaim: boolean): void => {
    const err = r.outcome.observation.error;
    if (typeof err === 'string') errors.push(err);
    const checks = r.outcome.checks ?? [];
    tally.add(checks, 'trial', `trial ${r.index} (seed ${r.seed})`);
    regressionFailures += checks.filter((c) => c.kind === 'regression' && !c.pass).length;
    if (!r.outcome.pass && countsForClaim) {
      if (failures.length < MAX_LISTED_FAILURES) failures.push(failureOf(r));
      if (firstRegimeFailure === null && r.outcome.instance !== undefined) firstRegimeFailure = r;
    }
  };

  let result: Omit<ClaimResult, 'metrics' | 'tables' | 'plots' | 'edge' | 'counterexamples' | 'failures' | 'error' | 'asExpected' | 'checks' | 'regressionFailures' | 'mutants' | 'mutationScore' | 'discriminating' | 'measurementErrors'>;
  if (claim.claimed.kind === 'rate') {
    const p0 = claim.claimed.p0;
    const p1 = spec.p1 ?? Math.max(0, p0 - 0.1);
    const sprtOpts = { p0, p1, alpha: opts.alpha, beta: opts.beta, maxTrials: spec.maxTrials };
    const sprt = createSprt(sprtOpts);
    const streams: MutantStream[] = trialMutants.map((mu) => ({ mu, sprt: createSprt(sprtOpts), firstFail: null, done: false }));
    const batch = Math.max(4, opts.runner.size * 4);
    let next = 0;
    let lateFailure: TrialRecord | null = null;
    const undecided = (): boolean => sprt.state().decision === 'continue' || streams.some((s) => !s.done);
    while (undecided() && next < spec.maxTrials) {
      const indices: number[] = [];
      for (let k = 0; k < batch && next < spec.maxTrials; k++) indices.push(next++);
      const records = await opts.runner.run(claim.meta.id, claimSeed, indices);
      for (const r of records) {
        if (!undecided()) break;
        const claimOpen = sprt.state().decision === 'continue';
        take(r, claimOpen || p0 === 1);
        if (claimOpen) sprt.update(r.outcome.pass);
        else if (p0 === 1 && !r.outcome.pass && lateFailure === null) lateFailure = r;
        for (const s of streams) {
          if (s.done) continue;
          const pass = r.outcome.mutants?.[s.mu.id] ?? r.outcome.pass;
          if (!pass && s.firstFail === null) s.firstFail = r;
          s.done = s.sprt.update(pass) !== 'continue';
        }
      }
      opts.onProgress?.(Math.min(next, spec.maxTrials), spec.maxTrials);
    }
    const st = sprt.state();
    const b = sprtBoundaries(sprtOpts);
    const sum = summarizeBernoulli(Math.max(1, st.trials), st.passes);
    let verdict: ClaimResult['verdict'] = st.decision === 'accept' ? 'accept' : st.decision === 'reject' ? 'reject' : 'inconclusive';
    if (lateFailure !== null) verdict = 'reject';
    result = {
      ...base,
      claimedProbability: p0,
      verdict,
      trials: st.trials,
      passes: st.passes,
      passRate: sum.passRate,
      interval: sum.interval,
      sequential: { test: 'sprt', p0, p1, alpha: opts.alpha, beta: opts.beta, llr: jsonLlr(st.llr), lowerBound: b.lowerBound, upperBound: b.upperBound, maxTrials: spec.maxTrials },
      pValue: null,
      adjustedPValue: null,
      cells: [],
    };
    for (const s of streams) {
      const ms = s.sprt.state();
      const killed = ms.decision === 'reject';
      const f = s.firstFail;
      const evidence = killed
        ? `rejected after ${ms.trials} trials (${ms.trials - ms.passes} failing); first failing trial ${f?.index} seed ${f?.seed}: ${f ? whyOf(f) : ''}`
        : `survived: ${ms.decision} after ${ms.trials} trials (${ms.trials - ms.passes} failing)`;
      mutantResults.push({ id: s.mu.id, statement: s.mu.statement, rationale: s.mu.rationale, scope: 'trial', killed, test: sprtText(sprtOpts), trials: ms.trials, passes: ms.passes, evidence });
    }
  } else {
    const cl = claim.claimed;
    const perCell = spec.trialsPerCell ?? 50;
    const total = cl.cells.length * perCell;
    const counts = cl.cells.map(() => ({ trials: 0, passes: 0 }));
    const mutantCounts = new Map<string, { trials: number; passes: number }[]>(trialMutants.map((mu) => [mu.id, cl.cells.map(() => ({ trials: 0, passes: 0 }))]));
    const batch = Math.max(16, opts.runner.size * 16);
    for (let start = 0; start < total; start += batch) {
      const indices: number[] = [];
      for (let i = start; i < Math.min(total, start + batch); i++) indices.push(i);
      const records = await opts.runner.run(claim.meta.id, claimSeed, indices);
      for (const r of records) {
        take(r, false);
        const k = r.index % cl.cells.length;
        counts[k].trials++;
        if (r.outcome.pass) counts[k].passes++;
        for (const mu of trialMutants) {
          const c = (mutantCounts.get(mu.id) as { trials: number; passes: number }[])[k];
          c.trials++;
          if (r.outcome.mutants?.[mu.id] ?? r.outcome.pass) c.passes++;
        }
      }
      opts.onProgress?.(Math.min(total, start + batch), total);
    }
    const cellsFor = (cnt: { trials: number; passes: number }[], predicted: (c: ClaimParams) => number): Cell[] =>
      cl.cells.map((cell, k) => {
        const { trials, passes } = cnt[k];
        const pr = predicted(cell);
        const s = summarizeBernoulli(Math.max(1, trials), passes);
        const p = binomialTestTwoSided(passes, trials, pr);
        return { params: cell, trials, passes, passRate: s.passRate, interval: s.interval, predicted: pr, pValue: p, adjustedPValue: p, agrees: true };
      });
    const cells = cellsFor(counts, (c) => cl.predicted(c));
    const trials = counts.reduce((a, c) => a + c.trials, 0);
    const passes = counts.reduce((a, c) => a + c.passes, 0);
    const s = summarizeBernoulli(Math.max(1, trials), passes);
    result = {
      ...base,
      claimedProbability: null,
      verdict: 'accept',
      trials,
      passes,
      passRate: s.passRate,
      interval: s.interval,
      sequential: null,
      pValue: pooledPValue(cells),
      adjustedPValue: null,
      cells,
    };
    const test = `exact two-sided binomial per cell + pooled normal test, Holm within the claim at alpha ${opts.alpha.toPrecision(3)}`;
    for (const mu of mutants) {
      const scope = mutantScope(mu);
      if (scope === 'study') continue;
      const cnt = scope === 'trial' ? (mutantCounts.get(mu.id) as { trials: number; passes: number }[]) : counts;
      const pred = scope === 'cells' ? (c: ClaimParams) => (mu.cellPredicted as (c: ClaimParams) => number)(c) : (c: ClaimParams) => cl.predicted(c);
      const mc = cellsFor(cnt, pred);
      const pooled = pooledPValue(mc);
      const { agrees, adjustedPooled } = decideCells(mc, pooled, opts.alpha);
      const worst = mc.reduce((a, c) => (c.adjustedPValue < a.adjustedPValue ? c : a));
      const mp = mc.reduce((a, c) => a + c.passes, 0);
      const mt = mc.reduce((a, c) => a + c.trials, 0);
      mutantResults.push({
        id: mu.id,
        statement: mu.statement,
        rationale: mu.rationale,
        scope,
        killed: !agrees,
        test,
        trials: mt,
        passes: mp,
        evidence: `pooled adjusted p = ${adjustedPooled?.toPrecision(3)}; smallest cell adjusted p = ${worst.adjustedPValue.toPrecision(3)} at ${JSON.stringify(worst.params)} (${worst.passes}/${worst.trials} against predicted ${worst.predicted.toFixed(4)}); ${mc.filter((c) => !c.agrees).length} of ${mc.length} cells disagree`,
      });
    }
  }

  // Extra measurements and checks: a crash here is an error of the measurement, reported with
  // the seed that reproduces it; the trials' verdict stands.
  let extras: ReturnType<NonNullable<Claim['extras']>> = {};
  let extrasFailed = false;
  try {
    extras = claim.extras?.({ seed: claimSeed, budget: opts.budget }) ?? {};
  } catch (e) {
    extrasFailed = true;
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    measurementErrors.push(`extras of ${claim.meta.id} (claim seed ${claimSeed}, budget ${opts.budget}) threw: ${msg}`);
  }
  const cellPlot = result.cells.length > 0 ? cellRatePlot(result.cells) : null;
  if (cellPlot !== null) extras.plots = [cellPlot, ...(extras.plots ?? [])];
  const tables: Table[] = [...(extras.tables ?? [])];
  const studyChecks: Check[] = (extras.checks ?? []).map((c) => ({ ...c, kind: c.kind ?? 'evidence' }));
  tally.add(studyChecks, 'study', `(claim seed ${claimSeed})`);
  regressionFailures += studyChecks.filter((c) => c.kind === 'regression' && !c.pass).length;
  if (studyChecks.length > 0) {
    tables.unshift({ title: 'Checks', columns: ['check', 'kind', 'pass', 'detail'], rows: studyChecks.map((c) => [c.name, c.kind, c.pass, c.detail]) });
  }
  for (const mu of mutants) {
    if (mutantScope(mu) !== 'study') continue;
    let killed = false;
    let evidence: string;
    if (extrasFailed) evidence = 'survived: the extra measurements it reads failed (see measurementErrors)';
    else {
      try {
        const r = (mu.study as NonNullable<Mutant['study']>)(extras);
        killed = !r.holds;
        evidence = `${killed ? 'rejected' : 'survived'}: ${r.detail}`;
      } catch (e) {
        evidence = `survived: the mutant's study threw ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    mutantResults.push({ id: mu.id, statement: mu.statement, rationale: mu.rationale, scope: 'study', killed, test: `deterministic check on the claim's extra measurements (claim seed ${claimSeed})`, trials: 0, passes: 0, evidence });
  }

  // A failure inside the regime is a finding: save it as a counterexample too.
  const regimeFailure = firstRegimeFailure as TrialRecord | null;
  if (regimeFailure !== null && opts.counterexampleDir !== null) {
    counterexamples.push(
      await saveCounterexample(opts.counterexampleDir, {
        claim: claim.meta.id,
        kind: 'regime',
        name: `regime-trial-${regimeFailure.index}`,
        claimSeed,
        trialSeed: regimeFailure.seed,
        fcSeed: null,
        fcPath: null,
        params: regimeFailure.params,
        outcome: regimeFailure.outcome,
        statement: claim.meta.statement,
      }),
    );
  }

  // Counterexample hunt at the edge of the hypotheses.
  let edge: ClaimResult['edge'] = null;
  if (claim.edge && !opts.skipEdge) {
    const e = claim.edge;
    const fcSeed = deriveSeed(claimSeed, 0x65646765);
    const details = fc.check(
      fc.property(e.arbitrary, (p: ClaimParams) => e.run(p as never, Number(p.seed ?? 0)).pass),
      { seed: fcSeed, numRuns: spec.edgeRuns, endOnFailure: false },
    );
    const found = details.failed && details.counterexample !== null;
    let shrunk: ClaimParams | null = null;
    if (found) {
      shrunk = JSON.parse(JSON.stringify(details.counterexample[0])) as ClaimParams;
      const outcome = e.run(shrunk as never, Number(shrunk.seed ?? 0));
      const expectation = e.expect ? e.expect(shrunk as never, outcome) : null;
      if (opts.counterexampleDir !== null) {
        counterexamples.push(
          await saveCounterexample(opts.counterexampleDir, {
            claim: claim.meta.id,
            kind: 'edge',
            name: e.name(shrunk as never),
            claimSeed,
            trialSeed: Number(shrunk.seed ?? 0),
            fcSeed,
            fcPath: details.counterexamplePath,
            params: shrunk,
            outcome,
            statement: claim.meta.statement,
          }),
        );
      }
      shrunk = { ...shrunk, observation: outcome.observation, expectation: expectation ?? 'as expected' };
    }
    edge = { description: e.description, runs: details.numRuns, found, shrunk };
  }

  const error = errors.length > 0 ? `${errors.length} trial(s) threw; first: ${errors[0]}` : null;
  return {
    ...result,
    asExpected: false,
    metrics: extras.metrics ?? {},
    tables,
    plots: extras.plots ?? [],
    failures,
    counterexamples,
    edge,
    error,
    checks: tally.all(),
    regressionFailures,
    mutants: mutantResults,
    mutationScore: null,
    discriminating: false,
    measurementErrors,
  };
}
