/**
 * What counts as a pass for a mutated scenario or buildfile (docs/errors.md): the loader either returns a
 * scenario or throws one located error — a `LocatedError` (emulator/app/scenario/errors.ts) or, from the
 * buildfile parser alone, a `BuildfileError` (firmware/buildfile.ts) — whose message is exactly
 * `file:line:col: problem` on one line, naming a file the input reads, with the line and column inside that
 * file's text (1-based; a column may point just past the line's last character, at its end). Anything else is
 * a failure line: an exception of another class (a JavaScript stack trace at the CLI), a message that is not one
 * line, a location outside the file.
 */
import * as path from 'node:path';
import { LocatedError } from '../../emulator/app/scenario/errors';
import { BuildfileError } from '../../firmware/buildfile';
import { repoRoot } from '../../emulator/app/guest-image/cache';

/** Characters that break a terminal line or are invisible controls (C0 but tab, DEL, NEL, U+2028, U+2029). */
const LINE_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/;

/** `exception: <Name>: <message> at <first frame>` (the contract's failure form for an unexpected throw). */
export function exceptionLine(e: unknown, where = ''): string {
  const prefix = where ? `${where}: ` : '';
  if (!(e instanceof Error)) return `${prefix}exception: thrown non-Error ${oneLine(String(e))}`;
  const frame = (e.stack ?? '').split('\n').find((l) => /^\s+at /.test(l))?.trim().replace(/^at /, '') ?? '(no frame)';
  const root = repoRoot(__dirname);
  const shortFrame = root ? frame.split(root + path.sep).join('') : frame;
  return `${prefix}exception: ${e.name}: ${oneLine(e.message)} at ${shortFrame}`;
}

function oneLine(s: string): string {
  const first = s.split('\n')[0] ?? '';
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

/**
 * Null if `e` is a well-formed located error inside a file the input reads; else the failure line.
 * `textOf(file)` gives the text of a file the input reads (null: not one of them).
 */
export function locatedFailure(e: unknown, textOf: (file: string) => string | null, allowBuildfileError = false): string | null {
  const located = e instanceof LocatedError || (allowBuildfileError && e instanceof BuildfileError);
  if (!located) return exceptionLine(e);
  const { file, line, col, problem, message } = e as LocatedError;
  if (message !== `${file}:${line}:${col}: ${problem}`) return `malformed located error: ${oneLine(message)}`;
  if (LINE_BREAKING.test(message)) return `located error of more than one line: ${JSON.stringify(message.slice(0, 300))}`;
  if (problem.trim() === '') return `located error with no problem: ${message}`;
  const text = textOf(file);
  if (text === null) return `located error in ${file}, a file the input does not read: ${oneLine(message)}`;
  const lines = text.split('\n');
  if (!Number.isInteger(line) || line < 1 || line > lines.length)
    return `located error at line ${line}, outside ${path.basename(file)} (${lines.length} lines): ${oneLine(message)}`;
  const width = lines[line - 1]!.length;
  if (!Number.isInteger(col) || col < 1 || col > width + 1)
    return `located error at ${line}:${col}, past the end of that line (${width} characters): ${oneLine(message)}`;
  return null;
}

/**
 * Runs `f` and returns what it returned with the Node warnings emitted meanwhile (`process.emitWarning`):
 * the CLI would print each as a `(node:…) Warning: …` line on stderr beside its one-line answer, so a
 * warning from the loader is a failure too. The hook is this harness's, outside the simulated world, and is
 * removed before returning.
 */
export function capturingWarnings<T>(f: () => T): { value: T; warnings: string[] } {
  const warnings: string[] = [];
  const original = process.emitWarning;
  process.emitWarning = ((w: string | Error) => {
    warnings.push(typeof w === 'string' ? w : `${w.name}: ${w.message}`);
  }) as typeof process.emitWarning;
  try {
    return { value: f(), warnings };
  } finally {
    process.emitWarning = original;
  }
}
