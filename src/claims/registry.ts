/** All claims flowcheck knows, by id, in report order. */
import type { Claim } from './claim.ts';
import { InputError } from '../core/errors.ts';
import { zeroLoss } from './zeroLoss.ts';
import { widthLaw } from './widthLaw.ts';
import { leakyRank } from './leakyRank.ts';
import { kcgRank } from './kcgRank.ts';
import { offSubspace } from './offSubspace.ts';
import { doubleEdged } from './doubleEdged.ts';
import { saddleToSaddle } from './saddleToSaddle.ts';
import { normBias } from './normBias.ts';
import { earlyAlignment } from './earlyAlignment.ts';
import { weaklyInteracting } from './weaklyInteracting.ts';
import { spuriousMinima } from './spuriousMinima.ts';
import { annihilation } from './annihilation.ts';
import { orthogonalRate } from './orthogonalRate.ts';
import { ntkWidth } from './zg19Width.ts';
import { phaseTransition } from './phaseTransition.ts';

/**
 * Claims withdrawn from the run (a claim that cannot fail, e.g. written without mutants, is
 * worse than no claim); none at present. Developers re-encoding one set FLOWCHECK_WITHDRAWN=1
 * to run them (never in CI).
 */
export const WITHDRAWN: Claim[] = [];

export const CLAIMS: Claim[] = [zeroLoss, widthLaw, leakyRank, kcgRank, weaklyInteracting, orthogonalRate, phaseTransition, spuriousMinima, annihilation, ntkWidth, offSubspace, doubleEdged, saddleToSaddle, normBias, earlyAlignment] as unknown as Claim[];

if (process.env.FLOWCHECK_WITHDRAWN === '1') CLAIMS.push(...WITHDRAWN);

/** Claim files loaded into this process (also loaded by every worker thread). */
export const CLAIM_FILES: string[] = [];

/**
 * Adds a claim defined outside src/ (flowcheck verify --claim-file, checkClaim). Its id must
 * not collide with a registered claim; registering the same object twice is a no-op.
 */
export function registerClaim(claim: Claim): void {
  const have = CLAIMS.find((c) => c.meta.id === claim.meta.id);
  if (have === claim) return;
  if (have !== undefined) throw new InputError('registerClaim', 'meta.id', claim.meta.id, 'an id not already registered');
  CLAIMS.push(claim);
}

/**
 * Imports a claim file (TypeScript or JavaScript) exporting a claim as `default` or `claim`,
 * registers it and returns it. Workers are told to import the same files.
 */
export async function loadClaimFile(file: string): Promise<Claim> {
  const { pathToFileURL } = await import('node:url');
  const path = await import('node:path');
  const fs = await import('node:fs');
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new InputError('flowcheck', '--claim-file', file, 'an existing .ts or .js file exporting a claim (default export or `claim`)');
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new InputError('flowcheck', '--claim-file', file, `a module that loads (import failed: ${e instanceof Error ? e.message : String(e)})`);
  }
  const c = (mod.default ?? mod.claim) as Claim | undefined;
  if (c === undefined || typeof c !== 'object' || typeof c.meta?.id !== 'string') throw new InputError('flowcheck', '--claim-file', file, 'a module whose default export (or `claim`) is a claim from defineClaim');
  registerClaim(c);
  if (!CLAIM_FILES.includes(abs)) CLAIM_FILES.push(abs);
  return c;
}

export function claimIds(): string[] {
  return CLAIMS.map((c) => c.meta.id);
}

export function getClaim(id: string): Claim {
  const c = CLAIMS.find((x) => x.meta.id === id);
  if (!c) throw new InputError('getClaim', 'claim id', id, `one of ${claimIds().join(', ')}`);
  return c;
}
