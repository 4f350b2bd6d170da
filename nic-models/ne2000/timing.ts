/**
 * Timing constants of the DP8390 model (documented costs; the medium owns wire timing).
 *
 * Local DMA (DP8390D datasheet, "DMA Operations"): one bus cycle is 4 BSCK periods at 20 MHz = 200 ns and moves
 * one byte (DCR.WTS = 0) or one word (WTS = 1): 5 or 10 MB/s.
 */
import type { Time } from '../../emulator/machine/sim/time';

export const LOCAL_DMA_CYCLE_NS: Time = 200;

/** Time for the local DMA to move `bytes` bytes in byte or word mode. */
export function localDmaTime(bytes: number, wordMode: boolean): Time {
  const cycles = wordMode ? Math.ceil(bytes / 2) : bytes;
  return cycles * LOCAL_DMA_CYCLE_NS;
}

/**
 * Receive: the local DMA writes the frame while it arrives. When the last bit is in, what remains is draining
 * the 16-byte FIFO (which then holds the frame's tail and FCS) and writing the 4-byte ring header: 20 bytes.
 * PRX/RXE and CURR change after that (2 µs in word mode, 4 µs in byte mode).
 */
export const RX_TAIL_BYTES = 16 + 4;

/**
 * Transmit: after TXP the local DMA fills the FIFO up to the threshold (DCR.FT: 2, 4, 8 or 12 bytes) before the
 * MAC starts (deferral and the wire follow). The rest of the frame streams at 5–10 MB/s, faster than the
 * 1.25 MB/s wire, so it never underruns and adds no time.
 */
export function fifoThresholdBytes(dcr: number): number {
  return [2, 4, 8, 12][(dcr >> 5) & 3]!;
}

/** Bit rate of the DP8390's serial side (10 Mb/s Ethernet). Internal loopback is timed at this rate. */
export const DP8390_BIT_RATE = 10_000_000;
