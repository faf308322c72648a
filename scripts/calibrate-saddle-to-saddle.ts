/**
 * Calibration of the saddle-to-saddle tolerances on a NAMED seed set disjoint from verification:
 * trial seeds deriveSeed(CALIBRATION_ROOT, k), k = 0 .. N-1, params drawn from the claim's regime
 * with those seeds (verification draws deriveSeed(claimSeed, index) with claimSeed derived from the
 * root seed and the claim id, never from 9301). Prints, for the true prediction and for each
 * planted mutant, the distribution of every judged quantity:
 *   errLog_k = staircase error x log(1/lambda) at lambda = 1e-k, shrink = err(1e-16)/err(1e-8),
 *   levelDevLog = max plateau deviation x log(1/lambda) / L(0), structure failures, and
 *   jumpRel = |extrapolated first jump time / predicted - 1|.
 *
 *   node --import tsx scripts/calibrate-saddle-to-saddle.ts [--n 400] [--root 9301]
 * The values measured are recorded in the tolerances' detail in src/claims/saddleToSaddle.ts.
 */
import { deriveSeed } from '../src/core/rng.ts';
import { drawParams } from '../src/runner/drawParams.ts';
import { saddleToSaddle, LAMBDA_EXPS, judgeSaddle, type SaddleStats } from '../src/claims/saddleToSaddle.ts';
import type { Observation } from '../src/claims/claim.ts';

function arg(name: string, def: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 && process.argv[k + 1] !== undefined ? process.argv[k + 1] : def;
}
export const CALIBRATION_ROOT = Number(arg('root', '9301'));
const N = Number(arg('n', '400'));

const q = (v: number[], p: number): number => {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))];
};
const rows = new Map<string, SaddleStats[]>();
const checkFails = new Map<string, Map<string, number>>();
const t0 = Date.now();
for (let k = 0; k < N; k++) {
  const seed = deriveSeed(CALIBRATION_ROOT, k);
  const params = drawParams(saddleToSaddle.regime, seed);
  const obs = (saddleToSaddle.observe as NonNullable<typeof saddleToSaddle.observe>)(params, seed).observation as Observation;
  for (const [name, rule] of [['truth', undefined], ...(saddleToSaddle.mutants ?? []).map((mu) => [mu.id, mu.id] as const)] as const) {
    const { stats: st, checks } = judgeSaddle(obs, rule ?? null);
    const cf = checkFails.get(name) ?? new Map<string, number>();
    checkFails.set(name, cf);
    for (const c of checks) if (!c.pass) cf.set(`${c.kind}: ${c.name}`, (cf.get(`${c.kind}: ${c.name}`) ?? 0) + 1);
    if (!rows.has(name)) rows.set(name, []);
    (rows.get(name) as SaddleStats[]).push(st);
    if (name === 'truth' && !st.structureOk) process.stderr.write(`[cal] trial ${k} seed ${seed} ${JSON.stringify(params)}: ${st.why.slice(0, 400)}\n`);
  }
}
process.stdout.write(`calibration root ${CALIBRATION_ROOT}, ${N} trials, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
for (const [name, sts] of rows) {
  const line: string[] = [name.padEnd(22)];
  for (const le of LAMBDA_EXPS) {
    const v = sts.map((s) => s.errLog[le]);
    line.push(`errLog_${le} med ${q(v, 0.5).toFixed(3)} q99 ${q(v, 0.99).toFixed(3)} max ${q(v, 1).toFixed(3)}`);
  }
  const sh = sts.map((s) => s.shrink);
  line.push(`shrink med ${q(sh, 0.5).toFixed(3)} max ${q(sh, 1).toFixed(3)}`);
  const le2 = sts.map((s) => s.limErr);
  line.push(`limErr q01 ${q(le2, 0.01).toExponential(2)} med ${q(le2, 0.5).toExponential(2)} q90 ${q(le2, 0.9).toExponential(2)} q99 ${q(le2, 0.99).toExponential(2)} max ${q(le2, 1).toExponential(2)}`);
  const lv = sts.map((s) => s.levelDevLog);
  line.push(`levelDevLog max ${q(lv, 1).toFixed(3)}`);
  const fr = sts.map((s) => s.jumpRel);
  line.push(`jumpRel med ${q(fr, 0.5).toFixed(4)} q99 ${q(fr, 0.99).toFixed(4)} max ${q(fr, 1).toFixed(4)} (${fr.filter(Number.isFinite).length} finite)`);
  for (const [c, v] of checkFails.get(name) ?? []) line.push(`fails ${v}: ${c}`);
  line.push(`structure fails ${sts.filter((s) => !s.structureOk).length}, trial fails ${sts.filter((s) => !s.pass).length}/${sts.length}`);
  process.stdout.write(`${line.join('\n   ')}\n`);
}
