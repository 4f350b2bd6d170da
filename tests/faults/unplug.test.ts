/**
 * kind: unplug (issue 18): a node's cable pulled from a link and plugged back in. It is a `down` of the node's
 * port(s) on that link (the same mechanism: emulator/machine/net/fault.ts); on replug the link comes up after what
 * the medium's link-up takes: auto-negotiation on a 1000BASE-T cable (emulator/machine/net/link-segment.ts
 * AN_TIMES), at once for a 10BASE-T station without auto-negotiation.
 */
import { AN_TIMES } from '../../emulator/machine/net/link-segment';
import { MS, pair, records, repliedSeqs, runKept, S } from './node-helpers';

const BCM = `name: bcm-unplug
seed: 1
until: 10s
nodes:
  alpha:
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:01", link: cable0 }]
    script: |
      io-pkt-v4-hc -d bge
      waitfor /dev/socket 10
      ifconfig bge0 10.0.1.1/24 up
  beta:
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:02", link: cable0 }]
    script: |
      io-pkt-v4-hc -d bge
      waitfor /dev/socket 10
      ifconfig bge0 10.0.1.2/24 up
links:
  cable0: { type: cable }
`;

describe('unplug', () => {
  test('BCM5701 on a cable: both drivers see link down at once and up after the break-link timer, the pages and training', () => {
    const pull = 5 * S;
    const replug = 6 * S;
    const r = runKept(BCM, { actions: ['{ at: 4s, node: alpha, ping: { to: 10.0.1.2, count: 55, interval: 100ms } }'], faults: ['{ at: 5s, until: 6s, link: cable0, node: beta, kind: unplug }'] });
    const recs = records(r);
    for (const node of ['alpha', 'beta']) {
      const link = recs.filter((x) => x.node === node && x.layer === 'ifnet' && x.probe === 'link' && x.t >= pull);
      expect(link.map((x) => x.f?.['up'])).toEqual([false, true]);
      // The PHY's link-status change interrupt reaches the driver within a millisecond.
      expect(link[0]!.t - pull).toBeLessThan(1 * MS);
      expect(link[1]!.t).toBeGreaterThan(replug);
    }
    const an = recs.filter((x) => x.layer === 'autoneg' && x.f?.['seg'] === 'cable0' && x.t >= pull);
    const negotiated = an.find((x) => x.probe === 'negotiated')!;
    const up = an.find((x) => x.probe === 'link-up')!;
    // Pulled while up: the break-link timer runs from the pull (28.3.2, 1.2-1.5 s) and outlasts the 1 s unplugged;
    // then base page + 1000BASE-T next pages, then PMA training.
    expect(negotiated.t).toBeGreaterThanOrEqual(pull + AN_TIMES.breakLink[0] + AN_TIMES.nextPages[0]);
    expect(negotiated.t).toBeLessThanOrEqual(pull + AN_TIMES.breakLink[1] + AN_TIMES.nextPages[1]);
    expect(up.t - negotiated.t).toBeGreaterThanOrEqual(AN_TIMES.linkUp1000[0]);
    expect(up.t - negotiated.t).toBeLessThanOrEqual(AN_TIMES.linkUp1000[1]);
    expect(r.faultNotes).toEqual([
      `faults[0] unplug: beta's cable on cable0 (beta.nic0) pulled at 5.000 s, plugged back in at 6.000 s, link up again at ${(up.t / 1e9).toFixed(3)} s (auto-negotiation)`,
    ]);
    // Requests sent while the link was down got no answer; the ones after the link came back did.
    const seqs = repliedSeqs(r.consoles.get('alpha')!, '10.0.1.2');
    expect(seqs).toContain(9);
    expect(seqs.filter((s) => s >= 10 && 4 * S + s * 100 * MS < up.t)).toEqual([]);
    expect(seqs).toContain(54);
  });

  test('NE2000s on a hub (10BASE-T, no auto-negotiation): link again at once; frames in the window are not delivered', () => {
    const ping = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 30, interval: 100ms } }';
    const r = runKept(pair('hub'), { actions: [ping], faults: ['{ at: 2.05s, until: 2.55s, link: net0, node: beta, kind: unplug }'] });
    const seqs = repliedSeqs(r.consoles.get('alpha')!, '10.0.0.2');
    // seq n leaves at about 1 s + n * 100 ms: 11..15 fall in the window.
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((s) => s < 11 || s > 15));
    expect(r.faultNotes[0]).toBe(
      "faults[0] unplug: beta's cable on net0 (beta.nic0) pulled at 2.050 s, plugged back in at 2.550 s, no auto-negotiation record after it (a station without auto-negotiation has link at once)",
    );
    const fault = records(r).filter((x) => x.layer === 'fault');
    expect(fault.map((x) => [x.probe, x.t, x.f?.['port']])).toEqual([['down', 2_050_000_000, 'beta.nic0'], ['up', 2_550_000_000, 'beta.nic0']]);
  });

  test('unplug is the node form of down: the same run, record for record', () => {
    const ping = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 20, interval: 100ms } }';
    const a = runKept(pair('switch', '4s'), { actions: [ping], faults: ['{ at: 2s, until: 2.5s, link: net0, node: beta, kind: unplug }'] });
    const b = runKept(pair('switch', '4s'), { actions: [ping], faults: ['{ at: 2s, until: 2.5s, link: net0, node: beta, kind: down }'] });
    expect(a.traceHash).toBe(b.traceHash);
    expect(runKept(pair('switch', '4s'), { actions: [ping], faults: ['{ at: 2s, until: 2.5s, link: net0, node: beta, kind: unplug }'] }, 3).traceHash).not.toBe(a.traceHash);
  });
});
