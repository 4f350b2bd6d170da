import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cable } from '../../emulator/machine/net/cable';
import type { Frame } from '../../emulator/machine/net/link';
import { PcapFileWriter, PcapMemoryWriter, pcapGlobalHeader } from '../../emulator/machine/net/pcap';
import { attachPcap, openPcapTap } from '../../emulator/machine/net/pcap-tap';
import { SEC } from '../../emulator/machine/sim';
import { RawEnd, ethFrame, mac, rig } from './helpers';

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe('pcap byte layout', () => {
  test('global header: nanosecond magic, version 2.4, zone 0, sigfigs 0, snaplen 65535, LINKTYPE_ETHERNET', () => {
    const h = pcapGlobalHeader();
    expect(Array.from(h)).toEqual([
      0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ]);
    expect(view(pcapGlobalHeader({ nanosecond: false })).getUint32(0, true)).toBe(0xa1b2c3d4);
  });

  test('record header: seconds, nanoseconds, captured and original length, then the bytes', () => {
    const w = new PcapMemoryWriter();
    const data = new Uint8Array(60).map((_, i) => i);
    w.writeRecord(3 * SEC + 123_456_789, data);
    w.writeRecord(4 * SEC + 1, data.subarray(0, 14));
    const b = w.bytes();
    expect(b.length).toBe(24 + 16 + 60 + 16 + 14);
    const v = view(b);
    expect([v.getUint32(24, true), v.getUint32(28, true), v.getUint32(32, true), v.getUint32(36, true)]).toEqual([3, 123_456_789, 60, 60]);
    expect(Array.from(b.subarray(40, 100))).toEqual(Array.from(data));
    expect([v.getUint32(100, true), v.getUint32(104, true), v.getUint32(108, true), v.getUint32(112, true)]).toEqual([4, 1, 14, 14]);
    expect(w.records).toBe(2);
  });

  test('microsecond variant and snaplen truncation keep the original length', () => {
    const w = new PcapMemoryWriter({ nanosecond: false, snaplen: 32 });
    w.writeRecord(7 * SEC + 123_456_789, new Uint8Array(100));
    const v = view(w.bytes());
    expect(v.getUint32(16, true)).toBe(32);
    expect([v.getUint32(24, true), v.getUint32(28, true), v.getUint32(32, true), v.getUint32(36, true)]).toEqual([7, 123_456, 32, 100]);
    expect(w.bytes().length).toBe(24 + 16 + 32);
  });

  test('file writer: the file is a whole capture after every record (written with writeSync)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-pcap-')), 'x.pcap');
    const w = new PcapFileWriter(file);
    expect(fs.statSync(file).size).toBe(24);
    w.writeRecord(1, new Uint8Array(60));
    expect(fs.statSync(file).size).toBe(24 + 16 + 60);
    w.writeRecord(2, new Uint8Array(42));
    expect(fs.statSync(file).size).toBe(24 + 16 + 60 + 16 + 42);
    w.close();
    const mem = new PcapMemoryWriter();
    mem.writeRecord(1, new Uint8Array(60));
    mem.writeRecord(2, new Uint8Array(42));
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(mem.bytes());
  });

  test('a tap on a cable records each frame at the time its last bit left the sender', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new RawEnd(r, cable, 'a');
    new RawEnd(r, cable, 'b');
    const w = attachPcap(cable, new PcapMemoryWriter(), r.sim.queue);
    r.at(SEC, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 1)));
    r.sim.queue.runUntilIdle();
    const v = view(w.bytes());
    expect([v.getUint32(24, true), v.getUint32(28, true), v.getUint32(32, true)]).toEqual([1, 57_600, 60]);
  });
});

// ---- hand-built packets ----

function checksum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

const IP_A = [10, 0, 0, 1];
const IP_B = [10, 0, 0, 2];

function arpRequest(): Frame {
  const d = new Uint8Array([
    ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], ...mac(1), 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, // Ethernet/IPv4, request
    ...mac(1), ...IP_A, 0, 0, 0, 0, 0, 0, ...IP_B,
  ]);
  return { data: d, pktId: 1 };
}

function icmpEcho(): Frame {
  const payload = Array.from(Buffer.from('qnxemu!!'));
  const icmp = new Uint8Array([8, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, ...payload]);
  const ic = checksum(icmp);
  icmp[2] = ic >> 8;
  icmp[3] = ic & 0xff;
  const total = 20 + icmp.length;
  const ip = new Uint8Array([0x45, 0, total >> 8, total & 0xff, 0xab, 0xcd, 0x40, 0, 64, 1, 0, 0, ...IP_A, ...IP_B]);
  const c = checksum(ip);
  ip[10] = c >> 8;
  ip[11] = c & 0xff;
  return { data: new Uint8Array([...mac(2), ...mac(1), 0x08, 0x00, ...ip, ...icmp]), pktId: 2 };
}

function ensureTshark(): string {
  const find = (): string | null => {
    try {
      return execFileSync('which', ['tshark'], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  };
  let bin = find();
  if (!bin) {
    try {
      execFileSync('apt-get', ['install', '-y', 'tshark'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: 'pipe' });
    } catch (e) {
      throw new Error(`tshark is not installed and 'apt-get install -y tshark' failed: ${(e as Error).message}`);
    }
    bin = find();
  }
  if (!bin) throw new Error('tshark is not installed (apt-get install -y tshark did not provide it)');
  return bin;
}

describe('pcap read back by tshark', () => {
  test('ARP request and ICMP echo through a cable tap: types, opcodes and nanosecond timestamps', () => {
    const tshark = ensureTshark();
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new RawEnd(r, cable, 'a');
    new RawEnd(r, cable, 'b');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-pcap-')), 'arp-icmp.pcap');
    const w = openPcapTap(cable, file, r.sim.queue);
    r.at(SEC + 123, () => a.port.transmit(arpRequest())); // 42 bytes: 43.2 µs on the wire
    r.at(2 * SEC + 7, () => a.port.transmit(icmpEcho())); // 50 bytes: 49.6 µs
    r.sim.queue.runUntilIdle();
    w.close();
    const out = execFileSync(
      tshark,
      ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'eth.type', '-e', 'arp.opcode', '-e', 'icmp.type', '-e', 'ip.checksum.status', '-o', 'ip.check_checksum:TRUE'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out.trim().split('\n')).toEqual(['1.000043323\t0x0806\t1\t\t', '2.000049607\t0x0800\t\t8\t1']);
  });
});
