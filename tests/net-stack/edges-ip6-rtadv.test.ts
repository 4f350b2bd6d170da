/**
 * Edges of a router's advertising schedule (stack/net/ip6/nd6-rtadv.ts, after NetBSD rtadvd's rs_input /
 * set_short_delay and RFC 4861 §6.2.4–§6.2.6): when an RS is answered (a random delay under
 * MAX_RA_DELAY_TIME, never earlier than MIN_DELAY_BETWEEN_RAS after the last multicast RA, never later than
 * the RA already scheduled, one answer for a burst of RSs), and the ra-output trace record of every RA,
 * the final ones with router lifetime 0 included.
 */
import { IFF_RUNNING, IFF_UP } from '../../stack/net/if';
import { Ip6 } from '../../stack/net/ip6/ip6';
import {
  ADV_DEFAULT_LIFETIME_S, MAX_FINAL_RTR_ADVERTISEMENTS, MAX_INITIAL_RTR_ADVERT_INTERVAL_S, MAX_RA_DELAY_TIME_MS,
} from '../../stack/net/ip6/nd6-rtadv';
import { IN6ADDR_ANY, IN6ADDR_LINKLOCAL_ALLROUTERS, ipv6MulticastMac, parseIpv6 } from '../../stack/net/wire/addr6';
import { Icmp6Type, Icmpv6Packet, ND_RS_LEN } from '../../stack/net/wire/icmpv6';
import { Ipv6Packet, Ipv6Repr } from '../../stack/net/wire/ipv6';
import { makeStack6, run, MS, S, type Node6 } from './ip6-harness';

/** An RS from :: (so without a link-layer option, RFC 4861 §4.1) to all-routers. */
function rsFrame(): Uint8Array {
  const f = Ip6.alloc(ND_RS_LEN);
  f.set(ipv6MulticastMac(IN6ADDR_LINKLOCAL_ALLROUTERS), 0);
  f.set([0x00, 0x50, 0xc2, 0, 0, 9, 0x86, 0xdd], 6);
  const msg = f.subarray(Ip6.PAYLOAD_OFF);
  msg[0] = Icmp6Type.RouterSolicit;
  Ipv6Repr.emit({ src: IN6ADDR_ANY, dst: IN6ADDR_LINKLOCAL_ALLROUTERS, nxt: 58, hlim: 255, trafficClass: 0, flowLabel: 0, payloadLen: msg.length }, new Ipv6Packet(f.subarray(14)));
  new Icmpv6Packet(msg).fillChecksum(IN6ADDR_ANY, IN6ADDR_LINKLOCAL_ALLROUTERS);
  return f;
}

function rs(r: Node6): void {
  r.s.input(r.en0, { data: rsFrame(), pktId: 700 });
  r.s.drainLoopback();
}

const RA = (n: Node6) => n.sent.filter((f) => f.data[54] === Icmp6Type.RouterAdvert);

/** A router (seeded) with 2001:db8:1::1/64 on en0, DAD done, advertising from `start` on (t0). */
function router(seed: number): { r: Node6; t0: number } {
  const r = makeStack6('00:50:c2:00:00:01', seed, false);
  r.s.ip6!.setForwarding(true);
  r.en0.flags |= IFF_UP | IFF_RUNNING;
  r.s.ip6!.ifUp(r.en0);
  r.s.ip6!.in6.add(r.en0, parseIpv6('2001:db8:1::1')!, 64);
  run([r], 3 * S);
  const t0 = r.env.t;
  r.s.ip6!.nd6.rtr.rtadv.start(r.en0);
  run([r], t0); // the first RA goes at once
  return { r, t0 };
}

/** Past the MAX_INITIAL_RTR_ADVERTISEMENTS (at t0, +16 s, +32 s): the next unsolicited RA is ≥ 198 s away. */
function pastInitial(r: Node6, t0: number): void {
  run([r], t0 + 40 * S);
  expect(RA(r)).toHaveLength(3);
}

describe('answering Router Solicitations (RFC 4861 §6.2.6, rtadvd set_short_delay)', () => {
  test('RSs long after the last multicast RA are answered after random delays spread below MAX_RA_DELAY_TIME, not at once', () => {
    // §6.2.6: "compute a random delay within the range 0 through MAX_RA_DELAY_TIME"; MIN_DELAY_BETWEEN_RAS only
    // holds back answers that would come within 3 s of the previous multicast RA.
    const { r, t0 } = router(11);
    pastInitial(r, t0);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t = t0 + (50 + 10 * i) * S;
      run([r], t);
      const n = RA(r).length;
      rs(r);
      run([r], t + 5 * S);
      const answers = RA(r).slice(n);
      expect(answers).toHaveLength(1);
      delays.push(answers[0]!.t - t);
    }
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(MAX_RA_DELAY_TIME_MS * MS);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  test('an RS just before the next scheduled RA does not postpone it: the RA goes at the time already scheduled', () => {
    // §6.2.6: "If the computed value corresponds to a time later than the time the next multicast Router
    // Advertisement is scheduled to be sent, ignore the random delay and send the advertisement at the
    // already-scheduled time."
    const { r, t0 } = router(12);
    const next = t0 + MAX_INITIAL_RTR_ADVERT_INTERVAL_S * S; // the second initial RA
    run([r], next - 1 * MS);
    expect(RA(r)).toHaveLength(1);
    rs(r);
    run([r], next + 2 * S);
    expect(RA(r).map((f) => f.t - t0)).toEqual([0, MAX_INITIAL_RTR_ADVERT_INTERVAL_S * S]);
  });

  test('further RSs while an answer is pending do not move it: one RA, at the time the first RS got', () => {
    // rtadvd rs_input: a solicited RA already waiting (rai_waiting) is not rescheduled by more RSs.
    const a = router(13);
    const b = router(13); // the same router again
    pastInitial(a.r, a.t0);
    pastInitial(b.r, b.t0);
    const t = a.t0 + 60 * S;
    run([a.r], t);
    run([b.r], t);
    rs(a.r);
    rs(b.r);
    for (let i = 1; i <= 20; i++) {
      run([b.r], t + i * MS);
      rs(b.r);
    }
    run([a.r], t + 5 * S);
    run([b.r], t + 5 * S);
    const ansA = RA(a.r).slice(3).map((f) => f.t);
    const ansB = RA(b.r).slice(3).map((f) => f.t);
    expect(ansA).toHaveLength(1);
    expect(ansB).toEqual(ansA);
  });
});

describe('the ra-output record', () => {
  test('every RA is traced with its interface, router lifetime and prefixes; the final ones carry lifetime 0', () => {
    // §6.2.5: a router that stops advertising sends up to MAX_FINAL_RTR_ADVERTISEMENTS RAs with Router Lifetime 0.
    const { r } = router(14);
    expect(r.env.traces.filter((x) => x.probe === 'ra-output').map((x) => x.f)).toEqual([
      { if: 'en0', lifetime: ADV_DEFAULT_LIFETIME_S, prefixes: '2001:db8:1::/64' },
    ]);
    r.env.traces.length = 0;
    r.s.ip6!.setForwarding(false);
    const fin = r.env.traces.filter((x) => x.probe === 'ra-output').map((x) => x.f);
    expect(fin).toHaveLength(MAX_FINAL_RTR_ADVERTISEMENTS);
    for (const f of fin) expect(f).toEqual({ if: 'en0', lifetime: 0, prefixes: '2001:db8:1::/64' });
  });
});
