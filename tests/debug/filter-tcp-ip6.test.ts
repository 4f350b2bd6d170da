/**
 * The debugger's packet model and filters on TCP and IPv6: frames built with the stack's own emitters
 * (stack/net/wire), records as the stack's tcp/ip6/icmp6/nd6 probes write them, and a real trace of
 * docs/examples/tcp-transfer.yaml (its handshake and first data, ~1.3 s).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runTimeline } from '../../emulator/app/testing/execute';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { FilterError, parseFilter } from '../../emulator/app/debug/filter';
import { evaluate, matches } from '../../emulator/app/debug/filter-eval';
import { decodeFrame, learnFromRecord, summarize, type PacketInfo } from '../../emulator/app/debug/packet-info';
import { parseTrace, selectRecords } from '../../emulator/app/debug/trace-file';
import { DebugSession } from '../../emulator/app/debug/session';
import { parseIpv6 } from '../../stack/net/wire/addr6';
import { EtherType, EthernetFrame, EthernetRepr, ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { IpProto, Ipv4Packet, Ipv4Repr } from '../../stack/net/wire/ipv4';
import { IP6_HDR_LEN, Ip6Nxt, Ipv6Packet, Ipv6Repr } from '../../stack/net/wire/ipv6';
import { Icmp6Type, Icmpv6Packet } from '../../stack/net/wire/icmpv6';
import { TH_ACK, TH_PUSH, TH_SYN, TcpPacket, TcpRepr, tcpPseudoSum4, tcpPseudoSum6, type TcpRepr as TcpReprT } from '../../stack/net/wire/tcp';
import { ICMP_ECHO_REQUEST, UDP_TO_CLOSED_PORT } from '../net-stack/fixtures';
import { tmpdir } from './cli-helpers';

const MAC1 = Uint8Array.of(0, 0, 0xe8, 0x0a, 0, 1);
const MAC2 = Uint8Array.of(0, 0, 0xe8, 0x0b, 0, 2);
const A1 = 0x0a000001; // 10.0.0.1
const A2 = 0x0a000002; // 10.0.0.2
const LL1 = parseIpv6('fe80::1')!;
const LL2 = parseIpv6('fe80::2')!;
const MLDV2_ROUTERS = parseIpv6('ff02::16')!;

function ether(type: number, payloadLen: number, src = MAC1, dst = MAC2): Uint8Array {
  const b = new Uint8Array(EthernetRepr.bufferLen(payloadLen));
  EthernetRepr.emit({ src, dst, ethertype: type }, new EthernetFrame(b));
  return b;
}

function seg(sport: number, dport: number, flags: number, seq: number, ack: number, payload = new Uint8Array(0)): TcpReprT {
  return { srcPort: sport, dstPort: dport, seq, ack, flags, window: 32768, urgent: 0, options: flags & TH_SYN ? { mss: 1460 } : {}, payload };
}

function tcp4(r: TcpReprT, src = A1, dst = A2): Uint8Array {
  const len = TcpRepr.bufferLen(r);
  const b = ether(EtherType.IPv4, 20 + len);
  const ip = new Ipv4Packet(b.subarray(ETHER_HDR_LEN));
  Ipv4Repr.emit({ src, dst, protocol: IpProto.TCP, ttl: 64, tos: 0, ident: 1, dontFrag: true, moreFrags: false, fragOffset: 0, optionsLen: 0, payloadLen: len }, ip);
  TcpRepr.emit(r, new TcpPacket(b.subarray(ETHER_HDR_LEN + 20)), tcpPseudoSum4(src, dst, len));
  return b;
}

/** An IPv6 packet with `ext` (already-built extension headers) before an upper layer of `nxt`. */
function ip6(nxt: number, upperLen: number, src: Uint8Array, dst: Uint8Array, ext: number[] = [], firstNxt = nxt): { frame: Uint8Array; upper: Uint8Array } {
  const b = ether(EtherType.IPv6, IP6_HDR_LEN + ext.length + upperLen);
  const p = new Ipv6Packet(b.subarray(ETHER_HDR_LEN));
  Ipv6Repr.emit({ src, dst, nxt: firstNxt, hlim: 64, trafficClass: 0, flowLabel: 0, payloadLen: ext.length + upperLen }, p);
  b.set(ext, ETHER_HDR_LEN + IP6_HDR_LEN);
  return { frame: b, upper: b.subarray(ETHER_HDR_LEN + IP6_HDR_LEN + ext.length) };
}

function tcp6(r: TcpReprT, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const len = TcpRepr.bufferLen(r);
  const { frame, upper } = ip6(Ip6Nxt.TCP, len, src, dst);
  TcpRepr.emit(r, new TcpPacket(upper), tcpPseudoSum6(src, dst, len));
  return frame;
}

function icmp6(type: number, len: number, src: Uint8Array, dst: Uint8Array, ext: number[] = []): Uint8Array {
  const { frame, upper } = ip6(Ip6Nxt.ICMPV6, len, src, dst, ext, ext.length ? Ip6Nxt.HOPOPTS : Ip6Nxt.ICMPV6);
  const m = new Icmpv6Packet(upper);
  m.type = type;
  m.code = 0;
  if (type === Icmp6Type.EchoRequest) {
    m.ident = 7;
    m.seq = 1;
  }
  m.fillChecksum(src, dst);
  return frame;
}

const data = Uint8Array.from({ length: 10 }, (_, k) => k);
const frames = {
  syn4: decodeFrame(1, tcp4(seg(65535, 5001, TH_SYN, 123, 0))),
  data4: decodeFrame(2, tcp4(seg(65535, 5001, TH_PUSH | TH_ACK, 124, 1000, data))),
  synack6: decodeFrame(3, tcp6(seg(80, 40000, TH_SYN | TH_ACK, 5000, 124), LL2, LL1)),
  echo6: decodeFrame(4, icmp6(Icmp6Type.EchoRequest, 16, LL1, LL2)),
  // An MLDv2 report behind a hop-by-hop header with the router alert (RFC 3810 §5): type 143 after the walk.
  mld6: decodeFrame(5, icmp6(Icmp6Type.Mldv2Report, 8, LL2, MLDV2_ROUTERS, [Ip6Nxt.ICMPV6, 0, 5, 2, 0, 0, 1, 0])),
  echo4: decodeFrame(6, ICMP_ECHO_REQUEST),
  udp4: decodeFrame(7, UDP_TO_CLOSED_PORT),
};
type Name = keyof typeof frames;
const which = (expr: string): Name[] => {
  const ast = parseFilter(expr);
  return (Object.keys(frames) as Name[]).filter((k) => matches(ast, frames[k]));
};

describe('TCP and IPv6 from frame bytes', () => {
  test('the stack’s wire views decode TCP over both families, IPv6 past its extension headers, ICMPv6', () => {
    expect(frames.syn4).toMatchObject({ ipProto: 6, sport: 65535, dport: 5001, tcpSeq: 123, tcpFlags: TH_SYN, tcpWin: 32768, tcpLen: 0 });
    expect(frames.data4).toMatchObject({ tcpSeq: 124, tcpAck: 1000, tcpFlags: TH_PUSH | TH_ACK, tcpLen: 10 });
    expect(frames.synack6).toMatchObject({ ethertype: EtherType.IPv6, ip6Src: LL2, ip6Dst: LL1, ip6Nxt: 6, sport: 80, dport: 40000, tcpAck: 124 });
    expect(frames.echo6).toMatchObject({ ip6Nxt: 58, icmp6Type: 128, icmp6Code: 0, icmpId: 7, icmpSeq: 1, ip6Hlim: 64 });
    expect(frames.mld6).toMatchObject({ ip6Nxt: 58, icmp6Type: 143 });
    for (const f of Object.values(frames)) expect(f.malformed).toBeUndefined();
    expect(frames.synack6.ipProto).toBeUndefined();
  });

  test('summaries read like tcpdump (flags in its letters, absolute sequence numbers)', () => {
    expect(summarize(frames.syn4)).toBe('00:00:e8:0a:00:01 > 00:00:e8:0b:00:02, IPv4 10.0.0.1.65535 > 10.0.0.2.5001: TCP [S], seq 123, win 32768, length 0, frame length 58');
    expect(summarize(frames.data4)).toBe('00:00:e8:0a:00:01 > 00:00:e8:0b:00:02, IPv4 10.0.0.1.65535 > 10.0.0.2.5001: TCP [P.], seq 124:134, ack 1000, win 32768, length 10, frame length 64');
    expect(summarize(frames.synack6)).toBe('00:00:e8:0a:00:01 > 00:00:e8:0b:00:02, IPv6 fe80::2.80 > fe80::1.40000: TCP [S.], seq 5000, ack 124, win 32768, length 0, frame length 78');
    expect(summarize(frames.echo6)).toBe('00:00:e8:0a:00:01 > 00:00:e8:0b:00:02, IPv6 fe80::1 > fe80::2: ICMP6 echo-request, id 7, seq 1, length 70');
    expect(summarize(frames.mld6)).toBe('00:00:e8:0a:00:01 > 00:00:e8:0b:00:02, IPv6 fe80::2 > ff02::16: ICMP6 mldv2-report, length 70');
  });

  test('protocols: tcp is either family’s; ip, icmp are IPv4’s; ip6, icmp6 IPv6’s', () => {
    expect(which('tcp')).toEqual(['syn4', 'data4', 'synack6']);
    expect(which('ip')).toEqual(['syn4', 'data4', 'echo4', 'udp4']);
    expect(which('ip6')).toEqual(['synack6', 'echo6', 'mld6']);
    expect(which('ip6 and icmp6')).toEqual(['echo6', 'mld6']);
    expect(which('icmp')).toEqual(['echo4']);
    expect(which('icmp6 echo-request')).toEqual(['echo6']);
    expect(which('icmp6 mldv2-report')).toEqual(['mld6']);
    expect(which('ip6 and tcp')).toEqual(['synack6']);
    expect(which('not ip6 and not ip')).toEqual([]);
  });

  test('ports and hosts: TCP ports in both families, IPv6 addresses', () => {
    expect(which('tcp and port 5001')).toEqual(['syn4', 'data4']);
    expect(which('port 5000')).toEqual(['udp4']);
    expect(which('src port 80')).toEqual(['synack6']);
    expect(which('tcp dst port 40000')).toEqual(['synack6']);
    expect(which('udp port 40000')).toEqual(['udp4']);
    expect(which('host fe80::1')).toEqual(['synack6', 'echo6']);
    expect(which('ip6 src host fe80::2')).toEqual(['synack6', 'mld6']);
    expect(which('dst host ff02::16')).toEqual(['mld6']);
    expect(which('host 10.0.0.1')).toEqual(['syn4', 'data4']);
    expect(which('host fe80::1 and icmp6')).toEqual(['echo6']);
  });

  test('byte access: tcp[] with tcpdump’s flag names and & / |, icmp6[], ip6[]', () => {
    expect(which('tcp[13] & 2 != 0')).toEqual(['syn4', 'synack6']);
    expect(which('tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack != 0')).toEqual(['synack6']);
    expect(which('tcp[tcpflags] & tcp-push != 0')).toEqual(['data4']);
    expect(which('tcp[tcpflags] & 10 == 0')).toEqual([]); // SYN or PSH in every one
    expect(which('tcp[13] | 1 == 3')).toEqual(['syn4']);
    expect(which('tcp[2:2] == 5001')).toEqual(['syn4', 'data4']);
    expect(which('tcp[4:4] == 5000')).toEqual(['synack6']);
    expect(which('icmp6[icmp6type] == icmp6-echo')).toEqual(['echo6']);
    expect(which('icmp6[0] == 143')).toEqual(['mld6']);
    expect(which('ip6[6] == 0')).toEqual(['mld6']); // the fixed header's next header: hop-by-hop
    expect(which('ip6[7] == 64')).toEqual(['synack6', 'echo6', 'mld6']);
  });

  test('parse trees and errors', () => {
    expect(parseFilter('tcp[13] & 2 != 0')).toEqual({
      kind: 'cmp', op: '!=', left: { kind: 'bits', op: '&', left: { kind: 'bytes', proto: 'tcp', off: 13, size: 1 }, right: { kind: 'num', value: 2 } },
      right: { kind: 'num', value: 0 },
    });
    expect(parseFilter('src host ::1')).toEqual({ kind: 'host6', dir: 'src', addr: parseIpv6('::1') });
    const err = (expr: string): FilterError => {
      try {
        parseFilter(expr);
      } catch (e) {
        if (e instanceof FilterError) return e;
      }
      throw new Error(`'${expr}' parsed`);
    };
    expect(err('ip host fe80::1').message).toBe("bad filter at column 9: 'fe80::1' is an IPv6 address: use 'ip6 host' or 'host'");
    expect(err('ip6 host 10.0.0.1').message).toBe("bad filter at column 10: '10.0.0.1' is not an IPv6 address");
    expect(err('host fe80::zz').message).toBe("bad filter at column 6: 'fe80::zz' is not an IPv6 address");
    expect(err('icmp6 echo-sideways').message).toMatch(/^bad filter at column 7: unknown ICMPv6 message 'echo-sideways'/);
    expect(err('tcp[13] & != 0').message).toMatch(/^bad filter at column 11: expected a number/);
  });

  test('a TCP segment with a bad checksum is still TCP, and says so', () => {
    const b = tcp4(seg(65535, 5001, TH_SYN, 123, 0));
    b[ETHER_HDR_LEN + 20 + 16]! ^= 0xff;
    const bad = decodeFrame(9, b);
    expect(bad.malformed).toBe('TCP: bad TCP checksum');
    expect(matches(parseFilter('tcp and port 5001 and tcp[13] == 2'), bad)).toBe(true);
    const cut = decodeFrame(10, tcp4(seg(65535, 5001, TH_SYN, 123, 0)).slice(0, ETHER_HDR_LEN + 20 + 10));
    expect(cut.sport).toBeUndefined();
    expect(matches(parseFilter('tcp'), cut)).toBe(true);
    expect(matches(parseFilter('port 5001'), cut)).toBe(false);
  });
});

describe('TCP and IPv6 from trace records (no bytes)', () => {
  function fromRecords(pkt: number, recs: [string, string, Record<string, string | number | boolean>][]): PacketInfo {
    const info: PacketInfo = { pkt, complete: false, bytes: null };
    for (const [layer, probe, f] of recs) learnFromRecord(info, { t: 0, node: 'alpha', layer, probe, pkt, f } as TraceRecord);
    return info;
  }

  test('tcp/input and tcp/output records: endpoints of either family, flags, seq, ack, window, length', () => {
    const syn = fromRecords(3, [['tcp', 'output', { src: '10.0.0.1.65535', dst: '10.0.0.2.5001', flags: 'S', seq: 2929897602, ack: 0, win: 32768, len: 0, state: 'SYN_SENT', so: 2 }]]);
    expect(syn).toMatchObject({ ipProto: 6, ipSrc: A1, ipDst: A2, sport: 65535, dport: 5001, tcpFlags: TH_SYN, tcpSeq: 2929897602 });
    expect(evaluate(parseFilter('tcp and port 5001 and tcp[13] & 2 != 0'), syn)).toBe(true);
    expect(evaluate(parseFilter('ip6'), syn)).toBe(false);
    expect(evaluate(parseFilter('udp'), syn)).toBe(false);
    expect(evaluate(parseFilter('tcp[12] == 80'), syn)).toBeNull(); // the data offset: no record says
    expect(summarize(syn)).toBe('IPv4 10.0.0.1.65535 > 10.0.0.2.5001: TCP [S], seq 2929897602, win 32768, length 0, (from trace fields; bytes not seen)');

    const v6 = fromRecords(4, [['tcp', 'input', { src: 'fe80::2.80', dst: 'fe80::1.40000', flags: 'P.', seq: 10, ack: 20, win: 1000, len: 5 }]]);
    expect(v6).toMatchObject({ ethertype: EtherType.IPv6, ip6Nxt: 6, ip6Src: LL2, ip6Dst: LL1, sport: 80, dport: 40000, tcpFlags: TH_PUSH | TH_ACK });
    expect(evaluate(parseFilter('ip6 and tcp and src host fe80::2 and src port 80'), v6)).toBe(true);
    expect(evaluate(parseFilter('ip or host 10.0.0.1'), v6)).toBe(false);
    expect(summarize(v6)).toBe('IPv6 fe80::2.80 > fe80::1.40000: TCP [P.], seq 10:15, ack 20, win 1000, length 5, (from trace fields; bytes not seen)');
  });

  test('ip6, icmp6 and nd6 records; an extension header in ip6/input leaves the upper layer unknown', () => {
    const mld = fromRecords(5, [['ip6', 'input', { src: 'fe80::2', dst: 'ff02::16', nxt: 0, len: 76, if: 'en0' }]]);
    expect(evaluate(parseFilter('ip6 and host ff02::16'), mld)).toBe(true);
    expect(evaluate(parseFilter('icmp6'), mld)).toBeNull();
    expect(evaluate(parseFilter('icmp'), mld)).toBe(false);

    const echo = fromRecords(6, [['ip6', 'output', { src: 'fe80::1', dst: 'fe80::2', nxt: 58, len: 56, if: 'en0' }]]);
    expect(evaluate(parseFilter('ip6 and icmp6'), echo)).toBe(true);
    expect(evaluate(parseFilter('icmp6 echo-request'), echo)).toBeNull();
    learnFromRecord(echo, { t: 1, node: 'beta', layer: 'icmp6', probe: 'input', pkt: 6, f: { type: 'echo-request', code: 0, src: 'fe80::1', len: 16 } });
    expect(evaluate(parseFilter('icmp6 echo-request and host fe80::1'), echo)).toBe(true);
    expect(evaluate(parseFilter('icmp6[icmp6type] == icmp6-echo'), echo)).toBe(true);

    const ns = fromRecords(7, [['nd6', 'ns-output', { if: 'en0', dst: 'ff02::1:ff00:2', target: 'fe80::2' }]]);
    expect(evaluate(parseFilter('icmp6 neighbor-solicitation and dst host ff02::1:ff00:2'), ns)).toBe(true);
    expect(evaluate(parseFilter('tcp'), ns)).toBe(false);
  });
});

describe('a trace of docs/examples/tcp-transfer.yaml (handshake and first data)', () => {
  const UNTIL = 1_300_000_000;
  const scenario = { ...loadScenarioFile(path.join(__dirname, '../../docs/examples/tcp-transfer.yaml')), until: UNTIL };
  const file = path.join(tmpdir('tcp-ip6'), 'tt.jsonl');
  runTimeline(scenario, { traceFile: file }); // the timeline runs the actions (nc)
  const lines = parseTrace(fs.readFileSync(file, 'utf8'));
  const recs = lines.map((l) => l.rec);
  const tcpOut = recs.filter((r) => r.layer === 'tcp' && r.probe === 'output');
  const pkts = (expr: string): Set<number> => new Set(selectRecords(lines, { filter: parseFilter(expr) }).map((l) => l.rec.pkt));

  test('from the saved records: tcp and port 5001 is every segment; tcp[13] & 2 != 0 the SYN and SYN-ACK; ip6 nothing', () => {
    const syns = tcpOut.filter((r) => String(r.f?.['flags']).includes('S'));
    expect(syns.map((r) => r.f?.['flags'])).toEqual(['S', 'S.']);
    expect(tcpOut.some((r) => Number(r.f?.['len']) > 0)).toBe(true); // data moved before 1.3 s
    expect(pkts('tcp and port 5001')).toEqual(new Set(tcpOut.map((r) => r.pkt)));
    expect(pkts('tcp[13] & 2 != 0')).toEqual(new Set(syns.map((r) => r.pkt)));
    expect(pkts('tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack != 0')).toEqual(new Set([syns[1]!.pkt]));
    const data = tcpOut.filter((r) => Number(r.f?.['len']) > 0 && r.f?.['src'] === '10.0.0.1.65535');
    expect([...pkts('tcp and src host 10.0.0.1 and dst port 5001')].sort()).toEqual([...new Set(tcpOut.filter((r) => r.f?.['src'] === '10.0.0.1.65535').map((r) => r.pkt))].sort());
    expect(data.length).toBeGreaterThan(0);
    expect(pkts('ip6').size).toBe(0);
    expect(pkts('udp or icmp6').size).toBe(0);
  });

  test('from the frames the debugger sees on the hub: the same packets, decoded from bytes without a complaint', () => {
    const s = new DebugSession(scenario, { lookahead: true });
    // The segments whose frames crossed the hub before the run ended (the last may still sit in a queue or on the wire).
    const onWire = new Set(recs.filter((r) => r.layer === 'wire' && r.probe === 'deliver').map((r) => r.pkt));
    const ids = [...new Set(tcpOut.map((r) => r.pkt))].filter((id) => onWire.has(id));
    expect(ids.length).toBeGreaterThan(50);
    const infos = ids.map((id) => s.packets.info(id));
    for (const i of infos) {
      expect({ pkt: i.pkt, complete: i.complete, malformed: i.malformed }).toEqual({ pkt: i.pkt, complete: true, malformed: undefined });
      expect(matches(parseFilter('tcp and port 5001 and not ip6'), i)).toBe(true);
    }
    const syn = infos.find((i) => i.tcpFlags === TH_SYN)!;
    const rec = tcpOut.find((r) => r.pkt === syn.pkt)!;
    // 78 = Ethernet 14 + IPv4 20 + TCP 20 + options 24 (MSS 4, NOP + window scale 4, NOP NOP SACK-permitted 4,
    // NOP NOP timestamps 12: BSD's layout, stack/net/wire/tcp.ts emitTcpOptions).
    expect(summarize(syn)).toBe(
      `00:00:e8:0a:00:01 > 00:00:e8:0b:00:02, IPv4 10.0.0.1.65535 > 10.0.0.2.5001: TCP [S], seq ${rec.f?.['seq']}, win 32768, length 0, frame length 78`,
    );
    expect(infos.filter((i) => matches(parseFilter('tcp[13] & 2 != 0'), i)).length).toBe(2);
  });
});
