/**
 * Gradient-flow vector fields theta' = -grad (L + (c/2)||theta||^2), in two exact forms.
 *
 * Full form: state [W (m*d) | a (m) | b (m, if bias)].
 *
 * Reduced form: every gradient of w_j is a combination of the data points, so
 * W(t) = sw(t) W0 + C(t) X with C [m x n] and a scalar sw (sw = 1 without weight decay,
 * sw' = -c sw with it). State [C (m*n) | a (m) | b (m, if bias) | sw (1)]. With
 * P0 = W0 X^T [m x n] and K = X X^T [n x n], the pre-activations are Z = sw P0 + C K + b and
 * C' = -G - c C, where G = dL/dZ. The cost per evaluation is O(m n^2) (O(m n) when K is
 * diagonal, i.e. orthogonal data), independent of d.
 *
 * Gradient descent with step eta is the explicit Euler method on the same vector field, so both
 * dynamics use these systems.
 *
 * Kernels: each form has a JavaScript implementation (the loops below, the reference) and one on
 * the WebAssembly SIMD kernels of ./kernels (register-tiled products, branch-free activations,
 * inactive units skipped in G X). Both compute the same numbers bit for bit (every sum in the same
 * order; system.test.ts and kernels/kernels.test.ts check it), so the choice changes speed only.
 * The WebAssembly one is the default wherever it loads; `{ kernels: 'js' }` or
 * FLOWCHECK_KERNELS=js selects the JavaScript loops.
 */
import type { LossKind, ModelConfig, Params, Problem } from './types.ts';
import { lossGradFromZ, makeKernelWorkspace, negativeSlope, outputScaleValue, preActivations, gradWFromG, sampleLoss, sampleLossDeriv, type KernelWorkspace } from './model.ts';
import { makeArena } from './kernels/wasm.ts';

/** Options of the system builders. */
export interface SystemOptions {
  /** 'auto' (default): the WebAssembly kernels where they load, else JavaScript; 'js': JavaScript. */
  kernels?: 'auto' | 'js';
}

export interface GradientSystem {
  readonly kind: 'reduced' | 'full';
  readonly dim: number;
  readonly m: number;
  readonly n: number;
  readonly d: number;
  /** Initial state. */
  readonly y0: Float64Array;
  /** out = -grad of the regularised objective at state y. Also sets lastLoss (data loss at y). */
  deriv(out: Float64Array, t: number, y: Float64Array): void;
  /** Data loss at y (no weight decay). */
  loss(y: Float64Array): number;
  /** Data loss computed by the most recent deriv call. */
  lastLoss: number;
  /** out[j] = ||w_j||^2 (+ b_j^2 when the model has biases). */
  neuronNormsSq(out: Float64Array, y: Float64Array): void;
  /** Offset of a inside the state. */
  readonly aOffset: number;
  /** Network parameters at state y (allocates). */
  toParams(y: Float64Array): Params;
  /** Which implementation evaluates the system (same numbers either way). */
  readonly kernels: 'wasm' | 'js';
  /**
   * A state buffer y (set to y0 on the first call) and a derivative buffer for repeated
   * evaluations: with the WebAssembly kernels they live in kernel memory, so deriv(out, t, y) on
   * them copies nothing. The same two arrays on every call; valid until release().
   */
  buffers(): { y: Float64Array; out: Float64Array };
  /** y += eta * g in place (one gradient-descent step); false when an entry of y is not finite. */
  axpy(y: Float64Array, eta: number, g: Float64Array): boolean;
  /** Gives the system's kernel memory back (idempotent); the system must not be used afterwards. */
  release(): void;
}

/** JavaScript y += eta g with the finiteness check of the update. */
function axpyJs(y: Float64Array, eta: number, g: Float64Array): boolean {
  let ok = true;
  for (let q = 0; q < y.length; q++) {
    const v = y[q] + eta * g[q];
    y[q] = v;
    if (v - v !== 0) ok = false; // v - v is NaN exactly when v is NaN or infinite
  }
  return ok;
}

/** Plain-array buffers() of the JavaScript implementation. */
function jsBuffers(y0: Float64Array): () => { y: Float64Array; out: Float64Array } {
  let b: { y: Float64Array; out: Float64Array } | null = null;
  return () => (b ??= { y: y0.slice(), out: new Float64Array(y0.length) });
}

/**
 * Loss and r_i = dl/df_i / n from the outputs f (the per-sample part of lossGradFromZ, with the
 * square loss written out: the same operations as sampleLoss / sampleLossDeriv).
 */
function lossFromOutputs(r: Float64Array, f: Float64Array, yLab: Float64Array, n: number, kind: LossKind): number {
  let total = 0;
  const invN = 1 / n;
  if (kind === 'square') {
    for (let i = 0; i < n; i++) {
      const e = f[i] - yLab[i];
      total += 0.5 * e * e;
      r[i] = e * invN;
    }
  } else {
    for (let i = 0; i < n; i++) {
      total += sampleLoss(kind, f[i], yLab[i]);
      r[i] = sampleLossDeriv(kind, f[i], yLab[i]) * invN;
    }
  }
  return total * invN;
}

/** The transpose [d x n] of X [n x d]. */
function transpose(out: Float64Array, X: Float64Array, n: number, d: number): void {
  for (let i = 0; i < n; i++) for (let q = 0; q < d; q++) out[q * n + i] = X[i * d + q];
}

interface Common {
  model: ModelConfig;
  loss: LossKind;
  c: number;
  s: number;
  slope: number;
  trainA: boolean;
  y: Float64Array;
  ws: KernelWorkspace;
}

function common(problem: Problem, m: number): Common {
  return {
    model: problem.model,
    loss: problem.loss,
    c: problem.weightDecay,
    s: outputScaleValue(problem.model, m),
    slope: negativeSlope(problem.model),
    trainA: problem.model.train === 'both',
    y: problem.data.y,
    ws: makeKernelWorkspace(problem.data.n),
  };
}

/** out[b_j] = -(sum_i G_ji) - c b_j: the bias part of the vector field (both forms). */
function biasDeriv(out: Float64Array, G: Float64Array, y: Float64Array, bOffset: number, m: number, n: number, c: number): void {
  for (let j = 0; j < m; j++) {
    let acc = 0;
    const off = j * n;
    for (let i = 0; i < n; i++) acc += G[off + i];
    out[bOffset + j] = -acc - c * y[bOffset + j];
  }
}

/** The full d-dimensional form. */
export function fullSystem(problem: Problem, p0: Params, opts: SystemOptions = {}): GradientSystem {
  if (opts.kernels !== 'js') {
    const w = fullSystemWasm(problem, p0);
    if (w !== null) return w;
  }
  const { m, d } = p0;
  const { n, X } = problem.data;
  const hasB = p0.b !== null;
  const cm = common(problem, m);
  const aOffset = m * d;
  const bOffset = aOffset + m;
  const dim = bOffset + (hasB ? m : 0);
  const y0 = new Float64Array(dim);
  y0.set(p0.W, 0);
  y0.set(p0.a, aOffset);
  if (hasB) y0.set(p0.b as Float64Array, bOffset);
  const Z = new Float64Array(m * n);
  const G = new Float64Array(m * n);
  const gA = new Float64Array(m);
  const gW = new Float64Array(m * d);

  function pre(y: Float64Array): void {
    const W = y.subarray(0, aOffset);
    const b = hasB ? y.subarray(bOffset, bOffset + m) : null;
    preActivations(Z, W, b, X, m, n, d);
  }

  const sys: GradientSystem = {
    kind: 'full',
    kernels: 'js',
    dim,
    m,
    n,
    d,
    y0,
    aOffset,
    lastLoss: NaN,
    buffers: jsBuffers(y0),
    axpy: axpyJs,
    release() {},
    deriv(out, _t, y) {
      pre(y);
      const a = y.subarray(aOffset, aOffset + m);
      sys.lastLoss = lossGradFromZ(G, gA, cm.ws, Z, a, cm.y, m, n, cm.s, cm.slope, cm.loss);
      gradWFromG(gW, G, X, m, n, d);
      const c = cm.c;
      for (let k = 0; k < aOffset; k++) out[k] = -gW[k] - c * y[k];
      for (let j = 0; j < m; j++) out[aOffset + j] = cm.trainA ? -gA[j] - c * y[aOffset + j] : 0;
      if (hasB) biasDeriv(out, G, y, bOffset, m, n, c);
    },
    loss(y) {
      pre(y);
      return lossGradFromZ(null, null, cm.ws, Z, y.subarray(aOffset, aOffset + m), cm.y, m, n, cm.s, cm.slope, cm.loss);
    },
    neuronNormsSq(out, y) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        const off = j * d;
        for (let k = 0; k < d; k++) acc += y[off + k] * y[off + k];
        if (hasB) acc += y[bOffset + j] * y[bOffset + j];
        out[j] = acc;
      }
    },
    toParams(y) {
      return {
        m,
        d,
        W: y.slice(0, aOffset),
        a: y.slice(aOffset, aOffset + m),
        b: hasB ? y.slice(bOffset, bOffset + m) : null,
      };
    },
  };
  return sys;
}

/** fullSystem on the WebAssembly kernels; null when they are off. */
function fullSystemWasm(problem: Problem, p0: Params): GradientSystem | null {
  const { m, d } = p0;
  const { n, X } = problem.data;
  const hasB = p0.b !== null;
  const cm = common(problem, m);
  const aOffset = m * d;
  const bOffset = aOffset + m;
  const dim = bOffset + (hasB ? m : 0);
  const maybeArena = makeArena({
    f64: { state: dim, yin: dim, out: dim, outTmp: dim, X: n * d, XT: d * n, Z: m * n, G: m * n, gA: m, gW: m * d, f: n, r: n },
    i32: { idx: n },
  });
  if (maybeArena === null) return null;
  const arena = maybeArena;
  const y0 = new Float64Array(dim);
  y0.set(p0.W, 0);
  y0.set(p0.a, aOffset);
  if (hasB) y0.set(p0.b as Float64Array, bOffset);
  {
    const v = arena.views().f64;
    v.X.set(X);
    transpose(v.XT, X, n, d);
    v.state.set(y0);
  }
  const k = arena.k;
  const pZ = arena.ptr('Z');
  const pG = arena.ptr('G');
  const pGA = arena.ptr('gA');
  const pGW = arena.ptr('gW');
  const pX = arena.ptr('X');
  const pXT = arena.ptr('XT');
  const pF = arena.ptr('f');
  const pR = arena.ptr('r');
  const pIdx = arena.ptr('idx');
  const { s, slope, c, trainA, loss: lossKind, y: yLab } = cm;

  const pState = arena.ptr('state');
  const pYin = arena.ptr('yin');
  const pOut = arena.ptr('out');
  const pOutTmp = arena.ptr('outTmp');
  const bOff = hasB ? bOffset : -1;

  /** Pre-activations and outputs at y (copied into kernel memory unless it is buffers().y); returns its pointer. */
  function forward(y: Float64Array): number {
    let base = pState;
    if (!arena.owns(y, 'state')) {
      arena.views().f64.yin.set(y);
      base = pYin;
    }
    k.full_fwd(pZ, pF, base, pXT, aOffset, bOff, s, slope, m, n, d);
    return base;
  }

  const sys: GradientSystem = {
    kind: 'full',
    kernels: 'wasm',
    dim,
    m,
    n,
    d,
    y0,
    aOffset,
    lastLoss: NaN,
    deriv(out, _t, y) {
      const base = forward(y);
      const v = arena.views().f64;
      sys.lastLoss = lossFromOutputs(v.r, v.f, yLab, n, lossKind);
      const direct = arena.owns(out, 'out');
      k.full_bwd(direct ? pOut : pOutTmp, pG, pGA, pGW, pIdx, pZ, base, pR, pX, aOffset, bOff, s, slope, c, trainA ? 1 : 0, m, n, d);
      if (!direct) out.set(v.outTmp);
    },
    loss(y) {
      forward(y);
      const v = arena.views().f64;
      return lossFromOutputs(v.r, v.f, yLab, n, lossKind);
    },
    neuronNormsSq(out, y) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        const off = j * d;
        for (let q = 0; q < d; q++) acc += y[off + q] * y[off + q];
        if (hasB) acc += y[bOffset + j] * y[bOffset + j];
        out[j] = acc;
      }
    },
    toParams(y) {
      return { m, d, W: y.slice(0, aOffset), a: y.slice(aOffset, aOffset + m), b: hasB ? y.slice(bOffset, bOffset + m) : null };
    },
    buffers() {
      const v = arena.views().f64;
      return { y: v.state, out: v.out };
    },
    axpy(y, eta, g) {
      if (arena.owns(y, 'state') && arena.owns(g, 'out')) return k.axpy_finite(pState, pOut, eta, dim) === 1;
      return axpyJs(y, eta, g);
    },
    release() {
      arena.release();
    },
  };
  return sys;
}

/** True when K is diagonal to round-off relative to its diagonal (orthogonal data). */
function isDiagonal(K: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      if (i === k) continue;
      // Entries below 1e-14 of the geometric mean of the diagonal are round-off of an orthogonal set.
      if (Math.abs(K[i * n + k]) > 1e-14 * Math.sqrt(K[i * n + i] * K[k * n + k])) return false;
    }
  }
  return true;
}

/** The reduced n-dimensional form (exact for every model and loss of the core, GD and flow). */
export function reducedSystem(problem: Problem, p0: Params, opts: SystemOptions = {}): GradientSystem {
  if (opts.kernels !== 'js') {
    const w = reducedSystemWasm(problem, p0);
    if (w !== null) return w;
  }
  const { m, d } = p0;
  const { n, X } = problem.data;
  const hasB = p0.b !== null;
  const cm = common(problem, m);
  // Gram matrix and initial projections, computed once.
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let acc = 0;
      for (let q = 0; q < d; q++) acc += X[i * d + q] * X[k * d + q];
      K[i * n + k] = acc;
      K[k * n + i] = acc;
    }
  }
  const diag = isDiagonal(K, n);
  const Kd = new Float64Array(n);
  for (let i = 0; i < n; i++) Kd[i] = K[i * n + i];
  const P0 = new Float64Array(m * n);
  preActivations(P0, p0.W, null, X, m, n, d);
  const w0NormSq = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let acc = 0;
    for (let q = 0; q < d; q++) acc += p0.W[j * d + q] * p0.W[j * d + q];
    w0NormSq[j] = acc;
  }
  const W0 = p0.W.slice();

  const cSize = m * n;
  const aOffset = cSize;
  const bOffset = aOffset + m;
  const swOffset = bOffset + (hasB ? m : 0);
  const dim = swOffset + 1;
  const y0 = new Float64Array(dim);
  y0.set(p0.a, aOffset);
  if (hasB) y0.set(p0.b as Float64Array, bOffset);
  y0[swOffset] = 1;
  const Z = new Float64Array(m * n);
  const G = new Float64Array(m * n);
  const gA = new Float64Array(m);

  function pre(y: Float64Array): void {
    const sw = y[swOffset];
    for (let j = 0; j < m; j++) {
      const off = j * n;
      const bj = hasB ? y[bOffset + j] : 0;
      if (diag) {
        for (let i = 0; i < n; i++) Z[off + i] = sw * P0[off + i] + y[off + i] * Kd[i] + bj;
      } else {
        for (let i = 0; i < n; i++) {
          let acc = 0;
          const kOff = i * n;
          for (let q = 0; q < n; q++) acc += y[off + q] * K[kOff + q];
          Z[off + i] = sw * P0[off + i] + acc + bj;
        }
      }
    }
  }

  const s = cm.s;
  const slope = cm.slope;
  const c = cm.c;
  const trainA = cm.trainA;
  const lossKind = cm.loss;
  const yLab = cm.y;
  const fBuf = cm.ws.f;
  const rBuf = cm.ws.r;
  /** Orthogonal data: fused kernel, two passes over [m x n], no temporaries. Returns the loss. */
  function derivDiag(out: Float64Array, y: Float64Array): number {
    const sw = y[swOffset];
    fBuf.fill(0);
    for (let j = 0; j < m; j++) {
      const off = j * n;
      const aj = s * y[aOffset + j];
      const bj = hasB ? y[bOffset + j] : 0;
      for (let i = 0; i < n; i++) {
        const z = sw * P0[off + i] + y[off + i] * Kd[i] + bj;
        Z[off + i] = z;
        fBuf[i] += aj * (z > 0 ? z : slope * z);
      }
    }
    let total = 0;
    const invN = 1 / n;
    for (let i = 0; i < n; i++) {
      total += sampleLoss(lossKind, fBuf[i], yLab[i]);
      rBuf[i] = sampleLossDeriv(lossKind, fBuf[i], yLab[i]) * invN;
    }
    for (let j = 0; j < m; j++) {
      const off = j * n;
      const saj = s * y[aOffset + j];
      let ga = 0;
      let gb = 0;
      for (let i = 0; i < n; i++) {
        const z = Z[off + i];
        const ri = rBuf[i];
        let g;
        if (z > 0) {
          ga += ri * z;
          g = saj * ri;
        } else {
          ga += ri * slope * z;
          g = saj * ri * slope;
        }
        gb += g;
        out[off + i] = -g - c * y[off + i];
      }
      out[aOffset + j] = trainA ? -s * ga - c * y[aOffset + j] : 0;
      if (hasB) out[bOffset + j] = -gb - c * y[bOffset + j];
    }
    out[swOffset] = -c * sw;
    return total * invN;
  }
  const sys: GradientSystem = {
    kind: 'reduced',
    kernels: 'js',
    dim,
    m,
    n,
    d,
    y0,
    aOffset,
    lastLoss: NaN,
    buffers: jsBuffers(y0),
    axpy: axpyJs,
    release() {},
    deriv(out, _t, y) {
      if (diag) {
        sys.lastLoss = derivDiag(out, y);
        return;
      }
      pre(y);
      const a = y.subarray(aOffset, aOffset + m);
      sys.lastLoss = lossGradFromZ(G, gA, cm.ws, Z, a, cm.y, m, n, cm.s, cm.slope, cm.loss);
      const c = cm.c;
      for (let k = 0; k < cSize; k++) out[k] = -G[k] - c * y[k];
      for (let j = 0; j < m; j++) out[aOffset + j] = cm.trainA ? -gA[j] - c * y[aOffset + j] : 0;
      if (hasB) biasDeriv(out, G, y, bOffset, m, n, c);
      out[swOffset] = -c * y[swOffset];
    },
    loss(y) {
      pre(y);
      return lossGradFromZ(null, null, cm.ws, Z, y.subarray(aOffset, aOffset + m), cm.y, m, n, cm.s, cm.slope, cm.loss);
    },
    neuronNormsSq(out, y) {
      const sw = y[swOffset];
      for (let j = 0; j < m; j++) {
        const off = j * n;
        let cross = 0;
        let quad = 0;
        if (diag) {
          for (let i = 0; i < n; i++) {
            const cji = y[off + i];
            cross += cji * P0[off + i];
            quad += cji * cji * Kd[i];
          }
        } else {
          for (let i = 0; i < n; i++) {
            const cji = y[off + i];
            if (cji === 0) continue;
            cross += cji * P0[off + i];
            let acc = 0;
            for (let q = 0; q < n; q++) acc += K[i * n + q] * y[off + q];
            quad += cji * acc;
          }
        }
        let v = sw * sw * w0NormSq[j] + 2 * sw * cross + quad;
        if (hasB) v += y[bOffset + j] * y[bOffset + j];
        out[j] = v;
      }
    },
    toParams(y) {
      const sw = y[swOffset];
      const W = new Float64Array(m * d);
      for (let k = 0; k < m * d; k++) W[k] = sw * W0[k];
      for (let j = 0; j < m; j++) {
        for (let i = 0; i < n; i++) {
          const cji = y[j * n + i];
          if (cji === 0) continue;
          for (let q = 0; q < d; q++) W[j * d + q] += cji * X[i * d + q];
        }
      }
      return { m, d, W, a: y.slice(aOffset, aOffset + m), b: hasB ? y.slice(bOffset, bOffset + m) : null };
    },
  };
  return sys;
}

/** reducedSystem on the WebAssembly kernels; null when they are off. */
function reducedSystemWasm(problem: Problem, p0: Params): GradientSystem | null {
  const { m, d } = p0;
  const { n, X } = problem.data;
  const hasB = p0.b !== null;
  const cm = common(problem, m);
  const cSize = m * n;
  const aOffset = cSize;
  const bOffset = aOffset + m;
  const swOffset = bOffset + (hasB ? m : 0);
  const dim = swOffset + 1;
  const maybeArena = makeArena({
    f64: {
      state: dim, yin: dim, out: dim, outTmp: dim, X: n * d, XT: d * n, K: n * n, Kd: n, P0: m * n, W0: m * d,
      Z: m * n, G: m * n, gA: m, f: n, r: n, lab: n, Wt: m * d, Ct: m * n,
    },
    i32: { idx: n },
  });
  if (maybeArena === null) return null;
  const arena = maybeArena;
  const k = arena.k;
  const p = (name: Parameters<typeof arena.ptr>[0]): number => arena.ptr(name);
  const pZ = p('Z');
  const pG = p('G');
  const pGA = p('gA');
  const pF = p('f');
  const pR = p('r');
  const pK = p('K');
  const pKd = p('Kd');
  const pP0 = p('P0');
  // Gram matrix K = X X^T and initial projections P0 = W0 X^T (+ 0, as preActivations), once.
  const w0NormSq = new Float64Array(m);
  let diag: boolean;
  {
    const v = arena.views().f64;
    v.X.set(X);
    transpose(v.XT, X, n, d);
    k.mm_nt(pK, p('X'), p('XT'), n, n, d);
    diag = isDiagonal(v.K, n);
    for (let i = 0; i < n; i++) v.Kd[i] = v.K[i * n + i];
    v.W0.set(p0.W);
    k.mm_nt(pP0, p('W0'), p('XT'), m, n, d);
    k.add_bias(pP0, 0, 0, 0, m, n);
    for (let j = 0; j < m; j++) {
      let acc = 0;
      for (let q = 0; q < d; q++) acc += p0.W[j * d + q] * p0.W[j * d + q];
      w0NormSq[j] = acc;
    }
  }
  const y0 = new Float64Array(dim);
  y0.set(p0.a, aOffset);
  if (hasB) y0.set(p0.b as Float64Array, bOffset);
  y0[swOffset] = 1;
  arena.views().f64.state.set(y0);
  const { s, slope, c, trainA, loss: lossKind, y: yLab } = cm;
  const bOff = hasB ? bOffset : -1;
  const square = lossKind === 'square';
  arena.views().f64.lab.set(yLab);
  const pLab = p('lab');
  const pOutDirect = p('out');
  const pOutTmp = p('outTmp');

  /** Pointer to the state y in kernel memory (copied there unless it is buffers().y). */
  const pState = p('state');
  const pYin = p('yin');
  function input(y: Float64Array): number {
    if (arena.owns(y, 'state')) return pState;
    arena.views().f64.yin.set(y);
    return pYin;
  }

  /** Non-orthogonal data: Z = sw P0 + C K + b and the outputs f. */
  function forwardGeneral(base: number): void {
    k.red_fwd(pZ, pF, base, pK, pP0, aOffset, bOff, swOffset, s, slope, m, n);
  }

  const sys: GradientSystem = {
    kind: 'reduced',
    kernels: 'wasm',
    dim,
    m,
    n,
    d,
    y0,
    aOffset,
    lastLoss: NaN,
    deriv(out, _t, y) {
      const base = input(y);
      const v = arena.views().f64;
      if (diag) {
        const direct = arena.owns(out, 'out');
        const pOut = direct ? pOutDirect : pOutTmp;
        if (square) {
          sys.lastLoss = k.ortho_square(pOut, pZ, pF, pR, pP0, pKd, base, pLab, aOffset, bOff, swOffset, s, slope, c, trainA ? 1 : 0, m, n);
        } else {
          k.ortho_fwd(pZ, pF, pP0, pKd, base, aOffset, bOff, swOffset, s, slope, m, n);
          sys.lastLoss = lossFromOutputs(v.r, v.f, yLab, n, lossKind);
          k.ortho_bwd(pOut, pZ, pR, base, aOffset, bOff, swOffset, s, slope, c, trainA ? 1 : 0, m, n);
        }
        if (!direct) out.set(v.outTmp);
        return;
      }
      forwardGeneral(base);
      sys.lastLoss = lossFromOutputs(v.r, v.f, yLab, n, lossKind);
      const direct = arena.owns(out, 'out');
      k.red_bwd(direct ? pOutDirect : pOutTmp, pG, pGA, pZ, base, pR, aOffset, bOff, swOffset, s, slope, c, trainA ? 1 : 0, m, n);
      if (!direct) out.set(v.outTmp);
    },
    loss(y) {
      const base = input(y);
      if (diag) k.ortho_fwd(pZ, pF, pP0, pKd, base, aOffset, bOff, swOffset, s, slope, m, n);
      else forwardGeneral(base);
      const v = arena.views().f64;
      return lossFromOutputs(v.r, v.f, yLab, n, lossKind);
    },
    neuronNormsSq(out, y) {
      const v = arena.views().f64;
      const P0 = v.P0;
      const K = v.K;
      const Kd = v.Kd;
      const sw = y[swOffset];
      for (let j = 0; j < m; j++) {
        const off = j * n;
        let cross = 0;
        let quad = 0;
        if (diag) {
          for (let i = 0; i < n; i++) {
            const cji = y[off + i];
            cross += cji * P0[off + i];
            quad += cji * cji * Kd[i];
          }
        } else {
          for (let i = 0; i < n; i++) {
            const cji = y[off + i];
            if (cji === 0) continue;
            cross += cji * P0[off + i];
            let acc = 0;
            for (let q = 0; q < n; q++) acc += K[i * n + q] * y[off + q];
            quad += cji * acc;
          }
        }
        let val = sw * sw * w0NormSq[j] + 2 * sw * cross + quad;
        if (hasB) val += y[bOffset + j] * y[bOffset + j];
        out[j] = val;
      }
    },
    toParams(y) {
      const v = arena.views().f64;
      const sw = y[swOffset];
      const Wt = v.Wt;
      const W0 = v.W0;
      for (let q = 0; q < m * d; q++) Wt[q] = sw * W0[q];
      v.Ct.set(y.subarray(0, cSize));
      k.mm_acc(p('Wt'), p('Ct'), p('X'), p('idx'), m, n, d);
      return { m, d, W: Wt.slice(), a: y.slice(aOffset, aOffset + m), b: hasB ? y.slice(bOffset, bOffset + m) : null };
    },
    buffers() {
      const v = arena.views().f64;
      return { y: v.state, out: v.out };
    },
    axpy(y, eta, g) {
      if (arena.owns(y, 'state') && arena.owns(g, 'out')) return k.axpy_finite(pState, pOutDirect, eta, dim) === 1;
      return axpyJs(y, eta, g);
    },
    release() {
      arena.release();
    },
  };
  return sys;
}

/**
 * 'auto' picks the reduced form when n <= d: it costs O(m n^2) per evaluation against O(m n d)
 * for the full form, and O(m n) when K is diagonal (orthogonal data, where n <= d always).
 */
export function makeSystem(problem: Problem, p0: Params, engine: 'reduced' | 'full' | 'auto' = 'auto', opts: SystemOptions = {}): GradientSystem {
  if (engine === 'full') return fullSystem(problem, p0, opts);
  if (engine === 'reduced') return reducedSystem(problem, p0, opts);
  return problem.data.n <= problem.data.d ? reducedSystem(problem, p0, opts) : fullSystem(problem, p0, opts);
}
