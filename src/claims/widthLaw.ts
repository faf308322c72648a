/**
 * width-law: the probability that gradient flow interpolates orthogonal data is exactly
 * P(n+, n-, m) = sum_{k=0..m} C(m,k) 2^-m (1 - 2^-k)^{n+} (1 - 2^-(m-k))^{n-}.
 *
 * Papers: DBP25 (arXiv 2502.16977) and MORN26 (arXiv 2605.27097) state that m >~ log n neurons
 * suffice (P >= 1 - n (3/4)^m); the exact formula is derived in ../shared/papers.md and in
 * src/theory/widthLaw.ts (theorem numbers not verified: only the abstracts were readable).
 *
 * Statement encoded: for each grid cell (n+, n-, m), simulated gradient-flow runs interpolate at
 * rate P (two-sided exact binomial test per cell and a pooled test, Holm within the claim).
 * Observation: one real gradient-flow run (not a coverage count), so the formula is checked
 * against the dynamics. Prediction: P(n+, n-, m) (src/theory/widthLaw.ts). Criterion: the
 * trial's event is "interpolated" (loss < 1e-6 L(0)); the statistics compare its frequency with
 * P. Regression check: none per trial (coverage vs interpolation is the zero-loss claim's
 * evidence, recorded here in the observation).
 *
 * Grid (derived, not fitted): scripts/width-law-design.ts computes the power of this very test
 * from the exact law alone (Binomial(N, P) counts, 2000 replications): the cells at n = 32 and
 * 64 with m near log(n)/log(4/3) separate the independence law most per trial (|P - P_ind| /
 * sd ~ 0.2-0.28 per sqrt(trial)), the n = 2 cells separate the sign-ignored law (P(1,1,1) = 0).
 *
 * Hypotheses -> code: as zero-loss (orthogonal data, r_i, |y_i| ~ U[1,2], exactly n+ positive
 * labels, balanced init with lambda = 1e-6, gradient flow). Departures: finite horizon and
 * "interpolates" = loss < 1e-6 L(0), as in zero-loss; one init scale.
 *
 * Mutants: the independence law (1 - (3/4)^m)^n; the union bound 1 - n (3/4)^m read as exact;
 * the sign-ignored law (1 - 2^-m)^n.
 *
 * Edge: "always interpolates" at small width is false; the hunt over n in [1, 32], m in
 * [1, ceil(log n / log(4/3))] shrinks to the smallest instance, a single uncovered point.
 */
import fc from 'fast-check';
import { defineClaim, type ClaimParams, type Observed, type TrialOutcome } from './claim.ts';
import { simulate } from '../core/dynamics.ts';
import { toInstance } from '../core/instance.ts';
import { orthoSetup, coverage, flowHorizon } from './_internals/orthogonal.ts';
import { interpolationProbability, independenceLaw, unionBoundLaw, signIgnoredLaw } from '../theory/widthLaw.ts';

/** Init scale of the width-law trials (any small balanced init has the same coverage law). */
export const WIDTH_LAW_LAMBDA = 1e-6;

type WidthObservation = {
  nPos: number;
  nNeg: number;
  m: number;
  interpolated: boolean;
  allCovered: boolean;
  uncovered: number;
  finalLoss: number | string;
  Linf: number;
  diverged: boolean;
  why: string;
};

function observeInterpolation(nPos: number, nNeg: number, m: number, seed: number): Observed<WidthObservation> {
  const setup = orthoSetup({ nPos, nNeg, m, lambda: WIDTH_LAW_LAMBDA, init: 'balanced', seed });
  const cov = coverage(setup.U0, setup.p0.a, setup.data.y, setup.m, setup.n);
  const dyn = flowHorizon(setup);
  const traj = simulate(setup.problem, setup.p0, dyn);
  const interpolated = !traj.diverged && traj.stoppedAtLoss;
  return {
    observation: {
      nPos,
      nNeg,
      m,
      interpolated,
      allCovered: cov.allCovered,
      uncovered: cov.uncovered.length,
      finalLoss: Number.isFinite(traj.finalLoss) ? traj.finalLoss : String(traj.finalLoss),
      Linf: cov.Linf,
      diverged: traj.diverged,
      why: interpolated ? 'interpolated' : traj.diverged ? `diverged: ${traj.divergeReason}` : `did not interpolate: ${cov.uncovered.length} uncovered point(s), final loss ${traj.finalLoss}`,
    },
    cell: `${nPos}/${nNeg}/${m}`,
    instance: toInstance(setup.problem, setup.p0, dyn, { initScale: WIDTH_LAW_LAMBDA, label: `width-law n+=${nPos} n-=${nNeg} m=${m} seed ${seed}` }),
  };
}

/** The edge's statement on one instance: "interpolates" (always, at any width). */
function interpolationOutcome(nPos: number, nNeg: number, m: number, seed: number): TrialOutcome {
  const o = observeInterpolation(nPos, nNeg, m, seed);
  return { pass: o.observation.interpolated, observation: o.observation, cell: o.cell, instance: o.instance };
}

function grid(pairs: [number, number][], ms: number[]): ClaimParams[] {
  const out: ClaimParams[] = [];
  for (const [nPos, nNeg] of pairs) for (const m of ms) out.push({ nPos, nNeg, m });
  return out;
}

/** Grid cells per budget (see the design note at the top: scripts/width-law-design.ts). */
export const WIDTH_LAW_CELLS: { ci: { nPos: number; nNeg: number; m: number }[]; full: { nPos: number; nNeg: number; m: number }[] } = {
  ci: [
    ...(grid([[1, 1]], [1]) as { nPos: number; nNeg: number; m: number }[]),
    ...(grid([[16, 16]], [9]) as { nPos: number; nNeg: number; m: number }[]),
    ...(grid([[32, 32]], [9, 10, 11, 12, 13, 14]) as { nPos: number; nNeg: number; m: number }[]),
  ],
  full: grid(
    [
      [1, 1],
      [4, 4],
      [8, 8],
      [16, 16],
      [32, 32],
    ],
    [1, 2, 4, 6, 8, 10, 12, 14, 16],
  ) as { nPos: number; nNeg: number; m: number }[],
};

const cellLaw = (law: (a: number, b: number, m: number) => number) => (c: ClaimParams) => law(Number(c.nPos), Number(c.nNeg), Number(c.m));

type P = { nPos: number; nNeg: number; m: number; seed?: number };

export const widthLaw = defineClaim<P, WidthObservation, null>({
  meta: {
    id: 'width-law',
    title: 'Interpolation probability on orthogonal data is exactly P(n+, n-, m)',
    paper: 'DBP25, MORN26',
    theorem: 'derived (papers.md, "width-law"); DBP25 main result m >~ log n (theorem number not verified)',
    arxiv: '2502.16977, 2605.27097',
    statement:
      'Under random balanced init, gradient flow interpolates with probability P(n+, n-, m) = sum_k C(m,k) 2^-m (1 - 2^-k)^{n+} (1 - 2^-(m-k))^{n-} >= 1 - n (3/4)^m.',
    regime: 'ci grid (n+, n-, m) in {(1,1,1), (1,1,2), (4,4,4), (4,4,8), (16,16,8), (16,16,12), (32,32,10), (32,32,12), (32,32,14)}; full grid (n+ = n-) in {1,4,8,16,32} x m in {1,2,4,...,16}; d = n, lambda = 1e-6, gradient flow',
    hypotheses: [
      'x_i = r_i e_i, random orthonormal e_i, r_i ~ U[1,2]; y_i = +-U[1,2] with exactly n+ positives',
      'f(x) = sum_j a_j relu(<w_j, x>), both layers, square loss, balanced init lambda = 1e-6',
      'random symmetric init: P(u_ji(0) > 0) = 1/2 and P(s_j = +1) = 1/2 independently',
    ],
    departures: [
      'finite horizon; "interpolates" = loss < 1e-6 L(0) (see zero-loss)',
      'one init scale (1e-6) instead of all small scales',
      'the formula is exact for Gaussian w (independent signs of projections on orthonormal e_i); DBP25 uniform init on rotated data is not covered',
      'agreement is tested per cell (exact two-sided binomial) and pooled over cells (normal approximation), Holm-adjusted; "accept" means no detectable disagreement at this power',
    ],
  },
  claimed: {
    kind: 'exact-cells',
    text: 'exact P(n+, n-, m) per cell',
    cells: WIDTH_LAW_CELLS.ci,
    predicted: cellLaw(interpolationProbability),
    key: (c) => `${c.nPos}/${c.nNeg}/${c.m}`,
  },
  regime: fc.record({}) as unknown as fc.Arbitrary<P>,
  observe: (p, seed) => observeInterpolation(p.nPos, p.nNeg, p.m, seed),
  prediction: {
    name: 'interpolationProbability',
    statement: 'P(n+, n-, m) = sum_k C(m,k) 2^-m (1 - 2^-k)^{n+} (1 - 2^-(m-k))^{n-} per cell (src/theory/widthLaw.ts)',
    predict: () => null,
  },
  criterion: {
    name: 'interpolation frequency',
    statement: 'the event of a trial is "interpolated" (loss < 1e-6 L(0) within the horizon); its frequency per cell is compared with P by the exact two-sided binomial test and the pooled test',
    tolerances: [
      { name: 'SUCCESS_REL_LOSS', value: 1e-6, source: 'convention', detail: 'interpolation = loss below 1e-6 L(0); the fitted part decays exponentially, the unfitted part stays >= y_i^2/(2n), so any level between decides alike (see zero-loss)' },
    ],
    judge: (o) => [{ name: 'event: interpolated (its frequency is what the cells test)', kind: 'evidence', pass: o.interpolated, detail: o.why }],
  },
  mutants: [
    {
      id: 'independence',
      statement: 'points are covered independently: P = (1 - (3/4)^m)^n',
      rationale: 'each point is covered by a given neuron with probability 1/4, so the product law is the first formula one writes; it ignores that all points share the neurons\' signs',
      cellPredicted: cellLaw(independenceLaw),
    },
    {
      id: 'union-bound-exact',
      statement: 'P = 1 - n (3/4)^m exactly (the papers\' lower bound read as the law)',
      rationale: 'the abstracts state the bound, not the law; a reader may take it as the probability',
      cellPredicted: cellLaw(unionBoundLaw),
    },
    {
      id: 'sign-ignored',
      statement: 'a point is fit when some neuron of either sign is active on it: P = (1 - 2^-m)^n',
      rationale: 'drops the hypothesis that the neuron\'s output sign must match the label (the coverage condition without sign(a_j) = sign(y_i))',
      cellPredicted: cellLaw(signIgnoredLaw),
    },
  ],
  budgets: {
    ci: { maxTrials: 0, trialsPerCell: 130, edgeRuns: 40 },
    full: { maxTrials: 0, trialsPerCell: 300, edgeRuns: 200 },
  },
  edge: {
    description: '"always interpolates" at width m <= ceil(log n / log(4/3)), where P is about one half',
    arbitrary: fc
      .integer({ min: 1, max: 32 })
      .chain((n) =>
        fc.record({
          nPos: fc.constant(Math.ceil(n / 2)),
          nNeg: fc.constant(Math.floor(n / 2)),
          m: fc.integer({ min: 1, max: Math.max(1, Math.ceil(Math.log(n) / Math.log(4 / 3))) }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
      ),
    run: (p) => interpolationOutcome(p.nPos, p.nNeg, p.m, p.seed ?? 0),
    name: (p) => `n${p.nPos + p.nNeg}-m${p.m}-seed${p.seed ?? 0}`,
    expect: (p, o) => (p.nPos + p.nNeg === 1 && p.m === 1 && o.observation.uncovered === 1 ? null : `expected the smallest instance (n = 1, m = 1, one uncovered point), got n = ${p.nPos + p.nNeg}, m = ${p.m}, uncovered ${String(o.observation.uncovered)}`),
  },
});
