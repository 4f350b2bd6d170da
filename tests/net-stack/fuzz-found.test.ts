/**
 * Stack bugs the stack fuzzers (fuzz/stack) found, each replayed as the frames that showed it, against the NetBSD
 * behaviour the fix follows:
 * - IPv4 options were never checked (ip_dooptions): a malformed option was delivered instead of refused;
 * - frag6 had no ip6_maxfrags: 8-byte fragments could pile up without bound;
 * - ICMP errors with codes icmp_input refuses reached the transports, and a short quote vanished uncounted;
 * - arpintr's rcvbadlen missed address lengths past a full-size packet; ARP frames with nothing to do vanished
 *   untraced.
 */
import { ArpOp } from '../../stack/net/wire/arp';
import { IcmpPacket } from '../../stack/net/wire/icmp';
import { Ipv4Packet } from '../../stack/net/wire/ipv4';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { IP6_MAXFRAGS } from '../../stack/net/ip6/frag6';
import { sockaddrIn } from '../../stack/include/netinet/in';
import { AF_INET, SOCK_DGRAM } from '../../stack/include/sys/socket';
import type { Socket } from '../../stack/net/socket';
import { EtherType, IpProto, Ip6Nxt, arp, concat, ether, fragHeader, icmp4, ipv4, ipv6, toUs, toUs6, udp4 } from '../../fuzz/stack/build';
import { FAR, PEER, PEER6_GLOBAL, PEER_MAC, US, US6_GLOBAL, US_MAC, StackRig } from '../../fuzz/stack/env';
import { ip, makeStack, rx, take } from './harness';

const BCAST = Uint8Array.of(255, 255, 255, 255, 255, 255);

/** A stack that knows the peer's MAC (so answers leave at once). */
function stack() {
  const n = makeStack();
  rx(n.s, n.en0, ether(BCAST, PEER_MAC, EtherType.ARP, arp({ op: ArpOp.Request, sha: PEER_MAC, spa: PEER, tha: new Uint8Array(6), tpa: US })));
  take(n.en0);
  return n;
}

function udpWithOptions(options: number[], dst = US, final = dst): Uint8Array {
  return toUs(EtherType.IPv4, ipv4({ src: PEER, dst, proto: IpProto.UDP, payload: udp4(PEER, final, 4000, 7, Uint8Array.of(1, 2, 3, 4)), options: Uint8Array.from(options) }));
}

function boundUdp(n: ReturnType<typeof makeStack>): Socket {
  const so = n.s.sockets.create(AF_INET, SOCK_DGRAM, 0) as Socket;
  expect(n.s.sockets.bindAddr(so, sockaddrIn(0, 7))).toBe(0);
  return so;
}

describe('ip_dooptions (found by stack/ipv4)', () => {
  it('refuses an option whose length runs past the header: ipstat.badoptions, Parameter Problem pointing at the length byte', () => {
    const n = stack();
    const so = boundUdp(n);
    rx(n.s, n.en0, udpWithOptions([7 /* RR */, 40, 4, 0]));
    expect(n.s.stats.ip.badoptions).toBe(1);
    expect(so.rcv.records).toHaveLength(0);
    const out = take(n.en0);
    expect(out).toHaveLength(1);
    const p = new Ipv4Packet(out[0]!.data.subarray(ETHER_HDR_LEN));
    const icp = new IcmpPacket(p.payload);
    expect([icp.type, icp.code, icp.rest >>> 24]).toEqual([12, 0, 21]); // pointer: byte 21, the option's length
    expect(icp.verifyChecksum()).toBe(true);
  });

  it('refuses timestamp options with a bad pointer, flag or a wrapped overflow count', () => {
    const n = stack();
    rx(n.s, n.en0, udpWithOptions([68, 12, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    rx(n.s, n.en0, udpWithOptions([68, 12, 5, 2, 0, 0, 0, 0, 0, 0, 0, 0]));
    rx(n.s, n.en0, udpWithOptions([68, 8, 9, 0xf0, 0, 0, 0, 0]));
    expect(n.s.stats.ip.badoptions).toBe(3);
    expect(n.s.stats.icmp.error).toBe(3);
  });

  it('records our address in a record-route option with room and delivers; a full one is left alone', () => {
    const n = stack();
    const so = boundUdp(n);
    rx(n.s, n.en0, udpWithOptions([1, 7, 7, 4, 0, 0, 0, 0]));
    rx(n.s, n.en0, udpWithOptions([1, 7, 7, 8, 10, 77, 0, 9]));
    expect(n.s.stats.ip.badoptions).toBe(0);
    expect(so.rcv.records).toHaveLength(2);
  });

  it('a strict source route through a host that is not us: source route failed', () => {
    const n = stack();
    rx(n.s, n.en0, udpWithOptions([1, 137, 7, 4, 10, 77, 0, 2], FAR));
    expect(n.s.stats.ip.badoptions).toBe(1);
    const icp = new IcmpPacket(new Ipv4Packet(take(n.en0)[0]!.data.subarray(ETHER_HDR_LEN)).payload);
    expect([icp.type, icp.code]).toEqual([3, 5]);
  });

  it('a loose source route through us goes on to its next hop (ip_forwsrcrt), with our address recorded', () => {
    const n = stack();
    n.s.routes.addStatic(0, 0, PEER);
    rx(n.s, n.en0, udpWithOptions([1, 131, 7, 4, 192, 0, 2, 9], US, FAR));
    expect(n.s.stats.ip.forward).toBe(1);
    const p = new Ipv4Packet(take(n.en0)[0]!.data.subarray(ETHER_HDR_LEN));
    expect(p.dst).toBe(FAR);
    expect([...p.buf.subarray(24, 28)]).toEqual([10, 77, 0, 2]);
    expect(p.verifyChecksum()).toBe(true);
  });
});

describe('frag6 ip6_maxfrags (found by stack/ipv6)', () => {
  it('holds at most 256 fragments; the rest are dropped and counted in fragdropped', () => {
    const rig = new StackRig(1, { inet6: true });
    for (let k = 0; k < 300; k++) {
      const f = concat(fragHeader(Ip6Nxt.UDP, 8 * (k + 1), true, 0x1234), new Uint8Array(8));
      rig.input(toUs6(ipv6({ src: PEER6_GLOBAL, dst: US6_GLOBAL, nxt: Ip6Nxt.FRAGMENT, payload: f }), US6_GLOBAL));
    }
    expect(rig.s.ip6!.frag6.nfrags).toBe(IP6_MAXFRAGS);
    expect(rig.s.ip6!.stats.ip6.fragdropped).toBe(300 - IP6_MAXFRAGS);
    rig.advance(61_000_000_000); // the 60 s reassembly timeout frees them all
    expect(rig.s.ip6!.frag6.nfrags).toBe(0);
  });
});

describe('icmp_input codes and lengths (found by stack/icmp-udp)', () => {
  const quote = () => ipv4({ src: US, dst: PEER, proto: IpProto.UDP, payload: Uint8Array.of(0, 7, 0x13, 0x88, 0, 8, 0, 0) }).subarray(0, 28);

  it('an unreachable with a code past 15 is badcode and does not reach the socket', () => {
    const n = stack();
    const so = boundUdp(n);
    expect(n.s.sockets.connectAddr(so, sockaddrIn(PEER, 5000))).toBe(0);
    rx(n.s, n.en0, toUs(EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.ICMP, payload: icmp4(3, 16, 0, quote()) })));
    expect(n.s.stats.icmp.badcode).toBe(1);
    expect(so.error).toBe(0);
    rx(n.s, n.en0, toUs(EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.ICMP, payload: icmp4(3, 3, 0, quote()) })));
    expect(so.error).not.toBe(0);
  });

  it('an error quoting fewer than an IP header and 8 bytes is counted in badlen', () => {
    const n = stack();
    rx(n.s, n.en0, toUs(EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.ICMP, payload: icmp4(11, 0, 0, quote().subarray(0, 20)) })));
    expect(n.s.stats.icmp.badlen).toBe(1);
  });
});

describe('arpintr and in_arpinput (found by stack/ether-arp)', () => {
  it('address lengths that need more than the packet holds are rcvbadlen, even in a 28-byte packet', () => {
    const n = stack();
    const a = arp({ op: ArpOp.Request, sha: PEER_MAC, spa: PEER, tha: new Uint8Array(6), tpa: US });
    a[4] = 9; // ar_hln: 8 + 2*9 + 2*4 = 34 bytes needed
    rx(n.s, n.en0, ether(BCAST, PEER_MAC, EtherType.ARP, a));
    expect([n.s.stats.arp.rcvbadlen, n.s.stats.arp.rcvbadproto]).toEqual([1, 0]);
  });

  it('a request for another host and a reply about a stranger are dropped with a traced reason', () => {
    const n = stack();
    n.env.traces.length = 0;
    const stranger = Uint8Array.of(2, 0, 0, 0, 0, 8);
    rx(n.s, n.en0, ether(BCAST, stranger, EtherType.ARP, arp({ op: ArpOp.Request, sha: stranger, spa: ip('10.77.0.8'), tha: new Uint8Array(6), tpa: ip('10.77.0.99') })));
    rx(n.s, n.en0, ether(US_MAC, Uint8Array.of(2, 0, 0, 0, 0, 7), EtherType.ARP, arp({ op: ArpOp.Reply, sha: Uint8Array.of(2, 0, 0, 0, 0, 7), spa: ip('10.77.0.7'), tha: US_MAC, tpa: ip('10.77.0.99') })));
    const reasons = n.env.traces.filter((t) => t.layer === 'arp' && t.probe === 'drop').map((t) => t.f?.['reason']);
    expect(reasons).toEqual(['request for another host', 'nothing to learn: no entry for the sender']);
    expect(take(n.en0)).toHaveLength(0);
  });
});
