/**
 * Edges of translation: ICMP errors about translated flows in both directions (pf.c pf_test_state_icmp →
 * pf_change_icmp), a quoted UDP datagram without a checksum, ICMP state peers as pfctl -ss prints them, rdr
 * port ranges (pf_get_translation's proxy_port), and the NIC's checksum verdict on an untranslated inbound
 * packet. Checksums are verified from scratch (pkt.ts).
 */
import { makeRouter, rule, addr, any, port } from './harness';
import { MAC, checksumsOk, ether, icmpEcho, icmpError, ipPacket, parse, tcp, udp } from './pkt';
import type { PfPool, PfStateInfo } from '../../stack/include/net/pfvar';
import { IFCAP_CSUM_UDPv4_Rx } from '../../stack/net/if';
import { M_CSUM_TCP_UDP_BAD, M_CSUM_UDPv4 } from '../../stack/net/mbuf';

const pool = (a: PfPool['addr'], proxyPort: PfPool['proxyPort'] = null): PfPool => ({ addr: a, proxyPort, staticPort: false });
const natRule = () => rule({ action: 'nat', direction: 'out', ifname: 'en1', src: { addr: addr('10.0.0.0/24') }, rpool: pool(addr('192.0.2.1')) });
const r16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;

describe('pf edges: ICMP errors through translation', () => {
  test('an ICMP error about a NATed echo: quoted source back to 10.0.0.5, quoted destination and id untouched', () => {
    const r = makeRouter();
    r.load({ nat: [natRule()] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 1 }, icmpEcho(8, 0x4242, 7)));
    const [o] = r.sent(r.en1);
    expect(parse(o!).src).toBe('192.0.2.1');
    // 192.0.2.9 (a router on the way) answers time exceeded quoting the echo it got.
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpError(11, 0, o!)));
    const [e] = r.sent(r.en0);
    expect(e).toBeDefined();
    const pe = parse(e!);
    expect([pe.src, pe.dst, pe.icmpType]).toEqual(['192.0.2.9', '10.0.0.5', 11]);
    // pf_change_icmp rewrites the quoted source address and the quoted echo id (icmp_id, 4 bytes into the
    // quoted ICMP header): lan id = gwy id here (3.7 keeps echo ids), so the quote is the echo as sent.
    const q = parse(pe.payload.subarray(8));
    expect([q.src, q.dst, q.icmpType, q.icmpId]).toEqual(['10.0.0.5', '192.0.2.9', 8, 0x4242]);
    expect(checksumsOk(e!)).toEqual({ ip: true, transport: true, quotedIp: true });
  });

  test('an inside host\'s port unreachable about a NATed reply leaves with the public address and port', () => {
    const r = makeRouter();
    r.load({ nat: [natRule()] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(3333, 53)));
    const gp = parse(r.sent(r.en1)[0]!).sport;
    const reply = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17 }, udp(53, gp, 6));
    r.rx(r.en1, reply);
    const [inside] = r.sent(r.en0);
    expect(parse(inside!).dst).toBe('10.0.0.5');
    // 10.0.0.5 answers port unreachable quoting what it got (dst 10.0.0.5:3333). Going out on en1, pf
    // (direction out: lan → gwy) must rewrite the outer source and the quoted destination address and port,
    // or the private address leaks and 192.0.2.9 cannot match the error to its socket.
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 1 }, icmpError(3, 3, inside!)));
    const [e] = r.sent(r.en1);
    expect(e).toBeDefined();
    const pe = parse(e!);
    expect([pe.src, pe.dst, pe.icmpType, pe.icmpCode]).toEqual(['192.0.2.1', '192.0.2.9', 3, 3]);
    const qb = pe.payload.subarray(8);
    const q = parse(qb);
    expect([q.src, q.dst, q.sport, q.dport]).toEqual(['192.0.2.9', '192.0.2.1', 53, gp]);
    expect(checksumsOk(e!)).toEqual({ ip: true, transport: true, quotedIp: true });
  });

  test('a quoted UDP datagram sent without a checksum keeps uh_sum 0 when translated back (pf_cksum_fixup udp)', () => {
    const r = makeRouter();
    r.load({ nat: [natRule()] });
    // RFC 768: a zero checksum means "none"; the sender transmitted none (UDP header at 20, checksum at 26).
    const q = ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(3333, 53));
    q[26] = 0; q[27] = 0;
    r.rx(r.en0, q);
    const [o] = r.sent(r.en1);
    expect(r16(o!, 26)).toBe(0); // pf's fixup leaves a zero UDP checksum zero on the way out
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpError(3, 3, o!)));
    const [e] = r.sent(r.en0);
    const qb = parse(e!).payload.subarray(8);
    expect([parse(qb).src, parse(qb).sport]).toEqual(['10.0.0.5', 3333]);
    // pf_test_state_icmp passes udp=1 for a quoted UDP header: a zero checksum stays zero, as the sender had it.
    expect(r16(qb, 26)).toBe(0);
    expect(checksumsOk(e!)).toEqual({ ip: true, transport: true, quotedIp: true });
  });

  test('an ICMP state\'s peers are listed as numbers (pfctl -ss prints "0:0" for ICMP, not UDP state names)', () => {
    const r = makeRouter();
    r.load({ nat: [natRule()] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 1 }, icmpEcho(8, 0x99, 1)));
    const [st] = (r.ioctl('DIOCGETSTATES') as { states: PfStateInfo[] }).states;
    expect(st!.proto).toBe(1);
    expect([st!.srcState, st!.dstState]).toEqual(['0', '0']);
  });
});

describe('pf edges: rdr ports and the NIC checksum verdict', () => {
  test('rdr of a port range to one port sends every port there; rdr without a port keeps the port', () => {
    const r = makeRouter();
    // pf.conf(5): "rdr on en1 proto tcp to port 8000:8010 -> 10.0.0.5 port 80" (proxy_port[1] = 0: one port),
    // and "rdr on en1 proto tcp to port 25 -> 10.0.0.5" (no port: the destination port is kept).
    r.load({
      rdr: [
        rule({ action: 'rdr', direction: 'in', ifname: 'en1', proto: 6, dst: { addr: any(), port: port('rrg', 8000, 8010) }, rpool: pool(addr('10.0.0.5'), { lo: 80, hi: 0 }) }),
        rule({ action: 'rdr', direction: 'in', ifname: 'en1', proto: 6, dst: { addr: any(), port: port('eq', 25) }, rpool: pool(addr('10.0.0.5')) }),
      ],
    });
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 41000, dport: 8005, flags: 0x02 })));
    const [a] = r.sent(r.en0);
    expect([parse(a!).dst, parse(a!).dport]).toEqual(['10.0.0.5', 80]);
    expect(checksumsOk(a!)).toEqual({ ip: true, transport: true });
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 41001, dport: 25, flags: 0x02 })));
    const [b] = r.sent(r.en0);
    expect([parse(b!).dst, parse(b!).dport]).toEqual(['10.0.0.5', 25]);
    expect(checksumsOk(b!)).toEqual({ ip: true, transport: true });
  });

  test('an untranslated inbound datagram keeps the NIC\'s verdict: M_CSUM_TCP_UDP_BAD is counted as udp badsum', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'pass' })] });
    r.en0.capenable = IFCAP_CSUM_UDPv4_Rx;
    // The driver flagged the datagram's checksum bad (udp4_input_checksum honours it). pf only drops the
    // hardware's flags for a packet it rewrote (the sum no longer matches); this one it did not touch.
    const pkt = ipPacket({ src: '10.0.0.5', dst: '10.0.0.1', proto: 17 }, udp(3333, 9999));
    r.s.input(r.en0, { data: ether(r.en0.lladdr, MAC.inside, pkt), pktId: 5, csumFlags: M_CSUM_UDPv4 | M_CSUM_TCP_UDP_BAD });
    r.s.drainLoopback();
    expect(r.s.stats.udp.badsum).toBe(1);
    expect(r.pf.states.count).toBe(0);
  });
});
