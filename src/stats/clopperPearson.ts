import { createRequire } from 'node:module';

/** The beta quantile (@stdlib), loaded on first use: it costs ~0.3 s of start-up otherwise. */
let quantile: ((p: number, a: number, b: number) => number) | null = null;
function betaQuantile(p: number, a: number, b: number): number {
  quantile ??= createRequire(import.meta.url)('@stdlib/stats-base-dists-beta-quantile') as (p: number, a: number, b: number) => number;
  return quantile(p, a, b);
}
import { checkCounts, checkProbability } from './_internals/checks.ts';

/** A two-sided confidence interval for a Bernoulli success probability. */
export interface ProportionInterval {
  lower: number;
  upper: number;
  /** Two-sided confidence level, e.g. 0.95. */
  level: number;
}

/**
 * Exact (Clopper-Pearson) two-sided confidence interval for a success probability from k
 * successes in n trials. Each side has error at most (1 - level) / 2, so `lower` alone is a
 * one-sided lower confidence limit at level (1 + level) / 2 (e.g. level 0.998 -> 99.9% one-sided).
 *
 * lower = Beta^{-1}((1 - level)/2; k, n - k + 1), or 0 when k = 0;
 * upper = Beta^{-1}((1 + level)/2; k + 1, n - k), or 1 when k = n.
 * Coverage is at least `level` for every true p (conservative).
 *
 * Examples:
 *   clopperPearson(0, 10)   // { lower: 0, upper: 1 - 0.025^(1/10) = 0.3085..., level: 0.95 }
 *   clopperPearson(10, 10)  // { lower: 0.025^(1/10) = 0.6915..., upper: 1, level: 0.95 }
 *
 * See also: summarizeBernoulli, binomialTestTwoSided.
 *
 * @param k successes, integer in [0, n]
 * @param n trials, integer >= 1
 * @param level two-sided confidence level in (0, 1)
 */
export function clopperPearson(k: number, n: number, level = 0.95): ProportionInterval {
  const fn = 'clopperPearson';
  checkCounts(fn, 'k', k, 'n', n);
  checkProbability(fn, 'level', level, true, true);
  const tail = (1 - level) / 2;
  const lower = k === 0 ? 0 : betaQuantile(tail, k, n - k + 1);
  const upper = k === n ? 1 : betaQuantile(1 - tail, k + 1, n - k);
  return { lower, upper, level };
}
