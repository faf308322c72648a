/**
 * An external claim, defined outside flowcheck's sources with its public API:
 *   npx flowcheck verify --claim-file examples/claim.ts --claims one-neuron-logistic
 *
 * Statement (derived here, exact): one point x = r > 0 in R^1 with label y > 0, one neuron with
 * balanced init a = w = lambda > 0, f(x) = a relu(w x), square loss (f - y)^2 / 2, gradient flow.
 * Then a = w for all t and s = w^2 solves the logistic ODE ds/dt = 2 r s (y - r s), so
 *   s(t) = K / (1 + (K / s0 - 1) e^{-2 r y t}),  K = y / r,  s0 = lambda^2,
 * and the loss is L(t) = (y - r s(t))^2 / 2: a plateau until the escape time
 * t* = log(K / s0 - 1) / (2 r y), then a sigmoid drop.
 *
 * Observation: the loss simulated by flowcheck's float64 gradient flow at t = 0.5, 1, 1.5 t*.
 * Criterion: |L_sim - L_pred| <= 1e-6 L(0) at each time (derivation: rtol 1e-10 per step and at
 * most a few hundred steps keep the global error of s below 1e-7 relative; L is Lipschitz in s
 * with constant r |y - r s| <= r y, so the loss error is below 1e-6 L(0)).
 */
import fc from 'fast-check';
import { defineClaim, simulate, paramsFromArrays, Rng, type Check } from 'flowcheck';

const TOL_REL = 1e-6;
const FRACTIONS = [0.5, 1, 1.5];

type P = { lambdaExp: number; seed: number };
type O = { r: number; y: number; lambda: number; tStar: number; loss: number[]; L0: number; why: string };
type R = { loss: number[] };

function logisticLoss(r: number, y: number, lambda: number, t: number, rate = 2 * r * y): number {
  const K = y / r;
  const s = K / (1 + (K / (lambda * lambda) - 1) * Math.exp(-rate * t));
  return ((y - r * s) ** 2) / 2;
}

function judge(o: O, pred: R): Check[] {
  const errs = o.loss.map((l, k) => Math.abs(l - pred.loss[k]) / o.L0);
  const worst = Math.max(...errs);
  return [{ name: 'loss follows the logistic law', kind: 'evidence', pass: worst <= TOL_REL, detail: `max |L_sim - L_pred| / L(0) = ${worst.toExponential(2)} (tolerance ${TOL_REL})` }];
}

const criterion = {
  name: 'loss at 0.5, 1, 1.5 t*',
  statement: '|L_sim - L_pred| <= 1e-6 L(0) at each sampled time',
  tolerances: [{ name: 'TOL_REL', value: TOL_REL, source: 'derivation' as const, detail: 'integrator rtol 1e-10; see the file header' }],
  judge,
};

const at = (times: (o: O) => number[], law: (o: O, t: number) => number) => (_p: P, o: O): R => ({ loss: times(o).map((t) => law(o, t)) });
const sampleTimes = (o: O) => FRACTIONS.map((f) => f * o.tStar);

export default defineClaim<P, O, R>({
  meta: {
    id: 'one-neuron-logistic',
    title: 'One balanced neuron on one point: the loss follows the logistic law (example external claim)',
    paper: 'example',
    theorem: 'derived in examples/claim.ts',
    arxiv: '2206.00939',
    statement: 'L(t) = (y - r s(t))^2 / 2 with s(t) = K / (1 + (K / lambda^2 - 1) e^{-2 r y t}), K = y / r',
    regime: 'r, y ~ U[1, 2], lambda = 10^-k, k in [1, 6]',
    hypotheses: ['d = n = m = 1, x = r > 0, y > 0, balanced init a = w = lambda', 'square loss, gradient flow'],
    departures: ['integrator tolerance rtol 1e-10 instead of the exact flow'],
  },
  claimed: { kind: 'rate', p0: 1, text: '1 (exact law)' },
  regime: fc.record({ lambdaExp: fc.integer({ min: 1, max: 6 }), seed: fc.integer({ min: 0, max: 0x7fffffff }) }),
  observe: (p, seed) => {
    const rng = new Rng(seed);
    const r = 1 + rng.uniform();
    const y = 1 + rng.uniform();
    const lambda = 10 ** -p.lambdaExp;
    const data = { n: 1, d: 1, X: Float64Array.of(r), y: Float64Array.of(y) };
    const problem = { data, model: { activation: 'relu' as const, leak: 0, outputScale: '1' as const, train: 'both' as const, bias: false }, loss: 'square' as const, weightDecay: 0 };
    const p0 = paramsFromArrays([[lambda]], [lambda]);
    const K = y / r;
    const tStar = Math.log(K / (lambda * lambda) - 1) / (2 * r * y);
    const loss = FRACTIONS.map((f) => simulate(problem, p0, { kind: 'flow', tEnd: f * tStar, rtol: 1e-10, atol: 1e-14 }).finalLoss);
    return { observation: { r, y, lambda, tStar, loss, L0: ((y - r * lambda * lambda) ** 2) / 2, why: `losses ${loss.map((l) => l.toPrecision(6)).join(', ')}` } };
  },
  prediction: { name: 'logistic law', statement: 's(t) logistic with rate 2 r y', predict: at(sampleTimes, (o, t) => logisticLoss(o.r, o.y, o.lambda, t)) },
  criterion,
  mutants: [
    { id: 'half-rate', statement: 'the rate is r y, not 2 r y', rationale: 'forgetting that both layers grow (s = w^2)', prediction: { name: 'rate r y', statement: '', predict: at(sampleTimes, (o, t) => logisticLoss(o.r, o.y, o.lambda, t, o.r * o.y)) } },
    { id: 'no-saturation', statement: 's(t) = lambda^2 e^{2 r y t} (the linearised growth, no saturation)', rationale: 'the early-phase law extended past the escape', prediction: { name: 'exponential', statement: '', predict: at(sampleTimes, (o, t) => ((o.y - o.r * Math.min(o.y / o.r * 4, o.lambda ** 2 * Math.exp(2 * o.r * o.y * t))) ** 2) / 2) } },
    { id: 'no-plateau', statement: 'L(t) = L(0) e^{-2 r y t} (no plateau)', rationale: 'the kernel-regime picture: the loss decays from the start', prediction: { name: 'exponential decay', statement: '', predict: at(sampleTimes, (o, t) => o.L0 * Math.exp(-2 * o.r * o.y * t)) } },
  ],
  budgets: { ci: { maxTrials: 100, p1: 0.9, edgeRuns: 0 }, full: { maxTrials: 300, p1: 0.97, edgeRuns: 0 } },
});
