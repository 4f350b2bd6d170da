/**
 * The flow cache's life (stack/net/ip-flow.ts, ip-flow-table.ts): route changes, aging by ipflow_slowtimo, the
 * ip_maxflows limit and ipflow_reap's choice, and the per-thread hashes fed through their create/destroy queues.
 */
import { Errno } from '../../stack/kernel/api';
import { NetCost } from '../../stack/net/costs';
import { IPFLOW_HASHSIZE, ipflowHash } from '../../stack/net/ip-flow-table';
import { IcmpPacket, IcmpType, IcmpUnreachCode, macToString } from '../../stack/net/wire';
import { ip, take } from '../net-stack/harness';
import { MAC_GAMMA, MAC_GAMMA2, deliver, frameTo, ipOf, makeRouter, runUntil, type Router } from './harness';

const T1 = { tid: 1, name: 'io-pkt#1' };
const T2 = { tid: 2, name: 'io-pkt#2' };

function flowSrcs(r: Router): string[] {
  return r.s.ipflow.tables.list.map((f) => `${(f.src >>> 0) & 0xff}`);
}

describe('route changes', () => {
  test('a more specific route added: the flow is looked up again and follows it; deleted: the stack answers unreachable', () => {
    const r = makeRouter();
    expect(r.s.routes.addStatic(ip('10.99.0.0'), 0xffff0000, ip('10.88.0.9'))).toBe(0);
    expect([deliver(r, r.en0, frameTo(100, { dst: '10.99.1.1' })), deliver(r, r.en0, frameTo(100, { dst: '10.99.1.1' }))]).toEqual([false, true]);
    expect(take(r.en1).map((m) => macToString(m.data.subarray(0, 6)))).toEqual([MAC_GAMMA, MAC_GAMMA]);
    // route add -net 10.99.1.0/24 10.88.0.10: the table's generation moves, the cached route is no longer trusted.
    expect(r.s.routes.addStatic(ip('10.99.1.0'), 0xffffff00, ip('10.88.0.10'))).toBe(0);
    expect([deliver(r, r.en0, frameTo(100, { dst: '10.99.1.1' })), deliver(r, r.en0, frameTo(100, { dst: '10.99.1.1' }))]).toEqual([false, true]);
    expect(take(r.en1).map((m) => macToString(m.data.subarray(0, 6)))).toEqual([MAC_GAMMA2, MAC_GAMMA2]);
    expect(r.s.ipflow.inuse).toBe(1);
    expect(r.env.traces.filter((t) => t.probe === 'flowfree').map((t) => t.f?.why)).toEqual(['replaced']);
    // route delete both: no fast path, ip_forward has no route and says so.
    expect(r.s.routes.delete(ip('10.99.1.0'), 0xffffff00)).toBe(0);
    expect(r.s.routes.delete(ip('10.99.0.0'), 0xffff0000)).toBe(0);
    expect(deliver(r, r.en0, frameTo(100, { dst: '10.99.1.1' }))).toBe(false);
    const [icmp] = take(r.en0).map((m) => new IcmpPacket(ipOf(m.data).payload));
    expect([icmp?.type, icmp?.code]).toEqual([IcmpType.Unreach, IcmpUnreachCode.Host]);
    expect(take(r.en1)).toHaveLength(0);
  });

  test('the outgoing interface detached: the flow is dead and ipflow_reap takes it first', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100, { src: '10.77.0.5' }));
    deliver(r, r.en0, frameTo(100, { src: '10.77.0.6', dst: '10.77.0.9' })); // back out en0: a live flow
    r.s.arp.addPermanent(r.en0, ip('10.77.0.9'), new Uint8Array([0, 0x50, 0xc2, 0, 0, 9]));
    deliver(r, r.en0, frameTo(100, { src: '10.77.0.6', dst: '10.77.0.9' }));
    expect(flowSrcs(r)).toEqual(['6', '5']);
    r.s.detachInterface(r.en1);
    expect(deliver(r, r.en0, frameTo(100, { src: '10.77.0.5' }))).toBe(false);
    expect(r.s.ipflow.sysctlMaxflows(1)).toEqual({ data: 1 });
    expect(flowSrcs(r)).toEqual(['6']);
    expect(r.env.traces.filter((t) => t.probe === 'flowfree').map((t) => t.f?.why)).toEqual(['route gone']);
  });
});

describe('ipflow_slowtimo', () => {
  test('a flow last used at 1.2 s (slow tick 2) expires at tick 2 + IPFLOW_TIMER = 12, i.e. at 6.0 s; its uses were folded in on the way', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100)); // t = 0: the flow, timer 0 + 10
    const calloutsWithFlow = r.s.callouts.size;
    runUntil(r, 1_200_000_000);
    for (let i = 0; i < 3; i++) expect(deliver(r, r.en0, frameTo(100))).toBe(true); // timer 2 + 10
    runUntil(r, 1_500_000_000);
    expect(r.s.stats.ip.fastforward).toBe(3); // folded in by the 1.5 s slowtimo
    runUntil(r, 5_999_999_999);
    expect(r.s.ipflow.inuse).toBe(1);
    runUntil(r, 6_000_000_000);
    expect(r.s.ipflow.inuse).toBe(0);
    expect(r.env.traces.filter((t) => t.probe === 'flowfree').map((t) => t.f?.why)).toEqual(['expired']);
    // With no flow left, ipflow_slowtimo stops (QNX: pfslowtimo is kicked only while there is work).
    expect(r.s.callouts.size).toBe(calloutsWithFlow - 1);
    const st = r.s.stats.ip;
    expect([st.total, st.forward, st.fastforward]).toEqual([4, 4, 3]);
    expect(deliver(r, r.en0, frameTo(100))).toBe(false);
  });
});

describe('ip_maxflows and ipflow_reap', () => {
  test('at the limit, ipflow_create reaps the least recently used, then the one with fewest uses', () => {
    const r = makeRouter();
    expect(r.s.ipflow.sysctlMaxflows(3)).toEqual({ data: 3 });
    for (const src of ['1', '3', '4']) deliver(r, r.en0, frameTo(100, { src: `10.77.0.${src}` })); // all timer 10
    deliver(r, r.en0, frameTo(100, { src: '10.77.0.1' }));
    deliver(r, r.en0, frameTo(100, { src: '10.77.0.1' }));
    deliver(r, r.en0, frameTo(100, { src: '10.77.0.4' }));
    expect(flowSrcs(r)).toEqual(['4', '3', '1']);
    // uses: .1 → 2, .3 → 0, .4 → 1; equal timers, so .3 goes.
    deliver(r, r.en0, frameTo(100, { src: '10.77.0.5' }));
    expect(flowSrcs(r)).toEqual(['5', '4', '1']);
    // A flow used in a later slow tick outlives ones with more uses: at 0.6 s (tick 1) .5 is used once (timer 11).
    runUntil(r, 600_000_000); // the 0.5 s slowtimo: uses → last_uses (.1: 2, .4: 1, .5: 0)
    deliver(r, r.en0, frameTo(100, { src: '10.77.0.5' }));
    // net.inet.ip.maxflows=1: .4 (timer 10, 1 use) then .1 (timer 10, 2 uses) go; .5 (timer 11) stays.
    expect(r.s.ipflow.sysctlMaxflows(1)).toEqual({ data: 1 });
    expect(flowSrcs(r)).toEqual(['5']);
  });

  test('among equals QNX keeps the first it meets walking from the newest, so the newest goes', () => {
    const r = makeRouter();
    r.s.ipflow.sysctlMaxflows(3);
    for (const src of ['1', '3', '4', '5']) deliver(r, r.en0, frameTo(100, { src: `10.77.0.${src}` }));
    expect(flowSrcs(r)).toEqual(['5', '3', '1']);
  });

  test('maxflows 0: every flow goes and none is made; a negative limit is refused', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100));
    expect(r.s.ipflow.sysctlMaxflows(-1)).toBe(Errno.EINVAL);
    expect(r.s.ipflow.sysctlMaxflows(0)).toEqual({ data: 0 });
    expect(r.s.ipflow.inuse).toBe(0);
    expect([deliver(r, r.en0, frameTo(100)), deliver(r, r.en0, frameTo(100))]).toEqual([false, false]);
    expect(r.s.stats.ip.forward).toBe(3);
  });

  test('IPFLOW_MAX: 256 flows by default; the 257th reaps one', () => {
    const r = makeRouter();
    for (let i = 0; i < 257; i++) {
      deliver(r, r.en0, frameTo(10, { src: `10.${100 + (i >> 8)}.${i & 0xff}.1` }));
      take(r.en1);
    }
    expect(r.s.ipflow.inuse).toBe(256);
    // Every flow hashed into one of the 64 buckets.
    expect(r.s.ipflow.tables.list.every((f) => f.hash === ipflowHash(f.dst, f.src, f.tos) && f.hash < IPFLOW_HASHSIZE)).toBe(true);
    expect(new Set(r.s.ipflow.tables.list.map((f) => f.hash)).size).toBeGreaterThan(32);
  });
});

describe('per-thread hashes', () => {
  test('a flow made by the stack thread reaches another thread through its create queue, on that thread\'s next frame', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100), 1, T1); // thread 1: ip_forward, ipflow_create
    const [t1] = r.s.ipflow.tables.threadList;
    expect([t1!.name, t1!.table.size]).toEqual(['io-pkt#1', 1]);
    // Thread 2 appears: its create queue holds every live flow; its first frame takes them in and uses them.
    const before = r.env.charged;
    expect(deliver(r, r.en0, frameTo(100), 2, T2)).toBe(true);
    const t2 = r.s.ipflow.tables.threadList[1]!;
    expect([t2.name, t2.table.size, t2.changing]).toEqual(['io-pkt#2', 1, 0]);
    expect(r.env.charged - before).toBe(NetCost.ipflowQueue + 1162); // one entry drained, then the fast path
    // A second flow made by thread 1 waits on thread 2's queue until thread 2 runs.
    deliver(r, r.en0, frameTo(100, { dst: '10.88.0.10' }), 3, T1);
    expect([t2.table.size, t2.createQ.length]).toEqual([1, 1]);
    expect(deliver(r, r.en0, frameTo(100, { dst: '10.88.0.10' }), 4, T2)).toBe(true);
    expect([t2.table.size, t2.createQ.length]).toEqual([2, 0]);
    const ff = r.env.traces.filter((t) => t.probe === 'fastforward').map((t) => [t.f?.thread, t.f?.stk]);
    expect(ff).toEqual([['io-pkt#2', false], ['io-pkt#2', false]]);
  });

  test('a flow removed by the stack goes on the destroy queue of each thread holding it and is never used again', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100), 1, T1);
    deliver(r, r.en0, frameTo(100), 2, T2);
    deliver(r, r.en0, frameTo(100, { dst: '10.88.0.10' }), 3, T1); // still on thread 2's create queue
    const t2 = r.s.ipflow.tables.threadList[1]!;
    const gone = r.s.ipflow.tables.list.find((f) => f.dst === ip('10.88.0.9'))!;
    r.s.ipflow.invalidateAll(); // from the stack thread (1)
    // The flow thread 2 took in is to be let go of; the one it never saw is simply dropped from its create queue.
    expect([t2.destroyQ.length, t2.createQ.length, t2.table.size]).toEqual([1, 0, 1]);
    expect(r.s.ipflow.tables.threadList[0]!.table.size).toBe(0);
    // Drained first, then nothing to find: the stack path forwards it and thread 2, now the stack, makes a new flow.
    expect(deliver(r, r.en0, frameTo(100), 4, T2)).toBe(false);
    expect([t2.destroyQ.length, t2.table.has(gone), t2.table.size]).toEqual([0, false, 1]);
    expect(r.s.ipflow.tables.list[0]).not.toBe(gone);
  });

  test('a thread that removes a flow still on its own create queue never takes it in', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100, { dst: '10.88.0.10' }), 1, T2); // registers thread 2 (its flow, its table)
    deliver(r, r.en0, frameTo(100), 2, T1); // thread 1 makes a flow: on thread 2's create queue
    const t2 = r.s.ipflow.tables.threadList[1]!;
    expect([t2.table.size, t2.createQ.length]).toEqual([1, 1]);
    r.env.cur = { ...T2, stack: true };
    r.s.ipflow.invalidateAll(); // thread 2, holding the stack, removes both
    expect([t2.table.size, t2.createQ.length, t2.destroyQ.length]).toEqual([0, 0, 0]);
    expect(deliver(r, r.en0, frameTo(100), 3, T2)).toBe(false);
  });
});
