/**
 * Every file operation of a report-directory write goes through fileOp / fileOpAsync, so the
 * interruption tests can stop a run after exactly the K-th operation (no timing involved):
 *
 * - FLOWCHECK_TEST_FILEOP="kill:K" (or "kill:K:SIGINT") sends the signal (default SIGKILL) to
 *   this process right after operation K completes (scripts/interrupt-test.ts);
 * - FLOWCHECK_TEST_FILEOP="fail:K" (or "fail:K:EACCES") makes operation K fail with that error
 *   code instead of running (default ENOSPC: a full disk);
 * - in process, setFileOpHook runs a function after each operation; simulateKillAfter(K) makes
 *   operation K the last one this process performs: from then on every file operation throws
 *   SimulatedKill without touching the disk, as if the process had died there (cleanup code
 *   that would not run after a real kill cannot change the disk either).
 *
 * Without the variable and the hook this is a plain call.
 */

/** Thrown by every file operation after a simulated kill (tests only). */
export class SimulatedKill extends Error {
  constructor(label: string) {
    super(`simulated kill (file operation ${label} refused)`);
    this.name = 'SimulatedKill';
  }
}

type Hook = (label: string, index: number) => void;

let hook: Hook | null = null;
let count = 0;
let dead = false;
let envSpec: { mode: 'kill' | 'fail'; at: number; arg: string } | null | undefined;

function spec(): typeof envSpec {
  if (envSpec !== undefined) return envSpec;
  const raw = process.env.FLOWCHECK_TEST_FILEOP;
  const m = raw === undefined ? null : /^(kill|fail):(\d+)(?::([A-Z0-9]+))?$/.exec(raw);
  envSpec = m === null ? null : { mode: m[1] as 'kill' | 'fail', at: Number(m[2]), arg: m[3] ?? (m[1] === 'kill' ? 'SIGKILL' : 'ENOSPC') };
  return envSpec;
}

function before(label: string): void {
  if (dead) throw new SimulatedKill(label);
  count++;
  const s = spec();
  if (s?.mode === 'fail' && s.at === count) {
    const e = new Error(`${s.arg}: injected failure of file operation ${count} (${label})`) as NodeJS.ErrnoException;
    e.code = s.arg;
    throw e;
  }
}

function after(label: string): void {
  const s = spec();
  if (s?.mode === 'kill' && s.at === count) process.kill(process.pid, s.arg as NodeJS.Signals);
  if (hook !== null) {
    try {
      hook(label, count);
    } catch (e) {
      if (e instanceof SimulatedKill) dead = true;
      throw e;
    }
  }
}

/** Runs one synchronous file operation. */
export function fileOp<T>(label: string, op: () => T): T {
  before(label);
  const r = op();
  after(label);
  return r;
}

/** Runs one asynchronous file operation. */
export async function fileOpAsync<T>(label: string, op: () => Promise<T>): Promise<T> {
  before(label);
  const r = await op();
  after(label);
  return r;
}

/** Tests: a function called after every file operation (null removes it); resets the counter. */
export function setFileOpHook(h: Hook | null): void {
  hook = h;
  count = 0;
  dead = false;
  envSpec = undefined;
}

/** Tests: operation k is the last one; the process then behaves as killed (see above). */
export function simulateKillAfter(k: number): void {
  setFileOpHook((label, index) => {
    if (index === k) throw new SimulatedKill(label);
  });
}

/** Operations performed since the last setFileOpHook. */
export function fileOpCount(): number {
  return count;
}
