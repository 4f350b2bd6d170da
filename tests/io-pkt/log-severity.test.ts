/**
 * Driver and io-pkt log severities (issue 14; stack/io-pkt/driver-api.ts IoPkt.log, process.ts log): every
 * message goes to slog at the severity of the NetBSD/QNX call it stands for; at _SLOG_ERROR (2) or worse it is
 * on the node's console too, without -v; below that only with -v. Whole nodes with NE2000s, as a user runs them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runScenario } from '../../emulator/app/assembly/run';
import { runTimeline } from '../../emulator/app/testing/execute';
import { tmpdir } from '../system/helpers';

const REPO = path.resolve(__dirname, '../..');

/** One node per case, each with an ISA NE2000 at 0x300/IRQ 5 on its own hub, running `script`. */
function nodes(cases: Record<string, string>): string {
  const lines = ['until: 2s', 'nodes:'];
  Object.entries(cases).forEach(([name, script], i) => {
    lines.push(`  ${name}:`, `    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:50:c2:00:00:0${i + 1}", link: hub${i} }]`, '    script: |');
    for (const l of script.split('\n')) lines.push(`      ${l}`);
  });
  lines.push('links:');
  Object.keys(cases).forEach((_, i) => lines.push(`  hub${i}: { type: hub }`));
  return lines.join('\n') + '\n';
}

const dir = tmpdir('log-severity');
const file = path.join(dir, 's.yaml');
fs.writeFileSync(file, nodes({
  // A failing attach: a bad option value, no card found, io-pkt's "Unable to init": errors, no -v.
  bad: 'io-pkt-v4 -dne2000 ioport=zz\nwaitfor /dev/socket\nsloginfo',
  // An unknown option is reported and ignored (a warning), the card attaches; no -v.
  unknown: 'io-pkt-v4 -dne2000 ioport=0x300,irq=5,bogus=1\nwaitfor /dev/socket\nifconfig -l\nsloginfo -s 3',
  // The same with -v: every message on the console (log_cons).
  verbose: 'io-pkt-v4 -v -dne2000 ioport=0x300,irq=5,bogus=1,verbose\nwaitfor /dev/socket',
  // The driver's `verbose` option: the attach banner at _SLOG_INFO, in sloginfo only; no -v.
  banner: 'io-pkt-v4 -dne2000 ioport=0x300,irq=5,verbose\nwaitfor /dev/socket\nsloginfo',
  // An interrupt priority out of range: io-pkt's interrupt.c log(LOG_ERR, "invalid prio"), an error.
  prio: 'io-pkt-v4 -dne2000 ioport=0x300,irq=5,priority=300\nwaitfor /dev/socket\nifconfig -l',
}));
const res = runScenario(loadScenarioFile(file), { keepTrace: true });
const con = (n: string): string => res.consoles.get(n) ?? '';
/** The lines a node printed outside sloginfo's listing and the shell's echo. */
const printed = (n: string): string[] => con(n).split('\n').filter((l) => l !== '' && !/^Jan 01 /.test(l) && !l.startsWith('Time ') && !l.startsWith('# '));
/** sloginfo's row for `text` at severity `sev` (major 10: _SLOGC_NETWORK). */
const row = (sev: number, text: string): RegExp => new RegExp(`^\\S+ \\S+ \\S+ +${sev} +10 +0 ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');

describe('log severities: errors on the console, the rest in slog', () => {
  test('a failing attach shows the driver\'s and io-pkt\'s errors on the console without -v, at _SLOG_ERROR in slog', () => {
    expect(printed('bad')).toEqual([
      "devnp-ne2000: bad value for ioport: 'zz'",
      'devnp-ne2000: no PCI device 10ec:8029',
      'Unable to init devnp-ne2000.so: No such device',
    ]);
    expect(con('bad')).toMatch(row(2, "devnp-ne2000: bad value for ioport: 'zz'"));
    expect(con('bad')).toMatch(row(2, 'devnp-ne2000: no PCI device 10ec:8029'));
    expect(con('bad')).toMatch(row(2, 'Unable to init devnp-ne2000.so: No such device'));
    // io-pkt's information lines stay in slog.
    expect(con('bad')).toMatch(row(5, 'tcpip starting'));
    expect(con('bad')).toMatch(row(5, 'devnp-ne2000.so ioport=zz'));
  });

  test('an unknown option is a warning (_SLOG_WARNING): in slog, not on the console without -v', () => {
    expect(printed('unknown')).toEqual(['lo0 en0']);
    expect(con('unknown')).toMatch(row(3, "devnp-ne2000: unknown option 'bogus' ignored"));
    expect(con('unknown')).not.toMatch(/tcpip starting/); // sloginfo -s 3: severities 0–3 only
  });

  test('with -v every message is on the console (log_cons), whatever its severity', () => {
    expect(printed('verbose')).toEqual([
      "devnp-ne2000: unknown option 'bogus' ignored", // _SLOG_WARNING
      'en0: NE-2000 Ethernet Controller at ioport 0x300 irq 5, NE2000, MAC 00:50:c2:00:00:03', // _SLOG_INFO
    ]);
  });

  test('an information line (the attach banner of the `verbose` option) is only in sloginfo', () => {
    const banner = /^en0: .* at ioport 0x300 irq 5, .*MAC 00:50:c2:00:00:04$/m;
    expect(printed('banner').some((l) => banner.test(l))).toBe(false);
    const slogBanner = con('banner').split('\n').find((l) => /^Jan 01 .* en0: .* at ioport 0x300 irq 5, /.test(l));
    expect(slogBanner).toMatch(/^\S+ \S+ \S+ +5 +10 +0 en0: /);
  });

  test('io-pkt\'s own error (invalid interrupt priority) is on the console; the interface still attaches', () => {
    expect(printed('prio')).toEqual(['invalid prio: 300, ignored', 'lo0 en0']);
  });

  test('every log line is traced with its severity (io-pkt/log: text, sev)', () => {
    const logs = res.trace.map((l) => JSON.parse(l) as { node: string; layer: string; probe: string; f?: { text: string; sev: number } }).filter((r) => r.layer === 'io-pkt' && r.probe === 'log');
    const of = (node: string, text: string) => logs.find((r) => r.node === node && r.f?.text === text)?.f?.sev;
    expect(of('bad', 'Unable to init devnp-ne2000.so: No such device')).toBe(2);
    expect(of('unknown', "devnp-ne2000: unknown option 'bogus' ignored")).toBe(3);
    expect(of('bad', 'tcpip starting')).toBe(5);
    expect(logs.every((r) => Number.isInteger(r.f?.sev) && r.f!.sev >= 0 && r.f!.sev <= 7)).toBe(true);
  });
});

describe('a driver error at run time', () => {
  test('the NE2000 transmit watchdog (dp8390_watchdog: LOG_ERR) reaches the console during an interrupt storm', () => {
    const r = runTimeline(loadScenarioFile(path.join(REPO, 'docs/examples/irq-storm.yaml')));
    const alpha = r.consoles.get('alpha') ?? '';
    expect(alpha).toContain('ne2000: device timeout\nne2000: resetting NIC: transmit watchdog\n');
    const storm = r.consoleLines.get('alpha')!.find((l) => l.text === 'ne2000: device timeout')!;
    // Between the wedge (about 1.2 s) and the pings at 4 s: the watchdog fires two seconds after the stuck send.
    expect(storm.t).toBeGreaterThan(1_900_000_000);
    expect(storm.t).toBeLessThan(4_000_000_000);
  });
});
