/** MLDv1 listener (RFC 2710, mld6.ts): reports on join, the unsolicited repeat, queries, suppression, Done, MLDv2 compatibility. */
import { Icmp6Type, Icmpv6Packet, MLD_MINLEN } from '../../stack/net/wire/icmpv6';
import { ipv6SolicitedNode, ipv6ToString, parseIpv6, type Ipv6Addr } from '../../stack/net/wire/addr6';
import { Ipv6Packet, Ipv6Repr } from '../../stack/net/wire/ipv6';
import { macToString } from '../../stack/net/wire';
import { EthernetFrame } from '../../stack/net/wire/ethernet';
import { MLD_TICK_NS } from '../../stack/net/ip6/mld6';
import { FakeEnv } from './harness';
import { makeStack6, quiet, run, S, type Node6 } from './ip6-harness';

const ROUTER: Ipv6Addr = new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]); // fe80::1
const OTHER: Ipv6Addr = new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07]); // fe80::7
const ALLNODES: Ipv6Addr = new Uint8Array([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]); // ff02::1
const GROUP: Ipv6Addr = new Uint8Array([0xff, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]); // ff12::1234
const LL = 'fe80::250:c2ff:fe00:2';

/** The next `n` values of the env's stream (FakeEnv is a plain xorshift32), without consuming them. */
function peek(env: FakeEnv, n = 1): number[] {
  const p = new FakeEnv();
  p.seed = env.seed;
  return Array.from({ length: n }, () => p.random32());
}

/** A node whose DAD, router solicitation and first MLD reports are over (12 s), nothing queued. */
function node(): Node6 {
  const n = makeStack6('00:50:c2:00:00:02', 11);
  run([n], 12 * S);
  return quiet(n);
}

interface MldOut { t: number; type: number; group: string; src: string; dst: string; hlim: number; mac: string; ra: boolean; sum: boolean; maxDelay: number }
function mldOut(n: Node6): MldOut[] {
  return n.sent.filter((f) => f.data[20] === 0 && f.data[54] === 58).map((f) => {
    const p = new Ipv6Packet(f.data.subarray(14));
    const msg = f.data.subarray(62);
    return {
      t: f.t, type: msg[0]!, group: ipv6ToString(msg.subarray(8, 24)), src: ipv6ToString(p.src), dst: ipv6ToString(p.dst),
      hlim: p.hlim, mac: macToString(new EthernetFrame(f.data).dst),
      // Hop-by-hop: next header 58, length 0, Router Alert (type 5, length 2, value 0 = MLD), PadN.
      ra: Array.from(f.data.subarray(54, 62)).join(',') === '58,0,5,2,0,0,1,0',
      sum: new Icmpv6Packet(msg).verifyChecksum(p.src, p.dst), maxDelay: (msg[4]! << 8) | msg[5]!,
    };
  });
}

/** An MLD message from `src` to `dst` (with the Router Alert hop-by-hop header), `len` bytes of ICMPv6. */
function mldFrame(type: number, group: Ipv6Addr, dst: Ipv6Addr, maxDelay = 0, src = ROUTER, len = MLD_MINLEN): Uint8Array {
  const body = new Uint8Array(8 + len);
  body.set([58, 0, 5, 2, 0, 0, 1, 0]);
  const msg = body.subarray(8);
  msg[0] = type;
  msg[4] = maxDelay >> 8;
  msg[5] = maxDelay & 0xff;
  msg.set(group, 8);
  new Icmpv6Packet(msg).fillChecksum(src, dst);
  const f = new Uint8Array(14 + 40 + body.length);
  f.set([0x33, 0x33, dst[12]!, dst[13]!, dst[14]!, dst[15]!, 0x00, 0x50, 0xc2, 0, 0, 1, 0x86, 0xdd]);
  Ipv6Repr.emit({ src, dst, nxt: 0, hlim: 1, trafficClass: 0, flowLabel: 0, payloadLen: body.length }, new Ipv6Packet(f.subarray(14)));
  f.set(body, 54);
  return f;
}

/** A frame in, and whatever it makes the node send now onto `sent`. */
function rx(n: Node6, f: Uint8Array): void {
  n.s.input(n.en0, { data: f, pktId: 77 });
  run([n], n.env.t);
}

describe('MLDv1 listener', () => {
  test('the solicited-node report of the link-local address waits its random delay and goes from :: (RFC 3590)', () => {
    // The node's first draw (seed 11): the delayed join (IN6_IFAUPDATE_DADDELAY), random32 % (1 s * hz) ticks of 10 ms.
    const seed = new FakeEnv();
    seed.seed = 11;
    const [r1] = peek(seed);
    const n = makeStack6('00:50:c2:00:00:02', 11);
    run([n], 12 * S);
    const reps = mldOut(n);
    const sol = ipv6ToString(ipv6SolicitedNode(parseIpv6(LL)!));
    expect(reps.length).toBeGreaterThanOrEqual(2);
    expect(reps[0]).toMatchObject({ type: Icmp6Type.MldReport, group: sol, dst: sol, src: '::', hlim: 1, ra: true, sum: true, mac: '33:33:ff:00:00:02' });
    expect(reps[0]!.t).toBe((r1! % 100) * MLD_TICK_NS);
    expect(reps[1]).toMatchObject({ type: Icmp6Type.MldReport, group: sol });
    expect(reps[1]!.t - reps[0]!.t).toBeLessThanOrEqual(10 * S);
    // ff02::1 is never reported.
    expect(reps.some((r) => r.group === 'ff02::1')).toBe(false);
  });

  test('joining a group reports at once from the link-local address, repeats after random32 % 1000 ticks; leaving sends Done to ff02::2', () => {
    const n = node();
    const t0 = n.env.t;
    const [r] = peek(n.env);
    n.s.ip6!.in6.joinGroup(n.en0, GROUP);
    run([n], t0 + 11 * S);
    const reps = mldOut(n);
    expect(reps).toHaveLength(2);
    expect(reps[0]).toMatchObject({ t: t0, type: Icmp6Type.MldReport, group: 'ff12::1234', dst: 'ff12::1234', src: LL, hlim: 1, ra: true, sum: true, mac: '33:33:00:00:12:34' });
    expect(reps[1]!.t).toBe(t0 + Math.max(1, r! % 1000) * MLD_TICK_NS);
    n.sent.length = 0;
    n.s.ip6!.in6.leaveGroup(n.en0, GROUP);
    run([n], n.env.t);
    const done = mldOut(n);
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ type: Icmp6Type.MldDone, group: 'ff12::1234', dst: 'ff02::2', src: LL, hlim: 1, ra: true, sum: true, mac: '33:33:00:00:00:02' });
    expect(n.s.ip6!.stats.icmp6.outhist[Icmp6Type.MldDone]).toBe(1);
  });

  test('a general query: each reportable group answers after 1 + (random32 % delay) * hz / 1000 ticks', () => {
    const n = node();
    n.s.ip6!.in6.joinGroup(n.en0, GROUP);
    run([n], n.env.t + 11 * S); // past the unsolicited repeat
    n.sent.length = 0;
    const t0 = n.env.t;
    // Groups in join order: the solicited-node group, then ff12::1234 (ff02::1 skipped, no draw).
    const [ra, rb] = peek(n.env, 2);
    rx(n, mldFrame(Icmp6Type.MldQuery, new Uint8Array(16), ALLNODES, 2000));
    expect(n.s.ip6!.stats.icmp6.inhist[Icmp6Type.MldQuery]).toBe(1);
    run([n], t0 + 3 * S);
    const reps = mldOut(n);
    const sol = ipv6ToString(ipv6SolicitedNode(parseIpv6(LL)!));
    const ticks = (r: number): number => 1 + Math.floor(((r % 2000) * 100) / 1000);
    expect(reps.map((x) => [x.group, x.t]).sort((a, b) => (a[1] as number) - (b[1] as number))).toEqual(
      [[sol, t0 + ticks(ra!) * MLD_TICK_NS], ['ff12::1234', t0 + ticks(rb!) * MLD_TICK_NS]].sort((a, b) => (a[1] as number) - (b[1] as number)));
  });

  test('a group-specific query with Maximum Response Delay 0 is answered at once; a later query keeps an earlier timer', () => {
    const n = node();
    n.s.ip6!.in6.joinGroup(n.en0, GROUP);
    run([n], n.env.t + 11 * S);
    n.sent.length = 0;
    rx(n, mldFrame(Icmp6Type.MldQuery, GROUP, GROUP, 0));
    let reps = mldOut(n);
    expect(reps).toHaveLength(1);
    expect(reps[0]).toMatchObject({ group: 'ff12::1234', t: n.env.t });
    n.sent.length = 0;
    const t0 = n.env.t;
    const [r] = peek(n.env);
    rx(n, mldFrame(Icmp6Type.MldQuery, GROUP, GROUP, 10000));
    const due = t0 + (1 + Math.floor(((r! % 10000) * 100) / 1000)) * MLD_TICK_NS;
    // A second query with a longer delay than what remains draws nothing and moves nothing.
    const seed = n.env.seed;
    rx(n, mldFrame(Icmp6Type.MldQuery, GROUP, GROUP, 30000));
    expect(n.env.seed).toBe(seed);
    run([n], t0 + 31 * S);
    reps = mldOut(n);
    expect(reps.map((x) => x.t)).toEqual([due]);
  });

  test("another listener's report suppresses ours; we were not the last reporter, so leaving sends no Done", () => {
    const n = node();
    n.s.ip6!.in6.joinGroup(n.en0, GROUP);
    run([n], n.env.t + 11 * S);
    n.sent.length = 0;
    rx(n, mldFrame(Icmp6Type.MldQuery, new Uint8Array(16), ALLNODES, 10000));
    rx(n, mldFrame(Icmp6Type.MldReport, GROUP, GROUP, 0, OTHER));
    expect(n.env.traces.some((t) => t.layer === 'mld' && t.probe === 'suppress')).toBe(true);
    run([n], n.env.t + 11 * S);
    expect(mldOut(n).map((x) => x.group)).not.toContain('ff12::1234');
    n.sent.length = 0;
    n.s.ip6!.in6.leaveGroup(n.en0, GROUP);
    run([n], n.env.t);
    expect(mldOut(n)).toHaveLength(0);
  });

  test('MLDv2 compatibility: a v2 query answered with v1 reports (exponential Maximum Response Code), v2 reports ignored', () => {
    const n = node();
    n.s.ip6!.in6.joinGroup(n.en0, GROUP);
    run([n], n.env.t + 11 * S);
    n.sent.length = 0;
    const t0 = n.env.t;
    // Code 0x8fff: exp 0, mant 0xfff → (0x1fff) << 3 = 65528 ms (RFC 3810 §5.1.3).
    const [r] = peek(n.env);
    rx(n, mldFrame(Icmp6Type.MldQuery, GROUP, GROUP, 0x8fff, ROUTER, 28));
    expect(n.env.traces.find((t) => t.layer === 'mld' && t.probe === 'query')!.f).toMatchObject({ maxdelay_ms: 65528, v2: true });
    run([n], t0 + 70 * S);
    const reps = mldOut(n);
    expect(reps).toHaveLength(1);
    expect(reps[0]).toMatchObject({ type: Icmp6Type.MldReport, group: 'ff12::1234' });
    expect(reps[0]!.t).toBe(t0 + (1 + Math.floor(((r! % 65528) * 100) / 1000)) * MLD_TICK_NS);
    // A 26-byte query is neither version: ignored. A v2 report (to a group we hold here, as if snooped) is ignored.
    n.sent.length = 0;
    rx(n, mldFrame(Icmp6Type.MldQuery, GROUP, GROUP, 100, ROUTER, 26));
    rx(n, mldFrame(Icmp6Type.Mldv2Report, new Uint8Array(16), GROUP, 0, OTHER, 28));
    run([n], n.env.t + 2 * S);
    expect(mldOut(n)).toHaveLength(0);
    expect(n.s.ip6!.stats.icmp6.inhist[Icmp6Type.Mldv2Report]).toBe(1);
    const drops = n.env.traces.filter((t) => t.layer === 'mld' && t.probe === 'drop').map((t) => String(t.f!.reason));
    expect(drops).toEqual(['query of 26 bytes is neither MLDv1 nor MLDv2', 'MLDv2 report (for routers; this host speaks MLDv1)']);
  });

  test('messages from a non-link-local source are ignored; a Linux-style MLDv2 report to ff02::16 is not ours to receive', () => {
    const n = node();
    n.s.ip6!.in6.joinGroup(n.en0, GROUP);
    run([n], n.env.t + 11 * S);
    n.sent.length = 0;
    rx(n, mldFrame(Icmp6Type.MldQuery, GROUP, GROUP, 0, parseIpv6('2001:db8::1')!));
    expect(mldOut(n)).toHaveLength(0);
    expect(n.env.traces.find((t) => t.layer === 'mld' && t.probe === 'drop')!.f!.reason).toBe('source 2001:db8::1 is not link-local');
    rx(n, mldFrame(Icmp6Type.Mldv2Report, new Uint8Array(16), parseIpv6('ff02::16')!, 0, OTHER, 28));
    expect(n.env.traces.some((t) => t.layer === 'ip6' && t.probe === 'drop' && String(t.f!.reason).includes('ff02::16 not joined'))).toBe(true);
    expect(n.s.ip6!.stats.ip6.notmember).toBe(1);
  });
});
