import * as path from 'node:path';
import { loadScenarioFile, parseScenario } from '../../emulator/app/scenario/load';
import { run } from './helpers';

describe('board and topology variants', () => {
  test('I/O APIC mode, two CPUs, a learning switch, ISA at 0x280/IRQ 3, and ifconfig destroy', () => {
    const r = run(loadScenarioFile(path.join(__dirname, 'fixtures/ioapic-switch-smp.yaml')), { keepTrace: true });
    const alpha = r.consoles.get('alpha')!;
    expect(alpha).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    // After destroy only lo0 is left.
    const after = alpha.slice(alpha.indexOf('round-trip'));
    expect(after).toContain('lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 33192');
    expect(after).not.toContain('en0:');
    // alpha's NIC interrupts arrived through the I/O APIC (PCI pins 16–19), on vectors the kernel programmed.
    const ints = r.trace.map((l) => JSON.parse(l) as { node: string; layer: string; probe: string; f?: { irq?: number } })
      .filter((x) => x.node === 'alpha' && x.layer === 'kernel' && x.probe === 'interrupt');
    expect(ints.length).toBeGreaterThan(0);
    expect(ints.every((x) => (x.f?.irq ?? 0) >= 16)).toBe(true);
    expect(r.consoles.get('beta')).toMatch(/en0 +1500 +10\.0\.0\/24 +10\.0\.0\.2/);
  });

  test('a cable between two nodes (half duplex: neither RTL8029 has FUDUP set)', () => {
    const s = parseScenario(
      `until: 3s
nodes:
  a:
    nics: [{ model: rtl8029, link: c }]
    script: |
      io-pkt-v4 -dne2000
      waitfor /dev/socket
      ifconfig en0 192.168.7.1/24
      sleep 0.5
      ping -c 2 192.168.7.2
  b:
    nics: [{ model: rtl8029, link: c }]
    script: |
      io-pkt-v4 -dne2000
      waitfor /dev/socket
      ifconfig en0 192.168.7.2/24
links:
  c: { type: cable, length-m: 100 }
`,
      'cable.yaml',
      '.',
    );
    const r = run(s);
    expect(r.consoles.get('a')).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
  });

  test('io-pkt reports a driver that is not in the image the QNX way', () => {
    const s = parseScenario(
      `until: 1s
nodes:
  a:
    nics: [{ model: rtl8029, link: h }]
    script: |
      io-pkt-v4 -v -dfoo -pnfm
      waitfor /dev/socket 2
      ifconfig -a
links:
  h: { type: hub }
`,
      'missing.yaml',
      '.',
    );
    const c = run(s).consoles.get('a')!;
    expect(c).toContain('Unable to load devn-foo.so: Library cannot be found');
    expect(c).toContain('Unable to load lsm-nfm.so: Library cannot be found');
  });
});
