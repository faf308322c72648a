import { beforeAll, describe, expect, test } from 'vitest';
import { passRatePlot } from './_internals/passRatePlot.ts';
import { sampleReport } from './fixtures.test-helpers.ts';
import { renderHtml } from './html.ts';
import type { Report } from './report.types.ts';

/** The contents of every `<figure class="plot" ...>...</figure>`, with its data-plot-id. */
function figures(html: string): { id: string; body: string }[] {
  return [...html.matchAll(/<figure class="plot" data-plot-id="([^"]*)">([\s\S]*?)<\/figure>/g)].map((m) => ({ id: m[1], body: m[2] }));
}

describe('renderHtml on the sample report', () => {
  let report: Report;
  let html: string;
  const warnings: string[] = [];

  beforeAll(async () => {
    report = sampleReport();
    html = await renderHtml(report, { onWarning: (w) => warnings.push(w) });
  });

  test('one figure per plot plus the automatic pass-rate plot of the grid claim, each with one inline svg', () => {
    const expected = report.claims.flatMap((c) => {
      const auto = passRatePlot(c);
      return [...c.plots, ...(auto === null ? [] : [auto])].map((p) => `${c.id}/${p.id}`);
    });
    expect(expected).toContain('width-law/pass-rate-vs-m');
    const figs = figures(html);
    expect(figs.map((f) => f.id)).toEqual(expected);
    expect((html.match(/<figure class="plot"/g) ?? []).length).toBe(expected.length);
    for (const f of figs) {
      expect((f.body.match(/<svg[\s>]/g) ?? []).length, f.id).toBe(1);
      expect(f.body).toMatch(/<\/svg>\s*<figcaption>/);
      expect(f.body).toMatch(/<svg[^>]* width="\d+" height="\d+"/);
    }
  });

  test('vega-lite and vega raise no warnings', () => {
    expect(warnings).toEqual([]);
  });

  test('every series and band name shows up in its plot (legend)', () => {
    for (const c of report.claims) {
      for (const p of c.plots) {
        const fig = figures(html).find((f) => f.id === `${c.id}/${p.id}`)!;
        for (const s of p.series) expect(fig.body, `${p.id}: ${s.name}`).toContain(`>${s.name}<`);
        for (const b of p.bands ?? []) expect(fig.body, `${p.id}: ${b.name}`).toContain(`>${b.name}<`);
      }
    }
  });

  test('self-contained: no scripts, no external URLs except SVG namespaces and links to arXiv abstracts, a CSP forbidding fetches', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\ssrc=/i);
    const withoutNamespaces = html.replace(/\sxmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '').replace(/<a href="https:\/\/arxiv\.org\/abs\/[^"]*">/g, '');
    expect(withoutNamespaces).not.toMatch(/https?:\/\//);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  test('the header verdict table has one row per claim with its verdict marker', () => {
    const table = html.slice(html.indexOf('<table class="verdicts">'), html.indexOf('</table>'));
    const rows = table.match(/<tr><td>/g) ?? [];
    expect(rows.length).toBe(report.claims.length);
    for (const c of report.claims) {
      expect(table).toContain(`href="#claim-${c.id}"`);
      expect(table).toContain(`<span class="verdict ${c.verdict}">${c.verdict.toUpperCase()}</span>`);
    }
  });

  test('each claim has a section with its anchor, replay commands and cell rows', () => {
    for (const c of report.claims) expect(html).toContain(`<section class="claim" id="claim-${c.id}">`);
    for (const x of report.claims[2].counterexamples) expect(html).toContain(`<pre><code>${x.replay}</code></pre>`);
    const grid = report.claims[0];
    const cellsTable = html.slice(html.indexOf('<caption>Grid cells</caption>'));
    const body = cellsTable.slice(0, cellsTable.indexOf('</table>'));
    expect((body.match(/<tr><td>/g) ?? []).length).toBe(grid.cells.length);
  });

  test('ids are unique across the page (several inline SVGs share one document)', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('renderHtml escaping', () => {
  test('text from the report cannot inject markup', async () => {
    const r = sampleReport();
    r.claims[0].statement = '<script>alert(1)</script> & <b>bold</b>';
    r.claims[1].plots[0].title = '<img src=x onerror=alert(1)>';
    r.claims[1].plots[0].series[0].name = '</text><script>x</script>';
    r.claims[2].id = 'a"b<c';
    r.run.claims[2] = 'a"b<c';
    r.timing.perClaim = {};
    const html = await renderHtml(r);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('data-plot-id="width-law/pass-rate-vs-m"');
    expect(html).toContain('id="claim-a_b_c"');
  });
});

describe('renderHtml: report defects of issue 13', () => {
  test('several arXiv identifiers become one link each', async () => {
    const r = sampleReport();
    r.claims[0].arxiv = '2206.00939, 2502.16977';
    const page = await renderHtml(r);
    expect(page).toContain('<a href="https://arxiv.org/abs/2206.00939">2206.00939</a>, <a href="https://arxiv.org/abs/2502.16977">2502.16977</a>');
  });

  test('a collected report says its timing was not measured', async () => {
    const r = sampleReport();
    r.timing = { ...r.timing, wallSeconds: 0, workers: 1, perClaim: {} };
    const page = await renderHtml(r);
    expect(page).toContain('Timing not measured');
    expect(page).not.toMatch(/0 s wall time/);
  });
});
