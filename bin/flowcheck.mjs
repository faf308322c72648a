#!/usr/bin/env node
// flowcheck command line. Runs the compiled JavaScript in dist/ (made by `npm run build`, see
// bin/build-dist.mjs) when it is fresh, i.e. built after the last change of any file under src/;
// otherwise the TypeScript sources through tsx (no build step needed, ~1 s slower to start).
// FLOWCHECK_NO_DIST=1 forces the sources.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Latest modification time (ms) of the files under dir, or Infinity past `limit` (stop early). */
function newest(dir, limit) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p, limit) : statSync(p).mtimeMs);
    if (t > limit) return Infinity;
  }
  return t;
}

function distIsFresh() {
  if (process.env.FLOWCHECK_NO_DIST === '1') return false;
  let built;
  try {
    built = statSync(join(root, 'dist', 'BUILD')).mtimeMs;
  } catch {
    return false;
  }
  return newest(join(root, 'src'), built) <= built;
}

let main;
if (distIsFresh()) {
  // a claim file given in TypeScript (verify --claim-file x.ts) still needs the loader
  if (process.argv.some((a) => /\.[cm]?ts$/.test(a))) (await import('tsx/esm/api')).register();
  ({ main } = await import('../dist/src/cli/main.js'));
} else {
  (await import('tsx/esm/api')).register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
