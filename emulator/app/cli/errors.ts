/**
 * How the command line reports a problem: one line on stderr, exit status 1, never a JavaScript stack trace.
 * A problem in a file is `qnxemu: file:line:col: field: problem` (LocatedError); any other is
 * `qnxemu: <what>: <problem>` (CliError). An error nobody anticipated is a bug: it is reported as one line
 * too, and its stack only when QNXEMU_DEBUG is set in the environment.
 */
import { LocatedError } from '../scenario/errors';

/** A problem outside any file the user wrote: `qnxemu: <what>: <problem>`. */
export class CliError extends Error {
  constructor(
    readonly what: string,
    readonly problem: string,
  ) {
    super(`${what}: ${problem}`);
    this.name = 'CliError';
  }
}

/** A Node system error's message without the syscall and path it repeats ("ENOENT: no such file or directory"). */
export function osReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && typeof err.message === 'string') {
    const m = /^([A-Z]+): ([^,]+)/.exec(err.message);
    if (m) return `${m[2]} (${m[1]})`;
  }
  return err instanceof Error ? err.message : String(e);
}

/** The one line printed for `e` (without the trailing newline). */
export function errorLine(e: unknown): string {
  if (e instanceof LocatedError || e instanceof CliError) return `qnxemu: ${e.message}`;
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && typeof err.path === 'string') return `qnxemu: ${err.path}: ${osReason(e)}`;
  const msg = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
  return `qnxemu: internal error: ${msg} (a bug in qnxemu; set QNXEMU_DEBUG=1 for the JavaScript stack)`;
}

/** Print `e` as one line (plus the stack when QNXEMU_DEBUG is set and it is a bug) and exit 1. */
export function failWith(e: unknown): never {
  process.stderr.write(errorLine(e) + '\n');
  if (process.env['QNXEMU_DEBUG'] && e instanceof Error && !(e instanceof LocatedError) && !(e instanceof CliError)) process.stderr.write(`${e.stack ?? ''}\n`);
  process.exit(1);
}
