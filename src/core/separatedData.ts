/**
 * Unit-norm data with a prescribed minimum separation (the ZG19 data assumption: ||x_i|| = 1 and
 * ||x_i - x_k|| >= phi for i != k). The minimum is attained exactly: x_1 is uniform on the sphere
 * and x_2 is x_1 rotated by the angle 2 asin(phi / 2) towards a random orthogonal direction; the
 * other points are uniform on the sphere, redrawn until they are at distance >= phi from all
 * previous points (rejection sampling, capped). Labels +-1 at random (balanced when possible).
 * Stream order: the points (with their redraws), then the labels.
 */
import { Rng } from './rng.ts';
import { checkInt, checkFinite, InputError } from './errors.ts';
import { makeLabels } from './data.ts';
import type { Dataset } from './types.ts';

export const MAX_REDRAWS_PER_POINT = 100000;

export function separatedSphereData(rng: Rng, opts: { n: number; d: number; phi: number }): Dataset & { minSeparation: number } {
  const fn = 'separatedSphereData';
  const n = checkInt(fn, 'n', opts.n, 2);
  const d = checkInt(fn, 'd', opts.d, 2);
  const phi = checkFinite(fn, 'phi', opts.phi);
  if (!(phi > 0 && phi <= Math.SQRT2)) throw new InputError(fn, 'phi', phi, 'a separation in (0, sqrt 2]');
  const X = new Float64Array(n * d);
  const unit = (off: number): void => {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const g = rng.normal();
      X[off + c] = g;
      s += g * g;
    }
    const r = Math.sqrt(s);
    for (let c = 0; c < d; c++) X[off + c] /= r;
  };
  unit(0);
  // x_2 = cos(t) x_1 + sin(t) v, v a unit vector orthogonal to x_1, ||x_1 - x_2|| = 2 sin(t/2) = phi
  const t = 2 * Math.asin(phi / 2);
  const v = new Float64Array(d);
  let vn = 0;
  do {
    let proj = 0;
    for (let c = 0; c < d; c++) {
      v[c] = rng.normal();
      proj += v[c] * X[c];
    }
    vn = 0;
    for (let c = 0; c < d; c++) {
      v[c] -= proj * X[c];
      vn += v[c] * v[c];
    }
  } while (vn < 1e-12);
  vn = Math.sqrt(vn);
  for (let c = 0; c < d; c++) X[d + c] = Math.cos(t) * X[c] + (Math.sin(t) * v[c]) / vn;
  const distSq = (i: number, k: number): number => {
    let s = 0;
    for (let c = 0; c < d; c++) s += (X[i * d + c] - X[k * d + c]) ** 2;
    return s;
  };
  for (let i = 2; i < n; i++) {
    let ok = false;
    for (let tries = 0; tries < MAX_REDRAWS_PER_POINT && !ok; tries++) {
      unit(i * d);
      ok = true;
      for (let k = 0; k < i && ok; k++) ok = distSq(i, k) >= phi * phi;
    }
    if (!ok) throw new InputError(fn, 'phi', phi, `a separation that ${n} points on the sphere of R^${d} can keep (rejection sampling gave up at point ${i})`);
  }
  let minSq = Infinity;
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) minSq = Math.min(minSq, distSq(i, k));
  const y = makeLabels(rng, n, { kind: 'sign', balance: 'balanced' }, fn);
  return { n, d, X, y, minSeparation: Math.sqrt(minSq) };
}
