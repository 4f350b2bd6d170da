/**
 * Malformed actions, faults and expectations give errors that name the file, the line and the field.
 */
import { LocatedError } from '../../emulator/app/scenario/errors';
import { parseScenario } from '../../emulator/app/scenario/load';

// Line numbers matter: the tests point at them.
const GOOD = `name: t
until: 5s
nodes:
  alpha:
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, link: hub0 }]
    script: "true"
  beta:
    nics: [{ model: rtl8029, link: hub0 }]
    script: "true"
  gamma:
    nics: [{ model: rtl8029, link: wire0 }]
    script: "true"
links:
  hub0: { type: hub }
  wire0: { type: cable }
actions:
  - { at: 1s, node: alpha, command: "ping -c 1 10.0.0.2" }
  - { at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 3 } }
  - { at: 2s, node: alpha, udp: { to: 10.0.0.2, port: 9000, rate: 100, sink: beta } }
faults:
  - { at: 1s, until: 2s, link: hub0, kind: down }
  - { link: hub0, node: beta, kind: loss, probability: 0.1 }
  - { at: 3s, node: beta, kind: rx-burst, frames: 50 }
  - { at: 1s, until: 2s, node: alpha, kind: irq-storm, irq: 7, period: 10us }
expect:
  - { node: alpha, console: "0.0% packet loss" }
  - { node: beta, iface: en0, counter: ierrors, op: ">=", value: 1 }
  - { node: beta, nic: 0, counter: rx-reject.overflow, op: ">", value: 0 }
  - { node: beta, udp_delivered: { port: 9000, op: ">=", value: 90 } }
  - { node: alpha, latency: { from: ping, max: 2ms } }
`;

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

function errorOf(text: string): LocatedError {
  try {
    parseScenario(text, 'bad.yaml', '/tmp');
  } catch (e) {
    if (e instanceof LocatedError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

/** Replace `from` by `to` in GOOD; expect an error on the line `to` is on whose message matches `msg`. */
function expectError(from: string, to: string, msg: RegExp, line?: number): LocatedError {
  if (!GOOD.includes(from)) throw new Error(`GOOD has no ${from}`);
  const text = GOOD.replace(from, to);
  const e = errorOf(text);
  expect(e.file).toBe('bad.yaml');
  expect(e.problem).toMatch(msg);
  expect(e.line).toBe(line ?? lineOf(text, to.split('\n')[0]!));
  expect(e.message).toBe(`bad.yaml:${e.line}:${e.col}: ${e.problem}`);
  return e;
}

describe('a good scenario with a timeline', () => {
  test('parses into actions, faults and expectations', () => {
    const s = parseScenario(GOOD, 'good.yaml', '/tmp');
    expect(s.actions!.map((a) => a.command)).toEqual([
      'ping -c 1 10.0.0.2',
      'ping -c 3 -i 1 -s 56 10.0.0.2',
      'udpgen -c 100 -i 0.01 -s 64 -p 9000 10.0.0.2',
    ]);
    expect(s.actions![2]!.sink).toEqual({ node: 'beta', command: 'udpsink -p 9000' });
    expect(s.faults!.map((f) => f.kind)).toEqual(['down', 'loss', 'rx-burst', 'irq-storm']);
    expect(s.faults![0]).toMatchObject({ at: 1e9, until: 2e9, link: 'hub0', node: null });
    expect(s.faults![2]).toMatchObject({ kind: 'rx-burst', node: 'beta', nic: 0, link: 'hub0', frames: 50, size: 300 });
    expect(s.faults![3]).toMatchObject({ irq: 7, period: 10_000 });
    expect(s.expect!.map((e) => e.kind)).toEqual(['console', 'iface-counter', 'nic-counter', 'udp-delivered', 'latency']);
    expect(s.expect![1]).toMatchObject({ tool: 'netstat', counter: 'ierrors', op: '>=', value: 1 });
    expect(s.expect![4]).toMatchObject({ from: 'ping', max: 2_000_000, avg: null });
  });
});

describe('schema errors name the line and the field', () => {
  test('an unknown field in an action', () => {
    expectError('ping: { to: 10.0.0.2, count: 3 }', 'ping: { to: 10.0.0.2, cuont: 3 }', /^actions\.1\.ping: unknown field 'cuont'$/);
  });
  test('a malformed time', () => {
    expectError('{ at: 2s, node: alpha, udp', '{ at: soon, node: alpha, udp', /^actions\.2\.at: malformed value/);
  });
  test('an unknown fault kind', () => {
    expectError('node: beta, kind: loss', 'node: beta, kind: lossy', /^faults\.1\.kind: must be one of "down", "loss", "corrupt", "rx-burst", "irq-storm", "interference", "crash", "hang", "power-cycle", "unplug"$/);
  });
  test('a probability above 1', () => {
    expectError('probability: 0.1', 'probability: 1.5', /^faults\.1\.probability: must be <= 1$/);
  });
  test('a bad comparison operator', () => {
    expectError('op: ">=", value: 1 }', 'op: "=>", value: 1 }', /^expect\.1\.op: must be one of "==", "!=", "<", "<=", ">", ">="$/);
  });
  test('an expectation missing its node', () => {
    expectError('{ node: alpha, console: "0.0% packet loss" }', '{ console: "0.0% packet loss" }', /^expect\.0: missing required field 'node'$/);
  });
  test('a UDP size below the stamp', () => {
    expectError('rate: 100, sink: beta', 'rate: 100, size: 8, sink: beta', /^actions\.2\.udp\.size: must be >= 16$/);
  });
});

describe('semantic errors name the line and the field', () => {
  test('an action on a node that does not exist', () => {
    expectError('{ at: 1s, node: alpha, command', '{ at: 1s, node: delta, command', /^actions\.0\.node: no node named 'delta' \(nodes: alpha, beta, gamma\)$/);
  });
  test('an action with both a command and a ping', () => {
    expectError('command: "ping -c 1 10.0.0.2" }', 'command: "x", ping: { to: 10.0.0.2 } }', /^actions\.0: give exactly one of command, ping, udp, move or impair \(command and ping are given\)$/);
  });
  test('an action after the end of the run', () => {
    expectError('{ at: 1s, node: alpha, command', '{ at: 9s, node: alpha, command', /^actions\.0\.at: 9s is after the end of the run \(until: 5s\)$/);
  });
  test('a UDP generator with both rate and interval', () => {
    expectError('rate: 100, sink: beta', 'rate: 100, interval: 10ms, sink: beta', /^actions\.2\.udp\.interval: give rate \(datagrams per second\) or interval, not both$/);
  });
  test('an address that is not one', () => {
    expectError('ping: { to: 10.0.0.2, count: 3 }', 'ping: { to: 10.0.0.256, count: 3 }', /^actions\.1\.ping\.to: '10\.0\.0\.256' is not an IPv4 address$/);
  });
  test('a fault on a link that does not exist', () => {
    expectError('until: 2s, link: hub0, kind: down', 'until: 2s, link: hub9, kind: down', /^faults\.0\.link: no link named 'hub9' \(links: hub0, wire0\)$/);
  });
  test('a fault that ends before it starts', () => {
    expectError('{ at: 1s, until: 2s, link: hub0, kind: down }', '{ at: 3s, until: 2s, link: hub0, kind: down }', /^faults\.0\.until: 2s is not after at \(3s\)$/);
  });
  test('a loss fault without a probability', () => {
    expectError('{ link: hub0, node: beta, kind: loss, probability: 0.1 }', '{ link: hub0, node: beta, kind: loss }', /^faults\.1: a loss fault needs 'probability'$/);
  });
  test('a field that does not apply to the kind', () => {
    expectError('kind: down }', 'kind: down, probability: 0.5 }', /^faults\.0\.probability: does not apply to a down fault \(it takes link, at, until, node\)$/);
  });
  test('a port fault on a node that has no NIC on the link', () => {
    expectError('{ link: hub0, node: beta, kind: loss', '{ link: hub0, node: gamma, kind: loss', /^faults\.1\.node: node 'gamma' has no NIC on link 'hub0'$/);
  });
  test('an rx-burst to a NIC on a cable', () => {
    expectError('{ at: 3s, node: beta, kind: rx-burst', '{ at: 3s, node: gamma, kind: rx-burst', /^faults\.2: gamma\.nics\[0\] is on cable 'wire0', which has no free end/);
  });
  test('an rx-burst to a NIC that does not exist', () => {
    expectError('kind: rx-burst, frames: 50 }', 'kind: rx-burst, nic: 2, frames: 50 }', /^faults\.2\.nic: node 'beta' has 1 NIC\(s\); there is no nics\[2\]$/);
  });
  test('an IRQ storm too fast to mean anything', () => {
    expectError('irq: 7, period: 10us', 'irq: 7, period: 100ns', /^faults\.3\.period: at least 1us$/);
  });
  test('an expectation with two checks', () => {
    expectError('{ node: alpha, console: "0.0% packet loss" }', '{ node: alpha, console: "x", console_not: "y" }', /^expect\.0: give exactly one of console, console_re, console_not, counter, udp_delivered, latency \(console and console_not are given\)$/);
  });
  test('a regular expression that does not compile', () => {
    expectError('{ node: alpha, console: "0.0% packet loss" }', '{ node: alpha, console_re: "time=([0-9" }', /^expect\.0\.console_re: not a valid regular expression/);
  });
  test('an unknown interface counter lists the known ones', () => {
    expectError('counter: ierrors', 'counter: ierors', /^expect\.1\.counter: unknown interface counter 'ierors' \(netstat -i: ipackets, ierrors, opackets, oerrors, collisions; nicinfo: tx_ok, /);
  });
  test('an unknown NIC counter', () => {
    expectError('counter: rx-reject.overflow', 'counter: rx-reject.fire', /^expect\.2\.counter: unknown NIC counter 'rx-reject\.fire'/);
  });
  test('a counter without iface or nic, and one without op', () => {
    expectError('{ node: beta, iface: en0, counter: ierrors, op: ">=", value: 1 }', '{ node: beta, counter: ierrors, op: ">=", value: 1 }', /^expect\.1: a counter needs exactly one of iface \(netstat -i \/ nicinfo\) or nic \(the NIC model\)$/);
    expectError('{ node: beta, iface: en0, counter: ierrors, op: ">=", value: 1 }', '{ node: beta, iface: en0, counter: ierrors, value: 1 }', /^expect\.1: a counter needs 'op'$/);
  });
  test('a field that does not go with the check', () => {
    expectError('{ node: alpha, console: "0.0% packet loss" }', '{ node: alpha, console: "0.0% packet loss", op: "==" }', /^expect\.0\.op: does not go with console$/);
  });
  test('a latency bound with no bound', () => {
    expectError('latency: { from: ping, max: 2ms }', 'latency: { from: ping }', /^expect\.4\.latency: give max and\/or avg$/);
  });
  test('udp_delivered at a time (it is read from the summary at the end)', () => {
    expectError('{ node: beta, udp_delivered', '{ node: beta, at: 2s, udp_delivered', /^expect\.3\.at: udp_delivered is read from udpsink's summary at the end of the run$/);
  });
});
