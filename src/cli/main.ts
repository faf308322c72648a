/**
 * The flowcheck command line (a user contract; keep it stable):
 *
 *   flowcheck list [--json]
 *   flowcheck verify [--claims a,b] [--seed S] [--budget ci|full] [--out DIR] [--json] [--shard i/N]
 *   flowcheck simulate --config FILE | flags [--json] [--trials K]
 *   flowcheck sweep --claim ID --vary m=1..32 [--vary n=8,16] [--trials N] [--out DIR]
 *   flowcheck replay FILE [--json]
 *   flowcheck report DIR
 *   flowcheck merge OUT DIR...
 *
 * Exit status: 0 all verdicts as expected, 1 a claim rejected in its regime (or a replay that no
 * longer matches), 2 bad input. This is the only module that parses argv or prints progress.
 */
import { Command, CommanderError, Option } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { CLAIMS, loadClaimFile } from '../claims/registry.ts';
import { verify, VERSION, collectReport, adjustCells, summarizeReport, FAMILY_ALPHA } from '../runner/verify.ts';
// Loaded on first use (report writing pulls in vega; sweeps the trial runner): `--help` and
// `list` need neither.
const writeReport = async (...a: Parameters<typeof import('../report/writeReport.ts').writeReport>) => (await import('../report/writeReport.ts')).writeReport(...a);
const rerender = async (...a: Parameters<typeof import('../report/writeReport.ts').rerender>) => (await import('../report/writeReport.ts')).rerender(...a);
import { mergeReports } from '../report/merge.ts';
import { validateReport } from '../report/validate.ts';
import { InputError } from '../core/errors.ts';
import { replayCounterexample } from '../runner/counterexample.ts';
import { simulateCommand, SIMULATE_FLAGS } from './simulate.ts';
const sweepCommand = async (...a: Parameters<typeof import('./sweep.ts').sweepCommand>) => (await import('./sweep.ts')).sweepCommand(...a);
import { createProgress } from './progress.ts';
import { DEFAULT_SEED } from './defaults.ts';

/** Thrown for bad command-line input; exit status 2. */
class UsageError extends Error {}

function parseSeed(v: string): number {
  const s = Number(v);
  if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new InputError('flowcheck', '--seed', v, 'an integer in [0, 2^32 - 1]');
  return s;
}

function parseShard(v: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m) throw new InputError('flowcheck', '--shard', v, 'i/N with 1 <= i <= N, e.g. 2/4');
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1 || index < 1 || index > total) throw new InputError('flowcheck', '--shard', v, 'i/N with 1 <= i <= N');
  return { index, total };
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
    .description('run claims, decide verdicts, write DIR/report.json, report.md, report.html')
    .option('--claims <ids>', 'comma-separated claim ids (default: all)')
    .option('--seed <S>', 'master seed', String(DEFAULT_SEED))
    .addOption(new Option('--budget <b>', 'trial budget').choices(['ci', 'full']).default('ci'))
    .option('--out <DIR>', 'output directory', 'reports/latest')
    .option('--shard <i/N>', 'run only shard i of N (claims dealt round-robin)')
    .option('--workers <k>', 'worker threads (default: FLOWCHECK_WORKERS or all cores)')
    .option('--counterexamples <DIR>', 'where to save counterexamples', 'fixtures/counterexamples')
    .option('--no-edge', 'skip the counterexample hunt')
    .option('--json', 'print report.json to stdout')
    .option('--claim-file <FILE...>', 'also load claims defined outside flowcheck (a .ts/.js file whose default export is a defineClaim object); without --claims only these run')
    .action(async (o: { claims?: string; seed: string; budget: 'ci' | 'full'; out: string; shard?: string; workers?: string; counterexamples: string; edge: boolean; json?: boolean; claimFile?: string[] }) => {
      const seed = parseSeed(o.seed);
      const external: string[] = [];
      for (const f of o.claimFile ?? []) external.push((await loadClaimFile(f)).meta.id);
      const claims = o.claims !== undefined ? o.claims.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : external.length > 0 ? external : undefined;
      const shard = o.shard ? parseShard(o.shard) : null;
      let workers: number | undefined;
      if (o.workers !== undefined) {
        workers = Number(o.workers);
        if (!Number.isInteger(workers) || workers < 1) throw new InputError('flowcheck', '--workers', o.workers, 'an integer >= 1');
      }
      const command = ['npx flowcheck verify', ...(o.claimFile ?? []).map((f) => `--claim-file ${JSON.stringify(f)}`), o.claims ? `--claims ${o.claims}` : '', `--seed ${seed}`, `--budget ${o.budget}`, shard ? `--shard ${o.shard}` : ''].filter(Boolean).join(' ');
      const progress = createProgress(err);
      const report = await verify({
        claims,
        seed,
        budget: o.budget,
        shard,
        counterexampleDir: o.counterexamples,
        workers,
        command,
        skipEdge: !o.edge,
        onClaimStart: (id) => progress.start(id),
        onProgress: (id, d, t) => progress.update(id, d, t),
        onClaimEnd: (r) => progress.end(r.id, `${r.verdict.toUpperCase()} ${r.passes}/${r.trials} (${(r.passRate * 100).toFixed(1)}%, 95% CI ${r.interval.lower.toFixed(3)}-${r.interval.upper.toFixed(3)})${r.error ? ' ERROR ' + r.error : ''}`),
      });
      progress.stop();
      const files = await writeReport(o.out, report);
      if (o.json) out(JSON.stringify(report, null, 2) + '\n');
      else {
        for (const c of report.claims) out(`${c.id.padEnd(18)} ${c.verdict.toUpperCase().padEnd(12)} ${String(c.passes).padStart(5)}/${String(c.trials).padEnd(5)} claim seed ${c.seed}${c.counterexamples.length ? `  counterexamples: ${c.counterexamples.map((x) => x.file).join(', ')}` : ''}\n`);
        const sm = report.summary;
        out(`mutants killed: ${sm.mutantsKilled}/${sm.mutantsTotal}${sm.notDiscriminating.length > 0 ? `; not discriminating: ${sm.notDiscriminating.join(', ')}` : ''}\n`);
        out(`report: ${files.json}, ${files.md}, ${files.html}\n`);
      }
      setExit(report.summary.exitCode);
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
      if (o.claimFile !== undefined) await loadClaimFile(o.claimFile);
      const { mutateClaim } = await import('../runner/mutate.ts');
      const r = await mutateClaim(o.claim, o.mutant, { seed: parseSeed(o.seed), budget: o.budget });
      if (o.json) out(JSON.stringify(r, null, 2) + '\n');
      else out(`${o.claim} / mutant ${r.id}: ${r.killed ? 'KILLED' : 'SURVIVED'}\n  statement: ${r.statement}\n  test: ${r.test}\n  evidence: ${r.evidence}\n`);
      setExit(r.killed ? 0 : 1);
    });

  const sim = program.command('simulate').description('simulate one trajectory (or K trials) from flags or --config FILE');
  for (const f of SIMULATE_FLAGS) sim.addOption(f);
  sim.action(async (o: Record<string, string | boolean | undefined>) => {
    const code = await simulateCommand(o, out);
    setExit(code);
  });

  program
    .command('sweep')
    .description('pass rate of a claim over a parameter grid')
    .requiredOption('--claim <id>', 'claim id')
    .option('--vary <spec...>', 'parameter grid, e.g. m=1..32 or n=8,16,32 (repeatable)')
    .option('--trials <N>', 'trials per cell', '40')
    .option('--seed <S>', 'master seed', String(DEFAULT_SEED))
    .option('--out <DIR>', 'output directory', 'reports/sweep')
    .option('--json', 'print report.json to stdout')
    .action(async (o: { claim: string; vary?: string[]; trials: string; seed: string; out: string; json?: boolean }) => {
      const report = await sweepCommand({ claim: o.claim, vary: o.vary ?? [], trials: o.trials, seed: parseSeed(o.seed) }, err);
      const files = await writeReport(o.out, report);
      if (o.json) out(JSON.stringify(report, null, 2) + '\n');
      else out(`report: ${files.json}, ${files.md}, ${files.html}\n`);
      setExit(0);
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
    .option('--budget <b>', 'budget the tests used', 'ci')
    .action(async (dir: string, outDir: string, o: { seed: string; budget: string }) => {
      const report = collectReport(dir, parseSeed(o.seed), o.budget === 'full' ? 'full' : 'ci');
      const files = await writeReport(outDir, report);
      out(`report: ${files.json}, ${files.md}, ${files.html}\n`);
      for (const c of report.claims) out(`${c.id.padEnd(18)} ${c.verdict.toUpperCase().padEnd(12)} ${c.passes}/${c.trials}\n`);
      setExit(0);
    });

  program
    .command('merge')
    .description('merge shard reports (DIR/report.json each) into OUT')
    .argument('<OUT>')
    .argument('<DIRS...>')
    .action(async (outDir: string, dirs: string[]) => {
      const reports = dirs.map((d) => {
        const f = path.join(d, 'report.json');
        if (!fs.existsSync(f)) throw new InputError('flowcheck merge', 'DIR', d, 'a directory with report.json');
        return validateReport(JSON.parse(fs.readFileSync(f, 'utf8')));
      });
      const merged = mergeReports(reports);
      // Holm over the cells of all shards together, as in an unsharded run.
      adjustCells(merged.claims, FAMILY_ALPHA / CLAIMS.length);
      merged.summary = summarizeReport(merged.claims);
      const files = await writeReport(outDir, merged);
      out(`report: ${files.json}\n`);
      setExit(merged.summary.exitCode);
    });

  return program;
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[], out = (s: string) => void process.stdout.write(s), err = (s: string) => void process.stderr.write(s)): Promise<number> {
  let code = 0;
  const program = buildProgram(out, err, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      return 2;
    }
    if (e instanceof InputError || e instanceof UsageError || (e instanceof Error && e.name === 'ReportValidationError')) {
      err(`flowcheck: ${e.message}\n`);
      return 2;
    }
    err(`flowcheck: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 3;
  }
}
