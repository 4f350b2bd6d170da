/**
 * Linux's ne2k-pci driver on our RTL8029 model (PCI, in a v86 guest) and a simulated QNX node with an ISA
 * NE2000 on one hub. The guest boots once; each test restores the snapshot taken at its idle prompt.
 */
import type { Assembled } from '../../emulator/app/assembly/run';
import { takeSnapshot } from '../../emulator/app/assembly/snapshot';
import { bootAndSnapshot, consoleSince, guest, guestRun, nicCounter, procNetDev, qnxStart, runUntil, scenarioOf, SEC } from './helpers';

const YAML = `
seed: 7
until: 60s
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

const scenario = scenarioOf(YAML, 'ne2k-pci');
let fixture: Awaited<ReturnType<typeof bootAndSnapshot>>;

beforeAll(async () => {
  fixture = await bootAndSnapshot(scenario);
}, 120_000);

describe('Linux ne2k-pci on the RTL8029 model', () => {
  test('the driver binds our RTL8029 and the guest boots to its prompt', () => {
    const g = guest(fixture.booted, 'linux1');
    expect(g.shell.lines).toContain('qnxemu-guest-ready');
    expect(g.shell.lines.some((l) => l.startsWith('qnxemu-guest-error'))).toBe(false);
    expect(g.shell.atPrompt).toBe(true);
  });

  test('the guest pings the QNX node: 3 of 3, 0 % loss', async () => {
    const a = await fixture.restore();
    const out = guestRun(a, 'linux1', 'ping -c 3 10.0.0.1');
    expect(out).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
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
    guestRun(a, 'linux1', 'ping -c 3 10.0.0.1');
    const from = a.nodes.find((n) => n.name === 'alpha')!.console.text().length;
    qnxStart(a, 'alpha', 'ping -c 2 10.0.0.3');
    runUntil(a, () => consoleSince(a, 'alpha', from).includes('packet loss'), 10 * SEC);
    const dev = procNetDev(guestRun(a, 'linux1', 'cat /proc/net/dev'), 'eth0');
    expect(dev.txPackets).toBe(c.get('linux1.nic0', 'tx-done'));
    expect(dev.rxPackets).toBe(c.get('linux1.nic0', 'rx-accept'));
    expect(dev.rxPackets).toBeGreaterThanOrEqual(5); // 3 replies + 2 requests (+ ARP)
    expect(dev.rxErrs + dev.rxDrop + dev.rxFifo).toBe(0);
  });

  test("bus-master DMA reaches the guest's RAM (for models that do DMA)", async () => {
    const a = await fixture.restore();
    const g = guest(a, 'linux1');
    const ram = g.spec.ramBytes;
    const addr = 0x9f000; // conventional memory below the EBDA, unused by Linux after boot
    const pattern = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 1) & 0xff);
    expect(g.dma.write(addr, pattern)).toBeGreaterThan(0);
    const back = new Uint8Array(64);
    g.dma.read(addr, back);
    expect(Array.from(back)).toEqual(Array.from(pattern));
    expect(Array.from(g.machine.cpu!.mem8.subarray(addr, addr + 4))).toEqual([1, 8, 15, 22]);
    // Past the end of RAM: master abort, reads all ones.
    const past = new Uint8Array(8);
    g.dma.read(ram + 0x1000, past);
    expect(Array.from(past)).toEqual(new Array(8).fill(0xff));
  });

  test('restore-and-continue equals continue (trace hash, console)', async () => {
    // Continue the booted run itself and a restored copy by the same steps.
    const steps = (a: Assembled): void => {
      guestRun(a, 'linux1', 'ping -c 2 10.0.0.1');
      a.sim.queue.runUntil(a.sim.queue.now + 1 * SEC);
    };
    const b = await fixture.restore();
    steps(fixture.booted);
    steps(b);
    expect(b.sim.queue.now).toBe(fixture.booted.sim.queue.now);
    expect(guest(b, 'linux1').console.text()).toBe(guest(fixture.booted, 'linux1').console.text());
    expect(b.sim.tracer.digest()).toBe(fixture.booted.sim.tracer.digest());
    // Once driven from outside the scenario, a run cannot be snapshotted (it could not be replayed).
    expect(() => takeSnapshot(b, scenario)).toThrow(/outside the scenario/);
  });
});
