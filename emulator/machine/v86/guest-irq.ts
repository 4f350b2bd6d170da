import type { IrqLine } from '../bus/types';
import type { GuestMachine } from './guest-machine';

/**
 * One interrupt output of one of our devices, wired to an input of v86's interrupt controller: a PCI INTx pin
 * (through the PIIX3 PIRQ routing SeaBIOS programmed) or an ISA IRQ.
 *
 * What the wire guarantees: the controller sees the device's level as it is now — a level-triggered input
 * (PCI, ELCR set) stays requested exactly while the device holds it, and an edge-triggered one sees each rise.
 *
 * A change reaches v86 through `GuestMachine.poke`, which applies it at once or — when it happens while the
 * queue catches up inside one of the guest's I/O instructions (`sync`) — at the end of the quantum, after
 * everything the guest did later in that quantum. So an apply must not carry the level of the moment it was
 * queued: it drives v86's input to the device's level at the moment it runs, and only if v86 was last told
 * otherwise. A rise undone before its deferred apply (a frame raises INTA# while the driver reads a register;
 * the driver's write-1-to-clear of ISR lowers it again before the quantum ends) never reaches v86, as a level
 * pulse that falls before the 8259 acknowledges it is not taken; it cannot leave v86's input high behind a
 * device that is low (an interrupt storm on a level-triggered input: the handler finds nothing to do) or high
 * without a later rise (a lost interrupt on an edge-triggered one).
 */
export class GuestIrqLine implements IrqLine {
  /** The device's output. */
  private device = false;
  /** v86's input as last driven (meaningful while a CPU is connected). */
  private driven = false;
  private drive: ((level: boolean) => void) | null = null;

  constructor(private readonly guest: GuestMachine) {}

  set(level: boolean): void {
    if (level === this.device) return;
    this.device = level;
    this.guest.poke(() => this.apply());
  }

  get level(): boolean {
    return this.device;
  }

  /** What v86's input was last driven to (false without a CPU). */
  get input(): boolean {
    return this.drive !== null && this.driven;
  }

  /**
   * A CPU is bound; `drive` raises or lowers its input. The input is taken to be at the device's level already:
   * a cold boot binds before power-on, with every device at its reset level (low) and v86's inputs low; a
   * restore binds just before loading v86's state, saved between events, when every change had been applied,
   * so that state holds the device's level.
   */
  connect(drive: (level: boolean) => void): void {
    this.drive = drive;
    this.driven = this.device;
  }

  private apply(): void {
    if (!this.drive || this.driven === this.device) return;
    this.driven = this.device;
    this.drive(this.device);
  }
}
