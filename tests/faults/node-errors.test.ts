/**
 * Malformed node faults (crash, hang, power-cycle, unplug) give one located line: file, line, column, field,
 * problem; and the good forms parse into what inject.ts schedules.
 */
import { LocatedError } from '../../emulator/app/scenario/errors';
import { parseScenario } from '../../emulator/app/scenario/load';
import { POWER_OFF_DEFAULT_NS } from '../../emulator/app/scenario/faults';

// Line numbers matter: the tests point at them.
const GOOD = `name: t
until: 5s
nodes:
  alpha:
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, link: hub0 }]
    script: "true"
  beta:
    nics: [{ model: rtl8029, link: hub0 }, { model: rtl8029, link: wire0 }]
    script: "true"
  linux1:
    kind: guest
    nics: [{ model: rtl8029, mac: "52:54:00:00:00:03", link: hub0 }]
  sta:
    nics: [{ model: rt2560, mac: "00:0c:43:00:00:01", link: air }]
    script: "true"
links:
  hub0: { type: hub }
  wire0: { type: cable }
  air: { type: wireless }
faults:
  - { at: 1s, node: beta, kind: crash }
  - { at: 1s, until: 2s, node: alpha, kind: hang }
  - { at: 3s, node: beta, kind: power-cycle }
  - { at: 2s, until: 3s, link: wire0, node: beta, kind: unplug }
  - { at: 2s, node: linux1, link: hub0, kind: unplug }
`;

function errorOf(text: string): LocatedError {
  try {
    parseScenario(text, 'bad.yaml', '/tmp');
  } catch (e) {
    if (e instanceof LocatedError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

/** Replace `from` by `to` in GOOD; expect one located error on `to`'s line whose problem matches `msg`. */
function expectError(from: string, to: string, msg: RegExp): void {
  if (!GOOD.includes(from)) throw new Error(`GOOD has no ${from}`);
  const text = GOOD.replace(from, to);
  const e = errorOf(text);
  expect(e.problem).toMatch(msg);
  expect(e.line).toBe(lineOf(text, to));
  expect(e.message).toBe(`bad.yaml:${e.line}:${e.col}: ${e.problem}`);
  expect(e.message.split('\n')).toHaveLength(1);
}

describe('node faults in a scenario file', () => {
  test('the good forms parse (unplug is a down of the node\'s ports; power-cycle keeps the power off 1 s by default)', () => {
    const s = parseScenario(GOOD, 'good.yaml', '/tmp');
    expect(s.faults).toEqual([
      { kind: 'crash', index: 0, at: 1e9, until: null, node: 'beta', off: POWER_OFF_DEFAULT_NS },
      { kind: 'hang', index: 1, at: 1e9, until: 2e9, node: 'alpha', off: POWER_OFF_DEFAULT_NS },
      { kind: 'power-cycle', index: 2, at: 3e9, until: null, node: 'beta', off: 1e9 },
      { kind: 'down', unplugged: true, index: 3, at: 2e9, until: 3e9, link: 'wire0', node: 'beta', probability: 1 },
      { kind: 'down', unplugged: true, index: 4, at: 2e9, until: null, link: 'hub0', node: 'linux1', probability: 1 },
    ]);
    expect(POWER_OFF_DEFAULT_NS).toBe(1_000_000_000);
  });

  test.each([
    ['{ at: 1s, node: beta, kind: crash }', '{ at: 1s, kind: crash }', /^faults.0: a crash fault needs 'node'$/],
    ['{ at: 1s, node: beta, kind: crash }', '{ at: 1s, node: gamma, kind: crash }', /^faults\.0\.node: no node named 'gamma' \(nodes: alpha, beta, linux1, sta\)$/],
    ['{ at: 1s, node: beta, kind: crash }', '{ at: 1s, until: 2s, node: beta, kind: crash }', /^faults\.0\.until: does not apply to a crash fault \(it takes node, at\)$/],
    ['{ at: 1s, node: beta, kind: crash }', '{ at: 1s, node: linux1, kind: crash }', /^faults\.0\.node: node 'linux1' is a guest node; a crash fault needs a simulated QNX node \(a guest's CPU is v86's/],
    ['{ at: 1s, until: 2s, node: alpha, kind: hang }', '{ at: 1s, until: 2s, node: linux1, kind: hang }', /^faults\.1\.node: node 'linux1' is a guest node; a hang fault/],
    ['{ at: 1s, until: 2s, node: alpha, kind: hang }', '{ at: 2s, until: 1s, node: alpha, kind: hang }', /^faults\.1\.until: 1s is not after at \(2s\)$/],
    ['{ at: 1s, until: 2s, node: alpha, kind: hang }', '{ at: 1s, off: 2s, node: alpha, kind: hang }', /^faults\.1\.off: does not apply to a hang fault \(it takes node, at, until\)$/],
    ['{ at: 3s, node: beta, kind: power-cycle }', '{ at: 3s, node: beta, kind: power-cycle, off: 0s }', /^faults\.2\.off: must be more than 0$/],
    ['{ at: 3s, node: beta, kind: power-cycle }', '{ at: 3s, node: beta, kind: power-cycle, off: soon }', /faults.2.off/],
    ['{ at: 3s, node: beta, kind: power-cycle }', '{ at: 3s, node: sta, kind: power-cycle }', /^faults\.2\.node: sta\.nics\[0\] is on wireless link 'air'; powering a radio off and on is not modelled/],
    ['{ at: 3s, node: beta, kind: power-cycle }', '{ at: 3s, node: linux1, kind: power-cycle }', /^faults\.2\.node: node 'linux1' is a guest node; a power-cycle fault/],
    ['{ at: 3s, node: beta, kind: power-cycle }', '{ at: 9s, node: beta, kind: power-cycle }', /^faults\.2\.at: 9s is after the end of the run \(until: 5s\)$/],
    ['{ at: 2s, until: 3s, link: wire0, node: beta, kind: unplug }', '{ at: 2s, until: 3s, link: wire0, kind: unplug }', /^faults.3: an unplug fault needs 'node'$/],
    ['{ at: 2s, until: 3s, link: wire0, node: beta, kind: unplug }', '{ at: 2s, until: 3s, node: beta, kind: unplug }', /^faults.3: an unplug fault needs 'link'$/],
    ['{ at: 2s, until: 3s, link: wire0, node: beta, kind: unplug }', '{ at: 2s, until: 3s, link: wire0, node: alpha, kind: unplug }', /^faults\.3\.node: node 'alpha' has no NIC on link 'wire0'$/],
    ['{ at: 2s, until: 3s, link: wire0, node: beta, kind: unplug }', '{ at: 2s, until: 3s, link: air, node: sta, kind: unplug }', /^faults\.3\.link: link 'air' is wireless; there is no cable to pull/],
    ['{ at: 2s, until: 3s, link: wire0, node: beta, kind: unplug }', '{ at: 2s, until: 3s, link: wire1, node: beta, kind: unplug }', /^faults\.3\.link: no link named 'wire1'/],
    ['{ at: 2s, until: 3s, link: wire0, node: beta, kind: unplug }', '{ at: 2s, until: 3s, link: wire0, node: beta, kind: unplug, probability: 1 }', /^faults\.3\.probability: does not apply to an unplug fault/],
  ])('%s -> %s', (from, to, msg) => expectError(from, to, msg));
});
