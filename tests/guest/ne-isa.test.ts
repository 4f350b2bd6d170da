/**
 * Linux's `ne` driver (ISA, io=0x300 irq=10) on our ISA NE2000 model in a v86 guest, and a simulated QNX
 * node with a PCI RTL8029 on one hub. The guest boots once; each test restores the snapshot.
 */
import type { Assembled } from '../../emulator/app/assembly/run';
import { isaIoNs } from '../../emulator/machine/board/isa-bus';
import { decodeAccess } from '../../emulator/machine/v86/guest-log';
import { bootAndSnapshot, consoleSince, guest, guestRun, nicCounter, procNetDev, qnxStart, runUntil, scenarioOf, SEC } from './helpers';
import { NE_ISA_YAML } from './ne-isa-scenario';

const scenario = scenarioOf(NE_ISA_YAML, 'ne-isa');
let fixture: Awaited<ReturnType<typeof bootAndSnapshot>>;

beforeAll(async () => {
  fixture = await bootAndSnapshot(scenario);
}, 120_000);

describe('Linux ne (ISA) on the NE2000 model', () => {
  test('ne finds the card at 0x300 with IRQ 10 and the guest boots to its prompt', () => {
    const g = guest(fixture.booted, 'linux1');
    expect(g.shell.lines).toContain('qnxemu-guest-ready');
    expect(g.shell.lines.some((l) => l.startsWith('qnxemu-guest-error'))).toBe(false);
  });

  test("the guest's CPU waited for every ISA cycle its driver issued: stall time = Σ cycle times of the logged accesses", () => {
    const g = guest(fixture.booted, 'linux1');
    const dev = g.nics[0]!.device;
    if (dev.bus !== 'isa') throw new Error('expected an ISA NIC');
    // Every access the guest made through the card's window (target 0) since power-on is in the log; each
    // cost the ISA cycle(s) the bus gives for the NE2000's timing (16-bit data port, byte registers).
    let expected = 0;
    let accesses = 0;
    let dataWords = 0;
    for (const q of g.machine.log.quanta) {
      for (let i = 0; i < q.ops.length; ) {
        const op = q.ops[i]!;
        if (typeof op === 'string') {
          i++;
          continue;
        }
        i += 2;
        if (op < 0) continue; // a sync point
        const a = decodeAccess(op);
        if (a.target !== 0) continue;
        accesses++;
        if (a.offset === 0x10 && a.size === 2) dataWords++;
        expected += isaIoNs(dev.timing, 'subtractive', a.offset, a.size, a.write);
      }
    }
    expect(accesses).toBeGreaterThan(100);
    expect(dataWords).toBeGreaterThan(0); // ne.c moves packet data with insw/outsw at the data port
    expect(g.machine.clock.stallNs).toBe(expected);
  });

  test("the kernel does no ISA PnP isolation (noisapnp: docs/guest-images.md): it says so, and ne found the jumpered card without it", async () => {
    const a = await fixture.restore();
    const out = guestRun(a, 'linux1', 'cat /proc/cmdline; dmesg | grep isapnp');
    expect(out.some((l) => l.startsWith('console=ttyS0 ') && l.split(' ').includes('noisapnp'))).toBe(true);
    expect(out.some((l) => l.endsWith('] isapnp: ISA Plug & Play support disabled'))).toBe(true);
    expect(out.some((l) => /isapnp: (Scanning|No Plug & Play device found|Card)/.test(l))).toBe(false);
    expect(guest(a, 'linux1').shell.lines).toContain('qnxemu-guest-ready');
  });

  test('the guest pings the QNX node: 3 of 3, 0 % loss', async () => {
    const a = await fixture.restore();
    expect(guestRun(a, 'linux1', 'ping -c 3 10.0.0.1')).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
  });

  test('the QNX node pings the guest: 4 of 4, 0 % loss', async () => {
    const a = await fixture.restore();
    const from = a.nodes.find((n) => n.name === 'alpha')!.console.text().length;
    qnxStart(a, 'alpha', 'ping -c 4 10.0.0.3');
    runUntil(a, () => consoleSince(a, 'alpha', from).includes('packet loss'), 10 * SEC);
    expect(consoleSince(a, 'alpha', from)).toContain('4 packets transmitted, 4 packets received, 0.0% packet loss');
  });

  test("the guest's interface counters agree with the model's", async () => {
    const c = nicCounter();
    const a: Assembled = await fixture.restore({ onTrace: c.sink });
    guestRun(a, 'linux1', 'ping -c 3 -s 1000 10.0.0.1');
    const dev = procNetDev(guestRun(a, 'linux1', 'cat /proc/net/dev'), 'eth0');
    expect(dev.txPackets).toBe(c.get('linux1.nic0', 'tx-done'));
    expect(dev.rxPackets).toBe(c.get('linux1.nic0', 'rx-accept'));
    expect(dev.rxPackets).toBeGreaterThanOrEqual(3);
    expect(dev.rxErrs + dev.rxDrop + dev.rxFifo).toBe(0);
  });
});
