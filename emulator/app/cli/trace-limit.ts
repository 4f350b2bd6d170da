/**
 * `--trace-limit SIZE` on the command line (run, boot) and the warning printed when a trace was cut
 * (emulator/app/assembly/trace-writer.ts; docs/formats/trace.md "Size limit").
 */
import { CliError } from './errors';
import { cutWarning, DEFAULT_TRACE_LIMIT, parseTraceLimit, type TraceCut } from '../assembly/trace-writer';

/** The option's help text. */
export const TRACE_LIMIT_HELP = `cut the --trace file at this size: bytes, or with K, M, G, T (500M, 2G); 0 = no limit (default 1G)`;

/** The limit in bytes for `--trace-limit <text>` (absent: the default); a bad size is a one-line CliError. */
export function traceLimitOption(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TRACE_LIMIT;
  const v = parseTraceLimit(text);
  if (typeof v === 'string') throw new CliError(`--trace-limit ${text}`, v);
  return v;
}

/**
 * At the end of a run: one warning line on stderr if the trace was cut. Returns the exit status it asks for:
 * 1 when a write failed (the trace is incomplete because of an error), 0 when the size limit cut it (asked for).
 */
export function reportTraceCut(file: string | undefined, cut: TraceCut | null): number {
  if (!cut || file === undefined) return 0;
  process.stderr.write(`qnxemu: warning: ${cutWarning(file, cut)}\n`);
  return cut.failed ? 1 : 0;
}
