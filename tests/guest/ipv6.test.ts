/**
 * docs/examples/ipv6.yaml: two io-pkt-v6-hc nodes (alpha a router running rtadvd, beta a host) and a Linux
 * guest on one hub; everyone pings everyone with ping6 over link-local and SLAAC global addresses, and the
 * guest sends 64 KiB to alpha over TCP/IPv6. One run of the example (one guest boot) with a pcap; the tests
 * read its result: the expectations, then the capture as tshark decodes it — checksums, duplicate address
 * detection for every address, the RA and what the hosts made of it, address resolution before the echoes,
 * echo pairs both ways between every pair of nodes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario, runScenarioCheckedAsync, type CheckedRun } from '../../emulator/app/testing/api';
import { badFrames, tcpPayload, tshark } from './tcp-ipv6-pcap';

const EXAMPLE = path.resolve(__dirname, '../../docs/examples/ipv6.yaml');

/** Addresses of the example's nodes: link-local and global from the modified EUI-64 of the MAC (RFC 4291 2.5.1, appendix A). */
const NODES = {
  alpha: { mac: '00:00:e8:0a:00:01', ll: 'fe80::200:e8ff:fe0a:1', global: '2001:db8::1' },
  beta: { mac: '00:00:e8:0b:00:02', ll: 'fe80::200:e8ff:fe0b:2', global: '2001:db8::200:e8ff:fe0b:2' },
  linux1: { mac: '52:54:00:00:00:03', ll: 'fe80::5054:ff:fe00:3', global: '2001:db8::5054:ff:fe00:3' },
} as const;

/** The modified EUI-64 interface identifier of a MAC, as the last 64 bits of an address in text form. */
function eui64(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  b[0] = b[0]! ^ 0x02;
  const g = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | 0xff, 0xfe00 | b[3]!, (b[4]! << 8) | b[5]!];
  return g.map((x) => x.toString(16)).join(':');
}

/** ff02::1:ffXX:XXXX for an address (RFC 4291 2.7.1): the low 24 bits. */
function solicitedNode(addr: string): string {
  const groups = expandV6(addr);
  const low24 = ((groups[6]! & 0xff) << 16) | groups[7]!;
  return `ff02::1:ff${((low24 >> 16) & 0xff).toString(16).padStart(2, '0')}:${(low24 & 0xffff).toString(16)}`;
}

function expandV6(a: string): number[] {
  const [head, tail] = a.split('::');
  const h = head ? head.split(':').map((x) => parseInt(x, 16)) : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':').map((x) => parseInt(x, 16)) : [];
  return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

let r: CheckedRun;
let pcap: string;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-ipv6-'));
  r = await runScenarioCheckedAsync(loadScenario(EXAMPLE), { pcapDir: dir });
  pcap = path.join(dir, 'hub0.pcap');
}, 600_000);

describe('docs/examples/ipv6.yaml', () => {
  test('the addresses in the example are the EUI-64 ones of the MACs', () => {
    for (const n of Object.values(NODES)) expect(n.ll).toBe(`fe80::${eui64(n.mac)}`);
    expect(NODES.beta.global).toBe(`2001:db8::${eui64(NODES.beta.mac)}`);
    expect(NODES.linux1.global).toBe(`2001:db8::${eui64(NODES.linux1.mac)}`);
  });

  test('its expectations hold: ping6 both ways between every pair, SLAAC, TCP over IPv6', () => {
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  test('tshark decodes every frame: nothing malformed, no bad ICMPv6, TCP or IPv4 checksum', () => {
    expect(badFrames(pcap)).toEqual([]);
  });

  test('duplicate address detection: an NS from :: to the solicited-node group for every address, before it is used', () => {
    const dad = tshark(pcap, ['frame.time_epoch', 'ipv6.dst', 'icmpv6.nd.ns.target_address', 'ipv6.hlim', 'icmpv6.opt.type'], 'icmpv6.type == 135 and ipv6.src == ::');
    const targets = dad.map((d) => d[2]);
    for (const n of Object.values(NODES)) {
      for (const a of [n.ll, n.global]) {
        expect(targets).toContain(a);
        const d = dad.find((x) => x[2] === a)!;
        // RFC 4862 5.4.2: to the solicited-node multicast address, hop limit 255, no source link-layer address
        // option (type 1; Linux adds a nonce, type 14, as RFC 7527 has it).
        expect(d[1]).toBe(solicitedNode(a));
        expect(d[3]).toBe('255');
        expect(d[4]!.split(',')).not.toContain('1');
        // The address is not used as a source before its DAD probe went out.
        const firstUse = tshark(pcap, ['frame.time_epoch'], `ipv6.src == ${a}`)[0];
        if (firstUse) expect(Number(firstUse[0])).toBeGreaterThan(Number(d[0]));
      }
    }
    // Nobody defends an address (all are unique): no NA for a probed target within the second after its
    // probe (a defence goes to ff02::1 at once, RFC 4861 7.2.4; RetransTimer is 1 s).
    const na = tshark(pcap, ['frame.time_epoch', 'icmpv6.nd.na.target_address'], 'icmpv6.type == 136');
    for (const d of dad) expect(na.filter((x) => x[1] === d[2] && Number(x[0]) > Number(d[0]) && Number(x[0]) < Number(d[0]) + 1)).toEqual([]);
  });

  test("alpha's Router Advertisements: from its link-local address, hop limit 255, the prefix 2001:db8::/64 on-link and autonomous", () => {
    const ra = tshark(pcap, ['ipv6.src', 'ipv6.hlim', 'icmpv6.opt.prefix', 'icmpv6.opt.prefix.length', 'icmpv6.opt.prefix.flag.l', 'icmpv6.opt.prefix.flag.a', 'icmpv6.nd.ra.router_lifetime', 'icmpv6.opt.linkaddr'], 'icmpv6.type == 134');
    expect(ra.length).toBeGreaterThanOrEqual(1);
    for (const a of ra) {
      expect(a.slice(0, 6)).toEqual([NODES.alpha.ll, '255', '2001:db8::', '64', '1', '1']);
      expect(Number(a[6])).toBeGreaterThan(0);
      expect(a[7]).toBe(NODES.alpha.mac);
    }
    // Both hosts solicited routers (to ff02::2; from the link-local address, or from :: while it is still
    // tentative, then without a source link-layer option: RFC 4861 6.3.7, 4.1).
    const rs = tshark(pcap, ['eth.src', 'ipv6.src', 'icmpv6.opt.type'], 'icmpv6.type == 133 and ipv6.dst == ff02::2');
    for (const n of [NODES.linux1, NODES.beta]) {
      const mine = rs.filter((x) => x[0] === n.mac);
      expect(mine.length).toBeGreaterThanOrEqual(1);
      for (const x of mine) expect([n.ll, '::']).toContain(x[1]);
      for (const x of mine.filter((y) => y[1] === '::')) expect(x[2]!.split(',')).not.toContain('1');
    }
    // A router solicits no routers (RFC 4861 6.3.7 is for hosts): alpha sends none once it advertises.
    const firstRa = Number(tshark(pcap, ['frame.number'], 'icmpv6.type == 134')[0]![0]);
    expect(tshark(pcap, ['frame.number'], `icmpv6.type == 133 and eth.src == ${NODES.alpha.mac} and frame.number > ${firstRa}`)).toEqual([]);
  });

  test('echo requests and replies both ways between every pair that pinged, hop limit 64, each request answered', () => {
    const rows = tshark(pcap, ['ipv6.src', 'ipv6.dst', 'icmpv6.type', 'ipv6.hlim', 'icmpv6.echo.identifier', 'icmpv6.echo.sequence_number'], 'icmpv6.type == 128 or icmpv6.type == 129');
    const pairs: [string, string][] = [
      [NODES.linux1.ll, NODES.alpha.ll],
      [NODES.linux1.global, NODES.alpha.global],
      [NODES.linux1.global, NODES.beta.global],
      [NODES.alpha.ll, NODES.linux1.ll],
      [NODES.alpha.global, NODES.linux1.global],
      [NODES.alpha.global, NODES.beta.global],
      [NODES.beta.global, NODES.linux1.global],
      [NODES.beta.ll, NODES.alpha.ll],
    ];
    for (const [src, dst] of pairs) {
      const req = rows.filter((x) => x[0] === src && x[1] === dst && x[2] === '128');
      const rep = rows.filter((x) => x[0] === dst && x[1] === src && x[2] === '129');
      expect([src, dst, req.length]).toEqual([src, dst, 3]);
      // Each reply echoes its request's identifier and sequence number (RFC 4443 4.2).
      expect(rep.map((x) => `${x[4]}/${x[5]}`)).toEqual(req.map((x) => `${x[4]}/${x[5]}`));
      expect([...req, ...rep].every((x) => x[3] === '64')).toBe(true);
    }
  });

  test("no packet goes to a neighbour before the neighbour's link-layer address was on the wire in an ND message", () => {
    // How a node learns a neighbour's MAC (RFC 4861): an NA for the target (7.2.5, answering its own NS), or the
    // source link-layer option of an NS (7.2.3), RS (6.2.6) or RA (6.3.4) the neighbour sent.
    const nd = tshark(pcap, ['frame.number', 'ipv6.src', 'icmpv6.type', 'icmpv6.nd.na.target_address', 'icmpv6.opt.type'], 'icmpv6.type >= 133 and icmpv6.type <= 136 and not ipv6.src == ::');
    const pairs = [
      [NODES.alpha.global, NODES.linux1.global],
      [NODES.alpha.global, NODES.beta.global],
      [NODES.beta.global, NODES.linux1.global],
      [NODES.linux1.global, NODES.alpha.global],
      [NODES.linux1.global, NODES.beta.global],
      [NODES.linux1.ll, NODES.alpha.ll],
      [NODES.alpha.ll, NODES.linux1.ll],
      [NODES.beta.ll, NODES.alpha.ll],
    ] as const;
    const macOf = (a: string) => Object.values(NODES).find((n) => n.ll === a || n.global === a)!;
    for (const [src, dst] of pairs) {
      const first = Number(tshark(pcap, ['frame.number'], `ipv6.src == ${src} and ipv6.dst == ${dst} and not (icmpv6.type >= 133 and icmpv6.type <= 136)`)[0]?.[0]);
      expect([src, dst, Number.isFinite(first)]).toEqual([src, dst, true]);
      const n = macOf(dst);
      const told = nd.filter((x) => Number(x[0]) < first && (x[1] === n.ll || x[1] === n.global)).some((x) =>
        x[2] === '136' ? x[3] === dst : x[4]!.split(',').includes('1'));
      expect([src, dst, told]).toEqual([src, dst, true]);
    }
    // alpha is a router (forwarding on): its NAs carry the router flag (RFC 4861 4.4); the hosts' do not.
    const na = tshark(pcap, ['ipv6.src', 'icmpv6.nd.na.flag.r'], 'icmpv6.type == 136');
    expect(na.filter((x) => x[0] === NODES.alpha.ll || x[0] === NODES.alpha.global).every((x) => x[1] === '1')).toBe(true);
    expect(na.filter((x) => x[0] !== NODES.alpha.ll && x[0] !== NODES.alpha.global).every((x) => x[1] === '0')).toBe(true);
  });

  test('TCP over IPv6: 65536 bytes each way, MSS 1440 (1500 − 40 − 20) in every SYN, nothing retransmitted', () => {
    expect(tcpPayload(pcap, NODES.linux1.global, NODES.alpha.global, true)).toBe(65536);
    expect(tcpPayload(pcap, NODES.alpha.global, NODES.linux1.global, true)).toBe(65536);
    // [source, SYN-ACK?, MSS]: linux1's SYN to 5001 and alpha's answer, alpha's SYN to 5002 and linux1's answer.
    const syns = tshark(pcap, ['ipv6.src', 'tcp.flags.ack', 'tcp.options.mss_val'], 'tcp.flags.syn == 1');
    expect(syns).toEqual([
      [NODES.linux1.global, '0', '1440'],
      [NODES.alpha.global, '1', '1440'],
      [NODES.alpha.global, '0', '1440'],
      [NODES.linux1.global, '1', '1440'],
    ]);
    expect(tshark(pcap, ['frame.number'], 'tcp.analysis.retransmission or tcp.analysis.lost_segment')).toEqual([]);
  });
});
