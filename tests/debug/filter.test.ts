import { FilterError, parseFilter } from '../../emulator/app/debug/filter';
import { evaluate, matches } from '../../emulator/app/debug/filter-eval';
import { decodeFrame, learnFromRecord, summarize, type PacketInfo } from '../../emulator/app/debug/packet-info';
import { PacketIndex } from '../../emulator/app/debug/packet-index';
import { ARP_REPLY, ARP_REQUEST, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_PORT_UNREACH, UDP_TO_CLOSED_PORT } from '../net-stack/fixtures';

// Fixture frames: 00:50:c2:00:00:01 = 10.77.0.1, 00:50:c2:00:00:02 = 10.77.0.2; UDP 40000 -> 5000.
const frames = {
  arpReq: decodeFrame(1, ARP_REQUEST),
  arpRep: decodeFrame(2, ARP_REPLY),
  echo: decodeFrame(3, ICMP_ECHO_REQUEST),
  reply: decodeFrame(4, ICMP_ECHO_REPLY),
  udp: decodeFrame(5, UDP_TO_CLOSED_PORT),
  unreach: decodeFrame(6, ICMP_PORT_UNREACH),
};
type Name = keyof typeof frames;

function which(expr: string): Name[] {
  const ast = parseFilter(expr);
  return (Object.keys(frames) as Name[]).filter((k) => matches(ast, frames[k]));
}

function errorOf(expr: string): FilterError {
  try {
    parseFilter(expr);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`'${expr}' parsed`);
}

describe('filter parser', () => {
  test('precedence: and binds tighter than or; not binds tightest; parentheses group', () => {
    expect(parseFilter('icmp or arp and udp')).toEqual({
      kind: 'or',
      left: { kind: 'proto', proto: 'icmp' },
      right: { kind: 'and', left: { kind: 'proto', proto: 'arp' }, right: { kind: 'proto', proto: 'udp' } },
    });
    expect(parseFilter('not icmp and arp')).toEqual({
      kind: 'and',
      left: { kind: 'not', expr: { kind: 'proto', proto: 'icmp' } },
      right: { kind: 'proto', proto: 'arp' },
    });
    expect(parseFilter('!(icmp || arp)')).toEqual({
      kind: 'not',
      expr: { kind: 'or', left: { kind: 'proto', proto: 'icmp' }, right: { kind: 'proto', proto: 'arp' } },
    });
  });

  test('host, src/dst host, ether host, port, pkt, comparisons', () => {
    expect(parseFilter('src host 10.0.0.2')).toEqual({ kind: 'host', via: 'any', dir: 'src', addr: 0x0a000002 });
    expect(parseFilter('arp dst host 10.0.0.1')).toEqual({ kind: 'host', via: 'arp', dir: 'dst', addr: 0x0a000001 });
    const eh = parseFilter('ether dst host 00:00:E8:0b:00:02');
    expect(eh.kind === 'ether-host' && Array.from(eh.mac)).toEqual([0, 0, 0xe8, 0x0b, 0, 2]);
    expect(parseFilter('udp dst port 5000')).toEqual({ kind: 'port', via: 'udp', dir: 'dst', port: 5000 });
    expect(parseFilter('pkt 12')).toEqual({ kind: 'pkt', id: 12 });
    expect(parseFilter('icmp[icmptype] == icmp-echo')).toEqual({
      kind: 'cmp', op: '==', left: { kind: 'bytes', proto: 'icmp', off: 0, size: 1 }, right: { kind: 'num', value: 8 },
    });
    expect(parseFilter('ip[2:2] > 0x40')).toEqual({
      kind: 'cmp', op: '>', left: { kind: 'bytes', proto: 'ip', off: 2, size: 2 }, right: { kind: 'num', value: 0x40 },
    });
    expect(parseFilter('len >= 98').kind).toBe('cmp');
    expect(parseFilter('icmp echo-request')).toEqual({ kind: 'and', left: { kind: 'proto', proto: 'icmp' }, right: { kind: 'icmp-type', type: 8 } });
  });

  test('errors name the column of the offending token', () => {
    const cases: [string, number, RegExp][] = [
      ['', 1, /empty expression/],
      ['icmp and', 9, /expected a primitive/],
      ['icmp host', 6, /expected 'and', 'or' or the end, got 'host'/],
      ['host 10.0.0.300', 6, /not an IPv4 address/],
      ['host 00:00:e8:0a:00:01', 6, /ether host/],
      ['(icmp or arp', 13, /expected '\)' to close the '\(' at column 1/],
      ['icmp and frobnicate', 10, /unknown primitive 'frobnicate'/],
      ['icmp echo-sideways', 6, /unknown ICMP message 'echo-sideways'/],
      ['port 70000', 6, /out of range/],
      ['ether host 1:2:3', 12, /expected a MAC address/],
      ['icmp[0:3] == 8', 6, /size must be 1, 2 or 4/],
      ['frob[0] == 1', 1, /byte access needs/],
      ['icmp $ arp', 6, /unexpected character '\$'/],
      ['len > ', 7, /expected a number/],
    ];
    for (const [expr, col, re] of cases) {
      const e = errorOf(expr);
      expect({ expr, col: e.col }).toEqual({ expr, col });
      expect(e.message).toMatch(re);
      expect(e.message).toMatch(new RegExp(`^bad filter at column ${col}: `));
    }
    expect(errorOf('icmp and').pointer()).toBe('  icmp and\n          ^');
  });
});

describe('filter evaluation on frame bytes', () => {
  test('protocols', () => {
    expect(which('icmp')).toEqual(['echo', 'reply', 'unreach']);
    expect(which('arp')).toEqual(['arpReq', 'arpRep']);
    expect(which('udp')).toEqual(['udp']);
    expect(which('ip')).toEqual(['echo', 'reply', 'udp', 'unreach']);
    expect(which('tcp')).toEqual([]);
    expect(which('ether')).toEqual(Object.keys(frames));
  });

  test('ICMP message types: shorthands and icmp[icmptype]', () => {
    expect(which('icmp echo-request')).toEqual(['echo']);
    expect(which('icmp echo-reply')).toEqual(['reply']);
    expect(which('icmp unreach')).toEqual(['unreach']);
    expect(which('icmp[icmptype] == icmp-echo')).toEqual(['echo']);
    expect(which('icmp[icmptype] != icmp-echo')).toEqual(['reply', 'unreach']);
    expect(which('icmp[0] = 0')).toEqual(['reply']);
  });

  test('hosts: IP source/destination and ARP sender/target', () => {
    expect(which('host 10.77.0.2')).toEqual(Object.keys(frames));
    expect(which('src host 10.77.0.1')).toEqual(['arpReq', 'echo', 'udp']);
    expect(which('dst host 10.77.0.1')).toEqual(['arpRep', 'reply', 'unreach']);
    expect(which('ip src host 10.77.0.1')).toEqual(['echo', 'udp']);
    expect(which('arp host 10.77.0.1')).toEqual(['arpReq', 'arpRep']);
    expect(which('host 10.0.0.9')).toEqual([]);
  });

  test('ether hosts, broadcast, ports, lengths, packet ids, boolean combinations', () => {
    expect(which('ether src host 00:50:c2:00:00:02')).toEqual(['arpRep', 'reply', 'unreach']);
    expect(which('broadcast')).toEqual(['arpReq']);
    expect(which('port 5000')).toEqual(['udp']);
    expect(which('udp src port 5000')).toEqual([]);
    expect(which('src port 40000')).toEqual(['udp']);
    expect(which('len > 60')).toEqual(['echo', 'reply', 'unreach']);
    expect(which('pkt 4 or pkt 5')).toEqual(['reply', 'udp']);
    expect(which('icmp and not dst host 10.77.0.2')).toEqual(['reply', 'unreach']);
    expect(which('(arp or udp) and src host 10.77.0.1')).toEqual(['arpReq', 'udp']);
    expect(which('ip[9] == 17')).toEqual(['udp']);
    expect(which('udp[2:2] == 5000')).toEqual(['udp']);
  });
});

describe('filter evaluation on trace fields (no bytes)', () => {
  function fromRecords(pkt: number, recs: [string, string, Record<string, string | number>][]): PacketInfo {
    const info: PacketInfo = { pkt, complete: false, bytes: null };
    for (const [layer, probe, f] of recs) learnFromRecord(info, { t: 0, node: 'alpha', layer, probe, pkt, f });
    return info;
  }

  test('what stack records say is enough to decide; what they do not say stays unknown', () => {
    const echo = fromRecords(3, [['ip', 'output', { src: '10.0.0.1', dst: '10.0.0.2', proto: 1, len: 84 }]]);
    expect(evaluate(parseFilter('icmp and host 10.0.0.2'), echo)).toBe(true);
    expect(evaluate(parseFilter('udp'), echo)).toBe(false);
    expect(evaluate(parseFilter('arp'), echo)).toBe(false);
    // The ICMP type is not in an ip/output record: unknown, so the filter does not match...
    expect(evaluate(parseFilter('icmp echo-request'), echo)).toBeNull();
    // ...until an ICMP record names it.
    learnFromRecord(echo, { t: 0, node: 'beta', layer: 'icmp', probe: 'echo-request-in', pkt: 3, f: { src: '10.0.0.1', code: 0 } });
    expect(evaluate(parseFilter('icmp echo-request'), echo)).toBe(true);
    expect(evaluate(parseFilter('not icmp echo-reply'), echo)).toBe(true);

    const arp = fromRecords(4, [['arp', 'request', { if: 'en0', sip: '10.0.0.1', tip: '10.0.0.2' }]]);
    expect(evaluate(parseFilter('arp and dst host 10.0.0.2'), arp)).toBe(true);
    expect(evaluate(parseFilter('icmp'), arp)).toBe(false);

    const udp = fromRecords(9, [['udp', 'output', { src: '10.0.0.1.1025', dst: '10.0.0.2.7', len: 10 }]]);
    expect(evaluate(parseFilter('udp dst port 7 and src host 10.0.0.1'), udp)).toBe(true);

    const nothing = fromRecords(8, [['driver', 'tx', { len: 98, slot: 0 }]]);
    expect(evaluate(parseFilter('icmp'), nothing)).toBeNull();
    expect(evaluate(parseFilter('icmp or pkt 8'), nothing)).toBe(true);
    expect(evaluate(parseFilter('icmp and pkt 9'), nothing)).toBe(false);
    expect(matches(parseFilter('not icmp'), nothing)).toBe(false);
  });

  test('summaries read like tcpdump', () => {
    expect(summarize(frames.echo)).toBe('00:50:c2:00:00:01 > 00:50:c2:00:00:02, IPv4 10.77.0.1 > 10.77.0.2: ICMP echo-request, id 4660, seq 0, length 98');
    expect(summarize(frames.arpReq)).toBe('00:50:c2:00:00:01 > ff:ff:ff:ff:ff:ff, ARP, Request who-has 10.77.0.2 tell 10.77.0.1, length 42');
    expect(summarize(frames.udp)).toBe('00:50:c2:00:00:01 > 00:50:c2:00:00:02, IPv4 10.77.0.1.40000 > 10.77.0.2.5000: UDP, length 48');
  });

  test('a frame failing a check of the wire library decodes as far as its headers go and says which check', () => {
    const sum = ICMP_ECHO_REQUEST.slice();
    sum[14 + 10] = sum[14 + 10]! ^ 1; // the IPv4 header checksum
    const bad = decodeFrame(10, sum);
    expect(bad).toMatchObject({ malformed: 'IPv4: bad header checksum', ipSrc: 0x0a4d0001, ipProto: 1, icmpType: 8 });
    expect(summarize(bad)).toBe(
      '00:50:c2:00:00:01 > 00:50:c2:00:00:02, IPv4 10.77.0.1 > 10.77.0.2: ICMP echo-request, id 4660, seq 0, length 98, ' +
      'malformed: IPv4: bad header checksum',
    );
    expect(matches(parseFilter('icmp and src host 10.77.0.1'), bad)).toBe(true);

    const v6 = ICMP_ECHO_REQUEST.slice();
    v6[14] = 0x65;
    const ver = decodeFrame(11, v6);
    expect(ver.malformed).toBe('IPv4: version 6 is not 4');
    expect(ver.ipSrc).toBeUndefined();
    expect(ver.ethertype).toBe(0x0800);

    // Cut inside the UDP header: the IP header is readable (its total length is not), the ports are not.
    const cut = decodeFrame(12, UDP_TO_CLOSED_PORT.slice(0, 14 + 20 + 4));
    expect(cut).toMatchObject({ malformed: 'IPv4: packet of 24 bytes is shorter than its total length 34', ipProto: 17 });
    expect(cut.sport).toBeUndefined();

    const runt = decodeFrame(13, ARP_REQUEST.slice(0, 10));
    expect(runt.malformed).toBe('Ethernet: frame of 10 bytes is shorter than an Ethernet header');
    expect(summarize(runt)).toBe('length 10, malformed: Ethernet: frame of 10 bytes is shorter than an Ethernet header');
    for (const f of Object.values(frames)) expect(f.malformed).toBeUndefined();
  });
});

describe('the packet index', () => {
  test('a packet seen as two frames (forwarded): as of an event, the frame last seen then, else the first later', () => {
    const idx = new PacketIndex();
    const hop2 = ICMP_ECHO_REQUEST.slice();
    hop2.set([0x02, 0, 0, 0, 0, 9], 0); // the router's next hop rewrote the destination MAC
    idx.learnBytes(7, ICMP_ECHO_REQUEST, 10);
    idx.learnBytes(7, hop2, 20);
    idx.learnBytes(7, ICMP_ECHO_REQUEST, 10); // a replay sees the same frames again: no duplicates
    const eth = parseFilter('ether dst host 00:50:c2:00:00:02');
    expect(matches(eth, idx.info(7, 5))).toBe(true);
    expect(matches(eth, idx.info(7, 15))).toBe(true);
    expect(matches(eth, idx.info(7, 25))).toBe(false);
    expect(idx.bytes(7)).toEqual(hop2);
    // Without bytes, what records said.
    idx.learnRecord({ t: 0, node: 'a', layer: 'udp', probe: 'output', pkt: 8, f: { src: '10.0.0.1.9', dst: '10.0.0.2.7', len: 1 } });
    expect(idx.info(8)).toMatchObject({ complete: false, ipProto: 17, sport: 9, dport: 7 });
    expect(idx.info(9)).toEqual({ pkt: 9, complete: false, bytes: null });
  });
});
