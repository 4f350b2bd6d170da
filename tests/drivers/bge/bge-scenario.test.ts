/**
 * The seed's sequence on simulated QNX nodes with BCM5701s (docs/examples/bcm5701.yaml): io-pkt-v6-hc, mount
 * devnp-bge, ifconfig, nicinfo at 1000 Mb/s full duplex, ping with no loss, nicinfo with the chip's counters,
 * ifconfig destroy. Then the same over a store-and-forward switch, and the -dbge / io-pkt-v4 forms.
 */
import * as path from 'node:path';
import { loadScenario, parseScenarioText, runScenarioChecked, type CheckedRun } from '../../../emulator/app/testing/api';
import type { Scenario } from '../../../emulator/app/scenario/types';
import { IOPKT_LOCAL_KEY } from '../../../stack/io-pkt/main';
import { sharedRun } from '../../helpers/shared-run';

const EXAMPLE = path.resolve(__dirname, '../../../docs/examples/bcm5701.yaml');

function consoleOf(r: CheckedRun, node: string): string {
  return r.consoles.get(node) ?? '';
}

/** A nicinfo row's values, in console order ("  Packets Transmitted OK ..... 5"). */
function rows(c: string, label: string): number[] {
  return [...c.matchAll(new RegExp(`^  ${label} \\.+ (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
}

describe('docs/examples/bcm5701.yaml', () => {
  const run = sharedRun(() => runScenarioChecked(loadScenario(EXAMPLE)));

  test('every expectation holds', () => {
    expect(run().failures).toEqual([]);
  });

  test('alpha: nicinfo before and after the ping, then bge0 is gone', () => {
    const c = consoleOf(run(), 'alpha');
    // console shown on failure
    if (!c.includes('0.0% packet loss')) throw new Error(c);
    expect(c).toMatch(/Current Operation Rate \.+ 1000\.00 Mb\/s full-duplex/);
    expect(c).toMatch(/Active PHY address \.+ 1/);
    expect(c).toMatch(/Memory Aperture \.+ 0x[0-9a-f]+ - 0x[0-9a-f]+/);
    // The second nicinfo counts the ARP exchange and four echoes both ways, from the chip's statistics; alpha
    // (io-pkt-v6-hc) also sent its second and third IPv6 Router Solicitations in between, at 6.57 s and 10.57 s
    // (RFC 4861 §6.3.7: 4 s apart).
    const tx = rows(c, 'Packets Transmitted OK');
    const rx = rows(c, 'Packets Received OK');
    expect(tx).toHaveLength(2);
    expect(tx[1]! - tx[0]!).toBe(7);
    expect(rx[1]! - rx[0]!).toBe(5);
  });

  test('after ifconfig bge0 destroy the module is unloaded and no interface is left but lo0', () => {
    const n = run().run.assembled.nodes.find((x) => x.name === 'alpha')!;
    const io = n.kernel!.procs.list().map((p) => p.local.get(IOPKT_LOCAL_KEY)).find((x) => x !== undefined)!;
    expect(io.variant).toBe('io-pkt-v6-hc');
    expect(io.loaded.size).toBe(0);
    expect(io.devices).toHaveLength(0);
    expect(io.stack.ifs.list.map((i) => i.name)).toEqual(['lo0']);
    expect(io.intr.size).toBe(0);
  });
});

/** The example with its cable replaced by a switch (both ports negotiate 1000 Mb/s full duplex with it). */
function onSwitch(s: Scenario): Scenario {
  // Through the switch alpha's own port links only at 4.77 s, after its MLD report at 4.71 s: beta's filter then
  // rejects two of alpha's IPv6 multicasts (the Router Solicitations at 6.57 s and 10.57 s), not three.
  const expect = (s.expect ?? []).map((e) => ('counter' in e && e.counter === 'rx-reject' ? { ...e, value: 2 } : e));
  return { ...s, links: s.links.map((l) => ({ ...l, type: 'switch' as const })), expect };
}

describe('the seed sequence over a switch', () => {
  test('ping across a gigabit switch with no loss', () => {
    const r = runScenarioChecked(onSwitch(loadScenario(EXAMPLE)));
    expect(r.failures).toEqual([]);
    expect(consoleOf(r, 'alpha')).toContain('4 packets transmitted, 4 packets received, 0.0% packet loss');
  });
});

/** The example with beta on io-pkt-v4 -dbge and alpha mounting the driver again after destroying it. */
function reloadScenario(base: Scenario): Scenario {
  return {
    ...base,
    until: 20_000_000_000,
    nodes: base.nodes.map((n) => n.name !== 'beta' ? n
      : { ...n, script: n.script.map((l) => (l.text.startsWith('io-pkt') ? { ...l, text: 'io-pkt-v4 -dbge' } : l)) }),
    actions: [
      ...(base.actions ?? []),
      { at: 13_000_000_000, node: 'alpha', command: 'mount -T io-pkt /lib/dll/devnp-bge.so' },
      { at: 13_500_000_000, node: 'alpha', command: 'ifconfig bge0 10.0.1.1/24 up' },
      { at: 17_000_000_000, node: 'alpha', command: 'ping -c 2 10.0.1.2' },
    ] as Scenario['actions'],
    expect: [],
  };
}

describe('loading and unloading', () => {
  const run = sharedRun(() => runScenarioChecked(reloadScenario(loadScenario(EXAMPLE))));
  const ioPktOf = (node: string) => {
    const n = run().run.assembled.nodes.find((x) => x.name === node)!;
    return n.kernel!.procs.list().map((p) => p.local.get(IOPKT_LOCAL_KEY)).find((x) => x !== undefined)!;
  };

  test('destroy drops the module; a second mount attaches bge0 afresh and it works', () => {
    const r = run();
    expect(r.failures).toEqual([]);
    const c = consoleOf(r, 'alpha');
    expect(c).toContain('ifconfig: SIOCGIFFLAGS bge0: No such device or address');
    expect(c).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
    const io = ioPktOf('alpha');
    expect([...io.loaded.keys()]).toEqual(['/lib/dll/devnp-bge.so']);
    expect(io.devices.map((d) => `${d.base}${d.unit}`)).toEqual(['bge0']);
  });

  test('io-pkt-v4 -dbge on beta answered all of it', () => {
    const io = ioPktOf('beta');
    expect(io.variant).toBe('io-pkt-v4');
    const ifp = io.stack.ifs.byName('bge0')!;
    expect(ifp.data.ipackets).toBeGreaterThanOrEqual(7);
    expect(ifp.data.ierrors).toBe(0);
  });
});

describe('two BCM5701s in one node', () => {
  const text = `
name: two-bge
seed: 2
until: 8s
nodes:
  alpha:
    nics:
      - { model: bcm5701, mac: "00:10:18:01:57:01", link: cable0 }
      - { model: bcm5701, mac: "00:10:18:01:57:11", link: cable1 }
    script: |
      io-pkt-v4-hc -d bge
      waitfor /dev/socket 10
      ifconfig bge0 10.0.1.1/24 up
      ifconfig bge1 10.0.2.1/24 up
      sleep 4
      ping -c 2 10.0.1.2
      ping -c 2 10.0.2.2
      nicinfo
  beta:
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:02", link: cable0 }]
    script: |
      io-pkt-v4-hc -d bge
      waitfor /dev/socket 10
      ifconfig bge0 10.0.1.2/24 up
  gamma:
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:12", link: cable1 }]
    script: |
      io-pkt-v4-hc -d bge
      waitfor /dev/socket 10
      ifconfig bge0 10.0.2.2/24 up
links:
  cable0: { type: cable }
  cable1: { type: cable }
`;
  test('one -d bge attaches bge0 and bge1; both links come up and both pings get every reply', () => {
    const r = runScenarioChecked(parseScenarioText(text));
    const c = consoleOf(r, 'alpha');
    expect(c.match(/2 packets transmitted, 2 packets received, 0\.0% packet loss/g)).toHaveLength(2);
    expect(c).toMatch(/^bge0:$/m);
    expect(c).toMatch(/^bge1:$/m);
    expect(c.match(/1000\.00 Mb\/s full-duplex/g)).toHaveLength(2);
    // Each function's interrupt (start-up routed them to two lines) reaches its own driver instance.
    expect(rows(c, 'Packets Received OK')).toEqual([3, 3]);
    expect(new Set(c.match(/Hardware Interrupt \.+ 0x[0-9a-f]+/g))).toHaveProperty('size', 2);
  });
});
