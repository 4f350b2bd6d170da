/**
 * Edges of tcp_output and the TCP timers (stack/net/tcp/output.ts, subr.ts, timers.ts) against the scripted
 * peer: the restart window after idle, a window that closes with data in flight, the persist timer only when
 * data waits, output counters, the persist timer cleared once data goes, the establishment timer against
 * SO_KEEPALIVE, and the endpoint strings of the TCP trace records. Times follow the timer model: slow ticks at
 * multiples of 500 ms, a timer of N ticks firing on the N-th tick after it was set; RTO at least TCPTV_MIN
 * (2 ticks = 1 s) and doubled per timeout (RFC 6298 §5.5); persist clamped to [5 s, 60 s] (tcp_setpersist).
 */
import { Errno } from '../../stack/kernel/api';
import { TCP_MAXSEG } from '../../stack/include/netinet/tcp';
import { IPPROTO_TCP } from '../../stack/include/netinet/in';
import { SOL_SOCKET, SO_KEEPALIVE } from '../../stack/include/sys/socket';
import type { Socket } from '../../stack/net/socket';
import { TH_ACK, TH_SYN } from '../../stack/net/wire/tcp';
import { formatTcpStats } from '../../stack/utils/netstat-stats';
import { Peer, stateOf } from './tcp-peer';

const ISS = 1000;
const PISS = 5000;
const S = ISS + 1;
const A = { sport: 40000, dport: 1025 };
const MS = 1_000_000;
const SEC = 1_000_000_000;

function peer(): Peer {
  const p = new Peer();
  p.env.random32 = () => ISS;
  return p;
}

/** Our active open; the peer's SYN-ACK (MSS 1000, no timestamps: 1000-byte segments) arrives 10 ms later. */
function active(p: Peer, win = 65535): Socket {
  const so = p.connect(40000, 1025);
  p.out();
  p.advanceTo(10 * MS);
  p.send({ ...A, seq: PISS, ack: S, flags: TH_SYN | TH_ACK, win, opts: { mss: 1000 } });
  p.out();
  expect(stateOf(so)).toBe('ESTABLISHED');
  return so;
}

const ack = (p: Peer, a: number, win = 65535) => p.send({ ...A, seq: PISS + 1, ack: S + a, flags: TH_ACK, win });

describe('the restart window after an idle period (RFC 5681 §4.1, NetBSD tcp_output)', () => {
  /** Grow cwnd to 16 segments by slow start, then write 20 000 bytes `gap` ns after the last ACK. */
  function burstAfter(gap: number): number {
    const p = peer();
    const so = active(p);
    p.s.sockets.sendStream(so, new Uint8Array(12000), 1);
    p.out();
    p.advanceTo(20 * MS);
    for (let a = 1000; a <= 12000; a += 1000) ack(p, a);
    p.out();
    p.advanceTo(20 * MS + gap);
    p.s.sockets.sendStream(so, new Uint8Array(20000), 2);
    return p.out().filter((r) => r.payload.length > 0).length;
  }

  it('a connection quiet for less than the RTO (1 s) sends its whole cwnd', () => {
    expect(burstAfter(500 * MS)).toBe(16);
  });

  it('an ESTABLISHED connection quiet for more than the RTO starts again from the initial window (4 segments)', () => {
    // RW = min(IW, cwnd); IW = min(4·MSS, max(2·MSS, 4380)) = 4000 bytes (RFC 3390).
    expect(burstAfter(1500 * MS)).toBe(4);
  });
});

describe('the peer closes its window with our data in flight (tcp_output "window shrank")', () => {
  it('the retransmit timer stops and the persist timer probes the window with one byte at snd_una', () => {
    const p = peer();
    const so = active(p);
    p.s.sockets.sendStream(so, new Uint8Array(2000), 1);
    expect(p.out().map((r) => [r.seq - S, r.payload.length])).toEqual([[0, 1000], [1000, 1000]]);
    p.advanceTo(20 * MS);
    ack(p, 1000, 0);
    expect(p.out()).toEqual([]);
    // Persist set at 20 ms: max(RTO 2 ticks, TCPTV_PERSMIN 10 ticks) → the tick at 5.0 s. A zero window is
    // never a reason to time the connection out (RFC 1122 §4.2.2.17): no retransmission timeout happens.
    const { t, segs } = p.advanceUntilOutput(30 * SEC);
    expect(t).toBe(5 * SEC);
    expect(segs.map((r) => [r.seq - S, r.payload.length])).toEqual([[1000, 1]]);
    expect(p.s.tcp.stats.rexmttimeo).toBe(0);
    expect(p.s.tcp.stats.sndprobe).toBe(1);
    expect(stateOf(so)).toBe('ESTABLISHED');
  });
});

describe('a connection that only receives', () => {
  /** 100 bytes from the peer at 20 ms, our delayed ACK, the application reads them. */
  function receiveOnly() {
    const p = peer();
    const so = active(p);
    const before = { ...p.s.tcp.stats };
    p.advanceTo(20 * MS);
    p.send({ ...A, seq: PISS + 1, ack: S, flags: TH_ACK, data: new Uint8Array(100) });
    expect(p.out()).toEqual([]);
    p.advanceTo(300 * MS);
    const acks = p.out();
    expect(acks.map((r) => [r.flags, r.ack, r.payload.length])).toEqual([[TH_ACK, PISS + 101, 0]]);
    const r = p.s.sockets.receiveStream(so, 1000, false);
    expect(typeof r === 'object' && r.data.length).toBe(100);
    return { p, before };
  }

  it('counts its delayed ACK as an ack-only packet, not a data packet (netstat -s)', () => {
    const { p, before } = receiveOnly();
    const st = p.s.tcp.stats;
    expect([st.sndacks - before.sndacks, st.delack - before.delack, st.sndpack - before.sndpack]).toEqual([1, 1, 0]);
    expect(formatTcpStats(st)).toContain('\t\t0 data packets (0 bytes)\n');
  });

  it('arms no persist timer when nothing waits to be sent; an idle connection has no timer at all', () => {
    const { p } = receiveOnly();
    p.advanceTo(60 * SEC);
    expect(p.out()).toEqual([]);
    expect(p.s.tcp.stats.persisttimeo).toBe(0);
    expect(p.s.callouts.next()).toBeNull();
  });
});

describe('the persist timer once the window opens (tcp_output: REXMT replaces PERSIST)', () => {
  it('data sent after a window update runs on the retransmit timer alone: 1 s, then doubling from there', () => {
    const p = peer();
    const so = active(p, 0);
    p.s.sockets.sendStream(so, new Uint8Array(100), 1);
    expect(p.out()).toEqual([]); // zero window: persist armed at 10 ms (the tick at 5.0 s)
    p.advanceTo(1200 * MS);
    p.send({ ...A, seq: PISS + 1, ack: S, flags: TH_ACK, win: 65535 }); // the window opens
    expect(p.out().map((r) => [r.seq - S, r.payload.length])).toEqual([[0, 100]]);
    // Never acknowledged: the retransmit timer (2 ticks from 1.2 s → 2.0 s; then 4 and 8 ticks with the
    // backoff starting from 0) resends it. The persist timer and its backoff are gone.
    const times: number[] = [];
    while (times.length < 3) {
      const { t, segs } = p.advanceUntilOutput(30 * SEC);
      expect(segs.map((r) => [r.seq - S, r.payload.length])).toEqual([[0, 100]]);
      times.push(t / SEC);
    }
    expect(times).toEqual([2, 4, 8]);
    expect(p.s.tcp.stats.persisttimeo).toBe(0);
  });
});

describe('SO_KEEPALIVE while the SYN is out', () => {
  it('leaves the 75 s connection-establishment timer (TCPTV_KEEP_INIT) in charge', () => {
    const p = peer();
    const so = p.connect();
    p.out();
    // Keepalive applies to established connections only (NetBSD arms TCPT_KEEP with t_keepidle only then).
    expect(p.s.sockets.setsockopt(so, SOL_SOCKET, SO_KEEPALIVE, 1)).toBe(0);
    p.advanceTo(74 * SEC);
    expect(stateOf(so)).toBe('SYN_SENT');
    p.advanceTo(76 * SEC);
    expect(stateOf(so)).toBe('CLOSED');
    expect(so.error).toBe(Errno.ETIMEDOUT);
    expect(p.s.tcp.stats.keepdrops).toBe(1);
  });
});

describe('TCP trace records', () => {
  it('name both ends as address.port (docs/formats/trace.md)', () => {
    const p = peer();
    active(p);
    const rec = (probe: string) => p.env.traces.filter((t) => t.layer === 'tcp' && t.probe === probe).map((t) => [t.f!['src'], t.f!['dst'], t.f!['flags']]);
    expect(rec('output').slice(0, 2)).toEqual([['10.77.0.2.1025', '10.77.0.1.40000', 'S'], ['10.77.0.2.1025', '10.77.0.1.40000', '.']]);
    expect(rec('input')).toEqual([['10.77.0.1.40000', '10.77.0.2.1025', 'S.']]);
  });
});

describe('TCP_MAXSEG (tcp_ctloutput)', () => {
  it('refuses 0 and negative sizes with EINVAL and keeps the segment size', () => {
    const p = peer();
    const so = active(p);
    // NetBSD takes only 0 < optval ≤ the current maximum; anything else is EINVAL.
    for (const v of [0, -1, -1000]) expect(p.s.sockets.setsockopt(so, IPPROTO_TCP, TCP_MAXSEG, v)).toBe(Errno.EINVAL);
    expect(p.s.sockets.getsockopt(so, IPPROTO_TCP, TCP_MAXSEG)).toBe(1000);
    p.s.sockets.sendStream(so, new Uint8Array(1500), 1);
    expect(p.out().map((r) => r.payload.length)).toEqual([1000, 500]);
  });
});
