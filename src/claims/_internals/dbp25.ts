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
import { Rng } from '../../core/rng.ts';
import { isotropicData, orthogonalData } from '../../core/data.ts';
import { danaInit } from '../../core/init.ts';
import { simulate } from '../../core/dynamics.ts';
import type { Dataset, ModelConfig, Params, Problem, Trajectory } from '../../core/types.ts';

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
  /** 'sphere' (exp 1) or 'orthogonal' (exp 2). */
  data: 'sphere' | 'orthogonal';
  seed: number;
  /** Steps (default nb_epochs(n, p)). */
  steps?: number;
}

export interface Dbp25Run {
  data: Dataset;
  p0: Params;
  problem: Problem;
  traj: Trajectory;
  steps: number;
  /** Sum of squared residuals at the end (success iff <= 1). */
  finalSsr: number;
  converged: boolean;
  /** Max |cos| between distinct inputs (the data's interaction). */
  coherence: number;
}

export function dbp25Data(rng: Rng, spec: Dbp25Spec): Dataset {
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

/** One run of the authors' algorithm: their data, init, width and budget; GD with early stop at sum (f-y)^2 <= 1. */
export function runDbp25(spec: Dbp25Spec): Dbp25Run {
  const rng = new Rng(spec.seed);
  const data = dbp25Data(rng.fork(1), spec);
  const p0 = danaInit(rng.fork(2), { m: spec.p, d: spec.d, scale: 1 });
  const problem: Problem = { data, model: DBP25_MODEL, loss: 'square', weightDecay: 0 };
  const steps = spec.steps ?? nbEpochs(spec.n, spec.p);
  // Success level: (p/(2n)) SSR <= p/(2n)  <=>  mean loss 1/(2n) SSR <= 1/(2n).
  const level = 1 / (2 * spec.n);
  const traj = simulate(problem, p0, { kind: 'gd', eta: spec.p, steps, stopLoss: level });
  const finalSsr = 2 * spec.n * traj.finalLoss;
  return { data, p0, problem, traj, steps, finalSsr, converged: !traj.diverged && finalSsr <= 1, coherence: maxCoherence(data) };
}
