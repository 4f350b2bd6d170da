import {
  ArpPacket, ArpRepr, EthernetFrame, EthernetRepr, IcmpPacket, IcmpRepr, Ipv4Packet, Ipv4Repr, UdpPacket, UdpRepr,
  WireError, ipToString, macToString, parseIpv4, EtherType, ArpOp, IpProto, ETHER_HDR_LEN, prefixFromMask,
  maskFromPrefix,
} from '../../stack/net/wire';
import { ARP_REPLY, ARP_REQUEST, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_PORT_UNREACH, UDP_TO_CLOSED_PORT } from './fixtures';

const A1 = 0x0a4d0001; // 10.77.0.1
const A2 = 0x0a4d0002; // 10.77.0.2

function ok<T>(r: T | WireError): T {
  if (r instanceof WireError) throw new Error(r.reason);
  return r;
}

describe('addresses', () => {
  test('inet_aton forms and masks', () => {
    expect(ipToString(parseIpv4('10.1')!)).toBe('10.0.0.1');
    expect(ipToString(parseIpv4('0x7f.1')!)).toBe('127.0.0.1');
    expect(parseIpv4('256.1.1.1')).toBeNull();
    expect(parseIpv4('1.2.3.4.5')).toBeNull();
    expect(prefixFromMask(0xffffff00)).toBe(24);
    expect(prefixFromMask(0xff00ff00)).toBeNull();
    expect(maskFromPrefix(0)).toBe(0);
  });
});

describe('Ethernet + ARP', () => {
  test('parse a captured ARP request', () => {
    const f = new EthernetFrame(ARP_REQUEST);
    const e = ok(EthernetRepr.parse(f));
    expect(macToString(e.dst)).toBe('ff:ff:ff:ff:ff:ff');
    expect(macToString(e.src)).toBe('00:50:c2:00:00:01');
    expect(e.ethertype).toBe(EtherType.ARP);
    const a = ok(ArpRepr.parse(new ArpPacket(f.payload)));
    expect(a.op).toBe(ArpOp.Request);
    expect(a.spa).toBe(A1);
    expect(a.tpa).toBe(A2);
  });

  test('emit an ARP reply byte-identical to the capture', () => {
    const buf = new Uint8Array(ETHER_HDR_LEN + ArpRepr.bufferLen());
    const f = new EthernetFrame(buf);
    EthernetRepr.emit({ dst: ARP_REPLY.subarray(0, 6), src: ARP_REPLY.subarray(6, 12), ethertype: EtherType.ARP }, f);
    const r = ok(ArpRepr.parse(new ArpPacket(ARP_REPLY.subarray(14))));
    ArpRepr.emit(r, new ArpPacket(f.payload));
    expect(Buffer.from(buf).toString('hex')).toBe(Buffer.from(ARP_REPLY).toString('hex'));
  });

  test('truncated frames give reasons, not throws', () => {
    expect(EthernetRepr.parse(new EthernetFrame(new Uint8Array(10)))).toBeInstanceOf(WireError);
    expect(ArpRepr.parse(new ArpPacket(ARP_REQUEST.subarray(14, 30)))).toBeInstanceOf(WireError);
  });
});

describe('IPv4 + ICMP', () => {
  test('parse the captured echo request', () => {
    const ip = new Ipv4Packet(ICMP_ECHO_REQUEST.subarray(14));
    const r = ok(Ipv4Repr.parse(ip));
    expect(r.src).toBe(A1);
    expect(r.dst).toBe(A2);
    expect(r.protocol).toBe(IpProto.ICMP);
    expect(r.ttl).toBe(64);
    expect(r.dontFrag).toBe(true);
    expect(r.payloadLen).toBe(64);
    const icmp = ok(IcmpRepr.parse(new IcmpPacket(ip.payload)));
    expect(icmp.kind).toBe('echoRequest');
    if (icmp.kind === 'echoRequest') {
      expect(icmp.ident).toBe(0x1234);
      expect(icmp.seq).toBe(0);
      expect(icmp.data.length).toBe(56);
    }
  });

  test('emit the captured echo reply from its repr (a view over a subarray: byteOffset matters)', () => {
    const cap = new Ipv4Packet(ICMP_ECHO_REPLY.subarray(14));
    const ipr = ok(Ipv4Repr.parse(cap));
    const icr = ok(IcmpRepr.parse(new IcmpPacket(cap.payload)));
    const big = new Uint8Array(100 + Ipv4Repr.bufferLen(ipr));
    const out = big.subarray(100);
    const p = new Ipv4Packet(out);
    Ipv4Repr.emit(ipr, p);
    IcmpRepr.emit(icr, new IcmpPacket(out.subarray(20)));
    expect(Buffer.from(out).toString('hex')).toBe(Buffer.from(ICMP_ECHO_REPLY.subarray(14)).toString('hex'));
  });

  test('bad checksum and bad lengths are reported', () => {
    const b = ICMP_ECHO_REQUEST.slice(14);
    b[10] = b[10]! ^ 1;
    expect((Ipv4Repr.parse(new Ipv4Packet(b)) as WireError).reason).toBe('bad header checksum');
    const c = ICMP_ECHO_REQUEST.slice(14, 40);
    expect((Ipv4Repr.parse(new Ipv4Packet(c)) as WireError).reason).toMatch(/shorter than its total length 84/);
    const d = ICMP_ECHO_REQUEST.slice(14);
    d[0] = 0x44;
    expect((Ipv4Repr.parse(new Ipv4Packet(d)) as WireError).reason).toMatch(/header length 16/);
  });

  test('parse and re-emit the captured port unreachable', () => {
    const ip = new Ipv4Packet(ICMP_PORT_UNREACH.subarray(14));
    const r = ok(Ipv4Repr.parse(ip));
    expect(r.tos).toBe(0xc0);
    const icmp = ok(IcmpRepr.parse(new IcmpPacket(ip.payload)));
    expect(icmp.kind).toBe('destUnreachable');
    if (icmp.kind !== 'destUnreachable') return;
    expect(icmp.code).toBe(3);
    // The quote is the whole offending datagram here (it is short).
    expect(Buffer.from(icmp.quote).toString('hex')).toBe(Buffer.from(UDP_TO_CLOSED_PORT.subarray(14)).toString('hex'));
    const out = new Uint8Array(IcmpRepr.bufferLen(icmp));
    IcmpRepr.emit(icmp, new IcmpPacket(out));
    expect(Buffer.from(out).toString('hex')).toBe(Buffer.from(ip.payload).toString('hex'));
  });
});

describe('UDP', () => {
  test('parse with pseudo-header checksum and emit identical bytes', () => {
    const ip = new Ipv4Packet(UDP_TO_CLOSED_PORT.subarray(14));
    const ipr = ok(Ipv4Repr.parse(ip));
    const u = ok(UdpRepr.parse(new UdpPacket(ip.payload), ipr.src, ipr.dst));
    expect(u.srcPort).toBe(40000);
    expect(u.dstPort).toBe(5000);
    expect(Buffer.from(u.payload).toString()).toBe('qnxemu');
    const out = new Uint8Array(UdpRepr.bufferLen(u));
    UdpRepr.emit(u, new UdpPacket(out), ipr.src, ipr.dst);
    expect(Buffer.from(out).toString('hex')).toBe(Buffer.from(ip.payload).toString('hex'));
    // Wrong pseudo header → bad checksum.
    expect(UdpRepr.parse(new UdpPacket(ip.payload), ipr.src, ipr.src)).toBeInstanceOf(WireError);
  });
  test('length field larger than the datagram', () => {
    const b = UDP_TO_CLOSED_PORT.slice(34);
    b[5] = 0x40;
    expect((UdpRepr.parse(new UdpPacket(b), A1, A2) as WireError).reason).toMatch(/exceeds/);
  });
});
