import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { sampleReport } from './fixtures.test-helpers.ts';
import type { Report } from './report.types.ts';
import { ReportValidationError, validateClaimResult, validateReport } from './validate.ts';

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Applies `mutate` to a fresh sample and returns the validation error it causes. */
function errorOf(mutate: (r: Mutable) => void): ReportValidationError {
  const r = sampleReport() as unknown as Mutable;
  mutate(r);
  try {
    validateReport(r);
  } catch (err) {
    expect(err).toBeInstanceOf(ReportValidationError);
    return err as ReportValidationError;
  }
  throw new Error('expected validateReport to throw');
}

describe('validateReport', () => {
  test('accepts the sample report and returns it unchanged', () => {
    const r = sampleReport();
    expect(validateReport(r)).toBe(r);
  });

  test('accepts a JSON round trip of the sample (what report.json holds)', () => {
    const r = JSON.parse(JSON.stringify(sampleReport())) as unknown;
    expect(() => validateReport(r)).not.toThrow();
  });

  const broken: [string, (r: Mutable) => void, string][] = [
    ['missing verdict', (r) => delete r.claims[0].verdict, '/claims/0/verdict'],
    ['NaN-like string for a number', (r) => (r.claims[1].passRate = 'NaN'), '/claims/1/passRate'],
    ['wrong verdict enum', (r) => (r.claims[2].verdict = 'maybe'), '/claims/2/verdict'],
    ['wrong budget enum', (r) => (r.run.budget = 'nightly'), '/run/budget'],
    ['NaN number in metrics (JSON would write null)', (r) => (r.claims[1].metrics.firstJumpRelError = NaN), '/claims/1/metrics/firstJumpRelError'],
    ['Infinity in a plot point', (r) => (r.claims[1].plots[0].series[0].points[3][1] = Infinity), '/claims/1/plots/0/series/0/points/3/1'],
    ['point with three coordinates', (r) => r.claims[1].plots[0].series[1].points[0].push(1), '/claims/1/plots/0/series/1/points/0'],
    ['unknown claim property', (r) => (r.claims[0].extra = 1), '/claims/0/extra'],
    ['probability above 1', (r) => (r.claims[0].cells[2].predicted = 1.5), '/claims/0/cells/2/predicted'],
    ['non-integer trials', (r) => (r.claims[2].trials = 30.5), '/claims/2/trials'],
    ['timestamp not ISO', (r) => (r.timing.startedAt = 'yesterday'), '/timing/startedAt'],
    ['wrong schema version', (r) => (r.schemaVersion = 2), '/schemaVersion'],
    ['more passes than trials', (r) => (r.claims[0].cells[2].passes = 61), '/claims/0/cells/2/passes'],
    ['summary counts off', (r) => (r.summary.accepted = 3), '/summary'],
    ['duplicate claim id', (r) => (r.claims[1].id = 'width-law'), '/claims/1/id'],
    ['duplicate plot id', (r) => (r.claims[1].plots[1].id = 'loss-staircase'), '/claims/1/plots/1/id'],
    ['shard index above total', (r) => (r.run.shard = { index: 3, total: 2 }), '/run/shard/index'],
  ];
  test.each(broken)('rejects %s, naming the path', (_name, mutate, path) => {
    const err = errorOf(mutate);
    expect(err.issues.map((i) => i.path)).toContain(path);
    expect(err.message).toContain(`${path}:`);
  });

  test('lists every problem at once', () => {
    const err = errorOf((r) => {
      delete r.claims[0].verdict;
      r.claims[2].verdict = 'maybe';
    });
    expect(err.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/claims/0/verdict', '/claims/2/verdict']));
  });

  test('rejects things that are not reports', () => {
    for (const bad of [null, 42, 'report', [], {}]) expect(() => validateReport(bad)).toThrow(ReportValidationError);
  });
});

describe('report.schema.json formalises notes/REPORT.md', () => {
  const schema = JSON.parse(readFileSync(new URL('./report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const doc = readFileSync(new URL('../../notes/REPORT.md', import.meta.url), 'utf8');
  /** Keys REPORT.md uses only as example data (cell params, metric and claim names). */
  const EXAMPLE_KEYS = new Set(['nPos', 'nNeg', 'm', 'zero-loss']);

  function propertyNames(node: unknown, out: Set<string>): Set<string> {
    if (Array.isArray(node)) for (const x of node) propertyNames(x, out);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.properties !== undefined) for (const k of Object.keys(o.properties as object)) out.add(k);
      for (const v of Object.values(o)) propertyNames(v, out);
    }
    return out;
  }

  test('every field in the document is in the schema and vice versa', () => {
    const documented = new Set([...doc.matchAll(/"([A-Za-z0-9_-]+)":/g)].map((m) => m[1]).filter((k) => !EXAMPLE_KEYS.has(k)));
    const inSchema = propertyNames(schema, new Set());
    expect([...documented].filter((k) => !inSchema.has(k))).toEqual([]);
    expect([...inSchema].filter((k) => !documented.has(k))).toEqual([]);
  });

  test('a report with every nullable field null still validates', () => {
    const r: Report = sampleReport();
    r.run.shard = null;
    for (const c of r.claims) {
      Object.assign(c, { claimedProbability: null, sequential: null, pValue: null, adjustedPValue: null, edge: null, error: null });
    }
    expect(() => validateReport(r)).not.toThrow();
  });
});

describe('validateClaimResult: one claim result file (flowcheck collect)', () => {
  test('every claim of the sample is a valid claim result', () => {
    for (const c of sampleReport().claims) expect(validateClaimResult(structuredClone(c))).toEqual(c);
  });

  test.each([
    ['{}', {}, '/id'],
    ['null', null, '/'],
    ['cells not an array', { ...sampleReport().claims[0], cells: 'x' }, '/cells'],
    ['passes above trials', { ...sampleReport().claims[0], passes: 1e6 }, '/passes'],
    ['NaN pass rate', { ...sampleReport().claims[0], passRate: NaN }, '/passRate'],
  ])('%s is refused with the path of the problem', (_name, v, where) => {
    let err: unknown;
    try {
      validateClaimResult(v);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReportValidationError);
    expect((err as ReportValidationError).issues.map((i) => i.path || '/')).toContain(where);
    expect((err as Error).message).toMatch(/invalid claim result/);
  });
});
