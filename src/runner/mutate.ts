/**
 * `flowcheck mutate`: a user's mutant of a registered claim, judged exactly like the claim's
 * declared mutants (same trials from the same seeds, same test at the same error rates), in
 * process. Returns the mutant's result.
 */
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Budget, Claim, Mutant } from '../claims/claim.ts';
import { mutantScope } from '../claims/claim.ts';
import type { MutantResult } from '../report/report.types.ts';
import { CLAIMS, getClaim } from '../claims/registry.ts';
import { InputError } from '../core/errors.ts';
import { runClaim } from './runClaim.ts';
import { runTrial, safeTrial } from './trial.ts';
import type { TrialRunner } from './pool.ts';
import { FAMILY_ALPHA, FAMILY_BETA } from './finalize.ts';

/** Imports a mutant file (default export or `mutant`) and checks its shape, naming the field. */
export async function loadMutantFile(file: string): Promise<Mutant> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new InputError('flowcheck mutate', '--mutant', file, 'an existing .ts or .js file exporting a mutant');
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new InputError('flowcheck mutate', '--mutant', file, `a module that loads (import failed: ${e instanceof Error ? e.message : String(e)})`);
  }
  const mu = (mod.default ?? mod.mutant) as Mutant | undefined;
  if (mu === undefined || typeof mu !== 'object') throw new InputError('flowcheck mutate', '--mutant', file, 'a default export (or `mutant`) that is a Mutant object');
  if (typeof mu.id !== 'string' || mu.id.length === 0) throw new InputError('flowcheck mutate', `${file}: id`, mu.id, 'a non-empty string');
  if (typeof mu.statement !== 'string') throw new InputError('flowcheck mutate', `${file}: statement`, mu.statement, 'a string');
  if (typeof mu.rationale !== 'string') throw new InputError('flowcheck mutate', `${file}: rationale`, mu.rationale, 'a string');
  try {
    mutantScope(mu);
  } catch {
    throw new InputError('flowcheck mutate', `${file}: prediction | criterion | cellPredicted | study`, 'none', 'at least one of them');
  }
  return mu;
}

export async function mutateClaim(claimId: string, mutantFile: string, opts: { seed: number; budget: Budget }): Promise<MutantResult> {
  const claim = getClaim(claimId);
  const mu = await loadMutantFile(mutantFile);
  const scope = mutantScope(mu);
  if (scope === 'trial' && claim.observe === undefined) throw new InputError('flowcheck mutate', '--claim', claimId, 'a claim written as observe + prediction + criterion (trial mutants replace one of them)');
  if (scope === 'cells' && claim.claimed.kind !== 'exact-cells') throw new InputError('flowcheck mutate', `${mutantFile}: cellPredicted`, 'given', `absent: ${claimId} is not an exact-cell claim`);
  if (scope === 'study' && claim.extras === undefined) throw new InputError('flowcheck mutate', `${mutantFile}: study`, 'given', `absent: ${claimId} has no extra measurements`);
  const derived: Claim = { ...claim, mutants: [mu] };
  // Trials of the derived claim, from the original claim's seeds (the id is the same).
  const runner: TrialRunner = {
    size: 1,
    run: async (id, claimSeed, indices) => indices.map((i) => safeTrial(id, claimSeed, i, () => runTrial(derived, claimSeed, i))),
    close: async () => {},
  };
  const K = CLAIMS.length;
  const r = await runClaim(derived, { runSeed: opts.seed, budget: opts.budget, alpha: FAMILY_ALPHA / K, beta: FAMILY_BETA / K, runner, counterexampleDir: null, skipEdge: true });
  const m = r.mutants.find((x) => x.id === mu.id);
  if (m === undefined) throw new Error(`mutate: mutant ${mu.id} was not judged`);
  return m;
}
