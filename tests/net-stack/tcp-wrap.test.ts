/**
 * Sequence numbers modulo 2^32 (RFC 9293 §3.4): handshakes and data whose sequence space wraps, on both
 * sides, and the SYN-ACK acceptability test at the wrap.
 */
import { TH_ACK, TH_RST, TH_SYN } from '../../stack/net/wire/tcp';
import { SEQ_GT, SEQ_LT, seqAdd } from '../../stack/net/tcp/fsm';
import { Peer, stateOf, tcb } from './tcp-peer';
import type { Socket } from '../../stack/net/socket';

const A = { sport: 40000, dport: 1025 };

describe('sequence comparison', () => {
  it('compares by the signed 32-bit difference', () => {
    expect(SEQ_LT(0xfffffff0, 0x10)).toBe(true);
    expect(SEQ_GT(0x10, 0xfffffff0)).toBe(true);
    expect(SEQ_LT(0x7fffffff, 0x80000000)).toBe(true);
    expect(seqAdd(0xffffffff, 2)).toBe(1);
  });
});

describe('wrap around 2^32', () => {
  it('our ISN at 2^32 - 1: the SYN-ACK acknowledging 0 is acceptable, data wraps and is acknowledged', () => {
    const p = new Peer();
    p.env.random32 = () => 0xffffffff;
    const so = p.connect(40000, 1025);
    const [syn] = p.out();
    expect(syn!.seq).toBe(0xffffffff);
    p.send({ ...A, seq: 100, ack: 0, flags: TH_SYN | TH_ACK });
    expect(stateOf(so)).toBe('ESTABLISHED');
    p.out();
    const data = new Uint8Array(1000).map((_, i) => i & 0xff);
    p.s.sockets.sendStream(so, data, 1);
    const [seg] = p.out();
    expect(seg!.seq).toBe(0);
    p.send({ ...A, seq: 101, ack: 1000, flags: TH_ACK });
    expect(tcb(so).snd_una).toBe(1000);
    expect(so.stream!.snd.cc).toBe(0);
  });

  it('a SYN-ACK acknowledging our ISN itself (not ISN+1) is refused with RST', () => {
    const p = new Peer();
    p.env.random32 = () => 0xffffffff;
    const so = p.connect(40000, 1025);
    p.out();
    p.send({ ...A, seq: 100, ack: 0xffffffff, flags: TH_SYN | TH_ACK });
    const [r] = p.out();
    expect(r!.flags).toBe(TH_RST);
    expect(stateOf(so)).toBe('SYN_SENT');
  });

  it('the peer ISN near 2^32: data across the wrap is delivered in order and out of order', () => {
    const p = new Peer();
    p.env.random32 = () => 7;
    const lis = p.listen(80);
    const PISS = 0xfffffff0;
    p.send({ seq: PISS, flags: TH_SYN });
    p.out();
    p.send({ seq: PISS + 1, ack: 8, flags: TH_ACK });
    const so = p.s.sockets.accept(lis) as Socket;
    const bytes = new Uint8Array(64).map((_, i) => i);
    // Second half first (starts past the wrap), then the first half (crosses it).
    p.send({ seq: (PISS + 1 + 32) >>> 0, ack: 8, flags: TH_ACK, data: bytes.slice(32) });
    expect(p.out()[0]!.ack).toBe(PISS + 1);
    p.send({ seq: PISS + 1, ack: 8, flags: TH_ACK, data: bytes.slice(0, 32) });
    expect(p.out()[0]!.ack).toBe((PISS + 1 + 64) >>> 0);
    const r = p.s.sockets.receiveStream(so, 100, false);
    expect(typeof r === 'object' && Array.from(r.data)).toEqual(Array.from(bytes));
  });
});
