/**
 * cat [-u] [file...]: the files' bytes on standard output, each opened and read through the C library's
 * pathname calls (lib/connect.ts: open, _IO_READ of DIRBUF bytes until 0, close), so `cat /net/beta/etc/hosts`
 * reads beta's file over Qnet like a local one. POSIX cat(1): -u (unbuffered) changes nothing here, output is
 * unbuffered already; an operand that cannot be read gets `cat: <file>: <strerror>` and the others are still
 * copied; the status is 1 if any failed. The simulation gives programs no standard input, so cat without a
 * file (or with "-") has nothing to read: it prints its usage and fails [qnxemu].
 */
import type { ProgramMain } from '../../kernel/api';
import { getopt } from '../../lib/getopt';
import { DIRBUF, close, open, pathStrerror, read } from '../../lib/connect';
import { errno } from '../../lib/socket';

const USAGE = 'usage: cat [-u] [file ...]\n';

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

export const cat: ProgramMain = function* (ctx, argv) {
  const g = getopt(argv, 'u');
  if (g.errors.length > 0) {
    ctx.print(g.errors.map((e) => `cat: ${e}\n`).join('') + USAGE);
    return 1;
  }
  if (g.operands.length === 0 || g.operands.includes('-')) {
    ctx.print(`cat: no standard input in this simulation\n${USAGE}`);
    return 1;
  }
  let status = 0;
  for (const path of g.operands) {
    const fd = yield* open(ctx, path);
    if (fd < 0) {
      ctx.print(`cat: ${path}: ${pathStrerror(errno(ctx))}\n`);
      status = 1;
      continue;
    }
    for (;;) {
      const b = yield* read(ctx, fd, DIRBUF);
      if (!b) {
        ctx.print(`cat: ${path}: ${pathStrerror(errno(ctx))}\n`);
        status = 1;
        break;
      }
      if (b.length === 0) break;
      ctx.print(latin1(b));
    }
    yield* close(ctx, fd);
  }
  return status;
};
