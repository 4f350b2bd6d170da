import type { AccessSize, RegisterHandler } from '../bus/types';
import type { BusTiming } from '../bus/timing';

/**
 * Internal switch for tests (not a user option), as stack/kernel/string-io.ts `stringIo.batch`: false = every access
 * syncs, detached or not (the reference path). `skipped` counts the syncs detached accesses skipped in this thread.
 */
export const guestDetach = { enabled: true, skipped: 0 };

/** Observes every access the guest makes through a window (the replay log, register traces). */
export type PortAccessHook = (write: boolean, offset: number, size: AccessSize, value: number) => void;

/**
 * What every window of ours in a v86 instance (port-window.ts, mmio-window.ts) does on an access: first stall
 * the guest's CPU for the bus cycle `timing` gives (v86 retires the instruction at once; a real CPU waits for
 * the ISA or PCI cycle, or only for the posting of a memory write), then let the world catch up (`sync`), then
 * reach the device — the access takes effect at the end of its cycle, as on a simulated node's timeline
 * (stack/kernel/thread-api.ts) — and tell `hook` (after the handler, for reads).
 */
export abstract class GuestWindow {
  /** The guest touches the window (set by the owner; runs after `sync`, for reads after the handler). */
  hook: PortAccessHook | null = null;
  /** Runs before every access (the guest machine lets the simulation catch up to the guest's time). */
  sync: (() => void) | null = null;
  /** The guest CPU waits this long for an access's bus cycle (set by the owner: GuestMachine.stall). */
  stall: ((ns: number) => void) | null = null;
  /**
   * Whether the guest runs in a thread of its own (set by the owner: GuestMachine.threaded). Then an access the
   * device calls detached (RegisterHandler.detached) skips `sync`: nothing before it can change what it does, so it
   * need not wait for the other threads (a REP INSW of a received frame from the NE2000's ring is hundreds of
   * them). The single-threaded engine always syncs: there a catch-up also runs the other guests' quanta, nested, and
   * where those start is part of that engine's run.
   */
  threaded: (() => boolean) | null = null;

  constructor(
    readonly size: number,
    protected readonly handler: RegisterHandler,
    /** Name for traces ("linux1.nic0 BAR0"). */
    readonly label: string,
    /** What an access to this window costs on the bus that carries it. */
    readonly timing: BusTiming,
  ) {}

  /** A guest read of `size` bytes at window offset `offset`. */
  read(offset: number, size: AccessSize): number {
    this.stall?.(this.timing.cycleNs(offset, size, false));
    if (this.detached(offset, size, false, 0)) guestDetach.skipped++;
    else this.sync?.();
    const v = this.handler.read(offset, size);
    this.hook?.(false, offset, size, v);
    return v;
  }

  /** A guest write; `value` already masked to `size` bytes. */
  write(offset: number, size: AccessSize, value: number): void {
    this.stall?.(this.timing.cycleNs(offset, size, true));
    if (this.detached(offset, size, true, value)) guestDetach.skipped++;
    else this.sync?.();
    this.hook?.(true, offset, size, value);
    this.handler.write(offset, size, value);
  }

  /** The access may skip `sync` (`threaded`, RegisterHandler.detached). */
  private detached(offset: number, size: AccessSize, write: boolean, value: number): boolean {
    return guestDetach.enabled && this.threaded !== null && this.threaded() && this.handler.detached?.(offset, size, write, value) === true;
  }
}
