/**
 * npm run power: the suite's power against its own planted false statements, and its false-
 * rejection rate, measured over many root seeds at the ci budget (not a timed test).
 *
 * For each root seed of POWER_SEEDS (disjoint from the CI seed 20261122 and from every claim's
 * named calibration seeds, which claims draw from 9000-9999 or name explicitly), it runs
 * `verify --budget ci --no-edge` and records per claim: the verdict, and per mutant: killed or
 * not. It prints and saves (reports/power/power.json, power.md) per claim the number of
 * rejections and inconclusives of the true claim (must be <= its alpha and ~0), and per mutant
 * the rejection rate with its 95% Clopper-Pearson interval (goal >= 0.95).
 *
 *   npm run power -- [--seeds 20] [--claims a,b] [--workers 2] [--first 1001] [--out reports/power]
 * The table is rewritten after every seed (an interrupted run keeps the seeds it finished).
 */
import fs from 'node:fs';
import path from 'node:path';
import { verify } from '../src/runner/verify.ts';
import { clopperPearson } from '../src/stats/clopperPearson.ts';
import { CLAIMS } from '../src/claims/registry.ts';
import { FAMILY_ALPHA } from '../src/runner/finalize.ts';
import { writeFileAtomic } from '../src/report/atomicWrite.ts';

function arg(name: string, def: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 && process.argv[k + 1] !== undefined ? process.argv[k + 1] : def;
}

const nSeeds = Number(arg('seeds', '20'));
const first = Number(arg('first', '1001'));
const claims = arg('claims', '') === '' ? undefined : arg('claims', '').split(',');
const workers = Number(arg('workers', '2'));
if (!Number.isInteger(nSeeds) || nSeeds < 1) throw new Error('--seeds: expected an integer >= 1');
const POWER_SEEDS = Array.from({ length: nSeeds }, (_, k) => first + k);

type Row = { claim: string; seeds: number; accept: number; reject: number; inconclusive: number; errors: number; alpha: number; mutants: Record<string, { killed: number; runs: number }> };
const rows = new Map<string, Row>();
const t0 = Date.now();
const ci = (k: number, n: number): string => {
  const iv = clopperPearson(k, n, 0.95);
  return `${(k / n).toFixed(2)} [${iv.lower.toFixed(2)}, ${iv.upper.toFixed(2)}]`;
};
async function writeTable(done: number[]): Promise<void> {
  const lines: string[] = [];
  lines.push(`| claim | seeds | rejected | inconclusive | errors | mutant | mutant rejection rate (95% CI) |`, '|---|---|---|---|---|---|---|');
  for (const r of rows.values()) {
    const ms = Object.entries(r.mutants);
    if (ms.length === 0) lines.push(`| ${r.claim} | ${r.seeds} | ${r.reject} | ${r.inconclusive} | ${r.errors} | (none declared) | |`);
    ms.forEach(([id, m], k) => lines.push(`| ${k === 0 ? r.claim : ''} | ${k === 0 ? r.seeds : ''} | ${k === 0 ? r.reject : ''} | ${k === 0 ? r.inconclusive : ''} | ${k === 0 ? r.errors : ''} | ${id} | ${ci(m.killed, m.runs)} |`));
}
const md = `# flowcheck power (ci budget, root seeds ${done[0]}..${done[done.length - 1]} (${done.length} of ${POWER_SEEDS.length} requested), ${((Date.now() - t0) / 60000).toFixed(1)} min)\n\n${lines.join('\n')}\n`;
if (done.length === POWER_SEEDS.length) process.stdout.write(md);
const dir = arg('out', path.join('reports', 'power'));
fs.mkdirSync(dir, { recursive: true });
await writeFileAtomic(path.join(dir, 'power.json'), JSON.stringify({ seeds: done, requestedSeeds: POWER_SEEDS, budget: 'ci', claims: [...rows.values()] }, null, 1));
await writeFileAtomic(path.join(dir, 'power.md'), md);
}

const done: number[] = [];
for (const seed of POWER_SEEDS) {
  const rep = await verify({ claims, seed, budget: 'ci', counterexampleDir: null, workers, skipEdge: true });
  for (const c of rep.claims) {
    let r = rows.get(c.id);
    if (r === undefined) {
      r = { claim: c.id, seeds: 0, accept: 0, reject: 0, inconclusive: 0, errors: 0, alpha: FAMILY_ALPHA / CLAIMS.length, mutants: {} };
      rows.set(c.id, r);
    }
    r.seeds++;
    r[c.verdict]++;
    if (c.error !== null || c.measurementErrors.length > 0) r.errors++;
    for (const m of c.mutants) {
      const mm = (r.mutants[m.id] ??= { killed: 0, runs: 0 });
      mm.runs++;
      if (m.killed) mm.killed++;
    }
  }
  process.stderr.write(`[power] seed ${seed}: ${rep.claims.map((c) => `${c.id} ${c.verdict} ${c.mutants.filter((m) => m.killed).length}/${c.mutants.length}`).join(', ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  done.push(seed);
  // the table is rewritten after every seed, so an interrupted run keeps what it measured
  await writeTable(done);
}

