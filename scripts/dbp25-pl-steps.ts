/**
 * DBP25's PL rate along trajectories (issue 11), measured: on weakly interacting sphere data
 * (n <= d/2, the authors' protocol), the per-step decrease ln(L_{t-1} / L_t) against their
 * mu_low(t-1) = (2/n) min_i (1/p) sum_j a_j^2 1[<w_j, x_i> > 0] (src/core/dbp25.ts plBounds), at
 * every step of every converging run; counts the runs where it is >= c mu_low at every step for
 * c = 2 (the "decays at least like exp(-2 mu_low t)"), 1 (the constant derived for
 * orthogonal inputs: each residual decays by at least mu_low / 2 per step), 1/2.
 * A measurement, not a claim (seeds 7000 + 100 n + d + s).
 *   node --import tsx scripts/dbp25-pl-steps.ts
 */
import { dbp25Instance, nbNeurons, plBounds } from '../src/core/dbp25.ts';
import { simulate } from '../src/core/dynamics.ts';
let conv = 0, ok1 = 0, ok2 = 0, okHalf = 0, runs = 0; const worsts: number[] = [];
for (const [n, d] of [[16, 32], [16, 64], [32, 64], [32, 128], [64, 128], [64, 256]]) {
  for (let s = 0; s < 12; s++) {
    const p = nbNeurons(n);
    const inst = dbp25Instance({ n, d, p, data: 'sphere', seed: 7000 + 100 * n + d + s });
    const steps = inst.dyn.steps;
    const tr = simulate(inst.problem, inst.p0, inst.dyn, { record: { lossCurve: true, maxPoints: 1e9, snapshotTimes: Array.from({ length: steps + 1 }, (_, k) => k) } });
    runs++;
    if (!tr.stoppedAtLoss) continue;
    conv++;
    let worst = Infinity;
    for (let t = 1; t < tr.loss.length && t < tr.snapshots.length; t++) {
      const b = plBounds(inst.data, tr.snapshots[t - 1].params);
      if (b.muLow > 0) worst = Math.min(worst, Math.log(tr.loss[t - 1] / tr.loss[t]) / b.muLow);
    }
    worsts.push(worst);
    if (worst >= 1) ok1++; if (worst >= 2) ok2++; if (worst >= 0.5) okHalf++;
  }
}
worsts.sort((a, b) => a - b);
console.log(`runs ${runs}, converged ${conv}; per-step ln(L_{t-1}/L_t) >= c mu_low(t-1) at every step: c = 2: ${ok2}/${conv}, c = 1: ${ok1}/${conv}, c = 1/2: ${okHalf}/${conv}; worst ratios ${worsts.slice(0, 6).map((x) => x.toFixed(2)).join(' ')}`);
