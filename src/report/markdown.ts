import type { ClaimResult, Report } from './report.types.ts';
import {
  FAILURES_SHOWN,
  claimedText,
  compactJson,
  evidenceText,
  expectationText,
  fmtNum,
  fmtParam,
  fmtProb,
  fmtRateCI,
  fmtTableValue,
  paramNames,
  rateHeader,
  runLine,
  summaryLine,
  verdictMarker,
  mutantRows,
  checkRows,
  toleranceRows,
  discriminationText,
} from './_internals/format.ts';
import { passRatePlot } from './_internals/passRatePlot.ts';
import { arxivIds, arxivUrl } from './_internals/arxiv.ts';
import { timingText } from './_internals/timing.ts';

/**
 * Renders a report as GitHub-flavoured Markdown, suitable for a CI job summary:
 * the run line, a verdict table (markers ACCEPT / REJECT / INCONCLUSIVE, no emoji), then
 * per claim its statement, regime, departures, evidence, metrics, tables, grid cells,
 * counterexamples with their replay commands and the first failing trials with seeds.
 * Plots live in report.html, which is linked.
 *
 * @example
 *   process.env.GITHUB_STEP_SUMMARY && appendFileSync(process.env.GITHUB_STEP_SUMMARY, renderMarkdown(report));
 */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  out.push(`# flowcheck ${report.kind} report`, '');
  out.push(`**${summaryLine(report)}**`, '');
  out.push(`Run: ${runLine(report)}. ${timingText(report)}.`, '');
  out.push('Reproduce:', '', fence(report.run.command), '');
  out.push('Plots and the full report: [report.html](report.html) (next to this file).', '');

  const { header, perCellLevel } = rateHeader(report.claims);
  out.push(
    table(
      ['claim', 'paper', 'verdict', 'as expected?', header, 'trials', 'claimed P'],
      report.claims.map((c) => [
        c.id,
        `${c.paper} ${c.theorem}`,
        verdictMarker(c.verdict),
        expectationText(c),
        fmtRateCI(c.passRate, c.interval, perCellLevel),
        String(c.trials),
        claimedText(c),
      ]),
    ),
  );
  for (const c of report.claims) out.push('', ...claimSection(c));
  out.push('');
  return out.join('\n');
}

function claimSection(c: ClaimResult): string[] {
  const out: string[] = [];
  out.push(`## ${inline(c.id)}: ${inline(c.title)}`, '');
  const ids = arxivIds(c.arxiv);
  const arxiv = ids.length === 0 ? '' : `, arXiv ${ids.map((id) => `[${inline(id)}](${arxivUrl(id)})`).join(', ')}`;
  const expected = c.asExpected ? 'as expected' : `NOT as expected, expected ${verdictMarker(c.expectedVerdict)}`;
  out.push(`**${verdictMarker(c.verdict)}** (${expected}). ${inline(c.paper)}, ${inline(c.theorem)}${arxiv}.`, '');
  out.push(`> ${inline(c.statement)}`, '');
  out.push(`- Regime: ${inline(c.regime)}`);
  if (c.departures.length > 0) out.push(`- Departures from the theorem: ${c.departures.map(inline).join('; ')}`);
  out.push(`- Claimed probability: ${inline(c.claimedProbabilityText)}`);
  out.push(`- Evidence: ${inline(evidenceText(c))}`);
  out.push(`- Claim seed: \`${c.seed}\` (trial i uses deriveSeed(seed, i))`);
  out.push(`- Prediction: ${inline(c.prediction.name)}: ${inline(c.prediction.statement)}`);
  out.push(`- Criterion: ${inline(c.criterion.name)}: ${inline(c.criterion.statement)}`);
  out.push(`- Power: ${inline(discriminationText(c))}`);
  if (c.regressionFailures > 0) out.push(`- **Regression failures: ${c.regressionFailures}** (identities that failed: a flowcheck bug, not a finding)`);
  if (c.error !== null) out.push(`- **Error**: ${inline(c.error)}`);
  for (const e of c.measurementErrors) out.push(`- **Measurement error** (trials' verdict stands): ${inline(e)}`);
  for (const t of [mutantRows(c), checkRows(c), toleranceRows(c)]) {
    if (t.rows.length > 0) out.push('', table(t.header, t.rows.map((r) => r.map(inline))));
  }

  const metricNames = Object.keys(c.metrics);
  if (metricNames.length > 0) {
    out.push('', '**Metrics**', '', table(['metric', 'value'], metricNames.map((k) => [k, fmtNum(c.metrics[k])])));
  }
  for (const t of c.tables) {
    out.push('', `**${inline(t.title)}**`, '', table(t.columns, t.rows.map((row) => row.map(fmtTableValue))));
  }
  if (c.cells.length > 0) {
    const names = paramNames(c);
    const level = c.cells[0].interval.level;
    out.push(
      '',
      '**Grid cells**',
      '',
      table(
        [...names, 'trials', 'passes', 'rate', `${Number((level * 100).toPrecision(4))}% CI`, 'predicted', 'p', 'adjusted p', 'agrees'],
        c.cells.map((cell) => [
          ...names.map((k) => fmtParam(cell.params[k])),
          String(cell.trials),
          String(cell.passes),
          cell.passRate.toFixed(3),
          `[${cell.interval.lower.toFixed(3)}, ${cell.interval.upper.toFixed(3)}]`,
          cell.predicted.toFixed(3),
          fmtProb(cell.pValue),
          fmtProb(cell.adjustedPValue),
          cell.agrees ? 'yes' : 'NO',
        ]),
      ),
    );
  }
  if (c.counterexamples.length > 0) {
    out.push('', '**Counterexamples**');
    for (const x of c.counterexamples) {
      out.push('', `- \`${inline(x.name)}\` (${inline(x.file)}): ${inline(x.summary)}`);
      if (x.replay !== '') out.push('', fence(x.replay));
    }
    out.push('', 'To commit one as a fixture (replayed by `npm test`): `npx flowcheck promote FILE`.');
  }
  if (c.edge !== null) {
    const e = c.edge;
    const shrunk = e.shrunk === null ? '' : ` Shrunk: \`${compactJson(e.shrunk)}\``;
    out.push('', `**Edge search**: ${inline(e.description)}; ${e.runs} runs, counterexample ${e.found ? 'found' : 'not found'}.${shrunk}`);
  }
  if (c.failures.length > 0) {
    const shown = c.failures.slice(0, FAILURES_SHOWN);
    const more = c.failures.length > shown.length ? ` (first ${shown.length} of ${c.failures.length} listed)` : '';
    out.push(
      '',
      c.cells.length > 0 ? `**Trials without the event**${more} (each cell predicts the event with probability "predicted"; these are not failures of the claim)` : `**Failing trials**${more}`,
      '',
      table(['trial', 'seed', 'observation'], shown.map((f) => [String(f.trial), String(f.seed), `\`${compactJson(f.observation)}\``])),
    );
  }
  const plots = c.plots.length + (passRatePlot(c) === null ? 0 : 1);
  if (plots > 0) out.push('', `${plots} plot${plots === 1 ? '' : 's'} in [report.html](report.html).`);
  return out;
}

/** A GitHub-flavoured Markdown table; cells are escaped so `|` and newlines cannot break rows. */
function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** Text on one line. */
function inline(s: string): string {
  return s.replace(/\r?\n/g, ' ');
}

/** A shell code block whose fence is longer than any backtick run inside the command. */
function fence(command: string): string {
  const longest = Math.max(2, ...(command.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(longest + 1);
  return `${f}sh\n${command}\n${f}`;
}
