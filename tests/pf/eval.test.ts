/**
 * Rule evaluation order and each match criterion (pf_test_rule): last match wins, quick stops, skip steps
 * decide which rules are looked at (evaluations), default pass; interface, direction, af, proto, addresses
 * with masks and `!`, tables, `(en0)` resolved at match time, every port operator, tcp flags, icmp type/code.
 */
import { makeRouter, rule, addr, any, table, dynif, port } from './harness';
import { icmpEcho, ipPacket, tcp, udp } from './pkt';
import type { Ifnet } from '../../stack/net/if';

const UDP = (src = '10.0.0.5', dst = '192.0.2.9', sport = 1234, dport = 53) => ipPacket({ src, dst, proto: 17 }, udp(sport, dport));
const ICMP = (src = '10.0.0.5', dst = '192.0.2.9', type: 8 | 0 = 8) => ipPacket({ src, dst, proto: 1 }, icmpEcho(type, 7, 1));
const TCP = (flags: number, dport = 80) => ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 6 }, tcp({ sport: 40000, dport, flags }));

function setup() {
  const r = makeRouter();
  const test = (ifp: Ifnet, pkt: Uint8Array, dir: 'in' | 'out' = 'in') => r.pf.test(dir, ifp, { data: pkt, pktId: 1 }, pkt.slice());
  const evals = () => r.pf.rules.filter.map((k) => k.evaluations);
  return { ...r, test, evals };
}

describe('pf rule evaluation', () => {
  test('last matching rule wins; every rule looked at counts an evaluation', () => {
    const { load, test, en0, evals } = setup();
    load({ filter: [rule({ action: 'block' }), rule({ action: 'pass', proto: 17 }), rule({ action: 'block', proto: 17, dst: { port: port('eq', 69) } })] });
    // UDP to 53: rule 0 (block all) matches, rule 1 (pass udp) matches, rule 2 (port 69) does not: pass, by rule 1.
    const u = test(en0, UDP());
    expect(u.action).toBe('pass');
    expect(u.rule?.nr).toBe(1);
    // ICMP: rule 0 matches; rule 1's proto mismatch skips to its PF_SKIP_PROTO step, which is past rule 2 (same proto).
    const i = test(en0, ICMP());
    expect(i.action).toBe('drop');
    expect(i.rule?.nr).toBe(0);
    // evaluations: rule 0 twice, rule 1 twice, rule 2 once (the UDP packet only; the ICMP one skipped it).
    expect(evals()).toEqual([2, 2, 1]);
  });

  test('quick ends the walk at the first quick match', () => {
    const { load, test, en0, evals } = setup();
    load({ filter: [rule({ action: 'block', quick: true, proto: 1 }), rule({ action: 'pass' })] });
    const i = test(en0, ICMP());
    expect(i.action).toBe('drop');
    expect(i.rule?.nr).toBe(0);
    expect(evals()).toEqual([1, 0]);
    const u = test(en0, UDP());
    expect(u.action).toBe('pass');
    expect(u.rule?.nr).toBe(1);
  });

  test('no rule matches: the default rule passes (rule null), counted as match', () => {
    const { load, test, en0, pf } = setup();
    load({ filter: [rule({ action: 'block', proto: 6 })] });
    const before = pf.counters[0]!;
    const r = test(en0, UDP());
    expect(r.action).toBe('pass');
    expect(r.rule).toBeNull();
    expect(pf.counters[0]).toBe(before + 1);
  });

  test('skip steps: a run of rules with the same interface is jumped over on an interface mismatch', () => {
    const { load, test, en0, evals } = setup();
    load({
      filter: [
        rule({ action: 'block', ifname: 'en1' }),
        rule({ action: 'block', ifname: 'en1', proto: 6 }),
        rule({ action: 'block', ifname: 'en1', proto: 17 }),
        rule({ action: 'pass', ifname: 'en0' }),
      ],
    });
    expect(test(en0, UDP()).rule?.nr).toBe(3);
    // rule 0 looked at, its PF_SKIP_IFP step is rule 3: rules 1 and 2 never looked at.
    expect(evals()).toEqual([1, 0, 0, 1]);
  });

  test('on / on ! interface, and direction', () => {
    const { load, test, en0, en1 } = setup();
    load({ filter: [rule({ action: 'block', ifname: 'en0', ifnot: true }), rule({ action: 'block', direction: 'out', ifname: 'en0' })] });
    expect(test(en0, UDP()).action).toBe('pass');
    expect(test(en1, UDP()).action).toBe('drop');
    expect(test(en0, UDP(), 'out').action).toBe('drop');
  });

  test('addresses: mask, negation, any with !', () => {
    const { load, test, en0 } = setup();
    load({ filter: [rule({ action: 'block', src: { addr: addr('10.0.0.0/24', true) } }), rule({ action: 'block', dst: { addr: addr('192.0.2.8/29') } })] });
    // from ! 10.0.0.0/24: 10.0.0.5 is inside → not blocked by rule 0; to 192.0.2.8/29 covers .9 → rule 1 blocks.
    expect(test(en0, UDP('10.0.0.5', '192.0.2.9')).rule?.nr).toBe(1);
    expect(test(en0, UDP('10.0.0.5', '192.0.2.20')).action).toBe('pass');
    expect(test(en0, UDP('10.9.0.5', '192.0.2.20')).rule?.nr).toBe(0);
    const r2 = setup();
    r2.load({ filter: [rule({ action: 'block', src: { addr: any(true) } })] });
    expect(r2.test(r2.en0, UDP()).action).toBe('pass');
  });

  test('every port operator (PF_OP_*), and ports on UDP', () => {
    const cases: [ReturnType<typeof port>, number, boolean][] = [
      [port('eq', 53), 53, true], [port('eq', 53), 54, false], [port('ne', 53), 53, false], [port('ne', 53), 54, true],
      [port('lt', 1024), 1023, true], [port('lt', 1024), 1024, false], [port('le', 1024), 1024, true], [port('gt', 1024), 1024, false],
      [port('gt', 1024), 1025, true], [port('ge', 1024), 1024, true], [port('rrg', 10, 20), 10, true], [port('rrg', 10, 20), 20, true],
      [port('rrg', 10, 20), 21, false], [port('irg', 10, 20), 10, false], [port('irg', 10, 20), 11, true], [port('irg', 10, 20), 20, false],
      [port('xrg', 10, 20), 10, false], [port('xrg', 10, 20), 9, true], [port('xrg', 10, 20), 21, true], [port('xrg', 10, 20), 15, false],
    ];
    for (const [p, dport, blocked] of cases) {
      const { load, test, en0 } = setup();
      load({ filter: [rule({ action: 'block', proto: 17, dst: { port: p } })] });
      expect([p.op, p.lo, p.hi, dport, test(en0, UDP('10.0.0.5', '192.0.2.9', 1234, dport)).action]).toEqual([p.op, p.lo, p.hi, dport, blocked ? 'drop' : 'pass']);
    }
  });

  test('tcp flags S/SA: only a bare SYN matches', () => {
    const { load, test, en0 } = setup();
    load({ filter: [rule({ action: 'block' }), rule({ action: 'pass', proto: 6, flags: 0x02, flagset: 0x12 })] });
    expect(test(en0, TCP(0x02)).action).toBe('pass'); // SYN
    expect(test(en0, TCP(0x12)).action).toBe('drop'); // SYN|ACK
    expect(test(en0, TCP(0x10)).action).toBe('drop'); // ACK
    expect(test(en0, TCP(0x02 | 0x08)).action).toBe('pass'); // SYN|PSH: PSH outside the mask
  });

  test('icmp-type and code are stored +1 and compared to the packet', () => {
    const { load, test, en0 } = setup();
    load({ filter: [rule({ action: 'block', proto: 1, type: 8 + 1, code: 0 + 1 })] });
    expect(test(en0, ICMP('10.0.0.5', '192.0.2.9', 8)).action).toBe('drop');
    expect(test(en0, ICMP('10.0.0.5', '192.0.2.9', 0)).action).toBe('pass');
  });

  test('tables: longest prefix, negated entries, a table that does not exist matches nothing', () => {
    const { load, test, en0, ioctl } = setup();
    load({ filter: [rule({ action: 'block', dst: { addr: table('bad') } }), rule({ action: 'block', dst: { addr: table('missing', true) }, proto: 6 })] });
    // Before the table exists: rule 0 matches nothing; rule 1 (! <missing>) matches every TCP packet.
    expect(test(en0, UDP()).action).toBe('pass');
    expect(test(en0, TCP(0x02)).rule?.nr).toBe(1);
    expect(ioctl('DIOCRADDTABLES', { tables: [{ name: 'bad', persist: true, constant: false }] })).toEqual({ added: 1 });
    const b = (s: string) => new Uint8Array(s.split('.').map(Number));
    expect(ioctl('DIOCRADDADDRS', { table: 'bad', addrs: [{ af: 2, addr: b('192.0.2.0'), prefix: 24, neg: false }, { af: 2, addr: b('192.0.2.9'), prefix: 32, neg: true }] })).toEqual({ added: 2 });
    expect(test(en0, UDP('10.0.0.5', '192.0.2.10')).action).toBe('drop');
    // 192.0.2.9 is covered by /24 and by the longer, negated /32: no match.
    expect(test(en0, UDP('10.0.0.5', '192.0.2.9')).action).toBe('pass');
  });

  test('(en1) follows the interface address at match time, without a reload', () => {
    const { load, test, en0, en1, s } = setup();
    load({ filter: [rule({ action: 'block', dst: { addr: dynif('en1') } })] });
    expect(test(en0, UDP('10.0.0.5', '192.0.2.1')).action).toBe('drop');
    s.addAddress(en1, 0xc6336401, 0xffffff00); // 198.51.100.1
    s.deleteAddress(en1, 0xc0000201);
    expect(test(en0, UDP('10.0.0.5', '192.0.2.1')).action).toBe('pass');
    expect(test(en0, UDP('10.0.0.5', '198.51.100.1')).action).toBe('drop');
  });

  test('rule counters: packets and bytes by direction for the deciding rule', () => {
    const { load, test, en0, ioctl } = setup();
    load({ filter: [rule({ action: 'pass', proto: 17 })] });
    const p = UDP();
    test(en0, p);
    test(en0, p, 'out');
    test(en0, p, 'out');
    const rules = ioctl('DIOCGETRULES', { ruleset: 'filter' }) as { ticket: number; nr: number };
    const g = ioctl('DIOCGETRULE', { ticket: rules.ticket, ruleset: 'filter', nr: 0 }) as { counters: { packets: number[]; bytes: number[]; evaluations: number } };
    // 20 (IP) + 8 (UDP) + 4 bytes of data = 32 bytes each.
    expect(g.counters.packets).toEqual([1, 2]);
    expect(g.counters.bytes).toEqual([32, 64]);
    expect(g.counters.evaluations).toBe(3);
  });

  test('CPU: pf_test, each rule looked at, the state lookup and insert are charged (PfCost)', () => {
    const { load, test, en0, env } = setup();
    load({ filter: [rule({ action: 'block', proto: 6 }), rule({ action: 'pass', proto: 17, keepState: 'keep' })] });
    let before = env.charged;
    test(en0, UDP('10.0.0.5', '192.0.2.9', 1234, 53));
    // pfTest 400 + stateLookup 250 (no state) + 2 rules × ruleEval 90 + stateInsert 700 = 1530 ns.
    expect(env.charged - before).toBe(400 + 250 + 2 * 90 + 700);
    before = env.charged;
    test(en0, UDP('192.0.2.9', '10.0.0.5', 53, 1234), 'out');
    // The reply: pfTest 400 + stateLookup 250 + stateUpdate 120 = 770 ns, no rule looked at.
    expect(env.charged - before).toBe(400 + 250 + 120);
  });
});

