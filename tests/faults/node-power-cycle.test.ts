/**
 * kind: power-cycle (issue 18). beta loses power: its port loses link at once, its kernel is gone; after `off`
 * the board and the NIC are back in their power-on state and beta boots its script again, with a fresh start-up
 * jitter from its seeded stream. Counters and expectations read the running (new) instance.
 */
import { STARTUP_JITTER_NS, STARTUP_NS } from '../../emulator/app/assembly/node';
import { BANNER, MS, pair, records, repliedSeqs, runKept, S } from './node-helpers';

const PING = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 40, interval: 100ms } }';
const CYCLE = '{ at: 2s, node: beta, kind: power-cycle, off: 1s }';

function bootTimes(r: ReturnType<typeof runKept>): number[] {
  return records(r).filter((x) => x.node === 'beta' && x.layer === 'kernel' && x.probe === 'boot').map((x) => x.t);
}

describe('power-cycle', () => {
  const r = runKept(pair('switch'), { actions: [PING], faults: [CYCLE], expect: ['{ node: beta, iface: en0, counter: ipackets, op: "<", value: 30 }'] });

  test('beta boots twice: the banner twice, the second kernel a start-up time plus jitter after power-on', () => {
    expect(r.consoles.get('beta')!.split(BANNER)).toHaveLength(3);
    const boots = bootTimes(r);
    expect(boots).toHaveLength(2);
    expect(boots[0]!).toBeGreaterThanOrEqual(STARTUP_NS);
    expect(boots[0]!).toBeLessThan(STARTUP_NS + STARTUP_JITTER_NS);
    expect(boots[1]! - 3 * S).toBeGreaterThanOrEqual(STARTUP_NS);
    expect(boots[1]! - 3 * S).toBeLessThan(STARTUP_NS + STARTUP_JITTER_NS);
    expect(r.faultNotes).toEqual([`faults[0] power-cycle: beta off at 2.000 s, booted again at ${(boots[1]! / 1e9).toFixed(3)} s`]);
  });

  test('the port loses link at power-off and gets it back at power-on; nothing of beta runs while off', () => {
    const recs = records(r);
    const link = recs.filter((x) => x.layer === 'fault' && (x.probe === 'down' || x.probe === 'up'));
    expect(link.map((x) => [x.probe, x.t, x.f?.['port']])).toEqual([['down', 2 * S, 'beta.nic0'], ['up', 3 * S, 'beta.nic0']]);
    const whileOff = recs.filter((x) => x.node === 'beta' && x.t > 2 * S && x.t < 3 * S);
    expect(whileOff.filter((x) => x.layer !== 'fault')).toEqual([]);
  });

  test('pings are answered before, not while off, and again after the reboot', () => {
    const seqs = repliedSeqs(r.consoles.get('alpha')!, '10.0.0.2');
    expect(seqs.filter((s) => s < 10)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(seqs.filter((s) => s >= 10 && s < 20)).toEqual([]);
    expect(seqs).toContain(39);
  });

  test('the interface counters restart from zero: the expectation reads the new kernel\'s en0', () => {
    expect(r.failures).toEqual([]);
    const n = r.counters.get('beta')!['en0.ipackets']!;
    // Only what came in since the second boot: the echo requests answered after it, and ARP.
    const after = repliedSeqs(r.consoles.get('alpha')!, '10.0.0.2').filter((s) => s >= 20).length;
    expect(n).toBeGreaterThanOrEqual(after);
    expect(n).toBeLessThanOrEqual(after + 3);
  });

  test('a fresh start-up jitter from the node\'s seeded stream: same seed same run, another seed another boot time', () => {
    const again = runKept(pair('switch'), { actions: [PING], faults: [CYCLE] });
    const other = runKept(pair('switch'), { actions: [PING], faults: [CYCLE] }, 5);
    expect(again.traceHash).toBe(runKept(pair('switch'), { actions: [PING], faults: [CYCLE] }).traceHash);
    expect(bootTimes(again)).toEqual(bootTimes(r));
    expect(bootTimes(other)[1]).not.toBe(bootTimes(r)[1]);
  });

  test('a power-cycle brings a crashed node back; one while already off changes nothing', () => {
    const c = runKept(pair('hub'), { actions: [PING], faults: ['{ at: 2s, node: beta, kind: crash }', '{ at: 3s, node: beta, kind: power-cycle, off: 200ms }'] });
    expect(c.consoles.get('beta')).toMatch(/Shutdown\[0,0\][^]*beta: boot script done/);
    expect(repliedSeqs(c.consoles.get('alpha')!, '10.0.0.2')).toContain(39);
    const twice = runKept(pair('hub', '4s'), { faults: [CYCLE, '{ at: 2.5s, node: beta, kind: power-cycle, off: 2s }'] });
    expect(twice.faultNotes[1]).toBe('faults[1] power-cycle: beta was already off (faults[0]): nothing changed');
    expect(bootTimes(twice)).toHaveLength(2);
    const early = runKept(pair('hub', '2s'), { faults: ['{ at: 1ms, node: beta, kind: power-cycle, off: 10ms }'] });
    // Switched off before it booted: the pending boot is cancelled, and it boots once, after power-on.
    expect(bootTimes(early)).toHaveLength(1);
    expect(bootTimes(early)[0]! - 11 * MS).toBeGreaterThanOrEqual(STARTUP_NS);
  });
});

describe('power-cycle of a BCM5701 on a cable', () => {
  const bcm = `name: bcm-cycle
seed: 1
until: 12s
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
  test('alpha\'s driver sees link down at power-off and up after beta\'s PHY renegotiated; beta answers again', () => {
    const r = runKept(bcm, { actions: ['{ at: 4s, node: alpha, ping: { to: 10.0.1.2, count: 70, interval: 100ms } }'], faults: ['{ at: 5s, node: beta, kind: power-cycle, off: 1s }'] });
    const link = records(r).filter((x) => x.node === 'alpha' && x.layer === 'ifnet' && x.probe === 'link');
    const downs = link.filter((x) => x.f?.['up'] === false && x.t >= 5 * S);
    const ups = link.filter((x) => x.f?.['up'] === true && x.t >= 5 * S);
    expect(downs.length).toBeGreaterThan(0);
    expect(downs[0]!.t).toBeLessThan(5 * S + 10 * MS);
    expect(ups.length).toBeGreaterThan(0);
    expect(ups[0]!.t).toBeGreaterThan(6 * S);
    const seqs = repliedSeqs(r.consoles.get('alpha')!, '10.0.1.2');
    expect(seqs).toContain(5);
    expect(seqs).toContain(69);
  });
});
