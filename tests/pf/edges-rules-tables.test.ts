/**
 * Edges of rules and tables: scrub rules' address match and per-direction counters (pf_norm.c
 * pf_normalize_ip), DIOCADDRULE's checks on ports and table names, skip steps across rules naming different
 * tables (pf_calc_skip_steps), a 0.0.0.0/0 table entry, and the counter names DIOCGETSTATUS answers (the
 * names pfctl -si prints, pfvar.h PFRES_NAMES).
 */
import { Errno } from '../../stack/kernel/api';
import { makeRouter, rule, addr, table, port } from './harness';
import { ipPacket, udp } from './pkt';
import type { PfRuleCounters, PfStatus } from '../../stack/include/net/pfvar';

const b4 = (s: string) => new Uint8Array(s.split('.').map(Number));

/** DIOCGETRULE's counters for rule `nr` of a ruleset, as pfctl -vsr reads them. */
function counters(r: ReturnType<typeof makeRouter>, nr: number): PfRuleCounters {
  const t = r.ioctl('DIOCGETRULES', { ruleset: 'filter' }) as { ticket: number };
  return (r.ioctl('DIOCGETRULE', { ticket: t.ticket, ruleset: 'filter', nr }) as { counters: PfRuleCounters }).counters;
}

/** DIOCADDRULE of one filter rule in a fresh transaction: {} or the errno. */
function addOne(r: ReturnType<typeof makeRouter>, x: ReturnType<typeof rule>) {
  const t = r.ioctl('DIOCXBEGIN', { rulesets: ['filter'] }) as { ticket: number };
  return r.ioctl('DIOCADDRULE', { ticket: t.ticket, ruleset: 'filter', rule: x });
}

describe('pf edges: scrub rules', () => {
  test('a forwarded packet counts on an inout scrub rule once inbound and once outbound (packets[dir == PF_OUT])', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'scrub' })] });
    const p = ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(1000, 53));
    r.rx(r.en0, p);
    expect(r.sent(r.en1)).toHaveLength(1);
    // pf_normalize_ip: r->packets[dir == PF_OUT]++, r->bytes[dir == PF_OUT] += tot_len — in on en0, out on en1.
    const c = counters(r, 0);
    expect(c.packets).toEqual([1, 1]);
    expect(c.bytes).toEqual([p.length, p.length]);
  });

  test('a scrub rule for another source does not normalise: a DF fragment from 10.0.0.5 is not dropped', () => {
    const r = makeRouter();
    // "scrub in from 10.0.0.6": the packet's source does not match, so pf_normalize_ip does nothing to it.
    r.load({ filter: [rule({ action: 'scrub', direction: 'in', src: { addr: addr('10.0.0.6') } }), rule({ action: 'pass' })] });
    const frag = ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17, df: true, mf: true }, udp(1000, 53, 16));
    r.rx(r.en0, frag);
    expect((r.ioctl('DIOCGETSTATUS') as unknown as PfStatus).counters.fragment).toBe(0);
    expect(counters(r, 0).packets).toEqual([0, 0]);
    // The same packet from 10.0.0.6 is scrubbed: a fragment with DF set is dropped as `fragment`.
    r.rx(r.en0, ipPacket({ src: '10.0.0.6', dst: '192.0.2.9', proto: 17, df: true, mf: true }, udp(1000, 53, 16)));
    expect((r.ioctl('DIOCGETSTATUS') as unknown as PfStatus).counters.fragment).toBe(1);
    expect(counters(r, 0).packets).toEqual([1, 0]);
  });
});

describe('pf edges: DIOCADDRULE checks', () => {
  test('a port outside 0..65535 is EINVAL (ports are u_int16_t in struct pf_rule_addr)', () => {
    const r = makeRouter();
    expect(addOne(r, rule({ action: 'pass', proto: 6, dst: { port: port('eq', -1) } }))).toBe(Errno.EINVAL);
    expect(addOne(r, rule({ action: 'pass', proto: 6, dst: { port: port('rrg', 0, -1) } }))).toBe(Errno.EINVAL);
    expect(addOne(r, rule({ action: 'pass', proto: 6, dst: { port: port('eq', 65536) } }))).toBe(Errno.EINVAL);
    expect(addOne(r, rule({ action: 'pass', proto: 6, dst: { port: port('rrg', 0, 65535) } }))).toEqual({});
  });

  test('a table address needs a name of 1..31 characters (PF_TABLE_NAME_SIZE 32, pfr_validate_table refuses "")', () => {
    const r = makeRouter();
    expect(addOne(r, rule({ action: 'block', src: { addr: table('') } }))).toBe(Errno.EINVAL);
    expect(addOne(r, rule({ action: 'block', src: { addr: table('x'.repeat(32)) } }))).toBe(Errno.EINVAL);
    expect(addOne(r, rule({ action: 'block', src: { addr: table('x'.repeat(31)) } }))).toEqual({});
  });
});

describe('pf edges: tables', () => {
  test('rules naming different tables are different for skip steps: a miss on <a> still evaluates the <b> rule', () => {
    const r = makeRouter();
    expect(r.ioctl('DIOCRADDTABLES', { tables: [{ name: 'a', persist: true, constant: false }, { name: 'b', persist: true, constant: false }] })).toEqual({ added: 2 });
    r.ioctl('DIOCRADDADDRS', { table: 'a', addrs: [{ af: 2, addr: b4('10.0.0.77'), prefix: 32, neg: false }] });
    r.ioctl('DIOCRADDADDRS', { table: 'b', addrs: [{ af: 2, addr: b4('10.0.0.5'), prefix: 32, neg: false }] });
    // block in from <a>; block in from <b>: pf_calc_skip_steps may only skip over rules with the same source.
    r.load({ filter: [rule({ action: 'block', direction: 'in', src: { addr: table('a') } }), rule({ action: 'block', direction: 'in', src: { addr: table('b') } })] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(1000, 53)));
    expect(r.sent(r.en1)).toHaveLength(0);
    expect([counters(r, 0).evaluations, counters(r, 1).evaluations]).toEqual([1, 1]);
  });

  test('a 0.0.0.0/0 table entry matches every IPv4 address (pfr_match_addr, the radix default)', () => {
    const r = makeRouter();
    r.ioctl('DIOCRADDTABLES', { tables: [{ name: 'all', persist: true, constant: false }] });
    expect(r.ioctl('DIOCRADDADDRS', { table: 'all', addrs: [{ af: 2, addr: b4('0.0.0.0'), prefix: 0, neg: false }] })).toEqual({ added: 1 });
    r.load({ filter: [rule({ action: 'block', direction: 'in', src: { addr: table('all') } })] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(1000, 53)));
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '10.0.0.5', proto: 17 }, udp(53, 1000)));
    expect(r.sent(r.en1)).toHaveLength(0);
    expect(r.sent(r.en0)).toHaveLength(0);
  });
});

describe('pf edges: status counter names', () => {
  test('DIOCGETSTATUS answers every reason counter under its pfctl -si name, in PFRES order', () => {
    const r = makeRouter();
    const st = r.ioctl('DIOCGETSTATUS') as unknown as PfStatus;
    // pfvar.h PFRES_NAMES (pfctl -si "Counters" section).
    expect(Object.keys(st.counters)).toEqual([
      'match', 'bad-offset', 'fragment', 'short', 'normalize', 'memory', 'bad-timestamp', 'congestion', 'ip-option',
      'proto-cksum', 'state-mismatch', 'state-insert', 'state-limit', 'src-limit', 'synproxy',
    ]);
  });
});
