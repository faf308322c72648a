/**
 * One POSIX shell word: the argument unchanged when it holds only characters no shell treats
 * specially, else in single quotes (a single quote inside becomes '\''), so a command written
 * into a report can be pasted whatever the path holds (spaces, $, quotes, globs).
 */
export function shellQuote(arg: string): string {
  if (arg.length > 0 && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from its words, each quoted as needed. */
export function shellCommand(words: string[]): string {
  return words.map(shellQuote).join(' ');
}
