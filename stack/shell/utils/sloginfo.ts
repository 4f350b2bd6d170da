/**
 * sloginfo [-t] [-h] [-m major] [-s severity]: the node's system log (ctx.slogRead(), what slogf() wrote), in
 * QNX sloginfo's layout: a header `Time             Sev Major Minor Args` (with -t two columns wider), then
 * per entry strftime("%h %d %T"), "    %d %5d   %3d " (severity, major, minor) and the text; -t adds the
 * milliseconds (".%03d"). -s n shows severities 0…n only; -m code only that major code; -h (hex for binary
 * events) changes nothing since every entry here is a text event (slogf). QNX utilities reference: sloginfo.
 *
 * Time: the node has no real-time clock setting, so virtual time 0 is the epoch (time_t 0, UTC): an entry
 * 3 s after boot shows as `Jan 01 00:00:03` [qnxemu]. The minor code is 0: slogf's entries carry a major
 * code only (kernel/slog.ts). -c (clear) and -w (wait) need a clearable, blocking /dev/slog the kernel does
 * not offer: they are refused with a message and status 1; so is a filename operand (raw slog files).
 */
import type { ProgramMain, SlogEntry } from '../../kernel/api';
import { getopt } from '../../lib/getopt';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const NS_PER_MS = 1_000_000;
/**
 * The work of formatting one line: localtime + strftime + a printf of four fields and the text, ~5,000
 * instructions, at ~2.5 instructions/ns on a 2010s x86 core ≈ 2 µs [qnxemu estimate].
 */
const FORMAT_LINE_NS = 2_000;

const two = (n: number): string => String(n).padStart(2, '0');

/** strftime("%h %d %T") of virtual time `t` (ns) taken as seconds since the epoch, UTC; `msecs` adds ".mmm". */
export function slogTime(t: number, msecs: boolean): string {
  const ms = Math.floor(t / NS_PER_MS);
  // wall clock: none — Date only does the calendar arithmetic on the virtual time given; it never reads the host clock.
  const d = new Date(ms);
  const s = `${MONTHS[d.getUTCMonth()]!} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return msecs ? `${s}.${String(ms % 1000).padStart(3, '0')}` : s;
}

/** One output line for an entry. */
export function slogLine(e: SlogEntry, msecs: boolean): string {
  return `${slogTime(e.time, msecs)}    ${e.severity} ${String(e.major).padStart(5)}   ${String(0).padStart(3)} ${e.text.replace(/\n$/, '')}\n`;
}

function usageError(ctx: Parameters<ProgramMain>[0], msg: string): number {
  ctx.print(`sloginfo: ${msg}\nusage: sloginfo [-t] [-h] [-m major] [-s 0..7]\n`);
  return 1;
}

export const sloginfo: ProgramMain = function* (ctx, argv) {
  const g = getopt(argv, 'tchm:s:w');
  if (g.errors.length > 0) return usageError(ctx, g.errors[0]!);
  let msecs = false;
  let major = -1;
  let severity = 7;
  for (const { opt, arg } of g.opts) {
    if (opt === 't') msecs = true;
    else if (opt === 'c' || opt === 'w') return usageError(ctx, `-${opt} is not supported (the log cannot be cleared or waited on here)`);
    else if (opt === 'm') {
      if (!/^(0x[0-9a-f]+|\d+)$/i.test(arg ?? '')) return usageError(ctx, `bad major code '${arg ?? ''}'`);
      major = Number(arg);
    } else if (opt === 's') {
      if (!/^[0-7]$/.test(arg ?? '')) return usageError(ctx, `bad severity '${arg ?? ''}' (0..7)`);
      severity = Number(arg);
    }
  }
  if (g.operands.length > 0) return usageError(ctx, `reading raw log files (${g.operands[0]!}) is not supported`);
  if (!ctx.slogRead) {
    ctx.print('Unable to open /dev/slog : No such file or directory\n');
    return 1;
  }
  const entries = ctx.slogRead().filter((e) => e.severity <= severity && (major === -1 || e.major === major));
  let out = msecs ? 'Time                 Sev Major Minor Args\n' : 'Time             Sev Major Minor Args\n';
  for (const e of entries) out += slogLine(e, msecs);
  yield* ctx.work(FORMAT_LINE_NS * (entries.length + 1));
  ctx.print(out);
  return 0;
};
