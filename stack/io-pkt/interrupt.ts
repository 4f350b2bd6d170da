/**
 * io-pkt's interrupt entries (QNX lib/io-pkt/sys/interrupt.c, interrupt_entry_init): a driver hands io-pkt a
 * `func`/`enable` pair and a priority; io-pkt attaches the IRQ with InterruptAttachEvent and a pulse, creates a
 * handling thread lazily (one per entry, up to the CPU count, unless `-t` created them at start) and spreads the
 * entries round-robin over the handling threads (`ii_tidx_next % ii_corecur`).
 *
 * Priority (the drivers' `priority=` option, nic_config_t.priority; IRUPT_PRIO_DEFAULT = -1 means tcpip's
 * `rx_prio`, 21): the priority belongs to the handling thread's event (`itp->intr_ev.sigev_priority`), so the
 * last entry assigned to a thread sets it for every entry that thread handles. A value outside 1..nw_max_prio is
 * logged ("invalid prio: N, ignored") and rx_prio used. Once an entry is assigned to a thread that already has
 * one while some entry asked for its own priority, io-pkt logs "More interrupt sources than handling threads.
 * Defaulting all previous priority overrides." and every thread's event goes back to rx_prio for good.
 *
 * Modelled: one pulse event per handling slot's entries, its priority read by the kernel at delivery (the event
 * object is the slot's, as io-pkt's ISR returns `itp->event`). Not modelled: the binding of an entry to one
 * particular thread (any idle io-pkt thread receives the pulse on the shared channel — the kernel's mask until
 * InterruptUnmask still makes each source serviced by one thread at a time) and load-based migration
 * (irupt_smooth_sample), which only moves entries between threads.
 */
import type { Co, SigEvent, ThreadCtx } from '../kernel/api';
import { _SLOG_ERROR } from '../kernel/slog';
import type { SlogSeverity } from './driver-api';

/** interrupt_entry_init's prio argument meaning "tcpip rx_prio". */
export const IRUPT_PRIO_DEFAULT = -1;
/** nw_max_prio: the highest priority io-pkt accepts (sched_get_priority_max for a root process on Neutrino). */
export const NW_MAX_PRIO = 255;

export interface InterruptEntry {
  readonly id: number;
  readonly irq: number;
  /** Kernel attach id (InterruptAttachEvent). */
  readonly kid: number;
  /** The handling slot (ient->tidx) this entry was spread to. */
  readonly slot: number;
  /** The pulse the kernel delivers; its priority is the slot's event priority. */
  readonly event: Extract<SigEvent, { notify: 'pulse' }>;
  readonly func: (wctx: ThreadCtx) => Co<boolean>;
  readonly enable: (wctx: ThreadCtx) => void;
}

/** The priority bookkeeping of interrupt_entry_init (struct iinfo). */
export class InterruptPrio {
  /** ii_tidx_next: entries spread so far. */
  private next = 0;
  /** ii_prio_override: some entry asked for its own priority. */
  private override = false;
  /** ii_prio_default: overrides were thrown away (more entries than handling threads). */
  private defaulted = false;
  /** Event priority per handling slot. */
  private readonly slotPrio = new Map<number, number>();

  constructor(private readonly rxPrio: number, private readonly log: (text: string, severity?: SlogSeverity) => void) {}

  /**
   * Spread a new entry over `threads` handling threads with requested priority `prio`. Returns its slot; the
   * caller then applies `priorityOf(slot)` to every entry (a slot's priority may have changed for all of them).
   */
  assign(prio: number, threads: number): number {
    let p = prio;
    if (p === IRUPT_PRIO_DEFAULT || this.defaulted) {
      p = this.rxPrio;
    } else if (!Number.isInteger(p) || p < 1 || p > NW_MAX_PRIO) {
      this.log(`invalid prio: ${prio}, ignored`, _SLOG_ERROR); // interrupt.c: log(LOG_ERR, …)
      p = this.rxPrio;
    } else {
      this.override = true;
    }
    const n = Math.max(1, threads);
    const slot = this.next % n;
    this.slotPrio.set(slot, p);
    if (this.next >= n && this.override && !this.defaulted) {
      this.defaulted = true;
      this.log('More interrupt sources than handling threads.  Defaulting all previous priority overrides.');
      for (const s of this.slotPrio.keys()) this.slotPrio.set(s, this.rxPrio);
    }
    this.next++;
    return slot;
  }

  priorityOf(slot: number): number {
    return this.slotPrio.get(slot) ?? this.rxPrio;
  }
}

/**
 * A driver's `priority=` option as libnetdrvr's nic_parse_options reads it (strtoul: C prefixes, garbage reads
 * 0, which interrupt_entry_init then rejects as an invalid priority); absent: IRUPT_PRIO_DEFAULT.
 */
export function nicPriorityOption(v: string | undefined): number {
  if (v === undefined) return IRUPT_PRIO_DEFAULT;
  const t = v.trim();
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(t);
  if (!m) return 0;
  const s = m[1]!;
  if (/^0[xX]/.test(s)) return parseInt(s.slice(2), 16);
  if (s.startsWith('0')) return parseInt(s, 8);
  return parseInt(s, 10);
}
