/**
 * on [-d] [-n node | -f node] [-p prio] command [arg...]: run a command on another node (QNX utilities/o/on;
 * openqnx utils/o/on/nto/on.c). QNX's `on` calls spawnp() with SPAWN_SETND so the remote procnto creates the
 * child with `on`'s file descriptors (its output reaches this terminal through them) and waits for it with
 * __waitid_net(); it exits with the child's status.
 *
 * [modelling choice] qnxemu's programs have no inheritable file descriptors, so `on` asks the node's procnto
 * over an ordinary connection (kernel/procnto-spawn.ts): it opens `/net/<node>` (lib/connect.ts: lsm-qnet's
 * redirect names the node's procnto; without -n, `/`: this node's procnto), sends `_PROC_SPAWN` start (reply:
 * the pid), reads the child's output with `_IO_READ` until 0 bytes, printing each piece as it arrives, then
 * `_PROC_SPAWN` wait for the exit status. Ending `on` (slay) closes the connection and procnto kills the child
 * (QNX: `on` forwards SIGTERM/SIGHUP to the remote child with SignalKill).
 * -f node: QNX spawns "from" the node (its root as /); every simulated node has the same program table, so
 * -f runs the command on that node as -n does [qnxemu]. -p prio: the child's priority (default: `on`'s own).
 * -d (SPAWN_NOZOMBIE): do not wait; the child is detached and its output goes to that node's console [ours];
 * `on` prints nothing and exits 0 once the child started.
 * Errors as on.c prints them: a node that cannot be reached `on: Invalid node "x" (strerror).`, a spawn
 * failure `on: strerror (command)` with errno as the exit status; bad options print the usage, status 1.
 */
import { Errno, type ProgramMain, type ThreadCtx, type Co } from '../../kernel/api';
import { getopt } from '../../lib/getopt';
import { close, ioFailed, ioRpc, open, pathStrerror, read } from '../../lib/connect';
import { errno } from '../../lib/socket';

const USAGE = 'usage: on [-d] [-n node | -f node] [-p prio] command [arg ...]\n';
/** The read size for the child's output (a page, as cat and readdir read). */
export const ON_READ = 4096;
/** Bytes of our _PROC_SPAWN head and _PROC_WAIT (net/qnet/iomsg-proc.ts), for the message copy charge. */
const PROC_SPAWN_HDR = 16;
const PROC_WAIT_BYTES = 12;

function argvBytes(argv: string[]): number {
  return argv.reduce((n, a) => n + a.length + 1, 0);
}

function* finish(ctx: ThreadCtx, fd: number, status: number): Co<number> {
  yield* close(ctx, fd);
  return status;
}

export const on: ProgramMain = function* (ctx, argv) {
  const g = getopt(argv, 'dn:f:p:');
  let node: string | null = null;
  let prio: number | undefined;
  let detach = false;
  for (const o of g.opts) {
    if (o.opt === 'd') detach = true;
    else if (o.opt === 'n' || o.opt === 'f') node = o.arg ?? '';
    else if (o.opt === 'p') {
      const p = Number.parseInt(o.arg ?? '', 10);
      if (!(p >= 1 && p <= 255)) g.errors.push(`invalid priority -- ${o.arg ?? ''}`);
      else prio = p;
    }
  }
  if (g.errors.length > 0 || g.operands.length === 0) {
    ctx.print(g.errors.map((e) => `on: ${e}\n`).join('') + (g.operands.length === 0 && g.errors.length === 0 ? 'on: Need arguments\n' : '') + USAGE);
    return 1;
  }
  if (node !== null && (node === '' || node.includes('/'))) {
    ctx.print(`on: Invalid node "${node}" (${pathStrerror(Errno.EINVAL)}).\n`);
    return 1;
  }
  const fd = yield* open(ctx, node === null ? '/' : `/net/${node}`);
  if (fd < 0) {
    ctx.print(`on: Invalid node "${node ?? ''}" (${pathStrerror(errno(ctx))}).\n`);
    return 1;
  }
  const cmd = g.operands;
  const start = yield* ioRpc(ctx, fd, {
    type: '_PROC_SPAWN', subtype: 'start', argv: cmd, ...(prio !== undefined ? { prio } : {}), ...(detach ? { detach: true } : {}),
    bytes: PROC_SPAWN_HDR + argvBytes(cmd),
  });
  const e = ioFailed(start);
  if (e) {
    ctx.print(`on: ${pathStrerror(e)} (${cmd[0]})\n`);
    return yield* finish(ctx, fd, e);
  }
  const pid = start.status;
  if (detach) return yield* finish(ctx, fd, 0);
  const text = new TextDecoder();
  for (;;) {
    const b = yield* read(ctx, fd, ON_READ);
    if (!b) {
      ctx.print(`on: ${pathStrerror(errno(ctx))} (${cmd[0]})\n`);
      return yield* finish(ctx, fd, 1);
    }
    if (b.length === 0) break;
    ctx.print(text.decode(b, { stream: true }));
  }
  const tail = text.decode();
  if (tail) ctx.print(tail);
  const w = yield* ioRpc(ctx, fd, { type: '_PROC_SPAWN', subtype: 'wait', pid, bytes: PROC_WAIT_BYTES });
  const we = ioFailed(w);
  if (we) {
    ctx.print(`on: ${pathStrerror(we)} (${cmd[0]})\n`);
    return yield* finish(ctx, fd, 1);
  }
  return yield* finish(ctx, fd, w.status);
};
