/**
 * The page's session (emulator/app/web-page/core/session.ts) on a scenario with a Linux guest (v86):
 * docs/examples/guest-ne2k-pci.yaml, cut to 4.5 s (the guest boots and alpha's first pings reach it). The guest
 * boots once, in the lookahead (as in `qnxemu debug`); the session's own instances replay it from the guest logs.
 * Checked: the trace-hash is `qnxemu run`'s for the same scenario, seed and end; the guest and its NIC are in the
 * topology; a breakpoint on the guest NIC's first accepted echo request stops there, with the guest's shell in its
 * console and its RTL8029's registers through inspect(); `back` lands one event earlier with the replay intact.
 * Under Node, as the page's core runs in tests; tests/web/browser-guest.test.ts runs it in a browser.
 */
import { spawn } from 'node:child_process';
import { bundleScenario } from '../../emulator/app/web-page/core/bundle';
import { openSession } from '../../emulator/app/web-page/core/session';
import type { WebSessionApi } from '../../emulator/app/web-page/core/api';

const FILE = 'docs/examples/guest-ne2k-pci.yaml';
const UNTIL = '4.5s';
const UNTIL_NS = 4_500_000_000;
const BREAK = 'probe nic/rx-accept on linux1 if icmp echo-request';

/** `qnxemu run FILE --until 4.5s`'s trace-hash (started first: it boots its guest while the session boots its own). */
function cliHash(): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['dist/qnxemu.js', 'run', FILE, '--until', UNTIL], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('exit', () => {
      const m = /^trace-hash ([0-9a-f]{64})$/m.exec(out);
      if (m) resolve(m[1]!);
      else reject(new Error(`no trace-hash from qnxemu run: ${out}`));
    });
  });
}

let web: WebSessionApi;
let cli: Promise<string>;

beforeAll(async () => {
  cli = cliHash();
  web = await openSession(bundleScenario(FILE, { until: UNTIL_NS }));
}, 600_000);

test('the trace-hash is the one `qnxemu run` prints for the same scenario, seed and end', async () => {
  expect(web.info().traceHash).toMatch(/^[0-9a-f]{64}$/);
  expect(web.info().traceHash).toBe(await cli);
}, 600_000);

test('the topology has the guest node and its NIC on the hub', () => {
  const topo = web.topology();
  const linux1 = topo.nodes.find((n) => n.name === 'linux1');
  expect(linux1).toMatchObject({ kind: 'guest', nics: [{ name: 'linux1.nic0', model: 'rtl8029', link: 'hub0', mac: '52:54:00:00:00:03' }] });
  expect(topo.links.find((l) => l.name === 'hub0')?.ports).toEqual(['alpha.nic0', 'linux1.nic0']);
});

describe('a breakpoint on the guest NIC, then back', () => {
  let stopEvent = 0;
  test("stops at the guest NIC's first accepted echo request", () => {
    expect(web.addBreakpoint(BREAK)).toMatchObject({ id: 1 });
    const st = web.continue();
    expect(st.reason).toBe('breakpoint');
    expect(st.cursor).toMatchObject({ node: 'linux1', layer: 'nic', probe: 'rx-accept' });
    expect(st.lines.join('\n')).not.toMatch(/diverged/);
    stopEvent = st.executed;
  });

  test("the guest's console shows its boot and its shell running the scenario's commands", () => {
    const lines = web.consoles()['linux1'] ?? [];
    expect(lines).toContain('qnxemu-guest-ready');
    expect(lines.some((l) => l.startsWith('guest# sleep 4'))).toBe(true);
    expect((web.consoles()['alpha'] ?? []).some((l) => l.startsWith('PING 10.0.0.3'))).toBe(true);
  });

  test("the guest's RTL8029 through the model's inspect(), and its counters", () => {
    const nic = web.nic('linux1.nic0');
    expect(nic).toMatchObject({ name: 'linux1.nic0', model: 'rtl8029', mac: '52:54:00:00:00:03' });
    expect(nic.inspection.registers.length).toBeGreaterThan(0);
    const rx = web.counters().nics['linux1.nic0'];
    expect(rx?.['link-rx-frames']).toBeGreaterThan(0);
  });

  test("the guest's interrupts: one line saying v86's controller is not traced, no error", () => {
    expect(web.interrupts('linux1')).toEqual([
      "linux1 is a Linux guest (v86): its interrupt controller is v86's and is not traced; its NICs' interrupt outputs are (break probe nic/irq on linux1)",
    ]);
  });

  test('back: one event earlier, the guest replayed from the lookahead without divergence', () => {
    const st = web.back();
    expect(st.executed).toBe(stopEvent - 1);
    expect(st.lines.join('\n')).not.toMatch(/diverged/);
    const again = web.continue();
    expect(again.reason).toBe('breakpoint');
    expect(again.executed).toBe(stopEvent);
  });
});
