/**
 * devnp-ral.so: the Ralink RT2560 (RT2500 PCI) 802.11b/g driver of the simulated io-pkt, with NetBSD
 * if_ral_pci.c + rt2560.c's structure (the lineage of QNX's devnp-ral). It reaches the chip only through PCI
 * configuration cycles, BAR0 MMIO, DMA memory it allocated and the chip's INTx line; everything 802.11 above
 * the frames is io-pkt's net80211 layer (stack/net80211), which only the hc variants carry.
 *
 * drvr_init finds each 1814:0201 function (`pci=`, `vid=`, `did=` honoured) and runs ral_pci_attach on it:
 * memory and bus-master enable, BAR0, then rt2560_attach: CSR0 (ASIC revision), the MAC the chip preloaded
 * into CSR3/CSR4, the EEPROM (RF type, antennas, TX power) bit-banged through CSR21, the five rings in
 * physical memory, dev_attach as `ral<unit>`, the 802.11 capabilities, channels 1–14 and the 11b/11g rate
 * sets, ieee80211_ifattach (refused by a stack without 802.11), the newstate and slot-time hooks, the
 * interrupt and the 1 s watchdog. `ifconfig ral0 destroy` runs rt2560_detach.
 */
import { macToString } from '../../net/wire/addr';
import { Errno, KernelError, type Co, type ThreadCtx } from '../../kernel/api';
import { _SLOG_ERROR, _SLOG_INFO, nicPriorityOption, type IoPkt, type NativeDriverModule } from '../../io-pkt/driver-api';
import { optionSeverity } from '../log-severity';
import { pci_enumerate, type PciDevice } from '../../lib/pci';
import type { NicConfig, NicStats } from '../../net/hw-nicinfo';
import { IFF_PROMISC, IFF_RUNNING, type Ifnet, type IfnetOps } from '../../net/if';
import { IEEE80211_SYMBOLS, ieee80211_ifattach, ieee80211_ifdetach, ieee80211_media_init } from '../../net80211/ieee80211';
import { ieee80211_channels_2ghz_bg, IEEE80211_MODE_11B, IEEE80211_MODE_11G, IEEE80211_RATESET_11B, IEEE80211_RATESET_11G } from '../../net80211/rates';
import {
  IEEE80211_C_HOSTAP, IEEE80211_C_IBSS, IEEE80211_C_MONITOR, IEEE80211_C_SHPREAMBLE, IEEE80211_C_SHSLOT, IEEE80211_C_TXPMGT,
  IEEE80211_C_WPA, Ieee80211Com,
} from '../../net80211/var';
import { RalCsr } from './csr';
import { ralCryptoAttach, ralCryptoDetach, ralCryptoStats } from './crypto';
import { rt2560ReadEeprom } from './eeprom';
import { rt2560ArmWatchdog, rt2560GetMacaddr, rt2560Init, rt2560Newstate, rt2560Stop, rt2560UpdatePromisc, rt2560UpdateSlot } from './init';
import { rt2560Intr } from './intr';
import { parseRalOptions, type RalOptions } from './options';
import {
  PCI_COMMAND_MASTER_ENABLE, PCI_COMMAND_MEM_ENABLE, PCI_COMMAND_STATUS_REG, RAL_OTHER_PRODUCTS, RAL_VENDOR_RALINK,
  RT2560_ATIM_RING_COUNT, RT2560_BEACON_RING_COUNT, RT2560_CSR0, RT2560_PRIO_RING_COUNT, RT2560_RX_RING_COUNT, RT2560_TX_RING_COUNT, rfName,
} from './regs';
import { RalRxRing, RalSoftc, RalTxRing } from './softc';
import { rt2560Start } from './tx';

export const RAL_IF_BASENAME = 'ral';
export const RAL_DESCRIPTION = 'Ralink RT2560 802.11b/g Wireless LAN';

function softcOf(ifp: Ifnet): RalSoftc {
  return ifp.softc as RalSoftc;
}

const ops: IfnetOps = {
  *init(ifp: Ifnet): Co<number> {
    const sc = softcOf(ifp);
    return yield* sc.withLock(sc.iopkt.ctx, () => rt2560Init(sc.iopkt.ctx, sc));
  },
  /** if_start on the calling io-pkt thread (802.11 frames only ever reach it from the stack context). */
  *start(ifp: Ifnet, ctx: ThreadCtx = softcOf(ifp).iopkt.ctx): Co<void> {
    const sc = softcOf(ifp);
    if ((ifp.flags & IFF_RUNNING) === 0) return;
    yield* sc.withLock(ctx, function* (): Co<void> {
      rt2560Start(ctx, sc);
    });
  },
  *stop(ifp: Ifnet, disable: boolean): Co<void> {
    const sc = softcOf(ifp);
    yield* sc.withLock(sc.iopkt.ctx, () => rt2560Stop(sc.iopkt.ctx, sc, disable));
  },
  *setFilter(ifp: Ifnet): Co<void> {
    const sc = softcOf(ifp);
    if ((ifp.flags & IFF_RUNNING) === 0) return;
    yield* sc.withLock(sc.iopkt.ctx, () => rt2560UpdatePromisc(sc.iopkt.ctx, sc));
  },
  *detach(ifp: Ifnet): Co<number> {
    return yield* rt2560Detach(softcOf(ifp));
  },
  config(ifp: Ifnet): NicConfig {
    return ralNicConfig(softcOf(ifp), ifp);
  },
  stats(ifp: Ifnet): NicStats {
    return ralNicStats(softcOf(ifp), ifp);
  },
};

/** nic_config_t for nicinfo: the current rate of the BSS node (ni_txrate) as the media rate. */
export function ralNicConfig(sc: RalSoftc, ifp: Ifnet): NicConfig {
  const ic = sc.ic;
  const ni = ic.bss as typeof ic.bss | undefined;
  const rate = ic.state === 'RUN' && ni ? (ni.rates[ni.txrate] ?? 0) & 0x7f : 0;
  const k = ralCryptoStats(sc);
  return {
    description: RAL_DESCRIPTION,
    mac: ifp.lladdr.slice(),
    permanentMac: sc.myaddr.slice(),
    mediaRateKbps: rate * 500,
    fullDuplex: false,
    connector: 'unknown',
    mtu: ifp.mtu + 14,
    irq: [sc.irq],
    ioPorts: [],
    memWindows: [{ base: sc.csr.base, length: sc.csr.size }],
    promiscuous: sc.opts.promiscuous || (ifp.flags & IFF_PROMISC) !== 0,
    multicast: true,
    ...(k ? { crypto: { engine: k.name, algs: k.algs, requests: k.requests, encrypts: k.encrypts, decrypts: k.decrypts, bytes: k.bytes, errors: k.errors, micFailures: k.micFailures } } : {}),
  };
}

/** nic_stats_t from the interface counters and the driver's own (retries, failures, drops). */
export function ralNicStats(sc: RalSoftc, ifp: Ifnet): NicStats {
  const c = sc.counters;
  return {
    txOk: ifp.data.opackets, txBytes: ifp.data.obytes, rxOk: ifp.data.ipackets, rxBytes: ifp.data.ibytes,
    txSingleCollisions: 0, txMultiCollisions: c.txRetries, txExcessiveCollisions: c.txFailRetry,
    txDeferred: 0, txLateCollisions: 0, txCarrierLost: 0, txUnderruns: c.txFailOther,
    rxCrcErrors: 0, rxAlignErrors: 0, rxMissed: c.rxDropped, rxOverruns: 0, rxRunts: 0,
    txBroadcast: 0, txMulticast: ifp.data.omcasts, rxBroadcast: 0, rxMulticast: ifp.data.imcasts,
    txFailedAllocs: 0, rxFailedAllocs: 0,
  };
}

/** ral_pci_attach + rt2560_attach for one function. Returns the softc, or an errno. */
function* ralAttach(iopkt: IoPkt, dev: PciDevice, o: RalOptions): Co<RalSoftc | number> {
  const ctx = iopkt.ctx;
  const where = `pci ${dev.bus}:${dev.dev}.${dev.fn}`;
  const bar = dev.bars.find((b) => b.index === 0 && (b.kind === 'mem32' || b.kind === 'mem64') && b.base !== 0);
  if (!bar) {
    iopkt.log(`ral: ${where}: could not map memory space`, _SLOG_ERROR);
    return Errno.ENXIO;
  }
  const csr = new RalCsr(dev, bar.base, bar.size);
  // Memory space and bus mastering on.
  const reg = yield* csr.cfgRead(ctx, PCI_COMMAND_STATUS_REG);
  csr.cfgWrite(ctx, PCI_COMMAND_STATUS_REG, (reg | PCI_COMMAND_MASTER_ENABLE | PCI_COMMAND_MEM_ENABLE) >>> 0);
  const sc = new RalSoftc(iopkt, csr, o);
  sc.irq = o.irq ?? dev.irq;
  if (sc.irq === 0 || sc.irq === 0xff) {
    iopkt.log(`ral: ${where}: could not map interrupt`, _SLOG_ERROR);
    return Errno.ENXIO;
  }
  sc.asicRev = yield* csr.read(ctx, RT2560_CSR0);
  sc.myaddr.set(yield* rt2560GetMacaddr(ctx, sc));
  const ee = yield* rt2560ReadEeprom(ctx, csr);
  sc.rfRev = ee.rfRev;
  sc.hwRadio = ee.hwRadio;
  sc.ledMode = ee.ledMode;
  sc.rxAnt = ee.rxAnt;
  sc.txAnt = ee.txAnt;
  sc.nbAnt = ee.nbAnt;
  sc.bbpProm = ee.bbpProm;
  sc.txpow = ee.txpow;
  try {
    sc.txq = RalTxRing.alloc(ctx, 'Tx', RT2560_TX_RING_COUNT);
    sc.atimq = RalTxRing.alloc(ctx, 'ATIM', RT2560_ATIM_RING_COUNT);
    sc.prioq = RalTxRing.alloc(ctx, 'Prio', RT2560_PRIO_RING_COUNT);
    sc.bcnq = RalTxRing.alloc(ctx, 'Beacon', RT2560_BEACON_RING_COUNT);
    sc.rxq = RalRxRing.alloc(ctx, RT2560_RX_RING_COUNT);
  } catch (e) {
    iopkt.log(`ral: ${where}: could not allocate rings`, _SLOG_ERROR);
    return e instanceof KernelError ? e.errno : Errno.ENOMEM;
  }
  let ifp: Ifnet;
  try {
    ifp = iopkt.devAttach(RAL_IF_BASENAME, o.raw, ops, (o.mac ?? sc.myaddr).slice(), sc);
  } catch (e) {
    iopkt.log(`ral: dev_attach failed: ${e instanceof KernelError ? e.message : String(e)}`, _SLOG_ERROR);
    return e instanceof KernelError ? e.errno : Errno.EINVAL;
  }
  sc.ifp = ifp;
  const ic = new Ieee80211Com(iopkt, ifp);
  sc.ic = ic;
  ic.myaddr = ifp.lladdr.slice(0, 6);
  ic.opmode = 'sta';
  ic.state = 'INIT';
  ic.caps = IEEE80211_C_IBSS | IEEE80211_C_MONITOR | IEEE80211_C_HOSTAP | IEEE80211_C_TXPMGT | IEEE80211_C_SHPREAMBLE |
    IEEE80211_C_SHSLOT | IEEE80211_C_WPA;
  ic.supRates[IEEE80211_MODE_11B] = IEEE80211_RATESET_11B.slice();
  ic.supRates[IEEE80211_MODE_11G] = IEEE80211_RATESET_11G.slice();
  ic.channels = ieee80211_channels_2ghz_bg();
  try {
    ieee80211_ifattach(ic);
  } catch (e) {
    // io-pkt without the 802.11 layer (io-pkt-v4): give the interface back.
    iopkt.log(`${ifp.name}: ${e instanceof KernelError ? e.message : String(e)} failed`, _SLOG_ERROR);
    iopkt.devDetach(ifp);
    sc.ifp = null;
    return e instanceof KernelError ? e.errno : Errno.ENOTSUP;
  }
  ieee80211_media_init(ic);
  ic.updateslot = () => sc.withLock(sc.iopkt.ctx, () => rt2560UpdateSlot(sc.iopkt.ctx, sc));
  // Override the state machine step (sc_newstate).
  sc.parentNewstate = ic.newstate;
  // net80211 calls it in the stack context, at splnet in NetBSD: here under the driver's lock (which nests).
  ic.newstate = (nstate, arg) => {
    const ctx = sc.iopkt.ctx;
    return sc.withLock(ctx, () => rt2560Newstate(ctx, sc, nstate, arg));
  };
  sc.dwelltime = 200;
  iopkt.log(`${ifp.name}: 802.11 address ${macToString(sc.myaddr)}`, _SLOG_INFO);
  iopkt.log(`${ifp.name}: MAC/BBP RT2560 (rev 0x${sc.asicRev.toString(16).padStart(2, '0')}), RF ${rfName(sc.rfRev)}`, _SLOG_INFO);
  iopkt.log(`${ifp.name}: 11b rates: 1Mbps 2Mbps 5.5Mbps 11Mbps`, _SLOG_INFO);
  iopkt.log(`${ifp.name}: 11g rates: 1Mbps 2Mbps 5.5Mbps 11Mbps 6Mbps 9Mbps 12Mbps 18Mbps 24Mbps 36Mbps 48Mbps 54Mbps`, _SLOG_INFO);
  if (o.verbose) {
    iopkt.log(`${ifp.name}: ${where}, mem 0x${bar.base.toString(16)}-0x${(bar.base + bar.size - 1).toString(16)}, irq ${sc.irq}, ` +
      `antennas ${sc.nbAnt} (tx ${sc.txAnt}, rx ${sc.rxAnt}), hw radio ${sc.hwRadio}`, _SLOG_INFO);
  }
  sc.intrId = iopkt.interruptEntryInit(sc.irq, (wctx: ThreadCtx) => rt2560Intr(wctx, sc), () => undefined, nicPriorityOption(o.raw.get('priority')));
  // The AES engine as io-pkt-*-hc's crypto offload (crypto.ts), unless `nohwcrypto`.
  ralCryptoAttach(ctx, sc);
  rt2560ArmWatchdog(sc);
  return sc;
}

/** rt2560_detach: callouts off, stop, the 802.11 layer and the interface removed, the interrupt given back. */
function* rt2560Detach(sc: RalSoftc): Co<number> {
  const ifp = sc.ifp;
  if (!ifp) return 0;
  const ctx = sc.iopkt.ctx;
  sc.cancelTick?.();
  sc.cancelTick = null;
  yield* sc.withLock(ctx, function* (): Co<void> {
    sc.cancelScan?.();
    sc.cancelScan = null;
    sc.cancelRssadapt?.();
    sc.cancelRssadapt = null;
    yield* rt2560Stop(ctx, sc, true);
    sc.detached = true;
  });
  ralCryptoDetach(sc);
  ieee80211_ifdetach(sc.ic);
  if (sc.intrId >= 0) sc.iopkt.interruptEntryRemove(sc.intrId);
  sc.intrId = -1;
  sc.iopkt.devDetach(ifp);
  sc.iopkt.log(`${ifp.name}: detached`, _SLOG_INFO);
  sc.ifp = null;
  return 0;
}

function* drvrInit(iopkt: IoPkt, options: string): Co<number> {
  const o = parseRalOptions(options);
  for (const e of o.errors) iopkt.log(`devnp-ral: ${e}`, optionSeverity(e));
  const all = yield* pci_enumerate(iopkt.ctx);
  const found = all.filter((d) => d.vendorId === o.vid && d.deviceId === o.did);
  const candidates = o.pci !== undefined ? found.slice(o.pci, o.pci + 1) : found;
  if (candidates.length === 0) {
    for (const d of all) {
      const name = d.vendorId === RAL_VENDOR_RALINK ? RAL_OTHER_PRODUCTS[d.deviceId] : undefined;
      if (name) iopkt.log(`devnp-ral: pci ${d.bus}:${d.dev}.${d.fn}: Ralink ${name} (1814:${d.deviceId.toString(16).padStart(4, '0')}) is not supported by this driver`, _SLOG_ERROR);
    }
    iopkt.log(`devnp-ral: no PCI device ${o.vid.toString(16).padStart(4, '0')}:${o.did.toString(16).padStart(4, '0')}${o.pci !== undefined ? ` at index ${o.pci}` : ''}`, _SLOG_ERROR);
    return Errno.ENODEV;
  }
  let attached = 0;
  let lastError: number = Errno.ENODEV;
  for (const dev of candidates) {
    const r = yield* ralAttach(iopkt, dev, o);
    if (typeof r === 'number') lastError = r;
    else attached++;
  }
  return attached > 0 ? 0 : lastError;
}

export const devnpRal: NativeDriverModule = {
  kind: 'iopkt_drvr_entry',
  version: 1,
  type: 'general',
  imports: IEEE80211_SYMBOLS,
  drvrInit,
};
