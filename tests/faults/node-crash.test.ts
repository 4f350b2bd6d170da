/**
 * kind: crash (issue 18). procnto dies as on a kernel fault: no thread runs and no interrupt is serviced again,
 * while the NIC goes on receiving into its ring until it is full and then counts the frames it misses.
 */
import { BANNER, pair, records, repliedSeqs, runKept, S } from './node-helpers';

// 1000-byte pings every 100 ms from 1 s: seq n leaves alpha at about 1 s + n * 100 ms.
const PING = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 40, interval: 100ms, size: 1000 } }';
const CRASH_AT = 3 * S;

describe('crash', () => {
  const r = runKept(pair('hub'), { actions: [PING], faults: ['{ at: 3s, node: beta, kind: crash }'], expect: [] });
  const recs = records(r);

  test('the console shows the Shutdown message, and kernel/crash is traced at the fault time', () => {
    const beta = r.consoles.get('beta')!;
    expect(beta).toContain(BANNER);
    expect(beta).toMatch(/^Shutdown\[0,0\] S\/C\/F=11\/1\/11 state\(c0\)= now lock$/m);
    expect(beta).toMatch(/^\[0\]PID-TID=\d+-\d+\??? "proc\/boot\/[\w-]+"$/m);
    expect(beta).toMatch(/^\[qnxemu\] kernel fault injected by faults\[0\]/m);
    const crash = recs.filter((x) => x.node === 'beta' && x.layer === 'kernel' && x.probe === 'crash');
    expect(crash).toHaveLength(1);
    expect(crash[0]!.t).toBe(CRASH_AT);
    expect(crash[0]!.f).toMatchObject({ pid: 1, name: 'procnto', kernel: true });
    expect(r.faultNotes).toEqual(["faults[0] crash: beta's kernel crashed at 3.000 s"]);
  });

  test('pings stop being answered from the fault time on', () => {
    const seqs = repliedSeqs(r.consoles.get('alpha')!, '10.0.0.2');
    // Requests sent before 3 s were answered (seq 0..19: sent at 1.0 .. 2.9 s); none after.
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('after the crash beta\'s software is silent; its NIC stores requests in the ring until it is full, then misses them', () => {
    const after = recs.filter((x) => x.node === 'beta' && x.t > CRASH_AT);
    // Nothing above the hardware: no interrupt serviced, no driver, no stack, no program. The chip raises its IRQ
    // line at the interrupt controller (irq/raise records) and it stays asserted: nobody acknowledges it.
    const hardware = (x: { layer: string; probe: string }): boolean => ['nic', 'mac', 'wire', 'console', 'fault'].includes(x.layer) || (x.layer === 'irq' && x.probe === 'raise');
    expect(after.filter((x) => !hardware(x))).toEqual([]);
    expect(after.some((x) => x.layer === 'irq' && x.probe === 'raise')).toBe(true);
    const stored = after.filter((x) => x.layer === 'nic' && x.probe === 'rx-ring');
    const missed = after.filter((x) => x.layer === 'nic' && x.probe === 'rx-reject' && x.f?.['reason'] === 'overflow');
    expect(stored.length).toBeGreaterThan(0);
    expect(missed.length).toBeGreaterThan(0);
    // Every frame stored precedes every frame missed: the ring fills, then the chip stays in overflow.
    expect(Math.max(...stored.map((x) => x.t))).toBeLessThan(Math.min(...missed.map((x) => x.t)));
    // The model's count of missed frames (CNTR2, as the expectation counter reads it).
    const exp = runKept(pair('hub'), {
      actions: [PING],
      faults: ['{ at: 3s, node: beta, kind: crash }'],
      expect: [`{ node: beta, nic: 0, counter: rx-reject.overflow, op: "==", value: ${missed.length} }`],
    });
    expect(exp.failures).toEqual([]);
    // Ring capacity: each 1042-byte frame (1000 + 8 ICMP + 20 IP + 14 Ethernet) takes ceil((1042 + 4 + 4) / 256) = 5 pages.
    expect(stored.length).toBeLessThan(20);
  });

  test('a crash before the node booted, or a second crash, changes nothing and says so', () => {
    const early = runKept(pair('hub', '2s'), { faults: ['{ at: 1ms, node: beta, kind: crash }'] });
    expect(early.faultNotes[0]).toBe('faults[0] crash: no kernel was running (not booted yet, or powered off): nothing crashed');
    expect(early.consoles.get('beta')).toContain(BANNER);
    const twice = runKept(pair('hub', '4s'), { faults: ['{ at: 3s, node: beta, kind: crash }', '{ at: 3.5s, node: beta, kind: crash }'] });
    expect(twice.faultNotes[1]).toBe('faults[1] crash: the kernel had already crashed');
    expect(twice.consoles.get('beta')!.match(/^Shutdown/gm)).toHaveLength(1);
  });

  test('same seed, same trace hash; another seed, another run', () => {
    const f = { actions: [PING], faults: ['{ at: 3s, node: beta, kind: crash }'] };
    const a = runKept(pair('hub', '4s'), f);
    const b = runKept(pair('hub', '4s'), f);
    const c = runKept(pair('hub', '4s'), f, 2);
    expect(b.traceHash).toBe(a.traceHash);
    expect(c.traceHash).not.toBe(a.traceHash);
  });
});

describe('expectations on a crashed node', () => {
  test('a counter read after the crash fails with the reason; one read before it holds', () => {
    const r = runKept(pair('hub', '4s'), {
      actions: [PING],
      faults: ['{ at: 3s, node: beta, kind: crash }'],
      expect: ['{ at: 2.5s, node: beta, iface: en0, counter: ipackets, op: ">", value: 5 }', '{ node: beta, iface: en0, counter: ipackets, op: ">", value: 5 }'],
    });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatch(/^expect\[1\] .*beta has no running kernel \(it crashed\)/);
  });
});
