/**
 * Loss recovery and the timers that keep a connection going, on two stacks joined back to back (1 ms each
 * way): fast retransmit and NewReno partial ACKs, retransmission timeouts with backoff, persist probes into a
 * zero window, keepalive probes and the drop after TCP_KEEPCNT unanswered ones.
 */
import { Errno } from '../../stack/kernel/api';
import { IPPROTO_TCP } from '../../stack/include/netinet/in';
import { TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL } from '../../stack/include/netinet/tcp';
import { SOL_SOCKET, SO_KEEPALIVE } from '../../stack/include/sys/socket';
import type { TcpCb } from '../../stack/net/tcp/tcpcb';
import { Pair, drain, pumpStream, type WireSeg } from './tcp-pair';

const pattern = (n: number) => new Uint8Array(n).map((_, i) => (i * 7) & 0xff);

/** Drop the first transmission of the data segments (from a) with these indices (0-based, in send order). */
function dropDataSegments(p: Pair, which: number[]): void {
  let i = 0;
  const dropped = new Set<number>();
  let maxEnd = -1;
  p.loss = (frame, from) => {
    if (from !== 'a' || frame.length < 14 + 20 + 20) return false;
    const ipHl = (frame[14]! & 0x0f) * 4;
    const tcp = frame.subarray(14 + ipHl);
    const len = frame.length - 14 - ipHl - (tcp[12]! >> 4) * 4;
    if (len === 0) return false;
    const seq = new DataView(tcp.buffer, tcp.byteOffset).getUint32(4);
    if (seq < maxEnd) return false; // a retransmission
    maxEnd = seq + len;
    const k = i++;
    if (which.includes(k)) {
      dropped.add(k);
      return true;
    }
    return false;
  };
}

function send(p: Pair, n: number): ReturnType<typeof pumpStream> {
  return pumpStream(p, pattern(n));
}

/** Both ends without SACK (net.inet.tcp.sack.enable=0): recovery is NewReno's; tcp-sack.test.ts has the SACK side. */
function noSack(p: Pair): void {
  p.a.s.tcp.sackEnable = false;
  p.b.s.tcp.sackEnable = false;
}

const rexmits = (segs: WireSeg[]) => segs.filter((s) => s.from === 'a' && s.len > 0 && !s.dropped).length;

describe('fast retransmit and NewReno (RFC 5681 §3.2, RFC 6582)', () => {
  it('one lost segment: three duplicate ACKs bring one retransmission, no timeout', () => {
    const p = new Pair();
    noSack(p);
    dropDataSegments(p, [12]);
    const { got } = send(p, 100_000);
    expect(Buffer.from(got).equals(Buffer.from(pattern(100_000)))).toBe(true);
    const st = p.a.s.tcp.stats;
    expect(st.sndrexmitpack).toBe(1);
    expect(st.rexmttimeo).toBe(0);
    expect(p.a.env.probes('tcp').filter((x) => x === 'fastrexmt')).toHaveLength(1);
    // The bytes on the wire: every data segment once, plus the one retransmission (of 1448 bytes).
    expect(st.sndrexmitbyte).toBe(1448);
    expect(p.b.s.tcp.stats.rcvoopack).toBeGreaterThan(2);
    expect(rexmits(p.segs) - p.dataSegs('a').filter((s) => !s.dropped).length).toBe(0);
  });

  it('two losses in one window: the partial ACK retransmits the second hole at once (NewReno), no timeout', () => {
    const p = new Pair();
    noSack(p);
    dropDataSegments(p, [12, 15]);
    const { got } = send(p, 100_000);
    expect(got.length).toBe(100_000);
    const st = p.a.s.tcp.stats;
    expect(st.sndrexmitpack).toBe(2);
    expect(st.rexmttimeo).toBe(0);
    const probes = p.a.env.probes('tcp');
    expect(probes.filter((x) => x === 'fastrexmt')).toHaveLength(1);
    expect(probes.filter((x) => x === 'partialack')).toHaveLength(1);
    // After recovery cwnd is back at ssthresh.
    const tp = p.a.s.tcp.cbs.find((t) => t.so.fport === 5001) as TcpCb;
    expect(tp.dupacks).toBe(0);
  });
});

describe('retransmission timeout (RFC 6298) with backoff', () => {
  it('doubles 1, 2, 4, 8 … 64 s and drops the connection with ETIMEDOUT after 12 retransmissions', () => {
    const p = new Pair();
    const { cli } = p.connect();
    p.loss = (_f, from) => from === 'a';
    p.step(300e6); // away from the handshake, between slow ticks
    const t0 = p.now;
    expect(p.a.s.sockets.sendStream(cli, pattern(100), 9)).toBe(100);
    p.step(1000e9, () => cli.error !== 0 || !cli.isConnected);
    const sends = p.segs.filter((s) => s.from === 'a' && s.len === 100).map((s) => s.t);
    expect(sends[0]).toBe(t0);
    // RTO 1 s (2 slow ticks; a 2 ms RTT is far below the 500 ms granularity): the first tick after t0 counts one.
    const tick = 500e6;
    const first = (Math.floor(t0 / tick) + 1) * tick + tick;
    const expected = [t0, first];
    for (const ticks of [4, 8, 16, 32, 64, 128, 128, 128, 128, 128, 128]) expected.push(expected[expected.length - 1]! + ticks * tick);
    expect(sends).toEqual(expected);
    expect(cli.error === 0 ? 'none' : cli.error).toBe(Errno.ETIMEDOUT);
    expect(p.a.s.tcp.stats.rexmttimeo).toBe(12);
    expect(p.a.s.tcp.stats.timeoutdrop).toBe(1);
  });
});

describe('zero window and persist (RFC 9293 §3.8.6.1)', () => {
  it('probes a closed window at 5 s, 5 s, 5 s, 8 s … and resumes when the reader drains', () => {
    const p = new Pair();
    const { cli, srv } = p.connect();
    const data = pattern(60_000);
    let sent = 0;
    const write = () => {
      while (sent < data.length) {
        const k = p.a.s.sockets.sendStream(cli, data.subarray(sent), 1);
        if (k <= 0) break;
        sent += k;
      }
    };
    write();
    p.step(60e9, () => (write(), false));
    // b's 32 KiB so_rcv is full and a's window closed; probes are one byte.
    expect(srv.stream!.rcv.cc).toBe(32768);
    const probes = p.segs.filter((s) => s.from === 'a' && s.len === 1).map((s) => s.t);
    expect(probes.length).toBeGreaterThanOrEqual(5);
    const gaps = probes.slice(1).map((t, i) => (t - probes[i]!) / 1e9);
    // tcp_setpersist: RTO (1 s) × backoff, clamped to [5, 60] s: 5, 5, 5 (4 s → 5), 8, 16 …
    expect(gaps.slice(0, 4)).toEqual([5, 5, 8, 16]);
    expect(p.a.s.tcp.stats.sndprobe).toBe(probes.length);
    expect(p.b.s.tcp.stats.rcvwinprobe).toBe(probes.length);
    // The reader drains: the window update restarts the transfer; everything arrives.
    const got: Uint8Array[] = [];
    let n = 0;
    const read = () => {
      write();
      const d = drain(p.b, srv);
      got.push(d);
      n += d.length;
      return n === data.length;
    };
    read();
    p.step(10e9, read);
    expect(Buffer.from(Buffer.concat(got)).equals(Buffer.from(data))).toBe(true);
  });
});

describe('keepalive (RFC 1122 §4.2.3.6)', () => {
  it('probes after TCP_KEEPIDLE, every TCP_KEEPINTVL when unanswered, and drops after TCP_KEEPCNT', () => {
    const p = new Pair();
    const { cli } = p.connect();
    const so = p.a.s.sockets;
    expect(so.setsockopt(cli, IPPROTO_TCP, TCP_KEEPIDLE, 10)).toBe(0);
    expect(so.setsockopt(cli, IPPROTO_TCP, TCP_KEEPINTVL, 5)).toBe(0);
    expect(so.setsockopt(cli, IPPROTO_TCP, TCP_KEEPCNT, 3)).toBe(0);
    expect(so.setsockopt(cli, SOL_SOCKET, SO_KEEPALIVE, 1)).toBe(0);
    expect(so.getsockopt(cli, IPPROTO_TCP, TCP_KEEPIDLE)).toBe(10);
    // Set within the first slow tick: 20 ticks → the first probe at 10 s; b answers it, so the next comes
    // after another idle period (20 s); from 15 s on b hears nothing: probes at 25 and 30 s go unanswered
    // too, and at 35 s (3 unanswered) the connection is dropped.
    p.loss = (_f, from) => from === 'a' && p.now >= 15e9;
    p.step(100e9, () => !cli.isConnected);
    const probes = p.segs.filter((s) => s.from === 'a' && s.flags === '.' && s.len === 0 && s.t >= 1e9).map((s) => s.t / 1e9);
    expect(probes).toEqual([10, 20, 25, 30]);
    expect(p.now / 1e9).toBe(35);
    expect(cli.error).toBe(Errno.ETIMEDOUT);
    expect(p.a.s.tcp.stats.keepprobe).toBe(4);
    expect(p.a.s.tcp.stats.keepdrops).toBe(1);
  });
});
