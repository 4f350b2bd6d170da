/**
 * udpsink: receives UDP datagrams on a port and counts them (a qnxemu test utility, not a QNX program).
 * Datagrams stamped by udpgen give sequence numbers (duplicates, reordering, gaps) and one-way latency
 * (receive time minus the stamp; both nodes run on the one virtual clock). It prints a summary when it has
 * received `-c` datagrams or when it is terminated (slay, or the scenario runner at the end of a run):
 *   udpsink: port 9000: 100 datagrams received, 6400 bytes, 0 duplicates, 0 out of order, 0 missing
 *   udpsink: port 9000: latency min/avg/max = 0.512/0.530/0.610 ms
 *
 *   udpsink [-p port] [-c count] [-v]      (-v: a line per datagram)
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt, strtol } from '../lib/getopt';
import { sockaddrIn, sockaddrToString } from '../include/netinet/in';
import { AF_INET, SOCK_DGRAM } from '../include/sys/socket';
import { bind, close, errno, recvfrom, socket } from '../lib/socket';
import { ipToString } from '../net/wire/addr';
import { readStamp } from './udpgen';

const USAGE = 'usage: udpsink [-p port] [-c count] [-v]\n';

interface SinkStats {
  received: number;
  bytes: number;
  duplicates: number;
  outOfOrder: number;
  seen: Set<number>;
  maxSeq: number;
  stamped: number;
  latMin: number;
  latMax: number;
  latSum: number;
}

export function formatSinkSummary(port: number, s: SinkStats): string {
  const missing = s.maxSeq < 0 ? 0 : s.maxSeq + 1 - s.seen.size;
  let t = `udpsink: port ${port}: ${s.received} datagrams received, ${s.bytes} bytes, ${s.duplicates} duplicates, ${s.outOfOrder} out of order, ${missing} missing\n`;
  if (s.stamped > 0) {
    const f = (ns: number) => (ns / 1e6).toFixed(3);
    t += `udpsink: port ${port}: latency min/avg/max = ${f(s.latMin)}/${f(s.latSum / s.stamped)}/${f(s.latMax)} ms\n`;
  }
  return t;
}

export const udpsink: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const out = (s: string) => ctx.print(s);
  const g = getopt(argv, 'p:c:v');
  if (g.errors.length > 0 || g.operands.length > 0) {
    out(`udpsink: ${g.errors.join('; ') || 'no operands'}\n${USAGE}`);
    return 1;
  }
  let port = 9000;
  let limit = 0;
  let verbose = false;
  for (const { opt, arg } of g.opts) {
    const n = strtol(arg ?? '');
    if (opt === 'v') verbose = true;
    else if (n === null || n <= 0 || (opt === 'p' && n > 65535)) {
      out(`udpsink: bad ${opt === 'p' ? 'port' : 'count'}: ${arg}\n${USAGE}`);
      return 1;
    } else if (opt === 'p') port = n;
    else limit = n;
  }
  const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
  if (s < 0) {
    out(`udpsink: socket: ${strerror(errno(ctx))}\n`);
    return 1;
  }
  if ((yield* bind(ctx, s, sockaddrIn(0, port))) < 0) {
    out(`udpsink: bind port ${port}: ${strerror(errno(ctx))}\n`);
    yield* close(ctx, s);
    return 1;
  }
  const st: SinkStats = { received: 0, bytes: 0, duplicates: 0, outOfOrder: 0, seen: new Set(), maxSeq: -1, stamped: 0, latMin: Infinity, latMax: 0, latSum: 0 };
  let printed = false;
  const summary = () => {
    if (printed) return;
    printed = true;
    out(formatSinkSummary(port, st));
  };
  ctx.onTerminate(summary);
  out(`udpsink: listening on port ${port}\n`);
  while (limit === 0 || st.received < limit) {
    const r = yield* recvfrom(ctx, s, 65535);
    if (r.n < 0) {
      out(`udpsink: recvfrom: ${strerror(errno(ctx))}\n`);
      break;
    }
    const now = ctx.now();
    st.received++;
    st.bytes += r.n;
    const stamp = readStamp(r.data);
    if (stamp) {
      if (st.seen.has(stamp.seq)) st.duplicates++;
      else {
        if (stamp.seq < st.maxSeq) st.outOfOrder++;
        st.seen.add(stamp.seq);
        st.maxSeq = Math.max(st.maxSeq, stamp.seq);
      }
      const lat = now - stamp.sent;
      st.stamped++;
      st.latSum += lat;
      st.latMin = Math.min(st.latMin, lat);
      st.latMax = Math.max(st.latMax, lat);
    }
    if (verbose) {
      const from = r.from ? sockaddrToString(r.from) : '?';
      out(`udpsink: ${r.n} bytes from ${from}${stamp ? ` seq=${stamp.seq} latency=${((now - stamp.sent) / 1e6).toFixed(3)} ms` : ''}\n`);
    }
  }
  summary();
  yield* close(ctx, s);
  return 0;
};
