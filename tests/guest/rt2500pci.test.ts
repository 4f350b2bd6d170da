/**
 * Unmodified Debian Linux `rt2500pci` + mac80211 on our RT2560 (nic-models/rt2560) in a v86 guest, through the
 * card's memory BAR, bus-master DMA and INTx, in the air of one `type: wireless` link with a simulated QNX access
 * point (io-pkt-v4-hc, devnp-ral, `mediaopt hostap`) and a QNX station (issue 9 §4). The three nodes boot once;
 * each test restores the snapshot taken when the guest sat at its prompt with wlan0 up and unassociated.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Assembled } from '../../emulator/app/assembly/run';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { WIRELESS_DEFAULTS } from '../../emulator/machine/net/wireless/medium';
import { channelFrequencyMHz } from '../../emulator/machine/net/wireless/phy';
import { pathLossDb } from '../../emulator/machine/net/wireless/propagation';
import { bootAndSnapshot, consoleSince, guest, guestRun, nicCounter, qnxStart, runUntil, scenarioOf, SEC } from './helpers';

const AP_MAC = '00:0c:43:25:60:01';
const STA_MAC = '00:0c:43:25:60:02';
const GUEST_MAC = '00:0c:43:25:60:03';
/** The AP and the guest 10 m apart, the QNX station 5 m from the AP. */
const GUEST_DISTANCE_M = 10;

const YAML = `
seed: 9
until: 120s
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rt2560, mac: "${AP_MAC}", link: air0 }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ifconfig ral0 ssid qnxap mediaopt hostap chan 6 10.0.2.1/24 up
  sta:
    position: { x: 5, y: 0 }
    nics: [{ model: rt2560, mac: "${STA_MAC}", link: air0 }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ifconfig ral0 ssid qnxap 10.0.2.2/24 up
  linux1:
    kind: guest
    position: { x: ${GUEST_DISTANCE_M}, y: 0 }
    nics: [{ model: rt2560, mac: "${GUEST_MAC}", link: air0 }]
    ip: 10.0.2.3/24
links:
  air0: { type: wireless, channel: 6 }
`;

const scenario = scenarioOf(YAML, 'rt2500pci');
let fixture: Awaited<ReturnType<typeof bootAndSnapshot>>;

beforeAll(async () => {
  fixture = await bootAndSnapshot(scenario);
}, 300_000);

/** `iw dev wlan0 scan` output split into one block per BSS ("BSS xx:xx…(on wlan0)" lines start them). */
function scanBlocks(lines: string[]): { bssid: string; text: string[] }[] {
  const out: { bssid: string; text: string[] }[] = [];
  for (const l of lines) {
    const m = /^BSS ([0-9a-f:]{17})/.exec(l);
    if (m) out.push({ bssid: m[1]!, text: [] });
    else out.at(-1)?.text.push(l.trim());
  }
  return out;
}

describe('Linux rt2500pci + mac80211 on the RT2560 model', () => {
  test('rt2500pci binds the card: phy0 and wlan0, the chip and RF identified, no errors', async () => {
    const a = await fixture.restore();
    const out = guestRun(a, 'linux1', 'dmesg | grep -e phy0 -e rt2500pci -e rt2x00; ls /sys/class/ieee80211; iw dev; cat /sys/bus/pci/devices/0000:00:06.0/vendor /sys/bus/pci/devices/0000:00:06.0/device');
    expect(out).toContain('phy0');
    expect(out).toContain('0x1814');
    expect(out).toContain('0x0201');
    expect(out.some((l) => /^\s*Interface wlan0$/.test(l))).toBe(true);
    expect(out.some((l) => l.trim() === `addr ${GUEST_MAC}`)).toBe(true);
    expect(out.some((l) => /Chipset detected - rt: 2560, rf: 0003, rev: 0004/.test(l))).toBe(true);
    expect(out.some((l) => /error|timed out|failed/i.test(l))).toBe(false);
  });

  test('iw dev wlan0 scan lists the QNX AP: its SSID, channel 6, and a signal the path loss explains', async () => {
    const a = await fixture.restore();
    const out = guestRun(a, 'linux1', 'iw dev wlan0 scan', 30 * SEC);
    const ap = scanBlocks(out).find((b) => b.bssid === AP_MAC);
    expect(ap).toBeDefined();
    expect(ap!.text).toContain('SSID: qnxap');
    expect(ap!.text).toContain('freq: 2437');
    expect(ap!.text.some((l) => /^DS Parameter set: channel 6$/.test(l))).toBe(true);
    const signal = Number(/^signal: (-?\d+\.\d+) dBm$/.exec(ap!.text.find((l) => l.startsWith('signal:')) ?? '')?.[1]);
    // What the AP radiates, less the log-distance loss over 10 m on channel 6; the RT2560 reports whole dBm in
    // RXD_W2.RSSI (dBm + 121) and rt2500pci_fill_rxdone subtracts the offset again.
    const apRadio = a.network.air.get('air0')!.radios.find((r) => r.name === 'ap.nic0')!;
    const expected = apRadio.txPowerDbm - pathLossDb(GUEST_DISTANCE_M, channelFrequencyMHz(6), WIRELESS_DEFAULTS.pathLoss);
    expect(Math.abs(signal - expected)).toBeLessThanOrEqual(1);
  });

  test('iw dev wlan0 connect associates with the QNX AP; iw dev wlan0 link shows its BSSID and SSID', async () => {
    const a = await fixture.restore();
    const out = guestRun(a, 'linux1', 'iw dev wlan0 connect -w qnxap; iw dev wlan0 link; dmesg | grep wlan0:', 30 * SEC);
    expect(out.some((l) => l.startsWith(`wlan0 (phy #0): connected to ${AP_MAC}`))).toBe(true);
    // mac80211's client MLME (net/mac80211/mlme.c): open-system authentication, then association, each first try.
    const log = out.map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
    expect(log).toContain(`wlan0: send auth to ${AP_MAC} (try 1/3)`);
    expect(log).toContain('wlan0: authenticated');
    expect(log).toContain(`wlan0: associate with ${AP_MAC} (try 1/3)`);
    expect(log.some((l) => new RegExp(`^wlan0: RX AssocResp from ${AP_MAC} \\(capab=0x[0-9a-f]+ status=0 aid=\\d+\\)$`).test(l))).toBe(true);
    expect(log).toContain('wlan0: associated');
    expect(out).toContain(`Connected to ${AP_MAC} (on wlan0)`);
    expect(out.map((l) => l.trim())).toContain('SSID: qnxap');
    expect(out.map((l) => l.trim())).toContain('freq: 2437');
  });

  test('the guest pings the QNX AP and the QNX station through it; the AP and the station ping the guest', async () => {
    const a = await fixture.restore();
    guestRun(a, 'linux1', 'iw dev wlan0 connect -w qnxap', 30 * SEC);
    expect(guestRun(a, 'linux1', 'ping -c 3 10.0.2.1', 30 * SEC)).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
    expect(guestRun(a, 'linux1', 'ping -c 3 10.0.2.2', 30 * SEC)).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
    for (const node of ['ap', 'sta']) {
      // The AP answers from its own stack; the station's echo requests go up to the AP and back down to the guest.
      const from = consoleSince(a, node, 0).length;
      qnxStart(a, node, 'ping -c 3 10.0.2.3');
      runUntil(a, () => consoleSince(a, node, from).includes('packet loss'), 20 * SEC);
      expect(consoleSince(a, node, from)).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    }
  });

  test('rmmod rt2500pci and insmod it again: Bus Master off and on, the chip reset and set up again, wlan0 associates and pings', async () => {
    const recs: string[] = [];
    const a = await fixture.restore({ onTrace: (r) => void (r.node === 'linux1' && r.layer === 'nic' && ['master-abort', 'reset', 'power-state'].includes(r.probe) && recs.push(r.probe)) });
    const command = 'echo "command=$(dd if=/sys/bus/pci/devices/0000:00:06.0/config bs=2 skip=2 count=1 2>/dev/null | od -An -tx2)"';
    const cmd = (lines: string[]): number => parseInt(/command=\s*([0-9a-f]{4})/.exec(lines.find((l) => /^command=/.test(l)) ?? '')?.[1] ?? 'ffff', 16);
    guestRun(a, 'linux1', 'iw dev wlan0 connect -w qnxap', 30 * SEC);
    expect(cmd(guestRun(a, 'linux1', command)) & 0x6).toBe(0x6); // Memory Space and Bus Master on
    // rt2x00pci_remove → pci_disable_device clears Bus Master Enable: from here the chip may not touch guest RAM.
    const down = guestRun(a, 'linux1', `ip link set wlan0 down; rmmod rt2500pci; ls /sys/class/ieee80211; ${command}`);
    expect(cmd(down) & 0x4).toBe(0);
    expect(down.some((l) => /phy\d/.test(l))).toBe(false);
    const from = recs.length;
    const up = guestRun(a, 'linux1', 'modprobe rt2500pci && ip link set wlan0 up && ip addr add 10.0.2.3/24 dev wlan0 && iw dev wlan0 connect -w qnxap; ping -c 1 -W 3 10.0.2.1 >/dev/null; ping -c 3 10.0.2.1; iw dev', 40 * SEC);
    expect(up.some((l) => l.startsWith(`wlan0 (phy #1): connected to ${AP_MAC}`))).toBe(true);
    expect(up).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
    expect(up.some((l) => l.trim() === `addr ${GUEST_MAC}`)).toBe(true);
    expect(recs.slice(from)).toContain('reset'); // rt2500pci_init_registers: CSR1 SOFT_RESET when the radio is enabled again
    expect(recs).not.toContain('master-abort');
  });

  test('moved out of range the guest loses the AP (beacon loss, then unanswered probes); moved back it connects and pings again', async () => {
    const a = await fixture.restore();
    guestRun(a, 'linux1', 'iw dev wlan0 connect -w qnxap; iw event > /tmp/events & sleep 1', 30 * SEC);
    // 300 m: 18 dBm less ≈ 114 dB of path loss is far below the receivers' −82 dBm sensitivity, both ways.
    a.network.positions.move('linux1', { x: 300, y: 0, z: 0 });
    // mac80211 (mlme.c) misses 7 beacons, probes the AP, gets no answer and drops the connection with reason 4
    // (inactivity); it logs that at debug level only, and cfg80211 tells user space (nl80211 DISCONNECT).
    const gone = guestRun(a, 'linux1', 'sleep 6; iw dev wlan0 link; kill %1; cat /tmp/events', 30 * SEC);
    expect(gone).toContain('Not connected.');
    expect(gone).toEqual(expect.arrayContaining([expect.stringMatching(/^wlan0 \(phy #0\): disconnected \(local request\) reason: 4: /)]));
    expect(guestRun(a, 'linux1', 'ping -c 2 -W 1 10.0.2.1', 30 * SEC)).toContain('2 packets transmitted, 0 packets received, 100% packet loss');
    a.network.positions.move('linux1', { x: GUEST_DISTANCE_M, y: 0, z: 0 });
    // The pings out of range left the guest's neighbour entry for the AP INCOMPLETE, retrying on its own 1 s timer: the next echo
    // request waits in it and is dropped when the entry fails (net/core/neighbour.c neigh_invalidate); the fresh
    // ARP exchange after that succeeds. So one ping to settle ARP, then none may be lost.
    const back = guestRun(a, 'linux1', 'iw dev wlan0 connect -w qnxap; ping -c 1 -W 3 10.0.2.1; ping -c 3 10.0.2.1; ip neigh', 30 * SEC);
    expect(back.some((l) => l.startsWith(`wlan0 (phy #0): connected to ${AP_MAC}`))).toBe(true);
    expect(back).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
    expect(back.some((l) => l.startsWith(`10.0.2.1 dev wlan0 lladdr ${AP_MAC}`) && l.endsWith('REACHABLE'))).toBe(true);
  });

  test('every frame went through the descriptor rings by DMA: the guest NIC transmitted and received, and never master-aborted', async () => {
    const c = nicCounter();
    const a = await fixture.restore({ onTrace: c.sink });
    const before = { tx: c.get('linux1.nic0', 'tx-done'), rx: c.get('linux1.nic0', 'rx-accept') };
    guestRun(a, 'linux1', 'iw dev wlan0 connect -w qnxap; ping -c 5 10.0.2.1', 30 * SEC);
    // Probe request(s), authentication, association request, ARP and 5 echo requests at least.
    expect(c.get('linux1.nic0', 'tx-done') - before.tx).toBeGreaterThanOrEqual(9);
    expect(c.get('linux1.nic0', 'rx-accept') - before.rx).toBeGreaterThanOrEqual(9);
    expect(c.get('linux1.nic0', 'master-abort')).toBe(0);
  });

  test("the radiotap capture holds mac80211's real frames, which tshark decodes with good FCS and nothing malformed", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-rt2500pci-'));
    const a = await fixture.restore({ pcapDir: dir });
    guestRun(a, 'linux1', 'iw dev wlan0 connect -w qnxap; ping -c 2 10.0.2.1', 30 * SEC);
    a.close();
    const file = path.join(dir, 'air0.pcap');
    const rows = execFileSync('tshark', ['-o', 'wlan.check_checksum:TRUE', '-r', file, '-T', 'fields', '-E', 'separator=|',
      ...['wlan.fc.type_subtype', 'wlan.ta', 'wlan.ra', 'wlan.fc.ds', 'wlan.fcs.status', '_ws.malformed', 'icmp.type'].flatMap((f) => ['-e', f])], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    }).trim().split('\n').map((l) => l.split('|'));
    const fromGuest = rows.filter((r) => r[1] === GUEST_MAC);
    const kinds = new Set(fromGuest.map((r) => Number(r[0])));
    // 802.11-2016 Table 9-1: probe request 0x04, authentication 0x0b, association request 0x00, data 0x20.
    for (const k of [0x04, 0x0b, 0x00, 0x20]) expect(kinds).toContain(k);
    // The guest's echo requests go to the AP with To DS set (ds = 1); the AP's replies come From DS (ds = 2).
    expect(fromGuest.filter((r) => r[6] === '8').every((r) => r[2] === AP_MAC && r[3] === '0x01')).toBe(true);
    expect(rows.filter((r) => r[6] === '0' && r[1] === AP_MAC).every((r) => r[3] === '0x02')).toBe(true);
    expect(rows.filter((r) => r[6] === '8' && r[1] === GUEST_MAC).length).toBeGreaterThanOrEqual(2);
    expect(rows.filter((r) => r[6] === '0' && r[1] === AP_MAC && r[2] === GUEST_MAC).length).toBeGreaterThanOrEqual(2);
    // wlan.fcs.status 1 = good: the capture carries each MPDU's FCS as the air had it.
    expect(rows.filter((r) => r[4] !== '' && r[4] !== '1')).toEqual([]);
    expect(rows.filter((r) => r[5] !== '')).toEqual([]);
  });

  test('restore-and-continue equals continue (rt2500pci guest: MMIO, DMA, the air and the replay log)', async () => {
    const steps = (a: Assembled): void => {
      guestRun(a, 'linux1', 'iw dev wlan0 connect -w qnxap; ping -c 2 10.0.2.2', 30 * SEC);
      a.sim.queue.runUntil(a.sim.queue.now + 1 * SEC);
    };
    const b = await fixture.restore();
    steps(fixture.booted);
    steps(b);
    expect(b.sim.queue.now).toBe(fixture.booted.sim.queue.now);
    expect(guest(b, 'linux1').console.text()).toBe(guest(fixture.booted, 'linux1').console.text());
    expect(b.sim.tracer.digest()).toBe(fixture.booted.sim.tracer.digest());
  });

  test('docs/examples/guest-rt2500pci.yaml is a valid scenario: a Linux station and a QNX AP in one air', () => {
    const sc = loadScenarioFile(path.resolve(__dirname, '../../docs/examples/guest-rt2500pci.yaml'));
    expect(sc.nodes.map((n) => [n.name, n.kind ?? 'qnx', n.nics.map((x) => x.model).join()])).toEqual([
      ['ap', 'qnx', 'rt2560'],
      ['linux1', 'guest', 'rt2560'],
    ]);
    expect(sc.links.map((l) => l.type)).toEqual(['wireless']);
  });
});
