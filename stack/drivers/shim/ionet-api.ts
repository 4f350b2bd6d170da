/**
 * The io-net driver API (QNX 6.x before io-pkt), reduced to what a legacy `devn-*.so` Ethernet driver uses,
 * as devnp-shim.so emulates it inside io-pkt. In io-net terms a driver is a "down" producer: it registers an
 * interface (`reg`), sends received packets up (`tx_up`), is handed packets to transmit by io-net (its
 * `tx_down` entry point, io-net's rx_down), and returns those with `tx_done` once the NIC owns the bytes.
 * Packets are `npkt_t`s allocated from io-net (`alloc`/`free`); statistics and filter changes go through
 * `devctl`.
 *
 * Unlike io-pkt drivers, io-net drivers run their own threads (InterruptAttachEvent + InterruptWait loop).
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import type { DriverOptions } from '../../io-pkt/driver-api';
import type { NicConfig, NicStats } from '../../net/hw-nicinfo';
import type { SlogSeverity } from '../../io-pkt/driver-api';

/** npkt_t: one packet, its buffer collapsed to one contiguous view. */
export interface Npkt {
  data: Uint8Array;
  /** Trace id that follows the packet. */
  pktId: number;
  /** _NPKT_* flags (multicast/broadcast marks, _NPKT_NOT_TXED on a failed transmit). */
  flags: number;
  /** The interface (registration handle) the packet belongs to. */
  iface: number;
}

export const NPKT_BCAST = 0x1;
export const NPKT_MCAST = 0x2;
/** Set by a driver on tx_done when the packet could not be sent. */
export const NPKT_NOT_TXED = 0x4;

/** devctl commands that change driver state (DCMD_IO_NET_*); they may block. Reply: 0 or errno. */
export type IoNetDevctl =
  | { dcmd: 'PROMISCUOUS'; on: boolean }
  | { dcmd: 'CHANGE_MCAST'; addrs: readonly Uint8Array[]; all: boolean }
  | { dcmd: 'IFUP' }
  | { dcmd: 'IFDOWN' };

/** io_net_registrant_funcs_t: what the driver gives io-net for one interface. */
export interface IoNetDriverFuncs {
  /**
   * tx_down (io-net's rx_down entry): transmit `npkt`. The driver calls `tx_done` when the bytes are on the
   * card (or it dropped the packet). Returns 0, or ENOBUFS when its transmit queue is full (npkt not taken).
   */
  txDown(ctx: ThreadCtx, npkt: Npkt): Co<number>;
  devctl(ctx: ThreadCtx, req: IoNetDevctl): Co<number>;
  /** DCMD_IO_NET_GET_STATS: a copy of the driver's counters (answered without blocking). */
  getStats(): NicStats;
  /** DCMD_IO_NET_GET_CONFIG: nic_config_t (answered without blocking). */
  getConfig(): NicConfig;
  /** shutdown1/shutdown2: quiesce the hardware, then release it. */
  shutdown1(ctx: ThreadCtx): Co<void>;
  shutdown2(ctx: ThreadCtx): Co<void>;
}

/** io_net_registrant_t for an Ethernet "down" producer. */
export interface IoNetRegistrant {
  /** Driver name for messages ("devn-ne2000"). */
  driver: string;
  lladdr: Uint8Array;
  mtu: number;
  /** lan=/unit=/name= and the rest of the driver's options (the shim passes them to io-pkt's dev_attach). */
  options: DriverOptions;
  funcs: IoNetDriverFuncs;
}

/** io_net_self_t: what io-net (here: the shim) offers the driver. */
export interface IoNetSelf {
  /** The thread that called the driver's init (io-net's main thread; in the shim, io-pkt's stack context). */
  readonly ctx: ThreadCtx;
  /** Register an interface; returns its handle, or -errno. */
  reg(reg: IoNetRegistrant): number;
  dereg(handle: number): void;
  /** Allocate an npkt with a `size`-byte buffer (null when out of memory). */
  alloc(size: number): Npkt | null;
  free(npkt: Npkt): void;
  /** A received packet goes up; ownership passes to io-net. */
  txUp(ctx: ThreadCtx, handle: number, npkt: Npkt): void;
  /** The driver is done with a packet io-net sent down. */
  txDone(handle: number, npkt: Npkt): void;
  /** Link state report (io-net's devctl/event to the up side). */
  linkState(handle: number, up: boolean): void;
  /** The driver's slogf, at `severity` (default _SLOG_INFO): io-pkt's log (driver-api.ts IoPkt.log). */
  log(text: string, severity?: SlogSeverity): void;
}
