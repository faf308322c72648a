/** Progress: a cli-progress bar on a terminal, plain lines otherwise (CI logs). */
import cliProgress from 'cli-progress';
import { onInterrupt } from './_internals/signals.ts';

export interface Progress {
  start(id: string): void;
  update(id: string, done: number, total: number): void;
  end(id: string, line: string): void;
  stop(): void;
}

export function createProgress(err: (s: string) => void): Progress {
  const tty = process.stderr.isTTY === true && !process.env.CI;
  if (!tty) {
    let lastPct = -1;
    return {
      start: (id) => {
        lastPct = -1;
        err(`[flowcheck] ${id}: running\n`);
      },
      update: (id, done, total) => {
        const pct = total > 0 ? Math.floor((100 * done) / total / 25) * 25 : 0;
        if (pct > lastPct) {
          lastPct = pct;
          err(`[flowcheck] ${id}: ${done}/${total} trials\n`);
        }
      },
      end: (id, line) => err(`[flowcheck] ${id}: ${line}\n`),
      stop: () => {},
    };
  }
  let bar: cliProgress.SingleBar | null = null;
  // Ctrl-C while a bar is drawn: stop it, which shows the cursor it hid.
  let removeCleanup: (() => void) | null = null;
  const stopBar = (): void => {
    bar?.stop();
    bar = null;
    removeCleanup?.();
    removeCleanup = null;
  };
  return {
    start: (id) => {
      stopBar();
      bar = new cliProgress.SingleBar({ format: `${id.padEnd(18)} [{bar}] {value}/{total} trials`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
      removeCleanup = onInterrupt(stopBar);
      bar.start(1, 0);
    },
    update: (_id, done, total) => {
      bar?.setTotal(total);
      bar?.update(done);
    },
    end: (id, line) => {
      stopBar();
      err(`${id.padEnd(18)} ${line}\n`);
    },
    stop: stopBar,
  };
}
