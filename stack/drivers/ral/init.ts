/**
 * Bringing ral up and down and following net80211's states (rt2560.c rt2560_init, rt2560_stop,
 * rt2560_reset_tx_ring, rt2560_reset_rx_ring, rt2560_newstate, rt2560_next_scan, rt2560_update_rssadapt,
 * rt2560_enable_tsf_sync, rt2560_update_plcp, rt2560_update_slot, rt2560_set_basicrates, rt2560_update_led,
 * rt2560_set_bssid, rt2560_set_macaddr, rt2560_get_macaddr, rt2560_update_promisc, rt2560_watchdog).
 *
 * rt2560_init: stop, the ring sizes and bases in the order the reference driver insists on (TXCSR2, TX,
 * PRIO, ATIM, BEACON; RXCSR1, RX base), the default MAC registers, the station address, a provisional basic
 * rate set, slot times, PLCP words and LEDs, ASIC reset then HOST_READY, the BBP (rt2560_bbp_init), antenna
 * A on both sides, the default channel, the receive filter (RXCSR0 without DISABLE_RX kicks RX), the error
 * counters cleared, pending interrupts cleared and the served ones unmasked; then SCAN (RUN in monitor mode).
 */
import { Errno, type Co, type ThreadCtx } from '../../kernel/api';
import { IFF_OACTIVE, IFF_PROMISC, IFF_RUNNING } from '../../net/if';
import { IEEE80211_MODE_11B } from '../../net80211/rates';
import { ieee80211_new_state } from '../../net80211/proto';
import { ieee80211_next_scan } from '../../net80211/scan';
import { IEEE80211_F_SHPREAMBLE, IEEE80211_F_SHSLOT, type Ieee80211State } from '../../net80211/var';
import { rt2560BbpInit, rt2560SetChan, rt2560SetRxantenna, rt2560SetTxantenna } from './bbp-rf';
import { rt2560BeaconSetup } from './beacon';
import { HOST_DESC_ACCESS_NS, RAL_WATCHDOG_TICK_NS } from './costs';
import { RAL_SIFS, RT2560_RXTX_TURNAROUND } from './desc';
import {
  RT2560_ABORT_TX, RT2560_ARSP_PLCP_1, RT2560_ATIM_RING_COUNT, RT2560_BCNOCSR, RT2560_CNT0, RT2560_CNT4, RT2560_CSR1,
  RT2560_CSR11, RT2560_CSR12, RT2560_CSR13, RT2560_CSR14, RT2560_CSR18, RT2560_CSR19, RT2560_CSR3, RT2560_CSR4,
  RT2560_CSR5, RT2560_CSR6, RT2560_CSR7, RT2560_CSR8, RT2560_DEF_MAC, RT2560_DISABLE_RX, RT2560_DROP_CRC_ERROR,
  RT2560_DROP_CTL, RT2560_DROP_NOT_TO_ME, RT2560_DROP_PHY_ERROR, RT2560_DROP_TODS, RT2560_DROP_VERSION_ERROR,
  RT2560_ENABLE_BEACON_GENERATOR, RT2560_ENABLE_TBCN, RT2560_ENABLE_TSF, RT2560_ENABLE_TSF_SYNC, RT2560_HOST_READY,
  RT2560_INTR_MASK, RT2560_LEDCSR, RT2560_PLCP11MCSR, RT2560_PLCP1MCSR, RT2560_PLCP2MCSR, RT2560_PLCP5p5MCSR,
  RT2560_PRIO_RING_COUNT, RT2560_RESET_ASIC, RT2560_RX_BUSY, RT2560_RX_DESC_SIZE, RT2560_RX_RING_COUNT, RT2560_RXCSR0,
  RT2560_RXCSR1, RT2560_RXCSR2, RT2560_TX_DESC_SIZE, RT2560_TX_RING_COUNT, RT2560_TXCSR0, RT2560_TXCSR2, RT2560_TXCSR3,
  RT2560_TXCSR4, RT2560_TXCSR5, RT2560_TXCSR6,
} from './regs';
import type { RalRxRing, RalSoftc, RalTxRing } from './softc';
import { ralCryptoAbort } from './crypto';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

/** rt2560_update_rssadapt period: hz / 10. */
export const RAL_RSSADAPT_PERIOD_NS = 100_000_000;

/** rt2560_reset_tx_ring: every descriptor's flags zeroed, references dropped, indices back to 0. */
export function rt2560ResetTxRing(ctx: ThreadCtx, ring: RalTxRing): void {
  ctx.bus.memWrite(ring.physaddr, new Uint8Array(ring.count * RT2560_TX_DESC_SIZE));
  ctx.charge(ring.count * HOST_DESC_ACCESS_NS);
  ring.data.fill(null);
  ring.queued = 0;
  ring.cur = ring.next = 0;
  ring.curEncrypt = ring.nextEncrypt = 0;
}

/** rt2560_reset_rx_ring: every descriptor back to the chip (BUSY, buffer address kept), indices back to 0. */
export function rt2560ResetRxRing(ctx: ThreadCtx, ring: RalRxRing): void {
  const b = new Uint8Array(4);
  b[0] = RT2560_RX_BUSY;
  for (let i = 0; i < ring.count; i++) {
    ctx.bus.memWrite(ring.desc(i), b);
    ring.drop[i] = false;
  }
  ctx.charge(ring.count * HOST_DESC_ACCESS_NS);
  ring.cur = ring.next = 0;
  ring.curDecrypt = 0;
}

function macWords(a: Uint8Array): [number, number] {
  return [(a[0]! | (a[1]! << 8) | (a[2]! << 16) | (a[3]! << 24)) >>> 0, a[4]! | (a[5]! << 8)];
}

/** rt2560_set_macaddr. */
export function rt2560SetMacaddr(ctx: ThreadCtx, sc: RalSoftc, addr: Uint8Array): void {
  const [lo, hi] = macWords(addr);
  sc.csr.write(ctx, RT2560_CSR3, lo);
  sc.csr.write(ctx, RT2560_CSR4, hi);
}

/** rt2560_get_macaddr: what the chip preloaded from the EEPROM. */
export function* rt2560GetMacaddr(ctx: ThreadCtx, sc: RalSoftc): Co<Uint8Array> {
  const lo = yield* sc.csr.read(ctx, RT2560_CSR3);
  const hi = yield* sc.csr.read(ctx, RT2560_CSR4);
  return Uint8Array.of(lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24, hi & 0xff, (hi >>> 8) & 0xff);
}

/** rt2560_set_bssid. */
export function rt2560SetBssid(ctx: ThreadCtx, sc: RalSoftc, bssid: Uint8Array): void {
  const [lo, hi] = macWords(bssid);
  sc.csr.write(ctx, RT2560_CSR5, lo);
  sc.csr.write(ctx, RT2560_CSR6, hi);
}

/** rt2560_update_led: ON period 70 ms, OFF 30 ms. */
export function rt2560UpdateLed(ctx: ThreadCtx, sc: RalSoftc, led1: number, led2: number): void {
  sc.csr.write(ctx, RT2560_LEDCSR, (led1 << 16) | (led2 << 17) | (70 << 8) | 30);
}

/** rt2560_update_plcp: the PLCP words of hardware ACK/CTS; no short preamble at 1 Mb/s. */
export function rt2560UpdatePlcp(ctx: ThreadCtx, sc: RalSoftc): void {
  const sp = (sc.ic.flags & IEEE80211_F_SHPREAMBLE) !== 0 ? 0x8 : 0;
  sc.csr.write(ctx, RT2560_PLCP1MCSR, 0x00700400);
  sc.csr.write(ctx, RT2560_PLCP2MCSR, 0x00380401 | sp);
  sc.csr.write(ctx, RT2560_PLCP5p5MCSR, 0x00150402 | sp);
  sc.csr.write(ctx, RT2560_PLCP11MCSR, 0x000b8403 | sp);
}

/** rt2560_update_slot (ic_updateslot): slot time in CSR11, SIFS/PIFS in CSR18, DIFS/EIFS in CSR19 (802.11-1999 9.2.10). */
export function* rt2560UpdateSlot(ctx: ThreadCtx, sc: RalSoftc): Co<void> {
  const ic = sc.ic;
  const slottime = (ic.flags & IEEE80211_F_SHSLOT) !== 0 ? 9 : 20;
  const sifs = RAL_SIFS - RT2560_RXTX_TURNAROUND;
  const pifs = sifs + slottime;
  const difs = sifs + 2 * slottime;
  const eifs = ic.curmode === IEEE80211_MODE_11B ? 364 : 60;
  const csr11 = yield* sc.csr.read(ctx, RT2560_CSR11);
  sc.csr.write(ctx, RT2560_CSR11, ((csr11 & ~0x1f00) | (slottime << 8)) >>> 0);
  sc.csr.write(ctx, RT2560_CSR18, (pifs << 16) | sifs);
  sc.csr.write(ctx, RT2560_CSR19, (eifs << 16) | difs);
}

/** rt2560_set_basicrates: the rates hardware ACKs may use (ARSP_PLCP_1 bitmap). */
export function rt2560SetBasicrates(ctx: ThreadCtx, sc: RalSoftc): void {
  // 11b: 1, 2 Mb/s; 11g: 1, 2, 5.5, 11, 6, 12, 24 Mb/s.
  sc.csr.write(ctx, RT2560_ARSP_PLCP_1, sc.ic.curmode === IEEE80211_MODE_11B ? 0x3 : 0x15f);
}

/** rt2560_update_promisc: DROP_NOT_TO_ME follows IFF_PROMISC (and the promiscuous option). */
export function* rt2560UpdatePromisc(ctx: ThreadCtx, sc: RalSoftc): Co<void> {
  let tmp = (yield* sc.csr.read(ctx, RT2560_RXCSR0)) & ~RT2560_DROP_NOT_TO_ME;
  if (!promisc(sc)) tmp |= RT2560_DROP_NOT_TO_ME;
  sc.csr.write(ctx, RT2560_RXCSR0, tmp >>> 0);
}

function promisc(sc: RalSoftc): boolean {
  return sc.opts.promiscuous || ((sc.ifp?.flags ?? 0) & IFF_PROMISC) !== 0;
}

/**
 * rt2560_enable_tsf_sync (802.11-1999 11.1): TSF sync off, beacon interval in 1/16 TU, beacon preload
 * (384 µs for a station, 1024 µs otherwise, CWmin 2^5), then TSF counting, TBTT, and either station
 * synchronisation or the beacon generator.
 */
export function rt2560EnableTsfSync(ctx: ThreadCtx, sc: RalSoftc): void {
  const ic = sc.ic;
  sc.csr.write(ctx, RT2560_CSR14, 0);
  sc.csr.write(ctx, RT2560_CSR12, 16 * (ic.bss.intval || ic.bintval));
  sc.csr.write(ctx, RT2560_CSR13, 0);
  const logcwmin = 5;
  const preload = ic.opmode === 'sta' ? 384 : 1024;
  sc.csr.write(ctx, RT2560_BCNOCSR, (logcwmin << 16) | preload);
  let tmp = RT2560_ENABLE_TSF | RT2560_ENABLE_TBCN;
  if (ic.opmode === 'sta') tmp |= RT2560_ENABLE_TSF_SYNC(1);
  else tmp |= RT2560_ENABLE_TSF_SYNC(2) | RT2560_ENABLE_BEACON_GENERATOR;
  sc.csr.write(ctx, RT2560_CSR14, tmp);
}

/** rt2560_next_scan: the dwell timer ran out on this channel. */
function* rt2560NextScan(ctx: ThreadCtx, sc: RalSoftc): Co<void> {
  sc.cancelScan = null;
  yield* sc.withLock(ctx, function* (): Co<void> {
    if (sc.ic.state === 'SCAN') yield* ieee80211_next_scan(sc.ic);
  });
}

/** rt2560_update_rssadapt: every 100 ms in RUN, age the rate-adaptation statistics of every node. */
function armRssadapt(sc: RalSoftc): void {
  sc.cancelRssadapt?.();
  sc.cancelRssadapt = sc.ic.h.timeout(RAL_RSSADAPT_PERIOD_NS, 'ral.rssadapt', function* (): Co<void> {
    sc.cancelRssadapt = null;
    for (const ni of sc.ic.sta.list()) ni.rssadapt.updateStats();
    sc.ic.bss.rssadapt.updateStats();
    armRssadapt(sc);
  });
}

/** rt2560_newstate: program the chip for the new state, then chain to net80211's hook. */
export function* rt2560Newstate(ctx: ThreadCtx, sc: RalSoftc, nstate: Ieee80211State, arg: number): Co<number> {
  const ic = sc.ic;
  const ostate = ic.state;
  sc.cancelScan?.();
  sc.cancelScan = null;
  let error = 0;
  switch (nstate) {
    case 'INIT':
      sc.cancelRssadapt?.();
      sc.cancelRssadapt = null;
      if (ostate === 'RUN') {
        // Abort TSF synchronisation; association LED off.
        sc.csr.write(ctx, RT2560_CSR14, 0);
        rt2560UpdateLed(ctx, sc, 0, 0);
      }
      break;
    case 'SCAN':
      yield* rt2560SetChan(ctx, sc, ic.curchan.ieee, settles(sc));
      sc.cancelScan = ic.h.timeout(sc.dwelltime * 1_000_000, 'ral.next_scan', (tctx) => rt2560NextScan(tctx, sc));
      break;
    case 'AUTH':
    case 'ASSOC':
      yield* rt2560SetChan(ctx, sc, ic.curchan.ieee, settles(sc));
      break;
    case 'RUN': {
      yield* rt2560SetChan(ctx, sc, ic.curchan.ieee, settles(sc));
      const ni = ic.bss;
      if (ic.opmode !== 'monitor') {
        rt2560UpdatePlcp(ctx, sc);
        rt2560SetBasicrates(ctx, sc);
        rt2560SetBssid(ctx, sc, ni.bssid);
      }
      if (ic.opmode === 'hostap' || ic.opmode === 'ibss') {
        if (!rt2560BeaconSetup(ctx, sc, ni)) {
          sc.log('could not allocate beacon', _SLOG_ERROR);
          error = Errno.ENOBUFS;
          break;
        }
      }
      rt2560UpdateLed(ctx, sc, 1, 0);
      if (ic.opmode !== 'monitor') {
        armRssadapt(sc);
        rt2560EnableTsfSync(ctx, sc);
      }
      break;
    }
  }
  if (error !== 0) return error;
  return sc.parentNewstate ? yield* sc.parentNewstate(nstate, arg) : 0;
}

/**
 * Whether rt2560_set_chan settles the synthesizer (Japan filter, 1 ms, autotune off): it tests ic_state, which
 * net80211 changes only after the driver's hook, so the state being left decides — outside monitor mode and
 * not while scanning (the first SCAN from INIT settles, the channel hops of a scan do not).
 */
function settles(sc: RalSoftc): boolean {
  return sc.ic.opmode !== 'monitor' && sc.ic.state !== 'SCAN';
}

/** rt2560_stop (the lock is held by the caller). */
export function* rt2560Stop(ctx: ThreadCtx, sc: RalSoftc, _disable: boolean): Co<void> {
  const ifp = sc.ifp!;
  sc.txTimer = 0;
  ifp.flags &= ~(IFF_RUNNING | IFF_OACTIVE);
  if (sc.ic.host) yield* ieee80211_new_state(sc.ic, 'INIT', -1);
  sc.csr.write(ctx, RT2560_TXCSR0, RT2560_ABORT_TX);
  sc.csr.write(ctx, RT2560_RXCSR0, RT2560_DISABLE_RX);
  // Reset the ASIC (and thus the BBP).
  sc.csr.write(ctx, RT2560_CSR1, RT2560_RESET_ASIC);
  sc.csr.write(ctx, RT2560_CSR1, 0);
  sc.csr.write(ctx, RT2560_CSR8, 0xffffffff);
  sc.csr.write(ctx, RT2560_CSR7, 0xffffffff);
  // The engine's requests die with the rings (crypto.ts): their consumers hear EIO.
  ralCryptoAbort(ctx, sc);
  rt2560ResetTxRing(ctx, sc.txq);
  rt2560ResetTxRing(ctx, sc.atimq);
  rt2560ResetTxRing(ctx, sc.prioq);
  rt2560ResetTxRing(ctx, sc.bcnq);
  rt2560ResetRxRing(ctx, sc.rxq);
}

/** rt2560_init (the lock is held by the caller). Returns an errno. */
export function* rt2560Init(ctx: ThreadCtx, sc: RalSoftc): Co<number> {
  const ifp = sc.ifp!;
  const ic = sc.ic;
  const csr = sc.csr;
  sc.enabled = true;
  yield* rt2560Stop(ctx, sc, true);
  // The rings, in this exact order (the reference driver's warning).
  csr.write(ctx, RT2560_TXCSR2, ((RT2560_PRIO_RING_COUNT << 24) | (RT2560_ATIM_RING_COUNT << 16) | (RT2560_TX_RING_COUNT << 8) | RT2560_TX_DESC_SIZE) >>> 0);
  csr.write(ctx, RT2560_TXCSR3, sc.txq.physaddr);
  csr.write(ctx, RT2560_TXCSR5, sc.prioq.physaddr);
  csr.write(ctx, RT2560_TXCSR4, sc.atimq.physaddr);
  csr.write(ctx, RT2560_TXCSR6, sc.bcnq.physaddr);
  csr.write(ctx, RT2560_RXCSR1, (RT2560_RX_RING_COUNT << 8) | RT2560_RX_DESC_SIZE);
  csr.write(ctx, RT2560_RXCSR2, sc.rxq.physaddr);
  for (const [reg, val] of RT2560_DEF_MAC) csr.write(ctx, reg, val);
  ic.myaddr = ifp.lladdr.slice(0, 6);
  rt2560SetMacaddr(ctx, sc, ic.myaddr);
  // Basic rate set, updated in RUN.
  csr.write(ctx, RT2560_ARSP_PLCP_1, 0x153);
  yield* rt2560UpdateSlot(ctx, sc);
  rt2560UpdatePlcp(ctx, sc);
  rt2560UpdateLed(ctx, sc, 0, 0);
  csr.write(ctx, RT2560_CSR1, RT2560_RESET_ASIC);
  csr.write(ctx, RT2560_CSR1, RT2560_HOST_READY);
  if (!(yield* rt2560BbpInit(ctx, sc))) {
    yield* rt2560Stop(ctx, sc, true);
    return Errno.EIO;
  }
  yield* rt2560SetTxantenna(ctx, sc, 1);
  yield* rt2560SetRxantenna(ctx, sc, 1);
  // The default BSS channel.
  ic.bss.chan = ic.ibssChan;
  yield* rt2560SetChan(ctx, sc, ic.ibssChan.ieee, settles(sc));
  // Kick RX: the filter without DISABLE_RX.
  let rx = RT2560_DROP_PHY_ERROR | RT2560_DROP_CRC_ERROR;
  if (ic.opmode !== 'monitor') {
    rx |= RT2560_DROP_CTL | RT2560_DROP_VERSION_ERROR;
    if (ic.opmode !== 'hostap') rx |= RT2560_DROP_TODS;
    if (!promisc(sc)) rx |= RT2560_DROP_NOT_TO_ME;
  }
  csr.write(ctx, RT2560_RXCSR0, rx);
  // Old FCS and RX FIFO errors, then pending interrupts.
  yield* csr.read(ctx, RT2560_CNT0);
  yield* csr.read(ctx, RT2560_CNT4);
  csr.write(ctx, RT2560_CSR7, 0xffffffff);
  csr.write(ctx, RT2560_CSR8, RT2560_INTR_MASK);
  ifp.flags &= ~IFF_OACTIVE;
  ifp.flags |= IFF_RUNNING;
  if (ic.opmode === 'monitor') yield* ieee80211_new_state(ic, 'RUN', -1);
  else yield* ieee80211_new_state(ic, 'SCAN', -1);
  return 0;
}

/**
 * rt2560_watchdog, on the 1 s tick: the transmit timer ("device timeout" → reinitialise). The
 * ieee80211_watchdog half runs on the 802.11 layer's own 1 s timer (ieee80211_ifattach arms it).
 */
export function* rt2560Watchdog(ctx: ThreadCtx, sc: RalSoftc): Co<void> {
  const ifp = sc.ifp;
  if (!ifp || sc.detached) return;
  yield* sc.withLock(ctx, function* (): Co<void> {
    if (sc.txTimer > 0 && --sc.txTimer === 0) {
      sc.log('device timeout', _SLOG_ERROR);
      sc.counters.watchdogResets++;
      ifp.data.oerrors++;
      yield* rt2560Init(ctx, sc);
    }
  });
}

/** The 1 s if_watchdog tick, armed at attach (if_slowtimo). */
export function rt2560ArmWatchdog(sc: RalSoftc): void {
  sc.cancelTick?.();
  sc.cancelTick = sc.iopkt.callout(RAL_WATCHDOG_TICK_NS, (tctx) => rt2560Watchdog(tctx, sc));
}
