/**
 * The driver dll table: file name → module, what io-pkt's loader (nw_dl) looks names up in
 * (`-d ne2000` → devnp-ne2000.so, falling back to devn-ne2000.so, which io-pkt runs through devnp-shim.so;
 * `-d bge` → devnp-bge.so, the Broadcom BCM57xx driver; `-d ral` → devnp-ral.so, the Ralink RT2560 802.11b/g
 * driver).
 */
import type { LoadableModule } from '../io-pkt/driver-api';
import { devnpBge } from './bge/native';
import { devnNe2000 } from './ne2000/legacy';
import { devnpRal } from './ral/native';
import { devnpNe2000 } from './ne2000/native';
import { createShim } from './shim/shim';
import { lsmPf } from '../io-pkt/lsm-pf';
import { lsmQnet } from '../io-pkt/lsm-qnet';

export const driverModules: Record<string, LoadableModule> = {
  'devnp-ne2000.so': devnpNe2000,
  'devn-ne2000.so': devnNe2000,
  'devnp-bge.so': devnpBge,
  'devnp-ral.so': devnpRal,
  // Protocol modules (lsm-*.so) are looked up in the same table: the packet filter.
  'lsm-pf-v4.so': lsmPf,
  // Qnet, QNX's native network (message passing between nodes, /net, /proc/qnetstats).
  'lsm-qnet.so': lsmQnet,
  // The shim resolves legacy drivers through this same table, read at load time (no import cycle).
  'devnp-shim.so': createShim((name) => driverModules[name]),
};
