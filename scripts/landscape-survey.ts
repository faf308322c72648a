/**
 * Measures the teacher-student landscape (Safran & Shamir 2018; Arjevani & Field 2022):
 * fractions of Xavier inits (N(0, 1/d) entries) whose gradient-descent search ends at a spurious
 * local minimum, per k at student width m = k and m = k + 1 (d = k, V = I), with Clopper-Pearson
 * intervals and a Cochran-Armitage trend test over k; the distinct spurious families (up to
 * student and teacher permutations) with loss, Hessian extremes and the annihilation tests
 * (zero neuron, split neuron); and the loss of each family continued in k by Newton's method,
 * with a fit loss(k) = a + b/k + c/k^2.
 *
 * Usage:
 *   node --import tsx scripts/landscape-survey.ts [--trials 400] [--kmin 6] [--kmax 12]
 *        [--seed 1] [--cont-kmax 32] [--json out.json]
 *
 * Prints Markdown to stdout; --json also writes the raw numbers.
 */
import { writeFileSync } from 'node:fs';
import { identityTeacher, makePopulation, type Population } from '../src/core/population.ts';
import {
  classifyCriticalPoint,
  extendFamily,
  hessianSpectrum,
  lineClasses,
  newtonCriticalPoint,
  reduceFamily,
  sameUpToSymmetry,
  splitCurvatures,
  splitHessianMin,
  searchFromXavier,
  zeroNeuronSlope,
  CRITICAL_TOLERANCES,
} from '../src/core/criticalPoints.ts';
import { Rng, deriveSeed } from '../src/core/rng.ts';
import { clopperPearson } from '../src/stats/clopperPearson.ts';
import { cochranArmitage, fitInverseK } from '../src/claims/spuriousMinima.ts';

interface Args {
  trials: number;
  kmin: number;
  kmax: number;
  seed: number;
  contKmax: number;
  json: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { trials: 400, kmin: 6, kmax: 12, seed: 1, contKmax: 32, json: null };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--trials':
        a.trials = Number(v);
        break;
      case '--kmin':
        a.kmin = Number(v);
        break;
      case '--kmax':
        a.kmax = Number(v);
        break;
      case '--seed':
        a.seed = Number(v);
        break;
      case '--cont-kmax':
        a.contKmax = Number(v);
        break;
      case '--json':
        a.json = v;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

interface Family {
  k: number;
  m: number;
  W: Float64Array;
  loss: number;
  count: number;
  kind: string;
  rows: number[];
  cols: number[];
  lambdaMin?: number;
  lambdaMax?: number;
  splitCurvMin?: number;
  splitHessMin?: number;
  zeroSlope?: number;
  zeroNegativeStarts?: number;
}

interface Cell {
  k: number;
  m: number;
  trials: number;
  global: number;
  spuriousStrict: number;
  spuriousDegenerate: number;
  saddle: number;
  unconverged: number;
  seconds: number;
}

const args = parseArgs(process.argv.slice(2));
const cells: Cell[] = [];
const families: Family[] = [];

function survey(k: number, m: number): void {
  const pop = makePopulation(identityTeacher(k), k, k, m);
  const cell: Cell = { k, m, trials: args.trials, global: 0, spuriousStrict: 0, spuriousDegenerate: 0, saddle: 0, unconverged: 0, seconds: 0 };
  const t0 = performance.now();
  for (let t = 0; t < args.trials; t++) {
    const r = searchFromXavier(pop, new Rng(deriveSeed(args.seed, k, m, t)));
    if (r.outcome === 'global') {
      cell.global++;
      continue;
    }
    if (r.outcome === 'unconverged') {
      cell.unconverged++;
      continue;
    }
    if (r.outcome === 'saddle') {
      cell.saddle++;
      continue;
    }
    const c = { kind: r.outcome === 'spurious-strict' ? 'strict-min' : 'degenerate', loss: r.loss };
    if (c.kind === 'strict-min') cell.spuriousStrict++;
    else cell.spuriousDegenerate++;
    const fam = families.find((f) => f.k === k && f.m === m && Math.abs(f.loss - c.loss) < 1e-7 && sameUpToSymmetry(f.W, r.W, m, k) !== null);
    if (fam) fam.count++;
    else {
      const cls = lineClasses(r.W, m, k);
      families.push({ k, m, W: r.W, loss: c.loss, count: 1, kind: c.kind, rows: cls.rows, cols: cls.cols });
    }
  }
  cell.seconds = (performance.now() - t0) / 1000;
  cells.push(cell);
  process.stderr.write(`k=${k} m=${m}: ${JSON.stringify(cell)}\n`);
}

for (let k = args.kmin; k <= args.kmax; k++) {
  survey(k, k);
  survey(k, k + 1);
}

// Family details and annihilation tests.
for (const f of families) {
  const pop = makePopulation(identityTeacher(f.k), f.k, f.k, f.m);
  const ev = hessianSpectrum(pop, f.W);
  f.lambdaMin = ev[ev.length - 1];
  f.lambdaMax = ev[0];
  const sc = splitCurvatures(pop, f.W);
  let iBest = 0;
  for (let i = 1; i < f.m; i++) if (sc[i] < sc[iBest]) iBest = i;
  f.splitCurvMin = sc[iBest];
  f.splitHessMin = splitHessianMin(pop, f.W, iBest, 0.5);
  const z = zeroNeuronSlope(pop, f.W, new Rng(deriveSeed(args.seed, 7, f.k, f.m)), 64);
  f.zeroSlope = z.minSlope;
  f.zeroNegativeStarts = z.negativeStarts;
  process.stderr.write(`family k=${f.k} m=${f.m} loss=${f.loss}\n`);
}

// Continuation of the m = k families in k.
interface ContPoint {
  k: number;
  loss: number;
  kind: string;
  gradNorm: number;
}
const continuations: { origin: string; rows: number[]; points: ContPoint[]; fit: ReturnType<typeof fitLoss> }[] = [];
const seenOrigins = new Set<string>();
for (const f of families) {
  if (f.m !== f.k) continue;
  // Families are told apart by their minority classes (k-1+1 at every k is one family).
  const key = f.rows.length > 1 ? f.rows.slice(1).join('+') : 'symmetric';
  if (seenOrigins.has(key)) continue;
  seenOrigins.add(key);
  const points: ContPoint[] = [];
  const rec = (k: number, W: Float64Array, pop: Population): void => {
    const c = classifyCriticalPoint(pop, W);
    points.push({ k, loss: c.loss, kind: c.kind, gradNorm: NaN });
  };
  // Upwards.
  let W = f.W;
  for (let k = f.k; k < args.contKmax; k++) {
    const pop = makePopulation(identityTeacher(k + 1), k + 1, k + 1, k + 1);
    const r = newtonCriticalPoint(pop, extendFamily(W, k));
    if (r.stop !== 'converged') break;
    W = r.W;
    rec(k + 1, W, pop);
  }
  // Downwards (while the family still has >= 2 neurons in its largest class).
  W = f.W;
  for (let k = f.k; k > 3; k--) {
    const cls = lineClasses(W, k, k).rows;
    if (cls[0] < 3) break;
    const pop = makePopulation(identityTeacher(k - 1), k - 1, k - 1, k - 1);
    const r = newtonCriticalPoint(pop, reduceFamily(W, k));
    if (r.stop !== 'converged' || r.loss < CRITICAL_TOLERANCES.globalLossTol) break;
    W = r.W;
    rec(k - 1, W, pop);
  }
  {
    const pop = makePopulation(identityTeacher(f.k), f.k, f.k, f.k);
    rec(f.k, f.W, pop);
  }
  points.sort((a, b) => a.k - b.k);
  continuations.push({ origin: `k=${f.k}, classes ${f.rows.join('+')}`, rows: f.rows, points, fit: fitLoss(points.filter((p) => p.k >= 8)) });
}

function fitLoss(pts: ContPoint[]): ReturnType<typeof fitInverseK> & { slopeLast: number } {
  const f = fitInverseK(pts);
  const n = pts.length;
  const slopeLast = n >= 2 ? Math.log(pts[n - 1].loss / pts[n - 2].loss) / Math.log(pts[n - 1].k / pts[n - 2].k) : NaN;
  return { ...f, slopeLast };
}

/** Cochran-Armitage over the cells of one width rule. */
function trendTest(cs: Cell[], count: (c: Cell) => number): { z: number; pValue: number } {
  return cochranArmitage(cs.map((c) => ({ x: c.k, trials: c.trials, events: count(c) })));
}

const spur = (c: Cell): number => c.spuriousStrict + c.spuriousDegenerate;
const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const sci = (x: number | undefined): string => (x === undefined ? '-' : x.toExponential(3));

const out: string[] = [];
out.push(`# Teacher-student landscape survey (seed ${args.seed}, ${args.trials} inits per cell, d = k, V = I, init N(0, 1/d))`, '');
out.push('| k | m | global | spurious strict | spurious degenerate | saddle | unconverged | spurious fraction | 95% CP interval | s |');
out.push('|---|---|---|---|---|---|---|---|---|---|');
for (const c of cells) {
  const ci = clopperPearson(spur(c), c.trials, 0.95);
  out.push(`| ${c.k} | ${c.m} | ${c.global} | ${c.spuriousStrict} | ${c.spuriousDegenerate} | ${c.saddle} | ${c.unconverged} | ${fmt(spur(c) / c.trials)} | [${fmt(ci.lower)}, ${fmt(ci.upper)}] | ${c.seconds.toFixed(1)} |`);
}
out.push('');
for (const [label, sel] of [
  ['m = k', (c: Cell) => c.m === c.k],
  ['m = k + 1', (c: Cell) => c.m === c.k + 1],
] as const) {
  const t = trendTest(cells.filter(sel), spur);
  out.push(`Cochran-Armitage trend (${label}): z = ${fmt(t.z, 2)}, one-sided p = ${t.pValue.toExponential(2)}`);
}
out.push('', '## Spurious families (up to student and teacher permutations)', '');
out.push('| k | m | count | loss | kind | row classes | col classes | lambda_min | lambda_max | min lambda(B_i) | split lambda_min (c=1/2) | zero-neuron min D | negative starts |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const f of families) {
  out.push(
    `| ${f.k} | ${f.m} | ${f.count} | ${fmt(f.loss, 6)} | ${f.kind} | ${f.rows.join('+')} | ${f.cols.join('+')} | ${sci(f.lambdaMin)} | ${fmt(f.lambdaMax ?? NaN)} | ${sci(f.splitCurvMin)} | ${sci(f.splitHessMin)} | ${sci(f.zeroSlope)} | ${f.zeroNegativeStarts} |`,
  );
}
out.push('', '## Families continued in k (Newton on grad L = 0)', '');
for (const c of continuations) {
  out.push(`### from ${c.origin}`, '');
  out.push('| k | loss | k * loss | kind |', '|---|---|---|---|');
  for (const p of c.points) out.push(`| ${p.k} | ${fmt(p.loss, 6)} | ${fmt(p.k * p.loss)} | ${p.kind} |`);
  out.push('', `fit over k >= 8 (${c.fit.n} points): loss = ${fmt(c.fit.a, 5)} (se ${sci(c.fit.seA)}) + ${fmt(c.fit.b, 4)}/k + ${fmt(c.fit.c, 4)}/k^2; last log-log slope ${fmt(c.fit.slopeLast, 3)}`, '');
}
process.stdout.write(out.join('\n') + '\n');
if (args.json !== null) {
  writeFileSync(
    args.json,
    JSON.stringify({ args, cells, families: families.map((f) => ({ ...f, W: Array.from(f.W) })), continuations }, null, 1),
  );
}
