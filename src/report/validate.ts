import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type { ClaimResult, Report } from './report.types.ts';

/** One reason a report is invalid: a JSON pointer into the report and what is wrong there. */
export interface ReportIssue {
  path: string;
  message: string;
}

/** Thrown by {@link validateReport}; `issues` lists every problem found, with its path. */
export class ReportValidationError extends Error {
  readonly issues: ReportIssue[];
  constructor(issues: ReportIssue[], what = 'validateReport: invalid report') {
    const lines = issues.map((i) => `  ${i.path || '/'}: ${i.message}`);
    super(`${what} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'ReportValidationError';
    this.issues = issues;
  }
}

const SCHEMA_URL = new URL('./report.schema.json', import.meta.url);

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled === null) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    // ajv is required here, on first validation, not at import (it costs ~0.15 s of start-up)
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    // strictNumbers rejects NaN and +-Infinity, which JSON.stringify would silently turn into null.
    const ajv = new Ajv({ allErrors: true, strict: true, strictNumbers: true, allowUnionTypes: true });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/**
 * Checks `obj` against report.schema.json plus the invariants a schema cannot state
 * (passes <= trials, lower <= upper, summary counts match the verdicts, unique claim and
 * plot ids), and returns it typed as a {@link Report}.
 *
 * @throws ReportValidationError listing every problem with its JSON pointer
 *
 * @example
 *   const report = validateReport(JSON.parse(text));
 */
export function validateReport(obj: unknown): Report {
  const validate = validator();
  if (!validate(obj)) throw new ReportValidationError((validate.errors ?? []).map(toIssue));
  const report = obj as Report;
  const issues = consistencyIssues(report);
  if (issues.length > 0) throw new ReportValidationError(issues);
  return report;
}

let compiledClaim: ValidateFunction | null = null;

function claimValidator(): ValidateFunction {
  if (compiledClaim === null) {
    validator();
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { $id?: string };
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    const ajv = new Ajv({ allErrors: true, strict: true, strictNumbers: true, allowUnionTypes: true });
    ajv.addSchema(schema);
    const v = ajv.getSchema(`${schema.$id ?? ''}#/definitions/ClaimResult`);
    if (v === undefined) throw new Error('validateClaimResult: report.schema.json has no definitions/ClaimResult');
    compiledClaim = v;
  }
  return compiledClaim;
}

/**
 * Checks one claim result (a property test's reports/claims/<id>.json, or an element of a
 * report's `claims`) against the schema's ClaimResult definition plus the invariants a schema
 * cannot state (passes <= trials, lower <= upper per cell, unique plot ids), and returns it typed.
 * `flowcheck collect` validates every file it reads with it before use.
 *
 * @throws ReportValidationError listing every problem with its JSON pointer (relative to the result)
 *
 * @example
 *   const r = validateClaimResult(JSON.parse(text));
 */
export function validateClaimResult(obj: unknown): ClaimResult {
  const validate = claimValidator();
  const what = 'validateClaimResult: invalid claim result';
  if (!validate(obj)) throw new ReportValidationError((validate.errors ?? []).map(toIssue), what);
  const r = obj as ClaimResult;
  const issues = consistencyIssues({ claims: [r], summary: null, run: null } as unknown as Report).map((i) => ({ ...i, path: i.path.replace(/^\/claims\/0/, '') }));
  if (issues.length > 0) throw new ReportValidationError(issues, what);
  return r;
}

function toIssue(e: ErrorObject): ReportIssue {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    return { path: `${e.instancePath}/${String(p.missingProperty)}`, message: 'is required but missing' };
  }
  if (e.keyword === 'additionalProperties') {
    return { path: `${e.instancePath}/${String(p.additionalProperty)}`, message: 'is not allowed here (unknown property)' };
  }
  if (e.keyword === 'enum') {
    const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return { path: e.instancePath, message: `must be one of ${allowed}` };
  }
  if (e.keyword === 'const') {
    return { path: e.instancePath, message: `must be ${JSON.stringify(p.allowedValue)}` };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}

function consistencyIssues(r: Report): ReportIssue[] {
  const issues: ReportIssue[] = [];
  const seen = new Set<string>();
  const counts = { accept: 0, reject: 0, inconclusive: 0 };
  r.claims.forEach((c, ci) => {
    const at = `/claims/${ci}`;
    if (seen.has(c.id)) issues.push({ path: `${at}/id`, message: `duplicate claim id ${JSON.stringify(c.id)}` });
    seen.add(c.id);
    counts[c.verdict] += 1;
    if (c.passes > c.trials) issues.push({ path: `${at}/passes`, message: `${c.passes} passes exceed ${c.trials} trials` });
    if (c.interval.lower > c.interval.upper) issues.push({ path: `${at}/interval`, message: 'lower exceeds upper' });
    c.cells.forEach((cell, k) => {
      if (cell.passes > cell.trials) {
        issues.push({ path: `${at}/cells/${k}/passes`, message: `${cell.passes} passes exceed ${cell.trials} trials` });
      }
      if (cell.interval.lower > cell.interval.upper) issues.push({ path: `${at}/cells/${k}/interval`, message: 'lower exceeds upper' });
    });
    const plotIds = new Set<string>();
    c.plots.forEach((plot, k) => {
      if (plotIds.has(plot.id)) issues.push({ path: `${at}/plots/${k}/id`, message: `duplicate plot id ${JSON.stringify(plot.id)}` });
      plotIds.add(plot.id);
    });
  });
  const s = r.summary;
  if (s === null) return issues;
  if (s.accepted !== counts.accept || s.rejected !== counts.reject || s.inconclusive !== counts.inconclusive) {
    issues.push({
      path: '/summary',
      message: `counts ${s.accepted}/${s.rejected}/${s.inconclusive} (accepted/rejected/inconclusive) do not match the claims' verdicts ${counts.accept}/${counts.reject}/${counts.inconclusive}`,
    });
  }
  if (r.run.shard !== null && r.run.shard.index > r.run.shard.total) {
    issues.push({ path: '/run/shard/index', message: `shard ${r.run.shard.index} exceeds total ${r.run.shard.total}` });
  }
  return issues;
}
