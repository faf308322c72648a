/**
 * Fits of the norm-bias extras: the saturation law R(n) = R_inf - C n^(-beta) of the limit
 * process's Q_lim / Q*, with percentile-bootstrap intervals (resampling the draws within each n),
 * and bootstrap intervals of simple statistics of the per-n means. Deterministic given the Rng.
 */
import { Rng } from '../../core/rng.ts';
import { InputError } from '../../core/errors.ts';

/** Exponents tried by the profile fit over beta (a grid: the fit is linear in R_inf, C for fixed beta). */
export const BETA_GRID: number[] = Array.from({ length: 60 }, (_, k) => 0.05 * (k + 1));

/** Bootstrap resamples of the intervals (percentile intervals at 95%: 2.5% and 97.5% of B sorted values). */
export const BOOTSTRAP_B = 400;

export interface SaturationFit {
  Rinf: number;
  C: number;
  beta: number;
  sse: number;
}

export interface Interval {
  est: number;
  lo: number;
  hi: number;
}

function mean(v: number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

/** Least squares of means[k] = Rinf - C ns[k]^(-beta), profile over BETA_GRID (weights 1). */
export function fitSaturation(ns: number[], means: number[]): SaturationFit {
  if (ns.length !== means.length || ns.length < 3) throw new InputError('fitSaturation', 'ns, means', ns, 'two arrays of equal length >= 3');
  let best: SaturationFit = { Rinf: NaN, C: NaN, beta: NaN, sse: Infinity };
  for (const beta of BETA_GRID) {
    const x = ns.map((n) => -Math.pow(n, -beta));
    const mx = mean(x);
    const my = mean(means);
    let sxx = 0;
    let sxy = 0;
    for (let k = 0; k < x.length; k++) {
      sxx += (x[k] - mx) * (x[k] - mx);
      sxy += (x[k] - mx) * (means[k] - my);
    }
    const C = sxy / sxx;
    const Rinf = my - C * mx;
    let sse = 0;
    for (let k = 0; k < x.length; k++) sse += (means[k] - Rinf - C * x[k]) ** 2;
    if (sse < best.sse) best = { Rinf, C, beta, sse };
  }
  return best;
}

function percentile(sorted: number[], p: number): number {
  const k = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[k];
}

/**
 * Percentile-bootstrap 95% intervals of stat(means per n): resamples the draws of each n with
 * replacement BOOTSTRAP_B times. NaN statistics (degenerate resamples) are dropped.
 */
export function bootstrap(draws: number[][], stat: (means: number[]) => number[], rng: Rng): Interval[] {
  const est = stat(draws.map(mean));
  const samples: number[][] = est.map(() => []);
  for (let b = 0; b < BOOTSTRAP_B; b++) {
    const r = rng.fork(b);
    const means = draws.map((v) => {
      let s = 0;
      for (let k = 0; k < v.length; k++) s += v[Math.floor(r.uniform() * v.length)];
      return s / v.length;
    });
    const s = stat(means);
    s.forEach((x, k) => {
      if (Number.isFinite(x)) samples[k].push(x);
    });
  }
  return est.map((e, k) => {
    const s = samples[k].sort((a, b) => a - b);
    return { est: e, lo: s.length > 0 ? percentile(s, 0.025) : NaN, hi: s.length > 0 ? percentile(s, 0.975) : NaN };
  });
}
