/**
 * Extra measurements of the off-subspace claim (MYV23), once per run: the flip law's exponents in
 * beta and l (sweeps on one high-dimensional instance), weight decay at a fixed horizon (the
 * decay law and the robustness it buys), MYV23's own diagonal experiment at two init scales over
 * several seeds, the chessboard (reported), and Adam on a rotated subspace (an aside: a property of
 * Adam, not of MYV23).
 */
import type { ClaimExtras } from '../claim.ts';
import { Rng } from '../../core/rng.ts';
import { simulate } from '../../core/dynamics.ts';
import { margins } from '../../core/observables.ts';
import { perpGradientScale, weightDecayFactor } from '../../theory/subspace.ts';
import { adamTrain, logLogSlope, perpDeviation } from './highdim.ts';
import { median } from '../../stats/median.ts';
import { chessProblem, diagonalProblem, highDimInit, highDimProblem, myv23Init, perpPoint, perpSummary, SUBSPACE_MODEL, trainToMargin, type SubspaceProblem } from './subspaceRun.ts';
import type { Params } from '../../core/types.ts';

const EX = { n: 16, d: 1024, m: 48, l: 64 };
const TARGET = 0.3;
const RESTARTS = 16;
const POINTS = 4;
/** Exponent windows of the flip law (exact exponents -1 in beta, -1/2 in l), fixed a priori: +-1/2 and +-1/4. */
export const BETA_SLOPE_RANGE: [number, number] = [-1.5, -0.5];
export const L_SLOPE_RANGE: [number, number] = [-0.75, -0.25];
/** Weight decay (eta c) levels and horizon of the decay table; robustness gain required at the largest. */
export const WD_TABLE = [0, 0.004, 0.008, 0.016];
export const WD_STEPS = 200;
export const WD_GAIN_MIN = 2;
/** Seeds of the diagonal comparison (per run seed), and its smaller init factor. */
export const NATIVE_SEEDS = 6;
export const NATIVE_FACTOR = 2;
export const INVARIANCE_REL_TOL = 1e-10;

function trained(prob: SubspaceProblem, p0: Params, maxSteps: number): Params | null {
  const tr = trainToMargin(prob, p0, { target: TARGET, weightDecay: 0, chunk: 5, maxSteps });
  return tr.reached ? tr.params : null;
}

/** @param lawFactor the flip-law factor of the claim's criterion (offSubspace LAW_FACTOR) */
export function offSubspaceExtras(seed: number, lawFactor: number): ClaimExtras {
  const tables: NonNullable<ClaimExtras['tables']> = [];
  const checks: NonNullable<ClaimExtras['checks']> = [];
  const metrics: Record<string, number> = {};
  const rng = new Rng(seed);

  // 1. beta sweep: median normalised flip flip ||c|| / |N| ~ 1 / (beta sqrt(l/d)).
  const prob = highDimProblem(rng.fork(1), EX.n, EX.d, EX.l);
  const betaRows: (number | string)[][] = [];
  for (const beta of [0.25, 0.5, 1, 2]) {
    const p = trained(prob, highDimInit(rng.fork(2), EX.m, EX.d, beta), 3000);
    if (p === null) continue;
    const s = perpSummary(p, prob, POINTS, perpGradientScale(beta, EX.l, EX.d), RESTARTS);
    betaRows.push([beta, s.medianNu, s.medianNu * perpGradientScale(beta, EX.l, EX.d), s.medianFlip, s.maxOverX]);
  }
  const betaSlope = logLogSlope(betaRows.map((r) => r[0] as number), betaRows.map((r) => r[1] as number));
  const rawSlope = logLogSlope(betaRows.map((r) => r[0] as number), betaRows.map((r) => r[3] as number));
  metrics.nu_vs_beta_loglog_slope = betaSlope;
  metrics.flip_vs_beta_loglog_slope = rawSlope;
  tables.push({ title: `Flip vs init scale (n ${EX.n}, d ${EX.d}, l ${EX.l}, m ${EX.m}, margin ${TARGET})`, columns: ['beta', 'median flip ||c||/|N|', 'law ratio (x beta sqrt(l/d))', 'median flip', 'max flip/||x||'], rows: betaRows });
  checks.push({ name: 'flip law exponent in beta is -1 (normalised flip)', pass: betaRows.length >= 3 && betaSlope >= BETA_SLOPE_RANGE[0] && betaSlope <= BETA_SLOPE_RANGE[1], detail: `log-log slope ${betaSlope.toFixed(3)} (raw flips ${rawSlope.toFixed(3)}), required in [${BETA_SLOPE_RANGE.join(', ')}]` });

  // 2. codimension sweep: exponent -1/2 in l; robustness appears at small l.
  const lRows: (number | string)[][] = [];
  for (const l of [4, 16, 64, 256]) {
    const pl = highDimProblem(rng.fork(10 + l), EX.n, EX.d, l);
    const p = trained(pl, highDimInit(rng.fork(2), EX.m, EX.d, 1), 3000);
    if (p === null) continue;
    const s = perpSummary(p, pl, POINTS, perpGradientScale(1, l, EX.d), RESTARTS);
    lRows.push([l, s.medianNu, s.medianNu * perpGradientScale(1, l, EX.d), s.maxOverX, s.maxOverX >= 0.5 ? 'robust (>= ||x||/2)' : 'adversarial']);
  }
  const lSlope = logLogSlope(lRows.map((r) => r[0] as number), lRows.map((r) => r[1] as number));
  metrics.nu_vs_l_loglog_slope = lSlope;
  tables.push({ title: `Flip vs codimension l (d ${EX.d}, beta 1)`, columns: ['l', 'median flip ||c||/|N|', 'law ratio', 'max flip/||x||', 'E1'], rows: lRows });
  checks.push({ name: 'flip law exponent in l is -1/2', pass: lRows.length >= 3 && lSlope >= L_SLOPE_RANGE[0] && lSlope <= L_SLOPE_RANGE[1], detail: `log-log slope ${lSlope.toFixed(3)}, required in [${L_SLOPE_RANGE.join(', ')}]` });

  // 3. weight decay at a fixed horizon: P_perp W(t) = rho P_perp W(0) (regression), flips grow like 1/rho.
  const p0 = highDimInit(rng.fork(2), EX.m, EX.d, 1);
  const wdRows: (number | string)[][] = [];
  let lawDev = 0;
  let lawOk = true;
  let wdBase = NaN;
  let wdLast = NaN;
  let classified = true;
  for (const etaC of WD_TABLE) {
    const tr = simulate({ data: prob.data, model: SUBSPACE_MODEL, loss: 'logistic', weightDecay: etaC / prob.eta }, p0, { kind: 'gd', eta: prob.eta, steps: WD_STEPS }, { engine: 'full', record: { lossCurve: false } });
    const rho = weightDecayFactor(etaC, WD_STEPS);
    lawDev = Math.max(lawDev, perpDeviation(p0.W, tr.final.W, prob.perp, EX.l, EX.m, EX.d, rho));
    const mg = new Float64Array(EX.n);
    margins(mg, tr.final, SUBSPACE_MODEL, prob.data);
    const minMargin = Math.min(...mg);
    if (!(minMargin > 0)) classified = false;
    const s = perpSummary(tr.final, prob, POINTS, perpGradientScale(1, EX.l, EX.d, rho), RESTARTS);
    if (etaC === 0) wdBase = s.medianFlip;
    wdLast = s.medianFlip;
    const law = s.medianNu * perpGradientScale(1, EX.l, EX.d, rho);
    if (!(law >= 1 / lawFactor && law <= lawFactor)) lawOk = false;
    wdRows.push([etaC, rho, minMargin, s.medianFlip, s.maxOverX, law]);
  }
  metrics.weight_decay_flip_gain = wdLast / wdBase;
  tables.push({ title: `Weight decay, ${WD_STEPS} GD steps from the same init (beta 1)`, columns: ['eta c', 'rho = (1 - eta c)^t', 'min margin', 'median flip', 'max flip/||x||', 'law ratio with rho'], rows: wdRows });
  checks.push({ name: 'regression: P_perp W(t) = (1 - eta c)^t P_perp W(0) under weight decay', kind: 'regression', pass: lawDev <= INVARIANCE_REL_TOL, detail: `max relative deviation ${lawDev.toExponential(2)}` });
  checks.push({ name: 'weight-decay flip law: median flip ||c|| / |N| x rho beta sqrt(l/d) within the claim factor at every eta c', pass: lawOk, detail: wdRows.map((r) => `eta c ${r[0]}: ${(r[5] as number).toFixed(3)}`).join(', ') });
  checks.push({ name: `weight decay makes the network robust: median flip x >= ${WD_GAIN_MIN} at eta c = ${WD_TABLE[WD_TABLE.length - 1]}, every point still classified`, pass: classified && wdLast >= WD_GAIN_MIN * wdBase, detail: `median flip ${wdBase.toFixed(3)} -> ${wdLast.toFixed(3)} (rho ${weightDecayFactor(WD_TABLE[WD_TABLE.length - 1], WD_STEPS).toExponential(2)})` });

  // 4. MYV23's diagonal experiment: smaller init (factor 2) moves the flips out (pooled median over seeds).
  const diag = diagonalProblem();
  const f1: number[] = [];
  const f2: number[] = [];
  for (let s = 0; s < NATIVE_SEEDS; s++) {
    for (const f of [1, NATIVE_FACTOR]) {
      const p = trained(diag, myv23Init(new Rng(seed + 7919 * (s + 1)).fork(2), 100, 2, f), 40000);
      if (p === null) continue;
      for (let i = 0; i < diag.data.n; i++) (f === 1 ? f1 : f2).push(perpPoint(p, diag, i, RESTARTS, 100 * diag.dOther[i]).flip / diag.dOther[i]);
    }
  }
  const m1 = median(f1);
  const m2 = median(f2);
  metrics.diagonal_median_flip_over_dother_f1 = m1;
  metrics.diagonal_median_flip_over_dother_f2 = m2;
  checks.push({ name: `authors' diagonal: init / ${NATIVE_FACTOR} gives larger off-line flips (pooled median over ${NATIVE_SEEDS} seeds x 7 points)`, pass: f1.length > 0 && f2.length > 0 && m2 > m1, detail: `median flip / d_other ${m1.toFixed(3)} (factor 1, ${f1.length} points) -> ${m2.toFixed(3)} (factor ${NATIVE_FACTOR}, ${f2.length} points)` });

  // 5. the chessboard (authors' width 400, lr 0.05), reported.
  const chess = chessProblem();
  const chessRows: (number | string)[][] = [];
  for (const f of [1, NATIVE_FACTOR]) {
    const p = trained(chess, myv23Init(rng.fork(30), 400, 3, f), 40000);
    if (p === null) {
      chessRows.push([f, 'margin not reached', '', '']);
      continue;
    }
    const s = perpSummary(p, chess, chess.data.n, perpGradientScale(1 / f, 1, 3), 2);
    chessRows.push([f, s.minOverOther, s.medianFlip / 0.25, s.capped]);
  }
  tables.push({ title: 'Authors\' diagonal and chessboard experiments (flip off the data plane / distance to the other class)', columns: ['setting / init factor', 'min flip / d_other', 'median flip / d_other', 'points with no flip'], rows: [['diagonal, factor 1 (pooled)', Math.min(...f1), m1, ''], [`diagonal, factor ${NATIVE_FACTOR} (pooled)`, Math.min(...f2), m2, ''], ...chessRows.map((r) => [`chessboard, factor ${r[0]}`, r[1], r[2], r[3]])] });

  // 6. aside: Adam on a rotated subspace moves P_perp W (coordinate-wise scaling is not rotation-equivariant).
  const small = highDimProblem(rng.fork(40), 16, 256, 16);
  const pa = highDimInit(rng.fork(41), 48, 256, 1);
  const fa = adamTrain({ data: small.data, model: SUBSPACE_MODEL, loss: 'logistic', weightDecay: 0 }, pa, { lr: 1e-2, steps: 50 });
  metrics.adam_rotated_perp_dev = perpDeviation(pa.W, fa.W, small.perp, 16, 48, 256, 1);
  return { metrics, tables, checks };
}
