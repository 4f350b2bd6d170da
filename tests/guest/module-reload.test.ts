/**
 * Module reloads at a Linux guest's prompt over the image's standard /lib/modules/<uname -r>/ layout (issue 14 §1):
 *
 * - docs/examples/guest-module-reload.yaml run whole through runScenarioChecked (one boot): ping, `rmmod ne2k_pci`,
 *   `modprobe ne2k-pci`, ping again; its expectations hold, and the RTL8029 model's trace shows the driver's stop
 *   (CR.STP on close) and the probe's reset handshake and start, each where the driver code puts them;
 * - an ISA NE2000 guest (`ne`, which needs io= and irq=) booted once, its snapshot restored per test: the parameters
 *   survive `rmmod ne; modprobe ne` because modprobe reads them from /proc/cmdline; busybox's own depmod, run in the
 *   guest, writes the same index files the builder wrote; the kernel autoloads a module through /sbin/modprobe and
 *   modules.alias; modprobe resolves aliases and lists a driver's stack in load order.
 */
import { loadScenario, runScenarioCheckedAsync, type CheckedRun } from '../../emulator/app/testing/api';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { CR } from '../../nic-models/ne2000/regs';
import { bootAndSnapshot, guestRun, scenarioOf, SEC } from './helpers';
import { NE_ISA_YAML } from './ne-isa-scenario';

const EXAMPLE = 'docs/examples/guest-module-reload.yaml';

/** The RTL8029's CR writes and reset/start records, with their times (verbose trace: reg-write). */
interface ChipEvent {
  t: number;
  what: 'cr' | 'reset' | 'start' | 'tx-done';
  value: number;
}

let example: CheckedRun;
const chip: ChipEvent[] = [];

/** Time of the first console line of linux1 that starts with `text`, after `after`. */
function lineTime(text: string, after = 0): number {
  const l = example.run.consoleLines.get('linux1')?.find((x) => x.t > after && x.text.startsWith(text));
  if (l === undefined) throw new Error(`linux1 never printed "${text}" after ${after}`);
  return l.t;
}

beforeAll(async () => {
  const sink = (rec: TraceRecord): void => {
    if (rec.layer !== 'nic' || rec.f?.['nic'] !== 'linux1.nic0') return;
    if (rec.probe === 'reg-write' && rec.f['reg'] === 'CR') chip.push({ t: rec.t, what: 'cr', value: Number(rec.f['value']) });
    else if (rec.probe === 'reset' || rec.probe === 'start' || rec.probe === 'tx-done') chip.push({ t: rec.t, what: rec.probe, value: 0 });
  };
  example = await runScenarioCheckedAsync(loadScenario(EXAMPLE), { verboseTrace: true, onTrace: sink });
}, 600_000);

describe('docs/examples/guest-module-reload.yaml: rmmod ne2k_pci, modprobe ne2k-pci, traffic again', () => {
  test('every expectation of the example holds', () => {
    expect(example.failures).toEqual([]);
    expect(example.counters.get('linux1')).toMatchObject({ 'nics[0].reset': 2, 'nics[0].start': 4 });
  });

  test('rmmod stops the chip (CR.STP from ei_close) and nothing starts it until modprobe', () => {
    const rmmod = lineTime('guest# rmmod ne2k_pci');
    const next = lineTime('guest# ip link', rmmod);
    const modprobe = lineTime('guest# modprobe ne2k-pci', rmmod);
    const during = chip.filter((e) => e.t > rmmod && e.t < next);
    // lib8390.c __NS8390_init(dev, 0): E8390_NODMA + E8390_PAGE0 + E8390_STOP = 0x21.
    expect(during.some((e) => e.what === 'cr' && e.value === 0x21)).toBe(true);
    const last = [...during].reverse().find((e) => e.what === 'cr');
    expect((last?.value ?? 0) & CR.STP).toBe(CR.STP);
    expect(chip.filter((e) => e.t > rmmod && e.t < modprobe && e.what !== 'cr' && e.what !== 'tx-done')).toEqual([]);
  });

  test('modprobe probes again: the reset handshake, a start to read the station PROM; `ip link set eth0 up` starts it', () => {
    const modprobe = lineTime('guest# modprobe ne2k-pci');
    const up = lineTime('guest# ip link set eth0 up', modprobe);
    const addr = lineTime('guest# ip addr add', up);
    const probe = chip.filter((e) => e.t > modprobe && e.t < up && (e.what === 'reset' || e.what === 'start')).map((e) => e.what);
    expect(probe).toEqual(['reset', 'start']);
    const open = chip.filter((e) => e.t > up && e.t < addr && (e.what === 'reset' || e.what === 'start')).map((e) => e.what);
    expect(open).toEqual(['start']);
  });

  test('traffic after the reload: the guest pings, the QNX node pings the guest, the new eth0 counts from zero', () => {
    const c = example.consoles.get('linux1') ?? '';
    const after = c.slice(c.indexOf('guest# modprobe ne2k-pci'));
    expect(after).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
    expect(example.consoles.get('alpha')).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    // The reloaded driver registered a new net_device: its TX count is the frames the chip sent since modprobe
    // (ei_tx_intr counts each packet-transmitted interrupt), not since boot.
    const opackets = example.counters.get('linux1')?.['eth0.opackets'] ?? 0;
    const modprobe = lineTime('guest# modprobe ne2k-pci');
    const sent = chip.filter((e) => e.what === 'tx-done');
    expect(opackets).toBe(sent.filter((e) => e.t > modprobe).length);
    expect(opackets).toBeLessThan(sent.length);
    expect(opackets).toBeGreaterThanOrEqual(6);
  });
});


describe('an ISA NE2000 guest: modprobe, parameters, depmod, aliases', () => {
  const scenario = scenarioOf(NE_ISA_YAML, 'module-reload-isa');
  let fixture: Awaited<ReturnType<typeof bootAndSnapshot>>;

  beforeAll(async () => {
    fixture = await bootAndSnapshot(scenario);
  }, 600_000);

  test('io= and irq= survive rmmod ne; modprobe ne: modprobe reads ne.io= and ne.irq= from /proc/cmdline', async () => {
    const a = await fixture.restore();
    expect(guestRun(a, 'linux1', 'cat /proc/cmdline').join(' ')).toContain(' ne.io=0x300 ne.irq=10 ');
    const gone = guestRun(a, 'linux1', 'rmmod ne; ip link');
    expect(gone.some((l) => /^\d+: eth0:/.test(l))).toBe(false);
    const back = guestRun(a, 'linux1', 'modprobe ne && dmesg | grep "NE2000 found"; ip link set eth0 up; ip addr add 10.0.0.3/24 dev eth0; ping -c 2 10.0.0.1', 20 * SEC);
    // The boot's probe and the reload's, both with the command line's resources (drivers/net/ethernet/8390/ne.c ne_probe1).
    expect(back.filter((l) => l.includes('ne ne.0 eth0: NE2000 found at 0x300, using IRQ 10.'))).toHaveLength(2);
    expect(back).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
  });

  test("busybox's depmod in the guest writes the builder's modules.dep, modules.alias and modules.symbols", async () => {
    const a = await fixture.restore();
    // One depmod run (it reads every module: seconds of guest time), its modules.dep lines, then ours; then digests
    // of the sorted alias lines (modules.alias and modules.symbols) of both.
    const out = guestRun(
      a,
      'linux1',
      "cd /lib/modules/$(uname -r); depmod -n > /tmp/depmod.out; grep '[.]ko:' /tmp/depmod.out; echo ours; cat modules.dep; " +
        "grep '^alias ' /tmp/depmod.out | sort | md5sum; cat modules.alias modules.symbols | grep '^alias ' | sort | md5sum; grep -c '^alias symbol:' modules.symbols; cd /",
      60 * SEC,
    );
    const split = out.indexOf('ours');
    const theirs = out.slice(0, split).filter((l) => l.includes('.ko:'));
    const ours = out.slice(split).filter((l) => l.includes('.ko:'));
    // The same dependency closure per module; the order within a line may differ (busybox's depmod.c
    // order_dep_list vs kmod's topological index), as long as modprobe can load it from the end (next test).
    const norm = (lines: string[]): string[] => lines.map((l) => { const [m, d] = l.split(':'); return `${m}:${(d ?? '').trim().split(/\s+/).filter((x) => x !== '').sort().join(' ')}`; }).sort();
    expect(ours.length).toBeGreaterThanOrEqual(17);
    expect(norm(ours)).toEqual(norm(theirs));
    const sums = out.slice(split);
    const md5 = sums.filter((l) => /^[0-9a-f]{32} {2}-$/.test(l));
    expect(md5).toHaveLength(2);
    expect(md5[0]).toBe(md5[1]);
    expect(Number(sums.find((l) => /^\d+$/.test(l)))).toBeGreaterThan(500); // mac80211's and cfg80211's exports among them
  });

  test('modprobe -D lists a driver stack in load order; aliases resolve (crypto-ccm, a PCI modalias)', async () => {
    const a = await fixture.restore();
    const stack = guestRun(a, 'linux1', 'modprobe -D rt2500pci').filter((l) => l.startsWith('insmod ')).map((l) => (l.trim().split('/').pop() ?? '').replace(/\.ko$/, ''));
    expect(stack).toEqual(['rfkill', 'cfg80211', 'libarc4', 'mac80211', 'rt2x00lib', 'rt2x00pci', 'rt2x00mmio', 'eeprom_93cx6', 'rt2500pci']);
    const mods = guestRun(a, 'linux1', 'modprobe crypto-ccm; modprobe pci:v000010ECd00008029sv000010ECsd00008029bc02sc00i00; lsmod').map((l) => l.split(/\s+/)[0]);
    expect(mods).toEqual(expect.arrayContaining(['ccm', 'ne2k_pci', '8390', 'ne', '8390p']));
  });

  test('the kernel loads a module on demand through /sbin/modprobe: iw asks for nl80211, cfg80211 comes with rfkill', async () => {
    const a = await fixture.restore();
    expect(guestRun(a, 'linux1', 'cat /proc/sys/kernel/modprobe')).toContain('/sbin/modprobe');
    expect(guestRun(a, 'linux1', 'lsmod').some((l) => l.startsWith('cfg80211'))).toBe(false);
    // genetlink has no "nl80211" family: request_module("net-pf-16-proto-16-family-nl80211"), cfg80211's alias.
    guestRun(a, 'linux1', 'iw dev');
    const after = guestRun(a, 'linux1', 'lsmod').map((l) => l.split(/\s+/)[0]);
    expect(after).toEqual(expect.arrayContaining(['cfg80211', 'rfkill']));
  });
});
