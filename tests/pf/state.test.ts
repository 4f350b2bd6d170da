/**
 * States (pf_test_state_*): created by `keep state` on the first packet, matched before the rules in both
 * directions, TCP peer states and timeouts as pf moves them, UDP SINGLE/MULTIPLE, ICMP echo by id, ICMP errors
 * matched through the quoted packet, expiry by the purge callout in virtual time.
 */
import { makeRouter, rule } from './harness';
import { icmpEcho, icmpError, ipPacket, parse, tcp, udp, wscaleOpt } from './pkt';
import type { PfStateInfo } from '../../stack/include/net/pfvar';

const SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04;
const out = (flags: number, seq: number, ack = 0) => ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 6 }, tcp({ sport: 40000, dport: 80, flags, seq, ack }));
const back = (flags: number, seq: number, ack = 0) => ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 80, dport: 40000, flags, seq, ack }));

function setup() {
  const r = makeRouter();
  // Outbound only: everything inbound is blocked unless a state lets it in.
  r.load({ filter: [rule({ action: 'block', direction: 'in' }), rule({ action: 'pass', direction: 'out', keepState: 'keep' })] });
  const test = (dir: 'in' | 'out', pkt: Uint8Array) => r.pf.test(dir, r.en1, { data: pkt, pktId: 1 }, pkt.slice());
  const states = () => (r.ioctl('DIOCGETSTATES') as { states: PfStateInfo[] }).states;
  return { ...r, test, states };
}

describe('pf states', () => {
  test('keep state: the first outbound packet creates a state; replies pass it without the rules', () => {
    const { test, states, pf } = setup();
    const u = ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 17 }, udp(5000, 53));
    const a = test('out', u);
    expect(a.action).toBe('pass');
    expect(a.state).not.toBeNull();
    const evals = pf.rules.filter.map((k) => k.evaluations);
    const reply = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17 }, udp(53, 5000));
    const b = test('in', reply);
    expect(b.action).toBe('pass');
    expect(b.state).toBe(a.state);
    // The reply matched the state: no rule looked at.
    expect(pf.rules.filter.map((k) => k.evaluations)).toEqual(evals);
    // An unrelated inbound datagram hits `block in`.
    expect(test('in', ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17 }, udp(53, 5001))).action).toBe('drop');
    const [st] = states();
    expect(st).toMatchObject({ proto: 17, direction: 'out', ifname: 'self', srcState: 'MULTIPLE', dstState: 'SINGLE', packets: [1, 1], rule: 1 });
    expect(pf.rules.filter[1]!.states).toBe(1);
    // udp.first 60 s, then SINGLE→MULTIPLE: udp.single 30 s (the sender MULTIPLE, the replier SINGLE).
    expect(st!.expire).toBe(30);
  });

  test('TCP: SYN_SENT → ESTABLISHED → FIN_WAIT_2 → TIME_WAIT with their timeouts; expiry in virtual time', () => {
    const { test, states, advance, pf } = setup();
    test('out', out(SYN, 1000));
    expect(states()[0]).toMatchObject({ srcState: 'SYN_SENT', dstState: 'CLOSED', expire: 120 }); // tcp.first
    test('in', back(SYN | ACK, 5000, 1001));
    expect(states()[0]).toMatchObject({ srcState: 'ESTABLISHED', dstState: 'SYN_SENT', expire: 30 }); // tcp.opening
    test('out', out(ACK, 1001, 5001));
    expect(states()[0]).toMatchObject({ srcState: 'ESTABLISHED', dstState: 'ESTABLISHED', expire: 86400 });
    test('out', out(FIN | ACK, 1001, 5001));
    // src CLOSING, dst ESTABLISHED: tcp.closing (900).
    expect(states()[0]).toMatchObject({ srcState: 'CLOSING', dstState: 'ESTABLISHED', expire: 900 });
    test('in', back(FIN | ACK, 5001, 1002));
    // Both CLOSING, and the ACK of our FIN moved us to FIN_WAIT_2: tcp.finwait (45).
    expect(states()[0]).toMatchObject({ srcState: 'FIN_WAIT_2', dstState: 'CLOSING', expire: 45 });
    test('out', out(ACK, 1002, 5002));
    expect(states()[0]).toMatchObject({ srcState: 'FIN_WAIT_2', dstState: 'FIN_WAIT_2', expire: 90 }); // tcp.closed
    // The last packet was at 5 s: the state expires at 95 s, and pf_purge_timeout runs every 10 s from pf's
    // attach at 5 s (15, 25, … 95): it goes at 95 s.
    advance(89);
    expect(states()).toHaveLength(1);
    advance(1);
    expect(states()).toHaveLength(0);
    expect(pf.rules.filter[1]!.states).toBe(0);
    expect(pf.states.fcounters).toMatchObject({ inserts: 1, removals: 1 });
  });

  test('RST puts both peers in TIME_WAIT (tcp.closed)', () => {
    const { test, states } = setup();
    test('out', out(SYN, 1000));
    test('in', back(RST | ACK, 0, 1001));
    expect(states()[0]).toMatchObject({ srcState: 'TIME_WAIT', dstState: 'TIME_WAIT', expire: 90 });
  });

  test('per-rule timeouts override the defaults; DIOCSETTIMEOUT changes the defaults', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'pass', keepState: 'keep', timeouts: { 'udp.first': 5 } }), rule({ action: 'pass', keepState: 'keep', proto: 1 })] });
    expect(r.ioctl('DIOCSETTIMEOUT', { name: 'icmp.first', seconds: 3 })).toEqual({ old: 20 });
    expect(r.ioctl('DIOCGETTIMEOUT', { name: 'icmp.first' })).toEqual({ seconds: 3 });
    const u = ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 17 }, udp(5000, 53));
    r.pf.test('out', r.en1, { data: u, pktId: 1 }, u.slice());
    const e = ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 1 }, icmpEcho(8, 9, 1));
    r.pf.test('out', r.en1, { data: e, pktId: 2 }, e.slice());
    const st = (r.ioctl('DIOCGETSTATES') as { states: PfStateInfo[] }).states;
    expect(st.map((x) => [x.proto, x.expire])).toEqual([[17, 5], [1, 3]]);
    // Created at 5 s, the ICMP state expires at 8 s and the UDP one at 10 s, but states only go when
    // pf_purge_timeout runs: every `interval` (10 s) after pf attached at 5 s, so at 15 s.
    r.advance(9);
    const left = (r.ioctl('DIOCGETSTATES') as { states: PfStateInfo[] }).states;
    expect(left.map((x) => x.expire)).toEqual([0, 0]);
    r.advance(1);
    expect((r.ioctl('DIOCGETSTATES') as { states: PfStateInfo[] }).states).toHaveLength(0);
  });

  test('ICMP echo: the state of the id passes the reply; another id does not', () => {
    const { test } = setup();
    const req = ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 1 }, icmpEcho(8, 77, 1));
    expect(test('out', req).state).not.toBeNull();
    expect(test('in', ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpEcho(0, 77, 1))).action).toBe('pass');
    expect(test('in', ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpEcho(0, 78, 1))).action).toBe('drop');
  });

  test('an ICMP error about a packet of a state passes with that state; one about no state meets the rules', () => {
    const { test } = setup();
    const u = ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 17 }, udp(5000, 53));
    const s = test('out', u).state;
    const err = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpError(3, 3, u));
    const r = test('in', err);
    expect(r.action).toBe('pass');
    expect(r.state).toBe(s);
    const other = ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 17 }, udp(5001, 53));
    const err2 = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpError(3, 3, other));
    expect(test('in', err2).action).toBe('drop');
  });

  test('keep state is not the default: a pass without it creates no state', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'pass' })] });
    const u = ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 17 }, udp(5000, 53));
    expect(r.pf.test('out', r.en1, { data: u, pktId: 1 }, u.slice()).state).toBeNull();
    expect(r.pf.states.count).toBe(0);
  });

  test('DIOCKILLSTATES by source, DIOCCLRSTATES by interface', () => {
    const { test, ioctl, states } = setup();
    test('out', ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 17 }, udp(5000, 53)));
    test('out', ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 17 }, udp(5001, 53)));
    test('out', ipPacket({ src: '192.0.2.1', dst: '192.0.2.10', proto: 17 }, udp(5002, 53)));
    const b = (s: string) => new Uint8Array(s.split('.').map(Number));
    expect(ioctl('DIOCKILLSTATES', { dst: { type: 'addrmask', af: 2, addr: b('192.0.2.10'), mask: b('255.255.255.255'), neg: false } })).toEqual({ killed: 1 });
    expect(states()).toHaveLength(2);
    expect(ioctl('DIOCCLRSTATES', { ifname: 'en0' })).toEqual({ killed: 0 });
    expect(ioctl('DIOCCLRSTATES', {})).toEqual({ killed: 2 });
  });

  test('TCP windows with scaling: in-window data passes, data beyond the window is state-mismatch', () => {
    const { test, pf } = setup();
    const o = (flags: number, seq: number, ack: number, win: number, data = 0, opts?: number[]) =>
      ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 6 }, tcp({ sport: 40000, dport: 80, flags, seq, ack, win, data, opts }));
    const i = (flags: number, seq: number, ack: number, win: number, data = 0, opts?: number[]) =>
      ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 80, dport: 40000, flags, seq, ack, win, data, opts }));
    const s = test('out', o(SYN, 1000, 0, 65535, 0, wscaleOpt(2))).state!;
    // pf_test_tcp: seqhi = seq + 0 + 1 - 1 (SYN), max_win 65535 unscaled by the SYN's shift 2: (65535 + 3) >> 2.
    expect([s.src.seqlo, s.src.seqhi, s.src.maxWin, s.src.wscale]).toEqual([1000, 1000, 16384, 0x82]);
    expect(test('in', i(SYN | ACK, 5000, 1001, 65535, 0, wscaleOpt(3))).action).toBe('pass');
    // The server's first packet: win (65535 + 7) >> 3 = 8192; seqhi = end 5001 + client's max_win 16384 << 2
    // = 70537; the client may now send up to ack 1001 + 8192 << 3 = 66537.
    expect([s.dst.seqlo, s.dst.seqhi, s.dst.maxWin, s.dst.wscale, s.src.seqhi]).toEqual([5001, 70537, 8192, 0x83, 66537]);
    expect(test('out', o(ACK, 1001, 5001, 1000)).action).toBe('pass');
    expect(test('out', o(ACK, 1001, 5001, 1000, 100)).action).toBe('pass');
    // Last octet 71101 beyond seqhi 66537, and the connection is established (no loose case): dropped.
    const far = test('out', o(ACK, 71001, 5001, 1000, 100));
    expect(far.action).toBe('drop');
    expect(pf.counters[10]).toBe(1); // state-mismatch
    // The server sending past what the client allowed (seqhi 70537) is refused too.
    expect(test('in', i(ACK, 5001 + 80000, 1101, 8192, 10)).action).toBe('drop');
    expect(pf.counters[10]).toBe(2);
  });

  test('a mismatch during the handshake draws a RST from pf and resets the peer', () => {
    const { test, pf, sent, en1 } = setup();
    const s = test('out', out(SYN, 1000)).state!;
    expect(test('in', back(SYN, 5000)).action).toBe('pass'); // simultaneous open: both SYN_SENT
    expect([s.src.state, s.dst.state]).toEqual([2, 2]);
    sent(en1);
    // A data segment far past the window (a segment without data would get its sequence eased to seqlo).
    const bad = test('in', ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 80, dport: 40000, flags: ACK, seq: 205000, ack: 1001, data: 10 })));
    expect(bad.action).toBe('drop');
    expect(pf.counters[10]).toBe(1);
    const [rst] = sent(en1);
    const p = parse(rst!);
    // From the packet's destination to its source, seq = its ack, flags RST only.
    expect([p.src, p.dst, p.sport, p.dport, p.seq, p.flags]).toEqual(['192.0.2.1', '192.0.2.9', 40000, 80, 1001, 0x04]);
    expect([s.dst.seqlo, s.dst.seqhi, s.dst.maxWin]).toEqual([0, 1, 1]);
  });
});

