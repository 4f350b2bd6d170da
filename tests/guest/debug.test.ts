/**
 * `qnxemu debug` on a scenario with a Linux guest (docs/examples/guest-ne2k-pci.yaml): the shipped session
 * docs/examples/guest-ping.debug breaks when the guest's RTL8029 accepts the first ICMP echo request from the
 * QNX node, prints its path from alpha's socket to the guest's NIC, shows the guest NIC's registers and ring,
 * steps, goes back and forward again. The guest boots once (the recording run); the session replays it.
 * Added after the shipped lines: the run continued to its end replays exactly the recorded events, and
 * what only QNX nodes have is refused with a hint.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureGuestImage } from '../../emulator/app/guest-image';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/qnxemu.js');

/** The path table printed by `path`: one row per hop. */
function pathRows(out: string[]): { mark: string; device: string; layer: string; probe: string }[] {
  const head = out.findIndex((l) => /^\s+#\s+time\s+\+hop\s+total\s+device\s+layer\s+dir\s+probe\s+fields$/.test(l));
  expect(head).toBeGreaterThan(0);
  const rows = [];
  for (const l of out.slice(head + 1)) {
    const m = /^(=>| \.|  )\s+\d+\s+\d+\.\d{9}\s+(?:\+\S+\s+)?\S+\s+(\S+)\s+(\S+)\s+(?:in|out|-)\s+(\S+)/.exec(l);
    if (!m) break;
    rows.push({ mark: m[1]!.trim(), device: m[2]!, layer: m[3]!, probe: m[4]! });
  }
  return rows;
}

describe('qnxemu debug on a guest scenario', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-guest-debug-'));
  const shipped = fs.readFileSync(path.join(REPO, 'docs/examples/guest-ping.debug'), 'utf8').split('\n');
  const script = path.join(dir, 'session.debug');
  fs.writeFileSync(script, [...shipped.filter((l) => l.trim() !== 'quit'), 'show arp linux1', 'break irq linux1 11', 'delete all', 'continue', 'where', 'quit', ''].join('\n'));
  let r: ReturnType<typeof spawnSync>;
  let out: string[] = [];

  beforeAll(async () => {
    await ensureGuestImage({ progress: false }); // a fresh clone builds it here, not inside the CLI run
    r = spawnSync(process.execPath, [CLI, 'debug', 'docs/examples/guest-ne2k-pci.yaml', '--until', '5s', '--commands', script], { cwd: REPO, encoding: 'utf8' });
    out = String(r.stdout).split('\n');
  }, 180_000);

  test('breaks on the guest NIC accepting the echo request and prints its path', () => {
    expect(String(r.stderr)).toBe('');
    expect(out[0]).toMatch(/^qnxemu debug: guest-ne2k-pci \(docs\/examples\/guest-ne2k-pci\.yaml\), seed 1, nodes alpha, linux1, run ends at 5\.000000000; lookahead: \d+ events/);
    expect(out[1]).toBe('guests linux1 ran live in the recording run; the session replays what they did (their NIC models are live)');
    // The guest's console comes through the replay (it booted to its prompt before the ping).
    expect(out).toContain('linux1 | guest# sleep 4');
    const stop = out.findIndex((l) => l.startsWith('breakpoint 1 (probe nic/rx-accept on linux1 if icmp echo-request) at 4.'));
    expect(stop).toBeGreaterThan(0);
    const hit = out[stop + 1]!;
    expect(hit).toMatch(/^=> linux1 nic\/rx-accept pkt \d+ nic=linux1\.nic0 len=98 status=1$/);
    expect(out[stop + 2]).toBe('   at device linux1 (nic0), layer nic (L1/L2 NIC), inbound');
    expect(out[stop + 3]).toMatch(/IPv4 10\.0\.0\.1 > 10\.0\.0\.3: ICMP echo-request, id \d+, seq 0, length 98$/);

    const rows = pathRows(out);
    const layers = rows.map((x) => x.layer).filter((l, i, a) => l !== a[i - 1]);
    expect(layers).toEqual(['app', 'socket', 'ip', 'arp', 'ifnet', 'driver', 'nic', 'wire', 'nic', 'wire', 'nic']);
    expect(rows.map((x) => x.device).filter((d, i, a) => d !== a[i - 1])).toEqual(['alpha', 'hub0', 'alpha', 'hub0', 'linux1']);
    expect(rows[0]).toMatchObject({ device: 'alpha', layer: 'app', probe: 'send' });
    const cursor = rows.findIndex((x) => x.mark === '=>');
    expect(rows[cursor]).toMatchObject({ device: 'linux1', layer: 'nic', probe: 'rx-accept' });
    // The hop still to come is known from the recording run.
    expect(rows[cursor + 1]).toMatchObject({ mark: '.', device: 'linux1', probe: 'rx-ring' });
  });

  test("show nic shows the guest's RTL8029 model with the frame in its ring", () => {
    expect(out.some((l) => /^linux1\.nic0: rtl8029 \[PCI\] PROM 52:54:00:00:00:03, link hub0, running/.test(l))).toBe(true);
    expect(out).toContain('  page 3 (RTL8029):');
    expect(out.some((l) => /being stored at CURR \(completion pending\): .* count 102 \(98 \+ FCS\) pkt \d+$/.test(l))).toBe(true);
  });

  test('next, back 2 and two steps arrive at the same record; the replayed run is the recorded one', () => {
    const next = out.indexOf('(qnxemu) next');
    const hop = out[next + 2]!;
    expect(hop).toMatch(/^=> linux1 nic\/rx-ring pkt \d+ nic=linux1\.nic0 page=\d+ count=102 next=\d+$/);
    const back = out.indexOf('(qnxemu) back 2');
    expect(out[back + 1]).toMatch(/^back at 4\.\d{9} after event #\d+/);
    const lastStep = out.lastIndexOf('(qnxemu) step');
    expect(out.slice(lastStep, out.indexOf('(qnxemu) show arp linux1')).filter((l) => l.startsWith('=> '))).toEqual([hop]);
    // Run to the end: the same number of events as the recording run, and no divergence warning. The last event is
    // the stop at --until (run.until), as in `qnxemu run` (the debugger's run is that run: run-end.ts).
    const events = /lookahead: (\d+) events/.exec(out[0]!)![1];
    const where = out.indexOf('(qnxemu) where');
    expect(out[where + 1]).toMatch(new RegExp(`^at 5\\.000000000 after event #${events} \\(run\\.until\\)`));
    expect(out.some((l) => l.startsWith('warning:'))).toBe(false);
  });

  test('QNX-only views and IRQ breakpoints on the guest are refused with a hint (exit status 1)', () => {
    expect(out).toContain("error: linux1 is a Linux guest (v86): show arp is for simulated QNX nodes; its NICs are our models: show nic linux1.nic0");
    expect(out.some((l) => l.startsWith('error: linux1 is a Linux guest: its interrupt controller is v86') && l.endsWith('break probe nic/irq on linux1'))).toBe(true);
    expect(r.status).toBe(1);
  });
});
