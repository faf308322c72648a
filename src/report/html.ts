import type { ClaimResult, Plot, Report } from './report.types.ts';
import {
  FAILURES_SHOWN,
  claimedText,
  compactJson,
  evidenceText,
  fmtLevel,
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
import { renderPlotSvg } from './_internals/plotSvg.ts';
import { arxivIds, arxivUrl } from './_internals/arxiv.ts';
import { timingText } from './_internals/timing.ts';

export interface RenderHtmlOptions {
  /** Called with each warning vega-lite or vega emitted while drawing a plot. */
  onWarning?: (message: string) => void;
}

/**
 * Renders a report as ONE self-contained HTML page: no scripts, no external resources
 * (a Content-Security-Policy forbids any fetch), so it works offline and as a CI artifact.
 * The header holds the verdict table; each claim gets a section with its evidence and
 * every plot of `plots` drawn to inline SVG by vega-lite, plus an automatic
 * pass-rate-against-parameter plot for grids with a single varying parameter.
 * Each plot is a `<figure class="plot" data-plot-id="CLAIM/PLOT">` with a caption.
 *
 * @example
 *   await writeFileAtomic('reports/latest/report.html', await renderHtml(report));
 */
export async function renderHtml(report: Report, options: RenderHtmlOptions = {}): Promise<string> {
  const onWarning = options.onWarning ?? (() => undefined);
  const sections = await Promise.all(report.claims.map((c) => claimSection(c, onWarning)));
  const { header, perCellLevel } = rateHeader(report.claims);
  const rows = report.claims
    .map(
      (c) =>
        `<tr><td><a href="#${attr(anchor(c.id))}">${esc(c.id)}</a></td><td>${esc(c.paper)} ${esc(c.theorem)}</td>` +
        `<td>${verdictBadge(c)}</td><td class="${c.asExpected ? 'ok' : 'bad'}">${c.asExpected ? 'yes' : `NO (expected ${verdictMarker(c.expectedVerdict)})`}</td>` +
        `<td class="num">${esc(fmtRateCI(c.passRate, c.interval, perCellLevel))}</td><td class="num">${c.trials}</td><td class="num">${esc(claimedText(c))}</td></tr>`,
    )
    .join('\n');
  const title = `flowcheck ${report.kind} report (seed ${report.run.seed})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>flowcheck ${esc(report.kind)} report</h1>
<p class="result ${report.summary.asExpected ? 'ok' : 'bad'}">${esc(summaryLine(report))}</p>
<p class="run">Run: ${esc(runLine(report))}. ${esc(timingText(report))}.</p>
<p class="run">Reproduce: <code>${esc(report.run.command)}</code></p>
<table class="verdicts">
<thead><tr><th>claim</th><th>paper</th><th>verdict</th><th>as expected?</th><th>${esc(header)}</th><th>trials</th><th>claimed P</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</header>
<main>
${sections.join('\n')}
</main>
<footer>Rendered from report.json (schema version ${report.schemaVersion}) by flowcheck ${esc(report.flowcheckVersion)}.</footer>
</body>
</html>
`;
}

async function claimSection(c: ClaimResult, onWarning: (m: string) => void): Promise<string> {
  const plots: Plot[] = [...c.plots];
  const auto = passRatePlot(c);
  if (auto !== null) plots.push(auto);
  const figures = await Promise.all(plots.map((p) => figure(c, p, onWarning)));

  const parts: string[] = [];
  parts.push(`<section class="claim" id="${attr(anchor(c.id))}">`);
  parts.push(`<h2>${esc(c.id)}: ${esc(c.title)}</h2>`);
  const expected = c.asExpected
    ? '<span class="ok">as expected</span>'
    : `<span class="bad">NOT as expected, expected ${verdictMarker(c.expectedVerdict)}</span>`;
  const ids = arxivIds(c.arxiv);
  const arxiv = ids.length === 0 ? '' : `, arXiv ${ids.map((id) => `<a href="${attr(arxivUrl(id))}">${esc(id)}</a>`).join(', ')}`;
  parts.push(`<p>${verdictBadge(c)} ${expected}. ${esc(c.paper)}, ${esc(c.theorem)}${arxiv}.</p>`);
  parts.push(`<blockquote>${esc(c.statement)}</blockquote>`);
  const facts = [
    ['Regime', esc(c.regime)],
    ...(c.departures.length > 0 ? [['Departures', c.departures.map(esc).join('; ')]] : []),
    ['Claimed probability', esc(c.claimedProbabilityText)],
    ['Evidence', esc(evidenceText(c))],
    ['Claim seed', `<code>${c.seed}</code> (trial i uses deriveSeed(seed, i))`],
    ['Prediction', `${esc(c.prediction.name)}: ${esc(c.prediction.statement)}`],
    ['Criterion', `${esc(c.criterion.name)}: ${esc(c.criterion.statement)}`],
    ['Power', c.discriminating ? `<span class="ok">${esc(discriminationText(c))}</span>` : `<span class="bad">${esc(discriminationText(c))}</span>`],
    ...(c.regressionFailures > 0 ? [['Regression failures', `<span class="bad">${c.regressionFailures} (a flowcheck bug, not a finding)</span>`]] : []),
    ...(c.error !== null ? [['Error', `<span class="bad">${esc(c.error)}</span>`]] : []),
    ...c.measurementErrors.map((e) => ['Measurement error', `<span class="bad">${esc(e)}</span> (the trials' verdict stands)`]),
  ];
  parts.push(`<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`);
  parts.push(...figures);
  for (const [title, t] of [['Mutants (planted false statements)', mutantRows(c)], ['Checks', checkRows(c)], ['Tolerances', toleranceRows(c)]] as const) {
    if (t.rows.length > 0) parts.push(table(title, t.header.map(esc), t.rows.map((r) => r.map(esc))));
  }

  const metricNames = Object.keys(c.metrics);
  if (metricNames.length > 0) {
    parts.push(table('Metrics', ['metric', 'value'], metricNames.map((k) => [esc(k), esc(fmtNum(c.metrics[k]))])));
  }
  for (const t of c.tables) {
    parts.push(table(t.title, t.columns.map(esc), t.rows.map((row) => row.map((v) => esc(fmtTableValue(v))))));
  }
  if (c.cells.length > 0) {
    const names = paramNames(c);
    parts.push(
      table(
        'Grid cells',
        [...names.map(esc), 'trials', 'passes', 'rate', `${fmtLevel(c.cells[0].interval.level)} CI`, 'predicted', 'p', 'adjusted p', 'agrees'],
        c.cells.map((cell) => [
          ...names.map((k) => esc(fmtParam(cell.params[k]))),
          String(cell.trials),
          String(cell.passes),
          cell.passRate.toFixed(3),
          `[${cell.interval.lower.toFixed(3)}, ${cell.interval.upper.toFixed(3)}]`,
          cell.predicted.toFixed(3),
          esc(fmtProb(cell.pValue)),
          esc(fmtProb(cell.adjustedPValue)),
          cell.agrees ? '<span class="ok">yes</span>' : '<span class="bad">NO</span>',
        ]),
      ),
    );
  }
  if (c.counterexamples.length > 0) {
    const items = c.counterexamples.map(
      (x) => `<li><code>${esc(x.name)}</code> (${esc(x.file)}): ${esc(x.summary)}<pre><code>${esc(x.replay)}</code></pre></li>`,
    );
    parts.push(`<h3>Counterexamples</h3><ul class="cex">${items.join('')}</ul>`);
  }
  if (c.edge !== null) {
    const e = c.edge;
    const shrunk = e.shrunk === null ? '' : ` Shrunk: <code>${esc(compactJson(e.shrunk))}</code>`;
    parts.push(`<p><strong>Edge search</strong>: ${esc(e.description)}; ${e.runs} runs, counterexample ${e.found ? 'found' : 'not found'}.${shrunk}</p>`);
  }
  if (c.failures.length > 0) {
    const shown = c.failures.slice(0, FAILURES_SHOWN);
    const more = c.failures.length > shown.length ? ` (first ${shown.length} of ${c.failures.length})` : '';
    parts.push(
      table(
        c.cells.length > 0 ? `Trials without the event${more} (predicted per cell with probability 1 - predicted; not failures of the claim)` : `Failing trials${more}`,
        ['trial', 'seed', 'observation'],
        shown.map((f) => [String(f.trial), `<code>${f.seed}</code>`, `<code>${esc(compactJson(f.observation))}</code>`]),
      ),
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

async function figure(c: ClaimResult, plot: Plot, onWarning: (m: string) => void): Promise<string> {
  const { svg, warnings } = await renderPlotSvg(plot);
  for (const w of warnings) onWarning(`${c.id}/${plot.id}: ${w}`);
  return (
    `<figure class="plot" data-plot-id="${attr(`${c.id}/${plot.id}`)}">\n${svg}\n` +
    `<figcaption>${esc(plot.title)} <span class="muted">(${esc(c.id)} / ${esc(plot.id)})</span></figcaption>\n</figure>`
  );
}

function verdictBadge(c: ClaimResult): string {
  return `<span class="verdict ${c.verdict}">${verdictMarker(c.verdict)}</span>`;
}

/** A table whose cells are already HTML. */
function table(caption: string, header: string[], rows: string[][]): string {
  const head = header.map((h) => `<th>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${v}</td>`).join('')}</tr>`).join('\n');
  return `<table><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function anchor(id: string): string {
  return `claim-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return esc(s).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 1100px; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2.5rem 0 .5rem; padding-top: 1rem; border-top: 2px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.result { font-weight: 600; font-size: 1.05rem; }
p.run { margin: .2rem 0; color: var(--muted); }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa; border-radius: 4px; }
code { padding: .1em .3em; word-break: break-all; }
pre { padding: .5rem .75rem; overflow-x: auto; margin: .3rem 0 .6rem; }
pre code { padding: 0; background: none; }
blockquote { margin: .5rem 0 .8rem; padding: .2rem 1rem; border-left: 4px solid var(--line); color: #333; font-style: italic; }
table { border-collapse: collapse; margin: .8rem 0 1.2rem; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: .2rem 0 .4rem; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.verdicts { margin-top: 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0 1rem; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; }
.verdict { display: inline-block; font-weight: 700; font-size: 12px; letter-spacing: .04em; padding: .1rem .45rem; border-radius: 3px; color: #fff; }
.verdict.accept { background: var(--ok); }
.verdict.reject { background: var(--bad); }
.verdict.inconclusive { background: var(--warn); }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); font-weight: normal; }
figure.plot { margin: 1rem 0 1.5rem; padding: .5rem; border: 1px solid var(--line); border-radius: 6px; display: inline-block; max-width: 100%; }
figure.plot svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 14px; padding: .3rem .2rem 0; }
ul.cex { padding-left: 1.2rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: .8rem; }
`;
