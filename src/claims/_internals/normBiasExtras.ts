/**
 * Extras of the norm-bias claim: (1) the limit process's Q_lim / Q* at n = 64 .. 16384 (m ~ log n)
 * with the saturation fit R(n) = R_inf - C n^-beta and bootstrap intervals; (2) gradient flow at
 * n = 64 along lambda = 1e-4 .. 1e-16 against the limit (the review's instance), paired inits.
 * The study mutants read data.incrementRatio and data.qSlope.
 */
import { Rng } from '../../core/rng.ts';
import type { ClaimExtras, Json } from '../claim.ts';
import { HALVING_RATIO } from '../../theory/normBias.ts';
import { oracleRatio, ladderRun } from './normBiasRun.ts';
import { bootstrap, fitSaturation, type Interval } from './normBiasFit.ts';

/** n of the limit-process sweep (the largest >= 10^4). */
export const ORACLE_NS = [64, 256, 1024, 4096, 16384];
/** Covering draws per n (the n = 16384 draws cost ~0.2 s each). */
const ORACLE_DRAWS = { ci: [48, 48, 32, 16, 12], full: [96, 96, 64, 32, 24] };
/** Width of the sweep: m = ceil(log(n / 0.1) / log(4/3)), P(interpolation) >= 0.9 (m ~ log n). */
export function sweepWidth(n: number): number {
  return Math.ceil(Math.log(n / 0.1) / Math.log(4 / 3));
}
/**
 * beta below this is indistinguishable from logarithmic growth on 64 .. 16384 (n^-beta ~ 1 -
 * beta log n): saturation needs the interval of beta above it (convention; the grid starts at 0.05).
 */
export const BETA_LOG = 0.1;

/** The simulated instance of the extras: n = 64, m = sweepWidth(64), the review's measurement. */
const SIM_N = 64;
const SIM_LAMBDAS = [1e-4, 1e-8, 1e-12, 1e-16];
const SIM_INSTANCES = { ci: 8, full: 24 };

const iv = (x: Interval): string => `${x.est.toFixed(3)} [${x.lo.toFixed(3)}, ${x.hi.toFixed(3)}]`;
const asJson = (x: Interval): Json => ({ est: x.est, lo: x.lo, hi: x.hi });

/** Mutant "a + b sqrt(log n)": its ratio of increments (R(16384) - R(1024)) / (R(1024) - R(64)). */
export const SQRT_LOG_INCREMENT_RATIO = (Math.sqrt(Math.log(16384)) - Math.sqrt(Math.log(1024))) / (Math.sqrt(Math.log(1024)) - Math.sqrt(Math.log(64)));

export function normBiasExtras(ctx: { seed: number; budget: 'ci' | 'full' }): ClaimExtras {
  const rng = new Rng(ctx.seed);
  const D = ORACLE_DRAWS[ctx.budget];
  const draws = ORACLE_NS.map((n, k) => {
    const out: number[] = [];
    for (let t = 0; t < D[k]; t++) {
      const v = oracleRatio(n, sweepWidth(n), rng.fork(n).fork(t));
      if (Number.isFinite(v)) out.push(v);
    }
    return out;
  });
  const fit = bootstrap(draws, (mu) => {
    const f = fitSaturation(ORACLE_NS, mu);
    return [f.Rinf, f.C, f.beta];
  }, rng.fork(1));
  const perN = bootstrap(draws, (mu) => mu, rng.fork(2));
  const [incr, slope] = bootstrap(draws, (mu) => [(mu[4] - mu[2]) / (mu[2] - mu[0]), 0.5 + Math.log(mu[4] / mu[2]) / Math.log(16)], rng.fork(3));
  const [Rinf, C, beta] = fit;

  // Gradient flow at n = 64 along the ladder (paired: inits that interpolate at every lambda).
  const m = sweepWidth(SIM_N);
  const sums = SIM_LAMBDAS.map(() => 0);
  let sumLim = 0;
  let used = 0;
  let dropped = 0;
  for (let t = 0; t < SIM_INSTANCES[ctx.budget]; t++) {
    const run = ladderRun(SIM_N / 2, SIM_N / 2, m, rng.fork(3000 + t).seed, SIM_LAMBDAS);
    if (run === null || !run.points.every((p) => p.interpolated)) {
      dropped++;
      continue;
    }
    run.points.forEach((p, k) => (sums[k] += p.Q / run.oracle.Qstar));
    sumLim += run.oracle.Qlim / run.oracle.Qstar;
    used++;
  }
  const meanQ = sums.map((s) => s / used);
  const meanLim = sumLim / used;
  const gaps = meanQ.map((q) => meanLim - q);
  const decreasing = used > 0 && gaps.every((g, k) => k === 0 || g < gaps[k - 1]);
  // Extrapolation in x = 1/log(1/lambda): quadratic through the 4 means (reported, not tested).
  const xs = SIM_LAMBDAS.map((l) => 1 / Math.log(1 / l));
  const extrap = quadraticIntercept(xs, meanQ);

  return {
    // Finding, not a check: the halving model's 1 + sqrt 2 is a heuristic value (the jumping
    // neuron fits about half of the unfit mass); the means stay below it up to n = 16384 while the
    // fitted R_inf's interval reaches above it (seeds 1..6: R_inf 2.43-2.47, intervals within [2.40, 2.56]).
    metrics: { maxMeanBelowHalving: Math.max(...perN.map((x) => x.hi)) < HALVING_RATIO ? 1 : 0, Rinf: Rinf.est, RinfLo: Rinf.lo, RinfHi: Rinf.hi, beta: beta.est, betaLo: beta.lo, betaHi: beta.hi, C: C.est, qSlope: slope.est, simGapSmallestLambda: gaps[gaps.length - 1], simExtrapolatedRatio: extrap, simLimitRatio: meanLim },
    tables: [
      {
        title: `Limit process: Q_lim / Q* at m = ceil(log(10 n)/log(4/3)); fit R(n) = R_inf - C n^-beta: R_inf = ${iv(Rinf)}, C = ${iv(C)}, beta = ${iv(beta)} (bootstrap 95%); halving constant 1 + sqrt 2 = ${HALVING_RATIO.toFixed(4)}`,
        columns: ['n', 'm', 'draws', 'mean Q_lim/Q*', 'lower', 'upper', 'fit'],
        rows: ORACLE_NS.map((n, k) => [n, sweepWidth(n), draws[k].length, perN[k].est, perN[k].lo, perN[k].hi, Rinf.est - C.est * Math.pow(n, -beta.est)]),
      },
      {
        title: `Gradient flow at n = ${SIM_N}, m = ${m}: mean Q/Q* along lambda (${used} paired inits, ${dropped} dropped: not interpolated at some lambda); mean Q_lim/Q* = ${meanLim.toFixed(4)}; quadratic extrapolation in 1/log(1/lambda) to 0: ${extrap.toFixed(4)}`,
        columns: ['lambda', 'log(1/lambda)', 'mean Q/Q*', 'gap Q_lim/Q* - Q/Q*', 'gap x log(1/lambda)'],
        rows: SIM_LAMBDAS.map((l, k) => [l, Math.log(1 / l), meanQ[k], gaps[k], gaps[k] * Math.log(1 / l)]),
      },
    ],
    plots: [
      {
        id: 'ratio-vs-n',
        title: 'Limit process: mean Q_lim / Q* against n (m ~ log n) with the saturation fit',
        xLabel: 'n', yLabel: 'Q_lim / Q*', xScale: 'log', yScale: 'linear',
        series: [
          { name: 'mean Q_lim/Q*', mark: 'point', points: ORACLE_NS.map((n, k) => [n, perN[k].est] as [number, number]) },
          { name: 'R_inf - C n^-beta', mark: 'line', points: ORACLE_NS.map((n) => [n, Rinf.est - C.est * Math.pow(n, -beta.est)] as [number, number]) },
          { name: '1 + sqrt 2', mark: 'dashed', points: [[ORACLE_NS[0], HALVING_RATIO], [ORACLE_NS[ORACLE_NS.length - 1], HALVING_RATIO]] },
        ],
      },
    ],
    checks: [
      { name: `limit process: R(n) saturates (beta 95% interval above ${BETA_LOG})`, pass: beta.lo > BETA_LOG, detail: `beta = ${iv(beta)}, R_inf = ${iv(Rinf)}` },
      { name: `gradient flow at n = ${SIM_N}: the mean gap to Q_lim shrinks along lambda`, pass: decreasing, detail: `gaps ${gaps.map((g) => g.toFixed(4)).join(', ')} at lambda ${SIM_LAMBDAS.join(', ')} (${used} inits)` },
    ],
    data: { incrementRatio: asJson(incr), qSlope: asJson(slope), beta: asJson(beta), Rinf: asJson(Rinf) },
  };
}

/** Intercept at x = 0 of the least-squares quadratic through (xs, ys) (NaN when degenerate). */
function quadraticIntercept(xs: number[], ys: number[]): number {
  // Normal equations of y = c0 + c1 x + c2 x^2 (3 x 3, Cramer's rule).
  const S = [0, 0, 0, 0, 0];
  const T = [0, 0, 0];
  for (let k = 0; k < xs.length; k++) {
    if (!Number.isFinite(ys[k])) return NaN;
    for (let p = 0; p < 5; p++) S[p] += xs[k] ** p;
    for (let p = 0; p < 3; p++) T[p] += ys[k] * xs[k] ** p;
  }
  const det3 = (a: number[][]): number => a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const A = [[S[0], S[1], S[2]], [S[1], S[2], S[3]], [S[2], S[3], S[4]]];
  const d = det3(A);
  if (!(Math.abs(d) > 0)) return NaN;
  return det3([[T[0], S[1], S[2]], [T[1], S[2], S[3]], [T[2], S[3], S[4]]]) / d;
}

type Iv = { est: number; lo: number; hi: number };
const ivOf = (e: ClaimExtras, key: string): Iv | null => {
  const v = e.data?.[key] as Iv | undefined;
  return v !== undefined && typeof v.lo === 'number' && typeof v.hi === 'number' ? v : null;
};

/** Mutant "R(n) = a + b sqrt(log n)": holds iff the increment ratio's interval contains its prediction. */
export function sqrtLogMutant(e: ClaimExtras): { holds: boolean; detail: string } {
  const v = ivOf(e, 'incrementRatio');
  if (v === null) return { holds: true, detail: 'no measurement' };
  return { holds: v.lo <= SQRT_LOG_INCREMENT_RATIO && SQRT_LOG_INCREMENT_RATIO <= v.hi, detail: `(R(16384) - R(1024)) / (R(1024) - R(64)) = ${v.est.toFixed(3)} [${v.lo.toFixed(3)}, ${v.hi.toFixed(3)}]; a + b sqrt(log n) predicts ${SQRT_LOG_INCREMENT_RATIO.toFixed(3)}` };
}

/** Mutant "Q proportional to n^0.6": holds iff the log-log slope's interval contains 0.6. */
export function powerMutant(e: ClaimExtras): { holds: boolean; detail: string } {
  const v = ivOf(e, 'qSlope');
  if (v === null) return { holds: true, detail: 'no measurement' };
  return { holds: v.lo <= 0.6 && 0.6 <= v.hi, detail: `d log Q_lim / d log n on 1024 .. 16384 = 1/2 (Q* ~ sqrt n) + d log R / d log n = ${v.est.toFixed(4)} [${v.lo.toFixed(4)}, ${v.hi.toFixed(4)}]; the mutant predicts 0.6` };
}
