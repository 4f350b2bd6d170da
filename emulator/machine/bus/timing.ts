/**
 * Bus timing: what one access costs, computed by the bus that carries it (DESIGN.md "Time and determinism").
 * A device describes its side of the cycle (data width, wait states, DEVSEL speed); the bus (ISA through the
 * PIIX3, PCI through the host bridge: emulator/machine/board/isa-bus.ts, pci-bus.ts) turns that into
 * nanoseconds. The CPU that issues the access stalls for that long; the access takes effect at the end of its
 * cycle, at that point on the issuing CPU's timeline (a simulated thread: stack/kernel/thread-api.ts; a v86
 * guest: emulator/machine/v86/port-window.ts).
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

/** DEVSEL# decode speed of a PCI target (PCI 3.0 §3.6.1; status register bits 10:9). */
export type DevselSpeed = 'fast' | 'medium' | 'slow';

/** A PCI target's side of a cycle: DEVSEL# decode speed and initial-latency wait states per BAR. */
export interface PciTargetTiming {
  devsel: DevselSpeed;
  /** Target wait states (TRDY# delay, PCI clocks) for an access to BAR `bar` at `offset`. */
  waitClocks(bar: number, offset: number, write: boolean): number;
}

/** An 8-bit ISA target that adds no wait states: the bus's standard 8-bit cycle for every access. */
export const ISA_8BIT_TARGET: IsaTargetTiming = {
  width: () => 8,
  waitStates: () => 0,
};

/**
 * An ISA target from a few facts: the offsets at which it asserts IOCS16# (16-bit data paths, e.g. a NIC's
 * data port) and the IOCHRDY wait states it adds (a constant, or per offset and direction).
 */
export function isaTarget(opts: {
  io16?: (offset: number) => boolean;
  waitStates?: number | ((offset: number, write: boolean) => number);
}): IsaTargetTiming {
  const io16 = opts.io16 ?? (() => false);
  const w = opts.waitStates ?? 0;
  return {
    width: (offset) => (io16(offset) ? 16 : 8),
    waitStates: typeof w === 'number' ? () => w : w,
  };
}

/**
 * The timing a PCI function gets when its spec names none: medium DEVSEL# (what the configuration space
 * reports in its status register, emulator/machine/board/pci-config.ts) and no target wait states.
 */
export const PCI_DEFAULT_TARGET: PciTargetTiming = {
  devsel: 'medium',
  waitClocks: () => 0,
};

/** A window that costs nothing (tests of behaviour that is not about time). */
export const NO_BUS_TIME: BusTiming = { cycleNs: () => 0 };
