/**
 * Captures hooked onto real runs (in process): which frames each tap keeps, their time stamps, comments and
 * bytes, the filter, and that capturing changes nothing in the run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Capture } from '../../emulator/app/capture/capture';
import { parseCaptureFilter } from '../../emulator/app/capture/frame-filter';
import { resolveTaps, TapError } from '../../emulator/app/capture/taps';
import { parseScenarioText, runScenarioChecked } from '../../emulator/app/testing/api';
import type { Scenario } from '../../emulator/app/scenario/types';
import { BT_EPB, BT_IDB, EPB_FLAGS, EPB_INBOUND, EPB_OUTBOUND, IF_NAME, OPT_COMMENT, readBlocks, readEpb, readOptions } from '../../emulator/machine/net/pcapng';
import { example, tmpdir } from '../system/helpers';

interface Packet { iface: number; t: number; data: Uint8Array; comments: string[]; flags: number | null }

/** Run `s` with a capture of `taps` (and a filter); the pcapng bytes, its packets and the run. */
function captured(s: Scenario, taps: string[], filter: string | null = null, seed?: number) {
  const chunks: Uint8Array[] = [];
  const cap = new Capture({ taps: resolveTaps(taps, s), filter: filter === null ? null : parseCaptureFilter(filter) }, (b) => chunks.push(b));
  const run = runScenarioChecked(s, { keepTrace: true, onNetwork: (n, sim) => cap.attach(n, sim.queue), ...(seed !== undefined ? { seed } : {}) });
  const bytes = Buffer.concat(chunks);
  const { blocks, partial } = readBlocks(bytes);
  expect(partial).toBe(0);
  const names = blocks.filter((b) => b.type === BT_IDB).map((b) => new TextDecoder().decode(readOptions(b.body.subarray(8)).find((o) => o.code === IF_NAME)!.value as Uint8Array));
  const packets: Packet[] = blocks.filter((b) => b.type === BT_EPB).map((b) => {
    const e = readEpb(b);
    const flags = e.options.find((o) => o.code === EPB_FLAGS);
    return {
      iface: e.interfaceId,
      t: e.t,
      data: e.data,
      comments: e.options.filter((o) => o.code === OPT_COMMENT).map((o) => new TextDecoder().decode(o.value as Uint8Array)),
      flags: flags ? new DataView((flags.value as Uint8Array).buffer).getUint32(0, true) : null,
    };
  });
  return { bytes, names, packets, run, cap };
}

type Rec = { t: number; layer: string; probe: string; pkt: number; f: Record<string, unknown> };
const records = (trace: string[]): Rec[] => trace.map((l) => JSON.parse(l) as Rec);

/** Three NE2000 nodes on a 10 Mb/s hub: alpha pings beta; gamma only listens. */
const THREE = `
name: three
seed: 1
until: 4s
nodes:
  alpha:
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:0a:00:01", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000 ioport=0x300,irq=5 -ptcpip
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
      sleep 1
      ping -c 3 10.0.0.2
  beta:
    nics: [{ model: rtl8029, mac: "00:00:e8:0b:00:02", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000 -ptcpip
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.2/24 up
  gamma:
    nics: [{ model: rtl8029, mac: "00:00:e8:0c:00:03", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000 -ptcpip
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.3/24 up
links:
  hub0: { type: hub }
`;

describe('a whole-link tap', () => {
  const s = example('ping.yaml');
  const c = captured(s, ['hub0']);

  test('one packet per frame the wire completed, with the trace\'s packet id and sending port', () => {
    const tx = records(c.run.run.trace).filter((r) => r.layer === 'wire' && r.probe === 'tx-start');
    expect(tx.length).toBe(8);
    expect(c.packets.map((p) => p.comments)).toEqual(tx.map((r) => [`pkt ${r.pkt}`, `from ${r.f['port']}`]));
    // Stamped when the last bit is on the wire: tx-start + (preamble/SFD 8 + frame + FCS 4) bytes at 100 ns a bit.
    expect(c.packets.map((p) => p.t)).toEqual(tx.map((r) => r.t + (8 + Number(r.f['len']) + 4) * 8 * 100));
    expect(c.packets.every((p) => p.flags === null && p.iface === 0)).toBe(true);
  });

  test('the bytes are those --pcap writes for the link', () => {
    const dir = tmpdir('capture-pcap');
    runScenarioChecked(s, { pcapDir: dir });
    const pcap = fs.readFileSync(path.join(dir, 'hub0.pcap'));
    const frames: Buffer[] = [];
    for (let off = 24; off < pcap.length; ) {
      const incl = pcap.readUInt32LE(off + 8);
      frames.push(pcap.subarray(off + 16, off + 16 + incl));
      off += 16 + incl;
    }
    expect(c.packets.map((p) => Buffer.from(p.data).toString('hex'))).toEqual(frames.map((f) => f.toString('hex')));
  });

  test('capturing changes nothing: the trace-hash is the run\'s without it', () => {
    expect(c.run.traceHash).toBe(runScenarioChecked(s).traceHash);
  });

  test('same seed: the same bytes; another seed: different bytes', () => {
    expect(Buffer.compare(captured(s, ['hub0']).bytes, c.bytes)).toBe(0);
    expect(Buffer.compare(captured(s, ['hub0'], null, 2).bytes, c.bytes)).not.toBe(0);
  });
});

describe('link:node taps', () => {
  const s = parseScenarioText(THREE);
  const c = captured(s, ['hub0', 'hub0:gamma', 'hub0:alpha']);
  const all = c.packets.filter((p) => p.iface === 0);
  const dst = (p: Packet) => Buffer.from(p.data.subarray(0, 6)).toString('hex');

  test('one interface per tap, in the order given', () => {
    expect(c.names).toEqual(['hub0', 'hub0:gamma', 'hub0:alpha']);
  });

  test('gamma: its own frames and the group-addressed ones; unicast between alpha and beta left out', () => {
    const gamma = c.packets.filter((p) => p.iface === 1);
    const want = all.filter((p) => p.comments[1] === 'from gamma.nic0' || (p.data[0]! & 1) === 1 || dst(p) === '0000e80c0003');
    expect(gamma.map((p) => p.comments)).toEqual(want.map((p) => p.comments));
    // alpha's echo requests reach gamma's hub port but are not gamma's.
    expect(all.filter((p) => p.data.length === 98).length).toBe(6);
    expect(gamma.filter((p) => p.data.length === 98).length).toBe(0);
    expect(gamma.every((p) => p.flags === (p.comments[1] === 'from gamma.nic0' ? EPB_OUTBOUND : EPB_INBOUND))).toBe(true);
    expect(gamma.some((p) => p.flags === EPB_OUTBOUND)).toBe(true);
  });

  test('alpha: every frame of this ping (all are to, from or broadcast by alpha, or gamma\'s broadcasts)', () => {
    const alpha = c.packets.filter((p) => p.iface === 2);
    const want = all.filter((p) => p.comments[1] === 'from alpha.nic0' || (p.data[0]! & 1) === 1 || dst(p) === '0000e80a0001');
    expect(alpha.map((p) => p.comments)).toEqual(want.map((p) => p.comments));
    expect(alpha.filter((p) => p.flags === EPB_OUTBOUND).map((p) => p.comments[1])).toEqual(all.filter((p) => p.comments[1] === 'from alpha.nic0').map((p) => p.comments[1]));
  });
});

describe('--capture-filter on captured frames', () => {
  const s = example('ping.yaml');
  const whole = captured(s, ['hub0']).packets;
  // Decided here from the bytes: EtherType 0x0800 at 12, IP protocol 1 at 23, ICMP type at 34.
  const icmp = whole.filter((p) => p.data[12] === 8 && p.data[13] === 0 && p.data[23] === 1);

  test('icmp keeps the echo requests and replies, and counts the rest as left out', () => {
    const c = captured(s, ['hub0'], 'icmp');
    expect(icmp.length).toBe(4);
    expect(c.packets.map((p) => p.comments)).toEqual(icmp.map((p) => p.comments));
    expect(c.cap.filtered).toBe(whole.length - icmp.length);
  });

  test('icmp[icmptype] == icmp-echo: the two requests; pkt N: that packet only', () => {
    expect(captured(s, ['hub0'], 'icmp[icmptype] == icmp-echo').packets.map((p) => p.comments)).toEqual(icmp.filter((p) => p.data[34] === 8).map((p) => p.comments));
    expect(captured(s, ['hub0'], 'pkt 5').packets.map((p) => p.comments[0])).toEqual(['pkt 5']);
  });
});

describe('wireless taps', () => {
  const s = example('wifi-ap-sta.yaml');
  const c = captured(s, ['air0', 'air0:sta'], null);

  test('radiotap records, as --pcap writes them, from the port that sent each PPDU', () => {
    const dir = tmpdir('capture-air');
    runScenarioChecked(s, { pcapDir: dir });
    const pcap = fs.readFileSync(path.join(dir, 'air0.pcap'));
    const recs: { t: number; hex: string }[] = [];
    for (let off = 24; off < pcap.length; ) {
      const incl = pcap.readUInt32LE(off + 8);
      recs.push({ t: pcap.readUInt32LE(off) * 1e9 + pcap.readUInt32LE(off + 4), hex: pcap.subarray(off + 16, off + 16 + incl).toString('hex') });
      off += 16 + incl;
    }
    const air = c.packets.filter((p) => p.iface === 0);
    expect(air.map((p) => ({ t: p.t, hex: Buffer.from(p.data).toString('hex') }))).toEqual(recs);
    const tx = records(c.run.run.trace).filter((r) => r.layer === 'air' && r.probe === 'tx-start');
    expect(air.map((p) => p.comments.at(-1))).toEqual(tx.map((r) => `from ${String(r.f['radio'])}`));
  });

  test('air0:sta: what sta sent, and frames whose Address 1 is sta or a group', () => {
    const sta = c.packets.filter((p) => p.iface === 1);
    const ra = (p: Packet) => {
      const off = p.data[2]! | (p.data[3]! << 8); // it_len: the 802.11 header follows the radiotap header
      return p.data.subarray(off + 4, off + 10);
    };
    const want = c.packets.filter((p) => p.iface === 0 && (p.comments.at(-1) === 'from sta.nic0' || (ra(p)[0]! & 1) === 1 || Buffer.from(ra(p)).toString('hex') === '000c43256002'));
    expect(sta.map((p) => p.t)).toEqual(want.map((p) => p.t));
    // Two stations on the air: every PPDU is sta's or to sta (or a group); outbound ones are sta's own.
    expect(sta.every((p) => p.flags === (p.comments.at(-1) === 'from sta.nic0' ? EPB_OUTBOUND : EPB_INBOUND))).toBe(true);
    expect(new Set(sta.map((p) => p.flags))).toEqual(new Set([EPB_OUTBOUND, EPB_INBOUND]));
  });

  test('the filter sees the Ethernet frame inside 802.11 data frames', () => {
    const f = captured(s, ['air0'], 'icmp');
    // sta pings ap: requests and replies, each ICMP frame once (the ACKs after them are control frames).
    expect(f.packets.length).toBeGreaterThan(0);
    expect(f.packets.length % 2).toBe(0);
    expect(f.packets.every((p) => p.comments.at(-1) === 'from sta.nic0' || p.comments.at(-1) === 'from ap.nic0')).toBe(true);
  });
});

describe('tap names', () => {
  const s = example('ping.yaml');
  test('an unknown link, node, or a node without a NIC there lists what exists', () => {
    expect(() => resolveTaps(['hub9'], s)).toThrow(new TapError('--capture hub9', 'no link hub9 in scenario ping (links: hub0)'));
    expect(() => resolveTaps(['hub0:gamma'], s)).toThrow(/no node gamma in scenario ping \(nodes on hub0: alpha, beta\)/);
    expect(() => resolveTaps(['a:b:c'], s)).toThrow(/a tap is <link> or <link>:<node>/);
  });
});
