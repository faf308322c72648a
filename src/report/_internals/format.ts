/** Number and text formatting shared by the Markdown and HTML renderers. */
import type { ClaimResult, Interval, Report, Verdict } from '../report.types.ts';

/** Compact number: integers as is, very small/large in exponent form, else 3 significant digits. */
export function fmtNum(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

/** A probability with three decimals; below 1e-3 in exponent form so tiny p-values stay visible. */
export function fmtProb(p: number): string {
  if (p !== 0 && p < 1e-3) return p.toExponential(1);
  return p.toFixed(3);
}

/** "0.983 [0.940, 0.998]" */
export function fmtRateCI(rate: number, iv: Interval, withLevel = false): string {
  const level = withLevel ? ` (${fmtLevel(iv.level)} CI)` : '';
  return `${rate.toFixed(3)} [${iv.lower.toFixed(3)}, ${iv.upper.toFixed(3)}]${level}`;
}

/** 0.95 -> "95%" */
export function fmtLevel(level: number): string {
  return `${Number((level * 100).toPrecision(4))}%`;
}

export function verdictMarker(v: Verdict | 'accept' | 'reject'): string {
  return v.toUpperCase();
}

/** "yes" or "NO (expected ACCEPT)" */
export function expectationText(c: ClaimResult): string {
  return c.asExpected ? 'yes' : `NO (expected ${verdictMarker(c.expectedVerdict)})`;
}

export function claimedText(c: ClaimResult): string {
  return c.claimedProbability === null ? 'per cell' : fmtNum(c.claimedProbability);
}

/** Header of the pass-rate column: names the confidence level when every claim shares it. */
export function rateHeader(claims: ClaimResult[]): { header: string; perCellLevel: boolean } {
  const levels = new Set(claims.map((c) => c.interval.level));
  if (levels.size <= 1) {
    const level = claims.length > 0 ? claims[0].interval.level : 0.95;
    return { header: `pass rate [${fmtLevel(level)} CI]`, perCellLevel: false };
  }
  return { header: 'pass rate [CI]', perCellLevel: true };
}

export function summaryLine(r: Report): string {
  const s = r.summary;
  const n = r.claims.length;
  const counts = `${s.accepted} accepted, ${s.rejected} rejected, ${s.inconclusive} inconclusive; exit code ${s.exitCode}`;
  const head = s.asExpected
    ? `All ${n} verdict${n === 1 ? '' : 's'} as expected`
    : `${r.claims.filter((c) => !c.asExpected).length} of ${n} verdict${n === 1 ? '' : 's'} NOT as expected`;
  const power = `mutants killed ${s.mutantsKilled}/${s.mutantsTotal}${s.notDiscriminating.length > 0 ? `, not discriminating: ${s.notDiscriminating.join(', ')}` : ', every claim discriminating'}`;
  return `${head} (${counts}); ${power}`;
}

export function runLine(r: Report): string {
  const shard = r.run.shard === null ? '' : `, shard ${r.run.shard.index}/${r.run.shard.total}`;
  return (
    `seed ${r.run.seed}, budget ${r.run.budget}, alpha ${fmtNum(r.run.alpha)}, beta ${fmtNum(r.run.beta)}, ` +
    `multiple testing ${r.run.multipleTesting}${shard}, flowcheck ${r.flowcheckVersion}`
  );
}

export function timingLine(r: Report): string {
  const t = r.timing;
  return `${fmtNum(t.wallSeconds)} s wall time on ${t.workers} worker${t.workers === 1 ? '' : 's'}, started ${t.startedAt}`;
}

/** Sentence describing the statistical evidence behind a verdict. */
export function evidenceText(c: ClaimResult): string {
  const parts = [
    `${c.passes}/${c.trials} trials passed, rate ${fmtRateCI(c.passRate, c.interval)} (${fmtLevel(c.interval.level)} Clopper-Pearson)`,
  ];
  const q = c.sequential;
  if (q !== null) {
    parts.push(
      `${q.test.toUpperCase()} p0 = ${fmtNum(q.p0)} vs p1 = ${fmtNum(q.p1)} (alpha ${fmtNum(q.alpha)}, beta ${fmtNum(q.beta)}): ` +
        `log-likelihood ratio ${typeof q.llr === 'number' ? fmtNum(q.llr) : q.llr} against bounds [${fmtNum(q.lowerBound)}, ${fmtNum(q.upperBound)}], at most ${q.maxTrials} trials`,
    );
  }
  if (c.pValue !== null) {
    const adj = c.adjustedPValue === null ? '' : `, adjusted p = ${fmtProb(c.adjustedPValue)}`;
    parts.push(`p = ${fmtProb(c.pValue)}${adj}`);
  }
  return parts.join('; ');
}

/** Compact JSON for observations and shrunk cases, cut at `max` characters. */
export function compactJson(v: unknown, max = 240): string {
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' ? Number(fmtNum(x)) : x)) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** Parameter names of a grid, in first-seen order. */
export function paramNames(c: ClaimResult): string[] {
  const names: string[] = [];
  for (const cell of c.cells) for (const k of Object.keys(cell.params)) if (!names.includes(k)) names.push(k);
  return names;
}

/** A cell's parameter value as text. */
export function fmtParam(v: unknown): string {
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v) ?? String(v);
}

export function fmtTableValue(v: number | string | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return fmtNum(v);
  return String(v);
}

export const FAILURES_SHOWN = 5;

/** Rows of the mutants table (raw text; renderers escape). */
export function mutantRows(c: ClaimResult): { header: string[]; rows: string[][] } {
  return {
    header: ['mutant', 'false statement planted', 'scope', 'result', 'evidence'],
    rows: c.mutants.map((m) => [m.id, m.statement, m.scope, m.killed ? 'killed' : 'SURVIVED', `${m.evidence} (${m.test})`]),
  };
}

/** Rows of the checks table: evidence decides the verdict, regression checks are identities. */
export function checkRows(c: ClaimResult): { header: string[]; rows: string[][] } {
  return {
    header: ['check', 'kind', 'scope', 'evaluated', 'failed', 'detail'],
    rows: c.checks.map((k) => [k.name, k.kind === 'evidence' ? 'evidence (decides)' : 'regression (identity; failure = flowcheck bug)', k.scope, String(k.evaluated), String(k.failed), k.detail]),
  };
}

/** Rows of the tolerances table, with each tolerance's source. */
export function toleranceRows(c: ClaimResult): { header: string[]; rows: string[][] } {
  return { header: ['tolerance', 'value', 'source', 'detail'], rows: c.tolerances.map((t) => [t.name, fmtNum(t.value), t.source, t.detail]) };
}

/** One line on a claim's power: mutation score and whether it discriminates. */
export function discriminationText(c: ClaimResult): string {
  if (c.mutants.length === 0) return 'no mutants declared: NOT discriminating (nothing shows this claim could fail)';
  const k = c.mutants.filter((m) => m.killed).length;
  return `${k}/${c.mutants.length} mutants killed: ${c.discriminating ? 'discriminating' : 'NOT discriminating'}`;
}
