/**
 * The user side of /dev/pf (open(2), ioctl(2), close(2) on the device lsm-pf-v4.so attaches), as pfctl and
 * libpfctl use it (OpenBSD/NetBSD sbin/pfctl: `dev = open("/dev/pf", O_RDWR)`, then ioctl(dev, DIOC…, &arg)).
 * The ioctl records are pfvar.ts's, named by the ioctl. C conventions: -1 or null with errno set (libsocket's
 * errno); pf's errnos (EEXIST from DIOCSTART when running, ENOENT from DIOCSTOP when stopped, EBUSY for a stale
 * ticket, EINVAL, ESRCH) come back unchanged.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import { IO_CLOSE, IO_DEVCTL } from '../io-pkt/msg';
import type { PfIoctl } from '../include/net/pfvar';
import { setErrno } from './socket';
import { devFailed, devOpen, devRpc } from './devio';

/** The device lsm-pf registers (pf_attach: `/dev/pf`). */
export const PF_DEV = '/dev/pf';



/** open("/dev/pf", O_RDWR): a descriptor (the connection id) or -1 (ENOENT when lsm-pf is not mounted). */
export function* pfOpen(ctx: ThreadCtx, path = PF_DEV): Co<number> {
  return yield* devOpen(ctx, path);
}

/**
 * The size of an ioctl's argument as it would cross the message pass (struct pfioc_rule is ~3 KB in pfvar.h;
 * pfioc_states/pfioc_table buffers grow with their entries), so big transfers cost what they would.
 */
function argBytes(cmd: PfIoctl, arg: Record<string, unknown>): number {
  if (cmd === 'DIOCADDRULE' || cmd === 'DIOCGETRULE') return 3104;
  const addrs = arg.addrs;
  if (Array.isArray(addrs)) return 64 + addrs.length * 52;
  const tables = arg.tables;
  if (Array.isArray(tables)) return 64 + tables.length * 1064;
  return 64;
}

/** ioctl(fd, DIOC…, arg): the reply record, or null with errno set. */
export function* pfIoctl(ctx: ThreadCtx, fd: number, cmd: PfIoctl, arg: Record<string, unknown> = {}): Co<Record<string, unknown> | null> {
  const r = yield* devRpc(ctx, fd, { type: IO_DEVCTL, dcmd: cmd, data: arg, bytes: argBytes(cmd, arg) });
  const e = devFailed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  return (r.data as Record<string, unknown>) ?? {};
}

export function* pfClose(ctx: ThreadCtx, fd: number): Co<void> {
  yield* devRpc(ctx, fd, { type: IO_CLOSE, bytes: 16 });
  try {
    ctx.ConnectDetach(fd);
  } catch {
    /* io-pkt gone */
  }
}
