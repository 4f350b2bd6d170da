/**
 * radiotap pcaps of a wireless link, decoded by tshark: rate, channel, signal, noise, TX power, flags, FCS, no
 * malformed frames; the assembly's wireless path (buildNetwork, connectNic at the node's position); and determinism
 * (same seed ⇒ same pcap bytes).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { airRig, ackFrame, beaconFrame, dataFrame } from './helpers';
import { attachRadiotapPcap, fcs32, LINKTYPE_IEEE802_11_RADIOTAP, radiotapRecord } from '../../../emulator/machine/net/wireless/radiotap';
import { PcapMemoryWriter } from '../../../emulator/machine/net/pcap';
import { friisLossDb, noiseFloorDbm } from '../../../emulator/machine/net/wireless/propagation';
import { WIRELESS_DEFAULTS } from '../../../emulator/machine/net/wireless/medium';
import { parseScenario } from '../../../emulator/app/scenario/load';
import { buildNetwork, connectNic } from '../../../emulator/app/assembly/network';
import { Simulation } from '../../../emulator/machine/sim';
import type { NicInstance } from '../../../emulator/app/assembly/nics';
import type { Position, RadioListener, WirelessMedium } from '../../../emulator/machine/net/wireless/radio';

function tshark(file: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-o', 'wlan.check_checksum:TRUE', '-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.trim().split('\n').map((l) => l.split('|'));
}

function tmp(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-radiotap-'));
  return path.join(d, name);
}

/** A beacon at 1 Mb/s, a data frame at 54 Mb/s to b, its ACK at 24 Mb/s, a short-preamble 11 Mb/s frame. */
function exchange(seed: number): Uint8Array {
  const r = airRig(seed);
  const w = attachRadiotapPcap(r.air, new PcapMemoryWriter({ linktype: LINKTYPE_IEEE802_11_RADIOTAP }));
  const a = r.radio('a', { x: 0, y: 0, z: 0 }, 0x0a);
  const b = r.radio('b', { x: 20, y: 0, z: 0 }, 0x0b);
  r.at(1000, () => a.send(beaconFrame(a.addr, 'qnxnet', 1), 1));
  r.at(2_000_000, () => a.send(dataFrame(b.addr, a.addr, 300), 54));
  r.at(2_000_000 + 72_000, () => b.send(ackFrame(a.addr), 24));
  r.at(3_000_000, () => b.send(dataFrame(a.addr, b.addr, 100), 11, 0, true));
  r.run(4_000_000);
  return w.bytes();
}

describe('radiotap pcap (linktype 127)', () => {
  test('tshark decodes rate, channel, signal, noise, TX power and preamble, with good FCS and nothing malformed', () => {
    const file = tmp('air.pcap');
    fs.writeFileSync(file, exchange(1));
    const rows = tshark(file, [
      'frame.time_epoch', 'radiotap.datarate', 'radiotap.channel.freq', 'radiotap.channel.flags.ofdm', 'radiotap.channel.flags.cck',
      'radiotap.dbm_antsignal', 'radiotap.dbm_antnoise', 'radiotap.txpower', 'radiotap.flags.preamble', 'wlan.fc.type_subtype',
      'wlan.fcs.status', 'wlan.ssid', '_ws.malformed', '_ws.expert.message',
    ]);
    expect(rows).toHaveLength(4);
    const rx = (d: number) => String(Math.round(WIRELESS_DEFAULTS.txPowerDbm - friisLossDb(1, 2412) - 30 * Math.log10(d)));
    const noise = (bw: number) => String(Math.round(noiseFloorDbm(bw, WIRELESS_DEFAULTS.noiseFigureDb)));
    const [beacon, data, ack, cck] = rows as [string[], string[], string[], string[]];
    expect(beacon.slice(1, 5)).toEqual(['1', '2412', '0', '1']);
    expect(beacon.slice(5, 7)).toEqual([rx(20), noise(22e6)]); // broadcast: at the strongest receiver (b, 20 m)
    expect(beacon[11]).toBe(Buffer.from('qnxnet').toString('hex')); // tshark 4.0 prints SSIDs as hex in -T fields
    expect(data.slice(1, 8)).toEqual(['54', '2412', '1', '0', rx(20), noise(20e6), '16']);
    expect(ack.slice(1, 3)).toEqual(['24', '2412']);
    expect(cck.slice(1, 2)).toEqual(['11']);
    expect(cck[8]).toBe('1'); // short preamble
    expect(data[8]).toBe('0');
    expect(rows.map((x) => x[9])).toEqual(['0x0008', '0x0020', '0x001d', '0x0020']);
    expect(rows.map((x) => x[10])).toEqual(['1', '1', '1', '1']); // FCS good
    expect(rows.filter((x) => (x[12] ?? '') !== '' || (x[13] ?? '') !== '')).toEqual([]);
    // Virtual time: the frame's start.
    expect(Number(data[0])).toBeCloseTo(0.002, 9);
  });

  test('the FCS is the CRC-32 of 802.11 (check value of "123456789")', () => {
    expect(fcs32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const rec = radiotapRecord({ ppdu: { mpdu: ackFrame(new Uint8Array(6)), pktId: 0, rate: 1, shortPreamble: false }, channel: 14, txPowerDbm: 20, rx: null });
    expect(rec[2]).toBe(15); // header: 8 + flags + rate + channel (4) + TX power
    expect(rec[10]! | (rec[11]! << 8)).toBe(2484);
  });

  test('same seed ⇒ byte-identical pcap', () => {
    expect(Buffer.from(exchange(7)).equals(Buffer.from(exchange(7)))).toBe(true);
  });
});

describe('assembly: wireless links and positions', () => {
  const scenario = () => parseScenario(`name: air
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rtl8029, link: hub0 }]
    script: "echo"
  sta:
    position: { x: 0, y: 25, z: 2 }
    nics: [{ model: rtl8029, link: hub0 }]
    script: "echo"
links:
  hub0: { type: hub }
  air: { type: wireless, channel: 11, path-loss-exponent: 2, tx-power-dbm: 10 }
`, 'air.yaml', '/tmp');

  test('buildNetwork makes the air with the link’s parameters, the positions, and a radiotap pcap', () => {
    const dir = path.dirname(tmp('x'));
    const sim = new Simulation(1);
    const net = buildNetwork(sim, scenario(), dir);
    const air = net.air.get('air')!;
    expect(air.config.channel).toBe(11);
    expect(air.config.pathLoss.exponent).toBe(2);
    expect(air.config.txPowerDbm).toBe(10);
    expect(net.media.has('air')).toBe(false);
    expect(net.positions.get('sta')).toEqual({ x: 0, y: 25, z: 2 });

    // A wireless device the way a NIC kind provides one: connectRadio at its node's position.
    const attached: { name: string; pos: () => Position }[] = [];
    const listener: RadioListener = { rxEnd: () => undefined, ccaChanged: () => undefined, txDone: () => undefined };
    const fake = (node: string) => ({
      spec: { model: 'fake', link: 'air', mac: new Uint8Array(6), resources: { bus: 'pci', slot: null }, fields: {} },
      kind: {}, device: {
        connect: () => { throw new Error('wired'); },
        connectRadio(m: WirelessMedium, pos: () => Position) {
          m.attach(listener, `${node}.nic0`, pos);
          attached.push({ name: node, pos });
        },
      },
    }) as unknown as NicInstance;
    connectNic(net, 'ap', fake('ap'));
    connectNic(net, 'sta', fake('sta'));
    expect(air.radios.map((r) => r.name)).toEqual(['ap.nic0', 'sta.nic0']);
    net.positions.move('sta', { x: 3, y: 4, z: 0 });
    expect(attached[1]!.pos()).toEqual({ x: 3, y: 4, z: 0 });
    const wired = { ...fake('ap'), device: { connect: () => undefined } } as unknown as NicInstance;
    expect(() => connectNic(net, 'ap', wired)).toThrow(/has no radio for wireless link air/);

    const files = net.closePcaps();
    expect(files.map((f) => path.basename(f))).toEqual(['hub0.pcap', 'air.pcap']);
    const head = fs.readFileSync(files[1]!);
    expect(head.readUInt32LE(20)).toBe(127);
  });
});
