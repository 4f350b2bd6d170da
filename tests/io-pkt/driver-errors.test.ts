/**
 * Driver init failures (issue 14): io-pkt's own messages (nw_dlload_module: LOG_ERR, on the console with -v
 * via log_cons, and without -v too since errors always reach the console) and the driver's, in slog at the right severity; and no half-attached interface after a failed
 * attach — the NE2000 driver's attach error path gives back its ifnet, and io-pkt takes back whatever a
 * failing init left attached (DriverHost.unwind). Real board, NE2000 ISA at 0x300/IRQ 5, devnp-ne2000.so.
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { Board } from '../../emulator/machine/board/board';
import { runStartup } from '../../firmware/startup';
import { Ne2000Isa } from '../../nic-models/ne2000';
import { Kernel } from '../../stack/kernel/kernel';
import { defaultPrograms } from '../../stack/programs';
import { Errno, type Co } from '../../stack/kernel/api';
import type { NativeDriverModule } from '../../stack/io-pkt/driver-api';
import { makeNode, newSim } from './rig';

function ne2000Node(lines: string[]): { out: string; crashes: unknown[] } {
  const sim = new Simulation(7);
  const name = 'alpha';
  const board = new Board(componentContext(sim, name, `${name}.board`), { ramBytes: 16 << 20, cpus: 1, interruptController: '8259' });
  const nic = new Ne2000Isa(componentContext(sim, name, `${name}.ne0`), { mac: new Uint8Array([0, 0x50, 0xc2, 0, 0, 1]) });
  board.mapIsaDevice('ne0', 0x300, Ne2000Isa.PORTS, nic, nic.timing);
  nic.attachIrq(board.isaIrq(5));
  const syspage = runStartup(board.ports, { cpus: 1, ramBytes: 16 << 20, interruptController: '8259', isa: [{ name: 'ne2000', ioport: 0x300, irq: 5 }] });
  const out: string[] = [];
  const k = new Kernel(componentContext(sim, name, `${name}.procnto`), board.nodeBus(syspage), { cpus: 1, programs: defaultPrograms(), console: (t) => out.push(t) });
  k.boot();
  k.spawn({ argv: ['sh'], script: lines.map((text, i) => ({ text, line: i + 1 })) });
  sim.queue.runUntil(3_000_000_000);
  return { out: out.join(''), crashes: k.crashes };
}

/** sloginfo's row for `text`: "<time> <sev> <major> <minor> <text>". */
const slogRow = (sev: number, text: string): RegExp => new RegExp(`^\\S+ \\S+ \\S+ +${sev} +10 +0 ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');

describe('driver init failures on the console and in slog', () => {
  test('-dfoo with -v: the loader\'s message on the console, and in slog at _SLOG_ERROR (2)', () => {
    const r = ne2000Node(['io-pkt-v4 -v -dfoo', 'waitfor /dev/socket', 'sloginfo']);
    expect(r.out.startsWith('Unable to load devn-foo.so: Library cannot be found\n')).toBe(true);
    expect(r.out).toMatch(slogRow(2, 'Unable to load devn-foo.so: Library cannot be found'));
    expect(r.out).toMatch(slogRow(5, 'tcpip starting'));
  });

  test('without -v the error is on the console too (issue 14: _SLOG_ERROR or worse), once, and sloginfo has it', () => {
    const r = ne2000Node(['io-pkt-v4 -dfoo', 'waitfor /dev/socket', 'sloginfo -s 2']);
    const lines = r.out.split('\n').filter((l) => l.includes('Unable'));
    expect(lines).toEqual(['Unable to load devn-foo.so: Library cannot be found', expect.stringMatching(slogRow(2, 'Unable to load devn-foo.so: Library cannot be found'))]);
    expect(r.out.startsWith('Unable to load devn-foo.so: Library cannot be found\n')).toBe(true);
    expect(r.out).not.toContain('tcpip starting'); // _SLOG_INFO: slog only
  });

  test('ioport=zz: the driver says why, io-pkt says "Unable to init", no interface', () => {
    const r = ne2000Node(['io-pkt-v4 -v -dne2000 ioport=zz', 'waitfor /dev/socket', 'ifconfig -l']);
    expect(r.out).toContain("devnp-ne2000: bad value for ioport: 'zz'\n");
    expect(r.out).toContain('Unable to init devnp-ne2000.so: No such device\n');
    expect(r.out.endsWith('lo0\n')).toBe(true);
  });

  test('an unknown driver option is reported and ignored (nic_parse_options), the card attaches', () => {
    const r = ne2000Node(['io-pkt-v4 -v -dne2000 ioport=0x300,irq=5,bogus=1', 'waitfor /dev/socket', 'ifconfig -l']);
    expect(r.out).toBe("devnp-ne2000: unknown option 'bogus' ignored\nlo0 en0\n");
  });

  test('an IRQ the kernel refuses: no half-attached en0, and a later load with the right IRQ gets en0 back', () => {
    const r = ne2000Node([
      'io-pkt-v4 -v -dne2000 ioport=0x300,irq=2', 'waitfor /dev/socket', 'ifconfig -a', 'echo ---',
      'mount -T io-pkt -o ioport=0x300,irq=5 devnp-ne2000.so', 'ifconfig en0 10.0.0.1/24', 'ifconfig en0',
    ]);
    expect(r.crashes).toEqual([]);
    const [failed, later] = r.out.split('---\n');
    expect(failed).toBe(
      'devnp-ne2000: en0: unable to attach irq 2: Invalid argument\nUnable to init devnp-ne2000.so: Invalid argument\n' +
      // `ifconfig -a` after the failure: lo0 only.
      'lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 33192\n\tinet 127.0.0.1 netmask 0xff000000\n');
    expect(later).toMatch(/^en0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\taddress: 00:50:c2:00:00:01\n/);
  });
});

describe('io-pkt takes back what a failing init left attached', () => {
  test('a driver that attaches an interface, an interrupt and a callout, then fails', () => {
    const sloppy: NativeDriverModule = {
      kind: 'iopkt_drvr_entry', version: 1, type: 'general',
      *drvrInit(iopkt): Co<number> {
        const ops = { *init(): Co<number> { return 0; }, *start(): Co<void> {}, *stop(): Co<void> {}, *ioctl(): Co<number> { return Errno.ENOTTY; } };
        iopkt.devAttach('sl', new Map(), ops as never, new Uint8Array([2, 0, 0, 0, 0, 9]), null);
        iopkt.interruptEntryInit(5, function* (): Co<boolean> { return false; }, () => undefined);
        iopkt.callout(1_000_000, function* (): Co<void> { iopkt.log('sloppy callout still running'); });
        return Errno.EIO;
      },
    };
    const sim = newSim(5);
    const node = makeNode(sim, 'alpha', { extraModules: { 'devnp-sloppy.so': sloppy } });
    node.run(['io-pkt-v4 -v -dsloppy', 'waitfor /dev/socket', 'ifconfig -l']);
    sim.queue.runUntil(sim.queue.now + 2_000_000_000);
    expect(node.console()).toBe('Unable to init devnp-sloppy.so: I/O error\nlo0\n');
    expect(node.iopkt().slog).not.toContain('sloppy callout still running');
    expect(node.iopkt().devices).toEqual([]);
  });
});
