/**
 * Bus timing: what one access costs, computed by the bus that carries it (DESIGN.md "Time and determinism").
 * A device describes its side of the cycle (data width, wait states, DEVSEL speed); the bus (ISA through the
 * PIIX3, PCI through the host bridge) turns that into nanoseconds. The CPU that issues the access stalls for
 * that long; the access takes effect at the point on the CPU's timeline where it was issued.
 *
 * DRAFT interface (issue 7 §4): the board implements the buses (emulator/machine/board), NIC models describe
 * their target side (nic-models/*), the stack's ThreadCtx and the v86 adapter charge what `cycleNs` says.
 */
import type { AccessSize } from './types';

/** The cost of accesses to one mapped window, as the bus computes it for this device. */
export interface BusTiming {
  /** Nanoseconds from the CPU issuing the access until it completes (a posted write: until the bridge takes it). */
  cycleNs(offset: number, size: AccessSize, write: boolean): number;
}

/**
 * An ISA target's side of an I/O cycle (IEEE P996 / PC-AT bus): whether it claims a 16-bit transfer at this
 * offset (IOCS16#) and how many wait states it adds (IOCHRDY) beyond the bus's standard cycle.
 */
export interface IsaTargetTiming {
  /** 16 when the device asserts IOCS16# for this offset, else 8 (a 16-bit access becomes two 8-bit cycles). */
  width(offset: number): 8 | 16;
  /** Extra wait states (BCLK periods) the device adds with IOCHRDY for an access at `offset`. */
  waitStates(offset: number, write: boolean): number;
}

/** A PCI target's side of a cycle: DEVSEL# decode speed and initial-latency wait states per BAR. */
export interface PciTargetTiming {
  devsel: 'fast' | 'medium' | 'slow';
  /** Target wait states (TRDY# delay, PCI clocks) for an access to BAR `bar` at `offset`. */
  waitClocks(bar: number, offset: number, write: boolean): number;
}
