/**
 * pf.conf parsing, construct by construct (OpenBSD 3.7 parse.y semantics): macros and continuation, list
 * expansion counts (pfctl multiplies lists out, one rule per combination), tables, options, each filter option,
 * nat/rdr with their defaults.
 */
import { PF_AF_INET, PF_AF_INET6 } from '../../stack/include/net/pfvar';
import { printRule } from '../../stack/utils/pfctl/print';
import { parse } from './helpers';

const rules = (text: string) => {
  const c = parse(text);
  expect(c.out.filter((l) => l.err).map((l) => l.text)).toEqual([]);
  expect(c.errors).toBe(false);
  return c.rules;
};
const printed = (text: string) => rules(text).map((r) => printRule(r.rule));

describe('lexer: comments, continuation, macros', () => {
  test('comments and blank lines are nothing; `\\` joins lines', () => {
    expect(printed('# a comment\n\npass in \\\n  on en0 \\\n  all # trailing\n')).toEqual(['pass in on en0 all']);
  });
  test('a macro expands where it is used, lists inside macros too', () => {
    expect(printed('ext_if = "en0"\nports = "{ 22 80 }"\npass in on $ext_if proto tcp to any port $ports\n')).toEqual([
      'pass in on en0 proto tcp from any to any port = ssh',
      'pass in on en0 proto tcp from any to any port = http',
    ]);
  });
  test('adjacent strings of a macro definition are joined with one space', () => {
    expect(printed('a = "en0" "en1"\npass in on { $a } all\n')).toEqual(['pass in on en0 all', 'pass in on en1 all']);
  });
  test('-D macros override the file (persistent)', () => {
    const { parsePfConf } = require('../../stack/utils/pfctl/parser') as typeof import('../../stack/utils/pfctl/parser');
    const c = parsePfConf('if = "en0"\npass in on $if all\n', { file: 'f', verbose: 0, ifaces: null, defines: { if: 'en1' } });
    expect(c.rules.map((r) => r.rule.ifname)).toEqual(['en1']);
  });
});

describe('expansion: one rule per combination, in expand_rule order', () => {
  test('2 interfaces × 2 protocols × 2 sources × 2 destination ports = 16 rules', () => {
    const r = rules('pass in on { en0 en1 } proto { tcp udp } from { 10.0.0.1 10.0.0.2 } to any port { 53 80 }\n');
    expect(r).toHaveLength(2 * 2 * 2 * 2);
    // interface outermost, destination port innermost
    expect(r.slice(0, 2).map((x) => [x.rule.ifname, x.rule.proto, x.rule.dst.port?.lo])).toEqual([['en0', 6, 53], ['en0', 6, 80]]);
    expect(r[15]!.rule.ifname).toBe('en1');
  });
  test('combinations with disagreeing address families are skipped', () => {
    const r = rules('pass from { 10.0.0.1 ::1 } to 10.0.0.2\n');
    expect(r).toHaveLength(1);
    expect(r[0]!.rule.af).toBe(PF_AF_INET);
  });
  test('modulate state and flags fall away for non-tcp protocols', () => {
    const r = rules('pass proto { tcp udp } all flags S/SA modulate state\n');
    expect(r.map((x) => [x.rule.keepState, x.rule.flags, x.rule.flagset])).toEqual([['modulate', 2, 18], ['keep', 0, 0]]);
  });
  test('an interface name as host expands to its addresses (host_if), :network to its network', () => {
    expect(printed('pass from en0 to en1:network\n')).toEqual(['pass inet from 10.0.0.1 to 192.168.0.0/16']);
  });
  test('label macros expand per rule', () => {
    const r = rules('pass in on en0 proto tcp from any to 10.0.0.1 port { 22 80 } label "$if:$proto:$dstaddr:$dstport:$nr"\n');
    expect(r.map((x) => x.rule.label)).toEqual(['en0:tcp:10.0.0.1:22:0', 'en0:tcp:10.0.0.1:80:1']);
  });
});

describe('filter rule options', () => {
  test.each([
    ['block in quick on en0 inet proto icmp all', 'block drop in quick on en0 inet proto icmp all'],
    ['block return-rst in proto tcp all', 'block return-rst in proto tcp all'],
    ['block return-icmp in inet all', 'block return-icmp(port-unr) in inet all'],
    ['block return out all', 'block return out all'],
    ['block log-all all', 'block drop log-all all'],
    ['pass quick log on ! en1 all', 'pass log quick on ! en1 all'],
    ['pass in inet6 proto ipv6-icmp all icmp6-type echoreq keep state', 'pass in inet6 proto ipv6-icmp all icmp6-type echoreq keep state'],
    ['pass inet proto icmp all icmp-type unreach code port-unr', 'pass inet proto icmp all icmp-type unreach code port-unr'],
    ['pass proto tcp from any port 1024:65535 to any port >= 6000 flags /SA synproxy state', 'pass proto tcp from any port 1024:65535 to any port >= 6000 flags /SA synproxy state'],
    ['pass proto udp to any port 10 <> 20', 'pass proto udp from any to any port 10 <> 20'],
    ['pass proto udp to any port != domain', 'pass proto udp from any to any port != domain'],
    ['pass proto udp to any port < 1024', 'pass proto udp from any to any port < 1024'],
    ['pass proto udp to any port <= 1024', 'pass proto udp from any to any port <= 1024'],
    ['pass proto udp to any port > 1024', 'pass proto udp from any to any port > 1024'],
    ['pass from ! 10.0.0.0/8 to <t>', 'pass inet from ! 10.0.0.0/8 to <t>'],
    ['pass from (en0) to (en1:network)', 'pass from (en0) to (en1:network)'],
    ['pass from no-route to any', 'pass from no-route to any'],
    ['pass proto 132 all', 'pass proto sctp all'],
    ['pass proto udp all keep state (udp.first 5, udp.multiple 10)', 'pass proto udp all keep state (udp.first 5, udp.multiple 10)'],
    ['pass in from 10/8 to any', 'pass in inet from 10.0.0.0/8 to any'],
    ['pass in from 2001:db8::/32 to any', 'pass in inet6 from 2001:db8::/32 to any'],
  ])('%s', (input, output) => {
    expect(printed(`${input}\n`)).toEqual([output]);
  });
  test('scrub: normalization rules travel in the filter ruleset and print with their fragment policy', () => {
    const r = rules('scrub in on en0 all fragment reassemble\nscrub out all\npass all\n');
    expect(r.map((x) => [x.ruleset, x.rule.action])).toEqual([['filter', 'scrub'], ['filter', 'scrub'], ['filter', 'pass']]);
    expect(r.map((x) => printRule(x.rule))).toEqual(['scrub in on en0 all fragment reassemble', 'scrub out all fragment reassemble', 'pass all']);
  });
  test('set block-policy return makes a plain block return', () => {
    expect(printed('set block-policy return\nblock in all\n')).toEqual(['block return in all']);
  });
  test('icmp-type/code are stored plus one as pfvar.h does', () => {
    const r = rules('pass inet proto icmp all icmp-type echoreq code 0\n')[0]!.rule;
    expect([r.type, r.code]).toEqual([8 + 1, 0 + 1]);
  });
});

describe('tables and options', () => {
  test('table <name> persist const { … } with negation', () => {
    const c = parse('table <bad> persist const { 10.0.0.1, 10.0.0.0/24, !10.0.0.5 }\n', 1);
    expect(c.tables).toHaveLength(1);
    expect(c.tables[0]!.table).toEqual({ name: 'bad', persist: true, constant: true });
    expect(c.tables[0]!.addrs.map((a) => [a.prefix, a.neg])).toEqual([[32, false], [24, false], [32, true]]);
    expect(c.out.map((l) => l.text)).toEqual(['table <bad> const persist { 10.0.0.1 10.0.0.0/24 !10.0.0.5 }\n']);
  });
  test('set timeout (single and list), loginterface, debug become options in order', () => {
    const c = parse('set timeout interval 5\nset timeout { udp.first 10, udp.single 20 }\nset loginterface en0\nset debug misc\n');
    expect(c.errors).toBe(false);
    expect(c.options).toEqual([
      { kind: 'timeout', name: 'interval', seconds: 5 },
      { kind: 'timeout', name: 'udp.first', seconds: 10 },
      { kind: 'timeout', name: 'udp.single', seconds: 20 },
      { kind: 'loginterface', ifname: 'en0' },
      { kind: 'debug', level: 'misc' },
    ]);
  });
  test('set require-order no lets sections come in any order', () => {
    expect(parse('set require-order no\npass all\nnat on en0 from any to any -> 10.0.0.1\n').errors).toBe(false);
  });
});

describe('antispoof and set optimization', () => {
  test('antispoof for en0: in on ! en0 from its network, in from its own address', () => {
    expect(printed('antispoof log quick for en0 inet\n')).toEqual([
      'block drop in log quick on ! en0 inet from 10.0.0.0/24 to any',
      'block drop in log quick inet from 10.0.0.1 to any',
    ]);
  });
  test('antispoof for a loopback adds no address rule; a list covers each interface', () => {
    expect(printed('antispoof for { lo0 en1 }\n')).toEqual([
      'block drop in on ! lo0 inet from 127.0.0.0/8 to any',
      'block drop in on ! en1 inet from 192.168.0.0/16 to any',
      'block drop in inet from 192.168.1.1 to any',
    ]);
  });
  test('set optimization aggressive sets the six TCP timeouts of pf_hint_aggressive', () => {
    const c = parse('set optimization aggressive\n', 1);
    expect(c.options).toEqual([
      { kind: 'timeout', name: 'tcp.first', seconds: 30 }, { kind: 'timeout', name: 'tcp.opening', seconds: 5 },
      { kind: 'timeout', name: 'tcp.established', seconds: 5 * 60 * 60 }, { kind: 'timeout', name: 'tcp.closing', seconds: 60 },
      { kind: 'timeout', name: 'tcp.finwait', seconds: 30 }, { kind: 'timeout', name: 'tcp.closed', seconds: 30 },
    ]);
    expect(c.out.at(-1)?.text).toBe('set optimization aggressive\n');
  });
});

describe('nat and rdr', () => {
  test('nat to an interface: af from the source, the default proxy ports, a round-robin pool', () => {
    const r = rules('nat on en0 from 10.0.0.0/24 to any -> (en0)\n')[0]!;
    expect(r.ruleset).toBe('nat');
    expect(r.rule.af).toBe(PF_AF_INET);
    expect(r.rule.rpool).toEqual({ addr: { type: 'dynif', ifname: 'en0', network: false, neg: false }, proxyPort: { lo: 50001, hi: 65535 }, staticPort: false });
    expect(printRule(r.rule)).toBe('nat on en0 inet from 10.0.0.0/24 to any -> (en0) round-robin');
  });
  test('nat static-port, nat with a port range', () => {
    expect(printed('nat on en0 from 10.0.0.0/24 to any -> 192.168.1.1 static-port\nnat on en0 from 10.0.0.0/24 to any -> 192.168.1.1 port 2000:3000\n')).toEqual([
      'nat on en0 inet from 10.0.0.0/24 to any -> 192.168.1.1 static-port',
      'nat on en0 inet from 10.0.0.0/24 to any -> 192.168.1.1 port 2000:3000',
    ]);
  });
  test('rdr with a port and with a range to `port p:*`', () => {
    const r = rules('rdr on en0 proto tcp from any to any port 80 -> 10.0.0.5 port 8080\nrdr on en0 proto tcp to any port 1000:1010 -> 10.0.0.5 port 2000:*\n');
    expect(r[0]!.ruleset).toBe('rdr');
    expect(r[0]!.rule.rpool?.proxyPort).toEqual({ lo: 8080, hi: 8080 });
    expect(r[1]!.rule.rpool?.proxyPort).toEqual({ lo: 2000, hi: 2010 });
    expect(r.map((x) => printRule(x.rule))).toEqual([
      'rdr on en0 inet proto tcp from any to any port = http -> 10.0.0.5 port 8080',
      'rdr on en0 inet proto tcp from any to any port 1000:1010 -> 10.0.0.5 port 2000:2010',
    ]);
  });
  test('no nat / no rdr take no target', () => {
    const r = rules('no nat on en0 from 10.0.0.2 to any\nno rdr on en0 proto tcp from any to any port 80\n');
    expect(r.map((x) => [x.ruleset, x.rule.action, x.rule.rpool])).toEqual([['nat', 'no-nat', null], ['rdr', 'no-rdr', null]]);
    expect(r.map((x) => printRule(x.rule))).toEqual(['no nat on en0 inet from 10.0.0.2 to any', 'no rdr on en0 proto tcp from any to any port = http']);
  });
  test('a whole ordered file: options, translation, filtering', () => {
    const c = parse('set timeout interval 10\nnat on en0 from 10.0.0.0/24 to any -> (en0)\npass all\n');
    expect(c.errors).toBe(false);
    expect(c.rules.map((r) => r.ruleset)).toEqual(['nat', 'filter']);
  });
});

describe('IPv6 addresses', () => {
  test('inet6 host and prefix', () => {
    const r = rules('pass in inet6 from 2001:db8::1 to fe80::/10\n')[0]!.rule;
    expect(r.af).toBe(PF_AF_INET6);
    expect(printRule(r)).toBe('pass in inet6 from 2001:db8::1 to fe80::/10');
  });
});
