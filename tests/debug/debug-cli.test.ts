import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { DebugSession } from '../../emulator/app/debug/session';
import { DebugRepl } from '../../emulator/app/debug/commands';
import { runScript } from '../../emulator/app/cli/debug-cmd';
import { REPO, qnxemu, tmpdir } from './cli-helpers';

const EXAMPLE = ['debug', 'docs/examples/ping.yaml', '--commands', 'docs/examples/ping.debug'];

/** The path table printed by `path`: one row per hop. */
function pathRows(out: string[]): { time: string; device: string; layer: string; probe: string }[] {
  const head = out.findIndex((l) => /^\s+#\s+time\s+\+hop\s+total\s+device\s+layer\s+dir\s+probe\s+fields$/.test(l));
  expect(head).toBeGreaterThan(0);
  const rows = [];
  for (const l of out.slice(head + 1)) {
    const m = /^(?:=>| \.|  )\s+\d+\s+(\d+\.\d{9})\s+(?:\+\S+\s+)?\S+\s+(\S+)\s+(\S+)\s+(?:in|out|-)\s+(\S+)/.exec(l);
    if (!m) break;
    rows.push({ time: m[1]!, device: m[2]!, layer: m[3]!, probe: m[4]! });
  }
  return rows;
}

describe('qnxemu debug docs/examples/ping.yaml --commands docs/examples/ping.debug', () => {
  const r = qnxemu(EXAMPLE);
  const out = r.stdout.split('\n');

  test('runs the shipped session: breaks on the first echo request and prints its path', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(out[0]).toMatch(/^qnxemu debug: ping \(docs\/examples\/ping\.yaml\), seed 1, nodes alpha, beta/);
    expect(out).toContain('(qnxemu) break probe ip/output if icmp echo-request and dst host 10.0.0.2');
    const stop = out.findIndex((l) => l.startsWith('breakpoint 1 (probe ip/output if icmp echo-request and dst host 10.0.0.2) at 1.'));
    expect(stop).toBeGreaterThan(0);
    expect(out[stop + 1]).toMatch(/^=> alpha ip\/output pkt \d+ src=10\.0\.0\.1 dst=10\.0\.0\.2 proto=1 len=84 if=en0$/);
    expect(out[stop + 2]).toBe('   at device alpha, layer ip (L3 IPv4), outbound');

    const rows = pathRows(out);
    const layers = rows.map((x) => x.layer).filter((l, i, a) => l !== a[i - 1]);
    expect(layers).toEqual(['app', 'socket', 'ip', 'arp', 'ifnet', 'driver', 'nic', 'wire', 'nic', 'wire', 'nic', 'driver', 'ifnet', 'ip', 'icmp']);
    expect(rows[0]).toMatchObject({ device: 'alpha', layer: 'app', probe: 'send' });
    expect(rows.at(-1)).toMatchObject({ device: 'beta', layer: 'icmp', probe: 'echo-request-in' });
    const times = rows.map((x) => Number(x.time.replace('.', '')));
    times.forEach((t, i) => i > 0 && expect(t).toBeGreaterThanOrEqual(times[i - 1]!));
    expect(out).toContain('(hops marked . have not happened yet: they come from the lookahead run)');

    // The NIC view at rx-accept shows the frame in beta's ring.
    expect(out.some((l) => /^beta\.nic0 \(en0\): rtl8029 \[PCI\]/.test(l))).toBe(true);
    expect(out.some((l) => /being stored at CURR \(completion pending\): .* pkt \d+$/.test(l))).toBe(true);
  });

  test('stepping back two events and forward again arrives at the same record', () => {
    const nexts = out.map((l, i) => (l === '(qnxemu) next' ? i : -1)).filter((i) => i >= 0);
    expect(nexts.length).toBe(2);
    const hop = out[nexts[1]! + 2]!;
    expect(hop).toMatch(/^=> beta driver\/rx pkt \d+ len=98 page=\d+$/);
    const back = out.indexOf('(qnxemu) back 2');
    expect(out[back + 1]).toMatch(/^back at 1\.\d{9} after event #\d+/);
    const lastStep = out.lastIndexOf('(qnxemu) step');
    expect(out.slice(lastStep).filter((l) => l.startsWith('=> '))).toEqual([hop]);
    const evNext = /event #(\d+)/.exec(out[nexts[1]! + 1]!)![1];
    expect(out[lastStep + 1]).toMatch(new RegExp(`event #${evNext} `));
  });

  test('the same session replays identically, and in-process gives the same output as the CLI', () => {
    expect(qnxemu(EXAMPLE).stdout).toBe(r.stdout);
    const repl = new DebugRepl(new DebugSession(loadScenarioFile('docs/examples/ping.yaml')));
    let text = '';
    const lines = fs.readFileSync(path.join(REPO, 'docs/examples/ping.debug'), 'utf8').split('\n');
    const cwd = process.cwd();
    expect(cwd === REPO || fs.existsSync(path.join(cwd, 'docs/examples/ping.yaml'))).toBe(true);
    expect(runScript(repl, lines, (s) => (text += s))).toBe(0);
    expect(text).toBe(r.stdout);
  });
});

describe('qnxemu debug: prompts, errors, options', () => {
  test('reads commands from standard input when not given a file', () => {
    const r = qnxemu(['debug', 'docs/examples/ping.yaml'], 'break probe icmp/echo-request-in\ncontinue\nshow arp beta\nquit\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/breakpoint 1 \(probe icmp\/echo-request-in\) at 1\.\d{9}/);
    expect(r.stdout).toMatch(/=> beta icmp\/echo-request-in pkt \d+ src=10\.0\.0\.1 code=0/);
    expect(r.stdout).toMatch(/10\.0\.0\.1 +00:00:e8:0a:00:01 en0 +resolved/);
  });

  test('a failing command in a script makes the exit status 1; a bad scenario is a located error', () => {
    const dir = tmpdir('debug');
    const cmds = path.join(dir, 'bad.debug');
    fs.writeFileSync(cmds, 'break probe ip/output if icmp and and\nstep\n');
    const r = qnxemu(['debug', 'docs/examples/ping.yaml', '--commands', cmds]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('error: bad filter at column 10: expected a primitive (icmp, arp, udp, ip, host, port, …), got \'and\'');
    expect(r.stdout).toMatch(/\(qnxemu\) step\n\d\.\d{9} event #1 /);
    const missing = qnxemu(['debug', 'no-such.yaml']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^qnxemu: no-such\.yaml:1:1: cannot read scenario/);
  });

  test('--seed changes the run, --until limits it, --no-lookahead turns the lookahead off', () => {
    const a = qnxemu(['debug', 'docs/examples/ping.yaml', '--seed', '2', '--until', '1s', '--no-lookahead'], 'continue\nquit\n');
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/seed 2, nodes alpha, beta, run ends at 1\.000000000\n/);
    expect(a.stdout).toContain('end of the run: no event left before the time limit 1.000000000');
  });
});
