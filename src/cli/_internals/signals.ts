/**
 * Process-level behaviour of the command line: Ctrl-C (SIGINT) and SIGTERM run the registered
 * cleanups (restore the terminal cursor, remove a run's staging directory, release its lock) and
 * exit 130 / 143; a closed stdout or stderr (`flowcheck list | head -1`: EPIPE) silences that
 * stream instead of crashing, so the command still finishes and returns its own exit status.
 */
const cleanups = new Set<() => void>();
let installed = false;

/** Registers a synchronous cleanup for an interrupt; returns its remover. */
export function onInterrupt(f: () => void): () => void {
  cleanups.add(f);
  return () => cleanups.delete(f);
}

/** Runs every cleanup once (most recent first), ignoring their errors. */
export function runCleanups(): void {
  const list = [...cleanups].reverse();
  cleanups.clear();
  for (const f of list) {
    try {
      f();
    } catch {
      // a cleanup must not prevent the others
    }
  }
}

/** Installs the SIGINT / SIGTERM handlers (once per process; the real CLI only, not tests). */
export function installSignalHandlers(err: (s: string) => void): void {
  if (installed) return;
  installed = true;
  const handle = (signal: string, code: number) => (): void => {
    runCleanups();
    // show the cursor again whatever a progress bar did to it
    if (process.stderr.isTTY) process.stderr.write('\x1b[?25h');
    err(`flowcheck: interrupted (${signal})\n`);
    process.exit(code);
  };
  process.on('SIGINT', handle('SIGINT', 130));
  process.on('SIGTERM', handle('SIGTERM', 143));
}

/** A writer to `stream` that becomes a no-op once the reader went away (EPIPE). */
export function safeWriter(stream: NodeJS.WriteStream): (s: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw e;
  });
  return (s: string) => {
    if (closed) return;
    try {
      stream.write(s);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') closed = true;
      else throw e;
    }
  };
}
