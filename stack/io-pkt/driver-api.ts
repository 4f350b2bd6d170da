/**
 * The contract between io-pkt (stack/io-pkt) and its driver modules (stack/drivers), after QNX's
 * `sys/io-pkt.h` and NetBSD's ifnet: a module exports an entry (`iopkt_drvr_entry`, or `io_net_dll_entry`
 * for legacy io-net drivers that io-pkt runs through devnp-shim.so); `drvr_init` probes hardware and calls
 * `devAttach` per device; the driver fills ifnet ops; received frames go up through `ifInput`.
 *
 * The interface itself (`Ifnet`, its ops and flags, `Mbuf`, the nicinfo records) is the stack's: drivers
 * import those from stack/net (if.ts, mbuf.ts, hw-nicinfo.ts), as a NetBSD driver includes net/if.h.
 *
 * Drivers reach hardware only through the thread's port and MMIO accesses (`ctx.in8`, `ctx.out16s`, …, on its
 * timeline), physical memory (`ctx.bus`) and interrupts.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import type { Ifnet, IfnetOps } from '../net/if';
import type { Mbuf } from '../net/mbuf';
import type { Ieee80211Host } from '../net80211/var';
import type { CryptoFramework } from '../crypto/api';
import type { LsmHost } from './lsm-host';

export { IRUPT_PRIO_DEFAULT, nicPriorityOption } from './interrupt';
// slogf severities (<sys/slog.h>) for IoPkt.log: drivers import them from here, as a QNX driver includes sys/slog.h.
export { _SLOG_CRITICAL, _SLOG_ERROR, _SLOG_WARNING, _SLOG_NOTICE, _SLOG_INFO, _SLOG_DEBUG1 } from '../kernel/slog';

/** A slogf severity: _SLOG_SHUTDOWN 0 … _SLOG_DEBUG2 7 (<sys/slog.h>). */
export type SlogSeverity = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Options common to drivers (libnetdrvr nic_parse_options) after io-pkt consumed name=/unit=/lan=. */
export type DriverOptions = Map<string, string>;

/** What io-pkt hands a driver module. */
export interface IoPkt {
  /** The thread running drvr_init / ops (stack context). */
  readonly ctx: ThreadCtx;
  /**
   * dev_attach: create an interface named `<basename><unit>` (unit from options lan=/unit= or the lowest
   * free; `name=` overrides the base name), ether_ifattach it, and return it. Errors: EALREADY (unit taken).
   */
  devAttach(basename: string, options: DriverOptions, ops: IfnetOps, lladdr: Uint8Array, softc: unknown): Ifnet;
  /** Remove an interface (called from a driver's detach). */
  devDetach(ifp: Ifnet): void;
  /**
   * interrupt_entry_init: attach to `irq` the io-pkt way (InterruptAttachEvent + pulse to an io-pkt thread).
   * When the interrupt fires, an io-pkt thread calls `func`; returning true means done and `enable()` is
   * called (unmask); false means call func again. `prio` is the driver's `priority=` option (nic_config_t
   * priority): the priority of the pulse, so of the thread servicing the source; absent or IRUPT_PRIO_DEFAULT
   * (-1): tcpip's rx_prio (21). Returns an id for interruptEntryRemove.
   */
  interruptEntryInit(irq: number, func: (wctx: ThreadCtx) => Co<boolean>, enable: (wctx: ThreadCtx) => void, prio?: number): number;
  interruptEntryRemove(id: number): void;
  /**
   * A received frame, handed up by the driver's thread `ctx`: io-pkt's layer 2 (bridge, ipflow) runs on that
   * thread first, without the stack context, and may consume it — what it queues for transmission is started on
   * that thread, through `IfnetOps.start(ifp, ctx)`, after `func` returns; otherwise it is queued for the stack
   * (ether_input in the stack context). When the stack has to be woken, that thread sends the pulse, at its
   * point on its own timeline.
   */
  ifInput(ctx: ThreadCtx, ifp: Ifnet, m: Mbuf): void;
  /** Link state changed (LINK_STATE_UP/DOWN). */
  linkState(ifp: Ifnet, up: boolean): void;
  /** Periodic driver callback (callout) every `periodNs`, in stack context; returns a cancel function. */
  callout(periodNs: number, fn: (ctx: ThreadCtx) => Co<void>): () => void;
  /**
   * slogf(_SLOGC_NETWORK, severity, text): the node's system log (sloginfo), at `severity` (default _SLOG_INFO).
   * At _SLOG_ERROR or worse the line is printed on the node's console too (issue 14: a driver that fails is
   * seen without -v); below that only with io-pkt's -v. Call sites use the severity of the NetBSD call they
   * stand for: aprint_error/printf of a failure or a reset → _SLOG_ERROR, log(LOG_WARNING) → _SLOG_WARNING,
   * attach banners (aprint_normal) → _SLOG_INFO (docs/io-pkt.md "Driver messages and severities").
   */
  log(text: string, severity?: SlogSeverity): void;
  /**
   * The 802.11 layer's view of this io-pkt for wireless interface `ifp` (ieee80211_ifattach uses it). Only
   * the hc variants carry 802.11: io-pkt-v4 answers null.
   */
  ieee80211Host?(ifp: Ifnet): Ieee80211Host | null;
  /**
   * The hardware crypto API (stack/crypto/api.ts) an offload engine registers with. Only the hc variants have
   * it: io-pkt-v4 answers null.
   */
  crypto?(): CryptoFramework | null;
}

/** A native io-pkt driver module (devnp-*.so): exports iopkt_drvr_entry. */
export interface NativeDriverModule {
  readonly kind: 'iopkt_drvr_entry';
  readonly version: 1;
  readonly type: 'general' | 'uni' | 'smp';
  /**
   * Symbols the module needs from io-pkt beyond the common driver API (a wireless driver: net80211's,
   * IEEE80211_SYMBOLS). dlopen fails in a variant that lacks them (io-pkt-v4 has no 802.11).
   */
  readonly imports?: readonly string[];
  /** drvr_init: probe and attach; return errno (0 ok; ENODEV when no hardware). */
  drvrInit(iopkt: IoPkt, options: string): Co<number>;
}

/** A legacy io-net driver (devn-*.so): exports io_net_dll_entry; io-pkt loads devnp-shim.so for it. */
export interface LegacyDriverModule {
  readonly kind: 'io_net_dll_entry';
  /** io-net init: the shim passes its io-net emulation (stack/drivers/shim). Returns errno. */
  init(ionet: unknown, options: string): Co<number>;
  shutdown?(): Co<void>;
}

/** A protocol module (lsm-*.so): exports iopkt_lsm_entry; `lsm` is the stack it links against (lsm-host.ts). */
export interface LsmModule {
  readonly kind: 'iopkt_lsm_entry';
  lsmInit(iopkt: IoPkt, options: string, lsm: LsmHost): Co<number>;
}

export type LoadableModule = NativeDriverModule | LegacyDriverModule | LsmModule;
