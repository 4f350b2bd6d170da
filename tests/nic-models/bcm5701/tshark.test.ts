/**
 * Transmit checksum offload verified by tshark (design §6.4): tg3-style send BDs with TCPUDP_CSUM (Linux
 * CHECKSUM_PARTIAL: the pseudo-header sum preloaded, IP checksum computed by the stack) and bge-style BDs with
 * IP_CSUM | TCPUDP_CSUM (IP checksum 0, pseudo-header preloaded) for TCP and UDP of several lengths; the frames
 * the chip put on the cable go into a pcap that tshark reads with checksum validation on: every IPv4, TCP and
 * UDP checksum must be Good. A frame whose preloaded pseudo-header sum is wrong must come out Bad.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapFileWriter } from '../../../emulator/machine/net/pcap';
import { Host, MAC, MS } from './fixture';
import { attachPartner, cableWithPartner, ethFrame, PARTNER_MAC } from './partner';
import { Tg3 } from './tg3';

function sum16(b: Uint8Array, from: number, to: number, init = 0): number {
  let s = init;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** IPv4 + TCP (proto 6) or UDP (17) with `len` payload bytes; L4 checksum field = pseudo-header sum (+ `skew`). */
function partial(proto: 6 | 17, len: number, ipCsum: boolean, skew = 0): Uint8Array {
  const l4h = proto === 6 ? 20 : 8;
  const l4Len = l4h + len;
  const p = new Uint8Array(20 + l4Len);
  p[0] = 0x45;
  p[2] = (20 + l4Len) >> 8;
  p[3] = (20 + l4Len) & 0xff;
  p[8] = 64;
  p[9] = proto;
  p.set([172, 16, 0, 1, 172, 16, 0, 2], 12);
  p.set([0x30, 0x39, 0x00, 0x50], 20);
  if (proto === 6) {
    p[32] = 0x50;
    p[33] = 0x18;
  } else {
    p[24] = l4Len >> 8;
    p[25] = l4Len & 0xff;
  }
  for (let i = 0; i < len; i++) p[20 + l4h + i] = (i * 31 + 7) & 0xff;
  if (ipCsum) {
    const c = ~sum16(p, 0, 20) & 0xffff;
    p[10] = c >> 8;
    p[11] = c & 0xff;
  }
  const ph = (sum16(p, 12, 20, proto + l4Len) + skew) % 0xffff;
  const at = 20 + (proto === 6 ? 16 : 6);
  p[at] = ph >> 8;
  p[at + 1] = ph & 0xff;
  return ethFrame(PARTNER_MAC, MAC, 0x0800, p);
}

describe('checksum offload under tshark', () => {
  test('every IPv4, TCP and UDP checksum the chip inserted is Good; a wrong pseudo-header seed is Bad', () => {
    const h = new Host();
    const { cable, partner } = cableWithPartner(h.sim);
    h.nic.connect(cable);
    attachPartner(cable, partner);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bcm5701-'));
    const file = path.join(dir, 'cable.pcap');
    const pcap = new PcapFileWriter(file);
    cable.tap((f, from) => {
      if (from !== 'partner') pcap.writeRecord(h.now, f.data);
    });
    h.delay(2 * MS);
    const t = new Tg3(h);
    t.probe();
    t.open();
    t.run(10 * MS);
    h.wr(0x6800, h.r(0x6800) | 0x100000); // NO_TX_PHDR_CSUM (both drivers set it)
    for (const proto of [6, 17] as const) {
      for (const len of [0, 1, 18, 333, 1400]) {
        t.xmit(partial(proto, len, true), 0x1); // tg3: TCPUDP_CSUM
        t.xmit(partial(proto, len, false), 0x1 | 0x2); // bge: IP_CSUM | TCPUDP_CSUM
      }
    }
    t.xmit(partial(17, 100, true, 1), 0x1);
    t.run(2 * MS);
    pcap.close();
    const out = execFileSync('tshark', ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=,', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status',
      '-e', 'udp.checksum.status'], { encoding: 'utf8' });
    const rows = out.trim().split('\n').map((l) => l.split(','));
    expect(rows).toHaveLength(21);
    // 1 = Good, 0 = Bad in Wireshark's checksum status.
    const l4 = (r: string[]): string => r[1] || r[2] || '';
    expect(rows.slice(0, 20).filter((r) => r[0] !== '1' || l4(r) !== '1')).toEqual([]);
    expect(l4(rows[20]!)).toBe('0');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
