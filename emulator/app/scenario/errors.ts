/** A problem in a user-supplied file, located precisely. The CLI prints `file:line:col: message` and exits 1. */
export class LocatedError extends Error {
  readonly problem: string;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    problem: string,
  ) {
    const shown = oneLine(problem);
    super(`${file}:${line}:${col}: ${shown}`);
    this.problem = shown;
    this.name = 'LocatedError';
  }
}

/**
 * A problem quotes what the file held (an unknown key, a name, a path), and a file can hold anything: line
 * breaks (CR, LF, NEL, U+2028/U+2029) and other control characters are shown escaped (`\r`, `\n`, `\u000b`),
 * so the answer stays one line whatever was quoted (found by fuzz/parser: a key with a CR in it).
 */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
