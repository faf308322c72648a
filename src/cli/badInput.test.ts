/**
 * Bad input, table-driven, over every command and every kind of input file (issue 13). Each case
 * runs the command line in process (buildProgram through main) and must:
 * - exit 2 (never 3, an internal error; never 0 or 1, silently accepted),
 * - print a message on stderr naming the field (the pattern of the case),
 * - print nothing on stdout,
 * - write no file (the sandbox, which holds every input and output path, is unchanged).
 * The process runs inside a fresh sandbox directory, so default outputs (reports/latest,
 * reports/sweep) land there too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from './main.ts';
import { sampleReport } from '../report/fixtures.test-helpers.ts';
import { CLAIMS, getClaim } from '../claims/registry.ts';
import { drawParams } from '../runner/drawParams.ts';
import { trialParams } from '../runner/trial.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const FIXTURES = path.join(REPO, 'fixtures', 'counterexamples');

let sandbox: string;
let cwd0: string;

/** Every entry under dir with its size and modification time (what "no file written" compares). */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${e.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`);
      if (e.isDirectory() && !e.isSymbolicLink()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

function write(rel: string, content: string): string {
  const p = path.join(sandbox, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

function dir(rel: string): string {
  const p = path.join(sandbox, rel);
  fs.mkdirSync(p, { recursive: true });
  return p;
}

const GOOD_INSTANCE = { X: [[1, 0], [0, 2]], y: [1, -1.5], W0: [[0.001, 0.002], [0.002, -0.001]], a0: [0.002, -0.002], dynamics: { kind: 'gd', eta: 0.1, steps: 50 } };

function fixture(rel: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, rel), 'utf8')) as Record<string, unknown>;
}
const WIDTH_FIX = 'width-law/n1-m1-seed0.json';
const ZERO_FIX = 'zero-loss/ratio-n5-m4-lam1e-1-rho5-seed996.json';

/** A counterexample file derived from a committed fixture with some fields changed. */
function cx(name: string, base: string, change: (f: Record<string, unknown>) => void): string {
  const f = fixture(base);
  change(f);
  return write(`cx/${name}.json`, JSON.stringify(f));
}

/** A regime counterexample exactly as runClaim saves one (trial 3 of zero-loss), then changed. */
function regimeCx(name: string, change: (f: Record<string, unknown>) => void): string {
  const claim = getClaim('zero-loss');
  const claimSeed = 123456;
  const { seed, params } = trialParams(claim, claimSeed, 3);
  const f: Record<string, unknown> = { format: 'flowcheck-counterexample/1', claim: 'zero-loss', kind: 'regime', name: 'regime-trial-3', statement: 's', claimSeed, trialSeed: seed, fcSeed: null, fcPath: null, params, observation: { why: 'x' }, instance: null, observed: null };
  change(f);
  return write(`cx/${name}.json`, JSON.stringify(f));
}

type Case = [name: string, argv: () => string[], field: RegExp, env?: Record<string, string>];

/** A selector parameter (index into a list of choices) swept past its range, if a registered claim has one. */
function selectorCase(): Case[] {
  for (const c of CLAIMS) {
    const p = drawParams(c.regime, 1) as Record<string, unknown>;
    const sel = Object.keys(p).find((k) => /(Sel|Idx)$/.test(k));
    if (sel !== undefined) return [[`--vary selector ${sel} out of range`, () => ['sweep', '--claim', c.meta.id, '--vary', `${sel}=99`], new RegExp(`--vary ${sel}.*selector`)]];
  }
  return [];
}

const cases: Record<string, Case[]> = {
  'any command': [
    ['unknown command', () => ['frobnicate'], /frobnicate/],
    ['unknown option', () => ['list', '--bogus'], /--bogus/],
  ],
  verify: [
    ['--claims with only a comma', () => ['verify', '--claims', ','], /--claims/],
    ['--claims empty', () => ['verify', '--claims', ''], /--claims/],
    ['--claims with a duplicate', () => ['verify', '--claims', 'zero-loss,zero-loss'], /--claims.*twice/],
    ['--claims unknown id', () => ['verify', '--claims', 'nope'], /--claims.*nope.*zero-loss/],
    ['--seed empty', () => ['verify', '--seed', ''], /--seed/],
    ['--seed negative', () => ['verify', '--seed', '-3'], /--seed.*\[0, 4294967295\]/],
    ['--seed 1e20', () => ['verify', '--seed', '1e20'], /--seed.*4294967295/],
    ['--seed hexadecimal', () => ['verify', '--seed', '0x10'], /--seed/],
    ['--seed fractional', () => ['verify', '--seed', '1.5'], /--seed/],
    ['--budget unknown', () => ['verify', '--budget', 'bogus'], /--budget/],
    ['--shard beyond total', () => ['verify', '--shard', '3/2'], /--shard/],
    ['--shard zero', () => ['verify', '--shard', '0/2'], /--shard/],
    ['--shard malformed', () => ['verify', '--shard', 'x'], /--shard/],
    ['--shard that selects no claim', () => ['verify', '--claims', 'zero-loss', '--shard', '2/2'], /--shard.*empty/],
    ['--workers zero', () => ['verify', '--workers', '0'], /--workers/],
    ['--workers not a number', () => ['verify', '--workers', 'abc'], /--workers/],
    ['--workers absurd', () => ['verify', '--workers', '100000'], /--workers.*256/],
    ['FLOWCHECK_WORKERS not a number', () => ['verify', '--claims', 'zero-loss'], /FLOWCHECK_WORKERS/, { FLOWCHECK_WORKERS: 'abc' }],
    ['FLOWCHECK_WORKERS zero', () => ['verify', '--claims', 'zero-loss'], /FLOWCHECK_WORKERS/, { FLOWCHECK_WORKERS: '0' }],
    ['--out an existing file', () => ['verify', '--out', write('afile', 'x')], /--out.*existing file/],
    ['--out under a file', () => ['verify', '--out', path.join(write('afile2', 'x'), 'sub')], /--out.*is a file/],
    ['--out empty', () => ['verify', '--out', ''], /--out/],
    ['--out a dangling symlink', () => ['verify', '--out', (fs.symlinkSync(path.join(sandbox, 'nowhere'), path.join(sandbox, 'dangling')), path.join(sandbox, 'dangling'))], /--out.*dangling/],
    ['--out whose report.md is a directory', () => ['verify', '--out', (dir('mdir/report.md'), path.join(sandbox, 'mdir'))], /--out.*report\.md/],
    ['--out holding other files', () => ['verify', '--out', (write('mine/notes.txt', 'x'), path.join(sandbox, 'mine'))], /--out.*notes\.txt/],
    ...(fs.existsSync('/proc/self') ? [['--out in /proc', () => ['verify', '--claims', 'zero-loss', '--out', '/proc/flowcheck-x'], /--out/] as Case] : []),
    ['--out locked by another run', () => ['verify', '--claims', 'zero-loss', '--out', (write('.locked.lock', JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: 'now', token: 'other', command: 'flowcheck verify' })), path.join(sandbox, 'locked'))], /--out.*locked by pid/],
    ['--counterexamples /dev/null', () => ['verify', '--claims', 'zero-loss', '--counterexamples', '/dev/null'], /--counterexamples/],
    ['--counterexamples under a file', () => ['verify', '--claims', 'zero-loss', '--counterexamples', path.join(write('afile3', 'x'), 'cx')], /--counterexamples/],
    ['--claim-file missing', () => ['verify', '--claim-file', path.join(sandbox, 'missing.ts')], /--claim-file/],
    ['--claim-file without a claim', () => ['verify', '--claim-file', write('noclaim.mjs', 'export const x = 1;\n')], /--claim-file/],
    ['--claim-file that fails to load', () => ['verify', '--claim-file', write('claimthrows.mjs', 'throw new Error("kaboom");\n')], /--claim-file.*kaboom/],
  ],
  mutate: [
    ['--claim unknown', () => ['mutate', '--claim', 'nope', '--mutant', path.join(REPO, 'examples', 'mutant.ts')], /--claim.*nope/],
    ['--claim missing', () => ['mutate', '--mutant', path.join(REPO, 'examples', 'mutant.ts')], /--claim/],
    ['--mutant missing file', () => ['mutate', '--claim', 'zero-loss', '--mutant', path.join(sandbox, 'none.ts')], /--mutant/],
    ['--seed bad', () => ['mutate', '--claim', 'zero-loss', '--mutant', path.join(REPO, 'examples', 'mutant.ts'), '--seed', 'x'], /--seed/],
    ['--mutant file without a mutant', () => ['mutate', '--claim', 'zero-loss', '--mutant', write('nomutant.mjs', 'export default { statement: "s" };\n')], /nomutant\.mjs: id/],
    ['--mutant file that fails to load', () => ['mutate', '--claim', 'zero-loss', '--mutant', write('throws.mjs', 'throw new Error("boom");\n')], /--mutant.*boom/],
  ],
  simulate: [
    ['--n hexadecimal', () => ['simulate', '--n', '0x4'], /--n.*0x4/],
    ['--protocol unknown', () => ['simulate', '--protocol', 'dbp26'], /protocol/],
    ['--protocol with --eta', () => ['simulate', '--protocol', 'dbp25-sphere', '--eta', '3'], /--eta.*with --protocol/],
    ['--protocol with --dataset', () => ['simulate', '--protocol', 'dbp25-sphere', '--dataset', 'isotropic'], /--dataset.*with --protocol/],
    ['--protocol orthogonal, d < n', () => ['simulate', '--protocol', 'dbp25-orthogonal', '--n', '10', '--d', '5'], /--d.*d >= n/],
    ['--protocol --m 0', () => ['simulate', '--protocol', 'dbp25-sphere', '--m', '0'], /--m.*>= 1/],
    ['--protocol --n 1e9: memory', () => ['simulate', '--protocol', 'dbp25-sphere', '--n', '1e9'], /--n.*needs about/],
    ['--stop-ssr negative', () => ['simulate', '--protocol', 'dbp25-sphere', '--stop-ssr', '-1'], /--stop-ssr.*> 0/],
    ['--stop-ssr without --protocol', () => ['simulate', '--stop-ssr', '1'], /--stop-ssr.*--protocol/],
    ['--n empty', () => ['simulate', '--n', ''], /--n/],
    ['--n zero', () => ['simulate', '--n', '0'], /--n.*>= 1/],
    ['--n fractional', () => ['simulate', '--n', '1.5'], /--n/],
    ['--n 1e9: memory', () => ['simulate', '--n', '1e9'], /--n.*needs about .*os\.totalmem/],
    ['--m 1e12: memory', () => ['simulate', '--m', '1e12'], /--m.*needs about .*os\.totalmem/],
    ['--n 50000 (d = n): memory', () => ['simulate', '--n', '50000'], /--n.*needs about/],
    ['--d huge', () => ['simulate', '--d', '1e13'], /--d.*needs about/],
    ['--seed 1e20', () => ['simulate', '--seed', '1e20'], /--seed.*4294967295/],
    ['--seed negative', () => ['simulate', '--seed', '-1'], /--seed/],
    ['--trials zero', () => ['simulate', '--trials', '0'], /--trials/],
    ['--trials 1e300', () => ['simulate', '--trials', '1e300'], /--trials/],
    ['--init-scale zero', () => ['simulate', '--init-scale', '0'], /--init-scale/],
    ['--init-scale NaN', () => ['simulate', '--init-scale', 'NaN'], /--init-scale.*NaN/],
    ['--init-scale Infinity', () => ['simulate', '--init-scale', 'Infinity'], /--init-scale/],
    ['--leak 1', () => ['simulate', '--activation', 'leaky', '--leak', '1'], /--leak/],
    ['--leak negative', () => ['simulate', '--activation', 'leaky', '--leak', '-0.1'], /--leak/],
    ['--leak without leaky activation', () => ['simulate', '--leak', '0.2'], /--leak.*leaky/],
    ['--weight-decay negative', () => ['simulate', '--weight-decay', '-1'], /--weight-decay/],
    ['--eta zero', () => ['simulate', '--dynamics', 'gd', '--eta', '0'], /--eta/],
    ['--steps 1e300', () => ['simulate', '--dynamics', 'gd', '--steps', '1e300'], /--steps/],
    ['--steps negative', () => ['simulate', '--dynamics', 'gd', '--steps', '-1'], /--steps/],
    ['--eta with the flow', () => ['simulate', '--eta', '0.5'], /--eta.*flow/],
    ['--t-end with gd', () => ['simulate', '--dynamics', 'gd', '--t-end', '5'], /--t-end.*gd/],
    ['--t-end zero', () => ['simulate', '--t-end', '0'], /--t-end/],
    ['--t-end 5e-324', () => ['simulate', '--t-end', '5e-324'], /--t-end.*1e-250/],
    ['--t-end 1e400 (infinite)', () => ['simulate', '--t-end', '1e400'], /--t-end/],
    ['--max-steps zero', () => ['simulate', '--max-steps', '0'], /--max-steps/],
    ['orthogonal data with d < n', () => ['simulate', '--n', '5', '--d', '3'], /--d.*d >= n/],
    ['subspace of dimension k > d', () => ['simulate', '--dataset', 'subspace', '--n', '4', '--k', '100'], /--k/],
    ['tfjs engine with the flow', () => ['simulate', '--engine', 'tfjs'], /--engine.*gd/],
    ['--dataset unknown', () => ['simulate', '--dataset', 'bogus'], /--dataset/],
    ['--success-loss zero', () => ['simulate', '--success-loss', '0'], /--success-loss/],
    ['--config missing', () => ['simulate', '--config', path.join(sandbox, 'none.json')], /--config/],
    ['--config a directory', () => ['simulate', '--config', dir('confdir')], /--config.*directory/],
    ['--config /dev/zero', () => ['simulate', '--config', '/dev/zero'], /--config.*regular/],
    ['--config malformed JSON', () => ['simulate', '--config', write('bad.json', '{"X": [[1,2]], ')], /--config.*JSON/],
    ['--config an empty array', () => ['simulate', '--config', write('empty.json', '[]')], /--config/],
    ['--config with --n', () => ['simulate', '--config', write('g1.json', JSON.stringify(GOOD_INSTANCE)), '--n', '-5'], /--n.*--config/],
    ['--config with --trials', () => ['simulate', '--config', write('g2.json', JSON.stringify(GOOD_INSTANCE)), '--trials', '0'], /--trials.*--config/],
    ['--config with --engine', () => ['simulate', '--config', write('g3.json', JSON.stringify(GOOD_INSTANCE)), '--engine', 'full'], /--engine.*--config/],
  ],
  'simulate --config (instance file)': [
    ['W0 columns != d', { ...GOOD_INSTANCE, W0: [[0.1, 0.2, 0.3]], a0: [0.1] }, /instance\.W0\[0\].*d = 2/],
    ['y length != n', { ...GOOD_INSTANCE, y: [1] }, /instance\.y.*n = 2/],
    ['a0 length != m', { ...GOOD_INSTANCE, a0: [1, 2, 3] }, /instance\.a0.*m = 2/],
    ['unknown loss', { ...GOOD_INSTANCE, loss: 'hinge' }, /instance\.loss.*hinge.*square/],
    ['unknown field', { ...GOOD_INSTANCE, lr: 0.1 }, /instance\.lr.*unknown field "lr"/],
    ['negative eta', { ...GOOD_INSTANCE, dynamics: { kind: 'gd', eta: -1, steps: 5 } }, /instance\.dynamics\.eta.*> 0/],
    ['gd steps 1.5', { ...GOOD_INSTANCE, dynamics: { kind: 'gd', eta: 0.1, steps: 1.5 } }, /instance\.dynamics\.steps.*integer/],
    ['gd without steps', { ...GOOD_INSTANCE, dynamics: { kind: 'gd', eta: 0.1 } }, /instance\.dynamics\.steps.*required/],
    ['gd steps 1e300', { ...GOOD_INSTANCE, dynamics: { kind: 'gd', eta: 0.1, steps: 1e300 } }, /instance\.dynamics\.steps/],
    ['dynamics kind unknown', { ...GOOD_INSTANCE, dynamics: { kind: 'sgd' } }, /instance\.dynamics\.kind.*"flow" or "gd"/],
    ['flow tEnd 5e-324', { ...GOOD_INSTANCE, dynamics: { kind: 'flow', tEnd: 5e-324 } }, /instance\.dynamics\.tEnd/],
    ['b0 without bias', { ...GOOD_INSTANCE, b0: [0, 0] }, /instance\.model\.bias/],
    ['outputScale unknown', { ...GOOD_INSTANCE, model: { outputScale: 'x' } }, /instance\.model\.outputScale.*1\/sqrt\(m\)/],
    ['X empty', { ...GOOD_INSTANCE, X: [] }, /instance\.X/],
    ['not an object', 42, /instance.*object/],
    ['one bad instance in an array', [GOOD_INSTANCE, { ...GOOD_INSTANCE, y: [1] }], /instance\[1\]\.y/],
  ].map(([name, inst, re]): Case => [name as string, () => ['simulate', '--json', '--config', write(`inst-${String(name).replace(/\W+/g, '_')}.json`, JSON.stringify(inst))], re as RegExp]),
  'simulate --config (non-finite numbers)': [['Infinity in X (1e999)', () => ['simulate', '--config', write('inf.json', JSON.stringify(GOOD_INSTANCE).replace('[[1,0]', '[[1e999,0]'))], /instance\.X\[0\]\[0\].*finite/]],
  sweep: [
    ['--claim unknown', () => ['sweep', '--claim', 'nope', '--vary', 'm=1..2'], /--claim.*nope/],
    ['no --vary', () => ['sweep', '--claim', 'width-law'], /--vary/],
    ['--vary without =', () => ['sweep', '--claim', 'width-law', '--vary', 'm'], /--vary/],
    ['--vary empty range', () => ['sweep', '--claim', 'width-law', '--vary', 'm=5..1'], /--vary m/],
    ['--vary huge range (counted, not expanded)', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1..99999999999'], /--vary m.*at most 200/],
    ['--vary m=1e9 (size)', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1e9'], /--vary m.*16x/],
    ['--vary unknown parameter', () => ['sweep', '--claim', 'width-law', '--vary', 'bogus=1'], /--vary.*bogus.*nPos/],
    ['--vary fractional width', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1.5'], /--vary m.*integers/],
    ['--vary below the regime', () => ['sweep', '--claim', 'width-law', '--vary', 'm=0'], /--vary m/],
    ['--vary n=0 (nPos = 0)', () => ['sweep', '--claim', 'width-law', '--vary', 'n=0'], /--vary n/],
    ['--vary 1000 x the regime (a claim with d = 1000 n^2)', () => ['sweep', '--claim', 'leaky-rank', '--vary', 'nHalf=1000'], /--vary nHalf.*16x/],
    ...selectorCase(),
    ['--vary duplicate values', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1,1'], /--vary m.*distinct/],
    ['--vary the same name twice', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1', '--vary', 'm=2'], /--vary.*once/],
    ['--vary hexadecimal value', () => ['sweep', '--claim', 'width-law', '--vary', 'm=0x4'], /--vary m/],
    ['grid too large', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1..200', '--vary', 'nPos=1..200'], /--vary.*10000 cells/],
    ['--trials zero', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1..2', '--trials', '0'], /--trials/],
    ['--trials not a number', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1..2', '--trials', 'abc'], /--trials/],
    ['--seed bad', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1..2', '--seed', 'x'], /--seed/],
    ['--out an existing file', () => ['sweep', '--claim', 'width-law', '--vary', 'm=1..2', '--trials', '1', '--out', write('sfile', 'x')], /--out.*existing file/],
  ],
  'replay (counterexample file)': [
    ['missing file', () => ['replay', path.join(sandbox, 'none.json')], /FILE.*no such file/],
    ['a directory', () => ['replay', dir('cxdir')], /FILE.*directory/],
    ['/dev/zero', () => ['replay', '/dev/zero'], /FILE.*regular/],
    ['malformed JSON', () => ['replay', write('cx/trunc.json', fs.readFileSync(path.join(FIXTURES, WIDTH_FIX), 'utf8').slice(0, 100))], /FILE.*JSON/],
    ['a JSON array', () => ['replay', write('cx/arr.json', '[]')], /object/],
    ['wrong format', () => ['replay', cx('fmt', WIDTH_FIX, (f) => (f.format = 'other/1'))], /format/],
    ['unknown claim', () => ['replay', cx('claim', WIDTH_FIX, (f) => (f.claim = 'nope'))], /claim.*nope/],
    ['unknown kind', () => ['replay', cx('kind', WIDTH_FIX, (f) => (f.kind = 'maybe'))], /kind/],
    ['trialSeed a string', () => ['replay', cx('ts1', WIDTH_FIX, (f) => (f.trialSeed = 'seven'))], /trialSeed/],
    ['trialSeed negative', () => ['replay', cx('ts2', WIDTH_FIX, (f) => (f.trialSeed = -5))], /trialSeed/],
    ['trialSeed fractional', () => ['replay', cx('ts3', WIDTH_FIX, (f) => (f.trialSeed = 1.5))], /trialSeed/],
    ['trialSeed 1e300', () => ['replay', cx('ts4', WIDTH_FIX, (f) => (f.trialSeed = 1e300))], /trialSeed/],
    ['trialSeed not the params seed', () => ['replay', cx('ts5', WIDTH_FIX, (f) => (f.trialSeed = 7))], /trialSeed.*params/],
    ['claimSeed negative', () => ['replay', cx('cs', WIDTH_FIX, (f) => (f.claimSeed = -1))], /claimSeed/],
    ['fcSeed not the edge search seed', () => ['replay', cx('fc', WIDTH_FIX, (f) => (f.fcSeed = 1))], /fcSeed/],
    ['params.m = 1e12', () => ['replay', cx('m', WIDTH_FIX, (f) => ((f.params as Record<string, unknown>).m = 1e12))], /params\.m.*integer in \[1, \d+\]/],
    ['zero-loss params.nPos = 1e7', () => ['replay', cx('npos', ZERO_FIX, (f) => ((f.params as Record<string, unknown>).nPos = 1e7))], /params\.nPos/],
    ['zero-loss params.lambdaExp out of range', () => ['replay', cx('lam', ZERO_FIX, (f) => ((f.params as Record<string, unknown>).lambdaExp = 1000))], /params\.lambdaExp/],
    ['an unknown parameter', () => ['replay', cx('extra', WIDTH_FIX, (f) => ((f.params as Record<string, unknown>).width = 3))], /params\.width.*no such parameter/],
    ['edge relabelled regime', () => ['replay', cx('relabel', WIDTH_FIX, (f) => (f.kind = 'regime'))], /name.*regime-trial/],
    ['regime trial with changed params', () => ['replay', regimeCx('rparams', (f) => ((f.params as Record<string, unknown>).m = 99))], /params\.m/],
    ['regime trial with another seed', () => ['replay', regimeCx('rseed', (f) => (f.trialSeed = 1))], /trialSeed.*deriveSeed/],
    ['invalid explicit instance', () => ['replay', cx('inst', WIDTH_FIX, (f) => ((f.instance as Record<string, unknown>).y = [1, 2, 3]))], /instance\.y/],
  ],
  promote: [
    ['missing file', () => ['promote', path.join(sandbox, 'none.json'), '--to', dir('fx1')], /FILE/],
    ['an invalid counterexample', () => ['promote', cx('p-bad', WIDTH_FIX, (f) => (f.trialSeed = -1)), '--to', dir('fx2')], /trialSeed/],
    ['--to a file', () => ['promote', path.join(FIXTURES, WIDTH_FIX), '--to', write('tofile', 'x')], /--to/],
    ['an existing different fixture', () => ['promote', path.join(FIXTURES, WIDTH_FIX), '--to', (write(`fx3/width-law/${path.basename(WIDTH_FIX)}`, '{}'), path.join(sandbox, 'fx3'))], /FILE.*--force/],
  ],
  'report (report.json)': [
    ['DIR missing', () => ['report', path.join(sandbox, 'nodir')], /report\.json does not exist/],
    ['DIR without report.json', () => ['report', dir('norep')], /report\.json does not exist/],
    ['DIR is a file', () => ['report', write('repfile', 'x')], /report\.json/],
    ['report.json is a directory', () => ['report', (dir('repdir/report.json'), path.join(sandbox, 'repdir'))], /report\.json is a directory/],
    ['report.json truncated', () => ['report', (write('trunc/report.json', JSON.stringify(sampleReport()).slice(0, 200)), path.join(sandbox, 'trunc'))], /report\.json is not valid JSON/],
    ['report.json invalid', () => ['report', (write('inval/report.json', JSON.stringify({ ...sampleReport(), kind: 'other' })), path.join(sandbox, 'inval'))], /report\.json is not a valid flowcheck report: at \/kind/],
  ],
  'merge (report.json of each DIR)': [
    ['OUT an existing file', () => ['merge', write('mfile', 'x'), goodReportDir('m1')], /OUT.*existing file/],
    ['OUT under a file', () => ['merge', path.join(write('mfile2', 'x'), 'o'), goodReportDir('m2')], /OUT.*is a file/],
    ['DIR without report.json', () => ['merge', path.join(sandbox, 'mo'), dir('mempty')], /mempty.*report\.json does not exist/],
    ['DIR with truncated report.json', () => ['merge', path.join(sandbox, 'mo'), (write('mtrunc/report.json', '{"schema'), path.join(sandbox, 'mtrunc'))], /mtrunc.*report\.json is not valid JSON/],
    ['DIR whose report.json is a directory', () => ['merge', path.join(sandbox, 'mo'), (dir('misdir/report.json'), path.join(sandbox, 'misdir'))], /misdir.*report\.json is a directory/],
    ['DIR with an invalid report', () => ['merge', path.join(sandbox, 'mo'), goodReportDir('m3'), (write('minv/report.json', JSON.stringify({ ...sampleReport(), claims: 'x' })), path.join(sandbox, 'minv'))], /minv.*report\.json is not a valid flowcheck report: at \/claims/],
    ['two unsharded runs with different claim sets', () => ['merge', path.join(sandbox, 'mo'), goodReportDir('m4'), goodReportDir('m5', (r) => ((r.run.command = 'npx flowcheck verify --claims width-law'), (r.claims = r.claims.slice(0, 1)), (r.run.claims = ['width-law']), (r.summary = { ...r.summary, accepted: 1, rejected: 0 })))], /run\.command.*different runs/],
    ['the same report twice', () => ['merge', path.join(sandbox, 'mo'), goodReportDir('m6'), goodReportDir('m7')], /claim "width-law".*exactly one shard/],
    ['no DIRS', () => ['merge', path.join(sandbox, 'mo')], /DIRS/],
  ],
  'collect (claim result files)': [
    ['CLAIMS_DIR missing', () => ['collect', path.join(sandbox, 'noclaims'), path.join(sandbox, 'co')], /CLAIMS_DIR/],
    ['CLAIMS_DIR a file', () => ['collect', write('cfile', 'x'), path.join(sandbox, 'co')], /CLAIMS_DIR.*file/],
    ['CLAIMS_DIR without results', () => ['collect', dir('cempty'), path.join(sandbox, 'co')], /CLAIMS_DIR.*at least one/],
    ['a result that is {}', () => ['collect', (write('c1/zero-loss.json', '{}'), path.join(sandbox, 'c1')), path.join(sandbox, 'co')], /zero-loss\.json: \/id.*required/],
    ['a result that is null', () => ['collect', (write('c2/zero-loss.json', 'null'), path.join(sandbox, 'c2')), path.join(sandbox, 'co')], /zero-loss\.json: \/.*object/],
    ['a result with cells: "x"', () => ['collect', (write('c3/width-law.json', JSON.stringify({ ...sampleReport().claims[0], cells: 'x' })), path.join(sandbox, 'c3')), path.join(sandbox, 'co')], /width-law\.json: \/cells.*array/],
    ['a truncated result', () => ['collect', (write('c4/zero-loss.json', '{"id": "zero'), path.join(sandbox, 'c4')), path.join(sandbox, 'co')], /zero-loss\.json.*JSON/],
    ['a result that is a directory', () => ['collect', (dir('c5/zero-loss.json'), path.join(sandbox, 'c5')), path.join(sandbox, 'co')], /zero-loss\.json.*directory/],
    ['a result of another claim', () => ['collect', (write('c6/zero-loss.json', JSON.stringify(sampleReport().claims[0])), path.join(sandbox, 'c6')), path.join(sandbox, 'co')], /zero-loss\.json: \/id.*file's name/],
    ['--budget unknown', () => ['collect', goodClaimsDir('c7'), path.join(sandbox, 'co'), '--budget', 'bogus'], /--budget/],
    ['--seed bad', () => ['collect', goodClaimsDir('c8'), path.join(sandbox, 'co'), '--seed', '-1'], /--seed/],
    ['OUT an existing file', () => ['collect', goodClaimsDir('c9'), write('cofile', 'x')], /OUT.*existing file/],
  ],
};

function goodReportDir(name: string, change?: (r: ReturnType<typeof sampleReport>) => void): string {
  const r = sampleReport();
  change?.(r);
  write(`${name}/report.json`, JSON.stringify(r));
  return path.join(sandbox, name);
}

function goodClaimsDir(name: string): string {
  write(`${name}/width-law.json`, JSON.stringify(sampleReport().claims[0]));
  return path.join(sandbox, name);
}

beforeAll(() => {
  cwd0 = process.cwd();
  sandbox = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flowcheck-bad-')));
  process.chdir(sandbox);
});
afterAll(() => {
  process.chdir(cwd0);
  fs.rmSync(sandbox, { recursive: true, force: true });
});

export const BAD_INPUT_CASES = Object.values(cases).reduce((a, c) => a + c.length, 0);

describe(`bad input: exit 2, the field named, nothing on stdout, no file written (${BAD_INPUT_CASES} cases)`, () => {
  for (const [group, list] of Object.entries(cases)) {
    describe(group, () => {
      for (const [name, argv, field, env] of list) {
        test(name, async () => {
          const args = argv();
          const before = listing(sandbox);
          const saved: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(env ?? {})) {
            saved[k] = process.env[k];
            process.env[k] = v;
          }
          let out = '';
          let err = '';
          let code: number;
          try {
            code = await main(args, (s) => void (out += s), (s) => void (err += s));
          } finally {
            for (const [k, v] of Object.entries(saved)) {
              if (v === undefined) delete process.env[k];
              else process.env[k] = v;
            }
          }
          if (process.env.SHOW_ERR) console.log(`[${name}] ${err.trim()}`);
          expect(err).not.toMatch(/internal error/);
          expect({ code, err }).toEqual({ code: 2, err: expect.stringMatching(field) });
          expect(out).toBe('');
          expect(listing(sandbox)).toEqual(before);
        });
      }
    });
  }
});
