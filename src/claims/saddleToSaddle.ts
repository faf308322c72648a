/**
 * saddle-to-saddle: on orthogonal data, gradient flow from small init follows the limit jump
 * process in rescaled time tau = t / log(1/lambda).
 *
 * Papers: MORN26 (arXiv 2605.27097, abstract: "the limiting flow converges to a saddle-to-saddle
 * jump process as the initialization scale tends to zero ... a new neuron activates at each
 * saddle") and BPF22 (arXiv 2206.00939). Theorem numbers not seen: the statement encoded is
 * DERIVED, the process of ../shared/papers.md "saddle-to-saddle" (src/theory/saddle.ts):
 * l_j = log||w_j|| / log(1/lambda) starts at -1 and grows at kappa_j = (1/n)(sum_{i in S_j unfit}
 * r_i^2 y_i^2)^(1/2), recomputed after every jump; at l_j = 0 neuron j fits its unfit points;
 * plateaus 1/(2n) sum_{unfit} y_i^2. As lambda -> 0 the loss converges to this staircase.
 *
 * Statement per trial, at lambda in {1e-8, 1e-12, 1e-16} (same data and init directions
 * w_j = lambda g_j): (1) time-averaged staircase error <= STAIRCASE_C / log(1/lambda); (2) it
 * shrinks, err(1e-16) <= SHRINK_RATIO_MAX err(1e-8); (3) drops map in order onto the predicted
 * events, one neuron (tie group) per resolvable jump, checked levels within PLATEAU_C /
 * log(1/lambda) of L(0) (saddleJudge.ts); (4) every jump resolvable alone at 1e-8 and 1e-16,
 * its time extrapolated linearly in 1/log(1/lambda), is within JUMP_REL_TOL of the predicted tau_k.
 * Regression: every run completes and sign(a_j) never changes (a_j^2 - ||w_j||^2 = 0 conserved).
 * Claimed "always" (p0 = 1): with these tolerances the calibration set had 0 failures in 2000
 * trials, and the held-out root seeds 1081..1180 (ci budget, ~54 trials each) accepted 100/100.
 *
 * Hypotheses -> code: x_i = r_i e_i, e_i random orthonormal in R^(n + extraD), r_i, |y_i| ~ U[1,2]
 * (orthoSetup); f = sum_j a_j relu(<w_j, x>), no bias, both layers, square loss; balanced init
 * w_j = lambda g_j, a_j = s_j ||w_j||; gradient flow (Dormand-Prince, reduced coordinates).
 *
 * Departures: finite lambda; events near-tied (a competitor within RESOLVE_MARGIN_LOGS /
 * log(1/lambda) of l = 0) or not apart from EVERY other event (gap < 1/kappa + 1/kappa' in t) are
 * not counted one neuron per jump (only foreign activations are checked there); a run whose
 * integrator underflows is retried at atol 1e-2 lambda (saddleJudge.ts).
 *
 * Issue 15, seed 101 (trial 14: nPos 6, nNeg 3, extraD 0, m 6, trial seed 406249202): a misread,
 * not a counterexample. Limit: neuron 5 at tau 1.995 (near-tie margin 0.051 with neurons 1, 2),
 * neuron 1 at 2.376 (only point 5 left: kappa 0.134), neuron 3 at 2.426, neuron 0 at 2.815.
 * Neuron 1's half-maximum comes late by 0.44, 0.31, 0.24, 0.16, 0.12, 0.08 in tau at 1e-8, 1e-12,
 * 1e-16, 1e-24, 1e-32, 1e-48, i.e. 8.1, 8.6, 8.8, 8.8, 8.8, 8.8 / log(1/lambda): the limit's
 * O(1/log) law, converging to the limit. At 1e-8 and 1e-12 it lands in the drop of event 3, which
 * the slow event 1 overlaps (gap 8.1 < 1/0.134 + 1/0.2 = 12.5 in t) although only consecutive
 * pairs of events were checked for overlap; from 1e-16 on it passed. Fix: apartness over every
 * pair (and a near-tied event's own neurons may spill into the next drop: calibration trial 661).
 * Replay: judgeSaddle(observeSaddle(params, 406249202, LAMBDA_EXPS).observation, null)
 * (saddleJudge.test.ts). Issue 15, seed 110: the extras' 1e-24 run underflowed (NaN error) and
 * linearFit threw; the fit now uses linearFitOrNull, the run is retried, then counted.
 *
 * Edge: the scale-separation boundary: the statement at lambda = (10^-(k/2), 10^-k), k = 1..4.
 * Measured (40 instances each): fails on 33/40 at (0.32, 0.1), 8/40 at (0.1, 1e-2), 1/40 at
 * (1e-2, 1e-4): the boundary sits near lambda = 0.1, not at 1e-4. The shrunk counterexample must
 * satisfy the statement at (1e-12, 1e-16) (the failure is the scale, not the instance). Near-tied
 * rates and m >> 2^n (BPF22's two jumps) are extras tables.
 */
import fc from 'fast-check';
import { defineClaim, type Check, type ClaimExtras, type Observation } from './claim.ts';
import { Rng } from '../core/rng.ts';
import type { OracleResult } from '../core/oracle.ts';
import { saddlePrediction, extrapolateInLog, TRUE_RULE, type RateRule } from '../theory/saddle.ts';
import { judgeStaircase, type StaircaseJudgement } from './_internals/saddleJudge.ts';
import { observeSaddle, recordOf, saddleInputOf, type SaddleParams } from './_internals/saddleRun.ts';
import { saddleExtras } from './_internals/saddleExtras.ts';

/** Init scales of a trial: lambda = 10^-k (same data and init directions). */
export const LAMBDA_EXPS = [8, 12, 16] as const;

/** Staircase error bound c / log(1/lambda) (calibrated, values in TOLERANCES). */
export const STAIRCASE_C = 1.2;
/** Plateau level tolerance c / log(1/lambda), relative to L(0). */
export const PLATEAU_C = 2;
/** err(1e-16) / err(1e-8) at most this (the leading term predicts 0.5). */
export const SHRINK_RATIO_MAX = 0.8;
/** |extrapolated tau_k / predicted tau_k - 1| at most this, for events resolvable alone at both ends. */
export const JUMP_REL_TOL = 0.04;
/** Errors below this are round-off (no shrink test). */
export const STAIRCASE_ROUNDOFF = 1e-9;

const TOLERANCES = [
  { name: 'STAIRCASE_C', value: STAIRCASE_C, source: 'calibration' as const, detail: 'Calibration root 9301 (scripts/calibrate-saddle-to-saddle.ts, 2000 trials x 3 lambdas, trial seeds deriveSeed(9301, k)): err x log(1/lambda) median 0.30, q99 0.61, max 0.931 (6000 runs); 1.2 = 1.29 x the max. Form derived: each jump is shifted by |log(A_j/lambda)|/kappa_j and smoothed over 1/kappa_j in t, so err log(1/lambda) = O(1) per instance; a wrong level or jump time costs an error that does not shrink' },
  { name: 'PLATEAU_C', value: PLATEAU_C, source: 'calibration' as const, detail: 'Calibration root 9301 (scripts/calibrate-saddle-to-saddle.ts, 2000 trials x 3 lambdas, trial seeds deriveSeed(9301, k)): max |level dev| x log(1/lambda) / L(0) = 1.11 over the checked levels; 2 = 1.8 x the max (adjacent levels differ by >= 1/(4n) of L(0))' },
  { name: 'SHRINK_RATIO_MAX', value: SHRINK_RATIO_MAX, source: 'calibration' as const, detail: 'Calibration root 9301 (scripts/calibrate-saddle-to-saddle.ts, 2000 trials x 3 lambdas, trial seeds deriveSeed(9301, k)): err(1e-16)/err(1e-8) median 0.505 (leading term log(1e8)/log(1e16) = 0.5), max 0.676; 0.8 rejects an error with a non-shrinking part (mutants: median 0.85-0.98)' },
  { name: 'JUMP_REL_TOL', value: JUMP_REL_TOL, source: 'calibration' as const, detail: 'Calibration root 9301 (scripts/calibrate-saddle-to-saddle.ts, 2000 trials x 3 lambdas, trial seeds deriveSeed(9301, k)): max over resolvable events of |extrapolated tau_k / tau_k - 1| median 2e-4, q99 0.0066, max 0.0191 (1250 trials with a judged event; first events <= 1e-3, later ones carry the 1/log^2 terms of rate changes); 0.04 = 2.1 x the max, below the 0.05 of rates x1.05' },
  { name: 'STAIRCASE_ROUNDOFF', value: STAIRCASE_ROUNDOFF, source: 'convention' as const, detail: 'an error below 1e-9 is a loss curve equal to the staircase (e.g. nothing covered): no shrink test' },
];

export interface SaddleStats {
  errLog: Record<number, number>;
  shrink: number;
  /** Richardson-extrapolated limit error (L_b err_b - L_a err_a) / (L_b - L_a). */
  limErr: number;
  levelDevLog: number;
  jumpRel: number;
  structureOk: boolean;
  pass: boolean;
  why: string;
}

/** The criterion on one observation and prediction (exported for the calibration script). */
export function judgeWith(o: Observation, pred: OracleResult, allExps: readonly number[] = LAMBDA_EXPS): { checks: Check[]; stats: SaddleStats } {
  // Gradient flow cannot diverge (the loss is nonincreasing): a run that did not complete is an
  // integrator failure (a regression failure below); the evidence is judged on the other lambdas.
  const exps = allExps.filter((le) => o[`diverged_${le}`] !== true);
  const failed = allExps.filter((le) => o[`diverged_${le}`] === true);
  if (exps.length === 0) {
    const detail = failed.map((le) => `1e-${le}: ${String(o[`simWhy_${le}`])}`).join('; ');
    return { checks: [{ name: 'every simulated run completed', kind: 'regression', pass: false, detail }], stats: { errLog: {}, shrink: NaN, limErr: NaN, levelDevLog: NaN, jumpRel: NaN, structureOk: true, pass: true, why: detail } };
  }
  const js: StaircaseJudgement[] = exps.map((le) => judgeStaircase(recordOf(o, le), pred, le * Math.LN10, PLATEAU_C / (le * Math.LN10)));
  const errLog: Record<number, number> = {};
  const whys: string[] = [];
  let stairOk = true;
  let structOk = true;
  let levelDevLog = 0;
  exps.forEach((le, k) => {
    const L = le * Math.LN10;
    errLog[le] = js[k].err * L;
    levelDevLog = Math.max(levelDevLog, js[k].maxLevelDev * L);
    if (!(js[k].err * L <= STAIRCASE_C)) {
      stairOk = false;
      whys.push(`1e-${le}: staircase error ${(js[k].err * L).toFixed(3)} / log(1/lambda) > ${STAIRCASE_C} / log(1/lambda)`);
    }
    if (!js[k].structureOk) {
      structOk = false;
      whys.push(`1e-${le}: ${js[k].why}`);
    }
  });
  const e0 = js[0].err;
  const e1 = js[js.length - 1].err;
  // The ratio where it is judged (an error above round-off at the largest lambda), else NaN.
  const shrink = e0 > STAIRCASE_ROUNDOFF ? e1 / e0 : NaN;
  const shrinkOk = exps.length < 2 || !(e0 > STAIRCASE_ROUNDOFF) || e1 <= SHRINK_RATIO_MAX * e0;
  // Jump times of the events resolvable alone at both ends, extrapolated in 1/log(1/lambda).
  let jumpRel = NaN;
  let judged = 0;
  const La = exps[0] * Math.LN10;
  const Lb = exps[exps.length - 1] * Math.LN10;
  if (exps.length >= 2) {
    for (const key of Object.keys(js[0].jumpTaus)) {
      const k = Number(key);
      const tb = js[js.length - 1].jumpTaus[k];
      if (tb === undefined) continue;
      const rel = Math.abs(extrapolateInLog(La, js[0].jumpTaus[k], Lb, tb) / pred.events[k].tau - 1);
      judged++;
      if (!(rel <= jumpRel)) jumpRel = rel;
    }
  }
  const jumpOk = !(jumpRel > JUMP_REL_TOL);
  const lam = exps.map((le) => `1e-${le}`).join(', ');
  const checks: Check[] = [
    { name: 'staircase error <= STAIRCASE_C / log(1/lambda) at every lambda', kind: 'evidence', pass: stairOk, detail: `err x log(1/lambda) at ${lam}: ${exps.map((le) => errLog[le].toFixed(3)).join(', ')}` },
    { name: 'staircase error shrinks: err(smallest lambda) <= SHRINK_RATIO_MAX err(largest)', kind: 'evidence', pass: shrinkOk, detail: Number.isFinite(shrink) ? `ratio ${shrink.toFixed(3)}` : 'error at round-off at the largest lambda: not judged' },
    { name: 'drops in predicted order, one neuron per resolvable jump, plateau levels', kind: 'evidence', pass: structOk, detail: structOk ? `max level dev x log(1/lambda) / L0 = ${levelDevLog.toFixed(3)}` : whys.filter((w) => !w.includes('staircase error')).join(' | ') },
    { name: 'jump times extrapolated in 1/log(1/lambda) within JUMP_REL_TOL of the predicted tau_k', kind: 'evidence', pass: jumpOk, detail: judged > 0 ? `max |tau_hat_k / tau_k - 1| = ${jumpRel.toFixed(4)} over ${judged} event(s) resolvable alone at 1e-${exps[0]} and 1e-${exps[exps.length - 1]}` : 'no event resolvable alone at both ends: not judged' },
    { name: 'every simulated run completed', kind: 'regression', pass: failed.length === 0, detail: failed.length === 0 ? `${allExps.length} runs (${allExps.filter((le) => o[`engine_${le}`] !== 'reduced').length} retried at atol 1e-2 lambda after a step-size underflow)` : failed.map((le) => `1e-${le}: ${String(o[`simWhy_${le}`])}`).join('; ') },
    { name: 'sign(a_j) conserved (a_j^2 - ||w_j||^2 = 0 conserved)', kind: 'regression', pass: o.signChanges === 0, detail: `${String(o.signChanges)} sign change(s)` },
  ];
  if (!shrinkOk) whys.push(`staircase error does not shrink: ratio ${shrink.toFixed(3)} > ${SHRINK_RATIO_MAX}`);
  if (!jumpOk) whys.push(`jump times: max |tau_hat_k / tau_k - 1| = ${jumpRel.toFixed(4)} > ${JUMP_REL_TOL}`);
  const pass = checks.every((c) => c.kind !== 'evidence' || c.pass);
  return { checks, stats: { errLog, shrink, limErr: extrapolateInLog(La, e0, Lb, e1), levelDevLog, jumpRel, structureOk: structOk, pass, why: whys.join(' | ') || 'ok' } };
}

const RULES: Record<string, RateRule> = {
  'rates-x1.05': { ...TRUE_RULE, rateScale: 1.05 },
  'kappa-l1': { ...TRUE_RULE, norm: 'l1' },
  'rates-not-updated': { ...TRUE_RULE, updateRates: false },
};

/** Judges an observation against the truth (id null) or a mutant's rule. */
export function judgeSaddle(o: Observation, id: string | null) {
  return judgeWith(o, saddlePrediction(saddleInputOf(o), id === null ? TRUE_RULE : RULES[id]));
}

const variant = (id: string, statement: string, rationale: string) => ({
  id,
  statement,
  rationale,
  prediction: { name: `jumpProcess(${id})`, statement, predict: (_p: SaddleParams, o: Observation) => saddlePrediction(saddleInputOf(o), RULES[id]) },
});

/** The edge: the trial's statement (1)-(4) at lambda = (10^-(k/2), 10^-k) instead of (1e-8, 1e-16). */
function edgeRun(p: SaddleParams) {
  const k = p.lambdaExp ?? 16;
  const exps = [k / 2, k];
  const o = observeSaddle(p, p.seed ?? 0, exps).observation;
  const pred = saddlePrediction(saddleInputOf(o));
  const { checks, stats } = judgeWith(o, pred, exps);
  return { pass: stats.pass, checks, observation: { n: o.n, m: o.m, lambdas: exps.map((e) => `1e-${e}`).join(', '), events: pred.events.length, errLog: JSON.stringify(stats.errLog), shrink: stats.shrink, jumpRel: stats.jumpRel, why: stats.why } };
}

export const saddleToSaddle = defineClaim<SaddleParams, Observation, OracleResult>({
  meta: {
    id: 'saddle-to-saddle',
    title: 'Gradient flow from small init follows the saddle-to-saddle staircase, one neuron per jump',
    paper: 'MORN26, BPF22',
    theorem: 'derived (papers.md "saddle-to-saddle"; MORN26 main result, theorem number not seen)',
    arxiv: '2605.27097, 2206.00939',
    statement:
      'In tau = t/log(1/lambda) the loss follows the limit jump process with rates kappa_j = (1/n)||(r_i y_i)_{S_j unfit}||_2 updated after each jump: staircase error <= 1/log(1/lambda) and shrinking, drops in the predicted order with one neuron per resolvable jump, levels within 2/log(1/lambda), first jump time (extrapolated) within 2%.',
    regime: 'orthogonal data, n+ and n- in [1, 6], d = n + [0, 4], m in [2, 8], r_i, |y_i| ~ U[1, 2], balanced init at lambda in {1e-8, 1e-12, 1e-16} (same directions), gradient flow',
    hypotheses: [
      'x_i = r_i e_i, e_i random orthonormal (orthogonalData); y_i = +-U[1,2] with n+ positives',
      'f(x) = sum_j a_j relu(<w_j, x>), no bias, both layers, square loss 1/(2n) sum (f - y)^2',
      'balanced init w_j = lambda g_j, a_j = s_j ||w_j||; lambda -> 0 probed by three values with tolerances c / log(1/lambda)',
      'gradient flow (Dormand-Prince 5(4), reduced coordinates W = W0 + C X)',
    ],
    departures: [
      'finite lambda: tolerances over log(1/lambda), calibrated on root 9301; the error must shrink from 1e-8 to 1e-16',
      'one neuron per jump only for resolvable events (no near-tie within 3/log(1/lambda), apart from every other event); others checked for foreign activations only',
      '"activates" = ||w_j||^2 >= 0.1, dated at its half-maximum; horizon 1.5 tau_last log(1/lambda), stop at loss 1e-6 L(0); loss stored on a 1201-point tau grid',
    ],
  },
  claimed: { kind: 'rate', p0: 1, text: '1 (always, for every instance of the regime)' },
  regime: fc.record({
    nPos: fc.integer({ min: 1, max: 6 }),
    nNeg: fc.integer({ min: 1, max: 6 }),
    extraD: fc.integer({ min: 0, max: 4 }),
    m: fc.integer({ min: 2, max: 8 }),
  }),
  observe: (p, seed) => observeSaddle(p, seed, LAMBDA_EXPS),
  prediction: { name: 'saddlePrediction', statement: 'the limit jump process of the init (src/theory/saddle.ts; core limitProcess, start "limit")', predict: (_p, o) => saddlePrediction(saddleInputOf(o)) },
  criterion: {
    name: 'staircase, order, levels, first jump time',
    statement: 'checks (1)-(4) of the header at every lambda of the trial',
    tolerances: TOLERANCES,
    judge: (o, pred) => judgeWith(o, pred).checks,
  },
  mutants: [
    variant('rates-x1.05', 'the rates are 5% larger: kappa_j x 1.05 (every jump at tau / 1.05)', 'a constant factor in the rate (a normalisation slip, e.g. in the 1/n of the loss), planted at 5%: the finest quantitative error the review asked the claim to resolve'),
    variant('kappa-l1', 'kappa_j = (1/n) sum_{S_j unfit} r_i |y_i| (l1 instead of l2 norm)', 'the growth rate of a neuron is the norm of its gradient direction sum y_i x_i: l2; summing magnitudes is the classic slip'),
    variant('rates-not-updated', 'kappa_j stays at its initial value after other neurons fit some of its points', 'the "saddle-to-saddle" rate change: without it the process is a race of fixed exponentials'),
  ],
  budgets: {
    ci: { maxTrials: 300, p1: 0.9, edgeRuns: 30 },
    full: { maxTrials: 1500, p1: 0.97, edgeRuns: 200 },
  },
  edge: {
    description: 'the scale-separation boundary: the statement at lambda = (10^-(k/2), 10^-k), k = 1..4 (from (0.32, 0.1) to (1e-2, 1e-4)) instead of (1e-8, 1e-16): 1/log(1/lambda) is not small, jumps merge, the 1/log(1/lambda) law of the error and of the jump times does not hold yet',
    arbitrary: fc.record({
      nPos: fc.integer({ min: 1, max: 4 }),
      nNeg: fc.integer({ min: 1, max: 3 }),
      extraD: fc.constant(0),
      m: fc.integer({ min: 2, max: 6 }),
      lambdaExp: fc.integer({ min: 1, max: 4 }),
      seed: fc.integer({ min: 0, max: 1000 }),
    }),
    run: (p) => edgeRun(p),
    name: (p) => `lam1e-${(p.lambdaExp ?? 16) / 2}and1e-${p.lambdaExp}-n${p.nPos + p.nNeg}-m${p.m}-seed${p.seed}`,
    // The characteristic: the failure is the scale separation, i.e. the same instance satisfies
    // the statement at lambda = 1e-12 and 1e-16.
    expect: (p, o) => {
      if (!((p.lambdaExp ?? 16) <= 4 && o.pass === false)) return `expected a failure with lambda >= 1e-4, got ${String(o.observation.lambdas)}: ${String(o.observation.why)}`;
      const small = observeSaddle(p, p.seed ?? 0, [12, 16]).observation;
      const j = judgeWith(small, saddlePrediction(saddleInputOf(small)), [12, 16]);
      return j.stats.pass ? null : `the instance fails at lambda = 1e-12/1e-16 too (${j.stats.why}): not a scale-separation failure`;
    },
  },
  extras: (ctx): ClaimExtras => saddleExtras(ctx, new Rng(ctx.seed)),
});
