/** Worker thread entry: loads the run's claim files, runs trials of a claim and posts the records back. */
import { parentPort, workerData } from 'node:worker_threads';
import { runTrialBatch } from './trial.ts';
import { loadClaimFile } from '../claims/registry.ts';

const files: string[] = (workerData as { claimFiles?: string[] } | null)?.claimFiles ?? [];
const ready = (async () => {
  for (const f of files) await loadClaimFile(f);
})();

parentPort?.on('message', (msg: { id: number; claimId: string; claimSeed: number; indices: number[] }) => {
  ready
    .then(() => {
      const records = runTrialBatch(msg.claimId, msg.claimSeed, msg.indices);
      parentPort?.postMessage({ id: msg.id, records });
    })
    .catch((e: unknown) => {
      parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
    });
});
