/**
 * The RT2560 seed corpus (docs/fuzzing.md "nic/rt2560"): QEMU's NIC DMA vulnerabilities, each turned into the same
 * attack on this chip's mechanisms after a normal bring-up (see bcm5701-corpus.ts for what each QEMU bug was). The
 * RT2560 keeps its ring indices itself (no host-written tail), so the index bugs map onto ring geometry changed
 * under the chip's feet:
 *
 * - CVE-2016-1981 (e1000 ring indices outside the ring): TXCSR2/RXCSR1 entry counts shrunk below the chip's
 *   indices mid-traffic, a ring base rewritten during a walk.
 * - CVE-2016-7909 (pcnet ring length 0 loops): entry counts 0 and strides 0 or below a descriptor, kicked.
 * - CVE-2015-7504 (pcnet CRC overflows an exactly filled buffer): received frames of exactly CSR9 MAX_FRAME_UNIT
 *   × 128 bytes and one more.
 * - CVE-2015-7512 (pcnet oversized frames): TX lengths 2354, 2355 and 4095; 2400-byte MPDUs from the air.
 * - CVE-2015-5165 (rtl8139 trusts header lengths): cipher descriptors whose IV_OFFSET and DATABYTE_COUNT lie
 *   about the 802.11 header (shorter than the header, shorter than header + CCMP overhead).
 * - CVE-2016-6834 (vmxnet3 zero-length fragment loops): a whole TX ring of zero-length NIC-owned descriptors;
 *   zero-length cipher descriptors.
 * - CVE-2020-28916 (e1000e NULL receive buffer loops): RX descriptors with buffer 0 and past RAM, frames arriving.
 * - CVE-2015-8345 (eepro100 self-linked command list loops): every descriptor of a ring NIC-owned and CIPHER_OWNER
 *   with its buffer pointing at the descriptor itself; a one-shot descriptor whose frame is itself.
 * - CVE-2016-6888 (vmxnet3 fragment count overflow): more one-shot kicks than the engine queues.
 * - CVE-2021-3416 (loopback DMA re-entering the device): RX buffers placed over the TX ring, frames from the air
 *   whose bodies are NIC-owned TX descriptors, then a TX kick.
 */
import { Rng } from '../../emulator/machine/sim/rng';
import { CSR } from '../../nic-models/rt2560/regs';
import type { NicOp } from './harness';
import { DMA_RAM_BYTES } from './harness-limits';
import { RIG_MAC } from './harness-rig';
import { bytesToHex } from './hex';
import { bringUpOps, dma, LAYOUT, le, run, txDesc, w, type Rings } from './rt2560-driver';

const up = (name: string): { ops: NicOp[]; g: Rings } => {
  const b = bringUpOps(new Rng(0x2560, `corpus:${name}`), RIG_MAC);
  return { ops: b.ops, g: b.rings };
};

/** A data frame to the card from a peer (FromDS), `len` bytes, with `fc1` flags. */
function toUs(len: number, fc1 = 0x02, body = 0x33): NicOp {
  const f = new Uint8Array(len).fill(body);
  f[0] = 0x08;
  f[1] = fc1;
  f[2] = 0;
  f[3] = 0;
  if (len >= 10) f.set(RIG_MAC, 4);
  if (len >= 16) f.set([0x02, 0x11, 0x22, 0x33, 0x44, 0x55], 10);
  return { op: 'rx', hex: bytesToHex(f) };
}

/** A TX ring image of `n` descriptors made by `make(i)`. */
function ring(g: Rings, n: number, make: (i: number) => Uint8Array): Uint8Array {
  const b = new Uint8Array(n * g.stride);
  for (let i = 0; i < n; i++) b.set(make(i).subarray(0, g.stride), i * g.stride);
  return b;
}

function vectors(): { name: string; ops: NicOp[] }[] {
  const out: { name: string; ops: NicOp[] }[] = [];
  const add = (name: string, body: (g: Rings) => NicOp[]): void => {
    const u = up(name);
    out.push({ name, ops: [...u.ops, ...body(u.g)] });
  };
  add('CVE-2016-1981 e1000: ring geometry shrunk under the chip\'s indices', (g) => [
    dma(LAYOUT.prio, ring(g, g.prio, (i) => txDesc(g.stride, LAYOUT.txBufs, 60 + i, 11, 0))), w(CSR.TXCSR0, 4), run(300_000),
    w(CSR.TXCSR2, g.stride | (g.tx << 8) | (g.atim << 16) | (2 << 24)), toUs(100), toUs(100), toUs(100), run(300_000),
    w(CSR.RXCSR1, g.stride | (2 << 8)), toUs(80), run(300_000), w(CSR.TXCSR5, LAYOUT.prio + 4), w(CSR.TXCSR0, 4), run(3_000_000),
  ]);
  add('CVE-2016-7909 pcnet: rings of 0 entries and strides below a descriptor', (g) => [
    w(CSR.TXCSR2, 0), w(CSR.TXCSR0, 7), w(CSR.RXCSR1, 0), toUs(60), run(500_000), w(CSR.TXCSR2, 4 | (32 << 8) | (8 << 16) | (32 << 24)), w(CSR.RXCSR1, 15 | (32 << 8)),
    w(CSR.TXCSR0, 7), w(CSR.SECCSR1, 1), w(CSR.SECCSR0, 1), toUs(60), run(500_000), w(CSR.TXCSR2, g.stride | (255 << 8) | (255 << 16) | (255 << 24)), w(CSR.TXCSR0, 7), run(3_000_000),
  ]);
  add('CVE-2015-7504 pcnet: frames exactly at the receive length limit and one byte over', () => [
    w(CSR.CSR9, 4 << 7), toUs(512), toUs(513), run(2_000_000), w(CSR.CSR9, 0), toUs(2346), run(2_000_000),
  ]);
  add('CVE-2015-7512 pcnet: oversized frames, both ways', (g) => [
    dma(LAYOUT.prio, ring(g, 4, (i) => txDesc(g.stride, LAYOUT.txBufs, [2346, 2354, 2355, 4095][i]!, 1, 0))), w(CSR.TXCSR0, 4), toUs(2400), run(20_000_000),
  ]);
  add('CVE-2015-5165 rtl8139: cipher descriptors whose lengths lie about the header', (g) => {
    const desc = (len: number, ivOff: number, alg: number, rx: boolean): Uint8Array => {
      const d = new Uint8Array(g.stride);
      d.set(le(((rx ? 0x100 | (ivOff << 10) : 0x1000) | (len << 16) | (alg << 29)) >>> 0), 0);
      d.set(le(rx ? LAYOUT.rxBufs : LAYOUT.txBufs), 4);
      d.set(le(ivOff), 8);
      return d;
    };
    return [
      dma(LAYOUT.tx, ring(g, 4, (i) => desc([10, 23, 24, 39][i]!, [24, 30, 24, 63][i]!, 4, false))), w(CSR.SECCSR1, 1), run(500_000),
      dma(LAYOUT.rx, ring(g, 4, (i) => desc([10, 39, 40, 4095][i]!, [24, 24, 63, 0][i]!, 4, true))), w(CSR.SECCSR0, 1), run(3_000_000),
    ];
  });
  add('CVE-2016-6834 vmxnet3: zero-length descriptors, a ring full of them', (g) => [
    dma(LAYOUT.tx, ring(g, g.tx, () => txDesc(g.stride, LAYOUT.txBufs, 0, 1, 0x1000))), w(CSR.TXCSR0, 1), w(CSR.SECCSR1, 1), run(3_000_000),
  ]);
  add('CVE-2020-28916 e1000e: receive buffers at 0, at the end of RAM and above it', (g) => [
    dma(LAYOUT.rx, ring(g, 4, (i) => Uint8Array.of(1, 0, 0, 0, ...le([0, DMA_RAM_BYTES - 50, DMA_RAM_BYTES, 0xfffffff0][i]!)))), toUs(100), toUs(100), toUs(100), toUs(100), run(3_000_000),
  ]);
  add('CVE-2015-8345 eepro100: self-referencing descriptors (buffers over the descriptors, a full owned ring)', (g) => [
    dma(LAYOUT.tx, ring(g, g.tx, (i) => txDesc(g.stride, LAYOUT.tx + i * g.stride, 40, 11, 0x1000 | (4 << 29)))), w(CSR.SECCSR1, 1), w(CSR.TXCSR0, 1),
    dma(LAYOUT.txBufs, txDesc(g.stride, LAYOUT.txBufs, 40, 1, 0x1000)), w(CSR.SECCSR1, (LAYOUT.txBufs | 3) >>> 0), run(10_000_000),
  ]);
  add('CVE-2016-6888 vmxnet3: more one-shot kicks than the engine queues', () => [
    ...Array.from({ length: 12 }, (_, i) => w(CSR.SECCSR0, ((LAYOUT.rx + 64 * i) | 3) >>> 0)), ...Array.from({ length: 12 }, (_, i) => w(CSR.SECCSR1, ((LAYOUT.tx + 64 * i) | 3) >>> 0)), run(2_000_000),
  ]);
  add('CVE-2021-3416: received frames written over the TX ring as NIC-owned descriptors, then kicked', (g) => {
    const evil = txDesc(g.stride, LAYOUT.txBufs, 30, 1, 0);
    const f = new Uint8Array(24 + 2 * g.stride);
    f.set([0x08, 0x02, 0, 0, ...RIG_MAC, 2, 0x11, 0x22, 0x33, 0x44, 0x55], 0);
    f.set(evil, 24);
    return [
      dma(LAYOUT.rx, ring(g, 2, (i) => Uint8Array.of(1, 0, 0, 0, ...le(LAYOUT.tx + i * 64 - 24)))), { op: 'rx', hex: bytesToHex(f) }, run(1_000_000), { op: 'rx', hex: bytesToHex(f) },
      run(1_000_000), w(CSR.TXCSR0, 1), run(5_000_000),
    ];
  });
  return out;
}

export const RT2560_CORPUS: readonly { name: string; ops: NicOp[] }[] = vectors();
