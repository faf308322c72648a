/**
 * What a claim is: a paper statement encoded as a regime (an arbitrary over instance
 * parameters), a trial (parameters + seed -> observation -> pass/fail), the probability with
 * which the paper says it passes there, and an edge where counterexamples are expected.
 *
 * Parameters drawn from a regime must be plain JSON (integers, strings, booleans, arrays of
 * them): they travel to worker threads and into counterexample fixtures. Continuous randomness
 * (data, init) is drawn inside the trial from `new Rng(seed)`, never from fast-check, so that
 * trial distributions are exactly the documented ones (fast-check's doubles are not uniform).
 */
import type fc from 'fast-check';
import type { Plot } from '../report/report.types.ts';
import type { Instance } from '../core/instance.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type ClaimParams = { [k: string]: Json };

export interface ClaimMeta {
  id: string;
  title: string;
  /** Paper key of ../shared/papers.md, e.g. 'DBP25'. */
  paper: string;
  /** Theorem / section as printed in the paper, or 'derived' for exact algebra stated in papers.md. */
  theorem: string;
  arxiv: string;
  /** The statement encoded, in one or two lines. */
  statement: string;
  /** The regime in words (what the arbitrary draws). */
  regime: string;
  /** How each hypothesis of the theorem maps to code. */
  hypotheses: string[];
  /** Where the finite simulation departs from the theorem. */
  departures: string[];
}

/** An observation: flat JSON numbers/strings/booleans (non-finite numbers as strings). */
export type Observation = { [k: string]: Json };

/**
 * Evidence can fail if the theorem is false and the code is right; it alone decides verdicts.
 * Regression checks hold by construction (conservation laws, invariances, identities such as
 * Q >= Q*): a failure is a bug in flowcheck, reported apart, never a finding about the theorem.
 */
export type CheckKind = 'evidence' | 'regression';

export interface Check {
  name: string;
  kind: CheckKind;
  pass: boolean;
  detail: string;
}

/** Where a tolerance comes from (see the report schema's Tolerance). */
export interface Tolerance {
  name: string;
  value: number;
  source: 'paper' | 'derivation' | 'calibration' | 'convention';
  /** The derivation, the paper's words, or the calibration seed set and values measured there. */
  detail: string;
}

export interface TrialOutcome {
  /** Every evidence check passed. */
  pass: boolean;
  observation: Observation;
  /** The checks of the claim's criterion (evidence and regression), when the claim has one. */
  checks?: Check[];
  /** Pass (the mutant's statement holds on this trial) per trial-scope mutant id. */
  mutants?: Record<string, boolean>;
  /** Grid cell key for claims with exact per-cell predictions. */
  cell?: string;
  /** The explicit instance simulated, when the trial is a single trajectory (for counterexamples). */
  instance?: Instance;
}

/** What a simulation produced for one (params, seed): the numbers, no judgement. */
export interface Observed<O extends Observation = Observation> {
  observation: O;
  cell?: string;
  instance?: Instance;
}

/**
 * A prediction: the theorem's quantitative statement for one instance (numbers, bounds,
 * probabilities), a named function of the theory module. It may read the parts of the
 * observation fixed before training (the init's coverage, the data), never the trained state.
 */
export interface Prediction<P extends ClaimParams, O extends Observation, R> {
  name: string;
  statement: string;
  predict(params: P, obs: O): R;
}

/** Observation vs prediction -> checks; the trial passes when every evidence check passes. */
export interface Criterion<P extends ClaimParams, O extends Observation, R> {
  name: string;
  statement: string;
  tolerances: Tolerance[];
  judge(obs: O, pred: R, params: P): Check[];
}

/**
 * A planted false variant of the claim's statement: the most plausible wrong version a referee
 * would name. It replaces the prediction and/or the criterion (scope 'trial', judged by the
 * claim's own sequential test on the same trials), the per-cell probability of an exact-cell
 * claim (scope 'cells', judged by the claim's own cell and pooled tests on the same counts), or
 * states something about the claim's extra measurements (scope 'study', deterministic given the
 * seed). A mutant must be killed (rejected) for the claim to count as discriminating.
 */
export interface Mutant<P extends ClaimParams = ClaimParams, O extends Observation = Observation, R = unknown> {
  id: string;
  statement: string;
  rationale: string;
  prediction?: Prediction<P, O, R>;
  criterion?: Criterion<P, O, R>;
  /** Exact-cell claims: the mutant's predicted success probability of a cell. */
  cellPredicted?(cell: ClaimParams): number;
  /** Study mutants: does the mutant's statement hold on the claim's extra measurements? */
  study?(extras: ClaimExtras): { holds: boolean; detail: string };
}

/** A claimed rate tested by Wald's SPRT: H0 p >= p0 against H1 p <= p1. */
export interface RateClaim {
  kind: 'rate';
  /** Probability the paper claims (1 for "always"). */
  p0: number;
  /** Human-readable form, e.g. "1 (always)" or ">= 1 - n (3/4)^m". */
  text: string;
}

/** An exact predicted success probability per grid cell, tested by exact binomial tests. */
export interface ExactCellClaim {
  kind: 'exact-cells';
  text: string;
  /** Grid cells, visited round-robin by trial index. */
  cells: ClaimParams[];
  /** Predicted success probability of a cell. */
  predicted(cell: ClaimParams): number;
  /** Key of a cell (stable string). */
  key(cell: ClaimParams): string;
}

export type Budget = 'ci' | 'full';

export interface BudgetSpec {
  /** Maximum number of trials (sequential tests stop earlier when they decide). */
  maxTrials: number;
  /** SPRT alternative p1 < p0 (indifference region (p1, p0)). */
  p1?: number;
  /** Trials per cell for exact-cell claims. */
  trialsPerCell?: number;
  /** fast-check runs of the counterexample hunt. */
  edgeRuns: number;
}

/** Extra measurements a claim computes once per run (representative trials, sweeps, plots). */
export interface ClaimExtras {
  metrics?: Record<string, number>;
  tables?: { title: string; columns: string[]; rows: (number | string | boolean | null)[][] }[];
  plots?: Plot[];
  /** Checks on these measurements (kind defaults to evidence); evidence checks must hold for acceptance. */
  checks?: (Omit<Check, 'kind'> & { kind?: CheckKind })[];
  /** Raw measurements that study mutants (and checks) read. */
  data?: { [k: string]: Json };
}

export interface EdgeSpec<P extends ClaimParams> {
  description: string;
  /** Parameters at the edge of the hypotheses, shrinking toward the smallest instance. */
  arbitrary: fc.Arbitrary<P>;
  /**
   * Runs the claim's statement on an edge instance; returns the outcome with pass = statement
   * holds. A counterexample is an outcome with pass = false.
   */
  run(params: P, seed: number): TrialOutcome;
  /** Short name for a saved counterexample, from its parameters. */
  name(params: P): string;
  /**
   * What the shrunk counterexample must show (the characteristic the edge is about); returns
   * null when it does, else what is wrong. Asserted by the property tests.
   */
  expect?(shrunk: P, outcome: TrialOutcome): string | null;
}

export interface Claim<P extends ClaimParams = ClaimParams, O extends Observation = Observation, R = unknown> {
  meta: ClaimMeta;
  claimed: RateClaim | ExactCellClaim;
  /** Regime parameters; for exact-cell claims the arbitrary only draws what cells leave free. */
  regime: fc.Arbitrary<P>;
  /** Simulation: the same (params, seed) always gives the same observation. */
  observe?(params: P, seed: number): Observed<O>;
  prediction?: Prediction<P, O, R>;
  criterion?: Criterion<P, O, R>;
  mutants?: Mutant<P, O, R>[];
  /**
   * Legacy form (observation and judgement in one function), for claims not yet written as
   * observe/prediction/criterion; such claims cannot declare trial mutants.
   */
  trial?(params: P, seed: number): TrialOutcome;
  budgets: Record<Budget, BudgetSpec>;
  edge?: EdgeSpec<P>;
  extras?(ctx: { seed: number; budget: Budget }): ClaimExtras;
  /**
   * Values `flowcheck sweep --vary` may give each parameter, where they differ from the regime's
   * draws (default: the regime's range, up to 16x its largest value). A sweep outside the regime
   * measures the protocol there (e.g. the authors' threshold experiments), not the claim.
   */
  sweepDomain?: Record<string, { min: number; max: number; ints?: boolean }>;
}

/** Every evidence check passed. */
export function evidencePasses(checks: Check[]): boolean {
  return checks.every((c) => c.kind !== 'evidence' || c.pass);
}

/**
 * One trial of a claim: observe, predict, judge, and judge every trial-scope mutant on the same
 * observation (no new simulation when only the prediction or the criterion changes).
 */
export function judgeTrial<P extends ClaimParams, O extends Observation, R>(claim: Claim<P, O, R>, params: P, seed: number): TrialOutcome {
  if (claim.observe === undefined) {
    if (claim.trial === undefined) throw new Error(`claim ${claim.meta.id}: needs observe + prediction + criterion (or a legacy trial)`);
    return claim.trial(params, seed);
  }
  if (claim.prediction === undefined || claim.criterion === undefined) throw new Error(`claim ${claim.meta.id}: observe needs a prediction and a criterion`);
  const obs = claim.observe(params, seed);
  const checks = claim.criterion.judge(obs.observation, claim.prediction.predict(params, obs.observation), params);
  const mutants: Record<string, boolean> = {};
  for (const mu of claim.mutants ?? []) {
    if (mu.prediction === undefined && mu.criterion === undefined) continue;
    const pr = mu.prediction ?? claim.prediction;
    const cr = mu.criterion ?? claim.criterion;
    mutants[mu.id] = evidencePasses(cr.judge(obs.observation, pr.predict(params, obs.observation), params));
  }
  return { pass: evidencePasses(checks), observation: obs.observation, checks, mutants, cell: obs.cell, instance: obs.instance };
}

/** The scope of a mutant: what it replaces decides how it is judged. */
export function mutantScope(mu: Mutant): 'trial' | 'cells' | 'study' {
  if (mu.prediction !== undefined || mu.criterion !== undefined) return 'trial';
  if (mu.cellPredicted !== undefined) return 'cells';
  if (mu.study !== undefined) return 'study';
  throw new Error(`mutant ${mu.id}: declares no prediction, criterion, cellPredicted or study`);
}

/**
 * Declares a claim (the public API's entry point): checks the declaration's shape and returns
 * it unchanged, typed. Throws with the field named when something required is missing.
 */
export function defineClaim<P extends ClaimParams, O extends Observation, R>(claim: Claim<P, O, R>): Claim<P, O, R> {
  const where = `defineClaim(${claim?.meta?.id ?? '?'})`;
  if (typeof claim?.meta?.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(claim.meta.id)) throw new Error(`${where}: meta.id must be a kebab-case string`);
  if (claim.observe === undefined && claim.trial === undefined) throw new Error(`${where}: observe (with prediction and criterion) is required`);
  if (claim.observe !== undefined && (claim.prediction === undefined || claim.criterion === undefined)) throw new Error(`${where}: observe needs prediction and criterion`);
  const ids = new Set<string>();
  for (const mu of claim.mutants ?? []) {
    if (ids.has(mu.id)) throw new Error(`${where}: duplicate mutant id ${mu.id}`);
    ids.add(mu.id);
    mutantScope(mu as Mutant);
    if (mu.cellPredicted !== undefined && claim.claimed.kind !== 'exact-cells') throw new Error(`${where}: mutant ${mu.id} has cellPredicted but the claim is not exact-cells`);
  }
  if (!claim.budgets?.ci || !claim.budgets?.full) throw new Error(`${where}: budgets.ci and budgets.full are required`);
  return claim;
}
