import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { MAX_JSON_FILE_BYTES } from './_internals/readJson.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './report.types.ts';
import { ReportValidationError, validateReport } from './validate.ts';
import { recoverReportDir, ReportDirWriter, withReportDirLock } from './reportDir.ts';

/** Paths of the three files a report is written as. */
export interface ReportFiles {
  json: string;
  md: string;
  html: string;
}

function filesIn(dir: string): ReportFiles {
  return { json: join(dir, 'report.json'), md: join(dir, 'report.md'), html: join(dir, 'report.html') };
}

export interface WriteReportOptions {
  /**
   * The run's open transaction on DIR (opened before computing, so the run's counterexamples
   * could go into it); default: one is opened here.
   */
  writer?: ReportDirWriter;
  /** Function name and field for messages (default 'writeReport', 'dir'). */
  fn?: string;
  field?: string;
}

/**
 * Validates `report`, renders it, then replaces DIR by a directory holding report.json,
 * report.md and report.html of this run (and the run's counterexamples, when they were written
 * into the writer's staging directory): DIR holds the files of one run at every moment
 * (reportDir.ts). Nothing is written unless the report is valid and all three render.
 *
 * @throws ReportValidationError when the report does not match the schema
 * @throws InputError naming the field when DIR cannot be used, or when writing fails (DIR then
 *   keeps its previous content and the message says where the JSON was saved instead)
 *
 * @example
 *   const files = await writeReport('reports/latest', report);
 */
export async function writeReport(dir: string, report: Report, options: WriteReportOptions = {}): Promise<ReportFiles> {
  const fn = options.fn ?? 'writeReport';
  const field = options.field ?? 'dir';
  if (typeof dir !== 'string' || dir.length === 0) throw new InputError(fn, field, dir, 'a non-empty directory path');
  validateReport(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const md = renderMarkdown(report);
  const html = await renderHtml(report);
  const writer = options.writer ?? ReportDirWriter.open(dir, { fn, field });
  writer.commit(
    [
      ['report.json', json],
      ['report.md', md],
      ['report.html', html],
    ],
    { name: 'report.json', data: json },
  );
  return filesIn(dir);
}

/**
 * Re-renders DIR/report.md and DIR/report.html from DIR/report.json (`flowcheck report DIR`).
 * report.json itself is left as it is.
 *
 * @throws InputError naming the file (and the first invalid path) when report.json is
 *   missing, not JSON, or not a valid report
 */
export async function rerender(dir: string): Promise<ReportFiles> {
  if (typeof dir !== 'string' || dir.length === 0) throw new InputError('rerender', 'dir', dir, 'a non-empty directory path');
  recoverReportDir(dir);
  const files = filesIn(dir);
  // Read once outside the lock for the error messages, then again under it: the pages must be
  // rendered from the report.json they are written next to.
  readReportFile(dir, 'flowcheck report');
  return withReportDirLock(dir, { fn: 'flowcheck report', field: 'DIR' }, async () => {
    const report = readReportFile(dir, 'flowcheck report');
    // Both pages are rendered first, so a rendering failure writes nothing. Each page is
    // replaced atomically; both come from the same report.json, so DIR holds one run throughout.
    const md = renderMarkdown(report);
    const html = await renderHtml(report);
    await writeFileAtomic(files.md, md);
    await writeFileAtomic(files.html, html);
    return files;
  });
}

/**
 * Reads and validates DIR/report.json (`flowcheck report`, `flowcheck merge`).
 *
 * @throws InputError from `fn` naming the file (and the first invalid path) when report.json is
 *   missing, not a regular file, too large, not JSON, or not a valid report
 */
export function readReportFile(dir: string, fn: string): Report {
  recoverReportDir(dir);
  const file = join(dir, 'report.json');
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
    throw inputError(fn, `${file} ${why}; expected the output directory of flowcheck verify or sweep (--out DIR)`, file, err);
  }
  if (st.isDirectory()) throw inputError(fn, `${file} is a directory, expected a report file`, file, null);
  if (!st.isFile()) throw inputError(fn, `${file} is not a regular file`, file, null);
  if (st.size > MAX_JSON_FILE_BYTES) throw inputError(fn, `${file} has ${st.size} bytes, more than a report can have (${MAX_JSON_FILE_BYTES})`, file, null);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw inputError(fn, `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, file, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw inputError(fn, `${file} is not valid JSON: ${(err as Error).message}`, file, err);
  }
  try {
    return validateReport(parsed);
  } catch (err) {
    if (!(err instanceof ReportValidationError)) throw err;
    const first = err.issues[0];
    const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problem${err.issues.length === 2 ? '' : 's'})` : '';
    throw inputError(fn, `${file} is not a valid flowcheck report: at ${first.path || '/'}: ${first.message}${more}`, file, err);
  }
}

function inputError(fn: string, message: string, file: string, cause: unknown): InputError {
  const err = new InputError(fn, 'report file', file, 'a valid report.json');
  err.message = `${fn}: ${message}`;
  err.cause = cause;
  return err;
}
