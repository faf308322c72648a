/**
 * Design of the width-law grid (issue 9/10): the power of the claim's own test (exact two-sided
 * binomial per cell + pooled normal test, Holm within the claim at alpha/K) against its mutants,
 * computed from the exact law P(n+, n-, m) alone (counts drawn as Binomial(N, P)), before any
 * simulation. Also the claim's own false-rejection rate under the true law.
 *
 *   node --import tsx scripts/width-law-design.ts [trialsPerCell] [K]
 */
import { interpolationProbability } from '../src/core/oracle.ts';
import { binomialTestTwoSided } from '../src/stats/binomialTest.ts';
import { pooledPValue } from '../src/runner/runClaim.ts';
import { decideCells } from '../src/runner/finalize.ts';
import { Rng } from '../src/core/rng.ts';
import { independenceLaw, unionBoundLaw, signIgnoredLaw } from '../src/theory/widthLaw.ts';
import { WIDTH_LAW_CELLS } from '../src/claims/widthLaw.ts';
import type { Cell } from '../src/report/report.types.ts';

const N = Number(process.argv[2] ?? 100);
const K = Number(process.argv[3] ?? 12);
const alpha = 0.05 / K;
const REPS = 2000;
const rng = new Rng(20261202);
const cells = WIDTH_LAW_CELLS.ci;
const truth = cells.map((c) => interpolationProbability(c.nPos, c.nNeg, c.m));

function binom(n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rng.uniform() < p) k++;
  return k;
}

function rejects(counts: number[], predicted: number[]): boolean {
  const cs: Cell[] = counts.map((k, i) => ({ params: {}, trials: N, passes: k, passRate: k / N, interval: { lower: 0, upper: 1, level: 0.95 }, predicted: predicted[i], pValue: binomialTestTwoSided(k, N, predicted[i]), adjustedPValue: 1, agrees: true }));
  return !decideCells(cs, pooledPValue(cs), alpha).agrees;
}

const laws: [string, number[]][] = [
  ['true law (false-rejection rate)', truth],
  ['independence (1 - (3/4)^m)^n', cells.map((c) => independenceLaw(c.nPos, c.nNeg, c.m))],
  ['union bound as exact 1 - n (3/4)^m', cells.map((c) => unionBoundLaw(c.nPos, c.nNeg, c.m))],
  ['sign ignored (1 - 2^-m)^n', cells.map((c) => signIgnoredLaw(c.nPos, c.nNeg, c.m))],
];
console.log(`${cells.length} cells x ${N} trials, alpha per claim ${alpha.toPrecision(3)}, ${REPS} replications`);
for (const [name, pred] of laws) {
  let rej = 0;
  for (let r = 0; r < REPS; r++) if (rejects(truth.map((p) => binom(N, p)), pred)) rej++;
  console.log(`${name}: rejected ${(rej / REPS).toFixed(4)}`);
}
