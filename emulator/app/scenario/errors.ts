/** A problem in a user-supplied file, located precisely. The CLI prints `file:line:col: message` and exits 1. */
export class LocatedError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}:${col}: ${problem}`);
    this.name = 'LocatedError';
  }
}
