/**
 * The orthogonal-data, square-loss setting shared by BPF22, MORN26 and DBP25:
 * x_i = r_i e_i (orthonormal e_i, r_i ~ U[1, 2]), labels +-U[1, 2], f(x) = sum_j a_j relu(<w_j, x>),
 * no bias, both layers trained, square loss 1/(2n) sum (f - y)^2, small init of scale lambda.
 *
 * Exact structure (papers.md, derived): with u_ji = <w_j, e_i>,
 * du_ji/dt = (a_j r_i / n)(y_i - f_i) 1[u_ji > 0], so a coordinate <= 0 never moves again and
 * neuron j can only fit S_j = { i : u_ji(0) > 0, sign(y_i) = sign(a_j) }.
 */
import { Rng } from '../../core/rng.ts';
import { orthogonalData, type OrthogonalDataset } from '../../core/data.ts';
import { balancedInit, gaussianInit, danaInit } from '../../core/init.ts';
import { evalLoss } from '../../core/model.ts';
import type { DynamicsConfig, ModelConfig, Params, Problem } from '../../core/types.ts';

export const ORTHO_MODEL: ModelConfig = { activation: 'relu', leak: 0, outputScale: '1', train: 'both', bias: false };

/** Norm and label-magnitude laws of papers.md: r_i ~ U[1, 2], |y_i| ~ U[1, 2]. */
export const NORM_RANGE: [number, number] = [1, 2];
export const LABEL_RANGE: [number, number] = [1, 2];

/** A run counts as interpolating when its loss falls below this fraction of the initial loss. */
export const SUCCESS_REL_LOSS = 1e-6;

export interface OrthoSpec {
  nPos: number;
  nNeg: number;
  /** d >= n; default n. */
  d?: number;
  m: number;
  lambda: number;
  init: 'balanced' | 'gaussian' | 'dana' | 'balanced-ratio';
  /** gaussian init: a_j ~ N(0, (aRatio * lambda)^2); balanced-ratio: a_j = aRatio s_j ||w_j||. */
  aRatio?: number;
  seed: number;
}

export interface OrthoSetup {
  spec: OrthoSpec;
  data: OrthogonalDataset;
  p0: Params;
  problem: Problem;
  /** u_ji(0) = <w_j(0), e_i>, [m x n]. */
  U0: Float64Array;
  n: number;
  m: number;
}

function scaleSecondLayer(p: Params, ratio: number): Params {
  for (let j = 0; j < p.m; j++) p.a[j] *= ratio;
  return p;
}

export function orthoSetup(spec: OrthoSpec): OrthoSetup {
  const rng = new Rng(spec.seed);
  const n = spec.nPos + spec.nNeg;
  const d = spec.d ?? n;
  const data = orthogonalData(rng.fork(1), {
    n,
    d,
    normRange: NORM_RANGE,
    labels: { kind: 'magnitude', range: LABEL_RANGE, balance: { positives: spec.nPos } },
  });
  const irng = rng.fork(2);
  const p0 =
    spec.init === 'balanced'
      ? balancedInit(irng, { m: spec.m, d, scale: spec.lambda })
      : spec.init === 'gaussian'
        ? gaussianInit(irng, { m: spec.m, d, scale: spec.lambda, aScale: (spec.aRatio ?? 1) * spec.lambda })
        : spec.init === 'balanced-ratio'
          ? scaleSecondLayer(balancedInit(irng, { m: spec.m, d, scale: spec.lambda }), spec.aRatio ?? 1)
          : danaInit(irng, { m: spec.m, d, scale: spec.lambda });
  const U0 = new Float64Array(spec.m * n);
  for (let j = 0; j < spec.m; j++) {
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += p0.W[j * d + k] * data.directions[i * d + k];
      U0[j * n + i] = acc;
    }
  }
  return { spec, data, p0, problem: { data, model: ORTHO_MODEL, loss: 'square', weightDecay: 0 }, U0, n, m: spec.m };
}

export interface Coverage {
  /** S_j as sorted index lists. */
  S: number[][];
  covered: boolean[];
  allCovered: boolean;
  /** Predicted limit loss 1/(2n) sum_{uncovered} y_i^2. */
  Linf: number;
  uncovered: number[];
}

export function coverage(U0: Float64Array, a0: Float64Array, y: Float64Array, m: number, n: number): Coverage {
  const S: number[][] = [];
  const covered = new Array<boolean>(n).fill(false);
  for (let j = 0; j < m; j++) {
    const sj: number[] = [];
    for (let i = 0; i < n; i++) {
      if (U0[j * n + i] > 0 && Math.sign(y[i]) === Math.sign(a0[j])) {
        sj.push(i);
        covered[i] = true;
      }
    }
    S.push(sj);
  }
  let Linf = 0;
  const uncovered: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!covered[i]) {
      Linf += y[i] * y[i];
      uncovered.push(i);
    }
  }
  return { S, covered, allCovered: uncovered.length === 0, Linf: Linf / (2 * n), uncovered };
}

/**
 * Gradient-flow horizon long enough for every jump and the final convergence: all jumps of the
 * limit process happen by tau <= n / min_i r_i |y_i| (papers.md), i.e. t <= log(1/lambda) n /
 * min r|y|; we allow 4x that plus 10 n / min r|y| for the last exponential approach, and stop
 * early at the success loss.
 */
export function flowHorizon(setup: OrthoSetup): DynamicsConfig {
  const initialLoss = evalLoss(setup.p0, setup.problem.model, 'square', setup.data);
  const { data, n } = setup;
  let minRy = Infinity;
  for (let i = 0; i < n; i++) minRy = Math.min(minRy, data.norms[i] * Math.abs(data.y[i]));
  const logInv = Math.max(1, Math.log(1 / setup.spec.lambda));
  return { kind: 'flow', tEnd: (4 * logInv + 10) * (n / minRy), stopLoss: SUCCESS_REL_LOSS * initialLoss };
}

