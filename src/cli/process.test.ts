/**
 * What only a real process shows (each test spawns bin/flowcheck.mjs once): a closed stdout
 * (EPIPE), Ctrl-C (SIGINT) during a run, and the exit status of bad input through the binary.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'flowcheck.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcheck-proc-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Spawns flowcheck; calls onOutput with the accumulated stdout/stderr until it exits. */
function run(args: string[], onOutput: (p: ReturnType<typeof spawn>, out: string, err: string) => void = () => undefined): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env: { ...process.env, CI: '1' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onOutput(p, out, err);
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      onOutput(p, out, err);
    });
    p.stdout.on('error', () => undefined);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('the real process', () => {
  test('bad input through the binary: exit 2, message on stderr, nothing on stdout', () => {
    const r = spawnSync(process.execPath, [BIN, 'simulate', '--n', '0x4'], { cwd: tmp, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--n.*0x4/);
  });

  test('a reader that goes away (flowcheck list | head -1): no EPIPE trace, exit 0', async () => {
    const r = await run(['list'], (p, out) => {
      if (out.length > 0) p.stdout?.destroy();
    });
    expect(r.err).not.toMatch(/EPIPE|internal error|at /);
    expect(r.code).toBe(0);
  });

  test('Ctrl-C during simulate --trials keeps every finished trial: the JSON document is closed, exit 130', async () => {
    let sent = false;
    const r = await run(['simulate', '--json', '--trials', '100000', '--n', '4', '--m', '4', '--t-end', '50'], (p, out) => {
      if (!sent && /"success"/.test(out)) {
        sent = true;
        p.kill('SIGINT');
      }
    });
    expect(r.code).toBe(130);
    const doc = JSON.parse(r.out) as { trials: number; requestedTrials: number; interrupted: boolean; results: unknown[] };
    expect(doc.interrupted).toBe(true);
    expect(doc.trials).toBeGreaterThanOrEqual(1);
    expect(doc.results.length).toBe(doc.trials);
    expect(doc.requestedTrials).toBe(100000);
  });

  test('Ctrl-C during verify leaves --out as it was: no staging directory, no lock, no report, no new parent', async () => {
    const out = path.join(tmp, 'reports', 'latest');
    let sent = false;
    const r = await run(['verify', '--claims', 'zero-loss', '--workers', '1', '--out', out], (p, _o, err) => {
      if (!sent && /zero-loss: running/.test(err)) {
        sent = true;
        p.kill('SIGINT');
      }
    });
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/interrupted \(SIGINT\)/);
    // the directories it created for --out are gone again too
    expect(fs.existsSync(path.join(tmp, 'reports'))).toBe(false);
  });
});
