/**
 * What the driver gave the BCM5701 to DMA (docs/fuzzing.md "nic/bcm5701", the DMA invariant of harness-dma.ts),
 * as tg3/bge name it to the chip:
 *
 * - the send ring: 512 BDs of 16 bytes at the host address of the send RCB in SRAM 0x100 (bge_blockinit; the 5701's
 *   send rings are TG3_TX_RING_SIZE = 512 entries whatever the RCB's max_len says);
 * - the standard receive ring: 512 BDs of 32 bytes at RCVDBDI_STD_BD (0x2450); the return ring: 1024 BDs of 32 bytes
 *   at the return RCB in SRAM 0x200 (TG3_RX_STD_MAX_SIZE_5700, TG3_RX_RET_MAX_SIZE_5700);
 * - the status block at HOSTCC_STATUS_BLK_HOST_ADDR, of the size HOSTCC_MODE selects (80, 64 or 32 bytes), and the
 *   statistics block (0x800 bytes) at HOSTCC_STATS_BLK_HOST_ADDR;
 * - the host side of the internal DMA descriptor the engine runs (tg3.h struct tg3_internal_buffer_desc in SRAM:
 *   addr_hi, addr_lo, nic_mbuf, len);
 * - the buffer of every BD the chip fetched from those rings: a send BD's addr and len (struct tg3_tx_buffer_desc),
 *   a standard BD's addr and posted length (struct tg3_rx_buffer_desc idx_len & 0xffff).
 *
 * Addresses at or above 4 GiB never reach the bus (no dual-address cycles: core.ts refuses them), so they need not be
 * given. Everything is read from the chip's register file and SRAM as the driver wrote them, never the read path.
 */
import type { NicDmaModel, NicRig } from './harness';
import type { GiveFn } from './harness-dma';
import { peekCore } from './bcm5701-driver';
import type { Bcm5701Core } from '../../nic-models/bcm5701/core';
import {
  HOSTCC, HOSTCC_MODE_BITS, RCVDBDI_STD_BD, RETURN_RING_SIZE, RX_BD_BYTES, SEND_BD_BYTES, SEND_RING_SIZE, SRAM, STATS_BLOCK_BYTES,
  STATUS_BLOCK_BYTES, STD_RING_SIZE,
} from '../../nic-models/bcm5701/regs';

const addr64 = (hi: number, lo: number): number => hi * 0x1_0000_0000 + lo;

function rings(c: Bcm5701Core): { send: number; std: number; ret: number } {
  const s = c.sram;
  return {
    send: addr64(s.read32(SRAM.SEND_RCB), s.read32(SRAM.SEND_RCB + 4)),
    std: addr64(c.f.get(RCVDBDI_STD_BD), c.f.get(RCVDBDI_STD_BD + 4)),
    ret: addr64(s.read32(SRAM.RCV_RET_RCB), s.read32(SRAM.RCV_RET_RCB + 4)),
  };
}

function statusBytes(mode: number): number {
  const size = mode & HOSTCC_MODE_BITS.STATUS_SIZE;
  return size === 0x100 ? STATUS_BLOCK_BYTES.B32 : size === 0x80 ? STATUS_BLOCK_BYTES.B64 : STATUS_BLOCK_BYTES.FULL;
}

/** Calls `each(offset in bytes, ring index)` for every whole BD of the ring at `base` inside the read at `addr`. */
function bdsIn(base: number, entries: number, size: number, addr: number, len: number, each: (o: number, k: number) => void): void {
  const end = base + entries * size;
  if (addr + len <= base || addr >= end) return;
  for (let k = Math.max(0, Math.ceil((addr - base) / size)); k < entries; k++) {
    const o = base + k * size - addr;
    if (o + size > len) return;
    each(o, k);
  }
}

export const bcm5701Dma: NicDmaModel = {
  named(rig: NicRig, give: GiveFn): void {
    const c = peekCore(rig);
    if (!c) return;
    const g = rings(c);
    give(g.send, SEND_RING_SIZE * SEND_BD_BYTES, 'send ring');
    give(g.std, STD_RING_SIZE * RX_BD_BYTES, 'standard ring');
    give(g.ret, RETURN_RING_SIZE * RX_BD_BYTES, 'return ring');
    const f = c.f;
    give(addr64(f.get(HOSTCC.STATUS_BLK_HOST_ADDR), f.get(HOSTCC.STATUS_BLK_HOST_ADDR + 4)), statusBytes(f.get(HOSTCC.MODE)), 'status block');
    give(addr64(f.get(HOSTCC.STATS_BLK_HOST_ADDR), f.get(HOSTCC.STATS_BLK_HOST_ADDR + 4)), STATS_BLOCK_BYTES, 'statistics block');
    const busy = c.ftq['busy'];
    if (busy) {
      const s = c.sram;
      give(addr64(s.read32(busy.desc), s.read32(busy.desc + 4)), s.read32(busy.desc + 0xc) & 0xffff, 'internal DMA descriptor at SRAM 0x%', busy.desc);
    }
  },

  fetched(rig: NicRig, addr: number, bytes: Uint8Array, give: GiveFn): void {
    const c = peekCore(rig);
    if (!c) return;
    const g = rings(c);
    const u32 = (o: number): number => (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
    const at = (o: number): number => addr64(u32(o), u32(o + 4));
    bdsIn(g.send, SEND_RING_SIZE, SEND_BD_BYTES, addr, bytes.length, (o, k) => give(at(o), u32(o + 8) >>> 16, "send BD %'s buffer", k));
    bdsIn(g.std, STD_RING_SIZE, RX_BD_BYTES, addr, bytes.length, (o, k) => give(at(o), u32(o + 8) & 0xffff, "standard BD %'s buffer", k));
  },
};
