/**
 * What a CPU access costs on the PCI side of the board: the host bridge (i440FX PMC) turning the CPU's I/O or
 * uncached memory cycle into a PCI transaction at the segment's clock (33⅓ MHz, 30 ns, unless the board's
 * segment runs at 66⅔ MHz, 15 ns: pci-segment.ts), and the transaction itself (PCI Local Bus Specification 3.0,
 * chapter 3). Figures are in PCI clocks; each says where it comes from, or that it is an assumption. Every cost
 * function takes the clock period (`clockNs`, default the 33 MHz one), so the host-bridge assumptions stay in
 * clocks and scale with the segment.
 *
 * A single-data-phase transaction, as the CPU waits for it:
 *
 *   host request  →  address phase  →  DEVSEL# decode / turnaround  →  target wait states  →  data phase
 *   →  (read: data back to the CPU)  →  turnaround (idle) before the next transaction
 *
 * - Address phase: 1 clock (FRAME# asserted, §3.3.1).
 * - DEVSEL#: fast 1, medium 2, slow 3 clocks after the address phase; subtractive decode claims after the
 *   slow sample point, in the 4th (§3.6.1). A read needs the AD turnaround clock before the target may
 *   drive data (§3.3.1, figure 3-5), so its data phase cannot complete before the 2nd clock.
 * - Target wait states: TRDY# held off for `waitClocks` (the target's initial latency, §3.5.1.1).
 * - Master abort: no DEVSEL# by the 5th clock after FRAME#; the master ends the cycle, a read returns all
 *   ones (§3.3.3.1).
 * - Turnaround: one idle clock between transactions (§3.3.1).
 * - I/O writes and all reads hold the CPU until the data phase completes (I/O writes are never posted,
 *   §3.2.5); memory writes are posted by the host bridge: the CPU pays only the posting (§3.2.5).
 *
 * Assumptions (the i440FX datasheet gives no CPU-to-PCI latency figure): the host bridge needs 2 PCI clocks
 * from the CPU's bus cycle to FRAME#, 1 clock to return read data to the CPU, and takes a posted write in
 * 2 clocks. Registers inside the host bridge (CONFIG_ADDRESS, its own configuration space) cost the request
 * and the return and no PCI transaction. A posted write reaches its target at the posting point (the time
 * it spends in the posting buffer is not modelled) and a read does not wait for earlier posted writes to
 * drain.
 */
import type { AccessSize } from '../bus/types';
import type { BusTiming, DevselSpeed, PciTargetTiming } from '../bus/timing';

/** PCICLK: 33⅓ MHz, 30 ns (PCI 3.0 §4.2.3.1: 30 ns minimum cycle time at 33 MHz). */
export const PCI_CLOCK_NS = 30;
/** PCICLK of a 66 MHz segment: 66⅔ MHz, 15 ns (PCI 3.0 chapter 7: 15 ns minimum cycle time). */
export const PCI_CLOCK_NS_66 = 15;
/** Assumption: CPU bus cycle to FRAME# through the host bridge. */
export const HOST_REQUEST_CLOCKS = 2;
/** Assumption: read data from the PCI data phase back to the CPU. */
export const HOST_READ_RETURN_CLOCKS = 1;
/** Assumption: the host bridge's posting buffer accepts a memory write. */
export const HOST_POST_CLOCKS = 2;
/** §3.3.1: the address phase is one clock. */
export const ADDRESS_PHASE_CLOCKS = 1;
/** §3.3.1: one idle clock between transactions. */
export const TURNAROUND_CLOCKS = 1;
/** §3.6.1: clocks after the address phase by which the target asserts DEVSEL#. */
export const DEVSEL_CLOCKS: Readonly<Record<DevselSpeed | 'subtractive', number>> = { fast: 1, medium: 2, slow: 3, subtractive: 4 };
/** §3.3.3.1: no DEVSEL# by this clock after FRAME#: master abort. */
export const MASTER_ABORT_CLOCKS = 5;
/** §3.3.1: a read's data phase cannot complete before the AD turnaround clock has passed. */
const READ_TURNAROUND_CLOCKS = 2;

/**
 * PCI clocks the CPU waits for one single-data-phase transaction whose target claims `decodeClocks` after the
 * address phase and adds `waitClocks` target wait states.
 */
export function transactionClocks(decodeClocks: number, waitClocks: number, write: boolean): number {
  const data = Math.max(decodeClocks, write ? 1 : READ_TURNAROUND_CLOCKS) + Math.max(0, waitClocks);
  return HOST_REQUEST_CLOCKS + ADDRESS_PHASE_CLOCKS + data + (write ? 0 : HOST_READ_RETURN_CLOCKS) + TURNAROUND_CLOCKS;
}

/** Clocks of a transaction nobody claims (master abort); a read returns all ones. */
export function masterAbortClocks(write: boolean): number {
  return HOST_REQUEST_CLOCKS + MASTER_ABORT_CLOCKS + (write ? 0 : HOST_READ_RETURN_CLOCKS) + TURNAROUND_CLOCKS;
}

/** The CPU's cost of a posted memory write on a 33 MHz segment (`postedWriteNs` for any clock). */
export const POSTED_WRITE_NS = HOST_POST_CLOCKS * PCI_CLOCK_NS;

/** The CPU's cost of a posted memory write: the host bridge's posting, in clocks of `clockNs`. */
export function postedWriteNs(clockNs = PCI_CLOCK_NS): number {
  return HOST_POST_CLOCKS * clockNs;
}

/**
 * Where a window's clock period comes from when it is charged: a segment, read at each access (its clock falls
 * to 33 MHz when a 33 MHz function joins it: pci-segment.ts).
 */
export interface PciClockPeriod {
  readonly periodNs: number;
}

/** A register inside the host bridge: request and (for reads) return, no PCI transaction. */
export function hostInternalNs(write: boolean, clockNs = PCI_CLOCK_NS): number {
  return (HOST_REQUEST_CLOCKS + (write ? 0 : HOST_READ_RETURN_CLOCKS)) * clockNs;
}

/** One access to a PCI target's BAR: I/O (never posted) or memory (writes posted). */
export function pciAccessNs(
  t: PciTargetTiming, bar: number, kind: 'io' | 'mem32', offset: number, size: AccessSize, write: boolean, clockNs = PCI_CLOCK_NS,
): number {
  void size; // 1–4 bytes within a dword are one data phase with byte enables (§3.2.2)
  if (kind === 'mem32' && write) return postedWriteNs(clockNs);
  return transactionClocks(DEVSEL_CLOCKS[t.devsel], t.waitClocks(bar, offset, write), write) * clockNs;
}

/** The timing of a PCI function's BAR window, for the address space it is mapped into (on `clock`'s segment). */
export function pciBarTiming(t: PciTargetTiming, bar: number, kind: 'io' | 'mem32', clock?: PciClockPeriod): BusTiming {
  return { cycleNs: (offset, size, write) => pciAccessNs(t, bar, kind, offset, size, write, clock?.periodNs ?? PCI_CLOCK_NS) };
}

/**
 * A configuration cycle through mechanism #1 (the CONFIG_DATA access; §3.2.2.3): a type-0 transaction the
 * selected function claims with its own DEVSEL# speed and no wait states, or a master abort when no function
 * answers (`devsel` null).
 */
export function configCycleNs(devsel: DevselSpeed | null, write: boolean, clockNs = PCI_CLOCK_NS): number {
  const clocks = devsel === null ? masterAbortClocks(write) : transactionClocks(DEVSEL_CLOCKS[devsel], 0, write);
  return clocks * clockNs;
}

/** Memory addresses nobody decodes (on `clock`'s segment): reads master-abort on PCI, writes are posted and abort later. */
export function unclaimedMemoryTiming(clock?: PciClockPeriod): BusTiming {
  return {
    cycleNs: (_offset, _size, write) => {
      const clockNs = clock?.periodNs ?? PCI_CLOCK_NS;
      return write ? postedWriteNs(clockNs) : masterAbortClocks(false) * clockNs;
    },
  };
}

/** Unclaimed memory on a 33 MHz segment. */
export const UNCLAIMED_MEMORY: BusTiming = unclaimedMemoryTiming();
