/**
 * Temporary registration of the phase-transition claim (not in src/claims/registry.ts): registers
 * it, runs verify at the ci budget and prints verdict, mutants, regression failures and edge.
 *   npx tsx scripts/run-phase-transition.ts [--seed S] [--no-edge] [--probe]
 * --probe prints sup-norm errors and widths of a few trials instead (no verify).
 */
import { phaseTransition, phaseRun, PT_TOLERANCES } from '../src/claims/phaseTransition.ts';
import { registerClaim } from '../src/claims/registry.ts';
import { verify } from '../src/runner/verify.ts';
import type { Claim } from '../src/claims/claim.ts';

const argv = process.argv.slice(2);
const seedArg = argv.indexOf('--seed');
const seed = seedArg >= 0 ? Number(argv[seedArg + 1]) : 20261122;

if (argv.includes('--probe')) {
  for (const n of [16, 32, 64, 128, 256]) {
    for (const s of [1, 2, 3]) {
      const t0 = performance.now();
      const r = phaseRun(n, s, 0);
      console.log(`n ${n} seed ${s}: sup ${r.supErr.toExponential(2)} (tol ${PT_TOLERANCES.sup}), tk rel err ${r.tkErr.map((v) => v.toExponential(2)).join(' ')}, widths sim ${r.widthSim.map((v) => v.toFixed(4)).join(' ')} closed ${r.widthClosed.map((v) => v.toFixed(4)).join(' ')}, drift ${r.drift.toExponential(2)}, steps ${r.steps}, ${(performance.now() - t0).toFixed(0)} ms`);
    }
  }
} else {
  registerClaim(phaseTransition as unknown as Claim);
  const t0 = performance.now();
  const rep = await verify({ claims: ['phase-transition'], seed, budget: 'ci', counterexampleDir: '/tmp/cx-phase-transition', workers: 1, skipEdge: argv.includes('--no-edge') });
  const c = rep.claims[0] as unknown as Record<string, unknown> & { mutants: { id: string; killed: boolean; trials?: number; scope: string }[] };
  console.log(`seed ${seed}: verdict ${String(c.verdict)}, trials ${String(c.trials)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const m of c.mutants) console.log(`  mutant ${m.id} (${m.scope}): ${m.killed ? 'KILLED' : 'survived'}${m.trials !== undefined ? ` after ${m.trials} trials` : ''}`);
  const edge = c.edge as { found?: boolean; runs?: number; shrunk?: { observation?: { why?: string }; expectation?: string; [k: string]: unknown } } | undefined;
  console.log(`  regression failures: ${JSON.stringify(c.regressionFailures)}`);
  console.log(`  edge: found ${String(edge?.found)} after ${String(edge?.runs)} runs; shrunk ${JSON.stringify({ n: edge?.shrunk?.n, theta: edge?.shrunk?.theta, seed: edge?.shrunk?.seed })}: ${String(edge?.shrunk?.observation?.why)}; expect: ${String(edge?.shrunk?.expectation)}`);
  const ex = c as unknown as { metrics?: Record<string, number>; tables?: { title: string; rows: unknown[][] }[] };
  console.log(`  metrics ${JSON.stringify(ex.metrics)}`);
  for (const m of c.mutants) console.log(`  mutant ${m.id}: ${JSON.stringify((m as unknown as { evidence?: unknown; detail?: unknown }).evidence ?? (m as unknown as { detail?: unknown }).detail)}`.slice(0, 400));
  if (argv.includes('--table')) for (const row of ex.tables?.find((t) => t.title.startsWith('relative width'))?.rows ?? []) console.log(`   ${row.join('  ')}`);
  const checks = (c.checks as { name: string; failed: number; evaluated: number; detail: string }[] | undefined) ?? [];
  for (const ch of checks) console.log(`  check ${ch.name}: ${ch.evaluated - ch.failed}/${ch.evaluated} ok; ${ch.detail}`);
}
