import { describe, expect, test, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from './main.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => void (out += s), (s) => void (err += s));
  return { code, out, err };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcheck-cli-'));
function file(name: string, content: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, content);
  return p;
}

const GOOD = {
  X: [
    [1, 0],
    [0, 2],
  ],
  y: [1, -1.5],
  W0: [
    [0.001, 0.002],
    [0.002, -0.001],
  ],
  a0: [0.002, -0.002],
  dynamics: { kind: 'gd', eta: 0.1, steps: 50 },
};

describe('flowcheck simulate: bad input exits 2, names the field, prints no result', () => {
  const cases: [string, string[], RegExp][] = [
    ['negative width', ['simulate', '--m', '-1'], /--m.*-1.*integer >= 1/],
    ['NaN init scale', ['simulate', '--init-scale', 'NaN'], /--init-scale.*NaN/],
    ['zero steps size', ['simulate', '--dynamics', 'gd', '--eta', '0'], /--eta/],
    ['unknown loss', ['simulate', '--loss', 'hinge'], /hinge|loss/],
    ['missing config file', ['simulate', '--config', '/nonexistent/x.json'], /--config.*nonexistent/],
  ];
  for (const [name, argv, re] of cases) {
    test(name, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.out).toBe('');
    });
  }

  test('malformed JSON', async () => {
    const r = await run('simulate', '--config', file('bad.json', '{"X": [[1,2]], '));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/JSON/);
    expect(r.out).toBe('');
  });

  const instanceCases: [string, object, RegExp][] = [
    ['W0 columns != d', { ...GOOD, W0: [[0.1, 0.2, 0.3]], a0: [0.1] }, /instance\.W0\[0\].*d = 2/],
    ['y length != n', { ...GOOD, y: [1] }, /instance\.y.*n = 2/],
    ['a0 length != m', { ...GOOD, a0: [1, 2, 3] }, /instance\.a0.*m = 2/],
    ['unknown enum value', { ...GOOD, loss: 'hinge' }, /instance\.loss.*hinge.*square/],
    ['unknown field', { ...GOOD, lr: 0.1 }, /unknown field "lr"/],
    ['Infinity in X (1e999)', JSON.parse(JSON.stringify(GOOD).replace('"X":[[1,0]', '"X":[[1e999,0]')), /X\[0\]\[0\].*finite|X/],
    ['negative eta', { ...GOOD, dynamics: { kind: 'gd', eta: -1, steps: 5 } }, /instance\.dynamics/],
  ];
  for (const [name, inst, re] of instanceCases) {
    test(`config: ${name}`, async () => {
      const text = name.startsWith('Infinity') ? JSON.stringify(GOOD).replace('[[1,0]', '[[1e999,0]') : JSON.stringify(inst);
      const r = await run('simulate', '--config', file(`c-${name.replace(/\W+/g, '_')}.json`, text));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.out).toBe('');
    });
  }

  test('an array with one bad instance runs none of them', async () => {
    const r = await run('simulate', '--json', '--config', file('arr.json', JSON.stringify([GOOD, { ...GOOD, y: [1] }])));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/instance\[1\]\.y/);
    expect(r.out).toBe('');
  });
});

describe('flowcheck simulate: results', () => {
  test('--config with an explicit instance prints the summary fields', async () => {
    const r = await run('simulate', '--json', '--config', file('good.json', JSON.stringify(GOOD)));
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    for (const k of ['initialLoss', 'finalLoss', 'paramNormSq', 'stableRank', 'tEnd', 'steps', 'diverged']) expect(s).toHaveProperty(k);
    expect(s.steps).toBe(50);
    expect(s.finalLoss).toBeLessThan(s.initialLoss);
  });

  test('--trials K reports per-trial results and the success fraction', async () => {
    const r = await run('simulate', '--json', '--n', '6', '--m', '12', '--init-scale', '1e-4', '--t-end', '400', '--trials', '4', '--seed', '3');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.trials).toBe(4);
    expect(s.results).toHaveLength(4);
    expect(s.successRate).toBe(s.results.filter((x: { success: boolean }) => x.success).length / 4);
  });

  test('the same flags give bit-identical numbers', async () => {
    const a = await run('simulate', '--json', '--n', '5', '--m', '4', '--seed', '9');
    const b = await run('simulate', '--json', '--n', '5', '--m', '4', '--seed', '9');
    expect(a.out).toBe(b.out);
  });

  test('a diverging gradient descent is reported, not thrown', async () => {
    const r = await run('simulate', '--json', '--n', '4', '--m', '4', '--init-scale', '1', '--dynamics', 'gd', '--eta', '1e6', '--steps', '100');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.diverged).toBe(true);
    expect(typeof s.divergeReason).toBe('string');
  });
});

describe('flowcheck verify / replay / list', () => {
  test('unknown claim id lists the valid ones, exit 2', async () => {
    const r = await run('verify', '--claims', 'nope', '--out', path.join(tmp, 'r'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope.*zero-loss.*width-law/);
  });

  test('bad seed and bad shard exit 2', async () => {
    expect((await run('verify', '--seed', '-3')).code).toBe(2);
    expect((await run('verify', '--shard', '3/2')).code).toBe(2);
  });

  test('list --json has every claim with paper and regime', async () => {
    const r = await run('list', '--json');
    const rows = JSON.parse(r.out) as { id: string; paper: string; regime: string }[];
    expect(rows.map((x) => x.id)).toContain('zero-loss');
    for (const x of rows) {
      expect(x.paper.length).toBeGreaterThan(0);
      expect(x.regime.length).toBeGreaterThan(0);
    }
  });

  test('replay of a malformed fixture names the field, exit 2', async () => {
    const f = file('cx.json', JSON.stringify({ format: 'flowcheck-counterexample/1', claim: 'zero-loss', kind: 'edge', name: 'x', claimSeed: 1, trialSeed: 'seven', params: {}, observation: {} }));
    const r = await run('replay', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/trialSeed/);
  });

  test('replay of a missing file exits 2', async () => {
    const r = await run('replay', '/nonexistent.json');
    expect(r.code).toBe(2);
  });
});

describe('report re-rendering', () => {
  let dir: string;
  beforeAll(() => {
    dir = path.join(tmp, 'rr');
    fs.mkdirSync(dir, { recursive: true });
  });
  test('report DIR without report.json exits 2 naming the file', async () => {
    const r = await run('report', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/report\.json/);
  });
});

describe('flowcheck simulate: diverged and long runs are summarised', () => {
  test('a diverging gradient descent (eta 1e300) prints its non-finite numbers as strings, exit 0', async () => {
    const r = await run('simulate', '--json', '--dynamics', 'gd', '--eta', '1e300');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.diverged).toBe(true);
    expect(s.finalLoss).toBe('NaN');
    expect(['NaN', '+Infinity']).toContain(s.paramNormSq);
  });

  test.each([['--init-scale', '1e300'], ['--weight-decay', '1e300']])('%s %s is summarised without throwing', async (flag, v) => {
    const r = await run('simulate', '--json', flag, v);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toHaveProperty('diverged');
  });

  test('a flow that runs out of steps is "budget exhausted", not diverged', async () => {
    const r = await run('simulate', '--json', '--t-end', '1e300', '--max-steps', '30');
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({ steps: 30, diverged: false, divergeReason: null, budgetExhausted: true });
    const t = await run('simulate', '--t-end', '1e300', '--max-steps', '30');
    expect(t.out).toMatch(/step budget exhausted/);
    expect(t.out).not.toMatch(/DIVERGED/);
  });

  test('--trials K streams: the same results as K single runs with the derived seeds', async () => {
    const many = JSON.parse((await run('simulate', '--json', '--trials', '3', '--n', '4', '--m', '4', '--seed', '5')).out);
    expect(many).toMatchObject({ trials: 3, requestedTrials: 3, interrupted: false });
    for (const r of many.results) {
      const one = JSON.parse((await run('simulate', '--json', '--n', '4', '--m', '4', '--seed', String(r.seed))).out);
      expect({ ...one, seed: r.seed }).toEqual(r);
    }
    expect(many.successes).toBe(many.results.filter((x: { success: boolean }) => x.success).length);
  });
});

describe('flowcheck verify: the run writes only its output directory', () => {
  test('counterexamples go to DIR/counterexamples (fixtures untouched), the report points there and its replay command runs', async () => {
    const fixtures = path.resolve('fixtures', 'counterexamples');
    const list = (d: string): string[] => (fs.existsSync(d) ? fs.readdirSync(d, { recursive: true }).map(String).sort() : []);
    const fixturesBefore = list(fixtures).map((f) => `${f} ${fs.statSync(path.join(fixtures, f)).mtimeMs}`);
    const out = path.join(tmp, 'v', 'latest');
    const r = await run('verify', '--claims', 'zero-loss', '--workers', '1', '--out', out, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const cx = report.claims[0].counterexamples as { file: string; replay: string }[];
    expect(cx.length).toBeGreaterThan(0);
    for (const x of cx) {
      expect(path.resolve(x.file).startsWith(out + path.sep)).toBe(true);
      expect(fs.existsSync(x.file)).toBe(true);
    }
    expect(fs.readdirSync(out).sort()).toEqual(['counterexamples', 'report.html', 'report.json', 'report.md']);
    expect(list(fixtures).map((f) => `${f} ${fs.statSync(path.join(fixtures, f)).mtimeMs}`)).toEqual(fixturesBefore);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['latest']);
    // the replay command written into the report runs
    const replay = await run(...(cx[0].replay.split(' ').slice(2) as string[]));
    expect(replay.code).toBe(0);
  });
});

describe('flowcheck simulate --protocol: the DBP25 authors\' protocol by flags', () => {
  test('sphere data: each trial is the run the claim makes (same seed, same steps, same final loss, same success)', async () => {
    const { runDbp25, nbEpochs } = await import('../core/dbp25.ts');
    const { deriveSeed } = await import('../core/rng.ts');
    const r = await run('simulate', '--protocol', 'dbp25-sphere', '--n', '40', '--d', '20', '--m', '30', '--trials', '4', '--seed', '11', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { results: { seed: number; finalLoss: number; steps: number; success: boolean }[]; successes: number };
    expect(doc.results).toHaveLength(4);
    doc.results.forEach((res, k) => {
      expect(res.seed).toBe(deriveSeed(11, k));
      const ref = runDbp25({ n: 40, d: 20, p: 30, data: 'sphere', seed: res.seed });
      expect(res.finalLoss).toBe(ref.traj.finalLoss);
      expect(res.steps).toBe(ref.traj.steps);
      expect(res.success).toBe(ref.converged);
    });
    expect(doc.results.every((x) => x.steps <= nbEpochs(40, 30))).toBe(true);
  });
  test('orthogonal data with the rate runs\' stopping level: converges below sum (f - y)^2 = 1e-6', async () => {
    const r = await run('simulate', '--protocol', 'dbp25-orthogonal', '--n', '32', '--d', '64', '--steps', '6800', '--stop-ssr', '1e-6', '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as { finalLoss: number; success: boolean; diverged: boolean };
    expect(res.diverged).toBe(false);
    expect(2 * 32 * res.finalLoss).toBeLessThan(1e-6);
    expect(res.success).toBe(true);
  });
});
