/**
 * A report directory (`--out DIR`) always holds the files of one run: report.json, report.md,
 * report.html and the run's counterexamples/. A run never writes into DIR itself:
 *
 * 1. before any computing, the location is checked (checkReportDir), the lock `.NAME.lock` next to
 *    DIR is taken (a second run into the same DIR is refused), leftovers of an interrupted run are
 *    recovered or removed, and a fresh sibling `.NAME.tmp-<stamp>` is created (so an unwritable
 *    location fails here, not after the run);
 * 2. the run writes everything into that sibling (counterexamples during the run, the three report
 *    files at the end), then renames it `.NAME.ready-<stamp>` (complete);
 * 3. the swap, synchronous so no signal handler can run in between: DIR -> `.NAME.old-<stamp>`,
 *    ready -> DIR, old -> `.NAME.trash-<stamp>`, which is then deleted.
 *
 * A process killed at any moment therefore leaves DIR unchanged or holding the new run, except
 * between the two renames of step 3, where DIR is briefly absent while both complete copies exist;
 * the next flowcheck command on DIR (under the lock) completes that swap (ready -> DIR), or
 * restores the previous run when no complete copy exists, and deletes every other leftover.
 * Readers read DIR/report.json only, so leftovers are ignored by them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../core/errors.ts';
import { fileOp, SimulatedKill } from './_internals/fileOps.ts';

/** The three files of a report, in the order they are written. */
export const REPORT_FILE_NAMES = ['report.json', 'report.md', 'report.html'] as const;

/** Subdirectory holding the run's counterexamples. */
export const COUNTEREXAMPLE_SUBDIR = 'counterexamples';

/** What a report directory may hold; anything else means DIR is not flowcheck's to replace. */
const ALLOWED_ENTRIES = new Set<string>([...REPORT_FILE_NAMES, COUNTEREXAMPLE_SUBDIR]);

/** Leftover kinds next to DIR (see the module comment). */
const LEFTOVER = /^(tmp|ready|old|trash|locktmp)-/;

/**
 * A lock file with no readable owner (a run killed between creating and filling it) is taken
 * over once it is this old (ms); a live run fills its lock within microseconds of creating it.
 */
const UNFILLED_LOCK_STALE_MS = 10_000;

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/**
 * Checks an output directory before any computing, writing nothing: a non-empty path; if it
 * exists, a directory (symbolic links are followed; a dangling one is refused) holding only what
 * flowcheck writes there (report.json/md/html as files, counterexamples/); otherwise its nearest
 * existing ancestor is a writable directory. Returns the absolute path, links resolved.
 * With `replace: false` (a command that only rewrites report.md/html in place) other entries are
 * allowed.
 *
 * @throws InputError naming `field`
 */
export function checkReportDir(dir: unknown, fn: string, field: string, options: { replace?: boolean } = {}): string {
  const replace = options.replace ?? true;
  if (typeof dir !== 'string' || dir.trim().length === 0) throw new InputError(fn, field, dir, 'a non-empty directory path');
  if (dir.includes('\0')) throw new InputError(fn, field, dir, 'a path without NUL characters');
  let abs = path.resolve(dir);
  let st = lstatOrNull(abs);
  if (st?.isSymbolicLink()) {
    try {
      abs = fs.realpathSync(abs);
    } catch {
      throw new InputError(fn, field, dir, 'a directory or a path to create one (it is a dangling symbolic link)');
    }
    st = lstatOrNull(abs);
  }
  if (abs === path.parse(abs).root) throw new InputError(fn, field, dir, 'a directory below the file-system root');
  if (st !== null) {
    if (!st.isDirectory()) throw new InputError(fn, field, dir, 'a directory (it is an existing file)');
    const foreign: string[] = [];
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      if ((REPORT_FILE_NAMES as readonly string[]).includes(e.name) && !e.isFile()) {
        throw new InputError(fn, field, dir, `a report directory whose ${e.name} is a file (${path.join(dir, e.name)} is not)`);
      }
      if (e.name === COUNTEREXAMPLE_SUBDIR && !e.isDirectory()) {
        throw new InputError(fn, field, dir, `a report directory whose ${COUNTEREXAMPLE_SUBDIR} is a directory (${path.join(dir, e.name)} is not)`);
      }
      if (!ALLOWED_ENTRIES.has(e.name)) foreign.push(e.name);
    }
    if (replace && foreign.length > 0) {
      const shown = foreign.sort().slice(0, 5).join(', ') + (foreign.length > 5 ? ', ...' : '');
      throw new InputError(fn, field, dir, `an empty directory or one flowcheck wrote (it also holds ${shown}; flowcheck replaces the whole directory, so it will not touch other files)`);
    }
  }
  let anc = path.dirname(abs);
  while (lstatOrNull(anc) === null) anc = path.dirname(anc);
  let ast: fs.Stats;
  try {
    ast = fs.statSync(anc);
  } catch {
    throw new InputError(fn, field, dir, `a path whose parent exists (${anc} is a dangling symbolic link)`);
  }
  if (!ast.isDirectory()) throw new InputError(fn, field, dir, `a path under a directory (${anc} is a file)`);
  try {
    fs.accessSync(anc, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new InputError(fn, field, dir, `a location this user can write (${anc} is not writable)`);
  }
  return abs;
}

function stamp(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
  command: string;
}

function readLock(file: string): LockInfo | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof v.pid === 'number' && typeof v.token === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** The lock file of a report directory. */
export function lockFileOf(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.lock`);
}

function acquireLock(dir: string, fn: string, field: string, shown: string, command: string): { file: string; token: string } {
  const file = lockFileOf(dir);
  const token = randomBytes(8).toString('hex');
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), token, command };
  // The lock appears with its content or not at all: it is written to a private file first and
  // hard-linked into place (link fails if the lock exists), so a run killed while taking the lock
  // never leaves a lock without an owner.
  const tmp = path.join(path.dirname(file), `.${path.basename(dir)}.locktmp-${stamp()}`);
  fileOp('lock: write', () => {
    const fd = fs.openSync(tmp, 'wx');
    try {
      fs.writeSync(fd, JSON.stringify(info));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fileOp('lock: link', () => fs.linkSync(tmp, file));
        return { file, token };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const other = readLock(file);
        const st = lstatOrNull(file);
        // a lock without a readable owner is written by no flowcheck of this version; old ones are taken over
        const stale = other !== null ? other.host === os.hostname() && !pidAlive(other.pid) : st !== null && Date.now() - st.mtimeMs > UNFILLED_LOCK_STALE_MS;
        if (stale || st === null) {
          if (st !== null) fileOp('lock: remove stale', () => fs.rmSync(file, { force: true }));
          continue;
        }
        const who = other !== null ? `pid ${other.pid} on ${other.host} since ${other.startedAt}${other.command ? ` (${other.command})` : ''}` : 'an unknown run';
        throw new InputError(fn, field, shown, `an output directory no other flowcheck run is writing (locked by ${who}: ${file}; wait for that run, or delete the lock file if it is gone)`);
      }
    }
    throw new InputError(fn, field, shown, `an output directory whose lock ${file} can be taken`);
  } finally {
    safely(() => fileOp('lock: remove temporary', () => fs.rmSync(tmp, { force: true })));
  }
}

function releaseLock(lock: { file: string; token: string }): void {
  const cur = readLock(lock.file);
  if (cur !== null && cur.token === lock.token) fileOp('lock: release', () => fs.rmSync(lock.file, { force: true }));
}

/** mkdir -p, returning the directories it created (outermost first). */
function mkdirp(dir: string): string[] {
  const missing: string[] = [];
  let d = dir;
  while (lstatOrNull(d) === null) {
    missing.unshift(d);
    d = path.dirname(d);
  }
  for (const m of missing) fileOp('mkdir parent', () => fs.mkdirSync(m));
  return missing;
}

function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some platforms cannot open or sync a directory; the renames are atomic regardless
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

function leftovers(dir: string): { name: string; kind: string; path: string }[] {
  const parent = path.dirname(dir);
  const prefix = `.${path.basename(dir)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && LEFTOVER.test(n.slice(prefix.length)))
    .sort()
    .map((n) => ({ name: n, kind: n.slice(prefix.length).split('-')[0], path: path.join(parent, n) }));
}

/**
 * Under the lock: completes or undoes a swap a killed run left half done, then deletes the
 * leftovers of interrupted runs. Returns what it did (for messages and tests).
 */
function recover(dir: string): string[] {
  const done: string[] = [];
  const left = leftovers(dir);
  if (lstatOrNull(dir) === null) {
    const pick = left.filter((l) => l.kind === 'ready').at(-1) ?? left.filter((l) => l.kind === 'old').at(-1);
    if (pick !== undefined) {
      fileOp('recover: rename into place', () => fs.renameSync(pick.path, dir));
      done.push(`${pick.kind === 'ready' ? 'completed an interrupted swap' : 'restored the previous run'} from ${pick.name}`);
    }
  }
  for (const l of left) {
    if (lstatOrNull(l.path) === null) continue;
    // another live process taking the lock right now (its pid is in the name) keeps its file
    const pid = Number(l.name.split('-')[2]);
    if (l.kind === 'locktmp' && pid !== process.pid && pidAlive(pid)) continue;
    fileOp('recover: remove leftover', () => fs.rmSync(l.path, { recursive: true, force: true }));
    done.push(`removed ${l.name}`);
  }
  return done;
}

function ioError(fn: string, field: string, shown: string, e: unknown, what: string): Error {
  if (e instanceof InputError || e instanceof SimulatedKill) return e;
  const err = e as NodeJS.ErrnoException;
  return new InputError(fn, field, shown, `${what} (${err.code ?? err.name}: ${err.message})`);
}

export interface OpenReportDirOptions {
  /** Function name and field for messages, e.g. 'flowcheck verify', '--out'. */
  fn?: string;
  field?: string;
  /** Recorded in the lock file, shown to a second run. */
  command?: string;
}

/**
 * One run's write transaction on a report directory (see the module comment). Open it before
 * computing; write the run's files under `staging`; commit() swaps them in; abort() (idempotent,
 * synchronous, safe in a signal handler) removes the staging directory and releases the lock.
 */
export class ReportDirWriter {
  /** Absolute path of the report directory. */
  readonly dir: string;
  /** The private directory this run writes into; it becomes `dir` at commit. */
  readonly staging: string;
  /** What recovery did when the writer was opened. */
  readonly recovered: string[];
  private state: 'open' | 'committed' | 'aborted' = 'open';

  private constructor(
    dir: string,
    staging: string,
    recovered: string[],
    private readonly lock: { file: string; token: string },
    /** Parent directories open() created, removed again by abort() when still empty. */
    private readonly created: string[],
    private readonly fn: string,
    private readonly field: string,
    private readonly shown: string,
  ) {
    this.dir = dir;
    this.staging = staging;
    this.recovered = recovered;
  }

  /**
   * Checks the location, takes the lock, recovers leftovers and creates the staging directory.
   * @throws InputError naming the field when DIR cannot be used (nothing is left behind then)
   */
  static open(dir: string, options: OpenReportDirOptions = {}): ReportDirWriter {
    const fn = options.fn ?? 'writeReport';
    const field = options.field ?? 'dir';
    const abs = checkReportDir(dir, fn, field);
    let created: string[] = [];
    let lock: { file: string; token: string } | null = null;
    try {
      created = mkdirp(path.dirname(abs));
      lock = acquireLock(abs, fn, field, dir, options.command ?? '');
      const recovered = recover(abs);
      checkReportDir(abs, fn, field);
      const staging = path.join(path.dirname(abs), `.${path.basename(abs)}.tmp-${stamp()}`);
      fileOp('mkdir staging', () => fs.mkdirSync(staging));
      return new ReportDirWriter(abs, staging, recovered, lock, created, fn, field, dir);
    } catch (e) {
      if (e instanceof SimulatedKill) throw e;
      if (lock !== null) safely(() => releaseLock(lock as { file: string; token: string }));
      for (const c of created.reverse()) safely(() => fs.rmdirSync(c));
      throw ioError(fn, field, dir, e, 'a directory flowcheck can create and write');
    }
  }

  /** Directory for the run's counterexamples (inside staging; `dir`/counterexamples after commit). */
  get counterexampleDir(): string {
    return path.join(this.staging, COUNTEREXAMPLE_SUBDIR);
  }

  /**
   * Writes `files` (name -> content) into the staging directory and swaps it in for `dir`; releases
   * the lock. On a write failure the previous `dir` is kept, `rescue` (if given) is saved to a file
   * in the system's temporary directory, and an InputError says where.
   */
  commit(files: [string, string][], rescue?: { name: string; data: string }): void {
    if (this.state !== 'open') throw new Error(`ReportDirWriter.commit: writer already ${this.state}`);
    const ready = path.join(path.dirname(this.dir), `.${path.basename(this.dir)}.ready-${stamp()}`);
    const old = path.join(path.dirname(this.dir), `.${path.basename(this.dir)}.old-${stamp()}`);
    let moved = false;
    try {
      for (const [name, data] of files) {
        const p = path.join(this.staging, name);
        fileOp(`write ${name}`, () => {
          const fd = fs.openSync(p, 'wx');
          try {
            fs.writeFileSync(fd, data);
            fs.fsyncSync(fd);
          } finally {
            fs.closeSync(fd);
          }
        });
      }
      fsyncDir(this.staging);
      fileOp('rename staging -> ready', () => fs.renameSync(this.staging, ready));
      // The swap: synchronous, so a signal handler cannot run between the renames.
      if (lstatOrNull(this.dir) !== null) {
        fileOp('rename dir -> old', () => fs.renameSync(this.dir, old));
        moved = true;
      }
      fileOp('rename ready -> dir', () => fs.renameSync(ready, this.dir));
      moved = false;
      fsyncDir(path.dirname(this.dir));
      if (lstatOrNull(old) !== null) {
        const trash = path.join(path.dirname(this.dir), `.${path.basename(this.dir)}.trash-${stamp()}`);
        fileOp('rename old -> trash', () => fs.renameSync(old, trash));
        fileOp('remove trash', () => fs.rmSync(trash, { recursive: true, force: true }));
      }
      this.state = 'committed';
      releaseLock(this.lock);
    } catch (e) {
      if (e instanceof SimulatedKill) throw e;
      if (moved) safely(() => fs.renameSync(old, this.dir));
      safely(() => fs.rmSync(ready, { recursive: true, force: true }));
      let saved = '';
      if (rescue !== undefined) {
        const f = path.join(os.tmpdir(), `flowcheck-${stamp()}-${rescue.name}`);
        try {
          fs.writeFileSync(f, rescue.data);
          saved = `; the computed ${rescue.name} was saved to ${f} (copy it to ${path.join(this.shown, rescue.name)} and run \`flowcheck report DIR\` to render it)`;
        } catch {
          saved = '; the computed results could not be saved elsewhere either';
        }
      }
      this.abort();
      throw ioError(this.fn, this.field, this.shown, e, `a directory flowcheck can write; writing the report failed, ${this.shown} keeps its previous content${saved}`);
    }
  }

  /** Removes the staging directory and releases the lock; a no-op after commit or abort. */
  abort(): void {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    safely(() => fileOp('abort: remove staging', () => fs.rmSync(this.staging, { recursive: true, force: true })));
    safely(() => releaseLock(this.lock));
    for (const c of [...this.created].reverse()) safely(() => fs.rmdirSync(c));
  }
}

function safely(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e instanceof SimulatedKill) throw e;
  }
}

/**
 * Runs `f` holding the lock of an existing report directory (after recovering an interrupted swap),
 * for commands that update a report in place (`flowcheck report DIR`). Returns what f returns.
 */
export async function withReportDirLock<T>(dir: string, options: OpenReportDirOptions, f: (abs: string) => Promise<T>): Promise<T> {
  const fn = options.fn ?? 'rerender';
  const field = options.field ?? 'dir';
  const abs = checkReportDir(dir, fn, field, { replace: false });
  let lock: { file: string; token: string };
  try {
    lock = acquireLock(abs, fn, field, dir, options.command ?? '');
  } catch (e) {
    throw ioError(fn, field, dir, e, 'a directory flowcheck can write');
  }
  try {
    recover(abs);
    return await f(abs);
  } finally {
    safely(() => releaseLock(lock));
  }
}

/**
 * For readers: when DIR is missing only because a killed run left its swap half done, completes
 * the swap (under the lock) so DIR/report.json can be read. A no-op otherwise.
 */
export function recoverReportDir(dir: string): void {
  const abs = path.resolve(dir);
  if (lstatOrNull(abs) !== null) return;
  if (leftovers(abs).every((l) => l.kind !== 'ready' && l.kind !== 'old')) return;
  let lock: { file: string; token: string };
  try {
    lock = acquireLock(abs, 'recoverReportDir', 'dir', dir, 'recovery');
  } catch {
    return;
  }
  try {
    recover(abs);
  } finally {
    safely(() => releaseLock(lock));
  }
}
