/**
 * Calibration of early-alignment's constant C in T <= C log n / sqrt(mu) (C_BOUND), on a seed set
 * disjoint from verification: regime parameters drawn with drawParams(regime, deriveSeed(ROOT, k, 1))
 * and trial seeds deriveSeed(ROOT, k, 2), ROOT = 9100 (verify derives its trial seeds from the
 * root seeds 20261122 and 101..106 through the claim id). Runs each trial to a horizon that does
 * not depend on C (CAL_HORIZON) and prints the distribution of R = g T sqrt(mu) / log n (g = -l'(0): 1 exponential, 1/2 logistic), the
 * lambda-spread of T and max |f| at T.
 *
 *   node --import tsx scripts/calibrate-early-alignment.ts [count=1000] [root=9100]
 */
import { earlyAlignment } from '../src/claims/earlyAlignment.ts';
import { drawParams } from '../src/runner/drawParams.ts';
import { deriveSeed } from '../src/core/rng.ts';
import { observeTrial } from '../src/claims/_internals/alignmentRun.ts';

const count = Number(process.argv[2] ?? 1000);
const ROOT = Number(process.argv[3] ?? 9100);
/** Far beyond any alignment time of the regime (largest measured ~45). */
const CAL_HORIZON = 400;

const R: { r: number; desc: string }[] = [];
let spread = 0;
let maxF = 0;
let notAligned = 0;
let growths = 0;
const t0 = Date.now();
for (let k = 0; k < count; k++) {
  const p = drawParams(earlyAlignment.regime, deriveSeed(ROOT, k, 1));
  const mu = 2 ** -p.muExp;
  const seed = deriveSeed(ROOT, k, 2);
  const o = observeTrial({ loss: p.loss === 'logistic' ? 'logistic' : 'exponential', nPos: p.nPos, nNeg: p.nNeg, m: p.m, extraD: p.extraD, mu }, seed, CAL_HORIZON);
  const T = [o.T0, o.T1, o.T2].map(Number);
  if (!T.every(Number.isFinite)) {
    notAligned++;
    continue;
  }
  spread = Math.max(spread, Math.max(...T) - Math.min(...T));
  maxF = Math.max(maxF, o.maxAbsF);
  growths += o.orthoGrowths;
  R.push({ r: (o.g * T[0] * Math.sqrt(mu)) / Math.log(o.n), desc: `${JSON.stringify(p)} seed ${seed} T ${T[0].toFixed(2)}` });
}
R.sort((a, b) => a.r - b.r);
const q = (f: number): number => R[Math.min(R.length - 1, Math.floor(f * R.length))].r;
console.log(`early-alignment calibration: root ${ROOT}, ${count} trials, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`not aligned by t = ${CAL_HORIZON}: ${notAligned}; lambda spread of T: ${spread}; max |f| at T: ${maxF.toExponential(2)}; orthogonal growths: ${growths}`);
console.log(`R = g T sqrt(mu) / log n: median ${q(0.5).toFixed(3)}, 90% ${q(0.9).toFixed(3)}, 99% ${q(0.99).toFixed(3)}, 99.9% ${q(0.999).toFixed(3)}, max ${R[R.length - 1].r.toFixed(3)}`);
console.log('largest ten:');
for (const x of R.slice(-10)) console.log(`  ${x.r.toFixed(3)}  ${x.desc}`);
