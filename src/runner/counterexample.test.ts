import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { getClaim } from '../claims/registry.ts';
import { judgeTrial } from '../claims/claim.ts';
import { loadCounterexample, paramsOutsideDomain, promoteCounterexample, relocateCounterexample, replayCounterexample, saveCounterexample } from './counterexample.ts';
import { trialParams } from './trial.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcheck-cx-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A regime trial of zero-loss saved exactly as runClaim saves it. */
async function saveRegime(dir: string, index = 2): Promise<Awaited<ReturnType<typeof saveCounterexample>>> {
  const claim = getClaim('zero-loss');
  const claimSeed = 777;
  const { seed, params } = trialParams(claim, claimSeed, index);
  const outcome = judgeTrial(claim, params as never, seed);
  return saveCounterexample(dir, { claim: 'zero-loss', kind: 'regime', name: `regime-trial-${index}`, claimSeed, trialSeed: seed, fcSeed: null, fcPath: null, params, outcome, statement: 's' });
}

describe('saved counterexamples', () => {
  test('a regime counterexample saved by flowcheck loads and replays to the same observation', async () => {
    const x = await saveRegime(path.join(tmp, 'run1'));
    expect(fs.existsSync(x.file)).toBe(true);
    expect(loadCounterexample(x.file).kind).toBe('regime');
    expect(replayCounterexample(x.file).observationMatches).toBe(true);
  });

  test('the replay command is quoted: a path with spaces and quotes pastes into a shell', async () => {
    const x = await saveRegime(path.join(tmp, "dir with 'quotes' and spaces"));
    expect(x.replay).toBe(`npx flowcheck replay '${path.relative(process.cwd(), x.file).replace(/'/g, `'\\''`)}'`);
  });

  test('an unwritable directory does not throw the trials away: the file goes to the temporary directory and the summary says so', async () => {
    const file = path.join(tmp, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const x = await saveRegime(file);
    expect(x.summary).toMatch(/could not be saved to .*not-a-dir.*saved to .* instead/);
    expect(fs.existsSync(path.resolve(x.file))).toBe(true);
    expect(path.resolve(x.file).startsWith(os.tmpdir())).toBe(true);
    fs.rmSync(path.resolve(x.file));
  });

  test('relocate: an entry under the staging directory points into the output directory after the swap', () => {
    const staging = path.join(tmp, '.latest.tmp-1');
    const out = path.join(tmp, 'latest');
    const x = { name: 'n', file: path.relative(process.cwd(), path.join(staging, 'counterexamples', 'zero-loss', 'n.json')), summary: 's', replay: 'r' };
    const moved = relocateCounterexample(x, staging, out);
    expect(path.resolve(moved.file)).toBe(path.join(out, 'counterexamples', 'zero-loss', 'n.json'));
    expect(moved.replay).toContain('npx flowcheck replay ');
    const elsewhere = { ...x, file: 'fixtures/x.json' };
    expect(relocateCounterexample(elsewhere, staging, out)).toEqual(elsewhere);
  });

  test('promote copies once, reports an identical copy as unchanged, and keeps a different fixture unless forced', async () => {
    const x = await saveRegime(path.join(tmp, 'run2'), 5);
    const to = path.join(tmp, 'fixtures');
    expect((await promoteCounterexample(x.file, to)).status).toBe('added');
    expect((await promoteCounterexample(x.file, to)).status).toBe('unchanged');
    const target = path.join(to, 'zero-loss', 'regime-trial-5.json');
    fs.writeFileSync(target, '{}');
    await expect(promoteCounterexample(x.file, to)).rejects.toThrow(/--force/);
    expect((await promoteCounterexample(x.file, to, true)).status).toBe('replaced');
    expect(fs.readFileSync(target, 'utf8')).toBe(fs.readFileSync(x.file, 'utf8'));
  });
});

describe('paramsOutsideDomain: values the arbitrary can generate', () => {
  const rec = fc.record({ n: fc.integer({ min: 1, max: 8 }), kind: fc.constantFrom('a', 'b') });
  test('a record of integer ranges and constants: exact (canShrinkWithoutContext)', () => {
    expect(paramsOutsideDomain(rec, { n: 8, kind: 'b' })).toBeNull();
    expect(paramsOutsideDomain(rec, { n: 9, kind: 'b' })?.key).toBe('n');
  });

  test('a mapped or chained arbitrary: keys, types and the sampled range', () => {
    const mapped = fc.record({ n: fc.integer({ min: 1, max: 10 }).map((k) => 20 * k), seed: fc.integer({ min: 0, max: 1000 }) });
    expect(paramsOutsideDomain(mapped, { n: 80, seed: 3 })).toBeNull();
    expect(paramsOutsideDomain(mapped, { n: 1e7, seed: 3 })).toMatchObject({ key: 'n', expected: expect.stringMatching(/integer in \[20, 200\]/) });
    expect(paramsOutsideDomain(mapped, { n: 40, seed: 1.5 })?.key).toBe('seed');
    expect(paramsOutsideDomain(mapped, { n: 40, seed: 3, extra: 1 })?.key).toBe('extra');
    expect(paramsOutsideDomain(mapped, { n: 40 })?.key).toBe('seed');
  });
});
