import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { fileOpAsync, SimulatedKill } from './_internals/fileOps.ts';

/**
 * Writes `data` to `path` so that a reader sees either the previous file (or no file)
 * or the complete new one, never a partial write.
 *
 * The data goes to `${path}.<pid>.<random>.tmp` in the same directory (so the rename
 * cannot cross file systems), is fsynced, then renamed over `path`; the directory is
 * created first when missing. On any failure the temporary file is removed and the
 * error rethrown, leaving a pre-existing `path` untouched.
 *
 * @param path target file
 * @param data the file's content (strings are written as UTF-8)
 *
 * @example
 *   await writeFileAtomic('reports/latest/report.json', JSON.stringify(report, null, 2));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InputError('writeFileAtomic', 'path', path, 'a non-empty string');
  }
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new InputError('writeFileAtomic', 'data', data, 'a string or a Uint8Array');
  }
  const dir = dirname(path);
  await fileOpAsync(`mkdir ${dir}`, () => mkdir(dir, { recursive: true }));
  const tmp = join(dir, `${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    await fileOpAsync(`write ${tmp}`, async () => {
      const handle = await open(tmp, 'wx');
      created = true;
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    await fileOpAsync(`rename ${tmp} -> ${path}`, () => rename(tmp, path));
    created = false;
  } catch (err) {
    if (created && !(err instanceof SimulatedKill)) await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

/** Makes the rename durable; some platforms cannot open a directory, which is harmless. */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // not supported here (e.g. Windows); the rename itself is still atomic
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
