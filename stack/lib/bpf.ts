/**
 * The user side of /dev/bpf (open(2), ioctl(2), read(2), write(2) on the device io-pkt attaches), as libpcap
 * and hostapd's l2_packet use it. C conventions: -1 or null with errno set (libsocket's errno).
 */
import type { Co, ThreadCtx } from '../kernel/api';
import { IO_CLOSE, IO_DEVCTL, IO_READ, IO_WRITE, type ReadReplyData } from '../io-pkt/msg';
import type { BpfIoctl } from '../include/net/bpf';
import { MSG_DONTWAIT } from '../include/sys/socket';
import { newPacketId } from './pktid';
import { setErrno } from './socket';
import { devFailed, devOpen, devRpc } from './devio';



/** open("/dev/bpf", O_RDWR): a descriptor (the connection id) or -1. `$SOCK` prefixes the path as for sockets. */
export function* bpfOpen(ctx: ThreadCtx, path = '/dev/bpf'): Co<number> {
  return yield* devOpen(ctx, path);
}

/** ioctl(fd, BIOC…, arg): the reply data, or null with errno set. */
export function* bpfIoctl(ctx: ThreadCtx, fd: number, cmd: BpfIoctl, arg: Record<string, unknown> = {}): Co<Record<string, unknown> | null> {
  const r = yield* devRpc(ctx, fd, { type: IO_DEVCTL, dcmd: cmd, data: arg, bytes: 32 + (Array.isArray(arg.insns) ? arg.insns.length * 8 : 0) });
  const e = devFailed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  return (r.data as Record<string, unknown>) ?? {};
}

/** read(fd, buf, bufsize): the buffer of bpf_hdr records, or null with errno set. `nonblock` is O_NONBLOCK. */
export function* bpfRead(ctx: ThreadCtx, fd: number, nbytes: number, nonblock = false): Co<Uint8Array | null> {
  const r = yield* devRpc(ctx, fd, { type: IO_READ, nbytes, flags: nonblock ? MSG_DONTWAIT : 0, bytes: 32 });
  const e = devFailed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  return (r.data as ReadReplyData).data;
}

/** write(fd, frame, len): one link-layer frame; bytes written or -1. */
export function* bpfWrite(ctx: ThreadCtx, fd: number, frame: Uint8Array): Co<number> {
  const pktId = newPacketId(ctx);
  ctx.trace('app', 'send', pktId, { pid: ctx.pid, fd, len: frame.length });
  const r = yield* devRpc(ctx, fd, { type: IO_WRITE, data: frame, to: null, flags: 0, pktId, bytes: frame.length + 32 });
  const e = devFailed(r);
  if (e) {
    setErrno(ctx, e);
    return -1;
  }
  return r.status;
}

export function* bpfClose(ctx: ThreadCtx, fd: number): Co<void> {
  yield* devRpc(ctx, fd, { type: IO_CLOSE, bytes: 16 });
  try {
    ctx.ConnectDetach(fd);
  } catch {
    /* io-pkt gone */
  }
}
