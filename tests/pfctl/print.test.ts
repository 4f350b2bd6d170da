/**
 * The printers: parse → print_rule → parse gives the same rules (the -sr output is a loadable pf.conf), and the
 * state and status formats of pfctl -ss / -si, with the widths of pf_print_state.c and pfctl_parser.c.
 */
import { PF_AF_INET, type PfRule, type PfStateInfo, type PfStatus } from '../../stack/include/net/pfvar';
import { printRule, printRuleCounters, printState, printTableAddr } from '../../stack/utils/pfctl/print';
import { printStatus } from '../../stack/utils/pfctl/show';
import { parse } from './helpers';

const FILE = `ext_if = "en0"
int_net = "10.0.0.0/24"
table <bad> persist { 192.168.7.0/24, !192.168.7.9 }
set timeout { udp.first 20, interval 5 }
scrub in on $ext_if all
nat on $ext_if from $int_net to any -> ($ext_if)
nat on en1 from 10.0.0.9 to any -> 192.168.1.1 static-port
rdr on $ext_if proto tcp from any to any port 80 -> 10.0.0.5 port 8080
no rdr on en1 proto udp from 10.0.0.2 to any port 53
block log all
block drop in quick on $ext_if inet proto icmp all
block return-rst in quick proto tcp from <bad> to any
pass in on $ext_if inet proto udp from any to any port 9000 keep state
pass out quick on ! en1 proto { tcp udp } from $int_net port >= 1024 to ! 10.0.0.1 port { 53 1000:2000 5 >< 9 } keep state
pass in inet proto tcp from any to (en0) port ssh flags S/SA modulate state (tcp.established 3600) label "ssh-$if"
pass inet proto icmp all icmp-type { echoreq unreach } keep state
pass in inet6 proto ipv6-icmp all icmp6-type echoreq
pass from no-route to any
`;

const strip = ({ source: _s, ...r }: PfRule) => r;

test('print_rule output parses back to the same rules', () => {
  const first = parse(FILE);
  expect(first.errors).toBe(false);
  // scrub, 2 nat + rdr + no rdr, 10 filter lines: the out rule expanding 2 protos × 3 ports = 6, icmp 2 types
  expect(first.rules).toHaveLength(1 + 4 + 4 + 6 + 1 + 2 + 2);
  const text = first.rules.map((r) => printRule(r.rule)).join('\n') + '\n';
  const second = parse(text);
  expect(second.out.filter((l) => l.err)).toEqual([]);
  expect(second.rules.map((r) => [r.ruleset, strip(r.rule)])).toEqual(first.rules.map((r) => [r.ruleset, strip(r.rule)]));
});

test('-vv prints rule numbers, -v the counters block', () => {
  const r = parse('pass in all\n').rules[0]!.rule;
  expect(printRule(r, 3)).toBe('@3 pass in all');
  expect(printRuleCounters({ nr: 0, evaluations: 12, packets: [5, 4], bytes: [420, 336], states: 1 })).toBe(
    '  [ Evaluations: 12        Packets: 9         Bytes: 756         States: 1     ]\n',
  );
});

const host = (a: number[], port: number) => ({ af: PF_AF_INET, addr: Uint8Array.from(a), port });

test('print_state: a UDP state created inbound, then with -v', () => {
  const s: PfStateInfo = {
    id: 1, ifname: 'self', proto: 17, direction: 'in', lan: host([10, 0, 0, 2], 9000), gwy: host([10, 0, 0, 2], 9000), ext: host([10, 0, 0, 1], 1025),
    srcState: 'SINGLE', dstState: 'MULTIPLE', age: 65, expire: 59, packets: [10, 3], bytes: [1000, 300], rule: 2,
  };
  // inbound: the peers print from the destination's side (dst:src)
  expect(printState(s, false)).toBe('self udp 10.0.0.2:9000 <- 10.0.0.1:1025       MULTIPLE:SINGLE\n');
  expect(printState(s, true)).toBe(
    'self udp 10.0.0.2:9000 <- 10.0.0.1:1025       MULTIPLE:SINGLE\n   age 00:01:05, expires in 00:00:59, 10:3 pkts, 1000:300 bytes, rule 2\n',
  );
});

test('print_state: a translated outbound TCP state shows lan -> gwy -> ext', () => {
  const s: PfStateInfo = {
    id: 2, ifname: 'self', proto: 6, direction: 'out', lan: host([10, 0, 0, 2], 40000), gwy: host([192, 168, 1, 1], 50001), ext: host([192, 168, 1, 9], 80),
    srcState: 'ESTABLISHED', dstState: 'ESTABLISHED', age: 0, expire: 0, packets: [0, 0], bytes: [0, 0], rule: -1,
  };
  expect(printState(s, false)).toBe('self tcp 10.0.0.2:40000 -> 192.168.1.1:50001 -> 192.168.1.9:80       ESTABLISHED:ESTABLISHED\n');
});

test('print_status: columns and rates over the running time', () => {
  const counters = { match: 30, 'bad-offset': 0, fragment: 0, short: 0, normalize: 0, memory: 0 };
  const st: PfStatus = {
    running: true, since: 3725, debug: 'urgent', hostid: 0xdeadbeef, states: 2,
    fcounters: { searches: 7450, inserts: 4, removals: 2 }, counters, ifname: 'en0',
    pcounters: [[10, 5], [8, 0]], bcounters: [1200, 900],
  };
  const out = printStatus(st, false).split('\n');
  // 3725 s = 0 days 01:02:05; "Status: …" padded to 44 columns, the debug level right-aligned in 15
  expect(out[0]).toBe('Status: Enabled for 0 days 01:02:05'.padEnd(44) + '  Debug: Urgent');
  expect(out).toContain('Interface Stats for en0               IPv4             IPv6');
  expect(out).toContain('  Bytes In                            1200                0');
  // printf("    %-23s %14llu %16llu\n", "Blocked", …)
  expect(out).toContain(`    ${'Blocked'.padEnd(23)} ${'5'.padStart(14)} ${'0'.padStart(16)}`);
  expect(out).toContain('State Table                          Total             Rate');
  expect(out).toContain(`  ${'current entries'.padEnd(25)} ${'2'.padStart(14)} ${''.padStart(14)}`);
  // 7450 searches / 3725 s = 2.0/s
  expect(out).toContain(`  ${'searches'.padEnd(25)} ${'7450'.padStart(14)} ${'2.0'.padStart(14)}/s`);
  // 30 matches / 3725 s = 0.008…/s, printed %.1f
  expect(out).toContain(`  ${'match'.padEnd(25)} ${'30'.padStart(14)} ${'0.0'.padStart(14)}/s`);
  expect(printStatus({ ...st, running: false, since: 0 }, false).split('\n')[0]).toBe('Status: Disabled'.padEnd(44) + '  Debug: Urgent');
});

test('table addresses as -T show prints them', () => {
  expect(printTableAddr({ af: PF_AF_INET, addr: Uint8Array.of(10, 0, 0, 0), prefix: 24, neg: false })).toBe('   10.0.0.0/24\n');
  expect(printTableAddr({ af: PF_AF_INET, addr: Uint8Array.of(10, 0, 0, 5), prefix: 32, neg: true })).toBe('  !10.0.0.5\n');
});
