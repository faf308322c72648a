/**
 * Interruption test of report directories (issue 13): runs real flowcheck commands that write a
 * report directory and kills them right after their K-th file operation, for every K, with
 * SIGKILL and with SIGINT, through the FLOWCHECK_TEST_FILEOP hook (src/report/_internals/fileOps.ts;
 * no timing involved). After each kill the output directory must be unchanged or hold one complete
 * run (report.json, report.md and report.html of the same run), or, only while the swap is half
 * done, be absent with a complete copy beside it; the next run into the same directory must take
 * over the dead run's lock, recover, and leave exactly its own complete run with no leftovers.
 *
 *   node --import tsx scripts/interrupt-test.ts            # merge and sweep scenarios
 *
 * Prints one line per case and a summary; exits 1 on any violation.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleReport } from '../src/report/fixtures.test-helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'flowcheck.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcheck-interrupt-'));

function inputReport(name: string, startedAt: string): string {
  const r = sampleReport();
  r.timing.startedAt = startedAt;
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(r));
  return dir;
}

const A = inputReport('input-A', '2025-01-01T00:00:00.000Z');
const B = inputReport('input-B', '2025-02-02T00:00:00.000Z');

interface Scenario {
  name: string;
  /** The run before the interrupted one (null: the directory does not exist yet). */
  previous: ((out: string) => string[]) | null;
  run: (out: string) => string[];
}

const scenarios: Scenario[] = [
  { name: 'merge over a previous run', previous: (out) => ['merge', out, A], run: (out) => ['merge', out, B] },
  { name: 'merge into a new directory', previous: null, run: (out) => ['merge', out, B] },
  { name: 'sweep over a previous run', previous: (out) => ['merge', out, A], run: (out) => ['sweep', '--claim', 'width-law', '--vary', 'm=1..2', '--trials', '2', '--out', out] },
];

function flowcheck(args: string[], env: Record<string, string> = {}): { status: number | null; signal: string | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

/** 'absent', or the run's startedAt when report.json, .md and .html are all present and of one run; else a description of the damage. */
function state(dir: string): string {
  if (!fs.existsSync(dir)) return 'absent';
  const files = ['report.json', 'report.md', 'report.html'];
  const missing = files.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) return `INCOMPLETE (missing ${missing.join(', ')})`;
  let started: string;
  try {
    started = (JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as { timing: { startedAt: string } }).timing.startedAt;
  } catch {
    return 'INCOMPLETE (report.json unreadable)';
  }
  for (const f of ['report.md', 'report.html']) {
    if (!fs.readFileSync(path.join(dir, f), 'utf8').includes(started)) return `MIXED (${f} is not of the run in report.json, started ${started})`;
  }
  return started;
}

function leftovers(dir: string): string[] {
  const base = path.basename(dir);
  return fs.readdirSync(path.dirname(dir)).filter((n) => n.startsWith(`.${base}.`));
}

let cases = 0;
let failures = 0;
const states = new Map<string, number>();
for (const sc of scenarios) {
  // the SIGKILL pass finds how many file operations the run has; the SIGINT pass covers the
  // same ones (a SIGINT during the synchronous commit lets the commit finish: a complete run)
  let ops = Infinity;
  for (const signal of ['SIGKILL', 'SIGINT']) {
    for (let k = 1; k <= ops; k++) {
      const out = path.join(work, `out-${cases}`, 'latest');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      if (sc.previous) {
        const p = flowcheck(sc.previous(out));
        if (p.status !== 0 && p.status !== 1) throw new Error(`previous run failed: ${p.stderr}`);
      }
      const before = state(out);
      const r = flowcheck(sc.run(out), { FLOWCHECK_TEST_FILEOP: `kill:${k}:${signal}` });
      // exit 0 or 1 (the merged report's own verdict status): the run completed
      const killed = r.signal !== null || r.status === 130;
      const after = state(out);
      const problems: string[] = [];
      let kind: string;
      if (after === before) kind = 'unchanged';
      else if (after === 'absent') {
        kind = 'absent mid-swap';
        if (!leftovers(out).some((n) => n.includes('.ready-'))) problems.push('absent without a complete copy beside it');
      } else if (/^(INCOMPLETE|MIXED)/.test(after)) {
        kind = after;
        problems.push(after);
      } else kind = 'new run';
      // the next run takes over the lock, recovers and writes its own complete run
      const next = flowcheck(sc.run(out));
      const final = state(out);
      if (next.status !== 0 && next.status !== 1) problems.push(`next run failed (${next.status}): ${next.stderr.split('\n')[0]}`);
      else if (/^(absent|INCOMPLETE|MIXED)/.test(final)) problems.push(`after the next run: ${final}`);
      const left = leftovers(out);
      if (left.length > 0) problems.push(`leftovers after the next run: ${left.join(', ')}`);
      cases++;
      states.set(kind, (states.get(kind) ?? 0) + 1);
      if (problems.length > 0) failures++;
      console.log(`${problems.length > 0 ? 'FAIL' : 'ok  '} ${sc.name}, ${signal} after file operation ${k}: ${killed ? kind : `not killed (exit ${r.status}, all operations done): ${kind}`}${problems.length > 0 ? ` -- ${problems.join('; ')}` : ''}`);
      if (!killed && signal === 'SIGKILL') ops = k;
    }
  }
}
fs.rmSync(work, { recursive: true, force: true });
console.log(`\n${cases} interruption cases, ${failures} violations; states: ${[...states].map(([k, v]) => `${k} ${v}`).join(', ')}`);
process.exitCode = failures > 0 ? 1 : 0;
