/**
 * lo0, the software loopback interface (net/if_loop.c): 127.0.0.1/8, mtu 33192. Output is queued on the
 * stack's loopback queue (ipintrq) and comes back up as input in the same stack pass.
 */
import type { NicConfig, NicStats } from './hw-nicinfo';
import { IFF_LOOPBACK, IFF_MULTICAST, IFF_RUNNING, IFF_UP, newIfData, type Ifnet, type IfnetOps } from './if';

export const LOMTU = 33192;

const loopOps: IfnetOps = {
  *init(ifp: Ifnet) {
    ifp.flags |= IFF_RUNNING;
    return 0;
  },
  *start(ifp: Ifnet) {
    ifp.snd.length = 0;
  },
  *stop(ifp: Ifnet) {
    ifp.flags &= ~IFF_RUNNING;
  },
  config(): NicConfig {
    return {
      description: 'Software loopback', mac: new Uint8Array(6), permanentMac: new Uint8Array(6), mediaRateKbps: 0,
      fullDuplex: true, connector: 'unknown', mtu: LOMTU, irq: [], ioPorts: [], memWindows: [], promiscuous: false, multicast: true,
    };
  },
  stats(): NicStats {
    return {
      txOk: 0, txBytes: 0, rxOk: 0, rxBytes: 0, txSingleCollisions: 0, txMultiCollisions: 0, txExcessiveCollisions: 0,
      txDeferred: 0, txLateCollisions: 0, txCarrierLost: 0, txUnderruns: 0, rxCrcErrors: 0, rxAlignErrors: 0,
      rxMissed: 0, rxOverruns: 0, rxRunts: 0, txBroadcast: 0, txMulticast: 0, rxBroadcast: 0, rxMulticast: 0,
      txFailedAllocs: 0, rxFailedAllocs: 0,
    };
  },
};

export function createLoopback(unit = 0): Ifnet {
  return {
    name: `lo${unit}`,
    unit,
    driver: 'lo',
    flags: IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_MULTICAST,
    mtu: LOMTU,
    lladdr: new Uint8Array(0),
    media: { subtype: 'none', fullDuplex: true, linkUp: true },
    snd: [],
    sndMax: 256,
    data: newIfData(),
    multicast: [],
    ops: loopOps,
    softc: null,
  };
}
