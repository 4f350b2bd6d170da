/**
 * Edges of tcp_input (stack/net/tcp/input*.ts, reass.ts, sack.ts, the PCB lookup) against the scripted peer:
 * the send-window update rule, hardware checksums without the pseudo header, the TIME_WAIT trace, the
 * reassembly queue's counters and reader wakeup, a SACK scoreboard hole whose back is SACKed, and a lookup
 * that matches the foreign address as well as the ports. Our ISN is pinned so sequence numbers can be written out.
 */
import { IFCAP_CSUM_TCPv4_Rx } from '../../stack/net/if';
import { M_CSUM_DATA, M_CSUM_NO_PSEUDOHDR, M_CSUM_TCPv4 } from '../../stack/net/mbuf';
import type { Socket } from '../../stack/net/socket';
import { foldComplement, onesSum } from '../../stack/net/wire/checksum';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { IpProto, Ipv4Packet } from '../../stack/net/wire/ipv4';
import { TH_ACK, TH_FIN, TH_SYN, TcpPacket, TcpRepr, tcpPseudoSum4 } from '../../stack/net/wire/tcp';
import { WireError } from '../../stack/net/wire/view';
import { formatTcpStats } from '../../stack/utils/netstat-stats';
import { ARP_REQUEST } from './fixtures';
import { ip, rx } from './harness';
import { PEER, Peer, US, peerFrame, stateOf, tcb } from './tcp-peer';

const ISS = 1000;
const PISS = 5000;
const A = { sport: 40000, dport: 1025 };

function peer(): Peer {
  const p = new Peer();
  p.env.random32 = () => ISS;
  return p;
}

/** Our active open; the peer's SYN-ACK carries `opts` and arrives 10 ms later. */
function active(p: Peer, opts: Parameters<Peer['send']>[0]['opts'] = { mss: 1460 }, win = 65535): Socket {
  const so = p.connect(40000, 1025);
  p.out();
  p.advanceTo(10_000_000);
  p.send({ ...A, seq: PISS, ack: ISS + 1, flags: TH_SYN | TH_ACK, win, opts });
  p.out();
  expect(stateOf(so)).toBe('ESTABLISHED');
  return so;
}

/** A passive open completed: listener on 80, child accepted. */
function passive(p: Peer): { lis: Socket; so: Socket } {
  const lis = p.listen(80);
  p.send({ seq: PISS, flags: TH_SYN, opts: { mss: 1460 } });
  p.out();
  p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK });
  return { lis, so: p.s.sockets.accept(lis) as Socket };
}

describe('the send window update (RFC 9293 §3.10.7.4, NetBSD tcp_input step6)', () => {
  it('an old ACK arriving late (reordered) does not take its window: a later write still goes out', () => {
    const p = peer();
    const so = active(p);
    const S = ISS + 1;
    p.s.sockets.sendStream(so, new Uint8Array(100), 1);
    expect(p.out().map((r) => [r.seq - S, r.payload.length])).toEqual([[0, 100]]);
    p.send({ ...A, seq: PISS + 1, ack: S + 100, flags: TH_ACK, win: 65535 });
    p.s.sockets.sendStream(so, new Uint8Array(100), 2);
    expect(p.out().map((r) => [r.seq - S, r.payload.length])).toEqual([[100, 100]]);
    p.send({ ...A, seq: PISS + 1, ack: S + 200, flags: TH_ACK, win: 65535 });
    // The first ACK, delayed in the network, comes last with a closed window. Its ACK is below SND.WL2 (and
    // SND.UNA): SND.WND stays 65535 (the update needs WL1 < SEQ, or WL1 = SEQ and WL2 ≤ ACK).
    p.send({ ...A, seq: PISS + 1, ack: S + 100, flags: TH_ACK, win: 0 });
    expect(tcb(so).snd_wnd).toBe(65535);
    p.s.sockets.sendStream(so, new Uint8Array(100), 3);
    expect(p.out().map((r) => [r.seq - S, r.payload.length])).toEqual([[200, 100]]);
  });
});

describe('receive checksum offload without the pseudo header (M_CSUM_NO_PSEUDOHDR)', () => {
  /** A SYN to our listener delivered as a chip that sums the TCP segment only (no pseudo header) reports it. */
  function synWithHwSum(corrupt: boolean) {
    const p = peer();
    p.n.en0.capenable = IFCAP_CSUM_TCPv4_Rx;
    const lis = p.listen(80);
    const frame = peerFrame({ seq: PISS, flags: TH_SYN, opts: { mss: 1460 } });
    const ipp = new Ipv4Packet(frame.subarray(ETHER_HDR_LEN));
    const seg = ipp.buf.subarray(ipp.headerLen, ipp.totalLen);
    if (corrupt) seg[14] = seg[14]! ^ 0x40; // the window, damaged on the wire after the sender summed it
    // The chip's 16-bit ones'-complement sum over the segment as received (not complemented).
    const csumData = ~foldComplement(onesSum(seg, 0, seg.length)) & 0xffff;
    p.s.input(p.n.en0, { data: frame, pktId: 7, csumFlags: M_CSUM_TCPv4 | M_CSUM_DATA | M_CSUM_NO_PSEUDOHDR, csumData });
    p.s.drainLoopback();
    p.env.flush();
    return { p, lis, out: p.out() };
  }

  it('the stack adds the pseudo header to the chip\'s sum: a good segment is taken without a software check', () => {
    const { p, lis, out } = synWithHwSum(false);
    // tcp4_input_checksum: sum + pseudo header folds to 0xffff → good; the SYN reaches the listener.
    expect(p.s.tcp.stats.rcvbadsum).toBe(0);
    expect(out.map((r) => r.flags)).toEqual([TH_SYN | TH_ACK]);
    expect(out[0]!.ack).toBe(PISS + 1);
    expect(lis.q0).toHaveLength(1);
  });

  it('a damaged segment is counted in rcvbadsum and dropped', () => {
    const { p, lis, out } = synWithHwSum(true);
    expect(p.s.tcp.stats.rcvbadsum).toBe(1);
    expect(out).toEqual([]);
    expect(lis.q0).toHaveLength(0);
  });
});

describe('TIME_WAIT ended by a new SYN (RFC 1122 §4.2.2.13)', () => {
  it('traces the state change with the reason before the listener takes the SYN', () => {
    const p = peer();
    const { lis, so } = passive(p);
    p.s.sockets.close(so);
    p.send({ seq: PISS + 1, ack: ISS + 2, flags: TH_FIN | TH_ACK });
    expect(stateOf(so)).toBe('TIME_WAIT');
    p.out();
    p.env.traces.length = 0;
    p.send({ seq: PISS + 100000, flags: TH_SYN, opts: { mss: 1460 } });
    // The trace is what a user reading `--trace` sees of why the connection went away (docs/formats/trace.md).
    const states = p.env.traces.filter((t) => t.layer === 'tcp' && t.probe === 'state').map((t) => t.f);
    expect(states[0]).toEqual({ so: so.id, state: 'CLOSED', why: 'new SYN in TIME_WAIT' });
    expect(lis.q0).toHaveLength(1);
  });
});

describe('the reassembly queue (tcp_reass)', () => {
  it('counts out-of-order segments and bytes (netstat -s "out-of-order packets")', () => {
    const p = peer();
    const so = active(p);
    const R = PISS + 1;
    p.send({ ...A, seq: R + 1000, ack: ISS + 1, flags: TH_ACK, data: new Uint8Array(300) });
    p.send({ ...A, seq: R + 2000, ack: ISS + 1, flags: TH_ACK, data: new Uint8Array(200) });
    const st = p.s.tcp.stats;
    expect([st.rcvoopack, st.rcvoobyte]).toEqual([2, 500]);
    expect(formatTcpStats(st)).toContain('\t\t2 out-of-order packets (500 bytes)\n');
    expect(tcb(so).segq).toHaveLength(2);
  });

  it('wakes a reader when the segment filling the hole makes the queued bytes readable', () => {
    const p = peer();
    const so = active(p);
    const R = PISS + 1;
    let wakes = 0;
    so.notify.add(() => wakes++);
    const data = new Uint8Array(300).map((_, i) => i & 0xff);
    p.send({ ...A, seq: R + 100, ack: ISS + 1, flags: TH_ACK, data: data.subarray(100) });
    expect(wakes).toBe(0); // nothing readable yet
    // The segment at rcv_nxt acknowledges nothing new, so only the delivery from the queue can wake the reader
    // (sorwakeup after tcp_reass), as a select()/read() blocked in io-pkt needs.
    p.send({ ...A, seq: R, ack: ISS + 1, flags: TH_ACK, data: data.subarray(0, 100) });
    expect(wakes).toBeGreaterThan(0);
    const r = p.s.sockets.receiveStream(so, 1000, false);
    expect(typeof r === 'object' && Buffer.from(r.data).equals(Buffer.from(data))).toBe(true);
  });
});

describe('the SACK scoreboard (RFC 6675, NetBSD tcp_sack_option)', () => {
  it('a hole whose back is SACKed later (reordering at the receiver) is still retransmitted from its start', () => {
    const p = peer();
    const so = active(p, { mss: 1000, sackPermitted: true });
    const tp = tcb(so);
    const S = ISS + 1;
    const ack = (a: number, sack: [number, number][] = []) => {
      p.send({ ...A, seq: PISS + 1, ack: S + a, flags: TH_ACK, win: 65535,
        opts: sack.length ? { sack: sack.map(([l, r]) => ({ left: S + l, right: S + r })) } : {} });
      return p.out().map((r) => [r.seq - S, r.payload.length]);
    };
    p.s.sockets.sendStream(so, new Uint8Array(20000), 1);
    expect(p.out().map((r) => r.seq - S)).toEqual([0, 1000, 2000, 3000]); // RFC 3390 initial window, MSS 1000
    for (const a of [1000, 2000, 3000, 4000]) ack(a);
    expect(tp.snd_max - S).toBe(12000);
    // 4000 is lost and 5000 delayed (reordered): the receiver gets 6000, then 5000. The block grows to the left
    // and eats the back of the hole [4000, 6000). (FACK stays within 3 segments of snd_una, so the third
    // duplicate ACK starts the recovery.)
    expect(ack(4000, [[6000, 7000]])).toEqual([]);
    expect(tp.snd_holes.map((h) => [h.start - S, h.end - S, h.rxmit - S])).toEqual([[4000, 6000, 4000]]);
    expect(ack(4000, [[5000, 7000]])).toEqual([]);
    expect(tp.snd_holes.map((h) => [h.start - S, h.end - S, h.rxmit - S])).toEqual([[4000, 5000, 4000]]);
    // Third duplicate: fast retransmit of what is still missing, from the hole's start.
    expect(ack(4000, [[5000, 8000]])).toEqual([[4000, 1000]]);
    expect(tp.snd_holes.map((h) => [h.start - S, h.end - S, h.rxmit - S])).toEqual([[4000, 5000, 5000]]);
    expect(p.s.tcp.stats.sack_rexmits).toBe(1);
  });
});

describe('the PCB lookup (in_pcblookup_connect)', () => {
  it('a SYN from another host with the same ports goes to the listener, not to the established connection', () => {
    const p = peer();
    const { lis, so } = passive(p);
    const OTHER = ip('10.77.0.3');
    // 10.77.0.3 (00:50:c2:00:00:03) announces itself, so our answer to it goes out at once.
    const arp = ARP_REQUEST.slice();
    arp[11] = 3;
    arp[27] = 3;
    arp[31] = 3;
    rx(p.s, p.n.en0, arp);
    p.n.en0.snd.length = 0;
    p.env.random32 = () => 70000;
    p.n.s.input(p.n.en0, { data: peerFrame({ seq: 9000, flags: TH_SYN, opts: { mss: 1460 } }, OTHER, US), pktId: 9 });
    p.env.flush();
    const out = p.n.en0.snd.splice(0).map((m) => {
      const ipp = new Ipv4Packet(m.data.subarray(ETHER_HDR_LEN));
      expect(ipp.protocol).toBe(IpProto.TCP);
      const r = TcpRepr.parse(new TcpPacket(ipp.payload), tcpPseudoSum4(ipp.src, ipp.dst, ipp.payload.length));
      if (r instanceof WireError) throw new Error(r.reason);
      return { dst: ipp.dst, flags: r.flags, seq: r.seq, ack: r.ack };
    });
    // Same ports as the connection with 10.77.0.1, but another foreign address: a new connection's SYN-ACK.
    expect(out).toEqual([{ dst: OTHER, flags: TH_SYN | TH_ACK, seq: 70000, ack: 9001 }]);
    expect(lis.q0).toHaveLength(1);
    expect(lis.q0[0]!.faddr).toBe(OTHER);
    expect(stateOf(so)).toBe('ESTABLISHED');
    expect(so.faddr).toBe(PEER);
  });
});
