/**
 * /dev/pf ioctls as pf_ioctl.c answers them (tickets, EEXIST/ENOENT, EINVAL for malformed rules, tables,
 * status counters), and hostile packets: truncated transport headers are dropped as `short` (and logged on
 * pflog0 with the default rule, as pf does), IP options refused, and random bytes never throw.
 */
import { Errno } from '../../stack/kernel/api';
import { makeRouter, rule, addr } from './harness';
import { icmpError, ipPacket, tcp, udp } from './pkt';
import type { PfStatus } from '../../stack/include/net/pfvar';

describe('/dev/pf ioctls', () => {
  test('DIOCSTART when running is EEXIST, DIOCSTOP when stopped is ENOENT; a stopped pf passes everything', () => {
    const r = makeRouter();
    expect(r.ioctl('DIOCSTART')).toBe(Errno.EEXIST);
    expect(r.ioctl('DIOCSTOP')).toEqual({});
    expect(r.ioctl('DIOCSTOP')).toBe(Errno.ENOENT);
    r.load({ filter: [rule({ action: 'block' })] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(1, 2)));
    expect(r.sent(r.en1)).toHaveLength(1);
    expect(r.ioctl('DIOCSTART')).toEqual({});
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(1, 2)));
    expect(r.sent(r.en1)).toHaveLength(0);
  });

  test('tickets: a second DIOCXBEGIN makes the first stale (EBUSY); rollback; DIOCGETRULE checks the active ticket', () => {
    const r = makeRouter();
    const t1 = r.ioctl('DIOCXBEGIN', { rulesets: ['filter'] }) as { ticket: number };
    const t2 = r.ioctl('DIOCXBEGIN', { rulesets: ['filter'] }) as { ticket: number };
    expect(t2.ticket).not.toBe(t1.ticket);
    expect(r.ioctl('DIOCADDRULE', { ticket: t1.ticket, ruleset: 'filter', rule: rule() })).toBe(Errno.EBUSY);
    expect(r.ioctl('DIOCADDRULE', { ticket: t2.ticket, ruleset: 'filter', rule: rule({ action: 'block' }) })).toEqual({});
    expect(r.ioctl('DIOCXCOMMIT', { ticket: t1.ticket })).toBe(Errno.EBUSY);
    expect(r.ioctl('DIOCXCOMMIT', { ticket: t2.ticket })).toEqual({});
    const g = r.ioctl('DIOCGETRULES', { ruleset: 'filter' }) as { ticket: number; nr: number };
    expect(g).toEqual({ ticket: t2.ticket, nr: 1 });
    expect(r.ioctl('DIOCGETRULE', { ticket: t1.ticket, ruleset: 'filter', nr: 0 })).toBe(Errno.EBUSY);
    expect(r.ioctl('DIOCGETRULE', { ticket: g.ticket, ruleset: 'filter', nr: 1 })).toBe(Errno.EBUSY);
    expect((r.ioctl('DIOCGETRULE', { ticket: g.ticket, ruleset: 'filter', nr: 0 }) as { rule: { action: string } }).rule.action).toBe('block');
    const t3 = r.ioctl('DIOCXBEGIN', { rulesets: ['filter'] }) as { ticket: number };
    expect(r.ioctl('DIOCXROLLBACK', { ticket: t3.ticket })).toEqual({});
    expect(r.ioctl('DIOCXCOMMIT', { ticket: t3.ticket })).toBe(Errno.EBUSY);
    expect((r.ioctl('DIOCGETRULES', { ruleset: 'filter' }) as { nr: number }).nr).toBe(1);
    // All or nothing: a transaction over filter and nat whose nat another DIOCXBEGIN took commits nothing.
    const t4 = r.ioctl('DIOCXBEGIN', { rulesets: ['filter', 'nat'] }) as { ticket: number };
    r.ioctl('DIOCADDRULE', { ticket: t4.ticket, ruleset: 'filter', rule: rule() });
    r.ioctl('DIOCADDRULE', { ticket: t4.ticket, ruleset: 'filter', rule: rule() });
    r.ioctl('DIOCXBEGIN', { rulesets: ['nat'] });
    expect(r.ioctl('DIOCXCOMMIT', { ticket: t4.ticket })).toBe(Errno.EBUSY);
    expect((r.ioctl('DIOCGETRULES', { ruleset: 'filter' }) as { nr: number }).nr).toBe(1);
  });

  test('malformed rules are EINVAL', () => {
    const r = makeRouter();
    const t = (r.ioctl('DIOCXBEGIN', { rulesets: ['filter', 'nat'] }) as { ticket: number }).ticket;
    const add = (ruleset: string, x: unknown) => r.ioctl('DIOCADDRULE', { ticket: t, ruleset, rule: x });
    expect(add('filter', rule({ action: 'nat' }))).toBe(Errno.EINVAL);
    expect(add('nat', rule({ action: 'nat' }))).toBe(Errno.EINVAL); // no target
    expect(add('filter', rule({ proto: 1, dst: { port: { op: 'eq', lo: 80, hi: 0 } } }))).toBe(Errno.EINVAL);
    expect(add('filter', rule({ flags: 0x100, flagset: 0x1ff }))).toBe(Errno.EINVAL); // not 8-bit TCP flags
    // `flags S/A` (a flag outside its mask) is a valid rule to pf: it simply never matches.
    expect(add('filter', rule({ flags: 0x02, flagset: 0x10 }))).toEqual({});
    expect(add('filter', { ...rule(), src: { addr: { type: 'addrmask', af: 2, addr: new Uint8Array(3), mask: new Uint8Array(4), neg: false }, port: null } })).toBe(Errno.EINVAL);
    expect(add('filter', null)).toBe(Errno.EINVAL);
    expect(add('bogus', rule())).toBe(Errno.EINVAL);
    expect(r.ioctl('DIOCSETTIMEOUT', { name: 'interval', seconds: 0 })).toBe(Errno.EINVAL);
    expect(r.ioctl('DIOCSETTIMEOUT', { name: 'tcp.nope', seconds: 1 })).toBe(Errno.EINVAL);
    expect(r.ioctl('DIOCBOGUS')).toBe(Errno.ENOTTY);
  });

  test('tables: add, set, delete, get, clear; unknown table ESRCH; const table EPERM', () => {
    const r = makeRouter();
    const b = (s: string) => new Uint8Array(s.split('.').map(Number));
    const a = (s: string, prefix = 32) => ({ af: 2, addr: b(s), prefix, neg: false });
    expect(r.ioctl('DIOCRADDTABLES', { tables: [{ name: 't', persist: false, constant: false }, { name: 'c', persist: true, constant: true }] })).toEqual({ added: 2 });
    expect(r.ioctl('DIOCRADDADDRS', { table: 'nope', addrs: [a('1.2.3.4')] })).toBe(Errno.ESRCH);
    expect(r.ioctl('DIOCRADDADDRS', { table: 'c', addrs: [a('1.2.3.4')] })).toBe(Errno.EPERM);
    expect(r.ioctl('DIOCRSETADDRS', { table: 't', addrs: [a('1.2.3.4'), a('10.0.0.0', 8)] })).toEqual({ added: 2, deleted: 0 });
    expect(r.ioctl('DIOCRSETADDRS', { table: 't', addrs: [a('10.0.0.0', 8), a('5.6.7.8')] })).toEqual({ added: 1, deleted: 1 });
    expect(r.ioctl('DIOCRDELADDRS', { table: 't', addrs: [a('5.6.7.8')] })).toEqual({ deleted: 1 });
    const got = r.ioctl('DIOCRGETADDRS', { table: 't' }) as { addrs: { addr: Uint8Array; prefix: number }[] };
    expect(got.addrs.map((x) => [Array.from(x.addr).join('.'), x.prefix])).toEqual([['10.0.0.0', 8]]);
    expect(r.ioctl('DIOCRCLRADDRS', { table: 't' })).toEqual({ deleted: 1 });
    expect((r.ioctl('DIOCRGETTABLES') as { tables: unknown[] }).tables).toHaveLength(2);
    expect(r.ioctl('DIOCRCLRTABLES')).toEqual({ deleted: 2 });
  });

  test('DIOCGETSTATUS: counters by pfctl -si name, loginterface counters, DIOCCLRSTATUS', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'block', direction: 'in', proto: 1 }), rule({ action: 'pass', keepState: 'keep', proto: 17 })] });
    expect(r.ioctl('DIOCSETSTATUSIF', { ifname: 'en0' })).toEqual({});
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(1, 2))); // pass in en0 (state), pass out en1 (state)
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 1 }, new Uint8Array([8, 0, 0xf7, 0xff, 0, 0, 0, 0]))); // block in en0
    const st = r.ioctl('DIOCGETSTATUS') as unknown as PfStatus;
    expect(st.running).toBe(true);
    expect(st.states).toBe(2);
    expect(st.counters.match).toBe(3); // UDP in en0, UDP out en1, ICMP in en0
    expect(st.ifname).toBe('en0');
    // en0: one UDP (32 bytes) passed in, one ICMP (28 bytes) blocked in.
    expect(st.pcounters).toEqual([[1, 1], [0, 0]]);
    expect(st.bcounters).toEqual([60, 0]);
    expect(st.fcounters.inserts).toBe(2);
    r.ioctl('DIOCCLRSTATUS');
    expect((r.ioctl('DIOCGETSTATUS') as unknown as PfStatus).counters.match).toBe(0);
  });
});

describe('hostile packets', () => {
  test('a TCP header cut short is dropped as short (and logged with the default rule), a UDP length beyond the datagram too', () => {
    const r = makeRouter();
    let logged = 0;
    r.s.bpf.tap = (ifp) => { if (ifp.name === 'pflog0') logged++; };
    const whole = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 1, dport: 2, flags: 2 }));
    // Claim protocol TCP with only 10 bytes after the header (ip_len says so, so ip_input accepts it).
    const cut = whole.slice(0, 30);
    cut[2] = 0; cut[3] = 30;
    const res = r.pf.test('in', r.en1, { data: cut, pktId: 1 }, cut);
    expect(res.action).toBe('drop');
    expect(r.pf.counters[3]).toBe(1); // short
    expect(logged).toBe(1);
    const u = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17 }, udp(1, 2));
    u[20 + 4] = 0; u[20 + 5] = 200; // uh_ulen 200 > 12 bytes there
    expect(r.pf.test('in', r.en1, { data: u, pktId: 2 }, u).action).toBe('drop');
    const z = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17 }, udp(1, 0)); // destination port 0
    expect(r.pf.test('in', r.en1, { data: z, pktId: 3 }, z).action).toBe('drop');
    // An ICMP error too short to quote a header: pf_test_state_icmp counts it short and answers PF_DROP without
    // a state, so pf_test goes on to the rules, which (default rule) pass it — as pf.c does.
    const e = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpError(3, 3, new Uint8Array(0)));
    expect(r.pf.test('in', r.en1, { data: e, pktId: 4 }, e).action).toBe('pass');
    expect(r.pf.counters[3]).toBe(4);
    expect(logged).toBe(1); // only the failed pull is logged; the UDP sanity checks are not
  });

  test('IP options are refused without allow-opts (ip-option)', () => {
    const r = makeRouter();
    const p = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17, options: [1, 1, 1, 0] }, udp(1, 2));
    expect(r.pf.test('in', r.en1, { data: p, pktId: 1 }, p).action).toBe('drop');
    expect(r.pf.counters[8]).toBe(1);
  });

  test('random bytes behind valid IPv4 headers, through the whole input path, never throw', () => {
    const r = makeRouter();
    r.load({ nat: [rule({ action: 'nat', ifname: 'en1', src: { addr: addr('10.0.0.0/24') }, rpool: { addr: addr('192.0.2.1'), proxyPort: null, staticPort: false } })], filter: [rule({ action: 'pass', keepState: 'keep' })] });
    let x = 12345;
    const rnd = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) & 0xff; };
    for (let i = 0; i < 400; i++) {
      const len = rnd() % 60;
      const body = new Uint8Array(len).map(() => rnd());
      const proto = [1, 6, 17, 47][rnd() % 4]!;
      const p = ipPacket({ src: i % 2 ? '10.0.0.5' : '192.0.2.9', dst: i % 2 ? '192.0.2.9' : '192.0.2.1', proto }, body);
      expect(() => r.rx(i % 2 ? r.en0 : r.en1, p)).not.toThrow();
    }
  });
});
