/**
 * msgecho: a resource manager that echoes messages (a qnxemu test utility, not a QNX program; the peer of
 * msgping). It registers a path (default /dev/echo) as a character device and answers, as a resmgr built on
 * QNX's iofunc layer would (<sys/iomsg.h>, resmgr_attach/iofunc_*_default):
 *   _IO_CONNECT open  → status 0 and an OCB bound to that connection (one per open)
 *   _IO_MSG           → with mgrid _IOMGR_PRIVATE_BASE (0xf000, <sys/iomgr.h>: application-private managers)
 *                       the same payload back; another mgrid → ENOSYS (iofunc's default for _IO_MSG); on a
 *                       connection with no OCB → EBADF
 *   _IO_STAT          → S_IFCHR | 0666, size 0
 *   _IO_READ          → 0 bytes (end of file, as /dev/null reads)
 *   _IO_CLOSE         → the OCB goes
 *   anything else     → ENOSYS
 * and _PULSE_CODE_DISCONNECT (its channel is made with _NTO_CHF_DISCONNECT): a client that went without
 * closing loses its OCB, as the resmgr layer's close_ocb does.
 *
 * msgping puts a sequence number in the first 4 payload bytes (little-endian). msgecho counts messages,
 * distinct sequence numbers and duplicates per OCB (each client numbers from 0), and prints the totals when
 * it is terminated (slay msgecho):
 *   msgecho: 20 messages, 20 distinct, 0 duplicates
 * A second msgecho on the same path is attached over the first and gets the new opens (QNX's pathname space
 * is a union: resmgr_attach of a taken path succeeds and the newest server is asked first).
 * With -v it prints each message's sender as MsgInfo gives it (nd is this node's ND for the client's node:
 * 0 for a local client):
 *   msgecho: nd 1 pid 4098 tid 1 prio 10: seq=3 64 bytes
 *
 *   msgecho [-v] [path]
 */
import { Errno, _NTO_CHF_DISCONNECT, _PULSE_CODE_DISCONNECT, type Co, type Message, type MsgInfo, type ProgramMain, type ThreadCtx } from '../kernel/api';
import { IO_CLOSE, IO_CONNECT, IO_MSG, IO_READ, IO_STAT, S_IFCHR, type RawIoMsg, type StatData } from '../include/sys/iomsg';
import { getopt } from '../lib/getopt';

const USAGE = 'usage: msgecho [-v] [path]\n';

/** <sys/iomgr.h> _IOMGR_PRIVATE_BASE: the mgrid range for application-private managers. */
export const _IOMGR_PRIVATE_BASE = 0xf000;
/** The mgrid and subtype msgping's messages carry. */
export const MSGECHO_MGRID = _IOMGR_PRIVATE_BASE;
export const MSGECHO_SUBTYPE = 1;
/** struct _io_msg: type u16, combine_len u16, mgrid u16, subtype u16. */
export const IO_MSG_HDR_BYTES = 8;
/** struct stat as QNX lays it out (what a real _IO_STAT reply copies). */
const STAT_BYTES = 72;

/** A manager-specific _IO_MSG (RawIoMsg), as opposed to io-pkt's socket-option _IO_MSG with a string subtype. */
export function isRawIoMsg(m: Message): m is Message & RawIoMsg {
  return m.type === IO_MSG && typeof m['mgrid'] === 'number' && typeof m['subtype'] === 'number' && m['data'] instanceof Uint8Array;
}

/** The sequence number msgping put in a payload, or null when it is shorter than 4 bytes. */
export function payloadSeq(data: Uint8Array): number | null {
  if (data.length < 4) return null;
  return new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
}

/** One open of the device. */
interface Ocb {
  seen: Set<number>;
}

export interface EchoCounts {
  messages: number;
  distinct: number;
  duplicates: number;
}

export function formatEchoSummary(c: EchoCounts): string {
  return `msgecho: ${c.messages} messages, ${c.distinct} distinct, ${c.duplicates} duplicates\n`;
}

export const msgecho: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const out = (s: string) => ctx.print(s);
  const g = getopt(argv, 'v');
  if (g.errors.length > 0 || g.operands.length > 1) {
    out(`msgecho: ${g.errors.join('; ') || 'too many operands'}\n${USAGE}`);
    return 1;
  }
  const verbose = g.opts.some((o) => o.opt === 'v');
  const path = g.operands[0] ?? '/dev/echo';
  if (!path.startsWith('/') || path.endsWith('/')) {
    out(`msgecho: ${path}: not an absolute file path\n${USAGE}`);
    return 1;
  }
  const chid = ctx.ChannelCreate(_NTO_CHF_DISCONNECT);
  ctx.pathAttach(path, chid);

  const ocbs = new Map<number, Ocb>();
  const counts: EchoCounts = { messages: 0, distinct: 0, duplicates: 0 };
  ctx.onTerminate(() => {
    ctx.pathDetach(path);
    out(formatEchoSummary(counts));
  });

  const echo = (rcvid: number, msg: RawIoMsg, info: MsgInfo, ocb: Ocb) => {
    if (msg.mgrid !== MSGECHO_MGRID) {
      ctx.MsgError(rcvid, Errno.ENOSYS);
      return;
    }
    counts.messages++;
    const seq = payloadSeq(msg.data);
    if (seq !== null) {
      if (ocb.seen.has(seq)) counts.duplicates++;
      else {
        ocb.seen.add(seq);
        counts.distinct++;
      }
    }
    if (verbose) {
      out(`msgecho: nd ${info.nd ?? 0} pid ${info.pid} tid ${info.tid} prio ${info.priority}: ${seq === null ? 'no seq' : `seq=${seq}`} ${msg.data.length} bytes\n`);
    }
    ctx.MsgReply(rcvid, { status: 0, data: msg.data.slice(), bytes: msg.data.length });
  };

  for (;;) {
    const r = yield* ctx.MsgReceive(chid);
    if (r.kind === 'pulse') {
      if (r.code === _PULSE_CODE_DISCONNECT) ocbs.delete(r.value);
      continue;
    }
    const { rcvid, msg, info } = r;
    const ocb = ocbs.get(info.scoid);
    switch (msg.type) {
      case IO_CONNECT:
        if (msg['subtype'] !== 'open') {
          ctx.MsgError(rcvid, Errno.ENOSYS);
          break;
        }
        ocbs.set(info.scoid, { seen: new Set() });
        ctx.MsgReply(rcvid, { status: 0 });
        break;
      case IO_MSG:
        if (!ocb) ctx.MsgError(rcvid, Errno.EBADF);
        else if (!isRawIoMsg(msg)) ctx.MsgError(rcvid, Errno.ENOSYS);
        else echo(rcvid, msg, info, ocb);
        break;
      case IO_STAT: {
        if (!ocb) {
          ctx.MsgError(rcvid, Errno.EBADF);
          break;
        }
        const st: StatData = { mode: S_IFCHR | 0o666, size: 0 };
        ctx.MsgReply(rcvid, { status: 0, data: st, bytes: STAT_BYTES });
        break;
      }
      case IO_READ:
        if (!ocb) ctx.MsgError(rcvid, Errno.EBADF);
        else ctx.MsgReply(rcvid, { status: 0, data: new Uint8Array(0), bytes: 0 });
        break;
      case IO_CLOSE:
        ocbs.delete(info.scoid);
        ctx.MsgReply(rcvid, { status: 0 });
        break;
      default:
        ctx.MsgError(rcvid, Errno.ENOSYS);
    }
  }
};
