import { InputError } from '../core/errors.ts';
import type { ClaimResult, Report, Timing } from './report.types.ts';
import { validateReport } from './validate.ts';
import { summarizeReport } from '../runner/finalize.ts';

export interface MergeOptions {
  /**
   * Claim order of the merged report, used only when the shards' run.claims differ
   * (each shard listing just its own claims). Default: the shards' lists concatenated
   * in shard order.
   */
  order?: string[];
}

/**
 * Merges the reports of the shards of one sharded run into the report a single run would
 * have written. Shards split the run by whole claims.
 *
 * - run: must agree on everything but `shard` and `command` (seed, budget, error rates,
 *   multiple-testing method, kind, versions); the merged run has `shard: null` and the
 *   first shard's command without its `--shard` option.
 * - claims: in the order of run.claims (when every shard lists the whole run there, each
 *   listed claim must come from exactly one shard); a claim in two shards is an error.
 * - summary: counts recomputed from the verdicts; asExpected is the conjunction and
 *   exitCode the maximum over the shards (both are per-claim conditions).
 * - timing: startedAt earliest, finishedAt latest, wallSeconds the maximum (shards run in
 *   parallel), workers the sum, perClaim the union.
 * When shards carry shard info, the indices must be exactly 1..total; reports without shard
 * info must share run.command (one run split otherwise, e.g. collected per test shard).
 *
 * @throws InputError when the reports are not shards of one run, or are invalid
 *
 * @example
 *   const merged = mergeReports([shard1, shard2]);
 */
export function mergeReports(reports: Report[], options: MergeOptions = {}): Report {
  const FN = 'mergeReports';
  if (!Array.isArray(reports) || reports.length === 0) throw new InputError(FN, 'reports', reports, 'a non-empty array of reports');
  reports.forEach((r, k) => {
    try {
      validateReport(r);
    } catch (err) {
      throw new InputError(FN, `reports[${k}]`, r, `a valid report (${(err as Error).message})`);
    }
  });

  const shards = orderShards(reports);
  const first = shards[0];
  const same: [string, (r: Report) => unknown][] = [
    ['schemaVersion', (r) => r.schemaVersion],
    ['kind', (r) => r.kind],
    ['flowcheckVersion', (r) => r.flowcheckVersion],
    ['run.seed', (r) => r.run.seed],
    ['run.budget', (r) => r.run.budget],
    ['run.alpha', (r) => r.run.alpha],
    ['run.beta', (r) => r.run.beta],
    ['run.multipleTesting', (r) => r.run.multipleTesting],
  ];
  for (const [field, get] of same) {
    const want = get(first);
    shards.forEach((r, k) => {
      if (get(r) !== want) {
        throw new InputError(FN, `${field} of shard ${shardName(r, k)}`, get(r), `${JSON.stringify(want)} like the other shards (not the same run)`);
      }
    });
  }

  const byId = new Map<string, { claim: ClaimResult; from: string }>();
  shards.forEach((r, k) => {
    for (const c of r.claims) {
      const seen = byId.get(c.id);
      if (seen !== undefined) {
        throw new InputError(FN, `claim ${JSON.stringify(c.id)}`, `in shards ${seen.from} and ${shardName(r, k)}`, 'each claim in exactly one shard');
      }
      byId.set(c.id, { claim: c, from: shardName(r, k) });
    }
  });

  const lists = shards.map((r) => r.run.claims);
  const fullLists = lists.every((l) => sameList(l, lists[0]));
  let order: string[];
  if (fullLists) {
    order = [...lists[0]];
    for (const id of order) {
      if (!byId.has(id)) throw new InputError(FN, `claim ${JSON.stringify(id)}`, 'in no shard', 'every claim of run.claims in some shard (a shard is missing?)');
    }
  } else {
    order = options.order !== undefined ? [...options.order] : dedupe(lists.flat());
  }
  for (const id of byId.keys()) {
    if (!order.includes(id)) throw new InputError(FN, `claim ${JSON.stringify(id)}`, 'not in the claim order', 'listed in run.claims');
  }
  const claims = order.filter((id) => byId.has(id)).map((id) => byId.get(id)!.claim);

  return {
    schemaVersion: first.schemaVersion,
    kind: first.kind,
    flowcheckVersion: first.flowcheckVersion,
    run: { ...first.run, claims: order, shard: null, command: withoutShardOption(first.run.command) },
    claims,
    summary: summarizeReport(claims),
    timing: mergeTiming(shards.map((r) => r.timing)),
  };
}

/** Sorts shards by index and checks they are exactly shards 1..total of one split. */
function orderShards(reports: Report[]): Report[] {
  const withInfo = reports.filter((r) => r.run.shard !== null);
  if (withInfo.length === 0) {
    // Unsharded reports merge only when they come from one run split some other way (e.g. the
    // property tests' per-shard collections: same command); two separate runs (different
    // commands, e.g. different --claims) do not make one run's report.
    const cmd = reports[0].run.command;
    reports.forEach((r, k) => {
      if (r.run.command !== cmd) {
        throw new InputError('mergeReports', `run.command of report #${k + 1}`, r.run.command, `${JSON.stringify(cmd)} like report #1: unsharded reports of different runs are not shards of one run (run with --shard i/N to split a run)`);
      }
    });
    return [...reports];
  }
  if (withInfo.length !== reports.length) {
    throw new InputError('mergeReports', 'run.shard', 'a mix of sharded and unsharded reports', 'all reports from the shards of one run');
  }
  const total = reports[0].run.shard!.total;
  const sorted = [...reports].sort((a, b) => a.run.shard!.index - b.run.shard!.index);
  sorted.forEach((r, k) => {
    const s = r.run.shard!;
    if (s.total !== total) throw new InputError('mergeReports', `run.shard.total of shard ${s.index}`, s.total, `${total} like the other shards`);
    if (s.index !== k + 1) {
      throw new InputError('mergeReports', 'run.shard.index', sorted.map((x) => x.run.shard!.index).join(','), `each of 1..${total} exactly once`);
    }
  });
  if (sorted.length !== total) throw new InputError('mergeReports', 'reports', `${sorted.length} shards`, `all ${total} shards`);
  return sorted;
}

function shardName(r: Report, k: number): string {
  return r.run.shard === null ? `#${k + 1}` : `${r.run.shard.index}/${r.run.shard.total}`;
}

function mergeTiming(ts: Timing[]): Timing {
  const earliest = ts.reduce((a, b) => (Date.parse(b.startedAt) < Date.parse(a.startedAt) ? b : a));
  const latest = ts.reduce((a, b) => (Date.parse(b.finishedAt) > Date.parse(a.finishedAt) ? b : a));
  const perClaim: Record<string, number> = {};
  for (const t of ts) Object.assign(perClaim, t.perClaim);
  return {
    startedAt: earliest.startedAt,
    finishedAt: latest.finishedAt,
    wallSeconds: Math.max(...ts.map((t) => t.wallSeconds)),
    workers: ts.reduce((s, t) => s + t.workers, 0),
    perClaim,
  };
}

/** Drops `--shard i/n` or `--shard=i/n` from a command line. */
export function withoutShardOption(command: string): string {
  return command.replace(/\s+--shard(?:=|\s+)\S+/g, '');
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
