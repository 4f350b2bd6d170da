/**
 * `qnxemu test` on scenarios with a Linux guest (v86) and a simulated QNX node: the built CLI runs two files
 * in two worker processes (each prepares and boots its guest), one passing — a timed action typed at the
 * guest's shell, the guest's busybox ping summary on its console, QNX-side and guest-side counters — and one
 * failing (a link fault on the guest's port loses an echo request), which becomes a JUnit <failure> with the
 * reason. Plus the located errors for what a guest node cannot take (no boot needed).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenarioText } from '../../emulator/app/testing/api';
import { procNetDevValue } from '../../emulator/app/testing/evaluate';
import { findAll, parseXml, type XmlElement } from '../testing/xml';
import { ensureGuestImage } from '../../emulator/app/guest-image';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/qnxemu.js');

const NODES = `seed: 1
nodes:
  alpha:
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:0a:00:01", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000 ioport=0x300,irq=5
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
  linux1:
    kind: guest
    nics: [{ model: rtl8029, mac: "52:54:00:00:00:03", link: hub0 }]
    ip: 10.0.0.3/24
links:
  hub0: { type: hub }
`;

/** The guest boots to its prompt at ≈3.1 s; the action is typed at 4 s; busybox's ping takes ≈2 s (+1 s on a loss). */
const SCENARIO = (name: string, faults: string) => `name: ${name}
until: 7.5s
${NODES}actions:
  - { at: 4s, node: linux1, command: "ping -c 3 10.0.0.1" }
${faults}expect:
  - { node: linux1, console: "3 packets transmitted, 3 packets received, 0% packet loss" }
  - { node: alpha, iface: en0, counter: ipackets, op: ">=", value: 4 }
  - { node: alpha, nic: 0, counter: tx-done, op: ">=", value: 3 }
  - { node: linux1, iface: eth0, counter: opackets, op: ">=", value: 4 }
`;

function cases(xml: string): Map<string, XmlElement> {
  return new Map(findAll(parseXml(xml), 'testcase').map((t) => [t.attrs['name']!, t]));
}

describe('qnxemu test with a guest node', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-guest-test-'));
  const suite = path.join(dir, 'suite');
  fs.mkdirSync(suite);
  fs.writeFileSync(path.join(suite, 'a-pass.yaml'), SCENARIO('guest-pass', ''));
  // The guest's port is down while its second echo request is out: 2 of 3 replies.
  fs.writeFileSync(path.join(suite, 'b-fail.yaml'), SCENARIO('guest-fail', 'faults:\n  - { at: 4.5s, until: 5.5s, link: hub0, kind: down, node: linux1 }\n'));
  const junit = path.join(dir, 'junit.xml');
  const art = path.join(dir, 'art');
  let r: ReturnType<typeof spawnSync>;
  let stdout = '';

  beforeAll(async () => {
    // On a fresh clone the first guest run builds the image and says so on stderr; build it here first so
    // the CLI run below has nothing to report there but errors.
    await ensureGuestImage({ progress: false });
    r = spawnSync(process.execPath, [CLI, 'test', suite, '--junit', junit, '--artifacts', art, '--jobs', '2', '--no-progress'], { cwd: REPO, encoding: 'utf8' });
    stdout = String(r.stdout);
  }, 240_000);

  test('the passing scenario passes, with the guest console line and the QNX and guest counters', () => {
    expect(String(r.stderr)).toBe('');
    expect(r.status).toBe(1); // one scenario failed
    expect(stdout).toMatch(/^PASS .*a-pass\.yaml \(guest-pass\)/m);
    expect(stdout).toMatch(/2 scenarios: 1 passed, 1 failed, 0 errors in [\d.]+ s \(2 workers\)/);
    const pass = cases(fs.readFileSync(junit, 'utf8')).get('guest-pass')!;
    expect(pass.children.map((c) => c.name)).toEqual(['system-out']);
    const out = findAll(pass, 'system-out')[0]!.text.split('\n');
    expect(out).toContainEqual(expect.stringMatching(/^ok {3}expect\[0\] linux1 console shows "3 packets transmitted, 3 packets received, 0% packet loss": at [56]\.\d{9}: /));
    expect(out).toContainEqual(expect.stringMatching(/^ok {3}expect\[1\] alpha en0 ipackets >= 4: \d+$/));
    expect(out).toContainEqual(expect.stringMatching(/^ok {3}expect\[2\] alpha nics\[0\] tx-done >= 3: \d+$/));
    expect(out).toContainEqual(expect.stringMatching(/^ok {3}expect\[3\] linux1 eth0 opackets >= 4: \d+$/));
    // The guest's console is an artifact like any node's: the typed action and busybox's summary are on it.
    const con = fs.readFileSync(path.join(art, 'a-pass', 'console-linux1.log'), 'utf8');
    expect(con).toContain('guest# ping -c 3 10.0.0.1\n');
    expect(con).toMatch(/^qnxemu-read-1\n(.*\n){3} *eth0: .*\nqnxemu-read-1-end$/m);
    expect(fs.existsSync(path.join(art, 'a-pass', 'hub0.pcap'))).toBe(true);
  });

  test('the failing scenario is a JUnit failure saying what was expected and what the guest printed', () => {
    expect(stdout).toMatch(/^FAIL .*b-fail\.yaml \(guest-fail\)/m);
    const fail = cases(fs.readFileSync(junit, 'utf8')).get('guest-fail')!;
    const failure = findAll(fail, 'failure')[0]!;
    const msg = failure.attrs['message']!.split('\n');
    expect(msg[0]).toMatch(
      /^expect\[0\] linux1 console shows "3 packets transmitted, 3 packets received, 0% packet loss": expected linux1 console shows "3 packets transmitted, 3 packets received, 0% packet loss"; actual not found; closest line at 7\.\d{9}: "3 packets transmitted, 2 packets received, 33% packet loss"$/,
    );
    expect(failure.text).toContain(msg[0]);
    expect(findAll(fail, 'system-out')[0]!.text).toContain('faults[0] down: link hub0 (linux1.nic0) went down 1 time(s)');
  });
});

describe('what a guest node takes in actions, faults and expectations', () => {
  const scenario = (extra: string) => () => parseScenarioText(`until: 5s\n${NODES}${extra}`, 'g.yaml');

  test('command actions are fine; ping/udp generators, nicinfo counters and IRQ storms are located errors', () => {
    expect(scenario('actions:\n  - { at: 1s, node: linux1, command: "ping -c 1 10.0.0.1" }\n')().actions![0]).toMatchObject({ node: 'linux1', kind: 'command' });
    expect(scenario('actions:\n  - { at: 1s, node: linux1, ping: { to: 10.0.0.1 } }\n')).toThrow(
      /^g\.yaml:17:35: actions\.0\.ping: node 'linux1' is a guest node; it takes only command actions/,
    );
    expect(scenario('actions:\n  - { at: 1s, node: alpha, udp: { to: 10.0.0.3, port: 9, sink: linux1 } }\n')).toThrow(
      /actions\.0\.udp\.sink: node 'linux1' is a guest node; this needs a simulated QNX node/,
    );
    expect(scenario('expect:\n  - { node: linux1, iface: eth0, counter: rx_overruns, op: "==", value: 0 }\n')).toThrow(
      /expect\.0\.counter: node 'linux1' is a guest node: its interface counters are read from \/proc\/net\/dev/,
    );
    expect(scenario('faults:\n  - { node: linux1, kind: irq-storm, irq: 10, period: 10us }\n')).toThrow(/faults\.0\.node: node 'linux1' is a guest node/);
    const ok = scenario('faults:\n  - { link: hub0, node: linux1, kind: loss, probability: 0.5 }\n  - { node: linux1, kind: rx-burst, frames: 5 }\nexpect:\n  - { node: linux1, iface: eth0, counter: ierrors, op: "==", value: 0 }\n')();
    expect(ok.expect![0]).toMatchObject({ kind: 'iface-counter', tool: 'proc-net-dev' });
  });

  test('/proc/net/dev rows parse by netstat name', () => {
    const dev = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0',
      '  eth0:     354       4    1    0    0     0          0         1      870      10    2    0    0     3       0          0',
    ].join('\n');
    expect(['ipackets', 'ierrors', 'opackets', 'oerrors', 'collisions'].map((c) => procNetDevValue(dev, 'eth0', c))).toEqual([4, 1, 10, 2, 3]);
    expect(procNetDevValue(dev, 'eth1', 'ipackets')).toBeNull();
  });
});
