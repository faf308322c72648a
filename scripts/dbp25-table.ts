/**
 * Table of the DBP25 threshold sweeps (scripts/dbp25-thresholds.sh): per (d, p), the convergence
 * probability against n = d ... 20 d with 95% Clopper-Pearson intervals, and the threshold n
 * (the first n whose interval lies below 1/2, the authors' "where it falls").
 *   node --import tsx scripts/dbp25-table.ts DIR   (DIR holds d<d>/ and p<p>/ sweep outputs)
 */
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'reports/dbp25';
type Cell = { params: { d: number; n: number; m: number }; trials: number; passes: number; interval: { lower: number; upper: number } };
const rows: string[] = [];
const thresholds: string[] = [];
const subs = fs.readdirSync(dir).filter((s) => /^[dp]\d+$/.test(s)).sort((a, b) => a[0].localeCompare(b[0]) || Number(a.slice(1)) - Number(b.slice(1)));
for (const sub of subs) {
  const rep = JSON.parse(fs.readFileSync(path.join(dir, sub, 'report.json'), 'utf8')) as { claims: { cells: Cell[] }[] };
  const cells = rep.claims[0].cells.slice().sort((a, b) => a.params.n - b.params.n);
  const { d, m } = cells[0].params;
  rows.push(`| ${d} | ${m} | ${cells.map((c) => `${c.params.n}: ${(c.passes / c.trials).toFixed(2)}`).join(', ')} |`);
  const first = cells.find((c) => c.interval.upper < 0.5);
  const last = [...cells].reverse().find((c) => c.interval.lower > 0.5);
  thresholds.push(`| ${d} | ${m} | ${last === undefined ? '-' : last.params.n} | ${first === undefined ? `> ${cells[cells.length - 1].params.n}` : first.params.n} | ${first === undefined ? '-' : (first.params.n / d).toFixed(1)} |`);
}
const md = `# DBP25 threshold experiments, convergence probability against n\n\n| d | p | n: P(converged) |\n|---|---|---|\n${rows.join('\n')}\n\n| d | p | last n with P > 1/2 (95% CI) | first n with P < 1/2 (95% CI) | that n / d |\n|---|---|---|---|---|\n${thresholds.join('\n')}\n`;
fs.writeFileSync(path.join(dir, 'thresholds.md'), md);
process.stdout.write(md);
