/**
 * Trials in parallel on worker threads. A batch of trial indices is split into contiguous
 * chunks, one per worker; results come back in index order, so a sequential test fed from them
 * sees the same sequence whatever the number of workers.
 */
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { TrialRecord } from './trial.ts';
import { runTrialBatch } from './trial.ts';
import { CLAIM_FILES } from '../claims/registry.ts';
import { InputError } from '../core/errors.ts';

export interface TrialRunner {
  readonly size: number;
  run(claimId: string, claimSeed: number, indices: number[]): Promise<TrialRecord[]>;
  close(): Promise<void>;
}

/**
 * Most worker threads: each is a V8 isolate with its own heap (tens of MB) and copy of the claim
 * modules; beyond a few per core they only compete for the cores.
 */
export const MAX_WORKERS = 256;

/**
 * Checks a worker count given as text (--workers, FLOWCHECK_WORKERS): a decimal integer in
 * [1, MAX_WORKERS]. Throws an InputError naming `field`.
 */
export function parseWorkers(raw: string, field: string): number {
  const v = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(v) || v < 1 || v > MAX_WORKERS) throw new InputError('flowcheck', field, raw, `an integer in [1, ${MAX_WORKERS}]${field === 'FLOWCHECK_WORKERS' ? ' (or unset: all cores)' : ''}`);
  return v;
}

/** Workers to use: FLOWCHECK_WORKERS if set, else the machine's available parallelism. */
export function defaultWorkers(): number {
  const env = process.env.FLOWCHECK_WORKERS;
  if (env !== undefined && env !== '') return parseWorkers(env, 'FLOWCHECK_WORKERS');
  return Math.max(1, os.availableParallelism());
}

class InProcessRunner implements TrialRunner {
  readonly size = 1;
  async run(claimId: string, claimSeed: number, indices: number[]): Promise<TrialRecord[]> {
    return runTrialBatch(claimId, claimSeed, indices);
  }
  async close(): Promise<void> {}
}


interface Pending {
  resolve(r: TrialRecord[]): void;
  reject(e: Error): void;
}

class WorkerRunner implements TrialRunner {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly size: number) {
    const url = new URL('./worker-entry.mjs', import.meta.url);
    for (let k = 0; k < size; k++) {
      const w = new Worker(url, { workerData: { claimFiles: [...CLAIM_FILES] } });
      w.on('message', (msg: { id: number; records?: TrialRecord[]; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error !== undefined) p.reject(new Error(msg.error));
        else p.resolve(msg.records ?? []);
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      w.on('exit', (code) => {
        if (this.pending.size === 0) return;
        for (const p of this.pending.values()) p.reject(new Error(`worker exited with code ${code}`));
        this.pending.clear();
      });
      this.workers.push(w);
    }
  }

  async run(claimId: string, claimSeed: number, indices: number[]): Promise<TrialRecord[]> {
    const chunk = Math.ceil(indices.length / this.size);
    const jobs: Promise<TrialRecord[]>[] = [];
    for (let k = 0; k < this.size; k++) {
      const part = indices.slice(k * chunk, (k + 1) * chunk);
      if (part.length === 0) continue;
      const id = this.nextId++;
      jobs.push(
        new Promise<TrialRecord[]>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          this.workers[k].postMessage({ id, claimId, claimSeed, indices: part });
        }),
      );
    }
    return (await Promise.all(jobs)).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export function createRunner(workers = defaultWorkers()): TrialRunner {
  return workers <= 1 ? new InProcessRunner() : new WorkerRunner(workers);
}
