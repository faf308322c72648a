import { describe, expect, test } from 'vitest';
import { verify } from './verify.ts';
import { mergeReports } from '../report/merge.ts';
import type { Report } from '../report/report.types.ts';

/** The report without its timing key (the only part allowed to differ between runs). */
function untimed(r: Report): Omit<Report, 'timing'> {
  const { timing: _t, ...rest } = r;
  return JSON.parse(JSON.stringify(rest));
}

describe('verify: results do not depend on workers or sharding', () => {
  const claims = ['zero-loss', 'weakly-interacting-convergence'];
  const seed = 777;

  test('two worker threads give the same report as one; shards merge to the unsharded counts', async () => {
    const base = { claims, seed, budget: 'ci' as const, counterexampleDir: null, skipEdge: true };
    const one = await verify({ ...base, workers: 1 });
    const two = await verify({ ...base, workers: 2 });
    expect(untimed(two)).toEqual(untimed(one));

    const s1 = await verify({ ...base, workers: 1, shard: { index: 1, total: 2 } });
    const s2 = await verify({ ...base, workers: 1, shard: { index: 2, total: 2 } });
    expect(s1.claims.map((c) => c.id)).toEqual(['zero-loss']);
    expect(s2.claims.map((c) => c.id)).toEqual(['weakly-interacting-convergence']);
    const merged = mergeReports([s1, s2], { order: claims });
    for (const c of one.claims) {
      const m = merged.claims.find((x) => x.id === c.id);
      expect(m, c.id).toBeDefined();
      expect({ trials: m!.trials, passes: m!.passes, verdict: m!.verdict, cells: m!.cells.map((x) => [x.trials, x.passes]) }).toEqual({
        trials: c.trials,
        passes: c.passes,
        verdict: c.verdict,
        cells: c.cells.map((x) => [x.trials, x.passes]),
      });
    }
    expect(merged.summary).toEqual(one.summary);
  });
});
