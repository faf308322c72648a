/**
 * Extra measurements of the double-edged claim (FVBS23), once per run: the flip radius and the
 * robustness gap against k (k = 2 ... 16: the gap should grow like sqrt(k)), a noise-memorising
 * interpolator on the same data (the regime's generalisation is not automatic), soundness of g's
 * certificate, and the informative edges as tables: correlated means and larger noise.
 */
import type { ClaimExtras } from '../claim.ts';
import { flipSearch } from '../../core/flip.ts';
import { flipRadius, robustCertificate } from '../../theory/clusters.ts';
import { accuracy, logLogSlope, robustClusterNetwork, ROBUST_MODEL } from './highdim.ts';
import { clusterRun, CLUSTER_MODEL, MEAN_NORM, memorizer, minMargin, robustnessSummary } from './clustersRun.ts';

/** Gap ratio (median certificate / median radius) vs k: log-log slope window around the derived 1/2, fixed a priori. */
export const GAP_SLOPE_RANGE: [number, number] = [0.25, 0.75];
/** Data sets per k in the gap-slope fit. */
export const GAP_REPS = 5;
/** A memorising interpolator generalises at most this well on average (chance is 1/2). */
export const MEMORIZER_ACC_MAX = 0.7;
/** flipSearch on g may land exactly on a tight certificate; "found < certificate" is tested with this round-off allowance. */
export const SOUND_REL_TOL = 1e-9;

export function doubleEdgedExtras(seed: number, o: { nTest: number; nRay: number; d: number; nu: number }): ClaimExtras {
  const tables: NonNullable<ClaimExtras['tables']> = [];
  const checks: NonNullable<ClaimExtras['checks']> = [];
  const metrics: Record<string, number> = {};
  const ks = [2, 3, 4, 6, 8, 12, 16];
  const rows: (number | string)[][] = [];
  let memAcc = 0;
  let memFits = true;
  let sound = true;
  const soundDetail: string[] = [];
  for (const k of ks) {
    const run = clusterRun({ k, perCluster: 2, m: 30, d: o.d, nu: o.nu, seed: seed + k }, o.nTest);
    const s = robustnessSummary(run, o.nRay);
    const mem = memorizer(run.data);
    const mm = minMargin(mem, CLUSTER_MODEL, run.data);
    const ma = accuracy(mem, CLUSTER_MODEL, run.test.X, run.test.y, run.test.n);
    if (!(mm > 0)) memFits = false;
    memAcc += ma / ks.length;
    // soundness of the certificate at one test point: a verified flip of g is never inside it
    const x = run.test.X.slice(0, o.d);
    const fr = flipSearch(robustClusterNetwork(run.data), ROBUST_MODEL, x, { restarts: 4 });
    const cert0 = robustnessSummary({ ...run, test: { ...run.test, n: 1 } }, 1).medianCert;
    if ((fr.found ?? Infinity) < (1 - SOUND_REL_TOL) * cert0 * MEAN_NORM) sound = false;
    soundDetail.push(`k=${k}: ${(fr.found ?? Infinity).toFixed(4)} >= ${cert0.toFixed(4)}`);
    rows.push([k, s.accTrained, s.medianRadius, s.medianRadius / flipRadius(MEAN_NORM, k), s.medianCert, s.medianCert / s.medianRadius, s.fractionLessRobust, mm, ma]);
  }
  // The slope pools GAP_REPS data sets per k >= 4 (one data set per k gave slopes with SD ~0.08
  // over seeds, and 0.21 at root seed 1003: a measurement too noisy for its a-priori window).
  const gk: number[] = [];
  const gv: number[] = [];
  for (const r of rows.filter((x) => (x[0] as number) >= 4)) {
    gk.push(r[0] as number);
    gv.push(r[5] as number);
  }
  for (const k of ks.filter((x) => x >= 4)) {
    for (let rep = 1; rep < GAP_REPS; rep++) {
      const s = robustnessSummary(clusterRun({ k, perCluster: 2, m: 30, d: o.d, nu: o.nu, seed: seed + k + 1000 * rep }, o.nTest), o.nRay);
      gk.push(k);
      gv.push(s.medianCert / s.medianRadius);
    }
  }
  const gapSlope = logLogSlope(gk, gv);
  metrics.gap_ratio_loglog_slope_k = gapSlope;
  metrics.memorizer_mean_accuracy = memAcc;
  tables.push({
    title: `Flip radius and gap vs k (perCluster 2, m 30, d ${o.d}, noise ${o.nu} ||mu||)`,
    columns: ['k', 'acc trained', 'median radius / ||mu||', 'radius / (||mu||/sqrt(k))', 'median certificate of g', 'gap certificate / radius', 'fraction provably less robust', 'memoriser min margin', 'memoriser test acc'],
    rows,
  });
  checks.push({ name: `the gap grows like sqrt(k): log-log slope of certificate / radius over k >= 4 (${GAP_REPS} data sets per k)`, pass: gapSlope >= GAP_SLOPE_RANGE[0] && gapSlope <= GAP_SLOPE_RANGE[1], detail: `slope ${gapSlope.toFixed(3)}, required in [${GAP_SLOPE_RANGE.join(', ')}]` });
  checks.push({ name: `the regime is not trivially generalising: a noise-memorising interpolator fits every training set, mean test accuracy <= ${MEMORIZER_ACC_MAX}`, pass: memFits && memAcc <= MEMORIZER_ACC_MAX, detail: `fits all: ${memFits}, mean accuracy ${memAcc.toFixed(3)} over ${ks.length} data sets` });
  checks.push({ name: 'regression: the certificate of g is sound (flipSearch never flips g inside it)', kind: 'regression', pass: sound, detail: soundDetail.join('; ') });

  // Informative edges, reported: correlated means (the certificate degrades to (1/2 - rho) ||mu||) and larger noise.
  const edgeRows: (number | string)[][] = [];
  for (const rho of [0.2, 0.4]) {
    const run = clusterRun({ k: 12, perCluster: 2, m: 30, d: o.d, nu: o.nu, seed: seed + 100, rho }, o.nTest);
    const s = robustnessSummary(run, o.nRay);
    edgeRows.push([`rho ${rho}`, s.accTrained, s.medianRadius, s.medianCert, robustCertificate(MEAN_NORM, rho), s.medianCert / s.medianRadius]);
  }
  for (const nu of [3, 4]) {
    const run = clusterRun({ k: 12, perCluster: 2, m: 30, d: o.d, nu, seed: seed + 200 }, o.nTest);
    const s = robustnessSummary(run, o.nRay);
    edgeRows.push([`noise ${nu}`, s.accTrained, s.medianRadius, s.medianCert, robustCertificate(MEAN_NORM), s.medianCert / s.medianRadius]);
  }
  tables.push({ title: `Edges outside the regime (k 12, perCluster 2, d ${o.d})`, columns: ['case', 'acc trained', 'median radius', 'median certificate', 'noiseless certificate (theory)', 'gap'], rows: edgeRows });
  return { metrics, tables, checks, data: { gapSlope } };
}
