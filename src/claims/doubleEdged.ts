/**
 * double-edged: on clustered data with nearly orthogonal means and large noise, gradient flow gives
 * a ReLU network that generalises (no harmful overfitting, although a noise-memorising interpolator
 * exists) yet is flipped by a perturbation of norm ||mu|| / sqrt(k), while a network certified
 * robust at ~||mu|| / 2 fits the same data.
 *
 * Paper: Frei, Vardi, Bartlett, Srebro (FVBS23, arXiv 2303.01456). Abstract (read; theorem numbers
 * and exact conditions not seen): for clusters whose means have small correlations, gradient flow
 * on two-layer ReLU networks is biased towards solutions that generalise well despite the potential
 * for harmful overfitting, but are vulnerable to small L2 perturbations, although robust networks
 * that fit the data exist. The constants are derived in src/theory/clusters.ts: the equal-margin
 * two-neuron network on orthogonal means is flipped along -y sum_j y_j mu_j at exactly
 * C_FLIP ||mu|| / sqrt(k), C_FLIP = 1 (not fitted), and g(x) = sum_c y_c relu(<mu_c, x> - ||mu||^2/2)
 * is certified at ||mu|| / 2.
 *
 * Statement encoded (per trial, N_TEST fresh test points, radii at the first N_RAY of them):
 * (D1) test accuracy >= ACC_MIN; (D2) the median first-flip radius along -y u (u the unit vector
 * along sum_j y_j mu_j, found by bisection on the ray) is C_FLIP ||mu|| / sqrt(k) within a factor
 * C_TOL either way; (D3) the trained network is less robust than g: its median radius is below the
 * median certified radius of g. Regression (independent of training): g has accuracy >= ACC_MIN and
 * median certificate >= CERT_MIN ||mu||.
 *
 * Hypotheses -> code (_internals/clustersRun.ts): k cluster means of norm 1, Gaussian directions
 * in R^d (|cos| ~ 1/sqrt(d)), random cluster labels with both classes; x = mu_c + N(0, nu^2 I / d)
 * (noise norm nu ||mu||, up to twice the means: a noise-memorising interpolator fits the data and
 * has test accuracy ~1/2, extras); f(x) = sum_j a_j relu(<w_j, x>), both layers, logistic loss,
 * gradient flow (Dormand-Prince) from a balanced init of scale 1e-2 until the loss is 1e-3.
 * Departures: finite time (loss 1e-3, not the KKT limit); radii along one direction (an upper bound
 * on the smallest flip); the paper's conditions on d, k, noise were not readable: d = 1000 and
 * nu <= 2 keep the noise overlaps nu^2 / sqrt(d) <= 0.13 ||mu||^2 (at nu = 3, d = 600 the
 * accuracy drops to 0.83-0.88: beyond the regime).
 *
 * Edge: fewer clusters, k in [2, 11]: at k = 2, 3 the flip radius ||mu|| / sqrt(k) exceeds g's
 * certificate, so the "double edge" (D3) disappears while D1 and D2 still hold.
 */
import fc from 'fast-check';
import { defineClaim, evidencePasses, type Check, type Observed, type TrialOutcome } from './claim.ts';
import { toInstance } from '../core/instance.ts';
import { C_FLIP, flipRadius } from '../theory/clusters.ts';
import { clusterRun, robustnessSummary, INIT_SCALE, MEAN_NORM, STOP_LOSS } from './_internals/clustersRun.ts';
import { doubleEdgedExtras } from './_internals/clustersExtras.ts';

export const N_TEST = 200;
export const N_RAY = 20;
export const ACC_MIN = 0.9;
export const C_TOL = 1.5;
export const CERT_MIN = 0.2;

const K_RANGE = { min: 12, max: 16 };
const D = 1000;
/** Noise norms relative to ||mu||; the largest is the harmful-overfitting mutant's. */
export const NOISE_CHOICES = [1, 2];
const M_CHOICES = [30, 40];

type P = { k: number; perCluster: number; mSel: number; noiseSel: number; seed: number };
type Obs = {
  k: number; n: number; d: number; m: number; nu: number; tEnd: number; stopped: boolean; diverged: boolean;
  accTrained: number | null; accRobust: number | null; medianRadius: number | null; medianCert: number | null; minCert: number | null; fractionLessRobust: number | null; why: string;
};
type Pred = { radius: number };

function observeClusters(p: P, seed: number): Observed<Obs> {
  const spec = { k: p.k, perCluster: p.perCluster, m: M_CHOICES[p.mSel], d: D, nu: NOISE_CHOICES[p.noiseSel], seed };
  const run = clusterRun(spec, N_TEST);
  const base: Obs = { k: p.k, n: run.data.n, d: D, m: spec.m, nu: spec.nu, tEnd: run.tEnd, stopped: run.stopped, diverged: run.diverged, accTrained: null, accRobust: null, medianRadius: null, medianCert: null, minCert: null, fractionLessRobust: null, why: '' };
  const instance = toInstance(run.problem, run.p0, { kind: 'flow', tEnd: 1e6, stopLoss: STOP_LOSS }, { initScale: INIT_SCALE, label: `double-edged k=${p.k} per=${p.perCluster} m=${spec.m} nu=${spec.nu} seed ${seed}` });
  if (run.diverged || !run.stopped) return { observation: { ...base, why: run.diverged ? 'diverged: flow' : `loss did not reach ${STOP_LOSS}` }, instance };
  const s = robustnessSummary(run, N_RAY);
  const why = `acc ${s.accTrained}, median radius ${s.medianRadius.toFixed(3)} ||mu|| (= ${(s.medianRadius * Math.sqrt(p.k)).toFixed(3)} ||mu||/sqrt(k)), median certificate of g ${s.medianCert.toFixed(3)} ||mu||`;
  return { observation: { ...base, ...s, why }, instance };
}

function judge(o: Obs, pr: Pred): Check[] {
  if (o.accTrained === null) return [{ name: 'trained to the stopping loss', kind: 'evidence', pass: false, detail: o.why }];
  const ratio = (o.medianRadius as number) / pr.radius;
  return [
    { name: `D1: test accuracy >= ${ACC_MIN}`, kind: 'evidence', pass: o.accTrained >= ACC_MIN, detail: `${o.accTrained} at noise ${o.nu} ||mu||` },
    { name: `D2: median flip radius along -y u / predicted radius in [1/${C_TOL}, ${C_TOL}]`, kind: 'evidence', pass: ratio >= 1 / C_TOL && ratio <= C_TOL, detail: `${(o.medianRadius as number).toFixed(4)} / ${pr.radius.toFixed(4)} = ${ratio.toFixed(3)}` },
    { name: 'D3: the trained network is less robust than g (median radius < median certificate)', kind: 'evidence', pass: (o.medianRadius as number) < (o.medianCert as number), detail: `${(o.medianRadius as number).toFixed(3)} vs ${(o.medianCert as number).toFixed(3)} (fraction of points provably less robust ${o.fractionLessRobust})` },
    { name: `regression: g (hand-built) has accuracy >= ${ACC_MIN} and median certificate >= ${CERT_MIN} ||mu||`, kind: 'regression', pass: (o.accRobust as number) >= ACC_MIN && (o.medianCert as number) >= CERT_MIN, detail: `accuracy ${o.accRobust}, median certificate ${o.medianCert}, min ${o.minCert}` },
  ];
}

const radiusPrediction = (name: string, statement: string, r: (k: number) => number) => ({ name, statement, predict: (p: P): Pred => ({ radius: r(p.k) }) });

const criterion = {
  name: 'generalises, flipped at ||mu||/sqrt(k), less robust than the robust network',
  statement: `D1 accuracy >= ${ACC_MIN}; D2 median first-flip radius along -y u within a factor ${C_TOL} of the prediction; D3 median radius < median certificate of g`,
  tolerances: [
    { name: 'C_FLIP', value: C_FLIP, source: 'derivation' as const, detail: 'src/theory/clusters.ts: the equal-margin two-neuron network on orthogonal means flips at exactly ||mu||/sqrt(k) along -y u, whatever the class sizes (unit-tested)' },
    { name: 'C_TOL', value: C_TOL, source: 'derivation' as const, detail: 'fixed a priori, not fitted: noise overlaps nu^2/sqrt(d) <= 0.13 ||mu||^2 and mean correlations ~1/sqrt(d) move f(x) and the slope along u by O(0.1-0.2); 1.5 leaves room for that and separates the wrong laws ||mu||/k (ratio 1/sqrt(k) <= 0.29) and ||mu|| (ratio sqrt(k) >= 3.5) by a factor >= 2.3' },
    { name: 'ACC_MIN', value: ACC_MIN, source: 'derivation' as const, detail: 'the Bayes accuracy is ~1 here (the means are sqrt(2) ||mu|| apart, the noise projects to nu/sqrt(d) ||mu|| per direction) while a noise-memorising interpolator scores ~1/2 (extras): 0.9 separates generalisation from harmful overfitting (the mutant\'s threshold)' },
    { name: 'CERT_MIN', value: CERT_MIN, source: 'derivation' as const, detail: 'noiseless certificate ||mu||/2 (robustCertificate); the noise and the k - 1 other means take at most ~sqrt(2 ln k (1 + nu^2)/d) ~ 0.17 at d = 1000, nu = 2, k = 16' },
    { name: 'STOP_LOSS', value: STOP_LOSS, source: 'convention' as const, detail: 'gradient flow stops at training loss 1e-3 (margins ~7)' },
  ],
  judge: (o: Obs, pr: Pred) => judge(o, pr),
};

export const doubleEdged = defineClaim<P, Obs, Pred>({
  meta: {
    id: 'double-edged',
    title: 'Clusters: gradient flow generalises under large noise yet is flipped at ||mu||/sqrt(k), below the certificate of a robust network',
    paper: 'FVBS23',
    theorem: 'derived (src/theory/clusters.ts, papers.md "Clusters"); FVBS23 main results (theorem numbers not seen)',
    arxiv: '2303.01456',
    statement: `After gradient flow to loss ${STOP_LOSS}: test accuracy >= ${ACC_MIN}, median first-flip radius along -y sum_j y_j mu_j within a factor ${C_TOL} of ${C_FLIP} ||mu||/sqrt(k), and below the median certified radius (~||mu||/2) of g = sum_c y_c relu(<mu_c, x> - ||mu||^2/2).`,
    regime: `k in [${K_RANGE.min}, ${K_RANGE.max}] clusters with random labels (both classes), perCluster in {2, 3}, d = ${D}, ||mu|| = ${MEAN_NORM}, noise norm nu ||mu||, nu in {${NOISE_CHOICES.join(', ')}}; m in {${M_CHOICES.join(', ')}}; bias-free ReLU, both layers, logistic loss, gradient flow from balanced init ${INIT_SCALE}`,
    hypotheses: [
      'k cluster means of equal norm, nearly orthogonal (Gaussian directions, |cos| ~ 1/sqrt(d)), labels per cluster at random, both classes present',
      'x = mu_c + N(0, (nu^2/d) I_d) with noise norm up to 2 ||mu||: large enough that a noise-memorising interpolator exists (accuracy ~1/2, extras)',
      'f(x) = sum_j a_j relu(<w_j, x>), no bias, both layers trained, logistic loss, gradient flow from a small balanced init',
    ],
    departures: [
      `finite time: loss ${STOP_LOSS} instead of the KKT limit`,
      `radii along the single direction -y u (bisection), an upper bound on the smallest flip, at ${N_RAY} of the ${N_TEST} test points`,
      'the robust network is the example of papers.md; its certificate (interval bounds, sound) is a regression quantity (it does not depend on training)',
      'claimed rate 0.95 (w.h.p.), SPRT against 0.7 (ci) / 0.85 (full)',
    ],
  },
  claimed: { kind: 'rate', p0: 0.95, text: '>= 0.95 (w.h.p.)' },
  regime: fc.record({
    k: fc.integer(K_RANGE),
    perCluster: fc.integer({ min: 2, max: 3 }),
    mSel: fc.integer({ min: 0, max: M_CHOICES.length - 1 }),
    noiseSel: fc.integer({ min: 0, max: NOISE_CHOICES.length - 1 }),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
  }),
  observe: observeClusters,
  prediction: radiusPrediction('flipRadius', `C_FLIP ||mu|| / sqrt(k), C_FLIP = ${C_FLIP} (src/theory/clusters.ts)`, (k) => flipRadius(MEAN_NORM, k)),
  criterion,
  mutants: [
    { id: 'radius-mu-over-k', statement: 'the flip radius is ~||mu||/k', rationale: 'the perturbation spread over k clusters, each needing ||mu||/k', prediction: radiusPrediction('mu/k', '||mu||/k', (k) => MEAN_NORM / k) },
    { id: 'radius-mu-robust', statement: 'the flip radius is ~||mu|| (the trained network is robust)', rationale: 'the negation of the non-robustness: implicit bias towards the robust network', prediction: radiusPrediction('mu', '||mu||', () => MEAN_NORM) },
    {
      id: 'harmful-overfitting',
      statement: `test accuracy falls below ${ACC_MIN} at the regime's largest noise (nu = ${NOISE_CHOICES[NOISE_CHOICES.length - 1]}): the network overfits the noise`,
      rationale: 'the noise is large enough for a memorising interpolator; implicit bias could pick one',
      criterion: {
        ...criterion,
        name: 'harmful overfitting at the largest noise',
        judge: (o: Obs, pr: Pred) => (o.nu === NOISE_CHOICES[NOISE_CHOICES.length - 1] ? [{ name: `accuracy < ${ACC_MIN}`, kind: 'evidence' as const, pass: o.accTrained !== null && o.accTrained < ACC_MIN, detail: `${o.accTrained}` }] : judge(o, pr)),
      },
    },
    {
      id: 'gap-independent-of-k',
      statement: 'the robustness gap (certificate of g / trained radius) does not grow with k',
      rationale: 'the trained radius could scale like the robust one (both ~||mu||)',
      study: (ex) => {
        const s = Number(ex.data?.gapSlope);
        return { holds: Math.abs(s) <= 0.25, detail: `log-log slope of the gap ratio vs k ${s.toFixed(3)} (the mutant needs |slope| <= 0.25; the derivation gives 1/2)` };
      },
    },
  ],
  budgets: { ci: { maxTrials: 80, p1: 0.7, edgeRuns: 12 }, full: { maxTrials: 400, p1: 0.85, edgeRuns: 60 } },
  edge: {
    description: 'fewer clusters, k in [2, 11] (other parameters from the regime): at k = 2, 3 the flip radius ||mu||/sqrt(k) is no smaller than the robust certificate, the double edge (D3) disappears',
    arbitrary: fc.record({ k: fc.integer({ min: 2, max: 11 }), perCluster: fc.integer({ min: 2, max: 3 }), mSel: fc.integer({ min: 0, max: M_CHOICES.length - 1 }), noiseSel: fc.integer({ min: 0, max: NOISE_CHOICES.length - 1 }), seed: fc.integer({ min: 0, max: 1000 }) }),
    run: (p, seed) => edgeOutcome(p, seed),
    name: (p) => `few-clusters-k${p.k}-per${p.perCluster}-nu${NOISE_CHOICES[p.noiseSel]}-seed${p.seed}`,
    expect: (p, o) => {
      const failed = (o.checks ?? []).filter((c) => c.kind === 'evidence' && !c.pass).map((c) => c.name);
      return p.k <= 3 && failed.length === 1 && failed[0].startsWith('D3') ? null : `expected k <= 3 failing only D3 (no sqrt(k) gap), got k = ${p.k}, failing: ${failed.join('; ') || 'none'}`;
    },
  },
  extras: ({ seed }) => doubleEdgedExtras(seed % 100000, { nTest: N_TEST, nRay: N_RAY, d: D, nu: NOISE_CHOICES[NOISE_CHOICES.length - 1] }),
});

function edgeOutcome(p: P, seed: number): TrialOutcome {
  const o = observeClusters(p, seed);
  const checks = judge(o.observation, { radius: flipRadius(MEAN_NORM, p.k) });
  return { pass: evidencePasses(checks), observation: o.observation, checks, instance: o.instance };
}
