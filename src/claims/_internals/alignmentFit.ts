/**
 * Ordinary least squares with two regressors, y = c + b1 x1 + b2 x2, with two-sided t intervals
 * on b1 and b2 (N - 3 degrees of freedom): the joint exponent fit log T = c + alpha log(1/mu) +
 * beta log n of early-alignment. Degenerate input (fewer than 4 finite rows, collinear
 * regressors) returns null rather than throwing (extras must not crash on a bad sweep).
 */
import { studentTQuantile } from './incremental.ts';

export interface Fit2 {
  c: number;
  b1: number;
  b2: number;
  b1Lo: number;
  b1Hi: number;
  b2Lo: number;
  b2Hi: number;
  count: number;
  residualSd: number;
}

export function linearFit2(x1: number[], x2: number[], y: number[], level = 0.95): Fit2 | null {
  const rows: [number, number, number][] = [];
  for (let k = 0; k < y.length; k++) if (Number.isFinite(x1[k]) && Number.isFinite(x2[k]) && Number.isFinite(y[k])) rows.push([x1[k], x2[k], y[k]]);
  const N = rows.length;
  if (N < 4) return null;
  let m1 = 0;
  let m2 = 0;
  let my = 0;
  for (const [a, b, c] of rows) {
    m1 += a / N;
    m2 += b / N;
    my += c / N;
  }
  // Centred normal equations [s11 s12; s12 s22] [b1; b2] = [s1y; s2y].
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let s1y = 0;
  let s2y = 0;
  for (const [a, b, c] of rows) {
    const u = a - m1;
    const v = b - m2;
    const w = c - my;
    s11 += u * u;
    s12 += u * v;
    s22 += v * v;
    s1y += u * w;
    s2y += v * w;
  }
  const det = s11 * s22 - s12 * s12;
  if (!(det > 1e-12 * s11 * s22)) return null;
  const b1 = (s22 * s1y - s12 * s2y) / det;
  const b2 = (s11 * s2y - s12 * s1y) / det;
  const c = my - b1 * m1 - b2 * m2;
  let sse = 0;
  for (const [a, b, yy] of rows) sse += (yy - c - b1 * a - b2 * b) ** 2;
  const s2 = sse / (N - 3);
  const se1 = Math.sqrt((s2 * s22) / det);
  const se2 = Math.sqrt((s2 * s11) / det);
  const q = studentTQuantile(0.5 + level / 2, N - 3);
  return { c, b1, b2, b1Lo: b1 - q * se1, b1Hi: b1 + q * se1, b2Lo: b2 - q * se2, b2Hi: b2 + q * se2, count: N, residualSd: Math.sqrt(s2) };
}
