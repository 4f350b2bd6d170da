import type { ComponentContext } from '../sim/context';
import { readState, stateVersions } from '../sim/snapshot';
import type { AccessSize, IrqLine, PciFunction, PciFunctionSpec } from '../bus/types';
import { WiredOr } from '../bus/wire';
import {
  IOAPIC_PIRQ_PIN_BASE, PIIX3_DEVICE_ID, PIIX3_VENDOR_ID, PIIX_PIRQRC, PIRQRC_DISABLE, PIRQRC_IRQ_MASK, pirqOf,
} from '../bus/pc-platform';

/** PIRQRC registers and the PIRQ swizzle live with the other PC constants (emulator/machine/bus/pc-platform.ts). */
export { IOAPIC_PIRQ_PIN_BASE, PIIX_PIRQRC, PIRQRC_DISABLE, PIRQRC_IRQ_MASK, pirqOf };
/** Only bit 7 and bits 3:0 are implemented; 6:4 are reserved and read 0. */
const PIRQRC_WRITABLE = PIRQRC_DISABLE | PIRQRC_IRQ_MASK;

/**
 * IRQ numbers the PIIX3 refuses to steer a PIRQ to: 0 (timer), 1 (keyboard), 2 (cascade), 8 (RTC) and 13
 * (FPU) are reserved encodings in the PIRQRC IRQ field; a PIRQ programmed with one of them is not routed.
 */
const RESERVED_IRQS = new Set([0, 1, 2, 8, 13]);

export const PIIX3_STATE = stateVersions('PIIX3', 1);

export interface PirqState {
  v: 1;
  pirqrc: number[];
}

/**
 * The PIIX3 PCI-to-ISA bridge (function 0 of 00:01.0, 8086:7000, class 060100) with its PIRQ router.
 *
 * Every PCI device's INTx output joins one of four wired-OR lines PIRQA–D (open-drain, active low on the real
 * board; modelled active-high). The router steers each PIRQ to the ISA IRQ named in its PIRQRC register,
 * where it joins that IRQ's own wired-OR; in parallel PIRQx drives I/O APIC pin 16+x, as the chipsets that
 * pair with an I/O APIC do. Changing PIRQRC moves a currently asserted PIRQ to its new IRQ at once.
 */
export class Piix3 implements PciFunction {
  readonly spec: PciFunctionSpec = { vendorId: PIIX3_VENDOR_ID, deviceId: PIIX3_DEVICE_ID, revision: 0x00, classCode: 0x060100, interruptPin: 0, bars: [] };
  /** The four PIRQ lines; devices get inputs with `pirq[x].input()`. */
  readonly pirq: readonly WiredOr[];
  private readonly pirqrc = [PIRQRC_DISABLE, PIRQRC_DISABLE, PIRQRC_DISABLE, PIRQRC_DISABLE];
  /** Input of each (PIRQ, ISA IRQ) pair on the ISA IRQ's wired-OR, created on first use. */
  private readonly isaInputs: Map<number, IrqLine>[] = [new Map(), new Map(), new Map(), new Map()];
  /** ISA IRQ each PIRQ currently drives (-1 = none). */
  private readonly driven = [-1, -1, -1, -1];

  /**
   * @param isaInput a new input on the wired-OR of ISA IRQ n
   * @param ioapicPin drive an I/O APIC input pin
   */
  constructor(
    private readonly ctx: ComponentContext,
    private readonly isaInput: (irq: number) => IrqLine,
    private readonly ioapicPin: (pin: number, level: boolean) => void,
  ) {
    this.pirq = [0, 1, 2, 3].map((x) => {
      const w = new WiredOr(`${ctx.name}.pirq${'ABCD'[x]}`);
      w.out.onChange((level) => {
        this.route(x);
        this.ioapicPin(IOAPIC_PIRQ_PIN_BASE + x, level);
      });
      return w;
    });
  }

  attachIntx(_line: IrqLine): void {}

  /** The ISA IRQ PIRQ `x` is steered to, or -1 when routing is disabled or reserved. */
  routedIrq(x: number): number {
    const v = this.pirqrc[x] ?? PIRQRC_DISABLE;
    if (v & PIRQRC_DISABLE) return -1;
    const irq = v & PIRQRC_IRQ_MASK;
    return RESERVED_IRQS.has(irq) ? -1 : irq;
  }

  configRead(offset: number, size: AccessSize): number | undefined {
    if (offset < PIIX_PIRQRC || offset > PIIX_PIRQRC + 3) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v += (this.pirqrc[offset - PIIX_PIRQRC + i] ?? 0) * 2 ** (8 * i);
    return v;
  }

  configWrite(offset: number, size: AccessSize, value: number): boolean {
    if (offset < PIIX_PIRQRC || offset > PIIX_PIRQRC + 3) return false;
    for (let i = 0; i < size; i++) {
      const x = offset - PIIX_PIRQRC + i;
      if (x > 3) break;
      const v = (value >>> (8 * i)) & PIRQRC_WRITABLE;
      if (this.pirqrc[x] === v) continue;
      this.pirqrc[x] = v;
      const irq = v & PIRQRC_IRQ_MASK;
      if (!(v & PIRQRC_DISABLE) && RESERVED_IRQS.has(irq)) {
        this.ctx.tracer.emit(this.ctx.node, 'pci', 'pirq-reserved-irq', 0, { pirq: 'ABCD'[x]!, irq });
      }
      this.ctx.tracer.emit(this.ctx.node, 'pci', 'pirq-route', 0, { pirq: 'ABCD'[x]!, irq: this.routedIrq(x) });
      this.route(x);
    }
    return true;
  }

  reset(): void {
    for (let x = 0; x < 4; x++) {
      this.pirqrc[x] = PIRQRC_DISABLE;
      this.route(x);
    }
  }

  saveState(): PirqState {
    return { v: 1, pirqrc: [...this.pirqrc] };
  }

  loadState(saved: PirqState): void {
    const s = readState<PirqState>(this.ctx.name, PIIX3_STATE, saved);
    for (let x = 0; x < 4; x++) {
      this.pirqrc[x] = (s.pirqrc[x] ?? PIRQRC_DISABLE) & PIRQRC_WRITABLE;
      this.route(x);
    }
  }

  /** Re-drive ISA IRQ inputs for PIRQ `x` after its level or its route changed. */
  private route(x: number): void {
    const level = this.pirq[x]!.out.level;
    const target = this.routedIrq(x);
    const prev = this.driven[x]!;
    if (prev !== target && prev >= 0) this.input(x, prev).set(false);
    this.driven[x] = target;
    if (target >= 0) this.input(x, target).set(level);
  }

  private input(x: number, irq: number): IrqLine {
    const m = this.isaInputs[x]!;
    let line = m.get(irq);
    if (!line) {
      line = this.isaInput(irq);
      m.set(irq, line);
    }
    return line;
  }
}
