/**
 * tcpdump's printers on crafted frames, line by line. The expected lines are what tcpdump 4.99.3 printed for
 * the same frames (`tcpdump -n -r` / `-nn -X` on the savefile this test writes when TCPDUMP_FRAMES names a
 * path), minus its application-layer decoders (`: HTTP`), which are not modelled. Then the savefile round trip.
 */
import * as fs from 'node:fs';
import { etherPrint, hexDump, pflogPrint } from '../../stack/utils/tcpdump/print-link';
import { newNdo, type Ndo } from '../../stack/utils/tcpdump/ndo';
import { readSavefile, savefileHeader, savefileRecord } from '../../stack/lib/pcap/savefile';
import { arpReply, arpRequest, BCAST, ether, icmp6, icmpEcho, ipv4, ipv6, LL1, LL2, tcp, udp } from './frames';

/**
 * A pflog0 record: struct pfloghdr of NetBSD's pf (64 bytes: length 61 = PFLOG_REAL_HDRLEN, af AF_INET,
 * action 1 block, reason 0 match, ifname "en0", ruleset "", rulenr 1, subrulenr -1, uid/pid, dir 1 in)
 * and the IP datagram after it.
 */
const PFLOG_ECHO = (() => {
  const h = new Uint8Array(64);
  h.set([61, 2, 1, 0]);
  h.set(new TextEncoder().encode('en0'), 4);
  const dv = new DataView(h.buffer);
  dv.setUint32(36, 1);
  dv.setUint32(40, 0xffffffff);
  h[60] = 1;
  return new Uint8Array([...h, ...ipv4(1, '10.0.0.1', '10.0.0.2', icmpEcho(8, 1, 1))]);
})();

const ndo = (o: Partial<Ndo> = {}): Ndo => ({ ...newNdo(), nflag: 1, ...o });
const line = (f: Uint8Array, o: Partial<Ndo> = {}) => etherPrint(ndo(o), f, f.length);

export const FRAMES: Record<string, Uint8Array> = {
  echoReq: ether(0x0800, ipv4(1, '10.0.0.1', '10.0.0.2', icmpEcho(8, 1, 1))),
  echoRep: ether(0x0800, ipv4(1, '10.0.0.2', '10.0.0.1', icmpEcho(0, 1, 1))),
  arpReq: ether(0x0806, arpRequest('10.0.0.1', '10.0.0.2'), BCAST),
  arpRep: ether(0x0806, arpReply('10.0.0.2', '10.0.0.1')),
  udp: ether(0x0800, ipv4(17, '10.0.0.1', '10.0.0.2', udp('10.0.0.1', '10.0.0.2', 1025, 9000, 100))),
  syn: ether(0x0800, ipv4(6, '10.0.0.1', '10.0.0.2', tcp('10.0.0.1', '10.0.0.2', 1025, 80, 123, 0, 0x02,
    [2, 4, 0x05, 0xb4, 1, 3, 3, 0, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0]))),
  synack: ether(0x0800, ipv4(6, '10.0.0.2', '10.0.0.1', tcp('10.0.0.2', '10.0.0.1', 80, 1025, 5000, 124, 0x12, [2, 4, 0x05, 0xb4]))),
  ack: ether(0x0800, ipv4(6, '10.0.0.1', '10.0.0.2', tcp('10.0.0.1', '10.0.0.2', 1025, 80, 124, 5001, 0x10))),
  data: ether(0x0800, ipv4(6, '10.0.0.1', '10.0.0.2', tcp('10.0.0.1', '10.0.0.2', 1025, 80, 124, 5001, 0x18, [], 100))),
  echo6: ether(0x86dd, ipv6(58, LL1, LL2, icmp6(128, [0, 7, 0, 3, 1, 2, 3, 4]))),
  ns: ether(0x86dd, ipv6(58, LL1, LL2, icmp6(135, [0, 0, 0, 0, ...LL2]))),
  frag: ether(0x0800, ipv4(17, '10.0.0.1', '10.0.0.2', new Array(40).fill(0), { frag: 0x00b9 })),
};

describe('tcpdump printers', () => {
  it('ICMP echo request and reply', () => {
    expect(line(FRAMES.echoReq!)).toBe('IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64');
    expect(line(FRAMES.echoRep!)).toBe('IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id 1, seq 1, length 64');
  });
  it('ARP request and reply, and -e', () => {
    expect(line(FRAMES.arpReq!)).toBe('ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
    expect(line(FRAMES.arpRep!)).toBe('ARP, Reply 10.0.0.2 is-at 00:50:c2:00:00:02, length 28');
    expect(line(FRAMES.arpReq!, { eflag: true })).toBe(
      '00:50:c2:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
  });
  it('UDP, and port names unless -nn', () => {
    expect(line(FRAMES.udp!, { nflag: 2 })).toBe('IP 10.0.0.1.1025 > 10.0.0.2.9000: UDP, length 100');
    const dns = ether(0x0800, ipv4(17, '10.0.0.1', '10.0.0.2', udp('10.0.0.1', '10.0.0.2', 1025, 123, 48)));
    expect(line(dns)).toBe('IP 10.0.0.1.1025 > 10.0.0.2.ntp: UDP, length 48');
    expect(line(dns, { nflag: 2 })).toBe('IP 10.0.0.1.1025 > 10.0.0.2.123: UDP, length 48');
  });
  it('TCP: flags, options, relative sequence numbers from the first ACK, -S', () => {
    const n = ndo({ nflag: 2 });
    const p = (f: Uint8Array) => etherPrint(n, f, f.length);
    expect(p(FRAMES.syn!)).toBe('IP 10.0.0.1.1025 > 10.0.0.2.80: Flags [S], seq 123, win 32768, options [mss 1460,nop,wscale 0,sackOK,TS val 1 ecr 0], length 0');
    expect(p(FRAMES.synack!)).toBe('IP 10.0.0.2.80 > 10.0.0.1.1025: Flags [S.], seq 5000, ack 124, win 32768, options [mss 1460], length 0');
    expect(p(FRAMES.ack!)).toBe('IP 10.0.0.1.1025 > 10.0.0.2.80: Flags [.], ack 1, win 32768, length 0');
    expect(p(FRAMES.data!)).toBe('IP 10.0.0.1.1025 > 10.0.0.2.80: Flags [P.], seq 1:101, ack 1, win 32768, length 100');
    expect(etherPrint(ndo({ nflag: 2, Sflag: true }), FRAMES.data!, FRAMES.data!.length)).toBe(
      'IP 10.0.0.1.1025 > 10.0.0.2.80: Flags [P.], seq 124:224, ack 5001, win 32768, length 100');
    expect(etherPrint(ndo({ qflag: true }), FRAMES.data!, FRAMES.data!.length)).toBe('IP 10.0.0.1.1025 > 10.0.0.2.http: tcp 100');
  });
  it('IPv6: ICMPv6 echo and neighbour solicitation', () => {
    expect(line(FRAMES.echo6!)).toBe('IP6 fe80::1 > fe80::2: ICMP6, echo request, id 7, seq 3, length 12');
    expect(line(FRAMES.ns!)).toBe('IP6 fe80::1 > fe80::2: ICMP6, neighbor solicitation, who has fe80::2, length 24');
  });
  it('-v: the IPv4 header fields, ARP hardware/protocol, the TCP checksum', () => {
    expect(line(FRAMES.echoReq!, { vflag: 1 })).toBe(
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64');
    expect(line(FRAMES.arpReq!, { vflag: 1, eflag: true })).toBe('00:50:c2:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: ' +
      'Ethernet (len 6), IPv4 (len 4), Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
    expect(line(FRAMES.syn!, { vflag: 1, nflag: 2 }).split('\n')[1]).toBe('    10.0.0.1.1025 > 10.0.0.2.80: Flags [S], cksum 0xaf37 (correct), seq 123, ' +
      'win 32768, options [mss 1460,nop,wscale 0,sackOK,TS val 1 ecr 0], length 0');
    const bad = FRAMES.syn!.slice();
    bad[14 + 20 + 16] = bad[14 + 20 + 16]! ^ 0xff;
    expect(line(bad, { vflag: 1, nflag: 2 })).toContain('Flags [S], cksum 0x5037 (incorrect -> 0xaf37), seq 123');
  });
  it('a later fragment prints only the protocol', () => {
    expect(line(FRAMES.frag!)).toBe('IP 10.0.0.1 > 10.0.0.2: ip-proto-17');
  });
  it('hostile input: truncated headers print markers instead of failing', () => {
    // Captured with a short snap length: the wire length is the frame's, the bytes at hand fewer.
    const cut = (f: Uint8Array, n: number) => etherPrint(ndo(), f.subarray(0, n), f.length);
    expect(cut(FRAMES.echoReq!, 30)).toBe('IP [|ip]');
    expect(cut(FRAMES.syn!, 40)).toBe('IP 10.0.0.1 > 10.0.0.2: [|tcp]');
    // A datagram claiming more than the frame carries.
    expect(line(FRAMES.syn!.subarray(0, 40))).toBe('IP truncated-ip - 34 bytes missing! 10.0.0.1 > 10.0.0.2: [|tcp]');
    expect(line(new Uint8Array(10))).toBe('[|ether]');
    expect(line(ether(0x1234, [1, 2, 3]))).toBe('00:50:c2:00:00:01 > 00:50:c2:00:00:02, ethertype Unknown (0x1234), length 17: ');
  });
  it('-x and -X hex dumps', () => {
    const ip = FRAMES.echoReq!.subarray(14, 14 + 20);
    expect(hexDump(ip, false)).toBe('\n\t0x0000:  4500 0054 1234 4000 4001 1473 0a00 0001\n\t0x0010:  0a00 0002');
    expect(hexDump(ip, true)).toBe(
      '\n\t0x0000:  4500 0054 1234 4000 4001 1473 0a00 0001  E..T.4@.@..s....\n\t0x0010:  0a00 0002                                ....');
  });
  it('pflog: with -e the rule, reason, action, direction and interface, then the packet; without, the packet', () => {
    expect(pflogPrint(ndo({ eflag: true }), PFLOG_ECHO, PFLOG_ECHO.length)).toBe(
      'rule 1/0(match): block in on en0: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64');
    expect(pflogPrint(ndo(), PFLOG_ECHO, PFLOG_ECHO.length)).toBe('IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64');
    // The default rule (nr -1) prints as tcpdump's %u does.
    const dflt = PFLOG_ECHO.slice();
    dflt.set([0xff, 0xff, 0xff, 0xff], 36);
    expect(pflogPrint(ndo({ eflag: true }), dflt, dflt.length)).toMatch(/^rule 4294967295\/0\(match\)/);
    // The 48-byte header of OpenBSD 3.7's pf (length 45, dir at 44, no uid/pid), as NetBSD 4's pf writes it.
    const old = new Uint8Array([...PFLOG_ECHO.subarray(0, 48), ...PFLOG_ECHO.subarray(64)]);
    old[0] = 45;
    old[44] = 2;
    expect(pflogPrint(ndo({ eflag: true }), old, old.length)).toBe(
      'rule 1/0(match): block out on en0: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64');
  });
});

describe('pcap savefiles', () => {
  it('a written file reads back record by record', () => {
    const recs = Object.values(FRAMES).map((f, i) => ({ tsSec: 1, tsUsec: 1000 * i, len: f.length, data: f }));
    const file = new Uint8Array([...savefileHeader(65535, 1), ...recs.flatMap((r) => [...savefileRecord(r)])]);
    // 24-byte header, then 16 bytes plus the frame per record.
    expect(file.length).toBe(24 + recs.reduce((n, r) => n + 16 + r.data.length, 0));
    const back = readSavefile(file);
    expect('header' in back && back.header).toEqual({ versionMajor: 2, versionMinor: 4, snaplen: 65535, linktype: 1 });
    expect('records' in back && back.records.map((r) => [r.tsSec, r.tsUsec, r.len, Array.from(r.data)])).toEqual(
      recs.map((r) => [r.tsSec, r.tsUsec, r.len, Array.from(r.data)]));
    if (process.env.TCPDUMP_FRAMES) {
      fs.writeFileSync(process.env.TCPDUMP_FRAMES, file);
      const pfl = [...savefileHeader(65535, 117), ...savefileRecord({ tsSec: 2, tsUsec: 0, len: PFLOG_ECHO.length, data: PFLOG_ECHO })];
      fs.writeFileSync(`${process.env.TCPDUMP_FRAMES}.pflog`, new Uint8Array(pfl));
    }
  });
  it('a truncated file keeps the whole records and says what is missing', () => {
    const f = FRAMES.echoReq!;
    const file = new Uint8Array([...savefileHeader(65535, 1), ...savefileRecord({ tsSec: 0, tsUsec: 0, len: f.length, data: f })]);
    const cut = readSavefile(file.subarray(0, file.length - 10));
    expect('records' in cut && cut.records.length).toBe(0);
    expect(cut.error).toBe(`truncated dump file; tried to read ${f.length} captured bytes, only got ${f.length - 10}`);
    expect(readSavefile(new Uint8Array(30)).error).toBe('bad dump file format');
  });
});
