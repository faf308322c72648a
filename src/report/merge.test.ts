import { summarizeReport } from '../runner/finalize.ts';
import { describe, expect, test } from 'vitest';
import { InputError } from '../core/errors.ts';
import { sampleReport } from './fixtures.test-helpers.ts';
import { mergeReports, withoutShardOption } from './merge.ts';
import type { Report } from './report.types.ts';
import { validateReport } from './validate.ts';

/**
 * The report shard `index` of `total` would write for the claims `ids` of `single`'s run:
 * same run settings, its own claims, summary and timing, `--shard i/n` in its command.
 * With `fullList` its run.claims lists the whole run, else only its own claims.
 */
function shardOf(single: Report, ids: string[], index: number, total: number, fullList = true): Report {
  const claims = single.claims.filter((c) => ids.includes(c.id));
  const asExpected = claims.every((c) => c.asExpected);
  const perClaim: Record<string, number> = {};
  for (const id of ids) perClaim[id] = single.timing.perClaim[id];
  return {
    ...structuredClone(single),
    run: {
      ...single.run,
      claims: fullList ? [...single.run.claims] : single.run.claims.filter((id) => ids.includes(id)),
      shard: { index, total },
      command: `${single.run.command} --shard ${index}/${total}`,
    },
    claims: structuredClone(claims),
    summary: { ...summarizeReport(claims), asExpected, exitCode: asExpected ? 0 : 1 },
    timing: {
      startedAt: `2025-06-01T12:00:0${index}.000Z`,
      finishedAt: `2025-06-01T12:00:3${index}.000Z`,
      wallSeconds: 30 + index,
      workers: 2,
      perClaim,
    },
  };
}

/** The sample, optionally with its second claim not as expected (summary updated). */
function single(failing: boolean): Report {
  const r = sampleReport();
  if (failing) {
    Object.assign(r.claims[1], { verdict: 'inconclusive', asExpected: false });
    Object.assign(r.summary, { accepted: 1, inconclusive: 1, asExpected: false, exitCode: 1 });
  }
  return validateReport(r);
}

describe('mergeReports', () => {
  test.each([false, true])('merging the shards gives the single run\'s run, claims and summary (a claim failing: %s)', (failing) => {
    const one = single(failing);
    const [a, b, c] = one.run.claims;
    // Shards in an order different from the run's, each with claims out of run order.
    const merged = mergeReports([shardOf(one, [b], 2, 2), shardOf(one, [c, a], 1, 2)]);
    expect(merged.claims).toEqual(one.claims);
    expect(merged.summary).toEqual(one.summary);
    expect(merged.run).toEqual(one.run);
    expect(() => validateReport(merged)).not.toThrow();
  });

  test('timing: earliest start, latest finish, max wall time, summed workers, every claim timed', () => {
    const one = single(false);
    const [a, b, c] = one.run.claims;
    const s1 = shardOf(one, [a, c], 1, 2);
    const s2 = shardOf(one, [b], 2, 2);
    const t = mergeReports([s1, s2]).timing;
    expect(t.startedAt).toBe(s1.timing.startedAt);
    expect(t.finishedAt).toBe(s2.timing.finishedAt);
    expect(t.wallSeconds).toBe(Math.max(s1.timing.wallSeconds, s2.timing.wallSeconds));
    expect(t.workers).toBe(s1.timing.workers + s2.timing.workers);
    expect(t.perClaim).toEqual(one.timing.perClaim);
  });

  test('shards listing only their own claims merge in the given order, else in shard order', () => {
    const one = single(false);
    const [a, b, c] = one.run.claims;
    const shards = [shardOf(one, [a, c], 1, 2, false), shardOf(one, [b], 2, 2, false)];
    expect(mergeReports(shards, { order: one.run.claims }).claims).toEqual(one.claims);
    expect(mergeReports(shards).claims.map((x) => x.id)).toEqual([a, c, b]);
  });

  test('a single unsharded report merges to itself (but for timing)', () => {
    const one = single(true);
    const merged = mergeReports([one]);
    expect({ ...merged, timing: null }).toEqual({ ...one, timing: null });
  });

  const bad: [string, (one: Report) => Report[], RegExp][] = [
    ['different seeds', (one) => [shardOf(one, [one.run.claims[0]], 1, 2), { ...shardOf(one, one.run.claims.slice(1), 2, 2), run: { ...shardOf(one, one.run.claims.slice(1), 2, 2).run, seed: 999 } }], /run\.seed/],
    ['different budgets', (one) => [shardOf(one, [one.run.claims[0]], 1, 2), { ...shardOf(one, one.run.claims.slice(1), 2, 2), run: { ...shardOf(one, one.run.claims.slice(1), 2, 2).run, budget: 'full' } }], /run\.budget/],
    ['a claim in two shards', (one) => [shardOf(one, one.run.claims.slice(0, 2), 1, 2), shardOf(one, one.run.claims.slice(1), 2, 2)], /in shards 1\/2 and 2\/2/],
    ['a missing shard', (one) => [shardOf(one, [one.run.claims[0]], 1, 3), shardOf(one, one.run.claims.slice(1), 2, 3)], /all 3 shards/],
    ['a shard twice', (one) => [shardOf(one, [one.run.claims[0]], 1, 2), shardOf(one, one.run.claims.slice(1), 1, 2)], /each of 1\.\.2 exactly once/],
    ['a claim of run.claims in no shard', (one) => [shardOf(one, [one.run.claims[0]], 1, 2), shardOf(one, [one.run.claims[1]], 2, 2)], /in no shard/],
    ['sharded mixed with unsharded', (one) => [shardOf(one, [one.run.claims[0]], 1, 2), { ...one, claims: [], summary: { ...one.summary, accepted: 0, rejected: 0 } }], /mix of sharded and unsharded/],
    ['no reports', () => [], /non-empty array/],
  ];
  test.each(bad)('refuses %s', (_name, make, message) => {
    const one = single(false);
    expect(() => mergeReports(make(one))).toThrow(InputError);
    expect(() => mergeReports(make(one))).toThrow(message);
  });

  test('refuses an invalid shard, naming it', () => {
    const one = single(false);
    const s2 = shardOf(one, one.run.claims.slice(1), 2, 2);
    (s2.claims[0] as { verdict: string }).verdict = 'maybe';
    expect(() => mergeReports([shardOf(one, [one.run.claims[0]], 1, 2), s2])).toThrow(/reports\[1\].*\/claims\/0\/verdict/s);
  });
});

describe('withoutShardOption', () => {
  test('drops --shard i/n and --shard=i/n wherever they are', () => {
    expect(withoutShardOption('flowcheck verify --shard 2/4 --seed 1')).toBe('flowcheck verify --seed 1');
    expect(withoutShardOption('flowcheck verify --seed 1 --shard=2/4')).toBe('flowcheck verify --seed 1');
    expect(withoutShardOption('flowcheck verify --seed 1')).toBe('flowcheck verify --seed 1');
  });
});

describe('mergeReports: unsharded reports of different runs', () => {
  test('two runs with different commands (e.g. different --claims) are refused, naming run.command', () => {
    const one = single(false);
    const a = { ...structuredClone(one), claims: structuredClone(one.claims.slice(0, 1)), run: { ...one.run, claims: [one.run.claims[0]], command: 'npx flowcheck verify --claims a' } };
    const b = { ...structuredClone(one), claims: structuredClone(one.claims.slice(1)), run: { ...one.run, claims: one.run.claims.slice(1), command: 'npx flowcheck verify --claims b' } };
    a.summary = summarizeReport(a.claims);
    b.summary = summarizeReport(b.claims);
    expect(() => mergeReports([a, b])).toThrow(/run\.command of report #2.*different runs/);
    // the same split with one command (one run collected per test shard) merges
    b.run.command = a.run.command;
    expect(mergeReports([a, b]).claims.map((c) => c.id)).toEqual(one.claims.map((c) => c.id));
  });
});
