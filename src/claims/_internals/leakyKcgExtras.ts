/**
 * Extras of the kcg-rank claim: an init-scale sweep of the leaky block stable rank at T against
 * the block law (the edge's law) on one representative instance. The law,
 * srank(W_b(T)) = stableRankWithInit(1, rho_T, m, d) with rho_T = m omega^2 d / (mu_T^2 ||W*_b||_F^2)
 * and mu_T the mean margin of the margin law, uses only quantities fixed before training.
 */
import type { ClaimExtras, Observed } from '../claim.ts';
import type { Plot } from '../../report/report.types.ts';
import type { KcgObservation, KcgPrediction } from '../kcgRank.ts';

export interface KcgDeps {
  observe(n: number, mBlock: number, g: number, kappa: number, seed: number, withRelu: boolean): Observed<KcgObservation>;
  predict(o: KcgObservation): KcgPrediction;
}

export const KCG_SWEEP = { n: 8, mBlock: 20, g: 0.3 };
/** kappa = 10^(-2 + s/4), s = 0 ... 20: 0.01 ... 1000. */
export const KCG_SWEEP_STEPS = 20;
/**
 * |(srank - 1) / (law - 1) - 1| <= BLOCK_LAW_TOL where the init dominates the frozen tail
 * (law - 1 >= BLOCK_LAW_FLOOR = 10 x the small-init value ~3e-5): the tail adds <= 10%; derivation.
 */
export const BLOCK_LAW_TOL = 0.1;
export const BLOCK_LAW_FLOOR = 3e-4;

export function kcgExtras(seed: number, deps: KcgDeps, blockTol: number): ClaimExtras {
  const { n, mBlock, g } = KCG_SWEEP;
  const rows: (number | string | boolean)[][] = [];
  let lawOk = true;
  let firstFail = Infinity;
  let lawTransition = Infinity;
  const details: string[] = [];
  for (let s = 0; s <= KCG_SWEEP_STEPS; s++) {
    const kappa = 10 ** (-2 + s / 4);
    const o = deps.observe(n, mBlock, g, kappa, seed, false).observation;
    if (o.noData || o.diverged) throw new Error(`sweep instance at kappa ${kappa}: ${o.why}`);
    const law = deps.predict(o).blockSrankWithInit - 1;
    const got = o.blockSrankT - 1;
    if (law >= BLOCK_LAW_FLOOR) {
      lawOk &&= Math.abs(got / law - 1) <= BLOCK_LAW_TOL;
      details.push(`${kappa.toPrecision(2)}: ${got.toPrecision(3)} vs ${law.toPrecision(3)}`);
    }
    if (got > blockTol && firstFail === Infinity) firstFail = kappa;
    if (law > blockTol && lawTransition === Infinity) lawTransition = kappa;
    rows.push([kappa, o.blockSrank1, got, law, got <= blockTol]);
  }
  const plot: Plot = {
    id: 'block-law',
    title: `Leaky block stable rank at T minus 1 against init scale (n = ${n}, m = ${mBlock} per block, g = ${g})`,
    xLabel: 'kappa',
    yLabel: 'srank(W+-(T)) - 1',
    xScale: 'log',
    yScale: 'log',
    series: [
      { name: 'measured (max over the blocks)', mark: 'point', points: rows.map((r) => [r[0] as number, r[2] as number]) },
      { name: 'block law', mark: 'line', points: rows.map((r) => [r[0] as number, r[3] as number]) },
      { name: 'BLOCK_TOL', mark: 'dashed', points: [[rows[0][0] as number, blockTol], [rows[rows.length - 1][0] as number, blockTol]] },
    ],
  };
  return {
    // -1: no failure in the sweep
    metrics: { kappa_first_failure_block: Number.isFinite(firstFail) ? firstFail : -1, kappa_first_failure_block_law: Number.isFinite(lawTransition) ? lawTransition : -1 },
    tables: [{ title: `Init sweep (n = ${n}, m = ${mBlock} per block, g = ${g}, seed ${seed})`, columns: ['kappa', 'block srank W(1)', 'block srank W(T) - 1', 'block law - 1', 'block check holds'], rows }],
    plots: [plot],
    checks: [{ name: `block law: srank(W+-(T)) - 1 = law - 1 within ${100 * BLOCK_LAW_TOL}% wherever the init dominates (law - 1 >= ${BLOCK_LAW_FLOOR})`, pass: lawOk, detail: details.join('; ') }],
  };
}
