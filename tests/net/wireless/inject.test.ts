/**
 * A scenario's `move` actions and `interference` faults put onto an assembled run (emulator/app/testing/inject.ts),
 * with test radios on the scenario's wireless link.
 */
import { parseScenario } from '../../../emulator/app/scenario/load';
import { assemble } from '../../../emulator/app/assembly/run';
import { inject } from '../../../emulator/app/testing/inject';
import { TestRadio, dataFrame } from './helpers';
import { SimEvent } from '../../../emulator/machine/sim';
import { propagationDelayNs } from '../../../emulator/machine/net/wireless/propagation';

const text = `name: air
until: 1s
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rtl8029, link: hub0 }]
    script: "echo"
  sta:
    position: { x: 20, y: 0 }
    nics: [{ model: rtl8029, link: hub0 }]
    script: "echo"
links:
  hub0: { type: hub }
  air: { type: wireless, channel: 6 }
actions:
  - { at: 100ms, node: sta, move: { x: 500, y: 0 } }
  - { at: 300ms, node: sta, move: { x: 0, y: 20 } }
faults:
  - { at: 400ms, until: 401ms, link: air, kind: interference, position: { x: 0, y: 1 }, power-dbm: 10 }
`;

test('moves take the station out of range and back; an interference burst makes CCA busy for its window', () => {
  const scenario = parseScenario(text, 'air.yaml', '/tmp');
  const a = assemble(scenario, { keepTrace: true });
  const inj = inject(a, scenario);
  const air = a.network.air.get('air')!;
  const ap = new TestRadio(a.sim, 1);
  const sta = new TestRadio(a.sim, 2);
  ap.port = air.attach(ap, 'ap.nic0', a.network.positions.of('ap'));
  sta.port = air.attach(sta, 'sta.nic0', a.network.positions.of('sta'));
  expect(ap.port.channel).toBe(6);
  let n = 0;
  for (const t of [50e6, 200e6, 350e6]) a.sim.queue.schedule(new SimEvent(`t${n++}`, () => ap.send(dataFrame(sta.addr, ap.addr, 100), 6, n)), t);
  a.sim.queue.runUntil(1e9);
  expect(sta.rx.map((x) => x.t < 100e6 || x.t > 300e6)).toEqual([true, true]);
  expect(a.network.positions.get('sta')).toEqual({ x: 0, y: 20, z: 0 });
  // The burst, 1 m from the AP at 10 dBm: CCA busy from its arrival + 4 µs to its end.
  const p = propagationDelayNs(1);
  expect(ap.cca.filter((c) => c.t >= 400e6)).toEqual([{ t: 400e6 + p + 4000, busy: true }, { t: 401e6 + p, busy: false }]);
  expect(inj.problems()).toEqual([]);
  expect(inj.faultReports()).toEqual(['faults[0] interference: radiated 10 dBm on channel 6 from (0, 1, 0) on air']);
});

test('a scenario with RT2560s on a wireless link assembles with each radio on the air at its node', () => {
  const scenario = parseScenario(`name: air-smoke
until: 100ms
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rt2560, link: air }]
    script: "echo up"
  sta:
    position: { x: 30, y: 0, z: 2 }
    nics: [{ model: rt2560, link: air }]
    script: "echo up"
links:
  air: { type: wireless, channel: 6 }
`, 'air.yaml', '/tmp');
  const a = assemble(scenario);
  const air = a.network.air.get('air')!;
  expect(air.radios.map((r) => [r.name, r.position()])).toEqual([
    ['ap.nic0', { x: 0, y: 0, z: 0 }],
    ['sta.nic0', { x: 30, y: 0, z: 2 }],
  ]);
  a.sim.queue.runUntil(100e6);
  a.close();
});
