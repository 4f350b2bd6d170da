/**
 * struct ieee80211com (net80211/ieee80211_var.h): the 802.11 state of one wireless interface, shared by its
 * driver and the 802.11 layer of io-pkt (the hc variants). THE DRIVER INTERFACE — how a wireless driver such
 * as devnp-ral uses it, after NetBSD's ral driver (sys/dev/ic):
 *
 * attach:  ifp = iopkt.devAttach('ral', opts, ops, mac, sc);
 *          ic = new Ieee80211Com(iopkt, ifp); ic.myaddr = mac; ic.caps = IEEE80211_C_*; ic.channels = …;
 *          ic.supRates[IEEE80211_MODE_11B] = […]; ic.supRates[IEEE80211_MODE_11G] = […];
 *          ieee80211_ifattach(ic);            // binds the ic to io-pkt (fails without 802.11 in the stack)
 *          const parent = ic.newstate;        // sc_newstate
 *          ic.newstate = function* (nstate, arg) { …program the chip…; return yield* parent(nstate, arg); };
 *          ieee80211_media_init(ic);
 * if_init: program the chip, IFF_RUNNING, then `yield* ieee80211_new_state(ic, 'SCAN', -1)` (monitor: 'RUN').
 * if_stop: `yield* ieee80211_new_state(ic, 'INIT', -1)`, then quiesce.
 * module:  the driver module declares `imports: IEEE80211_SYMBOLS` (ieee80211.ts): io-pkt-v4 refuses it.
 * newstate (the driver's hook, in stack context), in rt2560_newstate's order — first stop the scan timer,
 *          then program the chip for `nstate`, then chain to the parent hook (which may re-enter the hook
 *          for the next state): SCAN → tune ic.curchan and arm a dwell timer (ic.h.timeout) whose expiry
 *          calls `yield* ieee80211_next_scan(ic)`; AUTH/ASSOC → tune; RUN → tune, BSSID, basic rates, TSF
 *          sync; in hostap `ieee80211_beacon_alloc(ic, ic.bss)` into the beacon ring; INIT → stop TSF
 *          sync/beacons.
 * if_start: first the management queue — `ic.mgtq.shift()` gives {m, ni} (802.11 frames, PRIO ring) — then,
 *          only in RUN, Ethernet frames from ifp.snd: `ni = ieee80211_find_txnode(ic, dst)` (null: drop),
 *          `m = ieee80211_encap(ic, m, ni)` (null: drop) → an 802.11 data frame with sequence number; the
 *          driver picks the rate (ni.rssadapt.choose or ic.fixedRate), fills Duration
 *          (ieee80211_ack_duration) and queues it. Pass if_start's thread as ieee80211_encap's 4th argument: with
 *          a key in use (WPA2) ieee80211_encap returns null and
 *          hands the frame to the crypto API (stack/crypto) instead: once encrypted it appears on ic.cryptoq
 *          ({m, ni}: a finished 802.11 frame, Protected, CCMP header and MIC in place), which if_start drains
 *          after ic.mgtq and before ifp.snd, queueing each frame as it is (no cipher in the descriptor). An engine
 *          that is this interface's own inline cipher may instead transmit a CRYPTO_F_IEEE80211_TX request itself
 *          (ieee80211_crypto_txnode(crp) gives the node) and set CRYPTO_F_TXDONE before crypto_done.
 * rx:      in the interrupt thread, `ieee80211_input(ctx, ic, m, rssi, rstamp)` with m.data = the MPDU
 *          without FCS; the 802.11 processing runs in the stack context.
 * tx done: ni.rssadapt.raiseRate / lowerRate with what was remembered at queue time.
 * beacons: on the beacon timer interrupt `ieee80211_beacon_update(ic, ni, bo, m, mcast)` then re-queue.
 * detach:  `ieee80211_ifdetach(ic)` before iopkt.devDetach.
 *
 * Everything here runs in the stack context except ieee80211_input's hand-off.
 */
import type { Time } from '../../emulator/machine/sim/time';
import type { Co, ThreadCtx } from '../kernel/api';
import type { IoPkt } from '../io-pkt/driver-api';
import type { Ifnet } from '../net/if';
import type { Mbuf } from '../net/mbuf';
import type { TraceFieldValue } from '../net/env';
import type { CryptoFramework } from '../crypto/api';
import { IEEE80211_KEYIX_NONE, IEEE80211_WEP_NKID } from '../include/net80211/ieee80211_ioctl';
import { emptyKey, type Ieee80211Key } from './key';
import { IEEE80211_AID_DEF, IEEE80211_INACT_AUTH, IEEE80211_INACT_INIT, IEEE80211_INACT_PROBE, IEEE80211_INACT_RUN, IEEE80211_INACT_SCAN, Ieee80211Node, NodeTable } from './node';
import { IEEE80211_MODE_AUTO, IEEE80211_MODE_MAX, type Ieee80211Channel } from './rates';
import { newIeee80211Stats, type Ieee80211Stats } from './stats';

/** enum ieee80211_state. */
export type Ieee80211State = 'INIT' | 'SCAN' | 'AUTH' | 'ASSOC' | 'RUN';
/** enum ieee80211_opmode. */
export type Ieee80211Opmode = 'sta' | 'ibss' | 'ahdemo' | 'hostap' | 'monitor';

/** ic_flags (ieee80211_var.h). */
export const IEEE80211_F_PRIVACY = 0x00000010;
export const IEEE80211_F_PUREG = 0x00000020;
export const IEEE80211_F_SCAN = 0x00000080;
export const IEEE80211_F_ASCAN = 0x00000100;
export const IEEE80211_F_SIBSS = 0x00000200;
export const IEEE80211_F_SHSLOT = 0x00000400;
export const IEEE80211_F_DESBSSID = 0x00001000;
export const IEEE80211_F_IBSSON = 0x00020000;
export const IEEE80211_F_SHPREAMBLE = 0x00040000;
export const IEEE80211_F_USEPROT = 0x00100000;
export const IEEE80211_F_USEBARKER = 0x00200000;
export const IEEE80211_F_HIDESSID = 0x08000000;
export const IEEE80211_F_NOBRIDGE = 0x10000000;
/** ic_flags_ext. */
export const IEEE80211_FEXT_PROBECHAN = 0x00020000;

/** ic_flags for WPA (ieee80211_var.h): WPA1, WPA2 (RSN), drop unencrypted data, TKIP countermeasures. */
export const IEEE80211_F_DROPUNENC = 0x02000000;
export const IEEE80211_F_COUNTERM = 0x04000000;
export const IEEE80211_F_WPA1 = 0x00800000;
export const IEEE80211_F_WPA2 = 0x01000000;
export const IEEE80211_F_WPA = 0x01800000;

/** ic_caps. */
export const IEEE80211_C_WEP = 0x00000001;
export const IEEE80211_C_IBSS = 0x00000100;
export const IEEE80211_C_PMGT = 0x00000200;
export const IEEE80211_C_HOSTAP = 0x00000400;
export const IEEE80211_C_TXPMGT = 0x00002000;
export const IEEE80211_C_SHSLOT = 0x00004000;
export const IEEE80211_C_SHPREAMBLE = 0x00008000;
export const IEEE80211_C_MONITOR = 0x00010000;
export const IEEE80211_C_WPA = 0x01800000;

/** Defaults (ieee80211_var.h). */
export const IEEE80211_BINTVAL_DEFAULT = 100;
export const IEEE80211_BINTVAL_MIN = 25;
export const IEEE80211_BINTVAL_MAX = 1000;
export const IEEE80211_DTIM_DEFAULT = 1;
/** Consecutive beacon misses answered with a directed probe before rescanning (IEEE80211_BMISS_MAX). */
export const IEEE80211_BMISS_MAX = 2;
export const IEEE80211_FIXED_RATE_NONE = -1;
export const IEEE80211_RTS_MAX = 2346;
export const IEEE80211_FRAG_MAX = 2346;
/** TU in ns (1024 µs, §7.3.1.3). */
export const IEEE80211_TU_NS = 1_024_000;

/**
 * What io-pkt gives the 802.11 layer of an interface (the hc variants' side of ieee80211_ifattach): its
 * clock and CPU accounting, one-shot timers that run in the stack context, a way to have the driver's
 * if_start called, and ether_input for decapsulated frames.
 */
export interface Ieee80211Host {
  /** The thread holding the stack context now. */
  readonly ctx: ThreadCtx;
  now(): Time;
  charge(ns: number): void;
  trace(layer: string, probe: string, pkt: number, f?: Record<string, TraceFieldValue>): void;
  newPktId(): number;
  log(text: string): void;
  /** callout(9): run `fn` in the stack context after `delayNs`; returns its cancel function. */
  timeout(delayNs: number, name: string, fn: (ctx: ThreadCtx) => Co<void>): () => void;
  /** Frames were queued on ic.mgtq or ifp.snd: call the driver's if_start when this stack pass is done. */
  kick(ifp: Ifnet): void;
  /** ether_input for a frame the 802.11 layer decapsulated (runs synchronously in the stack context). */
  etherInput(ifp: Ifnet, m: Mbuf): void;
  /** if_link_state_change. */
  linkState(ifp: Ifnet, up: boolean): void;
  /** The hc stack's crypto framework (stack/crypto/api.ts): CCMP goes through it. Absent: no CCMP (test hosts). */
  readonly crypto?: CryptoFramework | null;
  /** rt_ieee80211msg: the bytes of an RTM_IEEE80211 message for every routing socket (absent: none listens). */
  routeMessage?(data: Uint8Array): void;
  /** if_index of `ifp` (what routing messages carry). */
  ifIndex?(ifp: Ifnet): number;
}

/** A management (or null-data) frame queued for the driver, with the node it is for (M_GETCTX). */
export interface MgmtQueueEntry {
  m: Mbuf;
  ni: Ieee80211Node;
}

/** Beacon field offsets the driver keeps between ieee80211_beacon_alloc and _update (struct ieee80211_beacon_offsets). */
export interface BeaconOffsets {
  /** Offset of the capability field. */
  caps: number;
  /** Offset of the TIM element. */
  tim: number;
  timLen: number;
  /** Offset and length of what follows the TIM (ERP, extended rates). */
  trailer: number;
  trailerLen: number;
}

/** Maximum length of the management queue (ic_mgtq, IFQ_MAXLEN). */
export const IEEE80211_MGTQ_MAX = 50;

export class Ieee80211Com {
  /** Set by ieee80211_ifattach; null while not attached. */
  host: Ieee80211Host | null = null;
  myaddr = new Uint8Array(6);
  caps = 0;
  /** Channel table indexed by IEEE channel number (ic_channels); undefined = not supported. */
  channels: (Ieee80211Channel | undefined)[] = [];
  /** Supported rates per PHY mode (ic_sup_rates), 500 kb/s units with basic bits. */
  readonly supRates: number[][] = Array.from({ length: IEEE80211_MODE_MAX }, () => []);
  modecaps = 1 << IEEE80211_MODE_AUTO;
  curmode = IEEE80211_MODE_AUTO;
  opmode: Ieee80211Opmode = 'sta';
  state: Ieee80211State = 'INIT';
  flags = 0;
  flagsExt = 0;
  /** Channels usable in the current mode (ic_chan_active) and still to visit in this scan (ic_chan_scan). */
  chanActive = new Set<number>();
  chanScan = new Set<number>();
  curchan!: Ieee80211Channel;
  ibssChan!: Ieee80211Channel;
  /** Desired channel; null = any (IEEE80211_CHAN_ANYC). */
  desChan: Ieee80211Channel | null = null;
  desEssid = new Uint8Array(0);
  desBssid = new Uint8Array(6);
  /** The BSS we are in (station) or run (AP): ic_bss. */
  bss!: Ieee80211Node;
  readonly sta = new NodeTable('station', IEEE80211_INACT_INIT);
  readonly scan = new NodeTable('scan', IEEE80211_INACT_SCAN);
  readonly mgtq: MgmtQueueEntry[] = [];
  bintval = IEEE80211_BINTVAL_DEFAULT;
  lintval = 0;
  dtimPeriod = IEEE80211_DTIM_DEFAULT;
  /** Beacon-miss timeout (TU) and counter (ic_bmisstimeout, ic_bmiss_count, ic_bmiss_max). */
  bmisstimeout = 7 * IEEE80211_BINTVAL_DEFAULT;
  bmissCount = 0;
  bmissMax = IEEE80211_BMISS_MAX;
  fixedRate = IEEE80211_FIXED_RATE_NONE;
  /** Rate for multicast frames (ic_mcast_rate), 500 kb/s. */
  mcastRate = 2;
  rtsthreshold = IEEE80211_RTS_MAX;
  fragthreshold = IEEE80211_FRAG_MAX;
  /** 'auto': the 802.11 layer sequences scan/join on its own; 'manual': an application does (ic_roaming). */
  roaming: 'auto' | 'manual' = 'auto';
  /** Seconds until a management exchange times out; 0 = none (ic_mgt_timer). */
  mgtTimer = 0;
  inactInit = IEEE80211_INACT_INIT;
  inactAuth = IEEE80211_INACT_AUTH;
  inactRun = IEEE80211_INACT_RUN;
  inactProbe = IEEE80211_INACT_PROBE;
  maxAid = IEEE80211_AID_DEF;
  readonly aids = new Set<number>();
  staAssoc = 0;
  nonerpsta = 0;
  longslotsta = 0;
  readonly stats: Ieee80211Stats = newIeee80211Stats();
  /** Scan passes completed (ieee80211_end_scan), so a waiting ifconfig knows its scan is done. */
  scanDone = 0;
  /** Global keys (ic_nw_keys, IEEE80211_WEP_NKID slots) and the default transmit key index (ic_def_txkey). */
  readonly nwKeys: Ieee80211Key[] = Array.from({ length: IEEE80211_WEP_NKID }, (_, i) => emptyKey(i));
  defTxKey = IEEE80211_KEYIX_NONE;
  /** The WPA/RSN IE set by IEEE80211_IOC_APPIE/OPTIE: an AP's beacons and probe responses, a station's assoc requests. */
  appieWpa: Uint8Array | null = null;
  /**
   * Data frames whose CCMP encryption finished (crypto callback) and that the driver still has to send, with
   * their node: if_start takes them after ic_mgtq and before if_snd, and queues them as they are (802.11 frames,
   * Protected, CCMP header and MIC in place). An engine that sent the frame itself (CRYPTO_F_TXDONE) adds nothing.
   */
  readonly cryptoq: MgmtQueueEntry[] = [];
  /** CCMP requests in flight (transmit and receive), for traces and back-pressure. */
  cryptoPending = 0;

  /**
   * ic_newstate: the state machine step. net80211 installs ieee80211_newstate; the driver wraps it to program
   * the hardware and then chains to it (rt2560_newstate → sc_newstate).
   */
  newstate: (nstate: Ieee80211State, arg: number) => Co<number> = function* () {
    return 0;
  };
  /** ic_updateslot: the slot time changed (IEEE80211_F_SHSLOT); called in the stack context soon after. */
  updateslot: ((ic: Ieee80211Com) => Co<void>) | null = null;
  /** ic_newassoc: a station (re)associated to our AP, or we to an AP; the driver may set up rate state. */
  newassoc: ((ni: Ieee80211Node, isnew: boolean) => void) | null = null;

  constructor(readonly iopkt: IoPkt, readonly ifp: Ifnet) {}

  /** The host, or an error if the interface was never attached to the 802.11 layer. */
  get h(): Ieee80211Host {
    if (!this.host) throw new Error(`${this.ifp.name}: not attached to the 802.11 layer`);
    return this.host;
  }

  /** Channel by IEEE number, if this device has it. */
  chan(ieee: number): Ieee80211Channel | undefined {
    return this.channels[ieee];
  }

  /** New node on the current channel (node_alloc). */
  allocNode(mac: Uint8Array): Ieee80211Node {
    return new Ieee80211Node(mac, this.curchan);
  }

  trace(probe: string, pkt: number, f: Record<string, TraceFieldValue> = {}): void {
    this.host?.trace('ieee80211', probe, pkt, { if: this.ifp.name, ...f });
  }
}
