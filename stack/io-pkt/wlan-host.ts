/**
 * What the 802.11 layer (stack/net80211) of a wireless interface gets from a running io-pkt (hc variants only):
 * the stack context's clock, CPU and trace, one-shot callouts in the stack context, if_start kicks, ether_input
 * for decapsulated frames, link state, the crypto framework and routing messages. 802.11 frames always go to the
 * stack context (net80211 is not part of io-pkt's multi-threaded layer 2), so everything here is the holder's.
 */
import type { Ifnet } from '../net/if';
import type { Ieee80211Host } from '../net80211/var';
import type { IoPktProcess } from './process';

export function ieee80211HostOf(p: IoPktProcess): Ieee80211Host | null {
  if (p.variant === 'io-pkt-v4') return null;
  return {
    get ctx() {
      return p.ctx;
    },
    now: () => p.main.now(),
    charge: (ns) => p.ctx.charge(ns),
    trace: (layer, probe, pkt, f) => p.ctx.trace(layer, probe, pkt, f),
    newPktId: () => p.newPktId(),
    log: (text) => p.log(text),
    timeout: (delayNs, name, fn) => {
      const c = p.driverCallouts.add(p.main.now() + Math.max(1, delayNs), name, fn);
      if (!p.holder) p.rearm(p.main);
      return () => p.driverCallouts.cancel(c);
    },
    kick: (ifp: Ifnet) => p.kickStack(ifp),
    etherInput: (ifp, m) => {
      p.stack.input(ifp, m);
    },
    linkState: (ifp, up) => {
      if (ifp.media.linkUp !== up) ifp.media = { ...ifp.media, linkUp: up };
      p.main.trace('ifnet', 'link', 0, { if: ifp.name, up });
    },
    crypto: p.crypto,
    routeMessage: (data) => {
      p.stack.sockets.routeMessage(data);
    },
    ifIndex: (ifp) => (p.stack.ifs.has(ifp) ? p.stack.ifs.st(ifp).index : 0),
  };
}
