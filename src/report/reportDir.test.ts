import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InputError } from '../core/errors.ts';
import { fileOpCount, setFileOpHook, SimulatedKill, simulateKillAfter } from './_internals/fileOps.ts';
import { checkReportDir, lockFileOf, recoverReportDir, ReportDirWriter } from './reportDir.ts';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcheck-rdir-'));
});
afterEach(() => {
  setFileOpHook(null);
  delete process.env.FLOWCHECK_TEST_FILEOP;
  fs.rmSync(root, { recursive: true, force: true });
});

/** Every file under dir (relative path -> content), or null when dir does not exist. */
function tree(dir: string): Record<string, string> | null {
  if (!fs.existsSync(dir)) return null;
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) out[path.relative(dir, p)] = `-> ${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return sorted(out);
}

/** Same entries, keys in sorted order (so JSON.stringify compares contents). */
function sorted(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The files one run writes: three report files and one counterexample, all naming the run. */
function runFiles(run: string): [string, string][] {
  return [
    ['report.json', `{"run":"${run}"}`],
    ['report.md', `# ${run}`],
    ['report.html', `<p>${run}</p>`],
  ];
}

function expectedTree(run: string): Record<string, string> {
  return sorted({ ...Object.fromEntries(runFiles(run)), [path.join('counterexamples', 'c', 'x.json')]: `{"run":"${run}"}` });
}

/** One whole run: open, a counterexample written during the run, commit. */
function doRun(dir: string, run: string): void {
  const w = ReportDirWriter.open(dir, { fn: 'test', field: '--out' });
  try {
    fs.mkdirSync(path.join(w.counterexampleDir, 'c'), { recursive: true });
    fs.writeFileSync(path.join(w.counterexampleDir, 'c', 'x.json'), `{"run":"${run}"}`);
    w.commit(runFiles(run), { name: 'report.json', data: `{"run":"${run}"}` });
  } finally {
    w.abort();
  }
}

/** Entries next to dir other than dir itself (leftovers, locks). */
function siblings(dir: string): string[] {
  return fs.readdirSync(path.dirname(dir)).filter((n) => n !== path.basename(dir));
}

describe('ReportDirWriter: one run per directory', () => {
  test('a run replaces the previous run as a whole, leaving nothing next to DIR', () => {
    const dir = path.join(root, 'reports', 'latest');
    doRun(dir, 'A');
    expect(tree(dir)).toEqual(expectedTree('A'));
    fs.rmSync(path.join(dir, 'counterexamples'), { recursive: true });
    doRun(dir, 'B');
    expect(tree(dir)).toEqual(expectedTree('B'));
    expect(siblings(dir)).toEqual([]);
  });

  test('abort before commit leaves DIR unchanged and removes the staging directory and lock', () => {
    const dir = path.join(root, 'out');
    doRun(dir, 'A');
    const w = ReportDirWriter.open(dir);
    fs.writeFileSync(path.join(w.staging, 'report.json'), 'partial');
    w.abort();
    expect(tree(dir)).toEqual(expectedTree('A'));
    expect(siblings(dir)).toEqual([]);
  });

  test('a second run into the same DIR is refused while the first holds the lock; afterwards it runs', () => {
    const dir = path.join(root, 'out');
    const first = ReportDirWriter.open(dir, { command: 'flowcheck verify --seed 1' });
    expect(() => ReportDirWriter.open(dir, { fn: 'flowcheck verify', field: '--out' })).toThrow(/--out.*locked by pid \d+.*flowcheck verify --seed 1/);
    first.commit(runFiles('A'));
    doRun(dir, 'B');
    expect(tree(dir)).toEqual(expectedTree('B'));
  });

  test('a lock left by a dead process is taken over; a lock without an owner only once it is old', () => {
    const dir = path.join(root, 'out');
    const lock = lockFileOf(dir);
    // pid 2^22 + 1 is above Linux's default pid_max (2^22), so no process has it
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), startedAt: 'x', token: 't', command: '' }));
    doRun(dir, 'A');
    expect(tree(dir)).toEqual(expectedTree('A'));
    fs.writeFileSync(lock, '');
    expect(() => ReportDirWriter.open(dir)).toThrow(/locked by an unknown run/);
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(lock, old, old);
    doRun(dir, 'B');
    expect(tree(dir)).toEqual(expectedTree('B'));
  });
});

describe('checkReportDir: output locations refused before any computing', () => {
  const cases: [string, (r: string) => string, RegExp][] = [
    ['an existing file', (r) => touch(path.join(r, 'f')), /it is an existing file/],
    ['a path under a file', (r) => path.join(touch(path.join(r, 'f')), 'sub'), /under a directory .* is a file/],
    ['a dangling symbolic link', (r) => symlink(path.join(r, 'nowhere'), path.join(r, 'link')), /dangling symbolic link/],
    ['a directory with other files', (r) => touch(path.join(r, 'mine', 'notes.txt')) && path.join(r, 'mine'), /also holds notes\.txt/],
    ['report.md that is a directory', (r) => (fs.mkdirSync(path.join(r, 'o', 'report.md'), { recursive: true }), path.join(r, 'o')), /report\.md is a file/],
    ['an empty path', () => '', /non-empty directory path/],
    ['the root directory', () => path.parse(process.cwd()).root, /below the file-system root/],
  ];
  for (const [name, make, re] of cases) {
    test(name, () => {
      const dir = make(root);
      const before = tree(root);
      let err: unknown;
      try {
        checkReportDir(dir, 'flowcheck verify', '--out');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/--out/);
      expect((err as Error).message).toMatch(re);
      expect(tree(root)).toEqual(before);
    });
  }

  test('a symbolic link to a directory is followed: the link survives and points at the new run', () => {
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'link'));
    doRun(path.join(root, 'link'), 'A');
    expect(fs.lstatSync(path.join(root, 'link')).isSymbolicLink()).toBe(true);
    expect(tree(path.join(root, 'link'))).toEqual(expectedTree('A'));
  });

  test('a location that cannot be created fails at open, before any computing, leaving nothing', () => {
    if (!fs.existsSync('/proc/self')) return;
    expect(() => ReportDirWriter.open('/proc/flowcheck-x', { fn: 'flowcheck verify', field: '--out' })).toThrow(/--out.*flowcheck can create and write/);
  });
});

function touch(p: string): string {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, 'x');
  return p;
}

function symlink(target: string, p: string): string {
  fs.symlinkSync(target, p);
  return p;
}

describe('interruption after each file operation (simulated kill: no file operation after it)', () => {
  function opsOfOneRun(previous: boolean): number {
    const dir = path.join(root, 'count');
    if (previous) doRun(dir, 'A');
    setFileOpHook(() => undefined);
    doRun(dir, 'B');
    const n = fileOpCount();
    setFileOpHook(null);
    fs.rmSync(dir, { recursive: true, force: true });
    return n;
  }

  for (const previous of [true, false]) {
    test(`${previous ? 'over a previous run' : 'into a new directory'}: DIR holds one complete run (or nothing new) at every point, and recovery finishes the job`, () => {
      const total = opsOfOneRun(previous);
      expect(total).toBeGreaterThanOrEqual(previous ? 9 : 7);
      const states = new Set<string>();
      for (let k = 1; k <= total; k++) {
        const dir = path.join(root, `k${k}`, 'latest');
        if (previous) doRun(dir, 'A');
        const before = tree(dir);
        simulateKillAfter(k);
        expect(() => doRun(dir, 'B')).toThrow(SimulatedKill);
        setFileOpHook(null);
        const after = tree(dir);
        const newRun = expectedTree('B');
        if (after === null && previous) {
          // only inside the swap: a complete copy must exist next to DIR
          states.add('absent');
          expect(siblings(dir).some((n) => /\.ready-/.test(n))).toBe(true);
        } else {
          expect([JSON.stringify(before), JSON.stringify(newRun)]).toContain(JSON.stringify(after));
          states.add(JSON.stringify(after) === JSON.stringify(newRun) ? 'new' : 'unchanged');
        }
        // The killed process's lock names a live pid (this one); a real kill leaves a dead one,
        // which the next run takes over (scripts/interrupt-test.ts). Remove it here.
        fs.rmSync(lockFileOf(dir), { force: true });
        recoverReportDir(dir);
        const recovered = tree(dir);
        expect([JSON.stringify(before), JSON.stringify(newRun)]).toContain(JSON.stringify(recovered));
        // the next run cleans every leftover and writes its own run
        doRun(dir, 'C');
        expect(tree(dir)).toEqual(expectedTree('C'));
        expect(siblings(dir)).toEqual([]);
      }
      expect(states.has('unchanged') || !previous).toBe(true);
      expect(states.has('new')).toBe(true);
    });
  }
});

describe('a late write error keeps DIR and says where the results went', () => {
  test('an injected ENOSPC at each file operation of open and commit: InputError naming --out, DIR unchanged, JSON rescued', () => {
    const dir = path.join(root, 'out');
    doRun(dir, 'A');
    const before = tree(dir);
    // operations: 1 lock file written, 2 linked into place, 3 its temporary removed, 4 mkdir staging,
    // 5-7 the three files, 8 rename to ready, 9 rename DIR -> old
    for (let k = 1; k <= 9; k++) {
      process.env.FLOWCHECK_TEST_FILEOP = `fail:${k}`;
      setFileOpHook(null);
      let err: unknown;
      try {
        const w = ReportDirWriter.open(dir, { fn: 'flowcheck verify', field: '--out' });
        w.commit(runFiles('B'), { name: 'report.json', data: '{"run":"B"}' });
      } catch (e) {
        err = e;
      }
      delete process.env.FLOWCHECK_TEST_FILEOP;
      setFileOpHook(null);
      const msg = (err as Error | undefined)?.message ?? '';
      if (k === 3) {
        // the failed removal of the lock's temporary file is harmless: the run went on and wrote
        expect(err).toBeUndefined();
        doRun(dir, 'A');
        continue;
      }
      expect(err).toBeInstanceOf(InputError);
      expect(msg).toMatch(/--out.*ENOSPC/);
      if (k >= 5) {
        expect(msg).toMatch(/keeps its previous content/);
        const saved = /saved to (\S+) \(copy/.exec(msg)?.[1] as string;
        expect(fs.readFileSync(saved, 'utf8')).toBe('{"run":"B"}');
        fs.rmSync(saved);
      }
      expect(tree(dir)).toEqual(before);
      expect(siblings(dir)).toEqual([]);
    }
  });
});
