/**
 * saddle-to-saddle simulation: one instance (orthogonal data, balanced init directions g_j) run at
 * several init scales lambda = 10^-k with the same data and directions (w_j = lambda g_j). The
 * observation is flat JSON: the init data the prediction reads (r, y, U = u_ji(0)/lambda, s) and,
 * per lambda, the StaircaseRecord flattened into number arrays (see flattenRecord).
 */
import { orthoSetup, ORTHO_MODEL } from './orthogonal.ts';
import { observeStaircase, type StaircaseRecord } from './saddleJudge.ts';
import { SIM_WINDOW } from './incremental.ts';
import { saddlePrediction, type SaddleInput } from '../../theory/saddle.ts';
import { toInstance, type Instance } from '../../core/instance.ts';
import type { Observation } from '../claim.ts';
import type { Problem } from '../../core/types.ts';

export type SaddleParams = { nPos: number; nNeg: number; extraD: number; m: number; seed?: number; lambdaExp?: number; leakIdx?: number };

export function saddleSetup(p: SaddleParams, seed: number, lambda: number) {
  const setup = orthoSetup({ nPos: p.nPos, nNeg: p.nNeg, d: p.nPos + p.nNeg + p.extraD, m: p.m, lambda, init: 'balanced', seed });
  const problem: Problem = p.leakIdx === undefined ? setup.problem : { ...setup.problem, model: { ...ORTHO_MODEL, activation: 'leaky', leak: 0.05 * p.leakIdx } };
  return { setup, problem };
}

/** The prediction's input from an observation. */
export function saddleInputOf(o: Observation): SaddleInput {
  return { n: o.n as number, m: o.m as number, r: o.r as number[], y: o.y as number[], U: o.U as number[], s: o.s as number[] };
}

function flattenRecord(le: number, rec: StaircaseRecord, out: Observation): void {
  out[`tauEnd_${le}`] = rec.tauEnd;
  out[`diverged_${le}`] = rec.diverged;
  out[`simWhy_${le}`] = rec.why;
  out[`steps_${le}`] = rec.steps;
  out[`signChanges_${le}`] = rec.signChanges;
  out[`engine_${le}`] = rec.engine;
  out[`loss_${le}`] = rec.loss;
  out[`drops_${le}`] = rec.drops.flatMap((d) => [d.tauFrom, d.tauMid, d.tauTo, d.before, d.after]);
  out[`acts_${le}`] = rec.acts.flatMap((a) => [a.neuron, a.tau, a.maxNormSq]);
}

export function recordOf(o: Observation, le: number): StaircaseRecord {
  const dr = o[`drops_${le}`] as number[];
  const ac = o[`acts_${le}`] as number[];
  const drops: StaircaseRecord['drops'] = [];
  for (let k = 0; k + 4 < dr.length; k += 5) drops.push({ tauFrom: dr[k], tauMid: dr[k + 1], tauTo: dr[k + 2], before: dr[k + 3], after: dr[k + 4] });
  const acts: StaircaseRecord['acts'] = [];
  for (let k = 0; k + 2 < ac.length; k += 3) acts.push({ neuron: ac[k], tau: ac[k + 1], maxNormSq: ac[k + 2] });
  return { lambda: 10 ** -le, tauEnd: o[`tauEnd_${le}`] as number, diverged: o[`diverged_${le}`] === true, why: String(o[`simWhy_${le}`]), steps: o[`steps_${le}`] as number, signChanges: o[`signChanges_${le}`] as number, engine: String(o[`engine_${le}`]), loss: o[`loss_${le}`] as number[], drops, acts };
}

/**
 * Simulates the instance at lambda = 10^-le for each le of exps. Horizon (a convention, not
 * judged): SIM_WINDOW = 1.5 times the last jump of the true limit process of the init (all jumps
 * by tau <= n / min r|y| when there is none), stop at loss 1e-6 L(0).
 */
export function observeSaddle(p: SaddleParams, seed: number, exps: readonly number[]): { observation: Observation; instance?: Instance } {
  const ref = saddleSetup(p, seed, 1);
  const { n, m } = ref.setup;
  const r = Array.from(ref.setup.data.norms);
  const y = Array.from(ref.setup.data.y);
  const o: Observation = { n, m, r, y, U: Array.from(ref.setup.U0), s: Array.from(ref.setup.p0.a).map((a) => (a > 0 ? 1 : -1)) };
  const truth = saddlePrediction(saddleInputOf(o));
  const K = truth.events.length;
  let minRy = Infinity;
  for (let i = 0; i < n; i++) minRy = Math.min(minRy, r[i] * Math.abs(y[i]));
  const tauEnd = SIM_WINDOW * (K > 0 ? truth.events[K - 1].tau : n / minRy);
  o.L0 = truth.initialLoss;
  let instance: Instance | undefined;
  let signChanges = 0;
  for (const le of exps) {
    const lambda = 10 ** -le;
    const { setup, problem } = saddleSetup(p, seed, lambda);
    const { rec, dyn } = observeStaircase(problem, setup.p0, lambda, tauEnd, truth.initialLoss);
    flattenRecord(le, rec, o);
    if (instance === undefined) instance = toInstance(problem, setup.p0, dyn, { initScale: lambda, label: `saddle-to-saddle seed ${seed} lambda 1e-${le}` });
    signChanges += rec.signChanges;
  }
  o.signChanges = signChanges;
  o.why = exps.map((le) => `1e-${le}: ${String(o[`simWhy_${le}`])}, ${(o[`drops_${le}`] as number[]).length / 5} drops`).join('; ');
  return { observation: o, instance };
}
