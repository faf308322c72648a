/* eslint-disable */
/**
 * DO NOT EDIT. Generated from src/report/report.schema.json by scripts/gen-types.ts
 * (json-schema-to-typescript). Edit the schema, then run `npm run gen:types`.
 */

export type Probability = number;
export type Verdict = 'accept' | 'reject' | 'inconclusive';
export type Count = number;
export type TableValue = number | string | boolean | null;
export type ScaleType = 'linear' | 'log';
/**
 * [x, y]
 *
 * @minItems 2
 */
export type Point = [number, number];
/**
 * [x, lower, upper]
 *
 * @minItems 3
 */
export type BandPoint = [number, number, number];
/**
 * Number of regression-check failures (bugs in flowcheck, not findings).
 */
export type Count1 = number;
/**
 * ISO 8601 date-time, e.g. 2025-01-31T12:00:00.000Z.
 */
export type IsoDateTime = string;

/**
 * A flowcheck run report (report.json), the source of truth the Markdown and HTML pages are rendered from. Formalises notes/REPORT.md.
 */
export interface Report {
  /**
   * Version of this schema.
   */
  schemaVersion: 1;
  /**
   * Which command produced the report.
   */
  kind: 'verify' | 'sweep';
  flowcheckVersion: string;
  run: Run;
  claims: ClaimResult[];
  summary: Summary;
  timing: Timing;
}
/**
 * How the run was configured; everything needed to reproduce it. alpha and beta are the family-wise type I and type II error rates of the run.
 */
export interface Run {
  /**
   * Master seed.
   */
  seed: number;
  budget: 'ci' | 'full' | 'custom';
  /**
   * Ids of the claims run, in run order.
   */
  claims: string[];
  alpha: Probability;
  beta: Probability;
  multipleTesting: 'holm' | 'bonferroni';
  shard: Shard | null;
  /**
   * Command line that reproduces the run.
   */
  command: string;
}
/**
 * Which shard of a sharded run this report covers (1-based index).
 */
export interface Shard {
  index: number;
  total: number;
}
/**
 * The verdict on one paper claim, with the evidence behind it.
 */
export interface ClaimResult {
  id: string;
  title: string;
  /**
   * Paper key, e.g. DBP25.
   */
  paper: string;
  /**
   * Theorem / section in the paper.
   */
  theorem: string;
  /**
   * arXiv identifier, e.g. 2502.16977.
   */
  arxiv: string;
  statement: string;
  /**
   * Human-readable description of the regime the claim is run in.
   */
  regime: string;
  /**
   * How the finite simulation departs from the theorem's hypotheses.
   */
  departures: string[];
  /**
   * Probability the paper claims for a trial to pass; null when given by an exact formula per cell.
   */
  claimedProbability: Probability | null;
  claimedProbabilityText: string;
  /**
   * reject for edge claims run in a regime where the theorem should fail.
   */
  expectedVerdict: 'accept' | 'reject';
  verdict: Verdict;
  asExpected: boolean;
  trials: Count;
  passes: Count;
  passRate: Probability;
  interval: Interval;
  /**
   * Claim seed, derived from the run seed; trial i uses deriveSeed(seed, i).
   */
  seed: number;
  sequential: Sequential | null;
  pValue: Probability | null;
  /**
   * Multiple-testing adjusted p-value (Holm or Bonferroni, see run.multipleTesting).
   */
  adjustedPValue: Probability | null;
  /**
   * Grid cells, empty for single-regime claims.
   */
  cells: Cell[];
  /**
   * Claim-specific scalar measurements.
   */
  metrics: {
    [k: string]: number;
  };
  tables: Table[];
  plots: Plot[];
  /**
   * The first few failing trials.
   */
  failures: Failure[];
  counterexamples: Counterexample[];
  edge: Edge | null;
  /**
   * Message of a claim that crashed (reported, not thrown); null otherwise.
   */
  error: string | null;
  prediction: NamedStatement;
  criterion: NamedStatement1;
  /**
   * Every tolerance the criterion uses, with its source.
   */
  tolerances: Tolerance[];
  /**
   * Every check of the claim, labelled evidence (decides the verdict) or regression (true by construction; a failure is a flowcheck bug).
   */
  checks: CheckSummary[];
  regressionFailures: Count1;
  /**
   * Planted false variants of the statement, each judged by the claim's own test on the same trials.
   */
  mutants: MutantResult[];
  mutationScore: MutationScore | null;
  /**
   * At least three mutants declared and every one killed at this budget.
   */
  discriminating: boolean;
  /**
   * Extra measurements that threw (the trials' verdict stands); each with the seed to reproduce it.
   */
  measurementErrors: string[];
}
/**
 * Confidence interval for a pass probability (Clopper-Pearson).
 */
export interface Interval {
  lower: Probability;
  upper: Probability;
  /**
   * Confidence level, e.g. 0.95.
   */
  level: number;
}
/**
 * State of the sequential test that decided the verdict.
 */
export interface Sequential {
  /**
   * Name of the test, e.g. sprt.
   */
  test: string;
  p0: Probability;
  p1: Probability;
  alpha: Probability;
  beta: Probability;
  /**
   * Log-likelihood ratio when the test stopped; '+Infinity' / '-Infinity' when infinite (a failure under p0 = 1).
   */
  llr: number | ('+Infinity' | '-Infinity');
  lowerBound: number;
  upperBound: number;
  maxTrials: number;
}
/**
 * One point of a parameter grid; predicted is the pass probability the claim predicts for the cell.
 */
export interface Cell {
  /**
   * Parameter values of the cell, e.g. { nPos: 8, nNeg: 8, m: 12 }.
   */
  params: {
    [k: string]: unknown;
  };
  trials: Count;
  passes: Count;
  passRate: Probability;
  interval: Interval;
  predicted: Probability;
  pValue: Probability;
  adjustedPValue: Probability;
  /**
   * Measured rate agrees with the prediction at the run's error rates.
   */
  agrees: boolean;
}
export interface Table {
  title: string;
  columns: string[];
  rows: TableValue[][];
}
export interface Plot {
  /**
   * Unique within its claim.
   */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  xScale: ScaleType;
  yScale: ScaleType;
  series: Series[];
  /**
   * Optional shaded bands.
   */
  bands?: Band[];
}
export interface Series {
  name: string;
  /**
   * step is drawn as a step-after line.
   */
  mark: 'line' | 'step' | 'point' | 'dashed';
  points: Point[];
}
export interface Band {
  name: string;
  points: BandPoint[];
}
export interface Failure {
  trial: number;
  /**
   * Seed of the trial; re-running it with this seed reproduces the failure.
   */
  seed: number;
  /**
   * Claim-specific measurements of the failing trial.
   */
  observation: {
    [k: string]: unknown;
  };
}
export interface Counterexample {
  name: string;
  /**
   * Path of the saved counterexample, relative to the repository root.
   */
  file: string;
  summary: string;
  /**
   * Command that re-runs the counterexample exactly.
   */
  replay: string;
}
/**
 * Search for a counterexample outside the theorem's regime.
 */
export interface Edge {
  description: string;
  runs: Count;
  found: boolean;
  /**
   * The shrunk counterexample; null when none was found.
   */
  shrunk: {
    [k: string]: unknown;
  } | null;
}
/**
 * The theorem's quantitative statement the trials are compared with (a named, replaceable function of src/theory).
 */
export interface NamedStatement {
  name: string;
  statement: string;
}
/**
 * How an observation is judged against the prediction.
 */
export interface NamedStatement1 {
  name: string;
  statement: string;
}
export interface Tolerance {
  name: string;
  value: number;
  /**
   * paper: stated by the paper; derivation: derived in the claim file; calibration: measured on a named calibration seed set disjoint from verification seeds; convention: a choice that does not judge trials (e.g. a horizon).
   */
  source: 'paper' | 'derivation' | 'calibration' | 'convention';
  detail: string;
}
export interface CheckSummary {
  name: string;
  kind: 'evidence' | 'regression';
  /**
   * trial: evaluated on every trial; study: once per run on the claim's extra measurements.
   */
  scope: 'trial' | 'study';
  evaluated: Count;
  failed: Count;
  detail: string;
}
export interface MutantResult {
  id: string;
  /**
   * The false statement planted.
   */
  statement: string;
  /**
   * Why a referee would name it.
   */
  rationale: string;
  scope: 'trial' | 'cells' | 'study';
  /**
   * The claim's own test rejects the mutant's statement.
   */
  killed: boolean;
  /**
   * The test that judged it, e.g. 'sprt p0=1 p1=0.9 alpha=0.0063'.
   */
  test: string;
  trials: Count;
  passes: Count;
  /**
   * What killed it (first failing trial with seed, p-value, failed check) or why it survived.
   */
  evidence: string;
}
export interface MutationScore {
  killed: Count;
  total: Count;
}
export interface Summary {
  accepted: Count;
  rejected: Count;
  inconclusive: Count;
  /**
   * Every claim's verdict is its expected verdict.
   */
  asExpected: boolean;
  /**
   * 0 every verdict as expected and every claim discriminating, 1 otherwise (a claim rejected in its regime, inconclusive, or not discriminating), 2 bad input.
   */
  exitCode: number;
  mutantsKilled: Count;
  mutantsTotal: Count;
  /**
   * Ids of claims with a surviving mutant or fewer than three mutants.
   */
  notDiscriminating: string[];
}
/**
 * All timing-dependent fields live here and only here, so the rest of the report is reproducible from the seed.
 */
export interface Timing {
  startedAt: IsoDateTime;
  finishedAt: IsoDateTime;
  wallSeconds: number;
  workers: number;
  /**
   * Wall seconds per claim id.
   */
  perClaim: {
    [k: string]: number;
  };
}
