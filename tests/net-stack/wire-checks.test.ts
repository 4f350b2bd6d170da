/**
 * The wire library's field tables and checks: every view reads through its table, each header constant is
 * its table's end, and each failed check is named after the NetBSD counter the stack bumps for it.
 */
import {
  ARP_LEN, ArpField, ArpPacket, ArpRepr, ETHER_HDR_LEN, EthernetField, EthernetFrame, EthernetRepr,
  ICMP_MINLEN, IP_HDR_LEN, IPV4_CHECKS, IcmpField, IcmpPacket, IcmpRepr, Ipv4Field, Ipv4Packet, Ipv4Repr,
  UDP_HDR_LEN, UdpField, UdpPacket, UdpRepr, WireError, headerEnd, type FieldSpec,
} from '../../stack/net/wire';
import { ARP_REQUEST, ICMP_ECHO_REQUEST, ICMP_PORT_UNREACH, UDP_TO_CLOSED_PORT } from './fixtures';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const A1 = 0x0a4d0001; // 10.77.0.1
const A2 = 0x0a4d0002; // 10.77.0.2

function checkOf<C extends string>(r: unknown): C | null {
  return r instanceof WireError ? (r.check as C) : null;
}

describe('field tables', () => {
  const tables: [string, Record<string, FieldSpec>, number][] = [
    ['Ethernet', EthernetField, ETHER_HDR_LEN],
    ['ARP', ArpField, ARP_LEN],
    ['IPv4', Ipv4Field, IP_HDR_LEN],
    ['ICMP', IcmpField, ICMP_MINLEN],
    ['UDP', UdpField, UDP_HDR_LEN],
  ];
  test.each(tables)('%s: the header length constant is the end of the table', (_name, table, len) => {
    expect(headerEnd(table)).toBe(len);
  });
  test.each(tables)('%s: fields tile the header without gaps', (_name, table, len) => {
    const covered = new Array<number>(len).fill(0);
    for (const f of Object.values(table)) for (let i = f.offset; i < f.offset + f.length; i++) covered[i]!++;
    expect(covered.every((n) => n >= 1)).toBe(true);
  });
  test('only ICMP overlays fields (the 4 bytes after the checksum: ident+seq or one 32-bit word)', () => {
    for (const table of [EthernetField, ArpField, Ipv4Field, UdpField]) {
      const covered = new Array<number>(headerEnd(table)).fill(0);
      for (const f of Object.values(table)) for (let i = f.offset; i < f.offset + f.length; i++) covered[i]!++;
      expect(Math.max(...covered)).toBe(1);
    }
    expect(IcmpField.rest).toEqual({ offset: IcmpField.ident.offset, length: IcmpField.ident.length + IcmpField.seq.length });
  });
  test('views read each field at its table offset (the captured echo request)', () => {
    const f = ICMP_ECHO_REQUEST;
    const eth = new EthernetFrame(f);
    const ethType = (f[EthernetField.ethertype.offset]! << 8) | f[EthernetField.ethertype.offset + 1]!;
    expect(eth.ethertype).toBe(ethType);
    expect(toHex(eth.src)).toBe(toHex(f.subarray(EthernetField.src.offset, EthernetField.src.offset + 6)));
    const ipb = eth.payload;
    const ip = new Ipv4Packet(ipb);
    expect(ip.ttl).toBe(ipb[Ipv4Field.ttl.offset]);
    expect(ip.protocol).toBe(ipb[Ipv4Field.protocol.offset]);
    expect(ip.totalLen).toBe((ipb[Ipv4Field.totalLen.offset]! << 8) | ipb[Ipv4Field.totalLen.offset + 1]!);
    const icp = new IcmpPacket(ip.payload);
    expect(icp.ident).toBe(0x1234);
    expect(icp.rest).toBe(0x12340000);
  });
});

describe('Ethernet', () => {
  test('emit the captured ARP request header byte for byte', () => {
    const r = EthernetRepr.parse(new EthernetFrame(ARP_REQUEST));
    if (r instanceof WireError) throw new Error(r.reason);
    const out = new Uint8Array(EthernetRepr.bufferLen(ARP_REQUEST.length - ETHER_HDR_LEN));
    out.set(ARP_REQUEST.subarray(ETHER_HDR_LEN), ETHER_HDR_LEN);
    EthernetRepr.emit(r, new EthernetFrame(out));
    expect(toHex(out)).toBe(toHex(ARP_REQUEST));
  });
  test('a header shorter than 14 bytes is truncated', () => {
    const r = EthernetRepr.parse(new EthernetFrame(ARP_REQUEST.subarray(0, 13)));
    expect(checkOf(r)).toBe('truncated');
    expect((r as WireError).reason).toBe('frame of 13 bytes is shorter than an Ethernet header');
  });
});

describe('ARP checks', () => {
  const arp = () => ARP_REQUEST.slice(ETHER_HDR_LEN);
  test('truncated, unsupported, unknown operation', () => {
    expect(checkOf(ArpRepr.parse(new ArpPacket(arp().subarray(0, 7))))).toBe('truncated');
    expect(checkOf(ArpRepr.parse(new ArpPacket(arp().subarray(0, 27))))).toBe('truncated');
    const hw = arp();
    new ArpPacket(hw).htype = 6; // IEEE 802 networks
    expect(checkOf(ArpRepr.parse(new ArpPacket(hw)))).toBe('unsupported');
    const op = arp();
    new ArpPacket(op).oper = 3; // RARP request
    const r = ArpRepr.parse(new ArpPacket(op));
    expect(checkOf(r)).toBe('badop');
    expect((r as WireError).reason).toBe('unknown ARP operation 3');
  });
});

describe('IPv4 checks in ip_input order', () => {
  const ipOf = (edit: (p: Ipv4Packet) => void, fixSum = true, len?: number): Ipv4Packet => {
    const b = ICMP_ECHO_REQUEST.slice(ETHER_HDR_LEN, len === undefined ? undefined : ETHER_HDR_LEN + len);
    const p = new Ipv4Packet(b);
    edit(p);
    if (fixSum && b.length >= IP_HDR_LEN) p.fillChecksum();
    return p;
  };
  test('the order is ipstat\'s', () => {
    expect([...IPV4_CHECKS]).toEqual(['toosmall', 'badvers', 'badhlen', 'badsum', 'badlen', 'tooshort']);
  });
  test('each check, with its reason', () => {
    const cases: [Ipv4Packet, string, string][] = [
      [ipOf(() => undefined, true, 19), 'toosmall', 'packet of 19 bytes is shorter than an IPv4 header'],
      [ipOf((p) => { p.buf[0] = 0x65; }), 'badvers', 'version 6 is not 4'],
      [ipOf((p) => { p.buf[0] = 0x44; }, false), 'badhlen', 'header length 16 is below 20'],
      [ipOf((p) => { p.buf[0] = 0x46; }, false, 22), 'badhlen', 'packet of 22 bytes is shorter than its 24-byte header'],
      [ipOf((p) => { p.checksum ^= 1; }, false), 'badsum', 'bad header checksum'],
      [ipOf((p) => { p.totalLen = 19; }), 'badlen', 'total length 19 is below the header length 20'],
      [ipOf((p) => { p.totalLen = 85; }), 'tooshort', 'packet of 84 bytes is shorter than its total length 85'],
    ];
    for (const [p, check, reason] of cases) {
      const r = Ipv4Repr.parse(p);
      expect(r).toBeInstanceOf(WireError);
      expect([(r as WireError).check, (r as WireError).reason]).toEqual([check, reason]);
    }
  });
  test('a wrong version is found before a wrong header length, a bad checksum before a bad total length', () => {
    expect(checkOf(Ipv4Repr.parse(ipOf((p) => { p.buf[0] = 0x64; }, false)))).toBe('badvers');
    expect(checkOf(Ipv4Repr.parse(ipOf((p) => { p.totalLen = 200; }, false)))).toBe('badsum');
  });
  test('checkLen is the length checks alone; parse can skip the checksum', () => {
    const v6 = ipOf((p) => { p.buf[0] = 0x65; });
    expect(v6.checkLen()).toBeNull();
    const sum = ipOf((p) => { p.checksum ^= 1; }, false);
    expect(sum.checkLen()).toBeNull();
    expect(Ipv4Repr.parse(sum, { verifyChecksum: false })).not.toBeInstanceOf(WireError);
  });
  test('link padding after the total length is not an error; the payload ends at the total length', () => {
    const padded = new Uint8Array(84 + 6);
    padded.set(ICMP_ECHO_REQUEST.subarray(ETHER_HDR_LEN));
    const p = new Ipv4Packet(padded);
    const r = Ipv4Repr.parse(p);
    expect(r).not.toBeInstanceOf(WireError);
    expect(p.payload.length).toBe(64);
  });
});

describe('ICMP', () => {
  test('emit the captured echo request from its repr', () => {
    const ip = new Ipv4Packet(ICMP_ECHO_REQUEST.subarray(ETHER_HDR_LEN));
    const r = IcmpRepr.parse(new IcmpPacket(ip.payload));
    if (r instanceof WireError) throw new Error(r.reason);
    const out = new Uint8Array(IcmpRepr.bufferLen(r));
    IcmpRepr.emit(r, new IcmpPacket(out));
    expect(toHex(out)).toBe(toHex(ip.payload));
  });
  test('checks named after icmpstat: tooshort, checksum, badcode', () => {
    const body = () => ICMP_ECHO_REQUEST.slice(ETHER_HDR_LEN + IP_HDR_LEN);
    expect(checkOf(IcmpRepr.parse(new IcmpPacket(body().subarray(0, 7))))).toBe('tooshort');
    const sum = body();
    sum[ICMP_MINLEN] = sum[ICMP_MINLEN]! ^ 0xff;
    expect(checkOf(IcmpRepr.parse(new IcmpPacket(sum)))).toBe('checksum');
    const code = new IcmpPacket(body());
    code.code = 1;
    code.fillChecksum();
    expect(checkOf(IcmpRepr.parse(code))).toBe('badcode');
  });
  test('an unreachable parses to its quote; other types stay opaque', () => {
    const ip = new Ipv4Packet(ICMP_PORT_UNREACH.subarray(ETHER_HDR_LEN));
    const other = ip.payload.slice();
    const p = new IcmpPacket(other);
    p.type = 11; // time exceeded
    p.fillChecksum();
    const r = IcmpRepr.parse(p);
    expect(r).toMatchObject({ kind: 'other', type: 11, code: 3, rest: 0 });
  });
});

describe('UDP checks', () => {
  const udp = () => UDP_TO_CLOSED_PORT.slice(ETHER_HDR_LEN + IP_HDR_LEN);
  test('hdrops, badlen, badsum; a zero checksum means none', () => {
    expect(checkOf(UdpRepr.parse(new UdpPacket(udp().subarray(0, 7)), A1, A2))).toBe('hdrops');
    const short = new UdpPacket(udp());
    short.length = 7;
    expect(checkOf(UdpRepr.parse(short, A1, A2))).toBe('badlen');
    const long = new UdpPacket(udp());
    long.length = 15;
    expect(checkOf(UdpRepr.parse(long, A1, A2))).toBe('badlen');
    expect(checkOf(UdpRepr.parse(new UdpPacket(udp()), A1, A2))).toBe(null);
    expect(checkOf(UdpRepr.parse(new UdpPacket(udp()), A1, A1))).toBe('badsum');
    const none = new UdpPacket(udp());
    none.checksum = 0;
    expect(checkOf(UdpRepr.parse(none, A1, A1))).toBe(null);
  });
});
