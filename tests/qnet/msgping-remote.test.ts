/**
 * msgping across Qnet when the far node becomes unreachable: the one hub between alpha and beta goes down,
 * Qnet gives up on beta after tx_retries retransmissions (no other link), the kernel fails the blocked
 * MsgSend with EHOSTDOWN (kif nodeDown), and msgping reports each failed send and goes on; msgecho on beta
 * never sees a message twice. After hub0 returns, beta no longer knows the connection (its Qnet dropped what
 * alpha's clients held), so sends fail with EBADF: the application has to open the path again.
 * And 4000-byte messages, which LwL4 carries in mtu_en-sized fragments each way and delivers whole.
 */
import { parseScenarioText, runScenarioChecked } from '../../emulator/app/testing/api';
import { QNET_DEFAULTS } from '../../stack/net/qnet/defaults';
import { sharedRun } from '../helpers/shared-run';

const node = (name: string, mac: string, extra = '') => `
  ${name}:
    nics: [{ model: rtl8029, mac: "${mac}", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000 -pqnet
      waitfor /dev/socket 10
      ifconfig en0 up
${extra}`;

const SCENARIO = `
name: msgping-node-down
seed: 1
until: 12s
nodes:${node('alpha', '00:00:e8:0a:00:01')}${node('beta', '00:00:e8:0b:00:02', '      msgecho &\n')}
links:
  hub0: { type: hub }
actions:
  - { at: 1s, node: alpha, command: "msgping -c 40 -i 0.2 -s 32 /net/beta/dev/echo" }
  - { at: 11.5s, node: beta, command: "slay msgecho" }
faults:
  - { at: 2s, until: 6s, link: hub0, kind: down }
`;

describe('msgping to a node that becomes unreachable', () => {
  const run = sharedRun(() => {
    const r = runScenarioChecked(parseScenarioText(SCENARIO));
    const lines = r.run.consoleLines.get('alpha') ?? [];
    return { r, alpha: r.consoles.get('alpha') ?? '', lines, at: (re: RegExp) => lines.find((l) => re.test(l.text))?.t ?? NaN };
  });
  const tick = QNET_DEFAULTS.tickNs;
  const interval = 200e6;

  test('replies before the outage; then one failed send per message, and msgping goes on to the end', () => {
    const { r, alpha } = run();
    // seq 0..4 go out at 1.0 s … 1.8 s (plus the open); seq 5, due at 2.0 s, meets the outage.
    expect(alpha).toMatch(/^32 bytes from \/net\/beta\/dev\/echo: seq=4 time=/m);
    expect(alpha).not.toMatch(/bytes from \/net\/beta\/dev\/echo: seq=5 /);
    expect(alpha).toMatch(/^msgping: seq=5: Host is down$/m);
    expect(alpha.match(/^msgping: seq=\d+: /gm)).toHaveLength(35);
    expect(alpha).toContain('--- /net/beta/dev/echo msgping statistics ---\n40 messages sent, 5 replies, 87.5% loss\n');
    expect(r.consoles.get('beta')).toContain('msgecho: 5 messages, 5 distinct, 0 duplicates\n');
  });

  test('Qnet gives up on beta (its only link) within (tx_retries + 1) ticks + 1 tick of the lost send: EHOSTDOWN', () => {
    const { alpha, at } = run();
    const sent5 = at(/seq=4 time=/) - Number(/seq=4 time=([\d.]+) ms/.exec(alpha)![1]) * 1e6 + interval;
    const failed5 = at(/^msgping: seq=5: Host is down$/);
    // The first retransmission on the first tick at which the frame has waited a whole tick, tx_retries - 1
    // more one tick apart, and the next tick gives up: between tx_retries + 1 and tx_retries + 2 ticks.
    expect(failed5 - sent5).toBeGreaterThan((QNET_DEFAULTS.txRetries + 1) * tick - 1e6);
    expect(failed5 - sent5).toBeLessThanOrEqual((QNET_DEFAULTS.txRetries + 1) * tick + tick);
    // While beta is known down, each send fails at once, one per interval (the overdue seq 6 at once).
    const t6 = at(/^msgping: seq=6: Host is down$/);
    const t7 = at(/^msgping: seq=7: Host is down$/);
    expect(t6 - failed5).toBeLessThan(1e6);
    expect(Math.round((t7 - t6) / 1e6)).toBe(interval / 1e6);
  });

  test('after hub0 returns the connection is gone on beta: EBADF, as QNX leaves recovery to the application', () => {
    const { lines } = run();
    const firstBadf = lines.find((l) => /^msgping: seq=\d+: Bad file descriptor$/.test(l.text));
    expect(firstBadf).toBeDefined();
    expect(firstBadf!.t).toBeGreaterThan(6e9);
    expect(lines.filter((l) => / Host is down$/.test(l.text)).every((l) => l.t < firstBadf!.t)).toBe(true);
  });
});

describe('msgping with messages larger than a frame', () => {
  const SC = `
name: msgping-large
seed: 1
until: 3s
nodes:${node('alpha', '00:00:e8:0a:00:01')}${node('beta', '00:00:e8:0b:00:02', '      msgecho &\n')}
links:
  hub0: { type: hub }
actions:
  - { at: 1s, node: alpha, command: "msgping -c 3 -i 0.1 -s 4000 /net/beta/dev/echo" }
  - { at: 2.5s, node: beta, command: "slay msgecho" }
`;
  const run = sharedRun(() => {
    const r = runScenarioChecked(parseScenarioText(SC), { keepTrace: true });
    return { r, x: r.run.trace.map((l) => JSON.parse(l) as { node: string; layer: string; probe: string; f?: Record<string, unknown> }) };
  });

  test('4000-byte payloads cross in fragments and come back whole', () => {
    const { r, x } = run();
    const alpha = r.consoles.get('alpha') ?? '';
    expect(alpha).toContain('3 messages sent, 3 replies, 0.0% loss\n');
    expect(r.consoles.get('beta')).toContain('msgecho: 3 messages, 3 distinct, 0 duplicates\n');
    // KIF MsgSend: 48 + 8 (_io_msg) + 4000 = 4056 bytes; MsgReply 20 + 4000 = 4020: more than one mtu_en each.
    const kifTx = x.filter((t) => t.layer === 'qnet' && t.probe === 'kif-tx' && (t.f?.['bytes'] === 4056 || t.f?.['bytes'] === 4020));
    expect(kifTx.map((t) => `${t.node} ${String(t.f?.['bytes'])}`)).toEqual(['alpha 4056', 'beta 4020', 'alpha 4056', 'beta 4020', 'alpha 4056', 'beta 4020']);
    // mtu_en counts the pad and LwL4 header (38 bytes): 1462 bytes of message a frame, so 3 frames each way,
    // every one longer than 1000 bytes (14 + 38 + 1132 at the least); nothing else on the hub is that long.
    const chunk = QNET_DEFAULTS.mtuEn - 38;
    const perExchange = Math.ceil(4056 / chunk) + Math.ceil(4020 / chunk);
    expect(perExchange).toBe(6);
    const frames = x.filter((t) => t.layer === 'ifnet' && t.probe === 'output' && Number(t.f?.['len']) > 1000);
    expect(frames).toHaveLength(3 * perExchange);
  });
});
