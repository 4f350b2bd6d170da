/** `type: wireless` links, node positions, `move` actions and interference faults in scenario files. */
import { parseScenario } from '../../../emulator/app/scenario/load';
import { LocatedError } from '../../../emulator/app/scenario/errors';
import { WIRELESS_DEFAULTS } from '../../../emulator/machine/net/wireless/medium';

/** A scenario with a wired pair and a wireless link; `extra` is appended (actions/faults), `air` replaces the link. */
function text(opts: { air?: string; extra?: string; betaLink?: string; position?: string } = {}): string {
  return `name: w
until: 30s
nodes:
  alpha:
    position: ${opts.position ?? '{ x: 1.5, y: -2, z: 3 }'}
    nics:
      - { model: rtl8029, link: ${opts.betaLink ?? 'hub0'} }
    script: "echo hi"
  beta:
    nics:
      - { model: rtl8029, link: hub0 }
    script: "echo hi"
links:
  hub0: { type: hub }
  air: ${opts.air ?? '{ type: wireless, channel: 6, path-loss-exponent: 3.5, reference-loss-db: 40, noise-figure-db: 5, capture: any }'}
${opts.extra ?? ''}`;
}

function errorOf(t: string): LocatedError {
  try {
    parseScenario(t, 'w.yaml', '/tmp');
  } catch (e) {
    if (e instanceof LocatedError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('wireless scenario fields', () => {
  test('a wireless link carries its parameters; the rest default', () => {
    const s = parseScenario(text(), 'w.yaml', '/tmp');
    const air = s.links.find((l) => l.name === 'air')!;
    expect(air.type).toBe('wireless');
    expect(air.wireless).toEqual({
      channel: 6, pathLoss: { exponent: 3.5, referenceLossDb: 40, referenceDistanceM: 1 }, noiseFigureDb: 5, capture: 'any',
    });
    expect(s.links.find((l) => l.name === 'hub0')!.wireless).toBeUndefined();
  });

  test('positions: x, y and z in metres, z defaulting to 0; no position means none on the spec', () => {
    const s = parseScenario(text({ position: '{ x: 10, y: 20 }' }), 'w.yaml', '/tmp');
    expect(s.nodes[0]!.position).toEqual({ x: 10, y: 20, z: 0 });
    expect(s.nodes[1]!.position).toBeUndefined();
    expect(parseScenario(text(), 'w.yaml', '/tmp').nodes[0]!.position).toEqual({ x: 1.5, y: -2, z: 3 });
  });

  test('a move action and an interference fault', () => {
    const s = parseScenario(text({
      extra: `actions:
  - { at: 5s, node: beta, move: { x: 300, y: 0 } }
faults:
  - { at: 2s, until: 3s, link: air, kind: interference, position: { x: 5, y: 5, z: 1 }, power-dbm: 20 }
  - { at: 4s, until: 4.5s, link: air, kind: interference, position: { x: 0, y: 0 }, power-dbm: 0, channel: 11 }
` }), 'w.yaml', '/tmp');
    expect(s.actions).toEqual([{ index: 0, at: 5e9, node: 'beta', kind: 'move', command: '', sink: null, position: { x: 300, y: 0, z: 0 } }]);
    expect(s.faults).toEqual([
      { kind: 'interference', index: 0, at: 2e9, until: 3e9, link: 'air', position: { x: 5, y: 5, z: 1 }, powerDbm: 20, channel: 6 },
      { kind: 'interference', index: 1, at: 4e9, until: 4.5e9, link: 'air', position: { x: 0, y: 0, z: 0 }, powerDbm: 0, channel: 11 },
    ]);
  });

  test('the default channel of an interference fault is the link\'s, else the medium default', () => {
    const s = parseScenario(text({
      air: '{ type: wireless }',
      extra: `faults:
  - { until: 1s, link: air, kind: interference, position: { x: 0, y: 0 }, power-dbm: 0 }
` }), 'w.yaml', '/tmp');
    expect(s.faults![0]).toMatchObject({ channel: WIRELESS_DEFAULTS.channel, at: 0 });
  });

  test.each([
    ['a wired field on a wireless link', { air: '{ type: wireless, length-m: 5 }' }, 15, /links\.air\.length-m: a wireless link does not take length-m/],
    ['a wireless field on a hub', { air: '{ type: hub, channel: 3 }' }, 15, /links\.air\.channel: only a wireless link \(type: wireless\) takes channel/],
    ['channel 15', { air: '{ type: wireless, channel: 15 }' }, 15, /links\.air\.channel: must be <= 14/],
    ['a position without y', { position: '{ x: 1 }' }, 5, /nodes\.alpha\.position: missing required field 'y'/],
    ['a wired NIC on a wireless link', { betaLink: 'air' }, 7, /a rtl8029 is a wired NIC \(it needs a hub, cable or switch\)/],
  ])('%s is a located error', (_what, opts, line, msg) => {
    const e = errorOf(text(opts));
    expect(e.message).toMatch(msg);
    expect(e.line).toBe(line);
  });

  test.each([
    ['move with command', `actions:\n  - { at: 1s, node: beta, command: "ls", move: { x: 1, y: 1 } }\n`, /give exactly one of command, ping, udp, move or impair \(command and move are given\)/],
    ['move of no node', `actions:\n  - { at: 1s, node: gamma, move: { x: 1, y: 1 } }\n`, /no node named 'gamma'/],
    ['move after the end', `actions:\n  - { at: 31s, node: beta, move: { x: 1, y: 1 } }\n`, /is after the end of the run/],
    ['interference without until', `faults:\n  - { link: air, kind: interference, position: { x: 0, y: 0 }, power-dbm: 0 }\n`, /an interference fault needs 'until'/],
    ['interference on a hub', `faults:\n  - { until: 1s, link: hub0, kind: interference, position: { x: 0, y: 0 }, power-dbm: 0 }\n`, /link 'hub0' is a hub; interference is a noise source on a wireless link/],
    ['loss on a wireless link', `faults:\n  - { link: air, kind: loss, probability: 0.5 }\n`, /link 'air' is wireless; a loss fault is for hubs, cables and switches/],
    ['interference with a probability', `faults:\n  - { until: 1s, link: air, kind: interference, position: { x: 0, y: 0 }, power-dbm: 0, probability: 1 }\n`, /does not apply to an interference fault/],
  ])('%s is a located error', (_what, extra, msg) => {
    expect(errorOf(text({ extra })).message).toMatch(msg);
  });
});

test('a guest node takes a position and an RT2560 on a wireless link', () => {
  const s = parseScenario(`name: g
nodes:
  ap:
    nics: [{ model: rt2560, link: air }]
    script: "echo"
  linux1:
    kind: guest
    position: { x: 12, y: 5 }
    nics: [{ model: rt2560, link: air }]
    ip: 10.0.2.3/24
links:
  air: { type: wireless, channel: 6 }
actions:
  - { at: 1s, node: linux1, move: { x: 0, y: 0, z: 1 } }
`, 'g.yaml', '/tmp');
  const g = s.nodes.find((n) => n.name === 'linux1')!;
  expect(g.kind).toBe('guest');
  expect(g.position).toEqual({ x: 12, y: 5, z: 0 });
  expect(s.actions![0]).toMatchObject({ kind: 'move', node: 'linux1', position: { x: 0, y: 0, z: 1 } });
});
