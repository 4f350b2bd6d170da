/**
 * What the C library does for every device a program opens by path (/dev/bpf, /dev/pf): open(2) through
 * lib/connect.ts (`_connect`: procnto's table, ConnectAttach, `_IO_CONNECT` open, redirects followed) with the
 * `$SOCK` prefix io-pkt instances are started under, and MsgSend that turns a kernel error into a reply
 * carrying its errno. C conventions: -1 with errno set (libsocket's errno).
 */
import type { Co } from '../kernel/api';
import { ioFailed, ioRpc, open } from './connect';

/** MsgSend; a KernelError (the server went away: EBADF/ESRCH) becomes a Reply with its errno. */
export const devRpc = ioRpc;

/** The errno a reply carries (0 = success). */
export const devFailed = ioFailed;

/** open(path, O_RDWR) on a device: the connection id, or -1 with errno (ENOENT: nobody serves the path). `$SOCK` prefixes it. */
export function* devOpen(ctx: Parameters<typeof open>[0], path: string): Co<number> {
  return yield* open(ctx, `${ctx.env.SOCK ?? ''}${path}`);
}
