/**
 * kind: hang (issue 18). beta's CPUs stop (spinning with interrupts disabled) from `at` to `until`, then go on
 * where they were: a timer that expired meanwhile fires late, frames that came in wait in the NIC's ring (or
 * overran it: the driver sees the overrun when it runs again), and replies resume.
 */
import { MS, pair, records, repliedSeqs, runKept, S } from './node-helpers';
import type { CheckedRun } from '../../emulator/app/testing/api';

// beta sleeps 1 s from 2 s and then prints a line: its sleep expires at about 3.0 s, inside the hangs below.
const SLEEPER = '{ at: 2s, node: beta, command: "sleep 1; display_msg woke" }';

function wokeAt(r: CheckedRun): number {
  const l = r.run.consoleLines.get('beta')!.find((x) => x.text === 'woke');
  if (!l) throw new Error(`beta never woke:\n${r.consoles.get('beta')}`);
  return l.t;
}

describe('hang', () => {
  test('a sleep that expires during the hang fires when it ends: a hang 100 ms longer wakes it exactly 100 ms later', () => {
    const base = wokeAt(runKept(pair('hub', '5s'), { actions: [SLEEPER] }));
    expect(base).toBeGreaterThan(3 * S);
    expect(base).toBeLessThan(3 * S + 50 * MS);
    const a = runKept(pair('hub', '5s'), { actions: [SLEEPER], faults: ['{ at: 2.5s, until: 3.2s, node: beta, kind: hang }'] });
    const b = runKept(pair('hub', '5s'), { actions: [SLEEPER], faults: ['{ at: 2.5s, until: 3.3s, node: beta, kind: hang }'] });
    const ta = wokeAt(a);
    const tb = wokeAt(b);
    // Nothing ran during the hang; after it, the same wake-up path (clock interrupt, dispatch, the shell) as in
    // the run without a hang, so the lateness is the time from the expiry to the hang's end.
    expect(ta).toBeGreaterThan(3.2 * S);
    expect(tb - ta).toBe(100 * MS);
    expect(ta - 3.2 * S).toBe(tb - 3.3 * S);
    expect(ta - 3.2 * S).toBeLessThan(base - 2 * S);
    expect(a.faultNotes).toEqual(["faults[0] hang: beta's CPUs stopped at 2.500 s, went on at 3.200 s"]);
    const hang = records(a).filter((x) => x.node === 'beta' && x.layer === 'kernel' && x.probe === 'hang');
    expect(hang.map((x) => [x.t, x.f])).toEqual([[2.5 * S, { on: true }], [3.2 * S, { on: false, ns: 0.7 * S }]]);
  });

  test('replies resume after the hang; requests that arrived during it are answered late, none is lost', () => {
    const ping = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 30, interval: 100ms } }';
    const r = runKept(pair('hub'), { actions: [ping], faults: ['{ at: 2.05s, until: 2.5s, node: beta, kind: hang }'] });
    const alpha = r.consoles.get('alpha')!;
    expect(repliedSeqs(alpha, '10.0.0.2').sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // seq 11 left at about 2.1 s and waited in beta's ring until 2.5 s: its round trip is about 400 ms.
    const rtt = Number(/icmp_seq=11 ttl=\d+ time=([\d.]+) ms/.exec(alpha)![1]);
    expect(rtt).toBeGreaterThan(390);
    expect(rtt).toBeLessThan(410);
    // Nothing of beta's software ran inside the hang.
    const inside = records(r).filter((x) => x.node === 'beta' && x.t > 2_050_000_000 && x.t < 2_500_000_000);
    expect(inside.filter((x) => !['nic', 'mac', 'wire', 'irq'].includes(x.layer))).toEqual([]);
  });

  test('a hang long enough to fill the ring: the driver finds the overrun when the CPUs come back', () => {
    const ping = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 40, interval: 50ms, size: 1000 } }';
    const r = runKept(pair('hub'), { actions: [ping], faults: ['{ at: 2s, until: 3s, node: beta, kind: hang }'] });
    const recs = records(r).filter((x) => x.node === 'beta');
    const missed = recs.filter((x) => x.layer === 'nic' && x.probe === 'rx-reject' && x.f?.['reason'] === 'overflow');
    expect(missed.length).toBeGreaterThan(0);
    expect(missed.every((x) => x.t > 2 * S && x.t < 3 * S)).toBe(true);
    const overrun = recs.filter((x) => x.layer === 'driver' && x.probe === 'overrun');
    expect(overrun.length).toBeGreaterThan(0);
    expect(overrun[0]!.t).toBeGreaterThanOrEqual(3 * S);
    expect(overrun[0]!.t).toBeLessThan(3 * S + 5 * MS);
  });

  test('a hang with no end stops the node for good; a hang before boot does nothing; same seed, same hash', () => {
    const ping = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 20, interval: 100ms } }';
    const f = { actions: [ping], faults: ['{ at: 2s, node: beta, kind: hang }'] };
    const a = runKept(pair('hub', '4s'), f);
    expect(repliedSeqs(a.consoles.get('alpha')!, '10.0.0.2')).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(a.faultNotes).toEqual(["faults[0] hang: beta's CPUs stopped at 2.000 s for good"]);
    expect(runKept(pair('hub', '4s'), f).traceHash).toBe(a.traceHash);
    expect(runKept(pair('hub', '4s'), f, 7).traceHash).not.toBe(a.traceHash);
    const early = runKept(pair('hub', '2s'), { faults: ['{ at: 1ms, until: 2ms, node: beta, kind: hang }'] });
    expect(early.faultNotes).toEqual(['faults[0] hang: no kernel was running: nothing hung']);
  });
});
