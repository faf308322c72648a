/**
 * early-alignment: from small init, every neuron that stays alive aligns with the data of the
 * class sign(a_j) picks, in a time independent of the init scale and at most C log n / sqrt(mu).
 *
 * Papers: MVM24 (Min, Vidal, Mallada, ICLR 2024, arXiv 2307.12851) and BPF22 (arXiv 2206.00939).
 * Read: MVM24's abstract (gradient flow, small init, well-separated data "any pair of input data
 * with the same label are positively correlated, and any pair with different labels are
 * negatively correlated"; neurons "align with either the positive data or the negative data,
 * depending on its corresponding weight on the second layer"; "an O(log n / sqrt(mu)) upper
 * bound on the time it takes for all neurons to achieve good alignment", mu measuring the
 * separation), and a public review quoting the separation as mu = min_{i,j} <x_i y_i, x_j y_j> /
 * (||x_i|| ||x_j||) and the aligned state as "positive neurons point like the positive points, or
 * have a negative product with all data". No theorem text was seen: no theorem number is cited,
 * and the statement encoded is derived (src/theory/alignment.ts):
 *
 *   T = first time every non-dead neuron j is in the cone of I_{s_j} (active exactly on the
 *   points with y_i = s_j = sign a_j) with 1 - cos(w_j, X_{s_j}) <= eps, X_s = sum_{y_i = s} x_i.
 *   (a) T is the same at lambda = 1e-6, 1e-9, 1e-12 (within one check interval);
 *   (b) T <= C log n / (g sqrt(mu)), g = -l'(0) (1 exponential, 1/2 logistic: the early flow is
 *       proportional to g), C calibrated (see C_BOUND);
 *   (c) over a sweep of n and mu (balanced classes), log T = c + alpha log(1/mu) + beta log n:
 *       the 95% intervals do not contradict alpha <= 1/2 and beta <= 1/ln 16 (an upper bound is
 *       rejected only when its exponent lies below the interval), and alpha > 0 (T diverges as
 *       mu -> 0+). Measured over root seeds 20261122, 101..106: alpha 0.433..0.460 (intervals
 *       within [0.40, 0.49]), beta -0.040..0.014 (T barely depends on n).
 *   Regression: on orthogonal data (mu = 0, same seed) activation sets never grow (exact algebra:
 *   <w_j, x_i> <= 0 receives no gradient); the generated data have separation exactly mu.
 *
 * Hypotheses -> code (src/claims/_internals/alignmentRun.ts): f = sum_j a_j relu(<w_j, x>), no
 * bias, both layers; exponential or logistic loss (1/n) sum l(y_i f_i), y_i = +-1; balanced init
 * w_j = lambda g_j, g_j ~ N(0, I/d), a_j = s_j ||w_j||; unit data with pairwise
 * cos(y_i x_i, y_k x_k) = mu exactly (x_i = y_i (sqrt(mu) u + sqrt(1 - mu) e_i)), n+, n- in
 * [4, 16], mu = 2^-k, k in 1..4, m in [2, 8], d = n + 1 + [0, 4].
 *
 * Departures: gradient descent with eta = 0.05 (explicit Euler of the flow, every rate <= 1);
 * the loss is the mean (MVM24's normalisation, sum or mean, was not seen: with the sum, times
 * are n times shorter and the bound holds a fortiori); eps = 1e-2 is a convention (MVM24's own
 * epsilon not seen) and C is calibrated, not MVM24's constant; T read on a grid of step 0.2;
 * the bound's log n is not resolved by random init (T barely depends on n, see the fit).
 *
 * Finding (extras' divergence table): at fixed n the growth as mu -> 0+ slows once n mu < ~2 (n = 16:
 * T sqrt(mu) falls from ~7 at mu = 1/2 to ~2.3 at 1/512): the in-cone rate is
 * ||X_s|| / n = (n_s / n) sqrt(mu + (1 - mu) / n_s), so "diverges like 1/sqrt(mu)" holds for
 * n_s mu >> 1 (the sweep), and crosses over to ~sqrt(n) log(1/mu) at fixed n. The bound holds.
 *
 * Edge (mu at the hypothesis' boundary): mu -> 0+ (T grows like mu^-alpha), mu = 0 (orthogonal:
 * a neuron active on part of its class never reaches the cone) and mu < 0 (a neuron keeps points
 * of the other class). The run's horizon is the bound at the smallest positive mu drawn
 * (2^-8); the hunt shrinks to mu = 0 with a non-dead neuron outside its cone.
 */
import fc from 'fast-check';
import { defineClaim, type Check, type ClaimExtras, type Observed } from './claim.ts';
import { observeTrial, trialInstance, edgeRun, edgeMu, EDGE_MU_FLOOR_EXP, LAMBDAS, ALIGN_EPS, ACT_ROUNDOFF, type TrialObservation, type TrialParams } from './_internals/alignmentRun.ts';
import { alignmentSweep, sweepPlot, divergenceTable } from './_internals/alignmentExtras.ts';
import { alignmentBound, predictAlignment, logInverseLambdaRatios, lossWeightAtZero, type AlignmentPrediction } from '../theory/alignment.ts';

/**
 * The constant of g T <= C log n / sqrt(mu), g = -l'(0) (calibration: scripts/calibrate-early-
 * alignment.ts, root seed 9100, 1000 regime draws and trial seeds derived from 9100, disjoint
 * from verify's). Measured R = g T sqrt(mu) / log n: median 2.06, 90% 3.05, 99% 3.97, max 5.10
 * (imbalanced classes, n_s = 4 of 15..19: the minority's rate is ~ (n_s/n) sqrt(mu)). C = 6.5
 * (1.27 x max): an exponential tail fitted to the top 1% (mean excess 0.30 over 3.97) puts
 * P(R > 6.5) near 2e-6 per trial.
 */
export const C_BOUND = 6.5;
/** What the calibration measured (recorded in the tolerance's detail). */
const C_DETAIL = 'root seed 9100, 1000 regime draws (scripts/calibrate-early-alignment.ts): R = g T sqrt(mu)/log n median 2.06, 90% 3.05, 99% 3.97, max 5.10; C = 6.5 = 1.27 x max (exponential tail fit of the top 1%: P(R > 6.5) ~ 2e-6 per trial); lambda spread of T 0 on all 1000, max |f| at T 1e-2';
/** Runs stop at HORIZON_FACTOR times the bound (convention: a trial past the bound fails anyway). */
export const HORIZON_FACTOR = 1.25;
/**
 * |T(lambda_k) - r_k T(lambda_0)| allowed, in check intervals h = 0.2 (derivation): T is read on
 * the grid of step h, so two runs whose alignment times differ by less than h can read one grid
 * point apart. The lambda-dependence enters through e^{-y_i f_i} = 1 + O(f_i) on the points a
 * not-yet-aligned neuron is active on; with f = O(lambda^2 e^{2 r t}) it is O(lambda^2 x 1e4) at
 * T for lambda = 1e-6 (a slow minority class can let the majority's outputs reach |f| ~ 0.5,
 * measured, but those points are outside the slow neurons' cones by then). Calibration (seed
 * 9100): spread 0 over 1000 trials.
 */
export const LAMBDA_TOL_INTERVALS = 1;
/** T = steps x eta carries float round-off of ~1e-14 T: compared with this slack (not a tolerance on the dynamics). */
const GRID_ROUNDOFF = 1e-9;
/** Exponent of 1/mu the bound allows (MVM24 abstract: O(log n / sqrt(mu))). */
export const ALPHA_MAX = 0.5;
/** Exponent of n the bound allows: 1/ln(16), the local exponent of log n at the sweep's smallest n (derivation). */
export const BETA_MAX = 1 / Math.log(16);
/** Numbers agree to round-off: the data construction's separation (a few hundred float operations). */
const SEPARATION_ROUNDOFF = 1e-12;

type P = { loss: string; nPos: number; nNeg: number; m: number; extraD: number; muExp: number; seed?: number };
type O = TrialObservation & { [k: string]: number | string | boolean };

const trialParams = (p: P): TrialParams => ({ loss: p.loss === 'logistic' ? 'logistic' : 'exponential', nPos: p.nPos, nNeg: p.nNeg, m: p.m, extraD: p.extraD, mu: 2 ** -p.muExp });
const horizonOf = (p: TrialParams): number => HORIZON_FACTOR * alignmentBound(p.nPos + p.nNeg, p.mu, C_BOUND, lossWeightAtZero(p.loss ?? 'exponential'));

function observe(p: P, seed: number): Observed<O> {
  const tp = trialParams(p);
  return { observation: observeTrial(tp, seed, horizonOf(tp)) as O, instance: trialInstance(tp, seed, horizonOf(tp)) };
}

const Ts = (o: O): number[] => [o.T0, o.T1, o.T2].map(Number);

function judge(o: O, pred: AlignmentPrediction): Check[] {
  const T = Ts(o);
  const tol = LAMBDA_TOL_INTERVALS * o.checkInterval;
  const lam = T.every(Number.isFinite) && T.every((t, k) => Math.abs(t - pred.lambdaRatios[k] * T[0]) <= tol + GRID_ROUNDOFF);
  const within = !o.diverged && Number.isFinite(T[0]) && T[0] <= pred.bound;
  const target = pred.target === 'class-by-sign' ? within : within && o.worstOneMinusCosMean <= ALIGN_EPS;
  return [
    { name: 'aligned by sign(a_j) within C log n / (g sqrt(mu))', kind: 'evidence', pass: within, detail: `T = ${T[0]} vs bound ${pred.bound.toFixed(2)}; ${o.why}` },
    { name: 'alignment time as predicted across lambda', kind: 'evidence', pass: lam, detail: `T = ${T.join(', ')} at lambda ${LAMBDAS.join(', ')}; predicted ratios ${pred.lambdaRatios.map((r) => r.toFixed(2)).join(', ')} (+-${tol})` },
    { name: 'aligned directions as predicted', kind: 'evidence', pass: target, detail: `target ${pred.target}; worst 1 - cos with X_sign ${o.worstOneMinusCos.toExponential(2)}, with the mean of all data ${o.worstOneMinusCosMean.toExponential(2)}` },
    { name: 'orthogonal data: activation sets never grow', kind: 'regression', pass: o.orthoGrowths === 0, detail: `${o.orthoGrowths} growth(s) over ${o.orthoChecks} checks` },
    { name: 'generated data have separation mu', kind: 'regression', pass: Math.abs(o.separation - o.mu) <= SEPARATION_ROUNDOFF, detail: `separation ${o.separation} for mu ${o.mu}` },
  ];
}

const tolerances = [
  { name: 'C_BOUND', value: C_BOUND, source: 'calibration' as const, detail: C_DETAIL },
  { name: 'LAMBDA_TOL_INTERVALS', value: LAMBDA_TOL_INTERVALS, source: 'derivation' as const, detail: 'T is read on a grid of step h = 0.2; the lambda-dependence is O(lambda^2 e^{2rT}) on the slow neurons\' active points, far below one grid step (calibration seed 9100: spread 0 over 1000 trials)' },
  { name: 'ALIGN_EPS', value: ALIGN_EPS, source: 'convention' as const, detail: '"good alignment" = 1 - cos(w_j, X_{s_j}) <= 1e-2 (defines T; MVM24\'s epsilon not seen)' },
  { name: 'HORIZON_FACTOR', value: HORIZON_FACTOR, source: 'convention' as const, detail: 'runs stop at 1.25 x the bound (does not judge: a trial past the bound fails)' },
  { name: 'BETA_MAX', value: BETA_MAX, source: 'derivation' as const, detail: 'd log(log n) / d log n = 1/ln n <= 1/ln 16 on the sweep' },
  { name: 'ALPHA_MAX', value: ALPHA_MAX, source: 'paper' as const, detail: 'MVM24 abstract: "an O(log n / sqrt(mu)) upper bound"; the sweep fails it only when the 95% interval of alpha lies above 1/2' },
  { name: 'ACT_ROUNDOFF', value: ACT_ROUNDOFF, source: 'derivation' as const, detail: 'point i active for neuron j iff <w_j, x_i> > 1e-12 ||w_j|| ||x_i||: float64 inner products of unit vectors carry ~1e-16 d error, and a frozen coordinate drifts by ~1e-17 per step' },
  { name: 'SEPARATION_ROUNDOFF', value: SEPARATION_ROUNDOFF, source: 'derivation' as const, detail: 'the constructed data have separation mu up to float64 round-off of a few hundred operations' },
];

const criterion = { name: 'early alignment', statement: 'T finite, <= C log n / (g sqrt(mu)), equal at the three lambdas (one check interval), neurons aligned with X_{sign a_j}', tolerances, judge };
const predict = (target: AlignmentPrediction['target'], ratios?: number[]) => (p: P): AlignmentPrediction => {
  const tp = trialParams(p);
  const pr = predictAlignment(tp.nPos + tp.nNeg, tp.mu, LAMBDAS, C_BOUND, lossWeightAtZero(tp.loss ?? 'exponential'));
  return { ...pr, target, lambdaRatios: ratios ?? pr.lambdaRatios };
};

export const earlyAlignment = defineClaim<P, O, AlignmentPrediction>({
  meta: {
    id: 'early-alignment',
    title: 'MVM24: every non-dead neuron aligns with the data of its sign in a time independent of lambda and at most C log n / sqrt(mu)',
    paper: 'MVM24, BPF22',
    theorem: 'derived (MVM24 abstract and review; papers.md "early-alignment"); theorem numbers not seen',
    arxiv: '2307.12851, 2206.00939',
    statement: 'On well-separated data (min cos(y_i x_i, y_k x_k) = mu > 0), the first time T at which every non-dead neuron is active exactly on the class sign(a_j) and 1 - cos(w_j, X_{sign a_j}) <= 1e-2 is independent of lambda for small lambda and T <= C log n / (g sqrt(mu)), g = -l\'(0).',
    regime: 'equicorrelated unit data, n+, n- in [4, 16], mu = 2^-k (k = 1..4), m in [2, 8], d = n + 1 + [0, 4], +-1 labels, exponential or logistic loss, balanced init at lambda = 1e-6, 1e-9, 1e-12, gradient descent eta = 0.05',
    hypotheses: [
      'well-separated: x_i = y_i (sqrt(mu) u + sqrt(1 - mu) e_i), so every pairwise cos(y_i x_i, y_k x_k) = mu > 0 (alignmentData)',
      'f = sum_j a_j relu(<w_j, x>), no bias, both layers, exponential or logistic loss with +-1 labels (ALIGN_PROBLEM)',
      'small balanced init w_j = lambda g_j, a_j = s_j ||w_j|| (balancedInit), lambda in {1e-6, 1e-9, 1e-12}',
      '"good alignment": in the cone of the class sign(a_j) and 1 - cos(w_j, X_s) <= 1e-2, dead neurons (active on no point) excluded',
    ],
    departures: ['gradient descent eta = 0.05 instead of gradient flow', 'mean loss (MVM24 normalisation not seen)', 'eps = 1e-2 convention, C calibrated', 'T on a grid of step 0.2'],
  },
  claimed: { kind: 'rate', p0: 1, text: '1 (always)' },
  regime: fc.record({ loss: fc.constantFrom('exponential', 'logistic'), nPos: fc.integer({ min: 4, max: 16 }), nNeg: fc.integer({ min: 4, max: 16 }), m: fc.integer({ min: 2, max: 8 }), extraD: fc.integer({ min: 0, max: 4 }), muExp: fc.integer({ min: 1, max: 4 }) }),
  observe,
  prediction: { name: 'predictAlignment', statement: 'T independent of lambda, <= C log n / sqrt(mu), directions X_{sign a_j} (src/theory/alignment.ts)', predict: predict('class-by-sign') },
  criterion,
  mutants: [
    {
      id: 'log-inverse-lambda',
      statement: 'the alignment time is of order log(1/lambda): T(lambda) / T(1e-6) = log(1/lambda) / log(1e6)',
      rationale: 'the escape time of the norms is log(1/lambda) / rate; reading the alignment phase as lasting until escape',
      prediction: { name: 'logInverseLambdaRatios', statement: 'T proportional to log(1/lambda)', predict: predict('class-by-sign', logInverseLambdaRatios(LAMBDAS)) },
    },
    {
      id: 'mean-of-all-data',
      statement: 'every non-dead neuron aligns with the mean of all data, whatever sign(a_j)',
      rationale: 'drops the sign-dependence: the direction of the average gradient at init is the mean of y_i x_i weighted alike for all neurons',
      prediction: { name: 'mean target', statement: 'aligned with (1/n) sum_i x_i', predict: predict('mean-of-all-data') },
    },
    {
      id: 'inverse-mu',
      statement: 'the alignment time is proportional to 1/mu (alpha = 1 in the sweep fit)',
      rationale: 'the activation of a missing same-class point is pushed at rate ~mu: the naive bound gives 1/mu',
      study: (ex) => studyExponent(ex, 'alpha', 1),
    },
    {
      id: 'linear-in-n',
      statement: 'the alignment time grows proportionally to n (beta = 1 in the sweep fit)',
      rationale: 'the mean loss weights each point by 1/n: a per-point rate 1/n read as the neuron rate',
      study: (ex) => studyExponent(ex, 'beta', 1),
    },
  ],
  budgets: { ci: { maxTrials: 120, p1: 0.9, edgeRuns: 40 }, full: { maxTrials: 600, p1: 0.97, edgeRuns: 200 } },
  extras: ({ seed, budget }): ClaimExtras => {
    const sw = alignmentSweep(seed, budget === 'ci' ? 3 : 8, C_BOUND, HORIZON_FACTOR);
    const f = sw.fit;
    const data: Record<string, number> = f === null ? {} : { alpha: f.b1, alphaLo: f.b1Lo, alphaHi: f.b1Hi, beta: f.b2, betaLo: f.b2Lo, betaHi: f.b2Hi };
    const fitText = f === null ? 'fit degenerate' : `alpha = ${f.b1.toFixed(3)} [${f.b1Lo.toFixed(3)}, ${f.b1Hi.toFixed(3)}], beta = ${f.b2.toFixed(3)} [${f.b2Lo.toFixed(3)}, ${f.b2Hi.toFixed(3)}] over ${f.count} runs`;
    const within = sw.points.every((p) => p.T <= alignmentBound(p.n, p.mu, C_BOUND));
    return {
      metrics: (f === null ? {} : { alpha: f.b1, beta: f.b2 }) as Record<string, number>,
      data,
      tables: [
        { title: `Sweep (balanced classes): T range over seeds and the bound C log n / sqrt(mu), C = ${C_BOUND}; ${fitText}`, columns: ['n', 'mu', 'T min', 'T max', 'bound'], rows: sw.rows },
        divergenceTable(seed, alignmentBound(16, 2 ** -EDGE_MU_FLOOR_EXP, C_BOUND)),
      ],
      plots: [sweepPlot(sw, C_BOUND)],
      checks: [
        { name: 'sweep: T <= C log n / sqrt(mu) at every (n, mu)', pass: within, detail: fitText },
        { name: 'sweep: alpha <= 1/2 not contradicted (lower end of its 95% interval <= 1/2)', pass: f !== null && f.b1Lo <= ALPHA_MAX, detail: fitText },
        { name: 'sweep: T diverges as mu -> 0+ (lower end of alpha\'s interval > 0)', pass: f !== null && f.b1Lo > 0, detail: fitText },
        { name: `sweep: T grows no faster than log n (lower end of beta's interval <= ${BETA_MAX.toFixed(3)})`, pass: f !== null && f.b2Lo <= BETA_MAX, detail: fitText },
      ],
    };
  },
  edge: {
    description: 'the separation hypothesis at its boundary: mu -> 0+ (down to 2^-8), mu = 0 (orthogonal) and mu < 0 (cross-class pairs positively correlated); horizon = the bound at mu = 2^-8',
    arbitrary: fc.record({ loss: fc.constant('exponential'), nPos: fc.integer({ min: 1, max: 6 }), nNeg: fc.integer({ min: 1, max: 6 }), m: fc.integer({ min: 1, max: 4 }), extraD: fc.constant(0), muExp: fc.integer({ min: -4, max: EDGE_MU_FLOOR_EXP }), seed: fc.integer({ min: 0, max: 1000 }) }),
    run: (p) => {
      const tp = { ...trialParams(p), mu: edgeMu(p.muExp) };
      const r = edgeRun(tp, p.seed ?? 0, alignmentBound(tp.nPos + tp.nNeg, 2 ** -EDGE_MU_FLOOR_EXP, C_BOUND));
      return { pass: Number.isFinite(r.T), observation: { n: r.n, mu: r.mu, horizon: r.horizon, T: Number.isFinite(r.T) ? r.T : 'Infinity', outOfCone: r.outOfCone, alive: r.alive, dead: r.dead, why: r.why } };
    },
    name: (p) => `mu${edgeMu(p.muExp)}-n${p.nPos + p.nNeg}-m${p.m}-seed${p.seed ?? 0}`,
    expect: (_p, o) => (Number(o.observation.mu) <= 0 && Number(o.observation.outOfCone) > 0 ? null : `expected mu <= 0 with a non-dead neuron outside its cone, got mu = ${String(o.observation.mu)}: ${String(o.observation.why)}`),
  },
});

function studyExponent(ex: { data?: { [k: string]: unknown } }, key: 'alpha' | 'beta', value: number): { holds: boolean; detail: string } {
  const d = ex.data ?? {};
  const lo = Number(d[`${key}Lo`]);
  const hi = Number(d[`${key}Hi`]);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { holds: true, detail: 'no fit' };
  return { holds: lo <= value && value <= hi, detail: `${key} 95% interval [${lo.toFixed(3)}, ${hi.toFixed(3)}] ${lo <= value && value <= hi ? 'contains' : 'excludes'} ${value}` };
}
