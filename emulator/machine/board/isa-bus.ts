/**
 * The ISA bus behind the PIIX3 (Intel 82371SB) and what a CPU access to it costs. The CPU's I/O cycle goes
 * through the host bridge as a PCI transaction (pci-bus.ts); the PIIX3 claims it — subtractively for ISA
 * cards and unclaimed ports, positively (medium DEVSEL#, as its status register reports) for its own
 * ISA-compatible registers — and runs it on the ISA bus, holding TRDY# until the ISA cycle is done.
 *
 * ISA side, in BCLK periods (BCLK = PCICLK / 4 = 8⅓ MHz, 120 ns):
 * - Standard cycles (IBM PC/AT Technical Reference, I/O channel timing; IEEE P996): an 8-bit cycle is
 *   6 BCLKs (4 default wait states), a 16-bit cycle 3 BCLKs (1 default wait state). A target asserting
 *   IOCS16# gets a 16-bit cycle; otherwise a 16-bit access is two 8-bit cycles (low byte, then high byte at
 *   address + 1) and a 32-bit access four 8-bit or two 16-bit cycles.
 * - IOCHRDY: each wait state the target adds lengthens its cycle by one BCLK.
 * - I/O recovery: the PIIX3 spaces back-to-back ISA I/O cycles by a built-in 3.5 BCLKs plus the IORT
 *   register's programmed delay (function 0, offset 4Ch, default 4Dh: 8-bit and 16-bit recovery enabled, 1
 *   BCLK each): 4.5 BCLKs. Drivers issue port I/O back to back (register sequences, REP INSW), so every
 *   I/O cycle is charged its recovery; a cycle the CPU issues after a longer pause is overcharged by it.
 * - Assumption: starting an ISA cycle from the PCI side costs one BCLK of synchronisation.
 *
 * The 82093AA I/O APIC sits on the PIIX3's X-bus (82093AA datasheet §3: "The PIIX3 decodes the IOAPIC in
 * memory space and sends a CS# to the IOAPIC device"; its D/I# pin is driven by SA4). Assumption: its data
 * path is 8 bits wide and each byte of an access is one X-bus memory cycle of the standard 8-bit length (no
 * I/O recovery: these are memory cycles). Memory writes are posted by the host bridge (pci-bus.ts).
 *
 * The CPU's interrupt-acknowledge cycle becomes a PCI interrupt-acknowledge transaction the PIIX3 claims
 * (medium DEVSEL#) and turns into the two INTA# pulses of its 8259A pair (8259A datasheet, "Interrupt
 * Sequence"). Assumption: each pulse takes one standard 8-bit cycle.
 */
import type { AccessSize } from '../bus/types';
import type { BusTiming, IsaTargetTiming } from '../bus/timing';
import {
  ADDRESS_PHASE_CLOCKS, DEVSEL_CLOCKS, HOST_READ_RETURN_CLOCKS, HOST_REQUEST_CLOCKS, PCI_CLOCK_NS, POSTED_WRITE_NS,
  TURNAROUND_CLOCKS,
} from './pci-bus';

/** BCLK = PCICLK / 4 (the PIIX3's ISA clock divisor for a 33 MHz PCI bus). */
export const BCLK_NS = 4 * PCI_CLOCK_NS;
/** Standard ISA cycle lengths in BCLKs, by data width. */
export const ISA_CYCLE_BCLKS: Readonly<Record<8 | 16, number>> = { 8: 6, 16: 3 };
/** PIIX3 I/O recovery between back-to-back ISA I/O cycles, in half BCLKs: 3.5 built in + 1 (IORT 4Dh). */
export const IO_RECOVERY_HALF_BCLKS = 9;
/** Assumption: synchronising the PCI-side request to BCLK. */
export const ISA_SYNC_BCLKS = 1;

/** How the PIIX3 claims the PCI transaction: subtractively (ISA cards, nobody) or as its own register. */
export type IsaDecode = 'subtractive' | 'piix3';

/** PCI-side clocks around an ISA cycle: request, address, the PIIX3's claim, read return, turnaround. */
function pciSideNs(decode: IsaDecode, write: boolean): number {
  const claim = DEVSEL_CLOCKS[decode === 'subtractive' ? 'subtractive' : 'medium'];
  const clocks = HOST_REQUEST_CLOCKS + ADDRESS_PHASE_CLOCKS + claim + (write ? 0 : HOST_READ_RETURN_CLOCKS) + TURNAROUND_CLOCKS;
  return clocks * PCI_CLOCK_NS;
}

/** Nanoseconds one CPU port access to an ISA target costs. */
export function isaIoNs(target: IsaTargetTiming, decode: IsaDecode, offset: number, size: AccessSize, write: boolean): number {
  let halfBclks = 2 * ISA_SYNC_BCLKS;
  // The ISA cycles the access becomes, in bus order, walked in place (this runs for every port access).
  for (let o = offset; o < offset + size; ) {
    const width = target.width(o);
    const wait = Math.max(0, Math.round(target.waitStates(o, write)));
    halfBclks += 2 * (ISA_CYCLE_BCLKS[width] + wait) + IO_RECOVERY_HALF_BCLKS;
    // A byte access to a 16-bit target is one 16-bit-timed cycle on one byte lane.
    o += width === 16 && o + 2 <= offset + size ? 2 : 1;
  }
  return pciSideNs(decode, write) + (halfBclks * BCLK_NS) / 2;
}

/** The timing of an ISA I/O window (an ISA card, a PIIX3 register block, or nothing at all). */
export function isaIoTiming(target: IsaTargetTiming, decode: IsaDecode = 'subtractive'): BusTiming {
  return { cycleNs: (offset, size, write) => isaIoNs(target, decode, offset, size, write) };
}

/** An X-bus memory window (the 82093AA): reads run one 8-bit cycle per byte; writes are posted. */
export const XBUS_MEMORY: BusTiming = {
  cycleNs: (_offset, size, write) => {
    if (write) return POSTED_WRITE_NS;
    return pciSideNs('piix3', false) + (ISA_SYNC_BCLKS + size * ISA_CYCLE_BCLKS[8]) * BCLK_NS;
  },
};

/** The CPU's interrupt-acknowledge cycle to the PIIX3's 8259A pair: two INTA# pulses. */
export const INTERRUPT_ACKNOWLEDGE_NS = pciSideNs('piix3', false) + (ISA_SYNC_BCLKS + 2 * ISA_CYCLE_BCLKS[8]) * BCLK_NS;
