import fs from 'node:fs';
import { InputError } from '../../core/errors.ts';

/**
 * Largest JSON file flowcheck reads (reports, claim results, counterexamples, instances):
 * 256 MiB. The largest committed fixture is ~2 MB and a full report ~1 MB; a file beyond this is
 * not one flowcheck wrote, and parsing it would hold several times its size in memory.
 */
export const MAX_JSON_FILE_BYTES = 256 * 2 ** 20;

/**
 * Reads and parses a JSON file that a user named, refusing before reading anything that is not a
 * regular file (directories, devices such as /dev/zero, pipes) or is larger than maxBytes.
 * Every failure is an InputError naming `field` and the file.
 */
export function readJsonFile(file: string, fn: string, field: string, maxBytes = MAX_JSON_FILE_BYTES): unknown {
  if (typeof file !== 'string' || file.length === 0) throw new InputError(fn, field, file, 'a path to a JSON file');
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(fn, field, file, code === 'ENOENT' || code === 'ENOTDIR' ? 'an existing JSON file (no such file)' : `a readable JSON file (${code ?? String(e)})`);
  }
  if (st.isDirectory()) throw new InputError(fn, field, file, 'a JSON file (it is a directory)');
  if (!st.isFile()) throw new InputError(fn, field, file, 'a regular JSON file (not a device, pipe or socket)');
  if (st.size > maxBytes) throw new InputError(fn, field, file, `a JSON file of at most ${maxBytes} bytes (it has ${st.size})`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(fn, field, file, `a readable JSON file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(fn, field, file, `well-formed JSON (${(e as Error).message})`);
  }
}
