/**
 * Regression: the RTL8029's PCI INTx line as Linux's 8259 sees it (emulator/machine/v86/guest-irq.ts).
 *
 * `npm run bench`'s guest sequence (scripts/bench-guest.ts, scripts/scenarios/bench-guest.yaml, copied here so
 * the timing stays the one that exposed the bug): boot, settle, snapshot, restore, then 100 pings at 20 ms. A
 * rise of the line raised while the queue caught up inside one of the driver's register reads was held until
 * the quantum's end and then applied after the driver's own ISR write had lowered the line: v86's
 * level-triggered input stayed high behind a device that was low, ei_interrupt found ISR = 0 about 100 000
 * times ("irq 10: nobody cared", "Disabling IRQ #10") and 26 % of the pings were lost. The adapter now drives
 * v86's input to the device's level when an apply runs. tests/v86/intx-line.test.ts checks the same without a
 * guest.
 */
import { guestRun, bootAndSnapshot, scenarioOf } from './helpers';

const YAML = `
name: bench-guest
seed: 1
until: 600s
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

const scenario = scenarioOf(YAML, 'bench-guest');
let fixture: Awaited<ReturnType<typeof bootAndSnapshot>>;

beforeAll(async () => {
  fixture = await bootAndSnapshot(scenario);
}, 120_000);

describe('RTL8029 INTx under Linux (level-triggered IRQ through v86 8259)', () => {
  test('100 pings at 20 ms after a restore: no loss, an interrupt count that fits the traffic, no IRQ storm', async () => {
    const a = await fixture.restore();
    // Typed first, exactly as the benchmark does: anything typed before it moves the timing.
    const ping = guestRun(a, 'linux1', 'ping -q -c 100 -i 0.02 10.0.0.1', 60 * 1e9);
    expect(ping).toContain('100 packets transmitted, 100 packets received, 0% packet loss');
    const irq = guestRun(a, 'linux1', 'grep eth0 /proc/interrupts');
    const line = irq.find((l) => /eth0/.test(l) && /^\s*\d+:/.test(l));
    expect(line).toBeDefined();
    const count = Number(/^\s*\d+:\s+(\d+)/.exec(line!)![1]);
    // Each ping is a transmit and a receive (sometimes handled in one interrupt), plus a few from the boot.
    expect(count).toBeGreaterThanOrEqual(100);
    expect(count).toBeLessThanOrEqual(400);
    // Linux's "irq 10: nobody cared" report ends with "Disabling IRQ #10" (the brackets keep the typed line from matching).
    const storm = guestRun(a, 'linux1', 'dmesg | grep -c -E "nobody c[a]red|Disabling IR[Q]"');
    expect(storm.filter((l) => /^\d+$/.test(l.trim()))).toEqual(['0']);
  });
});
