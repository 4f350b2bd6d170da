/**
 * Unmodified Debian Linux `tg3` on our BCM5701 (nic-models/bcm5701) in v86 guests, through the adapter's memory
 * BAR, bus-master DMA and INTx, on one gigabit switch with a simulated QNX node running devnp-bge (issue 8 §4).
 * The three nodes boot once; each test restores the snapshot taken when both guests sat at their prompts with
 * their links up.
 */
import * as path from 'node:path';
import type { Assembled } from '../../emulator/app/assembly/run';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { bootAndSnapshot, consoleSince, guest, guestRun, nicCounter, qnxStart, runUntil, scenarioOf, SEC } from './helpers';

const YAML = `
seed: 5
until: 120s
nodes:
  alpha:
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:01", link: sw0 }]
    script: |
      io-pkt-v4-hc -d bge
      waitfor /dev/socket 10
      ifconfig bge0 10.0.1.1/24 up
  linux1:
    kind: guest
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:03", link: sw0 }]
    ip: 10.0.1.3/24
    commands: [sleep 5]
  linux2:
    kind: guest
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:04", link: sw0 }]
    ip: 10.0.1.4/24
    commands: [sleep 5]
links:
  sw0: { type: switch }
`;

const scenario = scenarioOf(YAML, 'tg3');
let fixture: Awaited<ReturnType<typeof bootAndSnapshot>>;

beforeAll(async () => {
  fixture = await bootAndSnapshot(scenario);
}, 300_000);

describe('Linux tg3 on the BCM5701 model', () => {
  test('tg3 probes the chip, and its link comes up at 1000 Mb/s full duplex', async () => {
    const a = await fixture.restore();
    for (const name of ['linux1', 'linux2']) {
      const out = guestRun(a, name, 'dmesg | grep tg3; cat /sys/class/net/eth0/speed /sys/class/net/eth0/duplex');
      expect(out.some((l) => /tg3 0000:00:06\.0 eth0: Tigon3 \[partno\(BCM95701A5\) rev 0105\] \(PCI:33MHz:32-bit\) MAC address 00:10:18:01:57:0[34]$/.test(l))).toBe(true);
      expect(out.some((l) => l.endsWith('eth0: attached PHY is 5701 (10/100/1000Base-T Ethernet) (WireSpeed[1], EEE[0])'))).toBe(true);
      expect(out.some((l) => l.endsWith('eth0: Link is up at 1000 Mbps, full duplex'))).toBe(true);
      expect(out).toContain('1000');
      expect(out).toContain('full');
      expect(out.some((l) => /error|timed out|failed/i.test(l))).toBe(false);
    }
  });

  test("the BAR sits where SeaBIOS put it and Linux keeps it (R9): /proc/iomem and the adapter's trace agree", async () => {
    const recs: { probe: string; base: number; node: string }[] = [];
    const a = await fixture.restore({ onTrace: (r) => void (r.layer === 'pci' && r.probe.startsWith('bar-') && recs.push({ probe: r.probe, base: r.f!['base'] as number, node: r.node })) });
    const out = guestRun(a, 'linux1', 'grep 0000:00:06.0 /proc/iomem');
    expect(out.map((l) => l.trim())).toContain('febe0000-febeffff : 0000:00:06.0');
    const mine = recs.filter((r) => r.node === 'linux1');
    expect(mine.filter((r) => r.probe === 'bar-conflict')).toEqual([]);
    expect(mine.at(-1)).toEqual({ probe: 'bar-map', base: 0xfebe0000, node: 'linux1' });
  });

  test('a guest pings the QNX node (devnp-bge) across the switch, and the QNX node pings it', async () => {
    const a = await fixture.restore();
    expect(guestRun(a, 'linux1', 'ping -c 3 10.0.1.1')).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
    const from = a.nodes.find((n) => n.name === 'alpha')!.console.text().length;
    qnxStart(a, 'alpha', 'ping -c 4 10.0.1.3');
    runUntil(a, () => consoleSince(a, 'alpha', from).includes('packet loss'), 10 * SEC);
    expect(consoleSince(a, 'alpha', from)).toContain('4 packets transmitted, 4 packets received, 0.0% packet loss');
  });

  test('two tg3 guests move 1 MiB with busybox nc over Linux TCP: byte count and MD5 match', async () => {
    const c = nicCounter();
    const a: Assembled = await fixture.restore({ onTrace: c.sink });
    guestRun(a, 'linux2', 'nc -l -p 5001 > /tmp/got &');
    const made = guestRun(a, 'linux1', 'dd if=/dev/urandom of=/tmp/blob bs=1024 count=1024 2>/dev/null; md5sum /tmp/blob');
    const md5 = (lines: string[], file: string): string | undefined => lines.map((l) => new RegExp(`^([0-9a-f]{32})\\s+${file}$`).exec(l)?.[1]).find((x) => x !== undefined);
    const sent = md5(made, '/tmp/blob');
    expect(sent).toMatch(/^[0-9a-f]{32}$/);
    const t0 = a.sim.queue.now;
    guestRun(a, 'linux1', 'nc 10.0.1.4 5001 < /tmp/blob', 60 * SEC);
    const got = guestRun(a, 'linux2', 'wait; wc -c < /tmp/got; md5sum /tmp/got', 60 * SEC);
    expect(got).toContain('1048576');
    expect(md5(got, '/tmp/got')).toBe(sent);
    // Every frame went through the model's rings by DMA: at least 1 MiB / 1448 bytes of TCP payload per frame.
    expect(c.get('linux1.nic0', 'tx-done')).toBeGreaterThanOrEqual(Math.ceil(1048576 / 1448));
    expect(c.get('linux2.nic0', 'rx-accept')).toBeGreaterThanOrEqual(Math.ceil(1048576 / 1448));
    expect(c.get('linux1.nic0', 'master-abort') + c.get('linux2.nic0', 'master-abort')).toBe(0);
    const virtualMs = (a.sim.queue.now - t0) / 1e6;
    expect(virtualMs).toBeGreaterThan(8.4); // 1 MiB cannot cross a 1 Gb/s link faster than 8.4 ms
  });

  test('rmmod tg3 and insmod it again: Bus Master Enable off and on, chip reset, link and traffic come back', async () => {
    const recs: string[] = [];
    const a = await fixture.restore({ onTrace: (r) => void (r.node === 'linux1' && (r.probe === 'master-abort' || r.probe === 'reset' || r.probe.startsWith('bar-')) && recs.push(`${r.probe}`)) });
    const from = recs.length;
    const command = 'echo "command=$(dd if=/sys/bus/pci/devices/0000:00:06.0/config bs=2 skip=2 count=1 2>/dev/null | od -An -tx2)"';
    const cmd = (lines: string[]): number => parseInt(/command=\s*([0-9a-f]{4})/.exec(lines.find((l) => /^command=/.test(l)) ?? '')?.[1] ?? 'ffff', 16);
    expect(cmd(guestRun(a, 'linux1', command)) & 0x6).toBe(0x6); // tg3 bound: Memory Space and Bus Master on
    // pci_disable_device (rmmod) clears Bus Master Enable: from here the chip may not touch guest RAM.
    expect(cmd(guestRun(a, 'linux1', `ip link set eth0 down; rmmod tg3; ${command}`)) & 0x4).toBe(0);
    guestRun(a, 'linux1', 'modprobe tg3 && ip link set eth0 up && ip addr add 10.0.1.3/24 dev eth0; sleep 4');
    const out = guestRun(a, 'linux1', `dmesg | tail -4; ping -c 2 10.0.1.4; ${command}`);
    expect(cmd(out) & 0x6).toBe(0x6);
    expect(out.some((l) => l.endsWith('eth0: Link is up at 1000 Mbps, full duplex'))).toBe(true);
    expect(out).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
    // tg3's core resets clear the command register's Memory Space bit and tg3 restores it: unmap, map again.
    expect(recs.slice(from)).toContain('reset');
    expect(recs.slice(from).filter((p) => p === 'bar-map').length).toBeGreaterThan(0);
    expect(recs.slice(from)).not.toContain('master-abort');
    expect(recs.slice(from)).not.toContain('bar-conflict');
  });

  test('docs/examples/guest-tg3.yaml is a valid scenario with a tg3 guest and a devnp-bge node on one switch', () => {
    const sc = loadScenarioFile(path.resolve(__dirname, '../../docs/examples/guest-tg3.yaml'));
    expect(sc.nodes.map((n) => [n.name, n.kind ?? 'qnx', n.nics.map((x) => x.model).join()])).toEqual([
      ['alpha', 'qnx', 'bcm5701'],
      ['linux1', 'guest', 'bcm5701'],
    ]);
    expect(sc.links.map((l) => l.type)).toEqual(['switch']);
  });

  test('restore-and-continue equals continue (tg3 guests: MMIO, DMA and the replay log)', async () => {
    const steps = (a: Assembled): void => {
      guestRun(a, 'linux2', 'ping -c 2 10.0.1.3');
      a.sim.queue.runUntil(a.sim.queue.now + 1 * SEC);
    };
    const b = await fixture.restore();
    steps(fixture.booted);
    steps(b);
    expect(b.sim.queue.now).toBe(fixture.booted.sim.queue.now);
    expect(guest(b, 'linux2').console.text()).toBe(guest(fixture.booted, 'linux2').console.text());
    expect(b.sim.tracer.digest()).toBe(fixture.booted.sim.tracer.digest());
  });
});
