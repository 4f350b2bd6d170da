/**
 * msgping: message round trips to a resource manager (a qnxemu test utility, not a QNX program; the peer of
 * msgecho). It open()s the path as libc does (stack/lib/connect.ts: procnto, then redirects, so locally or
 * through Qnet: /net/beta/dev/echo, /net/beta~preferred:en1/dev/echo) and, every interval, sends one
 * `_IO_MSG` (mgrid _IOMGR_PRIVATE_BASE) whose payload starts with the sequence number (u32, little-endian),
 * then blocks in MsgSend until the reply. The round trip is the virtual time
 * from the thread's point on its CPU timeline before MsgSend to its return. Output has ping's shape, so
 * scenario `latency: { from: ping }` expectations read it:
 *   MSGPING /net/beta/dev/echo: 64 data bytes
 *   64 bytes from /net/beta/dev/echo: seq=0 time=1.234 ms
 *   msgping: seq=7: Host is down                      (a failed send; msgping goes on)
 *   --- /net/beta/dev/echo msgping statistics ---
 *   20 messages sent, 20 replies, 0.0% loss
 *   round-trip min/avg/max = 1.100/1.150/1.234 ms
 * Pacing: the next message is due one interval after the previous one was due; one that is overdue (the
 * previous round trip took longer) goes at once and the schedule restarts from it, so a stall is followed by
 * no burst (ping, whose sends do not block, keeps its schedule instead). A reply that is not the message
 * sent counts as no reply and is reported. Terminated (slay) before the end, it prints the statistics so far.
 * Exit status: 0 if any reply arrived, 2 if none, 1 on usage or open errors.
 *
 *   msgping [-c count] [-i interval] [-s size] [-p priority] path
 */
import { Errno, KernelError, type Co, type ProgramMain, type Reply, type ThreadCtx } from '../kernel/api';
import { IO_MSG, type RawIoMsg } from '../include/sys/iomsg';
import { close, open, pathStrerror } from '../lib/connect';
import { getopt, strtod, strtol } from '../lib/getopt';
import { errno } from '../lib/socket';
import { IO_MSG_HDR_BYTES, MSGECHO_MGRID, MSGECHO_SUBTYPE } from './msgecho';

const USAGE = 'usage: msgping [-c count] [-i interval] [-s size] [-p priority] path\n';
const SEC = 1e9;
/** The payload must hold the sequence number. */
const MIN_SIZE = 4;
/** [ours] the largest payload msgping sends (Qnet fragments it at mtu_en). */
const MAX_SIZE = 65536;

interface Stats {
  sent: number;
  replies: number;
  tmin: number;
  tmax: number;
  tsum: number;
}

/** The statistics lines (also printed when msgping is terminated). */
export function formatMsgpingSummary(path: string, s: Stats): string {
  const loss = s.sent > 0 ? (100 * (s.sent - s.replies)) / s.sent : 0;
  let t = `--- ${path} msgping statistics ---\n${s.sent} messages sent, ${s.replies} replies, ${loss.toFixed(1)}% loss\n`;
  if (s.replies > 0) {
    const f = (ns: number) => (ns / 1e6).toFixed(3);
    t += `round-trip min/avg/max = ${f(s.tmin)}/${f(s.tsum / s.replies)}/${f(s.tmax)} ms\n`;
  }
  return t;
}

/** The payload of message `seq`: the sequence number, then bytes counting up (as ping's pattern). */
export function msgpingPayload(seq: number, size: number): Uint8Array {
  const p = new Uint8Array(size);
  for (let i = MIN_SIZE; i < size; i++) p[i] = i & 0xff;
  new DataView(p.buffer).setUint32(0, seq >>> 0, true);
  return p;
}

function sameBytes(a: unknown, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** MsgSend; a kernel error (EHOSTDOWN when Qnet gave up on the node, ESRCH, EBADF) becomes a reply with its errno. */
function* rpc(ctx: ThreadCtx, coid: number, msg: RawIoMsg): Co<Reply> {
  try {
    return yield* ctx.MsgSend(coid, msg);
  } catch (e) {
    if (e instanceof KernelError) return { status: -1, errno: e.errno };
    throw e;
  }
}

function replyErrno(r: Reply): number {
  return r.status < 0 || (r.errno !== undefined && r.errno !== 0) ? (r.errno ?? Errno.EIO) : 0;
}

export const msgping: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const out = (s: string) => ctx.print(s);
  const bad = (m: string) => {
    out(`msgping: ${m}\n${USAGE}`);
    return 1;
  };
  const g = getopt(argv, 'c:i:s:p:');
  if (g.errors.length > 0) return bad(g.errors.join('; '));
  let count = Number.MAX_SAFE_INTEGER;
  let interval = 1;
  let size = 56;
  let prio = 0;
  for (const { opt, arg } of g.opts) {
    const a = arg ?? '';
    if (opt === 'i') {
      const n = strtod(a);
      if (n === null || !(n > 0)) return bad(`bad interval: ${a}`);
      interval = n;
      continue;
    }
    const n = strtol(a);
    if (opt === 'c') {
      if (n === null || n <= 0) return bad(`bad count: ${a}`);
      count = n;
    } else if (opt === 's') {
      if (n === null || n < MIN_SIZE || n > MAX_SIZE) return bad(`bad size: ${a} (${MIN_SIZE}..${MAX_SIZE}: the sequence number takes 4 bytes)`);
      size = n;
    } else if (opt === 'p') {
      if (n === null || n < 1 || n > 255) return bad(`bad priority: ${a} (1..255)`);
      prio = n;
    }
  }
  if (g.operands.length !== 1) return bad(g.operands.length === 0 ? 'no path' : 'too many operands');
  const path = g.operands[0]!;
  if (prio) ctx.setPriority(prio);
  const intervalNs = Math.round(interval * SEC);

  const fd = yield* open(ctx, path);
  if (fd < 0) {
    out(`msgping: ${path}: ${pathStrerror(errno(ctx))}\n`);
    return 1;
  }
  const st: Stats = { sent: 0, replies: 0, tmin: Infinity, tmax: 0, tsum: 0 };
  let printed = false;
  const summary = () => {
    if (printed) return;
    printed = true;
    out(formatMsgpingSummary(path, st));
  };
  ctx.onTerminate(summary);
  out(`MSGPING ${path}: ${size} data bytes\n`);

  let due = ctx.now();
  for (let seq = 0; seq < count; seq++) {
    const payload = msgpingPayload(seq, size);
    const msg: RawIoMsg = { type: IO_MSG, mgrid: MSGECHO_MGRID, subtype: MSGECHO_SUBTYPE, data: payload, bytes: IO_MSG_HDR_BYTES + size };
    const t0 = ctx.clockNow?.() ?? ctx.now();
    st.sent++;
    const r = yield* rpc(ctx, fd, msg);
    const rtt = ctx.now() - t0;
    const e = replyErrno(r);
    if (e) out(`msgping: seq=${seq}: ${pathStrerror(e)}\n`);
    else if (!sameBytes(r.data, payload)) out(`msgping: seq=${seq}: the reply is not the message sent\n`);
    else {
      st.replies++;
      st.tsum += rtt;
      st.tmin = Math.min(st.tmin, rtt);
      st.tmax = Math.max(st.tmax, rtt);
      out(`${size} bytes from ${path}: seq=${seq} time=${(rtt / 1e6).toFixed(3)} ms\n`);
    }
    if (seq + 1 >= count) break;
    due += intervalNs;
    const now = ctx.now();
    if (due > now) yield* ctx.sleep(due - now);
    else due = now;
  }
  summary();
  yield* close(ctx, fd);
  return st.replies > 0 ? 0 : 2;
};
