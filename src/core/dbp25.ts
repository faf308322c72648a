/**
 * The DBP25 authors' experimental protocol (Dana, Bach, Pillaud-Vivien, arXiv 2502.16977; from
 * their released code as quoted in issue 11), as first-class options:
 * - data "exp 1": x_i = r_i u_i, u_i uniform on the unit sphere of R^d, r_i ~ U[1, 2]; labels
 *   y_i = s_i |y_i|, Rademacher s_i, |y_i| ~ U[1, 2]. "exp 2" (orthogonal): x_i = r_i e_i with
 *   e_i the first n standard basis vectors.
 * - model f(x) = (1/p) sum_j a_j relu(<w_j, x>), no bias, both layers trained;
 * - init w_j entries ~ U(-1/sqrt d, 1/sqrt d) (PyTorch's default linear layer), a_j =
 *   s_j (||w_j|| + E_j), E_j ~ Exp(1); orthogonal runs scale w by 0.01 and redraw until every
 *   point is covered;
 * - loss (p/(2n)) sum_i (f(x_i) - y_i)^2 minimised by full-batch GD with learning rate 1,
 *   i.e. GD with step eta = p on flowcheck's mean loss 1/(2n) sum (f - y)^2 (the gradient is
 *   linear in the loss scale: the two iterations are identical);
 * - width p = nb_neurons(n, eps) = floor(log(n/eps)/log(4/3)) + 1;
 * - budget nb_epochs = floor(1.5 sqrt(n p) log(n p) / 4) + 1 steps;
 * - success: final p-scaled loss <= p/(2n), i.e. sum_i (f - y)^2 <= 1 (early stop there).
 */
import { Rng } from './rng.ts';
import { isotropicData, orthogonalData } from './data.ts';
import { danaInit } from './init.ts';
import { simulate } from './dynamics.ts';
import { preActivations } from './model.ts';
import type { Dataset, ModelConfig, Params, Problem, Trajectory } from './types.ts';
import { checkInt, InputError } from './errors.ts';

export const DBP25_MODEL: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1/m', train: 'both', bias: false };
export const DBP25_NORM_RANGE: [number, number] = [1, 2];
export const DBP25_LABEL_RANGE: [number, number] = [1, 2];
/** The authors' eps of nb_neurons. */
export const DBP25_EPS = 0.05;

/** The authors' nb_neurons(n, eps) = floor(log(n/eps)/log(4/3)) + 1. */
export function nbNeurons(n: number, eps = DBP25_EPS): number {
  return Math.floor(Math.log(n / eps) / Math.log(4 / 3)) + 1;
}

/** The authors' nb_epochs(n, p) = floor(1.5 sqrt(n p) log(n p) / 4) + 1. */
export function nbEpochs(n: number, p: number): number {
  return Math.floor((1.5 * Math.sqrt(n * p) * Math.log(n * p)) / 4) + 1;
}

export interface Dbp25Spec {
  n: number;
  d: number;
  p: number;
  /** 'sphere' (exp 1) or 'orthogonal' (exp 2: axis-aligned, w scaled by 0.01, redrawn until every point is covered). */
  data: 'sphere' | 'orthogonal';
  seed: number;
  /** Steps (default nb_epochs(n, p); the orthogonal-rate runs use 10 nb_epochs). */
  steps?: number;
  /** Early stop at this sum of squared residuals (default 1, the success level; the rate runs use 1e-6). */
  stopSsr?: number;
}

/** The authors' orthogonal init scale (w multiplied by 0.01) and the redraw cap (never reached at p >= nb_neurons). */
export const DBP25_ORTHO_SCALE = 0.01;
export const DBP25_MAX_REDRAWS = 10000;

export interface Dbp25Instance {
  data: Dataset;
  p0: Params;
  problem: Problem;
  /** GD at eta = p on the mean loss (= lr 1 on the p-scaled loss), early stop at stopSsr. */
  dyn: { kind: 'gd'; eta: number; steps: number; stopLoss: number };
  steps: number;
  /** Init draws used (1 for sphere data; orthogonal: redrawn until covered). */
  draws: number;
}

export interface Dbp25Run extends Dbp25Instance {
  traj: Trajectory;
  /** Sum of squared residuals at the end (success iff <= 1). */
  finalSsr: number;
  converged: boolean;
  /** Max |cos| between distinct inputs (the data's interaction). */
  coherence: number;
}

export function dbp25Data(rng: Rng, spec: Pick<Dbp25Spec, 'n' | 'd' | 'data'>): Dataset {
  const labels = { kind: 'magnitude' as const, range: DBP25_LABEL_RANGE };
  if (spec.data === 'sphere') return isotropicData(rng, { n: spec.n, d: spec.d, dist: 'sphere', normRange: DBP25_NORM_RANGE, labels });
  return orthogonalData(rng, { n: spec.n, d: spec.d, normRange: DBP25_NORM_RANGE, labels, axisAligned: true });
}

export function maxCoherence(data: Dataset): number {
  const { n, d, X } = data;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let ni = 0;
    for (let c = 0; c < d; c++) ni += X[i * d + c] * X[i * d + c];
    for (let k = i + 1; k < n; k++) {
      let nk = 0;
      let dot = 0;
      for (let c = 0; c < d; c++) {
        nk += X[k * d + c] * X[k * d + c];
        dot += X[i * d + c] * X[k * d + c];
      }
      worst = Math.max(worst, Math.abs(dot) / Math.sqrt(ni * nk));
    }
  }
  return worst;
}

/** Every point covered: some neuron j with a_j y_i > 0 and <w_j, x_i> > 0 (the authors' redraw rule). */
export function allCovered(data: Dataset, p: Params): boolean {
  const { n, d, X, y } = data;
  const Z = new Float64Array(p.m * n);
  preActivations(Z, p.W, null, X, p.m, n, d);
  for (let i = 0; i < n; i++) {
    let ok = false;
    for (let j = 0; j < p.m && !ok; j++) ok = p.a[j] * y[i] > 0 && Z[j * n + i] > 0;
    if (!ok) return false;
  }
  return true;
}

/**
 * The authors' instance: data, init, loss and GD (no simulation). Sphere: danaInit at scale 1.
 * Orthogonal: danaInit with the same draw with w then multiplied by 0.01 (a_j keeps the
 * unscaled ||w_j||: the literal reading of the authors' description; the code's order was not
 * readable), redrawn from the same init stream until every point is covered.
 */
export function dbp25Instance(spec: Dbp25Spec): Dbp25Instance {
  const fn = 'dbp25Instance';
  const n = checkInt(fn, 'n', spec.n, 1);
  const d = checkInt(fn, 'd', spec.d, 1);
  const p = checkInt(fn, 'p', spec.p, 1);
  const rng = new Rng(spec.seed);
  const data = dbp25Data(rng.fork(1), { n, d, data: spec.data });
  const irng = rng.fork(2);
  let p0: Params;
  let draws = 0;
  if (spec.data === 'sphere') {
    p0 = danaInit(irng, { m: p, d, scale: 1 });
    draws = 1;
  } else {
    do {
      if (draws >= DBP25_MAX_REDRAWS) throw new InputError(fn, 'p', p, `a width at which a random init covers every point (${DBP25_MAX_REDRAWS} draws did not; n = ${n})`);
      p0 = danaInit(irng, { m: p, d, scale: 1 });
      // literal reading of the protocol: init as for sphere data, then w multiplied by 0.01 (a_j keeps ||w_j|| of the unscaled draw)
      for (let k = 0; k < p0.W.length; k++) p0.W[k] *= DBP25_ORTHO_SCALE;
      draws++;
    } while (!allCovered(data, p0));
  }
  const problem: Problem = { data, model: DBP25_MODEL, loss: 'square', weightDecay: 0 };
  const steps = spec.steps ?? nbEpochs(n, p);
  // Success level: (p/(2n)) SSR <= p/(2n)  <=>  mean loss 1/(2n) SSR <= 1/(2n).
  const stopSsr = spec.stopSsr ?? 1;
  return { data, p0, problem, dyn: { kind: 'gd', eta: p, steps, stopLoss: stopSsr / (2 * n) }, steps, draws };
}

/** One run of the authors' algorithm: their data, init, width and budget; GD with early stop at sum (f-y)^2 <= stopSsr. */
export function runDbp25(spec: Dbp25Spec): Dbp25Run {
  const inst = dbp25Instance(spec);
  const traj = simulate(inst.problem, inst.p0, inst.dyn);
  const finalSsr = 2 * spec.n * traj.finalLoss;
  return { ...inst, traj, finalSsr, converged: !traj.diverged && finalSsr <= 1, coherence: maxCoherence(inst.data) };
}

/**
 * The authors' local PL curvature at the end of a run: mu(t_inf) = 2 mean over the last `last`
 * steps of (L_{t-1} - L_t) / (L_{t-1} + L_t) (the per-step logarithmic decrease of the loss).
 * NaN when the curve has fewer than two points.
 */
export function localPlCurvature(loss: ArrayLike<number>, last = 100): number {
  const k = loss.length;
  let acc = 0;
  let c = 0;
  for (let t = Math.max(1, k - last); t < k; t++) {
    const s = loss[t - 1] + loss[t];
    if (s > 0) {
      acc += (loss[t - 1] - loss[t]) / s;
      c++;
    }
  }
  return c === 0 ? NaN : (2 * acc) / c;
}

/**
 * The authors' bounds on the local PL constant at a state (their "Lemma 12", as quoted in issue 11):
 * mu_low = (2/n) min_i (1/p) sum_j a_j^2 1[<w_j, x_i> > 0], mu_upp = (16/n) max_i (same).
 */
export function plBounds(data: Dataset, p: Params): { muLow: number; muUpp: number } {
  const { n, d, X } = data;
  const Z = new Float64Array(p.m * n);
  preActivations(Z, p.W, null, X, p.m, n, d);
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p.m; j++) if (Z[j * n + i] > 0) s += p.a[j] * p.a[j];
    s /= p.m;
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  return { muLow: (2 / n) * lo, muUpp: (16 / n) * hi };
}
