import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { shellCommand, shellQuote } from './shellQuote.ts';

describe('shellQuote: a word the shell gives back unchanged', () => {
  const words = ['plain/path.json', 'with space.json', "it's", '$HOME', '`x`', 'a"b', '*', '', 'tab\there', 'semi;colon', 'new\nline', '--flag=v'];
  for (const w of words) {
    test(JSON.stringify(w), () => {
      // the shell itself is the second implementation: it must print the word exactly
      const r = spawnSync('sh', ['-c', `printf '%s' ${shellQuote(w)}`], { encoding: 'utf8' });
      expect(r.stdout).toBe(w);
    });
  }

  test('safe words stay unquoted, so ordinary commands read as before', () => {
    expect(shellCommand(['npx', 'flowcheck', 'replay', 'reports/latest/counterexamples/zero-loss/n5-m4.json'])).toBe('npx flowcheck replay reports/latest/counterexamples/zero-loss/n5-m4.json');
  });
});
