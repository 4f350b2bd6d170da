import * as path from 'node:path';
import { DEFAULT_SCENARIO, defaultScenarioFile } from '../../emulator/app/scenario/default';
import { defaultScenario, nicinfoCounter, REPO, run } from './helpers';

describe('the default VM (qnxemu boot)', () => {
  const r = run(defaultScenario(), { keepTrace: true });
  const alpha = r.consoles.get('alpha')!;
  const beta = r.consoles.get('beta')!;

  test('alpha configures en0 on its ISA NE2000 and pings beta with 0 % loss', () => {
    expect(alpha).toContain('en0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500');
    expect(alpha).toContain('\tinet 10.0.0.1 netmask 0xffffff00 broadcast 10.0.0.255');
    expect(alpha).toContain('PING 10.0.0.2 (10.0.0.2): 56 data bytes');
    expect(alpha).toMatch(/64 bytes from 10\.0\.0\.2: icmp_seq=3 ttl=255 time=\d+\.\d{3} ms/);
    expect(alpha).toContain('4 packets transmitted, 4 packets received, 0.0% packet loss');
  });

  test('beta runs the legacy devn-ne2000 through devnp-shim (mount -T io-pkt) as en0 on the PCI RTL8029', () => {
    expect(beta).toContain('address: 00:00:e8:0b:00:02');
    expect(beta).toContain('\tinet 10.0.0.2 netmask 0xffffff00 broadcast 10.0.0.255');
    const pci = r.nodes.find((n) => n.name === 'beta')!.syspage!.pci.find((d) => d.vendorId === 0x10ec && d.deviceId === 0x8029);
    expect(pci).toBeDefined();
    expect(pci!.irq).not.toBe(0xff);
  });

  test('nicinfo counts what crossed the wire', () => {
    expect(nicinfoCounter(alpha, 'Packets Transmitted OK')).toBeGreaterThanOrEqual(5); // ARP + 4 echo requests
    expect(nicinfoCounter(alpha, 'Packets Received OK')).toBeGreaterThanOrEqual(5);
    expect(alpha).toContain('I/O Aperture ............................... 0x300 - 0x31f');
    expect(alpha).toContain('Hardware Interrupt ......................... 0x5');
  });

  test('an echo request is traced from the application down one node and up the other', () => {
    const recs = r.trace.map((l) => JSON.parse(l) as { t: number; node: string; layer: string; probe: string; pkt: number });
    const send = recs.find((x) => x.layer === 'app' && x.probe === 'send')!;
    const hops = recs.filter((x) => x.pkt === send.pkt);
    const layers = hops.map((x) => `${x.node}:${x.layer}`);
    for (const want of ['alpha:app', 'alpha:ip', 'alpha:driver', 'alpha:nic', ':wire', 'beta:nic', 'beta:driver', 'beta:ifnet', 'beta:ip', 'beta:icmp'])
      expect(layers).toContain(want);
    expect(layers.indexOf('alpha:app')).toBeLessThan(layers.indexOf(':wire'));
    expect(layers.indexOf(':wire')).toBeLessThan(layers.indexOf('beta:icmp'));
    for (let i = 1; i < hops.length; i++) expect(hops[i]!.t).toBeGreaterThanOrEqual(hops[i - 1]!.t);
  });

  test('qnxemu boot runs the shipped example files', () => {
    expect(defaultScenarioFile()).toBe(path.join(REPO, DEFAULT_SCENARIO));
    const s = defaultScenario();
    expect(s.name).toBe('default');
    expect(s.nodes.map((n) => n.script[0]?.file)).toEqual(['alpha', 'beta'].map((n) => path.join(REPO, 'docs/examples/default', `${n}.build`)));
  });
});
