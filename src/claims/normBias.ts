/**
 * norm-bias: from small balanced init on orthogonal data, gradient flow's interpolator has squared
 * norm Q = ||theta||^2 within a constant factor, independent of n, of the minimum norm Q*, at
 * width m ~ log n; Q converges to the limit process's Q_lim as lambda -> 0.
 *
 * Papers: MORN26 (arXiv 2605.27097; abstract: "the learned interpolator has a squared l2-norm
 * scaling as sqrt(n), which is within a constant factor of the minimal l2-norm interpolator";
 * theorem number not seen) and BPF22 (arXiv 2206.00939: minimum norm when a neuron of each class
 * is active on the whole class). The statement encoded is derived (src/theory/normBias.ts,
 * ../shared/papers.md "norm-bias"): Q* = 2 (N+ + N-); Q_lim = 2 sum_k ||y/r||_{T_k}; the constant
 * R = 1 + sqrt 2 (halving heuristic: the k-th jump of a class fits ~2^-k of it; at n <= 12 the
 * measured Q/Q* stays below ~1.8, so this check binds only under mutation); sharing lowers Q.
 *
 * Per trial (n <= 12, simulated at lambda = 1e-4, 1e-6, ..., 1e-12 from the same directions):
 * - evidence: Q / Q* <= R at every lambda;
 * - evidence, events resolved at 1e-12 (every near-tie margin mu has mu log(1/lambda) >= 3): Q
 *   approaches Q_lim (|Q - Q_lim| at 1e-12 <= its maximum over the larger lambdas) and
 *   |Q - Q_lim| <= RESOLVED_TOL Q* at 1e-12. Derivation: Q - Q_lim is a positive finite-init excess
 *   (decaying like a power of lambda) plus the negative sharing deficit ~ -lambda^mu; such a sum
 *   changes sign at most once, so |Q - Q_lim| at one larger lambda can be ~0 (seed 101, trial 34:
 *   +0.0013 at 1e-4, -0.0068 at 1e-8, -0.0027 at 1e-12, -0.00002 at 1e-32), not at all of them;
 * - evidence, near-ties (the rest; not exempt): Q <= max(Q_lim, single-flip alternatives) at every
 *   lambda (a shared outcome never exceeds the larger hard outcome: convexity, derived for one
 *   near-tie; cascades of several are not derived: 0 of 1145 near-tie inits of the calibration set
 *   9001 exceed it);
 * - regression (identities): Q >= Q*, Q <= sqrt(max(m+, m-)) Q* (Cauchy-Schwarz), interpolation.
 * Extras (limit process, n = 64 .. 16384, and n = 64 simulated): R(n) = R_inf - C n^-beta fitted
 * with bootstrap intervals (evidence: beta's interval above 0.1, i.e. saturation, not log growth;
 * measured R_inf 2.43-2.47, intervals within [2.40, 2.56], the means below 1 + sqrt 2 up to 16384:
 * the halving value is a heuristic, reported); the simulation's mean gap to Q_lim shrinks along
 * lambda = 1e-4 .. 1e-16 (evidence; it is ~ c / log(1/lambda), slow: reported).
 *
 * Simulation vs limit process (issue 10, resolved): neither is wrong. Per instance Q(lambda) ->
 * Q_lim (checked to lambda = 1e-64 at n = 12); the gap at accessible lambda is the near-tie sharing,
 * which lowers Q and vanishes only when mu log(1/lambda) >> 1 (like e^(-mu log(1/lambda))). Its
 * mean over inits tends to ~ p(mu = 0) / log(1/lambda) only slowly and grows with n (more events):
 * at n = 64 the gap x log(1/lambda) still rises (~3.3, 5.3, 6.4, 6.9 at 1e-4, 1e-8, 1e-12, 1e-16):
 * the smallest margins there are 1e-4 .. 5e-3, so the limit is resolved only at log(1/lambda) >>
 * 10^3 (one n = 64 init run to 1e-64 rises monotonically 1.418 -> 1.643 toward Q_lim/Q* = 1.784;
 * the others end in integrator underflow below 1e-16). The limit's R(n) is the lambda -> 0 first
 * statement; at any fixed lambda, Q/Q* is lower (sharing), so Q/Q* <= R holds a fortiori.
 *
 * Hypotheses -> code: x_i = r_i e_i, r_i, |y_i| ~ U[1, 2]; f = sum_j a_j relu(<w_j, x>), no bias,
 * both layers, square loss; balanced init w_j = lambda g_j, a_j = s_j ||w_j||; width
 * m = max(2, ceil(log n / log(4/3))) + [0, 3] (m ~ log n); interpolating: the init is redrawn
 * (deterministically from the seed) until every point is covered (zero-loss claim).
 *
 * Departures: finite lambda (>= 1e-12: at 1e-16 the adaptive integrator ends in step-size underflow
 * in 7 of 2000 runs, a kink crossed with a velocity far above atol / (1e-14 t)); "interpolated" =
 * loss < 1e-10 L(0); n <= 12 in the trials, larger n by the limit process only.
 *
 * Edge: m >> 2^n (BPF22's regime, m = 2^(max(n+, n-) + 2 + k), k in {0, 1}): a neuron of each
 * class is active on the whole class, the limit makes two jumps and Q -> Q*: the constant-factor
 * gap of the mildly overparameterised regime closes (statement "Q / Q* >= 1 + EDGE_GAP" fails).
 * Not an edge: m fixed while n grows. Conditioned on coverage, Q_lim/Q* <= sqrt(max(m+, m-))
 * (Cauchy-Schwarz), so the constant cannot grow there; covering inits also become too rare to draw.
 */
import fc from 'fast-check';
import { defineClaim, type Check, type Criterion, type Observed } from './claim.ts';
import { toInstance } from '../core/instance.ts';
import { normBiasPrediction, cauchySchwarzBound, RESOLVE_MARGIN_LOGS, HALVING_RATIO, type NormBiasPrediction } from '../theory/normBias.ts';
import { ladderRun, NB_STOP_REL } from './_internals/normBiasRun.ts';
import { normBiasExtras, sqrtLogMutant, powerMutant } from './_internals/normBiasExtras.ts';
import { RESOLVED_TOL, RESOLVED_TOL_DETAIL } from './_internals/normBiasCalibration.ts';

/** Init scales of a trial, largest first (same directions g_j). */
export const LADDER = [1e-4, 1e-6, 1e-8, 1e-10, 1e-12];
/** Q is known to 8e-5 Q* from the residual fit (||f - y|| <= 1e-5 ||y||, r in [1, 2]: 4 ||y - f|| / min r); Q >= Q* up to it. */
export const QSTAR_FIT_SLACK = 1e-4;
/** Off-span components O(lambda^2) and the residual fit. */
export const CS_SLACK = 1e-4;
/** Two Q's compared: twice QSTAR_FIT_SLACK. */
export const PAIR_SLACK = 2e-4;
/** The edge's statement: Q / Q* >= 1 + EDGE_GAP (more than one neuron fits some class). */
export const EDGE_GAP = 1e-2;

type P = { nPos: number; nNeg: number; mExtra: number; seed: number; mEdge?: number };
type O = {
  n: number; m: number; mPos: number; mNeg: number; lambdas: number[]; Q: number[]; interpolated: boolean; initAttempts: number; why: string;
  r: number[]; y: number[]; U0: number[]; signs: number[];
};

/** m0(n) = max(2, ceil(log n / log(4/3))): P(interpolation) is about 1/2 there (width-law). */
export function baseWidth(n: number): number {
  return Math.max(2, Math.ceil(Math.log(n) / Math.log(4 / 3)));
}
const widthOf = (p: P): number => (p.mEdge !== undefined ? 2 ** (Math.max(p.nPos, p.nNeg) + 2 + p.mEdge) : baseWidth(p.nPos + p.nNeg) + p.mExtra);

function observe(p: P, seed: number, lambdas = LADDER): Observed<O> {
  const n = p.nPos + p.nNeg;
  const m = widthOf(p);
  const run = ladderRun(p.nPos, p.nNeg, m, seed, lambdas);
  if (run === null) throw new Error(`norm-bias: no covering init in 200 draws (n = ${n}, m = ${m})`);
  const { setup } = run;
  const l0 = lambdas[0];
  let mPos = 0;
  for (let j = 0; j < m; j++) if (setup.p0.a[j] > 0) mPos++;
  const bad = run.points.filter((q) => !q.interpolated);
  const Q = run.points.map((q) => q.Q);
  return {
    observation: {
      n, m, mPos, mNeg: m - mPos, lambdas, Q, interpolated: bad.length === 0, initAttempts: run.attempts,
      why: bad.length > 0 ? `not interpolated at lambda ${bad.map((q) => `${q.lambda} (${q.diverged ?? 'horizon'})`).join(', ')}` : `Q/Q* = ${Q.map((q) => (q / run.oracle.Qstar).toFixed(4)).join(', ')} (Q_lim/Q* = ${(run.oracle.Qlim / run.oracle.Qstar).toFixed(4)})`,
      r: Array.from(setup.data.norms), y: Array.from(setup.data.y), U0: Array.from(setup.U0, (u) => u / l0), signs: Array.from(setup.p0.a, (a) => Math.sign(a)),
    },
    instance: toInstance(run.last.setup.problem, run.last.setup.p0, run.last.dyn, { initScale: lambdas[lambdas.length - 1], label: `norm-bias n=${n} m=${m} seed ${seed}` }),
  };
}

const predictWith = (limit: 'qlim' | 'qstar') => (_p: P, o: O): NormBiasPrediction => normBiasPrediction({ n: o.n, m: o.m, r: o.r, y: o.y, U0: o.U0, signs: o.signs }, o.lambdas[0], { limit });
const logInv = (l: number): number => Math.log(1 / l);
const f4 = (x: number): string => x.toFixed(4);

function regression(o: O, pr: NormBiasPrediction): Check[] {
  const cs = cauchySchwarzBound(o.mPos, o.mNeg);
  return [
    { name: 'Q >= Q* (minimum norm)', kind: 'regression', pass: o.Q.every((q) => q >= pr.Qstar * (1 - QSTAR_FIT_SLACK)), detail: `min Q/Q* = ${f4(Math.min(...o.Q) / pr.Qstar)}` },
    { name: 'Q <= sqrt(max(m+, m-)) Q* (Cauchy-Schwarz)', kind: 'regression', pass: o.Q.every((q) => q <= cs * pr.Qstar * (1 + CS_SLACK)), detail: `max Q/Q* = ${f4(Math.max(...o.Q) / pr.Qstar)} vs ${f4(cs)}` },
    { name: 'covered init interpolates at every lambda (zero-loss)', kind: 'regression', pass: o.interpolated, detail: o.why },
  ];
}

function judge(o: O, pr: NormBiasPrediction): Check[] {
  const dev = o.Q.map((q) => Math.abs(q - pr.Qlim) / pr.Qstar);
  const last = o.Q.length - 1;
  const resolved = pr.minMargin * logInv(o.lambdas[last]) >= RESOLVE_MARGIN_LOGS;
  const checks: Check[] = [{ name: 'Q / Q* <= R = 1 + sqrt 2 at every lambda', kind: 'evidence', pass: o.Q.every((q) => q <= pr.R * pr.Qstar), detail: `max Q/Q* = ${f4(Math.max(...o.Q) / pr.Qstar)}` }];
  if (resolved) {
    checks.push({ name: 'resolved: Q approaches Q_lim as lambda decreases', kind: 'evidence', pass: dev[last] <= Math.max(...dev.slice(0, last)) + PAIR_SLACK, detail: `|Q - Q_lim|/Q* = ${dev.map(f4).join(', ')} at lambda ${o.lambdas.join(', ')}` });
    checks.push({ name: `resolved: |Q - Q_lim| <= ${RESOLVED_TOL} Q* at the smallest lambda`, kind: 'evidence', pass: dev[last] <= RESOLVED_TOL, detail: `${f4(dev[last])} (min margin x log(1/lambda) = ${(pr.minMargin * logInv(o.lambdas[last])).toFixed(2)})` });
  } else {
    checks.push({ name: 'near-tie: Q <= max(Q_lim, single-flip alternatives) at every lambda', kind: 'evidence', pass: o.Q.every((q) => q <= pr.Qhi * (1 + PAIR_SLACK)), detail: `max Q/Q* = ${f4(Math.max(...o.Q) / pr.Qstar)}, bracket ${f4(pr.Qhi / pr.Qstar)} over ${pr.flips} flip(s)` });
  }
  return [...checks, ...regression(o, pr)];
}

const criterion: Criterion<P, O, NormBiasPrediction> = {
  name: 'constant factor, approach to Q_lim, near-tie bracket',
  statement: 'Q/Q* <= 1 + sqrt 2; resolved inits approach Q_lim within RESOLVED_TOL Q*; near-tie inits stay below the larger hard outcome',
  tolerances: [
    { name: 'R', value: HALVING_RATIO, source: 'derivation', detail: 'halving heuristic: the k-th jump of a class fits ~2^-k of its mass, Q_lim/Q* -> sum_k 2^(-k/2) = 1 + sqrt 2 (src/theory/normBias.ts); limit-process means stay below it up to n = 16384' },
    { name: 'RESOLVE_MARGIN_LOGS', value: RESOLVE_MARGIN_LOGS, source: 'derivation', detail: 'a competitor at margin mu co-fits ~ lambda^mu <= e^-3 = 0.05 of the shared points when mu log(1/lambda) >= 3' },
    { name: 'RESOLVED_TOL', value: RESOLVED_TOL, source: 'calibration', detail: RESOLVED_TOL_DETAIL },
    { name: 'QSTAR_FIT_SLACK', value: QSTAR_FIT_SLACK, source: 'derivation', detail: 'residual fit ||f - y|| <= 1e-5 ||y||: Q >= Q* - 4 ||y - f|| / min r >= Q* (1 - 8e-5)' },
    { name: 'PAIR_SLACK', value: PAIR_SLACK, source: 'derivation', detail: 'two Q values each known to QSTAR_FIT_SLACK' },
    { name: 'CS_SLACK', value: CS_SLACK, source: 'derivation', detail: 'off-span components O(m lambda^2) plus the residual fit' },
    { name: 'NB_STOP_REL', value: NB_STOP_REL, source: 'convention', detail: '"interpolated" = loss < 1e-10 L(0)' },
    { name: 'LADDER', value: LADDER[LADDER.length - 1], source: 'convention', detail: 'lambda = 1e-4, 1e-6, ..., 1e-12 (1e-16: integrator underflow in 7/2000 runs)' },
  ],
  judge: (o, pr) => judge(o, pr),
};

/** Mutant criterion: the given evidence on every trial (regression checks kept). */
const everyTrial = (name: string, ev: (o: O, pr: NormBiasPrediction) => [boolean, string]): Criterion<P, O, NormBiasPrediction> => ({
  name, statement: name, tolerances: criterion.tolerances,
  judge: (o, pr) => { const [pass, detail] = ev(o, pr); return [{ name, kind: 'evidence', pass, detail }, ...regression(o, pr)]; },
});

export const normBias = defineClaim<P, O, NormBiasPrediction>({
  meta: {
    id: 'norm-bias',
    title: 'MORN26: at m ~ log n the learned interpolator has Q within a constant (1 + sqrt 2) of Q*, and Q -> Q_lim as lambda -> 0',
    paper: 'MORN26, BPF22',
    theorem: 'derived (papers.md "norm-bias", src/theory/normBias.ts); MORN26 implicit-bias result, theorem number not seen',
    arxiv: '2605.27097, 2206.00939',
    statement: 'On interpolating runs at m ~ log n: Q/Q* <= 1 + sqrt 2 (independent of n); Q -> Q_lim as lambda -> 0 (from below: near-tie sharing lowers Q); the limit\'s Q_lim/Q* saturates in n (R_inf - C n^-beta, beta > 0), so Q is of order sqrt(n).',
    regime: 'orthogonal data, n+ and n- in [1, 6], m = max(2, ceil(log n / log(4/3))) + [0, 3], r_i, |y_i| ~ U[1, 2], balanced init redrawn until covering, gradient flow at lambda = 1e-4, 1e-6, 1e-8, 1e-10, 1e-12 to loss 1e-10 L(0)',
    hypotheses: [
      'x_i = r_i e_i orthonormal e_i; y_i = +-U[1,2]; f = sum_j a_j relu(<w_j, x>), no bias, both layers, square loss (orthoSetup)',
      'small balanced init w_j = lambda g_j, a_j = s_j ||w_j||, the same g_j at every lambda of the ladder',
      'interpolating runs: init redrawn deterministically from the seed until every point is covered',
      'm ~ log n: m0(n) + [0, 3]; the limit process at larger n with m = ceil(log(10 n)/log(4/3))',
    ],
    departures: ['finite lambda >= 1e-12 (the lambda -> 0 limit is read through the approach and the near-tie bracket)', 'interpolation = loss < 1e-10 L(0)', 'n <= 12 simulated per trial; n up to 16384 by the limit process, n = 64 simulated in the extras'],
  },
  claimed: { kind: 'rate', p0: 1, text: '1 (every interpolating run)' },
  regime: fc.record({ nPos: fc.integer({ min: 1, max: 6 }), nNeg: fc.integer({ min: 1, max: 6 }), mExtra: fc.integer({ min: 0, max: 3 }), seed: fc.integer({ min: 0, max: 0x7fffffff }) }),
  observe: (p, seed) => observe(p, seed),
  prediction: { name: 'normBiasPrediction', statement: 'Q*, Q_lim of the limit process, the near-tie bracket and R = 1 + sqrt 2 (src/theory/normBias.ts)', predict: predictWith('qlim') },
  criterion,
  mutants: [
    {
      id: 'min-norm',
      statement: 'Q = Q*: gradient flow finds the minimum-norm interpolator (Q -> Q* as lambda -> 0)',
      rationale: 'BPF22\'s large-width conclusion applied at m ~ log n',
      prediction: { name: 'Q -> Q*', statement: 'the limit Q_lim replaced by Q* (the near-tie bracket kept)', predict: predictWith('qstar') },
    },
    {
      id: 'qlim-within-1-over-log',
      statement: '|Q - Q_lim| / Q_lim <= 1 / log(1/lambda) at every lambda of every run (near-ties included)',
      rationale: 'the withdrawn encoding\'s tolerance, without its near-tie exemption: the c / log(1/lambda) law read per instance',
      criterion: everyTrial('|Q - Q_lim| <= Q_lim / log(1/lambda)', (o, pr) => [o.Q.every((q, k) => Math.abs(q - pr.Qlim) <= pr.Qlim / logInv(o.lambdas[k])), o.why]),
    },
    {
      id: 'no-near-ties',
      statement: `every run is within RESOLVED_TOL Q* of Q_lim at lambda = 1e-12 (near-tie sharing ignored)`,
      rationale: 'treating the gap to the limit as a simulation error, i.e. hiding the near-tie regime',
      criterion: everyTrial('|Q - Q_lim| <= RESOLVED_TOL Q* at 1e-12', (o, pr) => [Math.abs(o.Q[o.Q.length - 1] - pr.Qlim) <= RESOLVED_TOL * pr.Qstar, o.why]),
    },
    { id: 'sqrt-log-n', statement: 'Q_lim/Q* = a + b sqrt(log n) (grows without bound like sqrt(log n))', rationale: 'the Cauchy-Schwarz bound sqrt(#jumps) ~ sqrt(log n) taken as the truth', study: sqrtLogMutant },
    { id: 'n-0.6', statement: 'Q proportional to n^0.6', rationale: 'the finite-lambda log-log slope (0.55) read as the exponent', study: powerMutant },
  ],
  budgets: { ci: { maxTrials: 400, p1: 0.95, edgeRuns: 25 }, full: { maxTrials: 2000, p1: 0.98, edgeRuns: 100 } },
  extras: (ctx) => normBiasExtras(ctx),
  edge: {
    description: 'm >> 2^n (BPF22): m = 2^(max(n+, n-) + 2 + k); a neuron of each class covers its class, two jumps, Q -> Q* (the gap closes)',
    arbitrary: fc.record({ nPos: fc.integer({ min: 3, max: 4 }), nNeg: fc.integer({ min: 3, max: 4 }), mExtra: fc.constant(0), mEdge: fc.integer({ min: 0, max: 1 }), seed: fc.integer({ min: 0, max: 1000 }) }),
    run: (p) => {
      const o = observe(p, p.seed, [1e-8]).observation;
      const pr = predictWith('qlim')(p, o);
      const gap = o.Q[0] / pr.Qstar - 1;
      return { pass: gap >= EDGE_GAP, observation: { n: o.n, m: o.m, ratio: o.Q[0] / pr.Qstar, jumpsPos: pr.jumpsPos, jumpsNeg: pr.jumpsNeg, why: o.why } };
    },
    name: (p) => `bpf22-n${p.nPos + p.nNeg}-m${widthOf(p)}-seed${p.seed}`,
    expect: (_p, out) => (out.observation.jumpsPos === 1 && out.observation.jumpsNeg === 1 && Number(out.observation.ratio) - 1 < EDGE_GAP ? null : `expected two jumps and Q/Q* -> 1 at m >> 2^n, got ${JSON.stringify(out.observation)}`),
  },
});
