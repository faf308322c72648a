/**
 * Calibration of ntk-width's MOVE_TOL on seeds disjoint from verification (9100-9139): the
 * log-log slope of the relative movement over m = 128, 512, 2048 on regime instances, and its
 * distance from -1/2. Prints the distribution; the claim's MOVE_TOL records the values.
 *   node --import tsx scripts/calibrate-ntk-width.ts
 */
import { ntkRun, WIDTHS } from '../src/claims/zg19Width.ts';
import { linearFit } from '../src/claims/_internals/incremental.ts';

const dev: number[] = [];
let bound = 0;
const SEEDS = Array.from({ length: 40 }, (_, k) => 9100 + k);
for (const seed of SEEDS) {
  const n = [8, 12, 16][seed % 3];
  const phi = [0.3, 0.5][Math.floor(seed / 3) % 2];
  const runs = WIDTHS.map((m) => ntkRun(n, phi, m, seed));
  const slope = linearFit(WIDTHS.map(Math.log), runs.map((r) => Math.log(r.move))).slope;
  dev.push(Math.abs(slope + 0.5));
  if (runs[runs.length - 1].boundHolds) bound++;
  console.log(`seed ${seed} n ${n} phi ${phi}: slope ${slope.toFixed(4)}, bound at m = ${WIDTHS[WIDTHS.length - 1]} ${runs[runs.length - 1].boundHolds}`);
}
dev.sort((a, b) => a - b);
console.log(`|slope + 1/2|: median ${dev[Math.floor(dev.length / 2)].toFixed(4)}, 95th percentile ${dev[Math.floor(0.95 * dev.length)].toFixed(4)}, max ${dev[dev.length - 1].toFixed(4)}; bound held ${bound}/${SEEDS.length}`);
