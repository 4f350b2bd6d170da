/**
 * An impairment on a Linux guest's NIC (v86 running Linux's ne2k-pci driver on our RTL8029): the frames the hub
 * delivers to the guest are held as configured, the same engine and port naming as for a simulated QNX node. A
 * QNX node pings the guest once it is up (≈3.6 s); every echo request waits 20 ms before the guest's NIC sees it.
 */
import { parseScenarioText, runScenarioCheckedAsync } from '../../emulator/app/testing/api';

const MS = 1_000_000;

const YAML = `name: impair-guest
seed: 1
until: 8s
nodes:
  alpha:
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:0a:00:01", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000 ioport=0x300,irq=5
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
  linux1:
    kind: guest
    nics: [{ model: rtl8029, mac: "52:54:00:00:00:03", link: hub0, impair: { delay: 20ms } }]
    ip: 10.0.0.3/24
links:
  hub0: { type: hub }
actions:
  - { at: 5s, node: alpha, ping: { to: 10.0.0.3, count: 3, interval: 500ms } }
`;

interface Rec { t: number; layer: string; probe: string; pkt: number; f?: Record<string, unknown> }

test("frames to a guest's NIC are held by its impairment; its pings' round trips carry the delay", async () => {
  const r = await runScenarioCheckedAsync(parseScenarioText(YAML), { keepTrace: true });
  const alpha = r.consoles.get('alpha')!;
  expect(alpha).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
  // Each round trip: 20 ms held on the way to the guest, nothing on the way back (alpha's port is not impaired);
  // the first also waits for ARP, whose request to the guest is held 20 ms too.
  const rtts = [...alpha.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]) * MS);
  expect(rtts).toHaveLength(3);
  expect(rtts[0]).toBeGreaterThanOrEqual(40 * MS);
  for (const t of rtts.slice(1)) {
    expect(t).toBeGreaterThanOrEqual(20 * MS);
    expect(t).toBeLessThan(40 * MS);
  }
  const holds = r.run.trace.map((l) => JSON.parse(l) as Rec).filter((x) => x.layer === 'impair' && x.probe === 'hold');
  expect(new Set(holds.map((h) => h.f!['port']))).toEqual(new Set(['linux1.nic0']));
  expect(new Set(holds.map((h) => h.f!['ns']))).toEqual(new Set([20 * MS]));
  expect(holds.length).toBeGreaterThanOrEqual(3);
  expect(r.faultNotes).toEqual([expect.stringMatching(/^hub0→linux1\.nic0: \d+ frames, mean delay 20\.0 ms$/)]);
}, 300_000);
