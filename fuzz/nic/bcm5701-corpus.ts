/**
 * The BCM5701 seed corpus (docs/fuzzing.md "nic/bcm5701"): QEMU's NIC DMA vulnerabilities, each turned into the
 * same attack on this chip's mechanisms, after a normal bring-up. They run as a target's first episodes (and the
 * rest of each episode fuzzes on from the state they leave). What each QEMU bug was, from its advisory:
 *
 * - CVE-2016-1981, e1000: "infinite loop and out-of-bounds transfer start in start_xmit() and e1000_receive_iov()"
 *   — ring head/tail registers set outside the ring. Here: producer and consumer mailboxes past their rings.
 * - CVE-2016-7909, pcnet: a receive ring length of 0 made pcnet_rdra_addr loop forever. Here: ring control
 *   blocks with size 0 (and 0xffff), then producers moved.
 * - CVE-2015-7504, pcnet: the 4-byte CRC appended behind a frame that exactly fills the 4096-byte buffer
 *   overflowed it. Here: standard BDs whose posted length is exactly the frame without its FCS (the chip appends
 *   the FCS), one byte short, and 0.
 * - CVE-2015-7512, pcnet: frames larger than the buffer in (non-)loopback mode overflowed it. Here: giants from
 *   the wire, and 0xffff-byte send chains in internal loopback.
 * - CVE-2015-5165, rtl8139: C+ mode checksum offload trusted the IP header's lengths (IHL, total length) and read
 *   past the frame. Here: send BDs with IP/TCP/UDP checksum offload over IPv4 headers that lie about lengths.
 * - CVE-2012-0029, e1000 (legacy descriptors; the brief's "CVE-2014-0150-style" is virtio-net's MAC-table
 *   integer overflow, which has no counterpart on this chip): a packet larger than the buffer the emulator
 *   assembled it in. Here: one chain of 64 maximal BDs ending in END (4 MiB to gather, far above any MTU).
 * - CVE-2016-6834, vmxnet3: a zero-length fragment made net_tx_pkt_do_sw_fragmentation loop. Here: chains of
 *   zero-length send BDs, and zero-length standard BDs with frames to place.
 * - CVE-2016-6888, vmxnet3: the maximum fragment count overflowed a size computation. Here: a chain of 600 BDs
 *   with no END (longer than the 512-entry ring).
 * - CVE-2020-28916, e1000e: a receive descriptor with a NULL buffer address looped. Here: standard BDs at host
 *   address 0, at the end of RAM and above 4 GiB, with frames arriving.
 * - CVE-2015-8345, eepro100: a command block list linked to itself looped. Here: the internal DMA engine's
 *   descriptor pointing into its own SRAM and completion queue, and the status block written over the send ring.
 * - CVE-2021-3416, several NICs: loopback DMA re-entering the device. Here: internal loopback with receive
 *   buffers placed over the send ring and status block.
 */
import { Rng } from '../../emulator/machine/sim/rng';
import type { NicOp } from './harness';
import { DMA_RAM_BYTES } from './harness-limits';
import { RIG_MAC } from './harness-rig';
import { bytesToHex } from './hex';
import { bringUpOps, cw, dma, LAYOUT, run, sendBd, sramW, stdBd, w } from './bcm5701-driver';

const up = (name: string): NicOp[] => bringUpOps(new Rng(0x5701, `corpus:${name}`), RIG_MAC);
const rx = (len: number, fill = 0x5a): NicOp => {
  const f = new Uint8Array(len).fill(fill);
  f.set(RIG_MAC);
  return { op: 'rx', hex: bytesToHex(f) };
};

/** Send BDs at ring entries 0.. and the producer after them. */
function sendRing(bds: Uint8Array[], producer = bds.length): NicOp[] {
  const ring = new Uint8Array(512 * 16);
  bds.slice(0, 512).forEach((b, i) => ring.set(b, 16 * i));
  return [dma(LAYOUT.sendRing, ring), w(0x304, producer)];
}

/** Standard BDs at entries 0..n−1 (the bring-up posted 64), the producer moved to their end. */
function stdRing(bds: Uint8Array[]): NicOp[] {
  const ring = new Uint8Array(512 * 32);
  bds.forEach((b, i) => ring.set(b, 32 * i));
  return [dma(LAYOUT.stdRing, ring), w(0x26c, bds.length % 512)];
}

/** An IPv4/UDP frame whose header says `ihl` words and `total` bytes whatever its real length. */
function lyingIp(len: number, ihl: number, total: number): Uint8Array {
  const f = new Uint8Array(len);
  f.fill(0xff, 0, 6);
  f.set(RIG_MAC, 6);
  f[12] = 0x08;
  f[14] = 0x40 | ihl;
  f[16] = total >>> 8;
  f[17] = total & 0xff;
  f[23] = 17;
  return f;
}

export const BCM5701_CORPUS: readonly { name: string; ops: NicOp[] }[] = [
  {
    name: 'CVE-2016-1981 e1000: producer/consumer indices past the ring',
    ops: [...up('1981'), w(0x304, 0xffff), run(100_000), w(0x26c, 600), rx(100), run(100_000), w(0x284, 5000), w(0x5b04, 0xffffffff), cw(0xac, 1024), cw(0x9c, 0x7fffffff), run(2_000_000)],
  },
  {
    name: 'CVE-2016-7909 pcnet: rings of size 0 (and 0xffff)',
    ops: [
      ...up('7909'), ...sramW(0x108, 0), ...sendRing([sendBd(LAYOUT.txBufs, 60, 4)]), run(200_000), w(0x2458, 0), w(0x26c, 10), rx(60), run(200_000),
      ...sramW(0x208, 0), rx(60), run(200_000), ...sramW(0x108, 0xffff0000), w(0x304, 2), w(0x2458, 0xffff0000), rx(61), run(2_000_000),
    ],
  },
  {
    name: 'CVE-2015-7504 pcnet: FCS appended behind a buffer the frame fills exactly',
    ops: [...up('7504'), ...stdRing([1514, 1513, 0, 1518, 64].map((len, i) => stdBd(LAYOUT.rxBufs + LAYOUT.bufBytes * i, i, len))), rx(1514), rx(1514), rx(1514), rx(1514), rx(60), run(3_000_000)],
  },
  {
    name: 'CVE-2015-7512 pcnet: oversized frames, from the wire and looped back',
    ops: [
      ...up('7512'), w(0x468, 0x22), rx(3028), rx(1515), run(500_000), w(0x400, 0x00e0d818),
      ...sendRing([sendBd(LAYOUT.txBufs, 0xffff, 0), sendBd(LAYOUT.txBufs, 0xffff, 4), sendBd(LAYOUT.txBufs, 9018, 4)]), run(3_000_000),
    ],
  },
  {
    name: 'CVE-2015-5165 rtl8139: checksum offload over IPv4 headers that lie about their lengths',
    ops: [
      ...up('5165'),
      dma(LAYOUT.txBufs, lyingIp(60, 15, 0xffff)), dma(LAYOUT.txBufs + 0x800, lyingIp(34, 5, 10)), dma(LAYOUT.txBufs + 0x1000, lyingIp(40, 0, 40)),
      dma(LAYOUT.txBufs + 0x1800, lyingIp(1514, 15, 20)),
      ...sendRing([0, 0x800, 0x1000, 0x1800].map((o, i) => sendBd(LAYOUT.txBufs + o, [60, 34, 40, 1514][i]!, 0x4 | 0x3))), run(3_000_000),
    ],
  },
  {
    name: 'CVE-2012-0029 e1000: a frame far larger than any buffer (64 maximal BDs)',
    ops: [...up('0029'), ...sendRing(Array.from({ length: 64 }, (_, i) => sendBd(i * 0x4000, 0xffff, i === 63 ? 4 : 0))), run(5_000_000)],
  },
  {
    name: 'CVE-2016-6834 vmxnet3: zero-length fragments',
    ops: [
      ...up('6834'), ...sendRing([...Array.from({ length: 20 }, () => sendBd(LAYOUT.txBufs, 0, 0)), sendBd(LAYOUT.txBufs, 0, 4), sendBd(0, 0, 4)]),
      ...stdRing(Array.from({ length: 8 }, (_, i) => stdBd(LAYOUT.rxBufs, i, 0))), rx(60), rx(1514), rx(100), run(3_000_000),
    ],
  },
  {
    name: 'CVE-2016-6888 vmxnet3: a chain longer than the ring, never ended',
    ops: [...up('6888'), ...sendRing(Array.from({ length: 512 }, () => sendBd(LAYOUT.txBufs, 64, 0)), 511), run(1_000_000), w(0x304, 0), w(0x304, 88), run(3_000_000)],
  },
  {
    name: 'CVE-2020-28916 e1000e: receive buffers at address 0, at the end of RAM and above 4 GiB',
    ops: [
      ...up('28916'), ...stdRing([stdBd(0, 0, 1536), stdBd(DMA_RAM_BYTES - 100, 1, 1536), stdBd(DMA_RAM_BYTES, 2, 1536), stdBd(0x1_0000_0000, 3, 1536), stdBd(0xffffff00, 4, 1536)]),
      rx(1514), rx(1514), rx(1514), rx(1514), rx(1514), run(3_000_000),
    ],
  },
  {
    name: 'CVE-2015-8345 eepro100: self-referencing DMA (internal descriptor into its own SRAM, status block over the send ring)',
    ops: [
      ...up('8345'), ...[0, 0x2000, 0x2000, (0x0202 << 16) | 0x2000, 5, 0, 0, 0].flatMap((v, i) => sramW(0x2000 + 4 * i, v)), w(0x5c28, 0x2000), run(500_000),
      w(0x3c38, 0), w(0x3c3c, LAYOUT.sendRing), w(0x3c00, 0x10a), ...sendRing([sendBd(LAYOUT.txBufs, 60, 4)]), run(3_000_000),
    ],
  },
  {
    name: 'CVE-2021-3416: internal loopback with receive buffers over the send ring and status block',
    ops: [
      ...up('3416'), w(0x400, 0x00e0d818), ...stdRing([stdBd(LAYOUT.sendRing, 0, 1536), stdBd(LAYOUT.status, 1, 1536), stdBd(LAYOUT.stdRing, 2, 1536)]),
      dma(LAYOUT.txBufs, new Uint8Array(200).fill(0x44)), ...sendRing([sendBd(LAYOUT.txBufs, 200, 4), sendBd(LAYOUT.txBufs, 200, 4), sendBd(LAYOUT.txBufs, 200, 4)]), run(5_000_000),
    ],
  },
];
