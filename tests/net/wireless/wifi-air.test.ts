/**
 * The air of a whole scenario: a QNX AP and a QNX station with RT2560s (devnp-ral, io-pkt-v4-hc's 802.11 layer)
 * associate and ping. Its radiotap pcap, read by tshark: nothing malformed, good FCSs, the signal and noise the
 * formulas give, DCF timing on the wire (each ACK starts SIFS + propagation after its data frame's last symbol), and
 * the same bytes for the same seed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenario } from '../../../emulator/app/scenario/load';
import { runScenarioChecked } from '../../../emulator/app/testing/api';
import { airtimeNs, channelFrequencyMHz } from '../../../emulator/machine/net/wireless/phy';
import type { WifiRate } from '../../../emulator/machine/net/wireless/radio';
import { friisLossDb, noiseFloorDbm, propagationDelayNs } from '../../../emulator/machine/net/wireless/propagation';
import { WIRELESS_DEFAULTS } from '../../../emulator/machine/net/wireless/medium';
import { sharedRun } from '../../helpers/shared-run';

const D = 20;
const scenario = (seed: number, extra = '') => parseScenario(`name: air-ping
seed: ${seed}
until: 9s
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:01", link: air }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ifconfig ral0 ssid qnxnet mediaopt hostap chan 6 10.0.2.1/24 up
  sta:
    position: { x: ${D}, y: 0 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:02", link: air }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ifconfig ral0 ssid qnxnet 10.0.2.2/24 up
links:
  air: { type: wireless, channel: 6 }
${extra || `actions:
  - { at: 5s, node: sta, ping: { to: 10.0.2.1, count: 3, interval: 500ms } }
expect:
  - { node: sta, console: "3 packets transmitted, 3 packets received, 0.0% packet loss" }`}
`, 'air-ping.yaml', '/tmp');

function run(seed: number): { pcap: Buffer; file: string; passed: boolean; failures: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-air-'));
  const r = runScenarioChecked(scenario(seed), { artifactsDir: dir });
  const file = path.join(dir, 'air.pcap');
  return { pcap: fs.readFileSync(file), file, passed: r.passed, failures: r.failures };
}

function tshark(file: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-o', 'wlan.check_checksum:TRUE', '-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.trim().split('\n').map((l) => l.split('|'));
}

describe('a QNX AP and station on the air', () => {
  const first = sharedRun(() => run(1));

  test('they associate and ping', () => {
    const one = first();
    expect(one.failures).toEqual([]);
    expect(one.passed).toBe(true);
  });

  test('tshark: no malformed frame, every FCS good, signal and noise at the addressee from the formulas', () => {
    const one = first();
    const rows = tshark(one.file, ['frame.number', 'wlan.fcs.status', '_ws.malformed', 'wlan.ra', 'radiotap.dbm_antsignal', 'radiotap.dbm_antnoise', 'radiotap.txpower', 'radiotap.channel.freq', 'radiotap.channel.flags.ofdm']);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((r) => r[1] !== '1' || r[2] !== '')).toEqual([]);
    const unicast = rows.filter((r) => r[3] !== 'ff:ff:ff:ff:ff:ff' && r[4] !== '');
    expect(unicast.length).toBeGreaterThan(10);
    for (const r of unicast) {
      const freq = Number(r[7]);
      expect(freq).toBe(channelFrequencyMHz(6));
      const signal = Number(r[6]) - friisLossDb(1, freq) - WIRELESS_DEFAULTS.pathLoss.exponent * 10 * Math.log10(D);
      expect(Number(r[4])).toBe(Math.round(signal));
      expect(Number(r[5])).toBe(Math.round(noiseFloorDbm(r[8] === '1' ? 20e6 : 22e6, WIRELESS_DEFAULTS.noiseFigureDb)));
    }
  });

  test('DCF timing on the wire: every ACK starts SIFS + propagation after the last symbol of the frame it answers', () => {
    const one = first();
    const rows = tshark(one.file, ['frame.time_epoch', 'wlan.fc.type_subtype', 'wlan.ta', 'wlan.ra', 'radiotap.datarate', 'radiotap.flags.preamble', 'frame.len', 'radiotap.length']);
    const ns = (t: string) => Math.round(Number(t) * 1e9);
    let checked = 0;
    for (let i = 1; i < rows.length; i++) {
      const [t, type, , ra] = rows[i]!;
      if (type !== '0x001d') continue; // ACK
      const prev = rows[i - 1]!;
      if (prev[2] !== ra) continue; // the frame before was not from the ACK's addressee
      const bytes = Number(prev[6]) - Number(prev[7]); // MPDU + FCS
      const air = airtimeNs(bytes, Number(prev[4]) as WifiRate, prev[5] === '1');
      // tshark prints epoch times to the ns; allow 1 ns of float rounding.
      expect(Math.abs(ns(t!) - (ns(prev[0]!) + air + 10_000 + propagationDelayNs(D)))).toBeLessThanOrEqual(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  test('same seed ⇒ byte-identical radiotap pcap; another seed ⇒ another capture', () => {
    const one = first();
    expect(run(1).pcap.equals(one.pcap)).toBe(true);
    expect(run(2).pcap.equals(one.pcap)).toBe(false);
  });
});

test('an interference burst above the energy-detect threshold holds every radio off the air until it ends', () => {
  // 20 dBm of noise 10 m from both: −50 dBm at each radio, CCA busy (≥ −62 dBm) from 6 s to 7.5 s. The station's
  // pings of 6.0, 6.5 and 7.0 s wait in its queue and go when the air is clear.
  const sc = scenario(1, `faults:
  - { at: 6s, until: 7500ms, link: air, kind: interference, position: { x: 10, y: 1 }, power-dbm: 20 }
actions:
  - { at: 5500ms, node: sta, command: "ping -c 6 -i 0.5 10.0.2.1" }`);
  const r = runScenarioChecked(sc);
  const rtts = [...(r.consoles.get('sta') ?? '').matchAll(/icmp_seq=(\d) ttl=\d+ time=([\d.]+) ms/g)].map((m) => [Number(m[1]), Number(m[2])]);
  expect(rtts.map(([seq]) => seq)).toEqual([0, 1, 2, 3, 4, 5]);
  for (const [seq, rtt] of rtts) {
    const sent = 5500 + 500 * seq!;
    if (sent >= 6000 && sent < 7500) expect(rtt!).toBeGreaterThanOrEqual(7500 - sent);
    else expect(rtt!).toBeLessThan(20);
  }
  expect(r.faultNotes).toEqual(['faults[0] interference: radiated 20 dBm on channel 6 from (10, 1, 0) on air']);
});

describe('hidden terminals in a whole scenario', () => {
  /** Two stations (ARP resolved by a ping first) each sending 400 UDP datagrams of 1000 bytes in 1 s to the AP; s2 at `x2` (s1 at −60, the AP at 0). */
  const hidden = (x2: number) => parseScenario(`name: hidden
seed: 1
until: 9s
nodes:
${[['ap', 0, 1, '  mediaopt hostap chan 6'], ['s1', -60, 2, ''], ['s2', x2, 3, '']].map(([n, x, i, opt]) => `  ${n}:
    position: { x: ${x}, y: 0 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:0${i}", link: air }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ifconfig ral0 ssid qnxnet${opt} 10.0.2.${i}/24 up`).join('\n')}
links:
  air: { type: wireless, channel: 6 }
actions:
  - { at: 5s, node: s1, ping: { to: 10.0.2.1, count: 1 } }
  - { at: 5s, node: s2, ping: { to: 10.0.2.1, count: 1 } }
  - { at: 6s, node: s1, udp: { to: 10.0.2.1, port: 9000, rate: 400, count: 400, size: 1000, sink: ap } }
  - { at: 6s, node: s2, udp: { to: 10.0.2.1, port: 9001, rate: 400, count: 400, size: 1000, sink: ap } }
`.replace('until: 9s', 'until: 7500ms'), 'hidden.yaml', '/tmp');
  const received = (x2: number): number => {
    const r = runScenarioChecked(hidden(x2));
    return [...(r.consoles.get('ap') ?? '').matchAll(/udpsink: port \d+: (\d+) datagrams received/g)].reduce((s, m) => s + Number(m[1]), 0);
  };

  test('120 m apart (below each other’s −82 dBm preamble detection) the stations collide at the AP; 5 m apart they defer', () => {
    const tx = 18; // the RT2560's EEPROM TX power (dBm)
    const at = (d: number) => tx - friisLossDb(1, channelFrequencyMHz(6)) - 30 * Math.log10(d);
    expect(at(120)).toBeLessThan(WIRELESS_DEFAULTS.sensitivityDbm);
    expect(at(60)).toBeGreaterThan(WIRELESS_DEFAULTS.sensitivityDbm + 4);
    const hiddenRx = received(60);
    const inRangeRx = received(-55);
    // Measured: 338 of 800 hidden (931 of 1361 data frames on the air are retries), 800 of 800 in range (112 of 927).
    expect(inRangeRx).toBe(800);
    expect(hiddenRx).toBeLessThan(0.6 * 800);
  });
});
