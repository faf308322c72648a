/**
 * The one place where verdicts are finalised and reports are assembled (verify, collect, merge
 * and sweep all go through here).
 *
 * Rules, per claim:
 * - Rate claims: the SPRT's decision (accept / reject / inconclusive at the budget). An "always"
 *   claim (p0 = 1) is also rejected by any failing trial drawn after its SPRT accepted (trials
 *   drawn only to decide the mutants): one counterexample refutes "always", and under H0 (p = 1)
 *   no trial fails, so this adds no type I error.
 * - Exact-cell claims: every cell's exact two-sided binomial test and the pooled test, Holm-
 *   adjusted within the claim, at the claim's alpha (the run's alpha split over the K registered
 *   claims, Bonferroni): FWER <= alpha over the run.
 * - A failing evidence check of the claim's study (extras) turns accept into reject.
 * - A trial that threw makes the claim inconclusive (a flowcheck bug, not a finding).
 * - Regression-check failures never change the verdict; they are counted and reported as bugs.
 * - Discriminating: at least MIN_MUTANTS mutants declared and every one killed.
 *
 * The run's exit code is 0 only when every verdict is as expected and every claim discriminates.
 */
import type { Cell, ClaimResult, Report } from '../report/report.types.ts';
import { holm } from '../stats/holm.ts';

/** A claim must declare at least this many mutants to count as discriminating (issue 9). */
export const MIN_MUTANTS = 3;

export const FAMILY_ALPHA = 0.05;
export const FAMILY_BETA = 0.05;
export const VERSION = '0.1.0';

/** Holm within one family of p-values: which are rejected at level alpha. */
export function holmRejects(pValues: number[], alpha: number): { adjusted: number[]; rejected: boolean[] } {
  const adjusted = holm(pValues);
  return { adjusted, rejected: adjusted.map((p) => p < alpha) };
}

/**
 * Applies the exact-cell decision to a claim's cells and pooled p-value in place: Holm over the
 * cells' p-values and the pooled p-value, at alphaPerClaim. Returns whether all agree.
 */
export function decideCells(cells: Cell[], pooled: number | null, alphaPerClaim: number): { agrees: boolean; adjustedPooled: number | null } {
  const ps = cells.map((c) => c.pValue);
  if (pooled !== null) ps.push(pooled);
  if (ps.length === 0) return { agrees: true, adjustedPooled: null };
  const { adjusted, rejected } = holmRejects(ps, alphaPerClaim);
  cells.forEach((c, k) => {
    c.adjustedPValue = adjusted[k];
    c.agrees = !rejected[k];
  });
  const adjustedPooled = pooled === null ? null : adjusted[adjusted.length - 1];
  return { agrees: !rejected.some((r) => r), adjustedPooled };
}

/** A JSON-safe log-likelihood ratio (JSON has no infinity). */
export function jsonLlr(llr: number): number | '+Infinity' | '-Infinity' {
  if (llr === Infinity) return '+Infinity';
  if (llr === -Infinity) return '-Infinity';
  return llr;
}

/**
 * Final verdict of one claim result (in place): cells, study evidence, errors, expected verdict,
 * discrimination. `raw` holds the trials' own decision in `verdict` (SPRT or 'accept' for cells).
 */
export function finalizeClaim(r: ClaimResult, alphaPerClaim: number): ClaimResult {
  let verdict = r.verdict;
  if (r.cells.length > 0) {
    const { agrees, adjustedPooled } = decideCells(r.cells, r.pValue, alphaPerClaim);
    r.adjustedPValue = adjustedPooled;
    verdict = agrees && verdict !== 'reject' ? verdict : 'reject';
  }
  const studyEvidenceFails = r.checks.some((c) => c.scope === 'study' && c.kind === 'evidence' && c.failed > 0);
  if (verdict === 'accept' && studyEvidenceFails) verdict = 'reject';
  if (r.error !== null) verdict = 'inconclusive';
  r.verdict = verdict;
  r.asExpected = verdict === r.expectedVerdict;
  const killed = r.mutants.filter((m) => m.killed).length;
  r.mutationScore = r.mutants.length > 0 ? { killed, total: r.mutants.length } : null;
  r.discriminating = r.mutants.length >= MIN_MUTANTS && killed === r.mutants.length;
  return r;
}

export function summarizeReport(claims: ClaimResult[]): Report['summary'] {
  const accepted = claims.filter((c) => c.verdict === 'accept').length;
  const rejected = claims.filter((c) => c.verdict === 'reject').length;
  const inconclusive = claims.filter((c) => c.verdict === 'inconclusive').length;
  const asExpected = claims.every((c) => c.asExpected);
  const notDiscriminating = claims.filter((c) => !c.discriminating).map((c) => c.id);
  let mutantsKilled = 0;
  let mutantsTotal = 0;
  for (const c of claims) {
    mutantsTotal += c.mutants.length;
    mutantsKilled += c.mutants.filter((m) => m.killed).length;
  }
  const exitCode = asExpected && notDiscriminating.length === 0 ? 0 : 1;
  return { accepted, rejected, inconclusive, asExpected, exitCode, mutantsKilled, mutantsTotal, notDiscriminating };
}

export interface ReportFrame {
  kind: Report['kind'];
  run: Report['run'];
  timing: Report['timing'];
}

/** Finalises every claim (alpha split over K claims) and assembles the report. */
export function buildReport(frame: ReportFrame, claims: ClaimResult[], registeredClaims: number): Report {
  const alphaPerClaim = FAMILY_ALPHA / Math.max(1, registeredClaims);
  for (const c of claims) finalizeClaim(c, alphaPerClaim);
  return {
    schemaVersion: 1,
    kind: frame.kind,
    flowcheckVersion: VERSION,
    run: frame.run,
    claims,
    summary: summarizeReport(claims),
    timing: frame.timing,
  };
}
