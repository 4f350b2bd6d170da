import type { RegisterHandler } from '../bus/types';
import type { IsaTargetTiming } from '../bus/timing';
import { isaIoTiming } from '../board/isa-bus';
import type { GuestAttachment, GuestMachine } from './guest-machine';
import { GuestIrqLine } from './guest-irq';
import { V86PortWindow } from './port-window';
import type { V86Cpu } from './v86-types';

/**
 * An ISA device in a v86 instance: a register window at a fixed port base and one interrupt output wired to
 * an ISA IRQ of v86's 8259 pair (`cpu.device_raise_irq/device_lower_irq`; the PIC is edge-triggered for ISA
 * lines unless the guest sets the line's ELCR bit, as for real ISA cards). v86's chipset is an i440FX with a
 * PIIX3, as our board's: each access stalls the guest for the ISA cycle the card's `timing` gives on that bus
 * (emulator/machine/board/isa-bus.ts).
 */
export class V86IsaAttachment implements GuestAttachment {
  private readonly target: number;
  private window: V86PortWindow | null = null;
  /** The card's interrupt output as v86's 8259 pair sees it (guest-irq.ts). */
  readonly irqLine: GuestIrqLine;

  constructor(
    private readonly guest: GuestMachine,
    private readonly handler: RegisterHandler,
    readonly base: number,
    readonly size: number,
    readonly irq: number,
    readonly label: string,
    /** The card's side of its ISA cycles (IOCS16#, IOCHRDY wait states). */
    readonly timing: IsaTargetTiming,
  ) {
    this.target = guest.addTarget(handler);
    this.irqLine = new GuestIrqLine(guest);
    guest.addAttachment(this);
  }

  bind(cpu: V86Cpu): void {
    this.irqLine.connect((level) => (level ? cpu.device_raise_irq(this.irq) : cpu.device_lower_irq(this.irq)));
    const w = new V86PortWindow(cpu.io, this.size, this.handler, this.label, isaIoTiming(this.timing, 'subtractive'));
    w.sync = () => this.guest.sync();
    w.threaded = () => this.guest.threaded;
    w.stall = (ns) => this.guest.stall(ns);
    w.hook = (write, offset, size, value) => this.guest.record(this.target, offset, size, write, value);
    w.map(this.base);
    this.window = w;
  }

  get mapped(): boolean {
    return this.window?.mappedAt === this.base;
  }
}
