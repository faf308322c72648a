/**
 * Training dynamics: gradient flow (adaptive Dormand-Prince 5(4) with dense output) and gradient
 * descent (explicit Euler on the same vector field), on the reduced or the full form.
 *
 * A diverging run (NaN/Inf, loss exploding, step size underflow, step budget) stops and is
 * reported in the trajectory (`diverged`, `divergeReason`); nothing is thrown past the caller.
 *
 * Tolerances (see TOLERANCES below): kinks of ReLU make the vector field non-smooth, and the
 * coordinates of points a neuron has dropped sit at (or just below) zero for the rest of the
 * run. An absolute tolerance far below the init scale makes the integrator crawl there, while
 * everything the claims measure (loss levels, growth exponents, norms) is relative to the
 * init scale or larger. So atol is tied to the init scale: atol = 1e-3 x (the init scale of each
 * parameter block at t = 0, see defaultAtol), and rtol = 1e-6 controls the growing
 * coordinates. dynamics.test.ts checks that these
 * defaults agree with a run at 1000x tighter tolerances on loss curves and final parameters.
 */
import type { DynamicsConfig, EngineKind, Params, Problem, RecordOptions, Trajectory, DivergeReason } from './types.ts';
import { makeSystem, type GradientSystem } from './system.ts';
import { dopri5, type AcceptedStep } from './integrators/dopri5.ts';

/** Bisection steps locating a loss-level crossing inside one step (2^-40 of the step). */
const CROSSING_BISECTIONS = 40;

/**
 * First time in (t0, t1] of an accepted step where the loss (on the dense output) falls below
 * level, given that it is below at t1; the state there is written into yBuf.
 */
function locateLossCrossing(sys: GradientSystem, step: AcceptedStep, level: number, yBuf: Float64Array): { t: number; y: Float64Array } {
  let lo = step.t0;
  let hi = step.t1;
  for (let k = 0; k < CROSSING_BISECTIONS; k++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    step.interpolate(yBuf, mid);
    if (sys.loss(yBuf) < level) hi = mid;
    else lo = mid;
  }
  step.interpolate(yBuf, hi);
  return { t: hi, y: yBuf.slice() };
}
import { checkInt, checkPositive, InputError } from './errors.ts';

export const TOLERANCES = {
  /** Default relative tolerance of gradient flow. */
  rtol: 1e-6,
  /** Default absolute tolerance as a fraction of each parameter block's init scale (see defaultAtol). */
  atolPerInitNorm: 1e-3,
  /** Loss above this multiple of max(initial loss, 1) counts as divergence. */
  lossExplodeFactor: 1e8,
  /** Default cap on accepted flow steps. */
  maxFlowSteps: 2_000_000,
  /** Default number of recorded points kept per series. */
  maxPoints: 2000,
} as const;

export interface SimulateOptions {
  engine?: EngineKind;
  record?: RecordOptions;
  /** 'auto' (default): WebAssembly kernels where they load; 'js': the JavaScript loops (same numbers). */
  kernels?: 'auto' | 'js';
}

/**
 * Default absolute tolerance per state component: atolPerInitNorm times the init scale of the
 * block the component belongs to (first layer: rms neuron norm ||w_j(0)||; second layer:
 * rms |a_j(0)|; reduced coordinates C_ji move w_j by C_ji x_i, so their scale is the first
 * layer's divided by the rms data norm). Blocks matter when the layers start at different
 * scales (the DBP25 init has |a_j| ~ 1 while ||w_j|| ~ lambda).
 */
export function defaultAtol(sys: GradientSystem, p0: Params, X: Float64Array, n: number): Float64Array {
  const { m, d } = p0;
  const f = TOLERANCES.atolPerInitNorm;
  let w2 = 0;
  for (let k = 0; k < p0.W.length; k++) w2 += p0.W[k] * p0.W[k];
  let a2 = 0;
  for (let j = 0; j < m; j++) a2 += p0.a[j] * p0.a[j];
  let x2 = 0;
  for (let k = 0; k < X.length; k++) x2 += X[k] * X[k];
  const tiny = Number.MIN_VALUE;
  const wScale = Math.max(Math.sqrt(w2 / m), tiny);
  const aScale = Math.max(Math.sqrt(a2 / m), tiny);
  const xScale = Math.max(Math.sqrt(x2 / n), tiny);
  const atol = new Float64Array(sys.dim);
  const firstBlock = sys.kind === 'full' ? m * d : m * n;
  const firstScale = sys.kind === 'full' ? wScale : wScale / xScale;
  atol.fill(f * firstScale, 0, firstBlock);
  atol.fill(f * aScale, sys.aOffset, sys.aOffset + m);
  // biases (and the reduced form's scalar sw) take the first layer's scale
  atol.fill(f * wScale, sys.aOffset + m);
  if (sys.kind === 'reduced') atol[sys.dim - 1] = f;
  return atol;
}

function validate(problem: Problem, p0: Params, dyn: DynamicsConfig): void {
  const fn = 'simulate';
  const { n, d } = problem.data;
  checkInt(fn, 'data.n', n, 1);
  checkInt(fn, 'data.d', d, 1);
  checkInt(fn, 'params.m', p0.m, 1);
  if (p0.d !== d) throw new InputError(fn, 'params.d', p0.d, `d = ${d} (columns of X)`);
  if (p0.W.length !== p0.m * d) throw new InputError(fn, 'params.W', p0.W, `length m*d = ${p0.m * d}`);
  if (p0.a.length !== p0.m) throw new InputError(fn, 'params.a', p0.a, `length m = ${p0.m}`);
  if ((p0.b !== null) !== problem.model.bias) throw new InputError(fn, 'params.b', p0.b, problem.model.bias ? 'biases (model.bias is true)' : 'null (model.bias is false)');
  checkPositive(fn, 'weightDecay', problem.weightDecay, true);
  if (dyn.kind === 'flow') {
    checkPositive(fn, 'dynamics.tEnd', dyn.tEnd);
    if (dyn.rtol !== undefined) checkPositive(fn, 'dynamics.rtol', dyn.rtol);
    if (dyn.atol !== undefined) checkPositive(fn, 'dynamics.atol', dyn.atol);
  } else if (dyn.kind === 'gd') {
    checkPositive(fn, 'dynamics.eta', dyn.eta);
    checkInt(fn, 'dynamics.steps', dyn.steps, 0);
  } else {
    throw new InputError(fn, 'dynamics.kind', (dyn as { kind: unknown }).kind, "'flow' or 'gd'");
  }
}

class Recorder {
  readonly t: number[] = [];
  readonly loss: number[] = [];
  readonly norms: number[][] | null;
  readonly aHist: number[][] | null;
  readonly snapshots: { t: number; params: Params }[] = [];
  private readonly normBuf: Float64Array;
  private snapIdx = 0;
  private readonly snapTimes: number[];
  private readonly snapBuf: Float64Array;

  constructor(private readonly sys: GradientSystem, private readonly opts: RecordOptions) {
    this.norms = opts.neuronNorms ? [] : null;
    this.aHist = opts.neuronNorms ? [] : null;
    this.normBuf = new Float64Array(sys.m);
    this.snapTimes = (opts.snapshotTimes ?? []).slice().sort((x, y) => x - y);
    this.snapBuf = new Float64Array(sys.dim);
  }

  point(t: number, loss: number, y: Float64Array): void {
    if (this.opts.lossCurve === false && this.norms === null) return;
    this.t.push(t);
    this.loss.push(loss);
    if (this.norms !== null && this.aHist !== null) {
      this.sys.neuronNormsSq(this.normBuf, y);
      this.norms.push(Array.from(this.normBuf));
      this.aHist.push(Array.from(y.subarray(this.sys.aOffset, this.sys.aOffset + this.sys.m)));
    }
  }

  /** Snapshots with time <= t, taken from state y exactly at t. */
  snapshotsAt(t: number, y: Float64Array): void {
    while (this.snapIdx < this.snapTimes.length && this.snapTimes[this.snapIdx] <= t) {
      this.snapshots.push({ t: this.snapTimes[this.snapIdx], params: this.sys.toParams(y) });
      this.snapIdx++;
    }
  }

  /** Snapshots strictly inside an accepted flow step, from its dense output. */
  snapshotsInStep(step: AcceptedStep): void {
    while (this.snapIdx < this.snapTimes.length && this.snapTimes[this.snapIdx] <= step.t1) {
      const ts = this.snapTimes[this.snapIdx];
      step.interpolate(this.snapBuf, Math.max(ts, step.t0));
      this.snapshots.push({ t: ts, params: this.sys.toParams(this.snapBuf) });
      this.snapIdx++;
    }
  }

  thinned(maxPoints: number): { t: number[]; loss: number[]; norms?: number[][]; aHist?: number[][] } {
    const len = this.t.length;
    if (len <= maxPoints) {
      return { t: this.t, loss: this.loss, norms: this.norms ?? undefined, aHist: this.aHist ?? undefined };
    }
    const keep: number[] = [];
    const stride = (len - 1) / (maxPoints - 1);
    for (let k = 0; k < maxPoints; k++) keep.push(Math.round(k * stride));
    const pick = <T>(arr: T[]): T[] => keep.map((i) => arr[i]);
    return {
      t: pick(this.t),
      loss: pick(this.loss),
      norms: this.norms ? pick(this.norms) : undefined,
      aHist: this.aHist ? pick(this.aHist) : undefined,
    };
  }
}

/**
 * Run gradient flow or gradient descent from p0 on problem.
 * @returns the trajectory: recorded loss (and optionally neuron norms), snapshots, final params,
 *          counts, and divergence status.
 */
export function simulate(problem: Problem, p0: Params, dyn: DynamicsConfig, opts: SimulateOptions = {}): Trajectory {
  validate(problem, p0, dyn);
  const sys = makeSystem(problem, p0, opts.engine ?? 'auto', { kernels: opts.kernels ?? 'auto' });
  const record = opts.record ?? {};
  const rec = new Recorder(sys, record);
  // Gradient descent works in the system's own buffers (kernel memory: no copies per step);
  // the flow integrator keeps its own stage arrays.
  const gdBuffers = dyn.kind === 'gd' ? sys.buffers() : null;
  const y = gdBuffers !== null ? gdBuffers.y : sys.y0.slice();
  if (gdBuffers !== null) y.set(sys.y0);
  const initialLoss = sys.loss(y);
  const explode = TOLERANCES.lossExplodeFactor * Math.max(initialLoss, 1);
  rec.point(0, initialLoss, y);
  rec.snapshotsAt(0, y);

  let diverged = false;
  let divergeReason: DivergeReason | undefined;
  let stoppedAtLoss = false;
  let steps = 0;
  let nfev = 0;
  let rejected = 0;
  let tReached = 0;
  let finalY: Float64Array = y;
  let finalLoss = initialLoss;

  if (!Number.isFinite(initialLoss)) {
    diverged = true;
    divergeReason = Number.isNaN(initialLoss) ? 'nan' : 'inf';
  } else if (dyn.kind === 'gd') {
    const g = (gdBuffers as { out: Float64Array }).out;
    const eta = dyn.eta;
    const stride = Math.max(1, Math.ceil(dyn.steps / (record.maxPoints ?? TOLERANCES.maxPoints)));
    // Stopping at a loss level costs one comparison per step: the loss of the current point
    // comes with its gradient (the level is tested before each step, as the flow tests it at
    // the end of each accepted step).
    const stopLoss = dyn.stopLoss ?? -Infinity;
    let loss = initialLoss;
    // the gradient at the current point also yields its loss: one evaluation per step
    if (dyn.steps > 0) sys.deriv(g, 0, y);
    for (let k = 0; k < dyn.steps; k++) {
      if (loss < stopLoss) {
        stoppedAtLoss = true;
        break;
      }
      nfev++;
      const finite = sys.axpy(y, eta, g);
      steps++;
      if (k + 1 < dyn.steps) {
        sys.deriv(g, (k + 1) * eta, y);
        loss = sys.lastLoss;
      } else loss = sys.loss(y);
      if (!Number.isFinite(loss) || !finite) {
        diverged = true;
        divergeReason = Number.isNaN(loss) ? 'nan' : 'inf';
        break;
      }
      if (loss > explode) {
        diverged = true;
        divergeReason = 'loss-exploded';
        break;
      }
      rec.snapshotsAt(steps, y);
      if (steps % stride === 0 || k === dyn.steps - 1) rec.point(steps * eta, loss, y);
    }
    if (dyn.stopLoss !== undefined && loss < dyn.stopLoss) stoppedAtLoss = true;
    tReached = steps * eta;
    finalLoss = loss;
    finalY = y;
    if (!diverged && rec.t[rec.t.length - 1] !== tReached) rec.point(tReached, loss, y);
  } else {
    const atolDefault = defaultAtol(sys, p0, problem.data.X, problem.data.n);
    let exploded = false;
    // Stopping at a loss level is located here rather than as an integrator event: the loss at
    // the end of each accepted step is free (the last Dormand-Prince stage is evaluated there and
    // the system keeps its loss), so only steps that cross the level pay for a root search.
    const stopLoss = dyn.stopLoss;
    let crossed: { t: number; y: Float64Array } | null = null;
    const yBuf = new Float64Array(sys.dim);
    const res = dopri5(sys, 0, y, dyn.tEnd, {
      rtol: dyn.rtol ?? TOLERANCES.rtol,
      atol: dyn.atol ?? atolDefault,
      maxSteps: dyn.maxSteps ?? TOLERANCES.maxFlowSteps,
      onStep(step) {
        rec.snapshotsInStep(step);
        const l = sys.lastLoss;
        if (l > explode) {
          exploded = true;
          return true;
        }
        if (stopLoss !== undefined && l < stopLoss) {
          crossed = locateLossCrossing(sys, step, stopLoss, yBuf);
          rec.point(crossed.t, sys.loss(crossed.y), crossed.y);
          return true;
        }
        rec.point(step.t1, l, step.y1);
        return false;
      },
    });
    steps = res.steps;
    nfev = res.nfev;
    rejected = res.rejected;
    const cr = crossed as { t: number; y: Float64Array } | null;
    tReached = cr !== null ? cr.t : res.t;
    finalY = cr !== null ? cr.y : res.y;
    finalLoss = sys.loss(finalY);
    if (exploded) {
      diverged = true;
      divergeReason = 'loss-exploded';
    } else if (res.status === 'nonfinite' || !Number.isFinite(finalLoss)) {
      diverged = true;
      divergeReason = Number.isNaN(finalLoss) ? 'nan' : 'inf';
    } else if (res.status === 'step-underflow') {
      diverged = true;
      divergeReason = 'step-size-underflow';
    } else if (res.status === 'max-steps') {
      diverged = true;
      divergeReason = 'max-steps';
    } else if (cr !== null) {
      stoppedAtLoss = true;
    }
  }

  const th = rec.thinned(record.maxPoints ?? TOLERANCES.maxPoints);
  const final = sys.toParams(finalY);
  sys.release();
  return {
    t: th.t,
    loss: th.loss,
    neuronNormSq: th.norms,
    aHist: th.aHist,
    snapshots: rec.snapshots,
    initialLoss,
    finalLoss,
    final,
    tEnd: tReached,
    steps,
    nfev,
    rejected,
    diverged,
    divergeReason,
    stoppedAtLoss,
    engine: sys.kind,
  };
}
