/**
 * Edges of ip_input's option processing (ip_dooptions), reassembly (ip_reass), ip_optcopy, multicast input and
 * output, and the pfil output hook on forwarded datagrams. Drop reasons are checked word for word: they are the
 * `reason` of `ip/drop` trace records, which `qnxemu drops` groups and prints (docs/drops.md, docs/formats/trace.md).
 */
import { AF_INET, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { sockaddrIn } from '../../stack/include/netinet/in';
import { Errno } from '../../stack/kernel/api';
import { IFF_MULTICAST } from '../../stack/net/if';
import { ipOptCopy } from '../../stack/net/ip-frag';
import { IPFRAGTTL_NS } from '../../stack/net/ip-reass';
import type { Socket } from '../../stack/net/socket';
import { EtherType, EthernetFrame, IcmpPacket, IcmpType, IcmpUnreachCode, IP_MF, IpProto, Ipv4Packet, parseMac } from '../../stack/net/wire';
import { forwardingRouter } from './frag-util';
import { type FakeEnv, ip, makeStack, rx, take } from './harness';

interface Dgram {
  src?: string; dst?: string; proto?: number; ttl?: number; ident?: number;
  /** IP options (a multiple of 4 bytes). */
  options?: number[];
  /** Fragment offset in bytes (a multiple of 8) and the MF flag. */
  off?: number; mf?: boolean;
  payload: Uint8Array;
  dstMac?: string;
}

/** An Ethernet frame 00:50:c2:00:00:01 → `dstMac` carrying the IPv4 datagram `d` (header checksum filled in). */
function frame(d: Dgram): Uint8Array {
  const opts = d.options ?? [];
  const hl = 20 + opts.length;
  const f = new Uint8Array(14 + hl + d.payload.length);
  const p = new Ipv4Packet(f.subarray(14));
  f[14] = 0x40 | (hl >> 2);
  p.totalLen = hl + d.payload.length;
  p.ident = d.ident ?? 0x5151;
  p.flagsFrag = (d.mf ? IP_MF : 0) | ((d.off ?? 0) >> 3);
  p.ttl = d.ttl ?? 64;
  p.protocol = d.proto ?? 253;
  p.src = ip(d.src ?? '10.77.0.1');
  p.dst = ip(d.dst ?? '10.77.0.2');
  f.set(opts, 14 + 20);
  f.set(d.payload, 14 + hl);
  p.fillChecksum();
  const e = new EthernetFrame(f);
  e.setDst(parseMac(d.dstMac ?? '00:50:c2:00:00:02')!);
  e.setSrc(parseMac('00:50:c2:00:00:01')!);
  e.ethertype = EtherType.IPv4;
  return f;
}

/** forwardingRouter with the set-up's trace records cleared. */
function router(): ReturnType<typeof forwardingRouter> {
  const r = forwardingRouter();
  r.env.traces.length = 0;
  return r;
}

const drops = (env: FakeEnv): string[] => env.traces.filter((t) => t.layer === 'ip' && t.probe === 'drop').map((t) => String(t.f?.reason));
const ipOf = (f: Uint8Array): Ipv4Packet => new Ipv4Packet(f.subarray(14));

describe('ip_dooptions', () => {
  test('a timestamp option (RFC 791, flag 0) gets our time in the next slot and its pointer moves on by 4', () => {
    const { s, env, en0, en1 } = router();
    // iptime(): milliseconds since midnight UT, big-endian; 12:00:00.345 of the virtual clock.
    env.t = (12 * 3600 + 0.345) * 1e9;
    // Two slots, pointer 5 (the first), overflow 0, flag 0 (timestamps only).
    rx(s, en0, frame({ dst: '10.88.0.9', options: [68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0], payload: new Uint8Array(8) }));
    const [out] = take(en1);
    const opt = out!.data.subarray(14 + 20, 14 + 32);
    expect(opt[2]).toBe(9); // the second slot is next
    expect(Buffer.from(opt.subarray(4, 8)).readUInt32BE(0)).toBe(43_200_345);
    expect(Array.from(opt.subarray(8, 12))).toEqual([0, 0, 0, 0]);
    expect(ipOf(out!.data).verifyChecksum()).toBe(true);
  });

  test('a strict source route whose current hop is not us: source route failed, counted, with its reason', () => {
    const { s, env, en0, en1 } = router();
    // RFC 791: with SSRR the datagram must reach the listed hop directly; 10.88.0.9 is not one of our addresses.
    rx(s, en0, frame({ dst: '10.88.0.9', options: [137, 7, 4, 10, 88, 0, 10, 0], payload: new Uint8Array(8) }));
    expect(take(en1)).toHaveLength(0);
    const err = take(en0).map((m) => ipOf(m.data)).find((p) => p.protocol === IpProto.ICMP)!;
    const icp = new IcmpPacket(err.payload);
    expect([icp.type, icp.code]).toEqual([IcmpType.Unreach, IcmpUnreachCode.SrcFail]);
    expect(s.stats.ip.badoptions).toBe(1);
    expect(drops(env)).toEqual(['bad option: strict source route through a host that is not us']);
  });
});

describe('ip_reass', () => {
  test('a last fragment ending before data already queued is dropped, with its reason', () => {
    const { s, env, en0 } = makeStack();
    rx(s, en0, frame({ off: 24, mf: true, payload: new Uint8Array(16) }), 1);
    rx(s, en0, frame({ off: 8, mf: false, payload: new Uint8Array(8) }), 2);
    expect(s.stats.ip.fragdropped).toBe(1);
    expect(drops(env)).toEqual(['last fragment ends at 16 before queued data']);
  });

  test('a datagram of exactly IP_MAXPACKET (65535) bytes reassembles; one byte more is too long', () => {
    const { s, env, en0 } = makeStack();
    // 20 + 65488 + 27 = 65535: ip_reass refuses only what ends past IP_MAXPACKET.
    rx(s, en0, frame({ ident: 1, off: 0, mf: true, payload: new Uint8Array(65488) }), 1);
    rx(s, en0, frame({ ident: 1, off: 65488, payload: new Uint8Array(27) }), 2);
    expect([s.stats.ip.reassembled, s.stats.ip.toolong]).toEqual([1, 0]);
    expect(env.traces.find((t) => t.probe === 'reassembled')?.f?.len).toBe(65535);
    rx(s, en0, frame({ ident: 2, off: 65488, payload: new Uint8Array(28) }), 3);
    expect(s.stats.ip.toolong).toBe(1);
  });

  test('fragments that fit one by one but not behind a first fragment with options: too long, with its reason', () => {
    const { s, env, en0 } = makeStack();
    // The first fragment has a 24-byte header (NOPs and EOL): 24 + 65504 fits, and so do the later 20-byte-header
    // fragments (20 + 65512 + 3), but the datagram rebuilt behind the first header would be 24 + 65515 bytes.
    rx(s, en0, frame({ options: [1, 1, 1, 0], off: 0, mf: true, payload: new Uint8Array(65504) }), 1);
    rx(s, en0, frame({ off: 65504, mf: true, payload: new Uint8Array(8) }), 2);
    env.traces.length = 0;
    rx(s, en0, frame({ off: 65512, payload: new Uint8Array(3) }), 3);
    expect([s.stats.ip.toolong, s.stats.ip.reassembled, s.ip.reass.npackets]).toEqual([1, 0, 0]);
    expect(drops(env)).toEqual(['reassembled datagram too long']);
  });

  test('the frag-timeout record carries the first fragment\'s packet id (0 when it never came)', () => {
    const { s, env, en0 } = makeStack();
    rx(s, en0, frame({ ident: 7, off: 0, mf: true, payload: new Uint8Array(8) }), 77);
    rx(s, en0, frame({ ident: 8, off: 8, mf: true, payload: new Uint8Array(8) }), 78);
    env.t = IPFRAGTTL_NS;
    s.runTimers();
    const recs = env.traces.filter((t) => t.probe === 'frag-timeout').map((t) => [t.pkt, t.f?.id, t.f?.first]);
    // The first record follows the datagram whose first fragment was packet 77 (what a trace reader searches for).
    expect(recs).toEqual([[77, 7, true], [0, 8, false]]);
  });
});

describe('ip_optcopy (fragments after the first)', () => {
  test('NOPs are kept for alignment, non-copied options dropped, the result padded with EOL', () => {
    // NetBSD ip_optcopy: "Preserve for IP mcast tunnel's LSRR alignment" — NOPs go into every fragment.
    expect(Array.from(ipOptCopy(new Uint8Array([1, 0x83, 7, 4, 1, 2, 3, 4, 7, 3, 4, 0])))).toEqual([1, 0x83, 7, 4, 1, 2, 3, 4]);
  });

  test('a malformed option (length 0, 1, or past the end) ends the copy without looping or reading beyond', () => {
    // ip_dooptions refuses such lists on input; what the stack sends itself (a raw IP_HDRINCL header) is not checked.
    expect(Array.from(ipOptCopy(new Uint8Array([0x94, 4, 0, 0, 0x83, 9, 1, 2])))).toEqual([0x94, 4, 0, 0]);
    expect(Array.from(ipOptCopy(new Uint8Array([0x94, 4, 0, 0, 0x83, 1, 0, 0])))).toEqual([0x94, 4, 0, 0]);
    expect(Array.from(ipOptCopy(new Uint8Array([0x94, 4, 0, 0, 0x83, 0, 0, 0])))).toEqual([0x94, 4, 0, 0]);
  });
});

describe('multicast in ip_input and ip_output', () => {
  test('a datagram to a group not joined on the interface: notmember, with the group and interface in the reason', () => {
    const { s, env, en0 } = makeStack();
    rx(s, en0, frame({ dst: '239.1.2.3', dstMac: '01:00:5e:01:02:03', proto: IpProto.UDP, payload: new Uint8Array(8) }));
    expect(s.stats.ip.notmember).toBe(1);
    expect(drops(env)).toEqual(['multicast group 239.1.2.3 not joined on en0']);
  });

  test('to a group through an interface without IFF_MULTICAST: ENETUNREACH, noroute, with the interface named', () => {
    const { s, env, en0 } = makeStack();
    expect(s.routes.addStatic(0, 0, ip('10.77.0.1'))).toBe(0);
    en0.flags &= ~IFF_MULTICAST;
    const so = s.sockets.create(AF_INET, SOCK_DGRAM, 0) as Socket;
    env.traces.length = 0;
    expect(s.sockets.send(so, new Uint8Array(4), sockaddrIn(ip('239.1.2.3'), 5000), 9)).toBe(-Errno.ENETUNREACH);
    expect(s.stats.ip.noroute).toBe(1);
    expect(drops(env)).toEqual(['en0 cannot multicast']);
    expect(take(en0)).toHaveLength(0);
  });
});

describe('pfil hooks on a forwarded datagram', () => {
  test('a passing hook sees it in on en0 and out on en1, and it is forwarded; one refusing it outbound: host unreachable', () => {
    const { s, en0, en1 } = router();
    const seen: string[] = [];
    let refuseOut = false;
    s.pfil.inet.add('test', (m, pkt, ifp, dir) => {
      seen.push(`${dir} ${ifp.name}`);
      return dir === 'out' && ifp === en1 && refuseOut ? null : { m, pkt };
    });
    rx(s, en0, frame({ dst: '10.88.0.9', ttl: 9, proto: IpProto.UDP, payload: new Uint8Array(8) }), 5);
    expect(seen).toEqual(['in en0', 'out en1']);
    expect(take(en1).map((m) => ipOf(m.data).ttl)).toEqual([8]);
    expect(s.stats.ip.forward).toBe(1);
    // ip_forward: ip_output's EHOSTUNREACH from a refusing hook → ICMP host unreachable quoting the datagram as received.
    refuseOut = true;
    rx(s, en0, frame({ dst: '10.88.0.9', ttl: 9, proto: IpProto.UDP, payload: new Uint8Array(8) }), 6);
    expect(take(en1)).toHaveLength(0);
    expect(s.stats.ip.cantforward).toBe(1);
    const err = take(en0).map((m) => ipOf(m.data)).find((p) => p.protocol === IpProto.ICMP)!;
    const icp = new IcmpPacket(err.payload);
    expect([icp.type, icp.code]).toEqual([IcmpType.Unreach, IcmpUnreachCode.Host]);
    expect(new Ipv4Packet(icp.data).ttl).toBe(9);
  });
});
