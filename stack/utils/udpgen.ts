/**
 * udpgen: a UDP traffic generator (a qnxemu test utility, not a QNX program). Sends `-c` datagrams of `-s`
 * bytes to host:port, one every `-i` seconds (or `-r` per second), on a fixed schedule from the first send
 * (no drift: datagram k leaves at start + k × interval, or as soon as possible after if the sender was
 * late). Each payload starts with a stamp udpsink reads:
 *   bytes 0-3 "UGEN", 4-7 sequence number, 8-11 tv_sec, 12-15 tv_nsec of the send time (little-endian),
 * then a byte pattern. The clock is the node's, so latency measured by the sink is in virtual time.
 *
 *   udpgen [-c count] [-i interval | -r rate] [-s size] [-p port] host
 * Exit status: 0 when every datagram was handed to the stack, 1 on errors.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt, strtod, strtol } from '../lib/getopt';
import { sockaddrIn } from '../include/netinet/in';
import { AF_INET, SOCK_DGRAM } from '../include/sys/socket';
import { close, errno, sendto, socket } from '../lib/socket';
import { parseIpv4 } from '../net/wire/addr';

export const UGEN_MAGIC = [0x55, 0x47, 0x45, 0x4e]; // "UGEN"
export const UGEN_STAMP_LEN = 16;
const SEC = 1e9;
const USAGE = 'usage: udpgen [-c count] [-i interval | -r rate] [-s size] [-p port] host\n';

/** Write the stamp into the first UGEN_STAMP_LEN bytes of `buf`. */
export function writeStamp(buf: Uint8Array, seq: number, now: number): void {
  buf.set(UGEN_MAGIC, 0);
  const dv = new DataView(buf.buffer, buf.byteOffset, UGEN_STAMP_LEN);
  dv.setUint32(4, seq >>> 0, true);
  dv.setUint32(8, Math.floor(now / SEC), true);
  dv.setUint32(12, now % SEC, true);
}

/** Read a stamp: sequence number and send time (ns), or null when the payload carries none. */
export function readStamp(buf: Uint8Array): { seq: number; sent: number } | null {
  if (buf.length < UGEN_STAMP_LEN || UGEN_MAGIC.some((b, i) => buf[i] !== b)) return null;
  const dv = new DataView(buf.buffer, buf.byteOffset, UGEN_STAMP_LEN);
  return { seq: dv.getUint32(4, true), sent: dv.getUint32(8, true) * SEC + dv.getUint32(12, true) };
}

export const udpgen: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const out = (s: string) => ctx.print(s);
  const g = getopt(argv, 'c:i:r:s:p:');
  const bad = (msg: string): number => {
    out(`udpgen: ${msg}\n${USAGE}`);
    return 1;
  };
  if (g.errors.length > 0) return bad(g.errors.join('; '));
  let count = 10;
  let intervalNs = SEC / 10;
  let size = 64;
  let port = 9000;
  for (const { opt, arg } of g.opts) {
    const a = arg ?? '';
    if (opt === 'c') {
      const n = strtol(a);
      if (n === null || n <= 0) return bad(`bad count: ${a}`);
      count = n;
    } else if (opt === 'i' || opt === 'r') {
      const n = strtod(a);
      if (n === null || n <= 0) return bad(`bad ${opt === 'i' ? 'interval' : 'rate'}: ${a}`);
      intervalNs = Math.max(1, Math.round(opt === 'i' ? n * SEC : SEC / n));
    } else if (opt === 's') {
      const n = strtol(a);
      if (n === null || n < UGEN_STAMP_LEN || n > 65507) return bad(`bad size: ${a} (${UGEN_STAMP_LEN}..65507)`);
      size = n;
    } else if (opt === 'p') {
      const n = strtol(a);
      if (n === null || n <= 0 || n > 65535) return bad(`bad port: ${a}`);
      port = n;
    }
  }
  if (g.operands.length !== 1) return bad('one host');
  const host = g.operands[0]!;
  const dst = parseIpv4(host);
  if (dst === null) return bad(`cannot resolve ${host}`);

  const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
  if (s < 0) {
    out(`udpgen: socket: ${strerror(errno(ctx))}\n`);
    return 1;
  }
  const to = sockaddrIn(dst, port);
  const start = ctx.now();
  let sent = 0;
  let errors = 0;
  let lastError = '';
  for (let seq = 0; seq < count; seq++) {
    const due = start + seq * intervalNs;
    const now = ctx.now();
    if (due > now) yield* ctx.sleep(due - now);
    const buf = new Uint8Array(size);
    for (let i = UGEN_STAMP_LEN; i < size; i++) buf[i] = i & 0xff;
    writeStamp(buf, seq, ctx.now());
    const n = yield* sendto(ctx, s, buf, 0, to);
    if (n === size) sent++;
    else {
      errors++;
      lastError = n < 0 ? strerror(errno(ctx)) : `short write ${n}`;
    }
  }
  yield* close(ctx, s);
  const secs = ((ctx.now() - start) / SEC).toFixed(3);
  out(`udpgen: ${sent} datagrams of ${size} bytes sent to ${host}.${port} in ${secs} s${errors ? `, ${errors} errors (${lastError})` : ''}\n`);
  return errors ? 1 : 0;
};
