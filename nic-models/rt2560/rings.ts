/**
 * The RT2560's descriptor rings as the chip walks them: four transmit rings (TX, ATIM, PRIO, BEACON) described by
 * TXCSR2 (descriptor size and entry counts; the beacon ring has one entry) and TXCSR3–6 (bases), and the receive
 * ring by RXCSR1 (size, count) and RXCSR2 (base). The chip keeps its own index into each ring; writing a ring's
 * base register (rt2500pci_init_queues, NetBSD rt2560_init: "rings _must_ be initialized in this _exact_ order")
 * or a soft reset puts it back at entry 0. DISABLE_RX and TXCSR0.ABORT leave the indices alone: rt2500pci toggles
 * DISABLE_RX on every channel change and keeps its own ring index across them.
 *
 * The descriptor stride is what the driver programs (rt2500pci 44 bytes, NetBSD 48); every descriptor and buffer
 * moves through the bus-master `Dma` (core.ts), which charges PCI time.
 */
import { CSR } from './regs';

export type TxRingId = 'tx' | 'atim' | 'prio' | 'beacon';
export const TX_RINGS: readonly TxRingId[] = ['tx', 'atim', 'prio', 'beacon'];
/** Base registers by ring (rt2500pci.h TXCSR3–TXCSR6). */
export const TX_RING_BASE: Readonly<Record<TxRingId, number>> = { tx: CSR.TXCSR3, atim: CSR.TXCSR4, prio: CSR.TXCSR5, beacon: CSR.TXCSR6 };

/** Read a 32-bit register of the CSR file. */
export type RegRead = (off: number) => number;

export interface RingGeometry {
  base: number;
  /** Entries (0: the ring has none and is never walked). */
  count: number;
  /** Bytes from one descriptor to the next. */
  stride: number;
}

/** A transmit ring's geometry from TXCSR2 and its base register. */
export function txGeometry(reg: RegRead, ring: TxRingId): RingGeometry {
  const t = reg(CSR.TXCSR2);
  const count = ring === 'tx' ? (t >>> 8) & 0xff : ring === 'atim' ? (t >>> 16) & 0xff : ring === 'prio' ? t >>> 24 : 1;
  return { base: reg(TX_RING_BASE[ring]) >>> 0, count, stride: t & 0xff };
}

export function rxGeometry(reg: RegRead): RingGeometry {
  const r = reg(CSR.RXCSR1);
  return { base: reg(CSR.RXCSR2) >>> 0, count: (r >>> 8) & 0xff, stride: r & 0xff };
}

/** Address of entry `index` (indices wrap at the ring's count). */
export function entryAddr(g: RingGeometry, index: number): number {
  return (g.base + (g.count > 0 ? index % g.count : 0) * g.stride) >>> 0;
}

/** Little-endian word helpers over descriptor bytes. */
export function le32(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) | ((b[off + 1] ?? 0) << 8) | ((b[off + 2] ?? 0) << 16) | ((b[off + 3] ?? 0) << 24)) >>> 0;
}

export function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

export function word32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  put32(b, 0, v);
  return b;
}
