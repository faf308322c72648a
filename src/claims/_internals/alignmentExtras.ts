/**
 * early-alignment's extra measurements: the sweep over n and mu (balanced classes) with the
 * joint exponent fit log T = c + alpha log(1/mu) + beta log n, its plot, and the divergence as
 * mu -> 0+ at fixed n together with mu <= 0 (where alignment by sign stops).
 */
import type { ClaimExtras } from '../claim.ts';
import { deriveSeed } from '../../core/rng.ts';
import { alignmentBound } from '../../theory/alignment.ts';
import { linearFit2, type Fit2 } from './alignmentFit.ts';
import { edgeRun, LAMBDAS, ALIGN_ETA, CHECK_EVERY, ALIGN_EPS, alignmentData, runAlignment } from './alignmentRun.ts';

export const SWEEP_N = [16, 32, 64, 128];
export const SWEEP_MU = [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32];
/** Width of the sweep's networks (the fit is about the data: any width shows the same T). */
const SWEEP_M = 4;
/** mu -> 0+ and mu <= 0 at n = 16. */
const DIVERGENCE_MU = [1 / 2, 1 / 8, 1 / 32, 1 / 128, 1 / 512, 0, -1 / 16, -1 / 4];

export interface SweepResult {
  fit: Fit2 | null;
  rows: (number | string)[][];
  points: { n: number; mu: number; T: number }[];
}

export function alignmentSweep(seed: number, seeds: number, C: number, horizonFactor: number): SweepResult {
  const points: SweepResult['points'] = [];
  const rows: (number | string)[][] = [];
  for (const n of SWEEP_N) {
    for (const mu of SWEEP_MU) {
      const Ts: number[] = [];
      for (let s = 0; s < seeds; s++) {
        const spec = { nPos: n / 2, nNeg: n / 2, m: SWEEP_M, extraD: 0, mu, seed: deriveSeed(seed, n, Math.round(1 / mu), s) };
        const r = runAlignment(spec, alignmentData(spec), { lambda: LAMBDAS[0], eta: ALIGN_ETA, checkEvery: CHECK_EVERY, horizon: horizonFactor * alignmentBound(n, mu, C), eps: ALIGN_EPS });
        Ts.push(r.T);
        points.push({ n, mu, T: r.T });
      }
      rows.push([n, mu, Math.min(...Ts), Math.max(...Ts), alignmentBound(n, mu, C)]);
    }
  }
  const fit = linearFit2(
    points.map((p) => Math.log(1 / p.mu)),
    points.map((p) => Math.log(p.n)),
    points.map((p) => Math.log(p.T)),
  );
  return { fit, rows, points };
}

export function sweepPlot(sw: SweepResult, C: number): NonNullable<ClaimExtras['plots']>[number] {
  const series: NonNullable<ClaimExtras['plots']>[number]['series'] = [];
  for (const n of SWEEP_N) {
    series.push({ name: `T measured, n = ${n}`, mark: 'point', points: sw.points.filter((p) => p.n === n && Number.isFinite(p.T)).map((p) => [1 / p.mu, p.T] as [number, number]) });
    series.push({ name: `bound C log n / sqrt(mu), n = ${n}`, mark: 'dashed', points: SWEEP_MU.map((mu) => [1 / mu, alignmentBound(n, mu, C)] as [number, number]) });
  }
  return { id: 'alignment-time-vs-mu', title: `Alignment time T (all non-dead neurons in their cone, 1 - cos <= ${ALIGN_EPS}) against 1/mu, balanced classes, lambda = ${LAMBDAS[0]}`, xLabel: '1/mu', yLabel: 'T', xScale: 'log', yScale: 'log', series };
}

/** T at n = 16 as mu -> 0+ and for mu <= 0, horizon = the bound at the edge's floor. */
export function divergenceTable(seed: number, horizon: number): { title: string; columns: string[]; rows: (number | string)[][] } {
  const rows: (number | string)[][] = [];
  for (const mu of DIVERGENCE_MU) {
    const r = edgeRun({ nPos: 8, nNeg: 8, m: SWEEP_M, extraD: 0, mu }, deriveSeed(seed, 0x646976, Math.round(mu * 1e6)), horizon);
    rows.push([mu, Number.isFinite(r.T) ? r.T : 'not aligned', Number.isFinite(r.T) ? r.T * Math.sqrt(Math.max(mu, 0)) : '', r.outOfCone, r.alive]);
  }
  return { title: `n = 16: alignment time as mu -> 0+ and at mu <= 0 (horizon ${horizon.toFixed(1)})`, columns: ['mu', 'T', 'T sqrt(mu)', 'non-dead neurons out of their cone at T or the horizon', 'non-dead neurons'], rows };
}
