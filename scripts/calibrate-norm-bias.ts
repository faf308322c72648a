/**
 * Calibration of the norm-bias claim (src/claims/normBias.ts) on the seed set CALIBRATION_ROOT
 * (trial k: new Rng(CALIBRATION_ROOT).fork(k), disjoint from the runner's verification seeds).
 * Measures, on the claim's own observation and prediction:
 * - max |Q - Q_lim| / Q* at lambda = 1e-12 over resolved inits (RESOLVED_TOL = 1.5x it);
 * - how often each check and each trial mutant fails (the mutants need >= ~3% for power at p1 = 0.95).
 *
 * Usage: npx tsx scripts/calibrate-norm-bias.ts [trials]
 */
import { Rng } from '../src/core/rng.ts';
import { judgeTrial } from '../src/claims/claim.ts';
import { normBias, LADDER } from '../src/claims/normBias.ts';
import { RESOLVE_MARGIN_LOGS } from '../src/theory/normBias.ts';
import { CALIBRATION_ROOT, CALIBRATION_TRIALS } from '../src/claims/_internals/normBiasCalibration.ts';

const N = Number(process.argv[2] ?? CALIBRATION_TRIALS);
const rng = new Rng(CALIBRATION_ROOT);
let resolved = 0;
let maxDev = 0;
let maxDevAt = '';
const fails = new Map<string, number>();
const mutantFails = new Map<string, number>();
const t0 = Date.now();
for (let k = 0; k < N; k++) {
  const r = rng.fork(k);
  const p = { nPos: r.int(1, 6), nNeg: r.int(1, 6), mExtra: r.int(0, 3), seed: r.int(0, 0x7fffffff) };
  const seed = r.int(0, 0x7fffffff);
  const out = judgeTrial(normBias, p, seed);
  const o = out.observation as { Q: number[]; n: number; m: number };
  const pred = normBias.prediction!.predict(p, out.observation as never) as { Qlim: number; Qstar: number; minMargin: number };
  if (pred.minMargin * Math.log(1 / LADDER[LADDER.length - 1]) >= RESOLVE_MARGIN_LOGS) {
    resolved++;
    const dev = Math.abs(o.Q[o.Q.length - 1] - pred.Qlim) / pred.Qstar;
    if (dev > maxDev) {
      maxDev = dev;
      maxDevAt = `trial ${k} n=${o.n} m=${o.m} margin x log = ${(pred.minMargin * Math.log(1e12)).toFixed(2)}`;
    }
  }
  for (const c of out.checks ?? []) if (!c.pass) fails.set(`${c.kind}: ${c.name}`, (fails.get(`${c.kind}: ${c.name}`) ?? 0) + 1);
  for (const [id, pass] of Object.entries(out.mutants ?? {})) if (!pass) mutantFails.set(id, (mutantFails.get(id) ?? 0) + 1);
}
console.log(`calibration root ${CALIBRATION_ROOT}, ${N} trials, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`resolved inits: ${resolved}; max |Q - Q_lim|/Q* at 1e-12: ${maxDev.toFixed(5)} (${maxDevAt}); RESOLVED_TOL = 1.5x = ${(1.5 * maxDev).toFixed(4)}`);
console.log('failed checks:', Object.fromEntries(fails));
console.log('mutant failure counts:', Object.fromEntries(mutantFails));
