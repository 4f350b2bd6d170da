/**
 * The contract between io-pkt (stack/io-pkt) and its driver modules (stack/drivers), after QNX's
 * `sys/io-pkt.h` and NetBSD's ifnet: a module exports an entry (`iopkt_drvr_entry`, or `io_net_dll_entry`
 * for legacy io-net drivers that io-pkt runs through devnp-shim.so); `drvr_init` probes hardware and calls
 * `devAttach` per device; the driver fills ifnet ops; received frames go up through `ifInput`.
 *
 * Drivers reach hardware only through `ctx.bus` (ports, MMIO, physical memory) and interrupts.
 */
import type { Co, ThreadCtx } from '../kernel/api';

/** A packet buffer (mbuf chain collapsed to one contiguous view). `pktId` follows the packet for tracing. */
export interface Mbuf {
  data: Uint8Array;
  pktId: number;
  /** Receiving interface (set by the driver before ifInput). */
  rcvif?: Ifnet;
  /** Layer-2 broadcast/multicast flags (M_BCAST/M_MCAST), set by ether_input. */
  flags?: number;
}

export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_RUNNING = 0x40;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_OACTIVE = 0x400;
export const IFF_SIMPLEX = 0x800;
export const IFF_MULTICAST = 0x8000;

/** Interface counters (struct if_data). */
export interface IfData {
  ipackets: number; ierrors: number; opackets: number; oerrors: number; collisions: number;
  ibytes: number; obytes: number; imcasts: number; omcasts: number; iqdrops: number; noproto: number;
}

/** What nicinfo prints (nic_config_t / nic_stats_t reduced). Labels are rendered by the nicinfo utility. */
export interface NicConfig {
  description: string;            // "NE-2000 Ethernet Controller"
  mac: Uint8Array;                // current
  permanentMac: Uint8Array;       // from PROM
  mediaRateKbps: number;          // 10000
  fullDuplex: boolean;
  mtu: number;                    // 1514 (frame, as nicinfo shows)
  irq: number[];
  ioPorts: { base: number; length: number }[];
  memWindows: { base: number; length: number }[];
  promiscuous: boolean;
  multicast: boolean;
}
export interface NicStats {
  txOk: number; txBytes: number; rxOk: number; rxBytes: number;
  txSingleCollisions: number; txMultiCollisions: number; txExcessiveCollisions: number;
  txDeferred: number; txLateCollisions: number; txCarrierLost: number; txUnderruns: number;
  rxCrcErrors: number; rxAlignErrors: number; rxMissed: number; rxOverruns: number; rxRunts: number;
  txBroadcast: number; txMulticast: number; rxBroadcast: number; rxMulticast: number;
}

/** The driver's half of an interface (if_init/if_start/if_stop/if_ioctl). All run in stack context. */
export interface IfnetOps {
  /** Bring the hardware up (IFF_RUNNING), program the address filter. Return errno (0 = ok). */
  init(ifp: Ifnet): Co<number>;
  /** Drain ifp.snd onto the hardware as far as resources allow. */
  start(ifp: Ifnet): Co<void>;
  /** Quiesce; `disable` also releases hardware resources. */
  stop(ifp: Ifnet, disable: boolean): Co<void>;
  /** Reprogram the multicast filter / promiscuous mode after ifp.flags or multicast list changed. */
  setFilter?(ifp: Ifnet): Co<void>;
  /** SIOCIFDESTROY: detach the device. Absent → EOPNOTSUPP. */
  detach?(ifp: Ifnet): Co<number>;
  config(ifp: Ifnet): NicConfig;
  stats(ifp: Ifnet): NicStats;
}

export interface Ifnet {
  readonly name: string;          // "en0", "ne0"
  readonly unit: number;
  readonly driver: string;        // module base name ("ne2000", "shim")
  flags: number;
  mtu: number;
  lladdr: Uint8Array;
  /** Media state as the driver reports it. */
  media: { subtype: string; fullDuplex: boolean; linkUp: boolean };
  /** Output queue (if_snd); io-pkt appends, driver's start() drains. */
  snd: Mbuf[];
  sndMax: number;
  data: IfData;
  multicast: Uint8Array[];
  ops: IfnetOps;
  /** Private driver state. */
  softc: unknown;
}

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
   * called (unmask); false means call func again. Returns an id for interruptEntryRemove.
   */
  interruptEntryInit(irq: number, func: (wctx: ThreadCtx) => Co<boolean>, enable: (wctx: ThreadCtx) => void): number;
  interruptEntryRemove(id: number): void;
  /** A received frame: queued for the stack (ether_input runs in stack context). */
  ifInput(ifp: Ifnet, m: Mbuf): void;
  /** Link state changed (LINK_STATE_UP/DOWN). */
  linkState(ifp: Ifnet, up: boolean): void;
  /** Periodic driver callback (callout) every `periodNs`, in stack context; returns a cancel function. */
  callout(periodNs: number, fn: (ctx: ThreadCtx) => Co<void>): () => void;
  /** Print on the console the way a driver's slogf ends up with -v. */
  log(text: string): void;
}

/** A native io-pkt driver module (devnp-*.so): exports iopkt_drvr_entry. */
export interface NativeDriverModule {
  readonly kind: 'iopkt_drvr_entry';
  readonly version: 1;
  readonly type: 'general' | 'uni' | 'smp';
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

/** A protocol module (lsm-*.so): exports iopkt_lsm_entry. */
export interface LsmModule {
  readonly kind: 'iopkt_lsm_entry';
  lsmInit(iopkt: IoPkt, options: string): Co<number>;
}

export type LoadableModule = NativeDriverModule | LegacyDriverModule | LsmModule;
