/**
 * devnp-fakewifi.so: a test-only wireless driver for io-pkt, shaped like devnp-ral (rt2560_attach,
 * rt2560_newstate, rt2560_start, the receive interrupt) but with no chip: the "radio" is a FakeNic wire from
 * tests/io-pkt, each frame prefixed with the channel it was sent on (receivers on another channel drop it).
 * It exercises io-pkt's 802.11 glue — ieee80211_ifattach on the hc variants, frames handed to net80211 from
 * the interrupt thread, ic_mgtq kicks, 802.11 ioctls — without depending on the RT2560 model.
 */
import { Errno, type Co, type ThreadCtx } from '../../stack/kernel/api';
import type { IoPkt, NativeDriverModule } from '../../stack/io-pkt/driver-api';
import type { NicConfig, NicStats } from '../../stack/net/hw-nicinfo';
import { IFF_RUNNING, type Ifnet, type IfnetOps } from '../../stack/net/if';
import type { Mbuf } from '../../stack/net/mbuf';
import { ieee80211_beacon_alloc, ieee80211_beacon_update } from '../../stack/net80211/beacon';
import { IEEE80211_SYMBOLS, ieee80211_ifattach, ieee80211_media_init } from '../../stack/net80211/ieee80211';
import { ieee80211_input } from '../../stack/net80211/input';
import { ieee80211_encap, ieee80211_find_txnode } from '../../stack/net80211/output';
import { ieee80211_new_state } from '../../stack/net80211/proto';
import { ieee80211_next_scan } from '../../stack/net80211/scan';
import { IEEE80211_MODE_11B, IEEE80211_MODE_11G, IEEE80211_RATESET_11B, IEEE80211_RATESET_11G, ieee80211_channels_2ghz_bg } from '../../stack/net80211/rates';
import { IEEE80211_C_HOSTAP, IEEE80211_C_IBSS, IEEE80211_C_SHPREAMBLE, IEEE80211_C_SHSLOT, IEEE80211_TU_NS, Ieee80211Com } from '../../stack/net80211/var';
import type { FakeNic } from '../io-pkt/fake-net';

interface Softc {
  nic: FakeNic;
  iopkt: IoPkt;
  ic: Ieee80211Com;
  cancelScan: (() => void) | null;
  cancelBeacon: (() => void) | null;
  txFrames: number;
}

function send(sc: Softc, frame: Uint8Array, pktId: number): void {
  const d = new Uint8Array(frame.length + 1);
  d[0] = sc.ic.curchan.ieee;
  d.set(frame, 1);
  sc.nic.transmit(d, pktId);
  sc.txFrames++;
}

function start(sc: Softc): void {
  const ic = sc.ic;
  const ifp = ic.ifp;
  if ((ifp.flags & IFF_RUNNING) === 0) return;
  for (let mg = ic.mgtq.shift(); mg; mg = ic.mgtq.shift()) send(sc, mg.m.data, mg.m.pktId);
  // Data frames net80211 had encrypted through the crypto API (software provider: no engine here).
  for (let cq = ic.cryptoq.shift(); cq; cq = ic.cryptoq.shift()) {
    send(sc, cq.m.data, cq.m.pktId);
    ifp.data.opackets++;
  }
  if (ic.state !== 'RUN') return;
  for (let m0 = ifp.snd.shift(); m0; m0 = ifp.snd.shift()) {
    const ni = ieee80211_find_txnode(ic, m0.data.subarray(0, 6));
    if (!ni) {
      ifp.data.oerrors++;
      continue;
    }
    const m = ieee80211_encap(ic, m0, ni);
    if (!m) continue;
    send(sc, m.data, m.pktId);
    ifp.data.opackets++;
  }
}

const ops: IfnetOps = {
  *init(ifp: Ifnet): Co<number> {
    const sc = ifp.softc as Softc;
    // rt2560_init: stop, program, running, then let net80211 scan (or run in monitor mode).
    yield* ieee80211_new_state(sc.ic, 'INIT', -1);
    ifp.flags |= IFF_RUNNING;
    yield* ieee80211_new_state(sc.ic, sc.ic.opmode === 'monitor' ? 'RUN' : 'SCAN', -1);
    return 0;
  },
  *start(ifp: Ifnet): Co<void> {
    start(ifp.softc as Softc);
  },
  *stop(ifp: Ifnet): Co<void> {
    const sc = ifp.softc as Softc;
    yield* ieee80211_new_state(sc.ic, 'INIT', -1);
    start(sc);
    ifp.flags &= ~IFF_RUNNING;
  },
  config(ifp: Ifnet): NicConfig {
    const sc = ifp.softc as Softc;
    return {
      description: 'Fake 802.11b/g Controller', mac: ifp.lladdr.slice(), permanentMac: sc.nic.mac.slice(), mediaRateKbps: 54000,
      fullDuplex: false, connector: 'unknown', mtu: 1500, irq: [sc.nic.irq], ioPorts: [], memWindows: [], promiscuous: false, multicast: true,
    };
  },
  stats(ifp: Ifnet): NicStats {
    const sc = ifp.softc as Softc;
    return {
      txOk: sc.txFrames, txBytes: 0, rxOk: sc.nic.rxFrames, rxBytes: 0, txSingleCollisions: 0, txMultiCollisions: 0, txExcessiveCollisions: 0,
      txDeferred: 0, txLateCollisions: 0, txCarrierLost: 0, txUnderruns: 0, rxCrcErrors: 0, rxAlignErrors: 0, rxMissed: 0, rxOverruns: 0,
      rxRunts: 0, txBroadcast: 0, txMulticast: 0, rxBroadcast: 0, rxMulticast: 0, txFailedAllocs: 0, rxFailedAllocs: 0,
    };
  },
};

function attach(iopkt: IoPkt, nic: FakeNic): void {
  const ifp = iopkt.devAttach('ral', new Map(), ops, nic.mac, null);
  const ic = new Ieee80211Com(iopkt, ifp);
  const sc: Softc = { nic, iopkt, ic, cancelScan: null, cancelBeacon: null, txFrames: 0 };
  ifp.softc = sc;
  ic.myaddr = nic.mac.slice();
  ic.caps = IEEE80211_C_IBSS | IEEE80211_C_HOSTAP | IEEE80211_C_SHPREAMBLE | IEEE80211_C_SHSLOT;
  ic.channels = ieee80211_channels_2ghz_bg();
  ic.supRates[IEEE80211_MODE_11B] = [...IEEE80211_RATESET_11B];
  ic.supRates[IEEE80211_MODE_11G] = [...IEEE80211_RATESET_11G];
  try {
    ieee80211_ifattach(ic);
  } catch (e) {
    iopkt.devDetach(ifp);
    throw e;
  }
  const parent = ic.newstate;
  ic.newstate = function* (nstate, arg) {
    sc.cancelScan?.();
    sc.cancelScan = null;
    sc.cancelBeacon?.();
    sc.cancelBeacon = null;
    if (nstate === 'SCAN') {
      sc.cancelScan = ic.h.timeout(200_000_000, 'fakewifi.scan', function* () {
        sc.cancelScan = null;
        yield* ieee80211_next_scan(ic);
      });
    }
    if (nstate === 'RUN' && ic.opmode === 'hostap') {
      const { m, bo } = ieee80211_beacon_alloc(ic, ic.bss);
      const beacon = (): void => {
        sc.cancelBeacon = ic.h.timeout(ic.bintval * IEEE80211_TU_NS, 'fakewifi.beacon', function* () {
          ieee80211_beacon_update(ic, ic.bss, bo, m, 0);
          send(sc, m.data, m.pktId);
          beacon();
        });
      };
      beacon();
    }
    return yield* parent(nstate, arg);
  };
  ieee80211_media_init(ic);
  nic.attached = true;
  iopkt.interruptEntryInit(
    nic.irq,
    function* (wctx: ThreadCtx): Co<boolean> {
      while (nic.rx.length > 0) {
        const f = nic.rx.shift()!;
        yield* wctx.work(3_000 + f.data.length * 2);
        nic.rxFrames++;
        if (f.data[0] !== ic.curchan.ieee || (ifp.flags & IFF_RUNNING) === 0) continue;
        const m: Mbuf = { data: f.data.slice(1), pktId: f.pktId };
        ieee80211_input(wctx, ic, m, 40, 0);
      }
      nic.ack();
      return true;
    },
    () => undefined,
  );
}

export function fakeWifiDriver(nics: () => FakeNic[]): NativeDriverModule {
  return {
    kind: 'iopkt_drvr_entry',
    version: 1,
    type: 'general',
    imports: IEEE80211_SYMBOLS,
    *drvrInit(iopkt: IoPkt): Co<number> {
      const list = nics().filter((n) => !n.attached);
      if (list.length === 0) return Errno.ENODEV;
      for (const nic of list) attach(iopkt, nic);
      return 0;
    },
  };
}

/** The same driver without its import list: it gets as far as ieee80211_ifattach. */
export function fakeWifiDriverNoImports(nics: () => FakeNic[]): NativeDriverModule {
  const d = fakeWifiDriver(nics);
  return { kind: d.kind, version: d.version, type: d.type, drvrInit: d.drvrInit };
}
