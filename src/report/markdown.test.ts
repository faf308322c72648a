import { describe, expect, test } from 'vitest';
import { sampleReport } from './fixtures.test-helpers.ts';
import { renderMarkdown } from './markdown.ts';

/** Rows of the first Markdown table in `md` (header and separator excluded), split into cells. */
function firstTableRows(md: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| claim |'));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    rows.push(lines[i].slice(2, -2).split(/(?<!\\) \| /));
  }
  return rows;
}

describe('renderMarkdown', () => {
  test('the verdict table has one row per claim with its marker, expectation, rate, trials and claimed P', () => {
    const r = sampleReport();
    const rows = firstTableRows(renderMarkdown(r));
    expect(rows.length).toBe(r.claims.length);
    rows.forEach((cells, k) => {
      const c = r.claims[k];
      expect(cells.length).toBe(7);
      expect(cells[0]).toBe(c.id);
      expect(cells[2]).toBe(c.verdict.toUpperCase());
      expect(cells[3]).toBe('yes');
      expect(cells[4]).toBe(`${c.passRate.toFixed(3)} [${c.interval.lower.toFixed(3)}, ${c.interval.upper.toFixed(3)}]`);
      expect(cells[5]).toBe(String(c.trials));
      expect(cells[6]).toBe(c.claimedProbability === null ? 'per cell' : String(c.claimedProbability));
    });
  });

  test('states the run: seed, budget and the command that reproduces it, and links report.html', () => {
    const r = sampleReport();
    const md = renderMarkdown(r);
    expect(md).toContain(`seed ${r.run.seed}`);
    expect(md).toContain(`budget ${r.run.budget}`);
    expect(md).toContain(`\`\`\`sh\n${r.run.command}\n\`\`\``);
    expect(md).toContain('](report.html)');
  });

  test('each counterexample has its replay command in a shell block; failures show their seeds', () => {
    const r = sampleReport();
    const md = renderMarkdown(r);
    const replays = r.claims.flatMap((c) => c.counterexamples.map((x) => x.replay));
    expect(replays.length).toBeGreaterThan(0);
    for (const cmd of replays) expect(md).toContain(`\`\`\`sh\n${cmd}\n\`\`\``);
    for (const c of r.claims) for (const f of c.failures.slice(0, 5)) expect(md).toContain(`| ${f.trial} | ${f.seed} |`);
  });

  test('lists only the first few failures of a claim with many', () => {
    const r = sampleReport();
    const c = r.claims[2];
    c.failures = Array.from({ length: 12 }, (_, i) => ({ trial: i, seed: 1000 + i, observation: { i } }));
    const md = renderMarkdown(r);
    expect(md).toContain('| 4 | 1004 |');
    expect(md).not.toContain('| 5 | 1005 |');
    expect(md).toContain('first 5 of 12');
  });

  test('grid claims get a cells table with one row per cell and every column', () => {
    const r = sampleReport();
    const grid = r.claims.find((c) => c.cells.length > 0)!;
    const md = renderMarkdown(r);
    const header = '| nPos | nNeg | m | trials | passes | rate | 95% CI | predicted | p | adjusted p | agrees |';
    expect(md).toContain(header);
    const lines = md.split('\n');
    const start = lines.indexOf(header);
    const body = lines.slice(start + 2).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('|')));
    expect(body.length).toBe(grid.cells.length);
    body.forEach((line, k) => expect(line).toContain(`| ${grid.cells[k].params.m} | ${grid.cells[k].trials} | ${grid.cells[k].passes} |`));
  });

  test('per claim: statement, regime, departures, metrics and tables', () => {
    const r = sampleReport();
    const md = renderMarkdown(r);
    for (const c of r.claims) {
      expect(md).toContain(`## ${c.id}: ${c.title}`);
      expect(md).toContain(`> ${c.statement}`);
      expect(md).toContain(`- Regime: ${c.regime}`);
      for (const d of c.departures) expect(md).toContain(d);
      for (const k of Object.keys(c.metrics)) expect(md).toContain(`| ${k} |`);
      for (const t of c.tables) expect(md).toContain(`| ${t.columns.join(' | ')} |`);
    }
  });

  test('verdicts not as expected, inconclusive verdicts and errors are spelled out', () => {
    const r = sampleReport();
    Object.assign(r.claims[1], { verdict: 'inconclusive', asExpected: false, error: 'worker crashed: out of memory' });
    Object.assign(r.summary, { accepted: 1, inconclusive: 1, asExpected: false, exitCode: 1 });
    const md = renderMarkdown(r);
    const row = firstTableRows(md)[1];
    expect(row[2]).toBe('INCONCLUSIVE');
    expect(row[3]).toBe('NO (expected ACCEPT)');
    expect(md).toContain('NOT as expected');
    expect(md).toContain('worker crashed: out of memory');
  });

  test('pipes and newlines in text cannot break a table row', () => {
    const r = sampleReport();
    r.claims[0].theorem = 'Thm 1 | Cor 2\nsecond line';
    const rows = firstTableRows(renderMarkdown(r));
    expect(rows[0].length).toBe(7);
    expect(rows[0][1]).toContain('Thm 1 \\| Cor 2 second line');
  });

  test('uses no emoji', () => {
    expect(renderMarkdown(sampleReport())).not.toMatch(/\p{Extended_Pictographic}/u);
  });
});

describe('renderMarkdown: report defects of issue 13', () => {
  test('a claim citing several papers links each arXiv abstract, never one URL with a comma', () => {
    const r = sampleReport();
    r.claims[0].arxiv = '2206.00939, 2502.16977';
    const md = renderMarkdown(r);
    expect(md).toContain('[2206.00939](https://arxiv.org/abs/2206.00939), [2502.16977](https://arxiv.org/abs/2502.16977)');
    expect(md).not.toMatch(/arxiv\.org\/abs\/[^)\s]*(,|%2C)/);
  });

  test('a collected report (no measured timing) says so instead of "0 s wall time on 1 worker"', () => {
    const r = sampleReport();
    r.timing = { ...r.timing, wallSeconds: 0, workers: 1, perClaim: {} };
    const md = renderMarkdown(r);
    expect(md).toContain('Timing not measured');
    expect(md).not.toMatch(/0 s wall time/);
    // a measured run keeps its timing line
    expect(renderMarkdown(sampleReport())).toMatch(/s wall time on \d+ worker/);
  });

  test("an exact-cell claim's trials without the event are not listed as failing trials", () => {
    const r = sampleReport();
    const grid = r.claims.find((c) => c.cells.length > 0);
    expect(grid).toBeDefined();
    (grid as NonNullable<typeof grid>).failures = [{ trial: 3, seed: 7, observation: { interpolated: false } }];
    const section = renderMarkdown(r).split(`## ${(grid as NonNullable<typeof grid>).id}:`)[1].split('\n## ')[0];
    expect(section).toContain('**Trials without the event**');
    expect(section).not.toContain('**Failing trials**');
  });
});
