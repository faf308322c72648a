import { describe, expect, test } from 'vitest';
import { fullSystem, reducedSystem, type GradientSystem } from '../system.ts';
import { simulate } from '../dynamics.ts';
import { orthogonalData } from '../data.ts';
import { Rng } from '../rng.ts';
import type { Dataset, Params, Problem } from '../types.ts';
import { allCombos, gauss, label, modelOf, type Combo } from '../_internals/combos.test-helpers.ts';
import { kernelsEnabled, makeArena } from './wasm.ts';

/*
 * The WebAssembly kernels promise the JavaScript loops' numbers bit for bit (same order of every
 * sum, same products), so these tests compare with toEqual on the raw float64 values: no
 * tolerance. A kernel that summed in another order would differ in the last bits of some entry.
 */

type DataKind = 'general' | 'orthogonal';

/**
 * Sizes chosen to hit every tile edge of the kernels: n = 7 (4-column tiles + 3 left over,
 * 2-lane pairs + 1), m = 5 (4-row tiles + 1, neuron pairs + 1), d = 19 (16-column blocks + a pair
 * + 1).
 */
function makeProblem(c: Combo, kind: DataKind, seed: number, n = 7, d = 19, m = 5): { problem: Problem; p0: Params } {
  const rng = new Rng(seed);
  let data: Dataset;
  if (kind === 'orthogonal') {
    data = orthogonalData(rng, { n, d, normRange: [1, 2], labels: { kind: 'magnitude', range: [0.5, 1.5] } });
  } else {
    const X = gauss(rng, n * d, 1 / Math.sqrt(3));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = rng.sign() * rng.uniformIn(0.5, 1.5);
    data = { n, d, X, y };
  }
  const W = gauss(rng, m * d, 0.5 / Math.sqrt(d));
  const p0: Params = { m, d, W, a: gauss(rng, m, 0.5), b: c.bias ? gauss(rng, m, 0.1) : null };
  return { problem: { data, model: modelOf(c), loss: c.loss, weightDecay: c.weightDecay }, p0 };
}

/** A random state of sys, with some exact zeros (skipped terms) and some entries at a kink. */
function randomState(sys: GradientSystem, rng: Rng): Float64Array {
  const y = gauss(rng, sys.dim, 0.3);
  for (let q = 0; q < sys.dim; q += 5) y[q] = 0;
  if (sys.kind === 'reduced') y[sys.dim - 1] = rng.uniformIn(0.5, 1.5);
  return y;
}

function evaluate(sys: GradientSystem, y: Float64Array): { out: number[]; loss: number; lastLoss: number; norms: number[]; params: Params } {
  const out = new Float64Array(sys.dim);
  sys.deriv(out, 0, y);
  const lastLoss = sys.lastLoss;
  const norms = new Float64Array(sys.m);
  sys.neuronNormsSq(norms, y);
  return { out: Array.from(out), loss: sys.loss(y), lastLoss, norms: Array.from(norms), params: sys.toParams(y) };
}

describe.skipIf(!kernelsEnabled())('WebAssembly kernels equal the JavaScript loops bit for bit', () => {
  for (const kind of ['general', 'orthogonal'] as DataKind[]) {
    for (const form of ['full', 'reduced'] as const) {
      test.each(allCombos().map((c, k) => ({ c, seed: 7000 + k, name: label(c) })))(`${form} form, ${kind} data: $name`, ({ c, seed }) => {
        const { problem, p0 } = makeProblem(c, kind, seed);
        const build = form === 'full' ? fullSystem : reducedSystem;
        const w = build(problem, p0);
        const j = build(problem, p0, { kernels: 'js' });
        expect(w.kernels).toBe('wasm');
        expect(j.kernels).toBe('js');
        expect(Array.from(w.y0)).toEqual(Array.from(j.y0));
        const rng = new Rng(seed + 1);
        for (let rep = 0; rep < 3; rep++) {
          const y = randomState(w, rng);
          expect(evaluate(w, y)).toEqual(evaluate(j, y));
        }
        // through the system's own buffers (no copies) as gradient descent uses them
        const { y, out } = w.buffers();
        y.set(randomState(w, rng));
        const yCopy = y.slice();
        w.deriv(out, 0, y);
        const ref = new Float64Array(j.dim);
        j.deriv(ref, 0, yCopy);
        expect(Array.from(out)).toEqual(Array.from(ref));
        expect(w.axpy(y, 0.3, out)).toBe(true);
        expect(j.axpy(yCopy, 0.3, ref)).toBe(true);
        expect(Array.from(y)).toEqual(Array.from(yCopy));
        w.release();
      });
    }
  }

  // d = 700 runs the products in k-chunks (d > 256) and G X by the streaming loop (d > 512).
  test.each(allCombos().filter((_, k) => k % 5 === 0).map((c, k) => ({ c, seed: 9000 + k, name: label(c) })))('long rows, d = 700: $name', ({ c, seed }) => {
    for (const form of ['full', 'reduced'] as const) {
      const { problem, p0 } = makeProblem(c, 'general', seed, 7, 700, 5);
      const build = form === 'full' ? fullSystem : reducedSystem;
      const w = build(problem, p0);
      const j = build(problem, p0, { kernels: 'js' });
      const y = randomState(w, new Rng(seed + 2));
      expect(evaluate(w, y)).toEqual(evaluate(j, y));
      w.release();
    }
  });

  test.each(allCombos().filter((_, k) => k % 7 === 0).map((c, k) => ({ c, seed: 8000 + k, name: label(c) })))('gradient descent trajectories, 60 steps, $name', ({ c, seed }) => {
    for (const kind of ['general', 'orthogonal'] as DataKind[]) {
      const { problem, p0 } = makeProblem(c, kind, seed);
      const gd = { kind: 'gd' as const, eta: 0.2, steps: 60 };
      for (const engine of ['reduced', 'full'] as const) {
        const W = simulate(problem, p0, gd, { engine, record: { neuronNorms: true, snapshotTimes: [0, 30, 60] } });
        const sys = (engine === 'full' ? fullSystem : reducedSystem)(problem, p0, { kernels: 'js' });
        // the JavaScript reference run: the same Euler steps on the JavaScript system
        const y = sys.y0.slice();
        const g = new Float64Array(sys.dim);
        const losses = [sys.loss(y)];
        for (let k = 0; k < 60; k++) {
          sys.deriv(g, 0, y);
          for (let q = 0; q < y.length; q++) y[q] += 0.2 * g[q];
          losses.push(sys.loss(y));
        }
        expect(W.loss).toEqual(losses);
        const fin = sys.toParams(y);
        expect(Array.from(W.final.W)).toEqual(Array.from(fin.W));
        expect(Array.from(W.final.a)).toEqual(Array.from(fin.a));
      }
    }
  });

  test('a non-finite state is reported by axpy', () => {
    const c = allCombos()[0];
    const { problem, p0 } = makeProblem(c, 'general', 1);
    const sys = fullSystem(problem, p0);
    const { y, out } = sys.buffers();
    out.fill(0);
    out[3] = Infinity;
    expect(sys.axpy(y, 1, out)).toBe(false);
    out.fill(0);
    y.fill(0);
    expect(sys.axpy(y, 1, out)).toBe(true);
    y[0] = NaN;
    expect(sys.axpy(y, 1, out)).toBe(false);
    sys.release();
  });
});

describe.skipIf(!kernelsEnabled())('kernel memory', () => {
  test('released blocks are reused; growing the memory keeps contents and re-makes the views', () => {
    const a = makeArena({ f64: { x: 100 } });
    if (a === null) throw new Error('kernels enabled but no arena');
    const x = a.views().f64.x;
    for (let i = 0; i < 100; i++) x[i] = i + 0.5;
    const ptr = a.ptr('x');
    a.release();
    const b = makeArena({ f64: { x: 100 } });
    expect(b?.ptr('x')).toBe(ptr); // same size class: the freed block comes back
    // a block far larger than the memory forces it to grow
    const big = makeArena({ f64: { z: 4_000_000 } });
    const bx = b?.views().f64.x as Float64Array;
    expect(bx.length).toBe(100);
    expect(bx[7]).toBe(7.5); // the contents written through the old view survived the growth
    big?.views().f64.z.fill(1);
    big?.release();
    b?.release();
  });
});
