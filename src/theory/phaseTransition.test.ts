import { describe, expect, it } from 'vitest';
import {
  groupConstants,
  lossClosed,
  qClosed,
  qRhs,
  relativeWidth,
  timeToFraction,
  transitionTime,
  WIDTH_LEVELS,
  type GroupSpec,
} from './phaseTransition.ts';
import { dopri5 } from '../core/integrators/dopri5.ts';
import { simulate } from '../core/dynamics.ts';
import { DBP25_MODEL } from '../core/dbp25.ts';
import type { Params, Problem } from '../core/types.ts';

/** Direct integration at rtol 1e-12: its global error on q is ~1e-10 relative, far below this. */
const ODE_MATCH_REL = 1e-8;
/** Inversion t(x) -> q(t) in float64: logs and square roots of O(1e3) numbers, ~1e-13 each. */
const INVERSE_REL = 1e-9;
/** Full network at rtol 1e-11 and atol 1e-14 against the closed form: global error ~1e-9 of L(0). */
const NETWORK_MATCH_REL = 1e-7;

const groups: Record<string, GroupSpec> = {
  'a-dominated (the authors\' init)': { y2: 40, r: 1, delta: 2.1, q0: 0.008 },
  'balanced': { y2: 25, r: 1, delta: 0, q0: 0.01 },
  'w-dominated, r != 1': { y2: 12, r: 1.7, delta: -0.5, q0: 0.05 },
};
const N = 48;
const P = 7;

/** The scalar ODE integrated directly (dopri5 at rtol 1e-12): the accepted step ends and their q. */
function integrateSteps(g: GroupSpec, tEnd: number): { ts: number[]; qs: number[] } {
  const ts: number[] = [];
  const qs: number[] = [];
  dopri5({ dim: 1, deriv: (out, _t, y) => { out[0] = qRhs(y[0], N, P, g); } }, 0, Float64Array.of(g.q0), tEnd, {
    rtol: 1e-12,
    atol: 1e-15,
    onStep(step) {
      ts.push(step.t1);
      qs.push(step.y1[0]);
      return false;
    },
  });
  return { ts, qs };
}

function integrateQ(g: GroupSpec, tEnd: number): (t: number) => number {
  const { ts, qs } = integrateSteps(g, tEnd);
  return (t: number) => qs[ts.findIndex((s) => s >= t)];
}

describe('closed form of one aligned neuron per group', () => {
  for (const [name, g] of Object.entries(groups)) {
    it(`matches a direct integration of q' = (kappa/(n p)) sqrt(delta^2 + 4 q^2)(1 - q/qs) (${name})`, () => {
      const tEnd = 3 * transitionTime(N, P, g);
      const { ts, qs } = integrateSteps(g, tEnd);
      let worst = 0;
      for (let k = 0; k < ts.length; k++) worst = Math.max(worst, Math.abs(qs[k] - qClosed(ts[k], N, P, g)) / qs[k]);
      expect(ts.length).toBeGreaterThan(20);
      expect(worst).toBeLessThan(ODE_MATCH_REL);
      expect(qClosed(0, N, P, g)).toBeCloseTo(g.q0, 12);
    });

    it(`timeToFraction inverts q(t) (${name})`, () => {
      const c = groupConstants(N, P, g);
      for (const x of [0.01, 0.1, 0.5, 0.9, 0.99]) {
        const t = timeToFraction(x, N, P, g);
        expect(Math.abs(qClosed(t, N, P, g) / c.qStar - x) / x).toBeLessThan(INVERSE_REL);
      }
    });
  }

  it('the integrated ODE and the closed form give the same transition time', () => {
    const g = groups['a-dominated (the authors\' init)'];
    const tk = transitionTime(N, P, g);
    const q = integrateQ(g, 2 * tk);
    expect(Math.abs(q(tk) / groupConstants(N, P, g).qStar - 0.5)).toBeLessThan(0.01);
  });

  it('t_k -> (n p/(2 kappa)) log(4 qs/delta) and the relative width -> 3.69/log(4 qs/delta) as q0 -> 0, beta -> 0', () => {
    const logit = (x: number) => Math.log(x / (1 - x));
    const w0 = logit(1 - Math.sqrt(WIDTH_LEVELS[1])) - logit(1 - Math.sqrt(WIDTH_LEVELS[0]));
    for (const y2 of [1e4, 1e6, 1e8]) {
      const g: GroupSpec = { y2, r: 1, delta: 1, q0: 1e-6 };
      const c = groupConstants(N, P, g);
      const lead = Math.log((4 * c.qStar) / g.delta);
      // corrections O(beta + q0/delta) in the log: beta <= 1/(2 P 100) here
      expect(Math.abs((transitionTime(N, P, g) * c.rate) / lead - 1)).toBeLessThan(0.01 / lead + 2 * c.beta);
      expect(Math.abs(relativeWidth(N, P, g) * lead - w0)).toBeLessThan(0.01 + 10 * c.beta);
    }
    expect(w0).toBeCloseTo(3.689, 2);
  });

  it('rejects an init beyond the fixed point', () => {
    expect(() => qClosed(1, N, P, { y2: 1, r: 1, delta: 1, q0: 100 })).toThrow(/q0/);
  });
});

describe('closed form against flowcheck\'s gradient flow on the full network', () => {
  it('two aligned neurons (one per label sign) plus two dead ones: sup |L_sim - L_closed| / L(0) ~ integrator error', () => {
    // x_i = r_k e_i (r_+ = 1, r_- = 1.5), 5 positive and 3 negative labels; d = n = 8
    const y = [1.2, 1.9, 1.4, 1.1, 1.7, -1.3, -1.8, -1.05];
    const r = [1, 1, 1, 1, 1, 1.5, 1.5, 1.5];
    const n = y.length;
    const d = n;
    const m = 4;
    const X = new Float64Array(n * d);
    for (let i = 0; i < n; i++) X[i * d + i] = r[i];
    const W = new Float64Array(m * d);
    const a = Float64Array.of(1.3, -0.9, 0.7, -1.1);
    const rho = [0.02, 0.01];
    const spec: GroupSpec[] = [];
    for (const [k, sgn] of [[0, 1], [1, -1]] as const) {
      let y2 = 0;
      for (let i = 0; i < n; i++) if (Math.sign(y[i]) === sgn) y2 += y[i] * y[i];
      // w = rho s D/||D||, D = sum y_i x_i: coordinate i is rho |y_i| / Y
      for (let i = 0; i < n; i++) if (Math.sign(y[i]) === sgn) W[k * d + i] = (rho[k] * Math.abs(y[i])) / Math.sqrt(y2);
      spec.push({ y2, r: sgn > 0 ? 1 : 1.5, delta: a[k] * a[k] - rho[k] * rho[k], q0: Math.abs(a[k]) * rho[k] });
    }
    // dead neurons: negative on every input, never active
    for (let j = 2; j < m; j++) for (let c = 0; c < d; c++) W[j * d + c] = -0.01;
    const p0: Params = { m, d, W, a, b: null };
    const problem: Problem = { data: { n, d, X, y: Float64Array.from(y) }, model: DBP25_MODEL, loss: 'square', weightDecay: 0 };
    const tEnd = 2.5 * Math.max(transitionTime(n, m, spec[0]), transitionTime(n, m, spec[1]));
    const tr = simulate(problem, p0, { kind: 'flow', tEnd, rtol: 1e-11, atol: 1e-14 }, { record: { maxPoints: 1e6 } });
    expect(tr.diverged).toBe(false);
    const L0 = lossClosed(0, n, m, spec);
    expect(Math.abs(tr.initialLoss - L0) / L0).toBeLessThan(1e-14 * n);
    let worst = 0;
    for (let k = 0; k < tr.t.length; k++) worst = Math.max(worst, Math.abs(tr.loss[k] - lossClosed(tr.t[k], n, m, spec)) / L0);
    expect(worst).toBeLessThan(NETWORK_MATCH_REL);
    // the run covers both transitions: the loss falls below 1% of L(0)
    expect(tr.finalLoss / L0).toBeLessThan(0.01);
  });
});
