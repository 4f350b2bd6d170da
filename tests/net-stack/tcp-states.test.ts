/**
 * TCP by state (RFC 9293 §3.10): one describe per state, one test per transition, against a scripted peer.
 * Our ISN is pinned (env.random32) so sequence numbers can be written out.
 */
import { Errno } from '../../stack/kernel/api';
import { ECONNRESET } from '../../stack/include/errno';
import { TH_ACK, TH_FIN, TH_RST, TH_SYN, type TcpRepr } from '../../stack/net/wire/tcp';
import { Peer, stateOf, tcb } from './tcp-peer';
import type { Socket } from '../../stack/net/socket';

const ISS = 1000;
const PISS = 5000;
const flagsOf = (r: TcpRepr) => r.flags;

function peer(): Peer {
  const p = new Peer();
  p.env.random32 = () => ISS;
  return p;
}

/** A passive open completed: listener on 80, child accepted. */
function passive(p: Peer): { lis: Socket; so: Socket } {
  const lis = p.listen(80);
  p.send({ seq: PISS, flags: TH_SYN, opts: { mss: 1460 } });
  const [synack] = p.out();
  expect(synack!.flags).toBe(TH_SYN | TH_ACK);
  p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK });
  const so = p.s.sockets.accept(lis) as Socket;
  expect(typeof so).toBe('object');
  return { lis, so };
}

/** An active open completed (peer without options). */
function active(p: Peer): Socket {
  const so = p.connect(40000, 1025);
  p.out();
  p.send({ sport: 40000, dport: 1025, seq: PISS, ack: ISS + 1, flags: TH_SYN | TH_ACK, opts: { mss: 1460 } });
  p.out();
  expect(stateOf(so)).toBe('ESTABLISHED');
  return so;
}
const A = { sport: 40000, dport: 1025 };

describe('LISTEN', () => {
  it('answers a SYN with a SYN-ACK carrying our options and the echoed timestamp; the child is in SYN_RCVD on q0', () => {
    const p = peer();
    const lis = p.listen(80);
    p.send({ seq: PISS, flags: TH_SYN, win: 29200, opts: { mss: 1200, wscale: 7, sackPermitted: true, ts: { val: 777, ecr: 0 } } });
    const out = p.out();
    expect(out).toHaveLength(1);
    const r = out[0]!;
    expect(r.flags).toBe(TH_SYN | TH_ACK);
    expect(r.seq).toBe(ISS);
    expect(r.ack).toBe(PISS + 1);
    // MSS from en0's MTU (1500 - 40); window scale 0 (32 KiB so_rcvbuf fits 65535); SACK-permitted, since the
    // SYN offered it (RFC 2018 §2); timestamps echoed.
    expect(r.options).toEqual({ mss: 1460, wscale: 0, sackPermitted: true, ts: { val: 0, ecr: 777 } });
    expect(r.window).toBe(32768);
    expect(lis.q0).toHaveLength(1);
    const child = lis.q0[0]!;
    expect(stateOf(child)).toBe('SYN_RCVD');
    expect(tcb(child).maxseg).toBe(1200);
    expect(tcb(child).snd_scale).toBe(7);
  });

  it('ignores a RST', () => {
    const p = peer();
    p.listen(80);
    p.send({ seq: PISS, flags: TH_RST });
    expect(p.out()).toHaveLength(0);
  });

  it('answers an ACK with a RST whose sequence number is the ACK', () => {
    const p = peer();
    p.listen(80);
    p.send({ seq: PISS, ack: 4242, flags: TH_ACK });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_RST);
    expect(r!.seq).toBe(4242);
  });

  it('drops SYNs beyond the backlog (qlimit 1 admits q + q0 up to 3/2 of it)', () => {
    const p = peer();
    const lis = p.listen(80, 1);
    for (const sport of [40001, 40002, 40003]) p.send({ sport, seq: PISS, flags: TH_SYN });
    const out = p.out();
    expect(out.map(flagsOf)).toEqual([TH_SYN | TH_ACK, TH_SYN | TH_ACK]);
    expect(lis.q0).toHaveLength(2);
    expect(p.s.tcp.stats.listendrop).toBe(1);
  });
});

describe('CLOSED (no socket)', () => {
  it('answers a SYN to a closed port with RST|ACK acknowledging the SYN', () => {
    const p = peer();
    p.send({ dport: 81, seq: PISS, flags: TH_SYN });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_RST | TH_ACK);
    expect(r!.seq).toBe(0);
    expect(r!.ack).toBe(PISS + 1);
    expect(p.s.tcp.stats.noport).toBe(1);
  });

  it('answers data without ACK with RST|ACK covering the data', () => {
    const p = peer();
    p.send({ dport: 81, seq: PISS, flags: TH_FIN, data: new Uint8Array(10) });
    const [r] = p.out();
    expect(r!.ack).toBe(PISS + 11);
  });

  it('never answers a RST', () => {
    const p = peer();
    p.send({ dport: 81, seq: PISS, flags: TH_RST });
    expect(p.out()).toHaveLength(0);
  });
});

describe('SYN_SENT', () => {
  it('connect sends a SYN with MSS, window scale and timestamp options', () => {
    const p = peer();
    const so = p.connect();
    const [r] = p.out();
    expect(r!.flags).toBe(TH_SYN);
    expect(r!.seq).toBe(ISS);
    // SACK-permitted too: net.inet.tcp.sack.enable is on by default, as in NetBSD (RFC 2018 §2).
    expect(r!.options).toEqual({ mss: 1460, wscale: 0, sackPermitted: true, ts: { val: 0, ecr: 0 } });
    expect(stateOf(so)).toBe('SYN_SENT');
    expect(so.isConnecting).toBe(true);
  });

  it('SYN-ACK → ESTABLISHED and ACK; options negotiated from the peer', () => {
    const p = peer();
    const so = p.connect(40000, 1025);
    p.out();
    p.send({ ...A, seq: PISS, ack: ISS + 1, flags: TH_SYN | TH_ACK, win: 5000, opts: { mss: 1000, wscale: 2, ts: { val: 9, ecr: 0 } } });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_ACK);
    expect(r!.seq).toBe(ISS + 1);
    expect(r!.ack).toBe(PISS + 1);
    expect(r!.options.ts).toEqual({ val: 0, ecr: 9 });
    expect(stateOf(so)).toBe('ESTABLISHED');
    expect(so.isConnected).toBe(true);
    const tp = tcb(so);
    expect(tp.maxseg).toBe(1000);
    expect(tp.snd_scale).toBe(2);
    expect(tp.snd_wnd).toBe(5000); // a SYN's window is never scaled
    // RFC 3390 in segments of 1000 less the 12-byte timestamp option: min(4·988, max(2·988, 4380)) = 3952.
    expect(tp.snd_cwnd).toBe(3952);
    expect(p.s.tcp.stats.connects).toBe(1);
  });

  it('a SYN-ACK without our options turns scaling and timestamps off', () => {
    const p = peer();
    const so = active(p);
    const tp = tcb(so);
    expect(tp.snd_scale).toBe(0);
    expect(tp.rcv_scale).toBe(0);
    expect(tp.flags & 0x0100).toBe(0);
    p.s.sockets.sendStream(so, new Uint8Array(10), 5);
    const [d] = p.out();
    expect(d!.options).toEqual({});
  });

  it('a SYN alone (simultaneous open) → SYN_RCVD, SYN-ACK; then the ACK → ESTABLISHED', () => {
    const p = peer();
    const so = p.connect(40000, 1025);
    p.out();
    p.send({ ...A, seq: PISS, flags: TH_SYN });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_SYN | TH_ACK);
    expect(r!.seq).toBe(ISS);
    expect(r!.ack).toBe(PISS + 1);
    expect(stateOf(so)).toBe('SYN_RCVD');
    p.send({ ...A, seq: PISS + 1, ack: ISS + 1, flags: TH_ACK });
    expect(stateOf(so)).toBe('ESTABLISHED');
    expect(so.isConnected).toBe(true);
  });

  it('an acceptable RST → ECONNREFUSED', () => {
    const p = peer();
    const so = p.connect(40000, 1025);
    p.out();
    p.send({ ...A, seq: 0, ack: ISS + 1, flags: TH_RST | TH_ACK });
    expect(stateOf(so)).toBe('CLOSED');
    expect(so.error).toBe(Errno.ECONNREFUSED);
    expect(so.isConnecting).toBe(false);
  });

  it('an ACK outside [ISS+1, SND.MAX] draws a RST and leaves the connection alone', () => {
    const p = peer();
    const so = p.connect(40000, 1025);
    p.out();
    p.send({ ...A, seq: PISS, ack: ISS + 50, flags: TH_SYN | TH_ACK });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_RST);
    expect(r!.seq).toBe(ISS + 50);
    expect(stateOf(so)).toBe('SYN_SENT');
  });

  it('retransmits the SYN at 3, 9, 21 and 45 s (3 s initial RTO doubled), gives up at 75 s with ETIMEDOUT', () => {
    const p = peer();
    const so = p.connect();
    p.out();
    // Slow ticks at every 500 ms; the 6-tick RTO set at 0 fires on the 6th tick (3 s), then 12, 24, 48 ticks.
    const times: number[] = [];
    for (;;) {
      const { t, segs } = p.advanceUntilOutput(100e9);
      if (segs.length === 0) break;
      expect(segs[0]!.flags).toBe(TH_SYN);
      expect(segs[0]!.seq).toBe(ISS);
      times.push(t / 1e9);
      if (stateOf(so) === 'CLOSED') break;
    }
    expect(times).toEqual([3, 9, 21, 45]);
    // TCPTV_KEEP_INIT (75 s = 150 ticks) ends the attempt before the fifth retransmission at 93 s.
    expect(stateOf(so)).toBe('CLOSED');
    expect(so.error).toBe(Errno.ETIMEDOUT);
    expect(p.s.tcp.stats.rexmttimeo).toBe(4);
    expect(p.s.tcp.stats.keepdrops).toBe(1);
  });
});

describe('SYN_RCVD', () => {
  it('the ACK of our SYN → ESTABLISHED, the child moves to q for accept()', () => {
    const p = peer();
    const lis = p.listen(80);
    p.send({ seq: PISS, flags: TH_SYN });
    p.out();
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK });
    expect(lis.q0).toHaveLength(0);
    expect(lis.q).toHaveLength(1);
    expect(stateOf(lis.q[0]!)).toBe('ESTABLISHED');
    expect(lis.readable()).toBe(true);
    expect(p.s.tcp.stats.accepts).toBe(1);
  });

  it('a RST at rcv_nxt removes the half-open connection', () => {
    const p = peer();
    const lis = p.listen(80);
    p.send({ seq: PISS, flags: TH_SYN });
    p.out();
    p.send({ seq: PISS + 1, flags: TH_RST });
    expect(lis.q0).toHaveLength(0);
    expect(p.s.tcp.cbs).toHaveLength(1); // the listener only
  });

  it('a retransmitted SYN gets the SYN-ACK again', () => {
    const p = peer();
    p.listen(80);
    p.send({ seq: PISS, flags: TH_SYN });
    p.out();
    p.send({ seq: PISS, flags: TH_SYN });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_SYN | TH_ACK);
    expect(r!.seq).toBe(ISS);
  });

  it('retransmits the SYN-ACK after the initial 3 s RTO', () => {
    const p = peer();
    p.listen(80);
    p.send({ seq: PISS, flags: TH_SYN });
    p.out();
    const { t, segs } = p.advanceUntilOutput(10e9);
    expect(t).toBe(3e9);
    expect(segs[0]!.flags).toBe(TH_SYN | TH_ACK);
  });
});

describe('ESTABLISHED', () => {
  it('delivers in-order data and delays the ACK to the next 200 ms fast tick', () => {
    const p = peer();
    const { so } = passive(p);
    p.env.t = 50e6;
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK, data: new Uint8Array([1, 2, 3]) });
    expect(p.out()).toHaveLength(0);
    expect(p.s.sockets.receiveStream(so, 100, false)).toEqual({ data: new Uint8Array([1, 2, 3]), pktId: expect.any(Number) });
    // Delayed ACK: the fast tick after 50 ms is at 200 ms.
    const { t, segs } = p.advanceUntilOutput(1e9);
    expect(t).toBe(200e6);
    expect(segs[0]!.ack).toBe(PISS + 4);
    expect(p.s.tcp.stats.delack).toBe(1);
  });

  it('acknowledges every second segment at once', () => {
    const p = peer();
    passive(p);
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK, data: new Uint8Array(1460) });
    expect(p.out()).toHaveLength(0);
    p.send({ seq: PISS + 1461, ack: ISS + 1, flags: TH_ACK, data: new Uint8Array(1460) });
    const out = p.out();
    expect(out).toHaveLength(1);
    expect(out[0]!.ack).toBe(PISS + 2921);
  });

  it('reassembles out-of-order segments with overlaps, ACKing each at once with rcv_nxt', () => {
    const p = peer();
    const { so } = passive(p);
    const bytes = new Uint8Array(100).map((_, i) => i);
    const base = PISS + 1;
    const seg = (from: number, to: number) => ({ seq: base + from, ack: ISS + 1, flags: TH_ACK, data: bytes.slice(from, to) });
    p.send(seg(50, 80)); // hole at 0
    p.send(seg(60, 100)); // overlaps the queued one's tail
    p.send(seg(40, 55)); // overlaps its head
    const acks = p.out().map((r) => r.ack);
    expect(acks).toEqual([base, base, base]);
    p.send(seg(0, 45)); // fills the hole, overlapping [40, 45)
    const [r] = p.out();
    expect(r!.ack).toBe(base + 100);
    const got = p.s.sockets.receiveStream(so, 1000, false);
    expect(typeof got === 'object' && Array.from(got.data)).toEqual(Array.from(bytes));
    // BSD counts every segment that goes through tcp_reass, the one filling the hole too.
    expect(p.s.tcp.stats.rcvoopack).toBe(4);
  });

  it('a duplicate segment is acknowledged at once and not delivered twice', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK, data: new Uint8Array([7]) });
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK, data: new Uint8Array([7]) });
    expect(p.out().map((r) => r.ack)).toEqual([PISS + 2]);
    expect(so.stream!.rcv.cc).toBe(1);
    expect(p.s.tcp.stats.rcvduppack).toBe(1);
  });

  it('a RST at rcv_nxt resets the connection (ECONNRESET)', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 1, flags: TH_RST });
    expect(stateOf(so)).toBe('CLOSED');
    expect(so.error).toBe(ECONNRESET);
    expect(so.isConnected).toBe(false);
  });

  it('a RST in the window but not at rcv_nxt gets a challenge ACK (RFC 5961 §3.2)', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 100, flags: TH_RST });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_ACK);
    expect(r!.ack).toBe(PISS + 1);
    expect(stateOf(so)).toBe('ESTABLISHED');
  });

  it('a RST outside the window is dropped silently', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS - 10, flags: TH_RST });
    expect(p.out()).toHaveLength(0);
    expect(stateOf(so)).toBe('ESTABLISHED');
  });

  it('a SYN in the window gets a challenge ACK (RFC 5961 §4)', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 10, flags: TH_SYN });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_ACK);
    expect(stateOf(so)).toBe('ESTABLISHED');
  });

  it('FIN → CLOSE_WAIT: acknowledged at once, the reader sees end of stream', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_FIN | TH_ACK });
    const [r] = p.out();
    expect(r!.ack).toBe(PISS + 2);
    expect(stateOf(so)).toBe('CLOSE_WAIT');
    expect(p.s.sockets.receiveStream(so, 10, false)).toEqual({ data: new Uint8Array(0), pktId: 0 });
  });

  it('close() sends FIN → FIN_WAIT_1', () => {
    const p = peer();
    const so = active(p);
    p.s.sockets.close(so);
    const [r] = p.out();
    expect(r!.flags).toBe(TH_FIN | TH_ACK);
    expect(r!.seq).toBe(ISS + 1);
    expect(stateOf(so)).toBe('FIN_WAIT_1');
  });

  it('close() with unread data discards it and sends FIN (NetBSD tcp_disconnect); data after the close gets RST', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK, data: new Uint8Array(5) });
    p.out();
    p.s.sockets.close(so);
    const [r] = p.out();
    expect(r!.flags).toBe(TH_FIN | TH_ACK);
    expect(stateOf(so)).toBe('FIN_WAIT_1');
    p.send({ seq: PISS + 6, ack: ISS + 2, flags: TH_ACK, data: new Uint8Array(3) });
    const [rst] = p.out();
    expect(rst!.flags & TH_RST).toBe(TH_RST);
    expect(p.s.tcp.stats.rcvafterclose).toBe(1);
    expect(p.s.tcp.cbs.filter((t) => t.so === so)).toHaveLength(0);
  });

  it('close() with SO_LINGER 0 resets', () => {
    const p = peer();
    const so = active(p);
    expect(p.s.sockets.setsockopt(so, 0xffff, 0x0080, { onoff: true, linger: 0 })).toBe(0);
    p.s.sockets.close(so);
    const [r] = p.out();
    expect(r!.flags).toBe(TH_RST | TH_ACK);
    expect(p.s.sockets.list.includes(so)).toBe(false);
  });
});

describe('CLOSE_WAIT', () => {
  it('close() → LAST_ACK with FIN; the ACK of the FIN → CLOSED and the socket freed', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_FIN | TH_ACK });
    p.out();
    p.s.sockets.close(so);
    const [r] = p.out();
    expect(r!.flags).toBe(TH_FIN | TH_ACK);
    expect(stateOf(so)).toBe('LAST_ACK');
    p.send({ seq: PISS + 2, ack: ISS + 2, flags: TH_ACK });
    expect(stateOf(so)).toBe('CLOSED');
    expect(p.s.sockets.list.includes(so)).toBe(false);
  });

  it('a RST → CLOSED with ECONNRESET', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_FIN | TH_ACK });
    p.send({ seq: PISS + 2, flags: TH_RST });
    expect(stateOf(so)).toBe('CLOSED');
    expect(so.error).toBe(ECONNRESET);
  });
});

describe('LAST_ACK', () => {
  it('a RST → CLOSED without error', () => {
    const p = peer();
    const { so } = passive(p);
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_FIN | TH_ACK });
    p.s.sockets.close(so);
    p.send({ seq: PISS + 2, flags: TH_RST });
    expect(stateOf(so)).toBe('CLOSED');
    expect(p.s.tcp.cbs.some((t) => t.so === so)).toBe(false);
  });
});

describe('FIN_WAIT_1', () => {
  function finWait1(): { p: Peer; so: Socket } {
    const p = peer();
    const so = active(p);
    p.s.sockets.shutdown(so, 1);
    p.out();
    expect(stateOf(so)).toBe('FIN_WAIT_1');
    return { p, so };
  }

  it('the ACK of our FIN → FIN_WAIT_2', () => {
    const { p, so } = finWait1();
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_ACK });
    expect(stateOf(so)).toBe('FIN_WAIT_2');
  });

  it('FIN with the ACK of ours → TIME_WAIT', () => {
    const { p, so } = finWait1();
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_FIN | TH_ACK });
    expect(stateOf(so)).toBe('TIME_WAIT');
    expect(p.out()[0]!.ack).toBe(PISS + 2);
  });

  it('FIN without the ACK of ours (simultaneous close) → CLOSING, then its ACK → TIME_WAIT', () => {
    const { p, so } = finWait1();
    p.send({ ...A, seq: PISS + 1, ack: ISS + 1, flags: TH_FIN | TH_ACK });
    expect(stateOf(so)).toBe('CLOSING');
    p.send({ ...A, seq: PISS + 2, ack: ISS + 2, flags: TH_ACK });
    expect(stateOf(so)).toBe('TIME_WAIT');
  });

  it('a RST → CLOSED (ECONNRESET)', () => {
    const { p, so } = finWait1();
    p.send({ ...A, seq: PISS + 1, flags: TH_RST });
    expect(stateOf(so)).toBe('CLOSED');
    expect(so.error).toBe(ECONNRESET);
  });

  it('retransmits the FIN when it is not acknowledged', () => {
    const { p } = finWait1();
    const { segs } = p.advanceUntilOutput(10e9);
    expect(segs[0]!.flags).toBe(TH_FIN | TH_ACK);
    expect(segs[0]!.seq).toBe(ISS + 1);
  });
});

describe('FIN_WAIT_2', () => {
  it('the peer can still send data (half-close); its FIN → TIME_WAIT', () => {
    const p = peer();
    const so = active(p);
    p.s.sockets.shutdown(so, 1);
    p.out();
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_ACK });
    expect(stateOf(so)).toBe('FIN_WAIT_2');
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_ACK, data: new Uint8Array([9, 9]) });
    expect(so.stream!.rcv.cc).toBe(2);
    p.send({ ...A, seq: PISS + 3, ack: ISS + 2, flags: TH_FIN | TH_ACK });
    expect(stateOf(so)).toBe('TIME_WAIT');
    expect(p.out().pop()!.ack).toBe(PISS + 4);
  });

  it('after close() a peer that never sends its FIN is given up after tcp_maxidle (8 × 75 s = 600 s of silence)', () => {
    const p = peer();
    const so = active(p);
    p.s.sockets.close(so);
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_ACK });
    expect(stateOf(so)).toBe('FIN_WAIT_2');
    p.advanceTo(599.9e9);
    expect(stateOf(so)).toBe('FIN_WAIT_2');
    p.advanceTo(600e9);
    expect(stateOf(so)).toBe('CLOSED');
    expect(p.s.sockets.list).toHaveLength(0);
  });

  it('a RST → CLOSED', () => {
    const p = peer();
    const so = active(p);
    p.s.sockets.shutdown(so, 1);
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_ACK });
    p.send({ ...A, seq: PISS + 1, flags: TH_RST });
    expect(stateOf(so)).toBe('CLOSED');
  });
});

describe('TIME_WAIT', () => {
  function timeWait(): { p: Peer; so: Socket } {
    const p = peer();
    const so = active(p);
    p.s.sockets.close(so);
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_FIN | TH_ACK });
    p.out();
    expect(stateOf(so)).toBe('TIME_WAIT');
    return { p, so };
  }

  it('lasts 2·MSL = 60 s (120 slow ticks), then the connection is gone', () => {
    const { p, so } = timeWait();
    // Entered at t = 0: the 120th slow tick is at 60 s.
    p.advanceTo(59.9e9);
    expect(stateOf(so)).toBe('TIME_WAIT');
    p.advanceTo(60e9);
    expect(stateOf(so)).toBe('CLOSED');
    expect(p.s.tcp.cbs).toHaveLength(0);
    expect(p.s.sockets.list).toHaveLength(0);
  });

  it('a retransmitted FIN is acknowledged again and restarts the 2MSL wait', () => {
    const { p, so } = timeWait();
    p.advanceTo(30e9);
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_FIN | TH_ACK });
    const [r] = p.out();
    expect(r!.ack).toBe(PISS + 2);
    p.advanceTo(60e9);
    expect(stateOf(so)).toBe('TIME_WAIT');
    p.advanceTo(90e9);
    expect(stateOf(so)).toBe('CLOSED');
  });

  it('a RST ends it at once', () => {
    const { p, so } = timeWait();
    p.send({ ...A, seq: PISS + 2, flags: TH_RST });
    expect(stateOf(so)).toBe('CLOSED');
  });
});

describe('CLOSING', () => {
  it('after close() a peer that never sends its FIN is given up after tcp_maxidle (8 × 75 s = 600 s of silence)', () => {
    const p = peer();
    const so = active(p);
    p.s.sockets.close(so);
    p.send({ ...A, seq: PISS + 1, ack: ISS + 2, flags: TH_ACK });
    expect(stateOf(so)).toBe('FIN_WAIT_2');
    p.advanceTo(599.9e9);
    expect(stateOf(so)).toBe('FIN_WAIT_2');
    p.advanceTo(600e9);
    expect(stateOf(so)).toBe('CLOSED');
    expect(p.s.sockets.list).toHaveLength(0);
  });

  it('a RST → CLOSED', () => {
    const p = peer();
    const so = active(p);
    p.s.sockets.shutdown(so, 1);
    p.send({ ...A, seq: PISS + 1, ack: ISS + 1, flags: TH_FIN | TH_ACK });
    expect(stateOf(so)).toBe('CLOSING');
    p.send({ ...A, seq: PISS + 2, flags: TH_RST });
    expect(stateOf(so)).toBe('CLOSED');
  });
});

describe('TIME_WAIT on the passive side', () => {
  it('a new SYN with a higher sequence number ends TIME_WAIT and goes to the listener (RFC 1122 §4.2.2.13)', () => {
    const p = peer();
    const { lis, so } = passive(p);
    p.s.sockets.close(so);
    p.send({ seq: PISS + 1, ack: ISS + 2, flags: TH_FIN | TH_ACK });
    expect(stateOf(so)).toBe('TIME_WAIT');
    p.out();
    p.env.random32 = () => 90000;
    p.send({ seq: PISS + 100000, flags: TH_SYN });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_SYN | TH_ACK);
    expect(r!.seq).toBe(90000);
    expect(r!.ack).toBe(PISS + 100001);
    expect(lis.q0).toHaveLength(1);
    expect(stateOf(so)).toBe('CLOSED');
  });

  it('an old SYN (not beyond rcv_nxt) in TIME_WAIT gets an ACK, TIME_WAIT stays', () => {
    const p = peer();
    const { so } = passive(p);
    p.s.sockets.close(so);
    p.send({ seq: PISS + 1, ack: ISS + 2, flags: TH_FIN | TH_ACK });
    p.out();
    p.send({ seq: PISS, flags: TH_SYN });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_ACK);
    expect(stateOf(so)).toBe('TIME_WAIT');
  });
});

describe('window scaling (RFC 7323)', () => {
  it('asks for the smallest scale that offers so_rcvbuf: 256 KiB → 3; the SYN window is unscaled, later ones scaled', () => {
    const p = peer();
    const so = p.s.sockets.create(2, 1, 0) as Socket;
    expect(p.s.sockets.setsockopt(so, 0xffff, 0x1002, 256 * 1024)).toBe(0); // SO_RCVBUF
    p.s.sockets.bindAddr(so, { family: 2, addr: 0, port: 1025 });
    p.s.sockets.connectStream(so, { family: 2, addr: 0x0a4d0001, port: 40000 });
    const [syn] = p.out();
    expect(syn!.options.wscale).toBe(3);
    expect(syn!.window).toBe(65535);
    p.send({ ...A, seq: PISS, ack: ISS + 1, flags: TH_SYN | TH_ACK, opts: { mss: 1460, wscale: 1 } });
    const [ack] = p.out();
    expect(ack!.window).toBe((256 * 1024) >> 3);
    expect(tcb(so).snd_scale).toBe(1);
  });
});

describe('data on a SYN', () => {
  it('is queued until the handshake completes, then delivered; one SYN-ACK', () => {
    const p = peer();
    const lis = p.listen(80);
    p.send({ seq: PISS, flags: TH_SYN, data: new Uint8Array([1, 2, 3]) });
    const out = p.out();
    expect(out).toHaveLength(1);
    expect(out[0]!.ack).toBe(PISS + 1); // the data is not acknowledged before the connection is synchronised
    p.send({ seq: PISS + 4, ack: ISS + 1, flags: TH_ACK });
    const so = p.s.sockets.accept(lis) as Socket;
    const r = p.s.sockets.receiveStream(so, 10, false);
    expect(typeof r === 'object' && Array.from(r.data)).toEqual([1, 2, 3]);
    const { segs } = p.advanceUntilOutput(1e9);
    expect(segs[0]!.ack).toBe(PISS + 4);
  });
});
