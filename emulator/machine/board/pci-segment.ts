/**
 * The board's PCI bus segment: the clock its slots run at and their data path, from the board's configuration
 * (`BoardConfig.pci`; a scenario node's `pci:`), 33 MHz and 32 bits by default as on an i440FX board.
 *
 * - Clock (PCI 3.0 chapter 7): a segment built for 66 MHz runs at 66 only while every function plugged into it
 *   is 66 MHz capable (`PciFunctionSpec.capable66MHz`). A 33 MHz function grounds M66EN and the whole segment
 *   runs at 33 — the fall-back is traced (`pci/segment-fallback`). The clock is read at each use, so a
 *   function plugged in later still takes the segment down, as M66EN would at the next power-on; functions are
 *   plugged in before anything runs.
 * - Data path (§3.8): a master's transfers use 8-byte data phases (REQ64#/ACK64#) only when the slot is 64
 *   bits wide and the function is 64-bit (`PciFunctionSpec.bus64`); otherwise 4-byte ones. The host bridge
 *   of a 64-bit segment is taken to answer ACK64# for memory.
 *
 * The chipset's own functions (host bridge 00:00.0, PIIX3 00:01.0) are board logic, not loads on the slots'
 * segment: they take no part in the M66EN decision and keep the i440FX/PIIX3 identity, so firmware and drivers
 * see the same machine *(I: a real PIIX3 is a 33 MHz part; a board with 66 MHz slots keeps its south bridge off
 * that segment)*. ISA cycles through the PIIX3 keep their 33 MHz figures (isa-bus.ts).
 */
import type { ComponentContext } from '../sim/context';
import type { ClockDomain } from '../sim/time';
import type { PciClockMhz, PciDataWidth, PciFunction, PciFunctionSpec, PciSegmentConfig, PciSegmentView } from '../bus/types';
import { PCI_CLOCK, PCI_CLOCK_66, type PciMasterBus } from './dma';
import { PCI_CLOCK_NS, PCI_CLOCK_NS_66, type PciClockPeriod } from './pci-bus';

/** What the i440FX board has: conventional 33 MHz, 32-bit PCI. */
export const PCI_SEGMENT_DEFAULT: Readonly<PciSegmentConfig> = { clock: 33, width: 32 };

/** Why a segment configuration is impossible, or null. */
export function pciSegmentConfigError(cfg: { clock?: unknown; width?: unknown }): string | null {
  if (cfg.clock !== 33 && cfg.clock !== 66) return `PCI clock must be 33 or 66 MHz (got ${String(cfg.clock)})`;
  if (cfg.width !== 32 && cfg.width !== 64) return `PCI data path must be 32 or 64 bits (got ${String(cfg.width)})`;
  return null;
}

export class PciSegment implements PciSegmentView, PciMasterBus, PciClockPeriod {
  readonly config: Readonly<PciSegmentConfig>;
  /** Functions that are not 66 MHz capable, by label ("00:03.0 10ec:8029"), in plug-in order. */
  private readonly slow: string[] = [];

  constructor(private readonly ctx: ComponentContext, cfg: PciSegmentConfig = PCI_SEGMENT_DEFAULT) {
    const why = pciSegmentConfigError(cfg);
    if (why) throw new Error(`${ctx.name}: ${why}`);
    this.config = { clock: cfg.clock, width: cfg.width };
  }

  /** A function is plugged into one of the segment's slots (`label`: its bus/device/function). */
  join(fn: PciFunction, label: string): void {
    const s = fn.spec;
    if (s.capable66MHz === true) return;
    const id = `${hex4(s.vendorId)}:${hex4(s.deviceId)}`;
    this.slow.push(`${label} ${id}`);
    if (this.config.clock === 66) {
      this.ctx.tracer.emit(this.ctx.node, 'pci', 'segment-fallback', 0, { dev: label, id, configured: 66, clock: 33, reason: 'not-66mhz-capable' });
    }
  }

  /** M66EN: 66 while the segment is built for it and no 33 MHz function is on it. */
  get clockMhz(): PciClockMhz {
    return this.config.clock === 66 && this.slow.length === 0 ? 66 : 33;
  }

  get slotWidth(): PciDataWidth {
    return this.config.width;
  }

  /** The clock domain bus-master transfers are counted in. */
  get clock(): ClockDomain {
    return this.clockMhz === 66 ? PCI_CLOCK_66 : PCI_CLOCK;
  }

  /** The clock period CPU-side costs are charged in (pci-bus.ts): 30 or 15 ns. */
  get periodNs(): number {
    return this.clockMhz === 66 ? PCI_CLOCK_NS_66 : PCI_CLOCK_NS;
  }

  /** The data path of a function's transfers: 64 bits only when the slot and the function are 64-bit. */
  dataWidth(spec: PciFunctionSpec | undefined): PciDataWidth {
    return this.config.width === 64 && spec?.bus64 === true ? 64 : 32;
  }

  /** "66 MHz, 64-bit slots" or "33 MHz (built for 66; 00:02.0 10ec:8029 is not 66 MHz capable), 32-bit slots". */
  describe(): string {
    const held = this.config.clock === 66 && this.slow.length > 0 ? ` (built for 66; ${this.slow.join(', ')} not 66 MHz capable)` : '';
    return `${this.clockMhz} MHz${held}, ${this.config.width}-bit slots`;
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
