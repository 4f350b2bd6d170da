import { IN6_IFF_DUPLICATED, IN6_IFF_TENTATIVE } from '../../stack/net/ip6/in6';
import { ipv6ToString } from '../../stack/net/wire/addr6';
import { makeStack6, run, MS, S } from './ip6-harness';

describe('link-local address and DAD', () => {
  test('fe80:: from the modified EUI-64, tentative until DAD ends after the random delay + RetransTimer', () => {
    const a = makeStack6('00:50:c2:00:00:01', 7);
    const ll = a.s.ip6!.in6.addrs(a.en0)[0]!;
    expect(ipv6ToString(ll.addr)).toBe('fe80::250:c2ff:fe00:1');
    expect(ll.flags & IN6_IFF_TENTATIVE).toBe(IN6_IFF_TENTATIVE);
    // The DAD delay is the stack's second draw from the node's stream (FakeEnv's xorshift32, seed 7), in whole
    // milliseconds below MAX_RTR_SOLICITATION_DELAY; the first is MLD's delay for the solicited-node report
    // (RFC 4862 §5.4.2, mld6.ts): 7 → 1892583, then 1892583 → 470389255, so 255 ms.
    let x = 7;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x;
    };
    next();
    const delayMs = next() % 1000;
    expect(a.env.traces.find((r) => r.probe === 'dad-start')!.f!.delay_ms).toBe(delayMs);
    expect(delayMs).toBe(255);
    run([a], 5 * S);
    const complete = a.env.traces.find((r) => r.probe === 'dad-complete');
    expect(complete).toBeDefined();
    expect(ll.flags & IN6_IFF_TENTATIVE).toBe(0);
    // One NS from :: at the delay, then RetransTimer (1 s).
    const ns = a.sent.filter((f) => f.data[54] === 135);
    expect(ns).toHaveLength(1);
    expect(ns[0]!.t).toBe(delayMs * MS);
    expect(a.env.logs).toContain('en0: DAD complete for fe80::250:c2ff:fe00:1 - no duplicates found');
  });

  test('a second node with the same MAC: the first defends with an NA, the second marks its address duplicated', () => {
    const a = makeStack6('00:50:c2:00:00:01', 7);
    run([a], 3 * S);
    const b = makeStack6('00:50:c2:00:00:01', 9);
    b.env.t = a.env.t;
    run([a, b], 6 * S);
    expect(a.sent.some((f) => f.data[54] === 136 && f.data[0] === 0x33)).toBe(true); // NA to ff02::1
    const llB = b.s.ip6!.in6.addrs(b.en0)[0]!;
    expect(llB.flags & IN6_IFF_DUPLICATED).toBe(IN6_IFF_DUPLICATED);
    expect(b.env.logs.some((l) => l.includes('DAD detected duplicate IPv6 address fe80::250:c2ff:fe00:1'))).toBe(true);
  });
});
