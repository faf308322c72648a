/**
 * spurious-minima: gradient descent on the teacher-student population loss from Xavier init
 * ends at spurious local minima at student width m = k, increasingly with k over 6..12, and
 * mild over-parameterization (m = k + 1) drastically reduces them.
 *
 * Paper: Safran & Shamir, "Spurious Local Minima are Common in Two-Layer ReLU Neural Networks",
 * ICML 2018 (arXiv 1712.08968). Abstract (read): for x -> sum_{i<=k} max(0, w_i^T x), square
 * loss, standard Gaussian inputs and an orthonormal teacher of the same form, spurious local
 * minima exist once 6 <= k <= 20 (computer-assisted proof); experiments show the probability of
 * hitting them is quite high and increasing with the network size; mild over-parameterization
 * appears to drastically reduce them. No theorem number is cited (only the abstract was read);
 * the paper's measured fractions are not copied.
 *
 * Statement encoded:
 * - trials (SPRT): at m = k + 1, with k uniform in 7..12, the search from Xavier init reaches the
 *   global minimum with probability >= 0.95 ("drastically reduces");
 * - extras (evidence checks, deterministic given the seed): at m = k the spurious fraction is
 *   positive at every k in 7..12 (at least one spurious strict minimum in the cell), it grows
 *   with k over 6..12 (one-sided Cochran-Armitage trend test, p <= TREND_ALPHA), and the pooled
 *   fraction at m = k + 1 is below a fifth of the pooled fraction at m = k (Clopper-Pearson
 *   bounds).
 *
 * Hypotheses -> code: population loss in closed form (src/core/population.ts) with V = I_k,
 * d = k, second layers fixed to 1, no biases; Xavier-like init N(0, 1/d) entries
 * (criticalPoints.xavierInit); gradient descent with step 0.25 (halved when the loss would
 * rise), Newton polishing to |grad| <= 1e-10, classification by lambda_min of the analytic
 * Hessian (two Cholesky tests at +-1e-6) and the loss (global iff L <= 1e-9).
 *
 * Departures: Safran & Shamir's optimiser and stopping rule are not reproduced (fractions are
 * basin volumes of this algorithm, close to gradient flow's); a search stops as global once
 * L <= 1e-8, which is exact given monotone descent and no critical value in (0, 1e-3)
 * (CRITICAL_TOLERANCES.globalStopLoss); "drastically reduces" is encoded as ">= 0.95 global".
 *
 * Mutants: no over-parameterization needed (m = k reaches the global minimum w.p. >= 0.95);
 * the non-global endpoints are stalls (saddles or degenerate points), not strict minima; the
 * fraction does not depend on k; spurious minima are rare (<= 5%) at every k.
 *
 * Edge: at m = k (no over-parameterization) "the search reaches the global minimum" fails; the
 * hunt shrinks to a seed at the smallest k where a spurious strict minimum is hit.
 */
import fc from 'fast-check';
import erfc from '@stdlib/math-base-special-erfc';
import { defineClaim, type Check, type ClaimExtras, type Observed, type TrialOutcome } from './claim.ts';
import { identityTeacher, makePopulation } from '../core/population.ts';
import { CRITICAL_TOLERANCES, extendFamily, lineClasses, newtonCriticalPoint, classifyCriticalPoint, sameUpToSymmetry, searchFromXavier, type SearchOutcome } from '../core/criticalPoints.ts';
import { Rng, deriveSeed } from '../core/rng.ts';
import { clopperPearson } from '../stats/clopperPearson.ts';

/** One-sided level of the trend test in the extras (deterministic given the seed; no error budget of its own). */
export const TREND_ALPHA = 1e-3;
/** "Far smaller": the pooled m = k + 1 fraction's upper bound is below this fraction of the m = k lower bound. */
export const FAR_SMALLER_RATIO = 0.2;
/** The "rare" mutant's bound on the fraction at every k. */
export const RARE_BOUND = 0.05;

type P = { k: number; seed?: number };

type SpuriousObservation = {
  k: number;
  outcomeK: SearchOutcome;
  lossK: number;
  outcomeK1: SearchOutcome;
  lossK1: number;
  why: string;
};

/** One trial: the same Xavier stream at m = k and at m = k + 1 (the first k rows coincide). */
function observeSpurious(k: number, seed: number): Observed<SpuriousObservation> {
  const V = identityTeacher(k);
  const a = searchFromXavier(makePopulation(V, k, k, k), new Rng(seed));
  const b = searchFromXavier(makePopulation(V, k, k, k + 1), new Rng(seed));
  return {
    observation: {
      k,
      outcomeK: a.outcome,
      lossK: a.loss,
      outcomeK1: b.outcome,
      lossK1: b.loss,
      why: `m = k: ${a.outcome} (L = ${a.loss.toPrecision(4)}); m = k + 1: ${b.outcome} (L = ${b.loss.toPrecision(4)})`,
    },
  };
}

const isSpurious = (o: SearchOutcome): boolean => o === 'spurious-strict' || o === 'spurious-degenerate';

function judgeSpurious(o: SpuriousObservation): Check[] {
  return [
    { name: 'm = k + 1: the search reaches the global minimum', kind: 'evidence', pass: o.outcomeK1 === 'global', detail: o.why },
    { name: 'both searches converged (|grad| <= 1e-10 or L <= 1e-8)', kind: 'regression', pass: o.outcomeK !== 'unconverged' && o.outcomeK1 !== 'unconverged', detail: o.why },
  ];
}

/** One-sided Cochran-Armitage test for a proportion increasing in the score x. */
export function cochranArmitage(cells: { x: number; trials: number; events: number }[]): { z: number; pValue: number } {
  let N = 0;
  let X = 0;
  let xbar = 0;
  for (const c of cells) {
    N += c.trials;
    X += c.events;
    xbar += c.trials * c.x;
  }
  xbar /= N;
  const pbar = X / N;
  let num = 0;
  let den = 0;
  for (const c of cells) {
    num += c.events * (c.x - xbar);
    den += c.trials * (c.x - xbar) * (c.x - xbar);
  }
  if (pbar === 0 || pbar === 1 || den === 0) return { z: 0, pValue: 1 };
  const z = num / Math.sqrt(pbar * (1 - pbar) * den);
  return { z, pValue: 0.5 * erfc(z / Math.SQRT2) };
}

export interface SurveyCell {
  k: number;
  m: number;
  trials: number;
  global: number;
  spurious: number;
  saddle: number;
  unconverged: number;
}

export interface SurveyFamily {
  k: number;
  m: number;
  W: Float64Array;
  loss: number;
  count: number;
  rows: number[];
}

/** Searches from `trials` Xavier inits at (k, m); spurious endpoints grouped up to S_m x S_k. */
export function surveyCell(k: number, m: number, trials: number, seed: number, families: SurveyFamily[]): SurveyCell {
  const pop = makePopulation(identityTeacher(k), k, k, m);
  const cell: SurveyCell = { k, m, trials, global: 0, spurious: 0, saddle: 0, unconverged: 0 };
  for (let t = 0; t < trials; t++) {
    const r = searchFromXavier(pop, new Rng(deriveSeed(seed, k, m, t)));
    if (r.outcome === 'global') cell.global++;
    else if (r.outcome === 'saddle') cell.saddle++;
    else if (r.outcome === 'unconverged') cell.unconverged++;
    else {
      cell.spurious++;
      const f = families.find((g) => g.k === k && g.m === m && Math.abs(g.loss - r.loss) < 1e-7 && sameUpToSymmetry(g.W, r.W, m, k) !== null);
      if (f) f.count++;
      else families.push({ k, m, W: r.W, loss: r.loss, count: 1, rows: lineClasses(r.W, m, k).rows });
    }
  }
  return cell;
}

/** Least squares loss(k) = a + b/k + c/k^2 with the residual standard error of a. */
export function fitInverseK(pts: { k: number; loss: number }[]): { a: number; b: number; c: number; seA: number; n: number } {
  const n = pts.length;
  if (n < 4) return { a: NaN, b: NaN, c: NaN, seA: NaN, n };
  const A = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const y = [0, 0, 0];
  for (const p of pts) {
    const x = [1, 1 / p.k, 1 / (p.k * p.k)];
    for (let r = 0; r < 3; r++) {
      y[r] += x[r] * p.loss;
      for (let c = 0; c < 3; c++) A[r * 3 + c] += x[r] * x[c];
    }
  }
  const [a0, b0, c0, d0, e0, f0, g0, h0, i0] = A;
  const det = a0 * (e0 * i0 - f0 * h0) - b0 * (d0 * i0 - f0 * g0) + c0 * (d0 * h0 - e0 * g0);
  const inv = [(e0 * i0 - f0 * h0) / det, (c0 * h0 - b0 * i0) / det, (b0 * f0 - c0 * e0) / det, (f0 * g0 - d0 * i0) / det, (a0 * i0 - c0 * g0) / det, (c0 * d0 - a0 * f0) / det, (d0 * h0 - e0 * g0) / det, (b0 * g0 - a0 * h0) / det, (a0 * e0 - b0 * d0) / det];
  const beta = [0, 1, 2].map((r) => inv[r * 3] * y[0] + inv[r * 3 + 1] * y[1] + inv[r * 3 + 2] * y[2]);
  let rss = 0;
  for (const p of pts) {
    const e = p.loss - (beta[0] + beta[1] / p.k + beta[2] / (p.k * p.k));
    rss += e * e;
  }
  return { a: beta[0], b: beta[1], c: beta[2], seA: Math.sqrt((rss / Math.max(1, n - 3)) * inv[0]), n };
}

/** A family continued in k by Newton's method from its representative (extendFamily). */
export function continueFamily(W: Float64Array, k: number, kMax: number): { k: number; loss: number; kind: string }[] {
  const out: { k: number; loss: number; kind: string }[] = [];
  const pop0 = makePopulation(identityTeacher(k), k, k, k);
  out.push({ k, loss: classifyCriticalPoint(pop0, W).loss, kind: classifyCriticalPoint(pop0, W).kind });
  let cur = W;
  for (let kk = k; kk < kMax; kk++) {
    const pop = makePopulation(identityTeacher(kk + 1), kk + 1, kk + 1, kk + 1);
    const r = newtonCriticalPoint(pop, extendFamily(cur, kk));
    if (r.stop !== 'converged' || r.loss <= CRITICAL_TOLERANCES.globalLossTol) break;
    cur = r.W;
    const c = classifyCriticalPoint(pop, cur);
    out.push({ k: kk + 1, loss: c.loss, kind: c.kind });
  }
  return out;
}

const KS = [6, 7, 8, 9, 10, 11, 12];

function spuriousExtras(seed: number, budget: 'ci' | 'full'): ClaimExtras {
  const nK = (k: number): number => (budget === 'full' ? 1000 : k <= 9 ? 200 : 100);
  const nK1 = budget === 'full' ? 500 : 50;
  const families: SurveyFamily[] = [];
  const atK = KS.map((k) => surveyCell(k, k, nK(k), deriveSeed(seed, 0x6b), families));
  const atK1 = KS.map((k) => surveyCell(k, k + 1, nK1, deriveSeed(seed, 0x6b1), families));
  const ci = (c: SurveyCell) => clopperPearson(c.spurious, c.trials, 0.95);
  const trend = cochranArmitage(atK.map((c) => ({ x: c.k, trials: c.trials, events: c.spurious })));
  const pooled = (cs: SurveyCell[]) => {
    const t = cs.reduce((s, c) => s + c.trials, 0);
    const e = cs.reduce((s, c) => s + c.spurious, 0);
    return { t, e, ci: clopperPearson(e, t, 0.95) };
  };
  const pk = pooled(atK.filter((c) => c.k >= 7));
  const pk1 = pooled(atK1.filter((c) => c.k >= 7));
  const positive = atK.filter((c) => c.k >= 7 && c.spurious === 0).map((c) => c.k);
  const checks: NonNullable<ClaimExtras['checks']> = [
    { name: 'm = k: a spurious minimum is hit at every k in 7..12', pass: positive.length === 0, detail: positive.length === 0 ? atK.map((c) => `k=${c.k}: ${c.spurious}/${c.trials}`).join(', ') : `none at k = ${positive.join(', ')}` },
    { name: `m = k: the spurious fraction grows with k over 6..12 (Cochran-Armitage, one-sided p <= ${TREND_ALPHA})`, pass: trend.pValue <= TREND_ALPHA, detail: `z = ${trend.z.toFixed(2)}, p = ${trend.pValue.toExponential(2)}` },
    {
      name: `m = k + 1: pooled spurious fraction (95% upper) <= ${FAR_SMALLER_RATIO} x the m = k pooled fraction (95% lower), k in 7..12`,
      pass: pk1.ci.upper <= FAR_SMALLER_RATIO * pk.ci.lower,
      detail: `m = k + 1: ${pk1.e}/${pk1.t}, upper ${pk1.ci.upper.toFixed(4)}; m = k: ${pk.e}/${pk.t}, lower ${pk.ci.lower.toFixed(4)}`,
    },
    { name: 'every survey search converged', kind: 'regression', pass: [...atK, ...atK1].every((c) => c.unconverged === 0), detail: [...atK, ...atK1].filter((c) => c.unconverged > 0).map((c) => `k=${c.k} m=${c.m}: ${c.unconverged}`).join(', ') || 'all converged' },
  ];
  const series = (cs: SurveyCell[], name: string) => ({ name, mark: 'point' as const, points: cs.map((c) => [c.k, c.spurious / c.trials] as [number, number]) });
  const band = (cs: SurveyCell[], name: string) => ({ name, points: cs.map((c) => [c.k, ci(c).lower, ci(c).upper] as [number, number, number]) });
  // Families: the m = k ones by their minority classes, continued in k for the loss law.
  const kMax = budget === 'full' ? 32 : 20;
  const seen = new Set<string>();
  const curves: { label: string; pts: { k: number; loss: number; kind: string }[] }[] = [];
  for (const f of [...families].sort((x, y) => x.k - y.k)) {
    if (f.m !== f.k) continue;
    const label = f.rows.length > 1 ? `(k-${f.rows.slice(1).reduce((s, r) => s + r, 0)}) + ${f.rows.slice(1).join(' + ')}` : 'symmetric';
    if (seen.has(label) || curves.length >= (budget === 'full' ? 4 : 2)) continue;
    seen.add(label);
    curves.push({ label, pts: continueFamily(f.W, f.k, kMax) });
  }
  const fits = curves.map((c) => ({ label: c.label, fit: fitInverseK(c.pts.filter((p) => p.k >= 8)) }));
  const metrics: Record<string, number> = { trendZ: trend.z, trendP: trend.pValue, pooledFractionK: pk.e / pk.t, pooledFractionK1: pk1.e / pk1.t };
  for (const c of atK) metrics[`fractionK${c.k}`] = c.spurious / c.trials;
  for (const c of atK1) metrics[`fractionK${c.k}m${c.m}`] = c.spurious / c.trials;
  for (const f of fits) {
    metrics[`lossLimit[${f.label}]`] = f.fit.a;
    metrics[`lossLimitSe[${f.label}]`] = f.fit.seA;
  }
  return {
    metrics,
    checks,
    tables: [
      {
        title: 'Spurious fraction per cell (95% Clopper-Pearson)',
        columns: ['k', 'm', 'trials', 'global', 'spurious', 'saddle', 'unconverged', 'fraction', 'lower', 'upper'],
        rows: [...atK, ...atK1].map((c) => [c.k, c.m, c.trials, c.global, c.spurious, c.saddle, c.unconverged, c.spurious / c.trials, ci(c).lower, ci(c).upper]),
      },
      {
        title: 'Spurious families hit (up to student and teacher permutations)',
        columns: ['k', 'm', 'count', 'loss', 'row classes'],
        rows: families.map((f) => [f.k, f.m, f.count, f.loss, f.rows.join('+')]),
      },
      {
        title: 'Family losses continued in k (Newton), with the fit loss = a + b/k + c/k^2 over k >= 8',
        columns: ['family', 'k', 'loss', 'k * loss', 'kind'],
        rows: curves.flatMap((c) => c.pts.map((p) => [c.label, p.k, p.loss, p.k * p.loss, p.kind])),
      },
      {
        title: 'Loss-law fits (a = limit as k -> infinity; se from the residuals of the deterministic curve)',
        columns: ['family', 'points', 'a', 'se(a)', 'b', 'c'],
        rows: fits.map((f) => [f.label, f.fit.n, f.fit.a, f.fit.seA, f.fit.b, f.fit.c]),
      },
    ],
    plots: [
      {
        id: 'spurious-fraction-vs-k',
        title: 'fraction of Xavier inits ending at a spurious minimum, m = k and m = k + 1 (95% Clopper-Pearson)',
        xLabel: 'k',
        yLabel: 'spurious fraction',
        xScale: 'linear',
        yScale: 'linear',
        series: [series(atK, 'm = k'), series(atK1, 'm = k + 1')],
        bands: [band(atK, 'm = k 95% CI'), band(atK1, 'm = k + 1 95% CI')],
      },
      {
        id: 'family-loss-vs-k',
        title: 'loss of the spurious families continued in k (log-log)',
        xLabel: 'k',
        yLabel: 'loss',
        xScale: 'log',
        yScale: 'log',
        series: curves.map((c) => ({ name: c.label, mark: 'line' as const, points: c.pts.map((p) => [p.k, p.loss] as [number, number]) })),
      },
    ],
    data: {
      fractions: atK.map((c) => ({ k: c.k, trials: c.trials, spurious: c.spurious, lower: ci(c).lower, upper: ci(c).upper })),
      trendP: trend.pValue,
    },
  };
}

function spuriousOutcome(p: P, seed: number, m: 'k' | 'k+1'): TrialOutcome {
  const o = observeSpurious(p.k, seed).observation;
  const out = m === 'k' ? o.outcomeK : o.outcomeK1;
  return { pass: out === 'global', observation: o };
}

export const spuriousMinima = defineClaim<P, SpuriousObservation, null>({
  meta: {
    id: 'spurious-minima',
    title: 'Spurious local minima are hit from Xavier init at m = k, increasingly with k; one extra neuron removes almost all',
    paper: 'AF22 (numeric baseline Safran-Shamir ICML 2018)',
    theorem: 'Safran & Shamir 2018, abstract (experiments; no theorem number seen)',
    arxiv: '1712.08968, 2210.06088',
    statement:
      'Teacher-student ReLU networks on Gaussian inputs (V = I_k): at m = k the fraction of Xavier inits whose gradient-descent search ends at a spurious minimum is positive for 7 <= k <= 12 and grows with k; at m = k + 1 the search reaches the global minimum with probability >= 0.95.',
    regime: 'k uniform in 7..12, d = k, V = I_k, W0 entries N(0, 1/d), the same init stream at m = k and m = k + 1 (the extra neuron is the last row); extras: k = 6..12 at both widths',
    hypotheses: [
      'f_W(x) = sum_i relu(<w_i, x>), f_V likewise, second layers 1, no biases, x ~ N(0, I_d): the population loss in closed form (core/population.ts)',
      'orthonormal teacher V = I_k, d = k',
      'Xavier-like init N(0, 1/d) entries (criticalPoints.xavierInit)',
      'gradient descent (step 0.25, halved when the loss would rise) + Newton polishing to |grad| <= 1e-10; classification by the Hessian lambda_min sign at +-1e-6 and the loss (global iff L <= 1e-9)',
    ],
    departures: [
      "Safran & Shamir's optimiser, step and stopping rule are not reproduced: the fractions are basin volumes of this descent (close to gradient flow's)",
      'a search stops as global once L <= 1e-8 (monotone descent; no critical value found in (0, 1e-3))',
      '"drastically reduces" encoded as ">= 0.95 global at m = k + 1" (SPRT against 0.8) and "pooled fraction below a fifth of m = k"',
      'the trend and positivity checks are deterministic given the seed (extras), with no error budget of their own',
    ],
  },
  claimed: { kind: 'rate', p0: 0.95, text: '>= 0.95 global at m = k + 1' },
  regime: fc.record({ k: fc.integer({ min: 7, max: 12 }), seed: fc.integer({ min: 0, max: 0x7fffffff }) }),
  observe: (p, seed) => observeSpurious(p.k, seed),
  prediction: {
    name: 'over-parameterized search reaches the global minimum',
    statement: 'm = k + 1 ends global (L <= 1e-9); m = k may end at a spurious strict minimum',
    predict: () => null,
  },
  criterion: {
    name: 'global at m = k + 1',
    statement: 'evidence: the m = k + 1 search ends at the global minimum; regression: both searches converged',
    tolerances: [
      { name: 'globalLossTol', value: CRITICAL_TOLERANCES.globalLossTol, source: 'derivation', detail: 'global iff L <= 1e-9: spurious minima found have L >= 1e-2, a gradient of 1e-10 near the global minimum leaves L ~ 1e-19' },
      { name: 'curvatureTol', value: CRITICAL_TOLERANCES.curvatureTol, source: 'derivation', detail: 'lambda_min sign threshold; strict minima found have lambda_min >= 2e-3 at m = k and >= 2e-4 at m = k + 1 (k <= 12), Hessian round-off ~1e-13' },
      { name: 'TREND_ALPHA', value: TREND_ALPHA, source: 'convention', detail: 'one-sided level of the extras trend test' },
      { name: 'FAR_SMALLER_RATIO', value: FAR_SMALLER_RATIO, source: 'convention', detail: '"far smaller" = the m = k + 1 pooled upper bound below a fifth of the m = k pooled lower bound' },
    ],
    judge: (o) => judgeSpurious(o),
  },
  mutants: [
    {
      id: 'no-overparameterization-needed',
      statement: 'at m = k the search already reaches the global minimum with probability >= 0.95',
      rationale: 'the landscape is benign without extra neurons (as for linear networks); the claim without its over-parameterization hypothesis',
      criterion: {
        name: 'global at m = k',
        statement: 'the m = k search ends at the global minimum',
        tolerances: [],
        judge: (o) => [{ name: 'm = k: global', kind: 'evidence', pass: o.outcomeK === 'global', detail: o.why }],
      },
    },
    {
      id: 'stalls-not-minima',
      statement: 'the non-global endpoints are stalls (saddles or degenerate plateaus), never strict local minima',
      rationale: 'a common reading of "bad local minima" in ReLU nets: descent slows near saddles, so a finite run stops there; Safran & Shamir verify strict minima with the Hessian',
      criterion: {
        name: 'no strict spurious minimum',
        statement: 'neither search ends at a strict spurious minimum',
        tolerances: [],
        judge: (o) => [{ name: 'no strict spurious endpoint', kind: 'evidence', pass: o.outcomeK !== 'spurious-strict' && o.outcomeK1 !== 'spurious-strict', detail: o.why }],
      },
    },
    {
      id: 'constant-in-k',
      statement: 'the spurious fraction at m = k does not depend on k over 6..12',
      rationale: 'negates the "increasing with the network size" part of the abstract',
      study: (ex) => {
        const p = Number(ex.data?.trendP);
        return { holds: !(p <= TREND_ALPHA), detail: `one-sided trend p = ${p.toExponential(2)}` };
      },
    },
    {
      id: 'rare-at-m-equals-k',
      statement: `spurious minima are rare: the fraction at m = k is <= ${RARE_BOUND} at every k in 7..12`,
      rationale: 'spurious minima exist (the computer-assisted proof) but are a measure-zero curiosity for random init; the abstract says "quite high"',
      study: (ex) => {
        const rows = (ex.data?.fractions as { k: number; lower: number }[] | undefined) ?? [];
        const bad = rows.filter((r) => r.k >= 7 && r.lower > RARE_BOUND);
        return { holds: bad.length === 0, detail: bad.length === 0 ? 'every 95% lower bound <= the bound' : `95% lower bound above ${RARE_BOUND} at k = ${bad.map((r) => `${r.k} (${r.lower.toFixed(3)})`).join(', ')}` };
      },
    },
  ],
  budgets: {
    ci: { maxTrials: 120, p1: 0.8, edgeRuns: 20 },
    full: { maxTrials: 600, p1: 0.9, edgeRuns: 100 },
  },
  edge: {
    description: 'no over-parameterization (m = k): "the search reaches the global minimum" fails at a spurious strict minimum',
    arbitrary: fc.record({ k: fc.integer({ min: 6, max: 12 }), seed: fc.integer({ min: 0, max: 1000 }) }),
    run: (p) => spuriousOutcome(p, p.seed ?? 0, 'k'),
    name: (p) => `m-equals-k-${p.k}-seed${p.seed ?? 0}`,
    expect: (_p, out) => (out.observation.outcomeK === 'spurious-strict' ? null : `expected a spurious strict minimum at m = k, got ${String(out.observation.outcomeK)}`),
  },
  extras: ({ seed, budget }) => spuriousExtras(seed, budget),
});
