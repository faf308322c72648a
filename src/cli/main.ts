/**
 * The flowcheck command line (a user contract; keep it stable):
 *
 *   flowcheck list [--json]
 *   flowcheck verify [--claims a,b] [--seed S] [--budget ci|full] [--out DIR] [--json] [--shard i/N]
 *   flowcheck simulate --config FILE | flags [--json] [--trials K]
 *   flowcheck sweep --claim ID --vary m=1..32 [--vary n=8,16] [--trials N] [--out DIR]
 *   flowcheck replay FILE [--json]
 *   flowcheck promote FILE... [--to DIR] [--force]
 *   flowcheck report DIR
 *   flowcheck merge OUT DIR...
 *   flowcheck collect CLAIMS_DIR OUT
 *
 * Exit status: 0 all verdicts as expected, 1 a claim rejected in its regime (or a replay that no
 * longer matches), 2 bad input (including an unusable output location), 3 an internal error (a
 * flowcheck bug), 130 interrupted. This is the only module that parses argv or prints progress.
 *
 * Every command checks all of its inputs and its output location before computing anything: bad
 * input prints nothing on stdout and writes no file. A report directory is written as a whole
 * (src/report/reportDir.ts): it holds the files of one run at every moment, and a second run
 * into the same directory is refused while the first holds its lock.
 */
import { Command, CommanderError, Option } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { CLAIMS, claimIds, getClaim, loadClaimFile } from '../claims/registry.ts';
import { verify, VERSION, collectReport, adjustCells, selectClaims, summarizeReport, FAMILY_ALPHA } from '../runner/verify.ts';
// Loaded on first use (report writing pulls in vega; sweeps the trial runner): `--help` and
// `list` need neither.
const writeReport = async (...a: Parameters<typeof import('../report/writeReport.ts').writeReport>) => (await import('../report/writeReport.ts')).writeReport(...a);
const rerender = async (...a: Parameters<typeof import('../report/writeReport.ts').rerender>) => (await import('../report/writeReport.ts')).rerender(...a);
const readReportFile = async (...a: Parameters<typeof import('../report/writeReport.ts').readReportFile>) => (await import('../report/writeReport.ts')).readReportFile(...a);
import { mergeReports } from '../report/merge.ts';
import { validateClaimResult } from '../report/validate.ts';
import { ReportDirWriter, checkReportDir } from '../report/reportDir.ts';
import { readJsonFile } from '../report/_internals/readJson.ts';
import { shellCommand } from '../report/_internals/shellQuote.ts';
import { InputError } from '../core/errors.ts';
import { loadCounterexample, promoteCounterexample, relocateCounterexample, replayCounterexample, FIXTURE_COUNTEREXAMPLE_DIR } from '../runner/counterexample.ts';
import { defaultWorkers, parseWorkers } from '../runner/pool.ts';
import { simulateCommand, SIMULATE_FLAGS } from './simulate.ts';
const prepareSweep = async (...a: Parameters<typeof import('./sweep.ts').prepareSweep>) => (await import('./sweep.ts')).prepareSweep(...a);
const runSweep = async (...a: Parameters<typeof import('./sweep.ts').runSweep>) => (await import('./sweep.ts')).runSweep(...a);
import { createProgress } from './progress.ts';
import { DEFAULT_SEED } from './defaults.ts';
import { parseSeed } from './_internals/parse.ts';
import { installSignalHandlers, onInterrupt, safeWriter } from './_internals/signals.ts';

/** Thrown for bad command-line input; exit status 2. */
class UsageError extends Error {}

/** Claim ids from --claims: a non-empty comma-separated list of distinct registered ids. */
function parseClaimList(raw: string): string[] {
  const ids = raw.split(',').map((s) => s.trim());
  if (ids.length === 0 || ids.some((s) => s.length === 0)) throw new InputError('flowcheck verify', '--claims', raw, `a comma-separated list of claim ids without empty entries (ids: ${claimIds().join(', ')})`);
  const dup = ids.find((x, k) => ids.indexOf(x) !== k);
  if (dup !== undefined) throw new InputError('flowcheck verify', '--claims', raw, `distinct claim ids (${dup} is listed twice)`);
  for (const id of ids) checkClaimId('flowcheck verify', '--claims', id);
  return ids;
}

function checkClaimId(fn: string, field: string, id: string): void {
  try {
    getClaim(id);
  } catch {
    throw new InputError(fn, field, id, `a claim id (one of ${claimIds().join(', ')})`);
  }
}

function parseShard(v: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m) throw new InputError('flowcheck verify', '--shard', v, 'i/N with 1 <= i <= N, e.g. 2/4');
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1 || index < 1 || index > total) throw new InputError('flowcheck verify', '--shard', v, 'i/N with 1 <= i <= N');
  return { index, total };
}

/** A directory for counterexamples given explicitly: refused unless it can be a writable directory; created now. */
function prepareCounterexampleDir(dir: string): string {
  checkReportDir(dir, 'flowcheck verify', '--counterexamples', { replace: false });
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new InputError('flowcheck verify', '--counterexamples', dir, `a directory flowcheck can create and write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return dir;
}

/** Opens the run's transaction on its output directory, aborted (staging removed, lock released) on Ctrl-C. */
function openOut(dir: string, fn: string, field: string, command: string): { writer: ReportDirWriter; done(): void } {
  const writer = ReportDirWriter.open(dir, { fn, field, command });
  const remove = onInterrupt(() => writer.abort());
  return {
    writer,
    done: () => {
      writer.abort();
      remove();
    },
  };
}

export function buildProgram(out: (s: string) => void, err: (s: string) => void, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('flowcheck')
    .description('Empirical checks of theorems about two-layer (leaky) ReLU networks')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });

  program
    .command('list')
    .description('claims with paper, theorem, regime and claimed probability')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const rows = CLAIMS.map((c) => ({
        id: c.meta.id,
        paper: c.meta.paper,
        theorem: c.meta.theorem,
        arxiv: c.meta.arxiv,
        statement: c.meta.statement,
        regime: c.meta.regime,
        claimedProbability: c.claimed.text,
        edge: c.edge?.description ?? null,
        mutants: (c.mutants ?? []).map((m) => `${m.id}: ${m.statement}`),
      }));
      if (o.json) out(JSON.stringify(rows, null, 2) + '\n');
      else for (const r of rows) out(`${r.id}\n  paper: ${r.paper} (${r.theorem}; arXiv ${r.arxiv})\n  claim: ${r.statement}\n  regime: ${r.regime}\n  claimed probability: ${r.claimedProbability}\n  edge: ${r.edge ?? '-'}\n  mutants: ${r.mutants.length === 0 ? '(none)' : r.mutants.join(' | ')}\n`);
    });

  program
    .command('verify')
    .description('run claims, decide verdicts, write DIR/report.json, report.md, report.html (and DIR/counterexamples)')
    .option('--claims <ids>', 'comma-separated claim ids (default: all)')
    .option('--seed <S>', 'master seed', String(DEFAULT_SEED))
    .addOption(new Option('--budget <b>', 'trial budget').choices(['ci', 'full']).default('ci'))
    .option('--out <DIR>', 'output directory (replaced as a whole by this run)', 'reports/latest')
    .option('--shard <i/N>', 'run only shard i of N (claims dealt round-robin)')
    .option('--workers <k>', 'worker threads (default: FLOWCHECK_WORKERS or all cores)')
    .option('--counterexamples <DIR>', 'save counterexamples here instead of DIR/counterexamples (to commit one as a fixture, use `flowcheck promote FILE`)')
    .option('--no-edge', 'skip the counterexample hunt')
    .option('--json', 'print report.json to stdout')
    .option('--claim-file <FILE...>', 'also load claims defined outside flowcheck (a .ts/.js file whose default export is a defineClaim object); without --claims only these run')
    .action(async (o: { claims?: string; seed: string; budget: 'ci' | 'full'; out: string; shard?: string; workers?: string; counterexamples?: string; edge: boolean; json?: boolean; claimFile?: string[] }) => {
      // Every input first, then the output location, then the run.
      const seed = parseSeed('flowcheck verify', '--seed', o.seed);
      const external: string[] = [];
      for (const f of o.claimFile ?? []) external.push((await loadClaimFile(f)).meta.id);
      const claims = o.claims !== undefined ? parseClaimList(o.claims) : external.length > 0 ? external : undefined;
      const shard = o.shard !== undefined ? parseShard(o.shard) : null;
      if (shard !== null && selectClaims(claims, shard).length === 0) {
        throw new InputError('flowcheck verify', '--shard', o.shard, `a shard with at least one claim (${(claims ?? CLAIMS).length} claim(s) dealt over ${shard.total} shards leave shard ${shard.index} empty)`);
      }
      const workers = o.workers !== undefined ? parseWorkers(o.workers, '--workers') : defaultWorkers();
      const command = shellCommand([
        'npx',
        'flowcheck',
        'verify',
        ...(o.claimFile ?? []).flatMap((f) => ['--claim-file', f]),
        ...(o.claims !== undefined ? ['--claims', (claims ?? []).join(',')] : []),
        '--seed',
        String(seed),
        '--budget',
        o.budget,
        ...(shard ? ['--shard', `${shard.index}/${shard.total}`] : []),
      ]);
      checkReportDir(o.out, 'flowcheck verify', '--out');
      const cxDir = o.counterexamples !== undefined ? prepareCounterexampleDir(o.counterexamples) : null;
      const { writer, done } = openOut(o.out, 'flowcheck verify', '--out', command);
      try {
        const progress = createProgress(err);
        const report = await verify({
          claims,
          seed,
          budget: o.budget,
          shard,
          counterexampleDir: cxDir ?? writer.counterexampleDir,
          workers,
          command,
          skipEdge: !o.edge,
          onClaimStart: (id) => progress.start(id),
          onProgress: (id, d, t) => progress.update(id, d, t),
          onClaimEnd: (r) => progress.end(r.id, `${r.verdict.toUpperCase()} ${r.passes}/${r.trials} (${(r.passRate * 100).toFixed(1)}%, 95% CI ${r.interval.lower.toFixed(3)}-${r.interval.upper.toFixed(3)})${r.error ? ' ERROR ' + r.error : ''}`),
        });
        progress.stop();
        for (const c of report.claims) c.counterexamples = c.counterexamples.map((x) => relocateCounterexample(x, writer.staging, writer.dir));
        const files = await writeReport(o.out, report, { writer, fn: 'flowcheck verify', field: '--out' });
        if (o.json) out(JSON.stringify(report, null, 2) + '\n');
        else {
          for (const c of report.claims) out(`${c.id.padEnd(18)} ${c.verdict.toUpperCase().padEnd(12)} ${String(c.passes).padStart(5)}/${String(c.trials).padEnd(5)} claim seed ${c.seed}${c.counterexamples.length ? `  counterexamples: ${c.counterexamples.map((x) => x.file).join(', ')}` : ''}\n`);
          const sm = report.summary;
          out(`mutants killed: ${sm.mutantsKilled}/${sm.mutantsTotal}${sm.notDiscriminating.length > 0 ? `; not discriminating: ${sm.notDiscriminating.join(', ')}` : ''}\n`);
          out(`report: ${files.json}, ${files.md}, ${files.html}\n`);
          if (report.claims.some((c) => c.counterexamples.length > 0)) out(`to commit a counterexample as a fixture: npx flowcheck promote FILE (copies it to ${FIXTURE_COUNTEREXAMPLE_DIR}/)\n`);
        }
        setExit(report.summary.exitCode);
      } finally {
        done();
      }
    });

  program
    .command('mutate')
    .description("judge your own mutant (a false variant of a registered claim's statement) by the claim's own test on the claim's own trials; exit 0 killed, 1 survived")
    .requiredOption('--claim <id>', 'claim id')
    .requiredOption('--mutant <FILE>', 'a .ts/.js file whose default export (or `mutant`) is a Mutant: { id, statement, rationale, prediction | criterion | cellPredicted | study }')
    .option('--seed <S>', 'master seed', String(DEFAULT_SEED))
    .addOption(new Option('--budget <b>', 'trial budget').choices(['ci', 'full']).default('ci'))
    .option('--claim-file <FILE>', 'load the claim from this file first (for claims defined outside flowcheck)')
    .option('--json', 'print the mutant result as JSON')
    .action(async (o: { claim: string; mutant: string; seed: string; budget: 'ci' | 'full'; claimFile?: string; json?: boolean }) => {
      const seed = parseSeed('flowcheck mutate', '--seed', o.seed);
      if (o.claimFile !== undefined) await loadClaimFile(o.claimFile);
      checkClaimId('flowcheck mutate', '--claim', o.claim);
      const { mutateClaim } = await import('../runner/mutate.ts');
      const r = await mutateClaim(o.claim, o.mutant, { seed, budget: o.budget });
      if (o.json) out(JSON.stringify(r, null, 2) + '\n');
      else out(`${o.claim} / mutant ${r.id}: ${r.killed ? 'KILLED' : 'SURVIVED'}\n  statement: ${r.statement}\n  test: ${r.test}\n  evidence: ${r.evidence}\n`);
      setExit(r.killed ? 0 : 1);
    });

  const sim = program.command('simulate').description('simulate one trajectory (or K trials) from flags or --config FILE');
  for (const f of SIMULATE_FLAGS) sim.addOption(f);
  sim.action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
    const given = new Set(Object.keys(o).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
    const code = await simulateCommand(o, out, { given, err });
    setExit(code);
  });

  program
    .command('sweep')
    .description('pass rate of a claim over a parameter grid')
    .requiredOption('--claim <id>', 'claim id')
    .option('--vary <spec...>', 'parameter grid, e.g. m=1..32 or n=8,16,32 (repeatable)')
    .option('--trials <N>', 'trials per cell', '40')
    .option('--seed <S>', 'master seed', String(DEFAULT_SEED))
    .option('--out <DIR>', 'output directory (replaced as a whole by this run)', 'reports/sweep')
    .option('--json', 'print report.json to stdout')
    .action(async (o: { claim: string; vary?: string[]; trials: string; seed: string; out: string; json?: boolean }) => {
      const plan = await prepareSweep({ claim: o.claim, vary: o.vary ?? [], trials: o.trials, seed: parseSeed('flowcheck sweep', '--seed', o.seed) });
      checkReportDir(o.out, 'flowcheck sweep', '--out');
      const { writer, done } = openOut(o.out, 'flowcheck sweep', '--out', 'flowcheck sweep');
      try {
        const report = await runSweep(plan, err);
        const files = await writeReport(o.out, report, { writer, fn: 'flowcheck sweep', field: '--out' });
        if (o.json) out(JSON.stringify(report, null, 2) + '\n');
        else out(`report: ${files.json}, ${files.md}, ${files.html}\n`);
        setExit(0);
      } finally {
        done();
      }
    });

  program
    .command('replay')
    .description('re-run a saved counterexample exactly and compare with the recorded numbers')
    .argument('<FILE>')
    .option('--json', 'print JSON')
    .action((file: string, o: { json?: boolean }) => {
      const r = replayCounterexample(file);
      if (o.json) out(JSON.stringify({ file: r.file, claim: r.claim, stillFails: r.stillFails, observationMatches: r.observationMatches, summaryMatches: r.summaryMatches, observation: r.outcome.observation, summary: r.summary, mismatches: r.mismatches }, null, 2) + '\n');
      else {
        out(`${r.file} (${r.claim})\n`);
        out(`observation: ${JSON.stringify(r.outcome.observation)}\n`);
        if (r.summary) out(`trajectory: ${JSON.stringify(r.summary)}\n`);
        out(`statement still fails: ${r.stillFails}; observation identical: ${r.observationMatches}; trajectory identical: ${r.summaryMatches ?? 'n/a'}\n`);
        for (const m of r.mismatches) out(`  mismatch ${m}\n`);
      }
      setExit(r.stillFails && r.observationMatches && r.summaryMatches !== false ? 0 : 1);
    });

  program
    .command('promote')
    .description(`copy counterexamples of a run (DIR/counterexamples/...) into the committed fixtures (${FIXTURE_COUNTEREXAMPLE_DIR}/<claim>/), which npm test replays`)
    .argument('<FILES...>')
    .option('--to <DIR>', 'fixture directory', FIXTURE_COUNTEREXAMPLE_DIR)
    .option('--force', 'replace an existing fixture with different content')
    .action(async (files: string[], o: { to: string; force?: boolean }) => {
      checkReportDir(o.to, 'flowcheck promote', '--to', { replace: false });
      // every file is checked (as replay checks it) before any is copied
      for (const f of files) loadCounterexample(f);
      const lines: string[] = [];
      for (const f of files) {
        const r = await promoteCounterexample(f, o.to, o.force === true);
        lines.push(`${r.status}: ${r.target}\n`);
      }
      for (const l of lines) out(l);
      setExit(0);
    });

  program
    .command('report')
    .description('re-render report.md and report.html from DIR/report.json')
    .argument('<DIR>')
    .action(async (dir: string) => {
      const files = await rerender(dir);
      out(`report: ${files.md}, ${files.html}\n`);
      setExit(0);
    });

  program
    .command('collect')
    .description('build a report from per-claim results written by the property tests (reports/claims/*.json)')
    .argument('<CLAIMS_DIR>')
    .argument('<OUT>')
    .option('--seed <S>', 'run seed the tests used', String(DEFAULT_SEED))
    .addOption(new Option('--budget <b>', 'budget the tests used').choices(['ci', 'full']).default('ci'))
    .action(async (dir: string, outDir: string, o: { seed: string; budget: 'ci' | 'full' }) => {
      const seed = parseSeed('flowcheck collect', '--seed', o.seed);
      checkClaimResults(dir);
      checkReportDir(outDir, 'flowcheck collect', 'OUT');
      const { writer, done } = openOut(outDir, 'flowcheck collect', 'OUT', 'flowcheck collect');
      try {
        const report = collectReport(dir, seed, o.budget);
        const files = await writeReport(outDir, report, { writer, fn: 'flowcheck collect', field: 'OUT' });
        out(`report: ${files.json}, ${files.md}, ${files.html}\n`);
        for (const c of report.claims) out(`${c.id.padEnd(18)} ${c.verdict.toUpperCase().padEnd(12)} ${c.passes}/${c.trials}\n`);
        setExit(0);
      } finally {
        done();
      }
    });

  program
    .command('merge')
    .description('merge shard reports (DIR/report.json each) into OUT')
    .argument('<OUT>')
    .argument('<DIRS...>')
    .action(async (outDir: string, dirs: string[]) => {
      const reports = [];
      for (const d of dirs) reports.push(await readReportFile(d, 'flowcheck merge'));
      const merged = mergeReports(reports);
      // Holm over the cells of all shards together, as in an unsharded run.
      adjustCells(merged.claims, FAMILY_ALPHA / CLAIMS.length);
      merged.summary = summarizeReport(merged.claims);
      checkReportDir(outDir, 'flowcheck merge', 'OUT');
      const { writer, done } = openOut(outDir, 'flowcheck merge', 'OUT', 'flowcheck merge');
      try {
        const files = await writeReport(outDir, merged, { writer, fn: 'flowcheck merge', field: 'OUT' });
        out(`report: ${files.json}\n`);
        setExit(merged.summary.exitCode);
      } finally {
        done();
      }
    });

  return program;
}

/**
 * collect: CLAIMS_DIR is a directory and every registered claim's result file in it is valid
 * (schema + invariants) and names its claim, before anything is built or written.
 */
function checkClaimResults(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new InputError('flowcheck collect', 'CLAIMS_DIR', dir, 'a directory of <claim>.json results (run npm test first)');
  }
  if (!st.isDirectory()) throw new InputError('flowcheck collect', 'CLAIMS_DIR', dir, 'a directory of <claim>.json results (it is a file)');
  let found = 0;
  for (const id of claimIds()) {
    const f = path.join(dir, `${id}.json`);
    if (!fs.existsSync(f)) continue;
    found++;
    const v = readJsonFile(f, 'flowcheck collect', f);
    try {
      validateClaimResult(v);
    } catch (e) {
      const issues = (e as { issues?: { path: string; message: string }[] }).issues ?? [];
      const first = issues[0];
      throw new InputError('flowcheck collect', first ? `${f}: ${first.path || '/'}` : f, first ? valueAtPointer(v, first.path) : v, first ? `a valid claim result (${first.message}${issues.length > 1 ? `; and ${issues.length - 1} more problems` : ''})` : 'a valid claim result');
    }
    if ((v as { id: string }).id !== id) throw new InputError('flowcheck collect', `${f}: /id`, (v as { id: string }).id, `${JSON.stringify(id)} (the file's name)`);
  }
  if (found === 0) throw new InputError('flowcheck collect', 'CLAIMS_DIR', dir, 'a directory with at least one <claim>.json result (run npm test first)');
}

/** The value at a JSON pointer ('/cells/0/passes'), or undefined. */
function valueAtPointer(root: unknown, pointer: string): unknown {
  let v = root;
  for (const s of pointer.split('/').filter((x) => x.length > 0)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

/**
 * Runs the CLI; resolves to the exit status. With the default writers (the real command line)
 * it also handles Ctrl-C (cleanup, exit 130) and a closed stdout (EPIPE: output stops, the command
 * finishes).
 */
export async function main(argv: string[], out?: (s: string) => void, err?: (s: string) => void): Promise<number> {
  const real = out === undefined && err === undefined;
  const o = out ?? safeWriter(process.stdout);
  const e = err ?? safeWriter(process.stderr);
  if (real) installSignalHandlers(e);
  let code = 0;
  const program = buildProgram(o, e, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (x) {
    if (x instanceof CommanderError) {
      if (x.code === 'commander.helpDisplayed' || x.code === 'commander.version' || x.exitCode === 0) return 0;
      return 2;
    }
    if (x instanceof InputError || x instanceof UsageError || (x instanceof Error && x.name === 'ReportValidationError')) {
      e(`${x.message.startsWith('flowcheck') ? '' : 'flowcheck: '}${x.message}\n`);
      return 2;
    }
    e(`flowcheck: internal error: ${x instanceof Error ? (x.stack ?? x.message) : String(x)}\n`);
    return 3;
  }
}
