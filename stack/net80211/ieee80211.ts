/**
 * Attaching a wireless interface to io-pkt's 802.11 layer (ieee80211.c ieee80211_ifattach /
 * ieee80211_ifdetach, ieee80211_media_init): the PHY modes its channel table allows, the default state hook,
 * the BSS node, and the link from the interface to its ieee80211com that io-pkt uses to hand received frames
 * and 802.11 ioctls to this layer. (The once-a-second watchdog runs while the state machine is out of INIT:
 * proto.ts.)
 *
 * Only the hc variants of io-pkt carry this layer (facts/io-pkt.md §9): their driver host provides an
 * Ieee80211Host; io-pkt-v4 provides none, and ieee80211_ifattach fails.
 */
import { Errno, KernelError, type Co } from '../kernel/api';
import type { Ifnet } from '../net/if';
import type { Mbuf } from '../net/mbuf';
import { ieee80211_input_stack } from './input';
import { ieee80211_setmode, modecapsOf } from './mode';
import { ieee80211_newstate, ieee80211_watchdog_stop } from './proto';
import { IEEE80211_MODE_11B, IEEE80211_MODE_11G, IEEE80211_MODE_AUTO, ieee80211_set11gbasicrates } from './rates';
import { ieee80211_reset_bss } from './scan';
import type { Ieee80211Com, Ieee80211Host } from './var';

/** The 802.11 symbols a wireless driver module imports (what io-pkt-v4 lacks). */
export const IEEE80211_SYMBOLS: readonly string[] = ['ieee80211_ifattach', 'ieee80211_ifdetach', 'ieee80211_input', 'ieee80211_media_init', 'ieee80211_encap'];

const byIfp = new WeakMap<Ifnet, Ieee80211Com>();

/** The 802.11 state of an interface, if it is a wireless one (ifp->if_l2com). */
export function ieee80211_ic_of(ifp: Ifnet): Ieee80211Com | undefined {
  return byIfp.get(ifp);
}

/**
 * ieee80211_ifattach: bind `ic` to io-pkt's 802.11 layer. Throws KernelError(ENOTSUP) when this io-pkt has
 * none (io-pkt-v4); `host` overrides the io-pkt one (tests with a fake stack).
 */
export function ieee80211_ifattach(ic: Ieee80211Com, host?: Ieee80211Host): void {
  const h = host ?? ic.iopkt.ieee80211Host?.(ic.ifp) ?? null;
  if (!h) throw new KernelError(Errno.ENOTSUP, `${ic.ifp.name}: ieee80211_ifattach`);
  ic.host = h;
  ic.modecaps = modecapsOf(ic.channels);
  const first = ic.channels.find((c) => c !== undefined);
  if (!first) throw new KernelError(Errno.EINVAL, `${ic.ifp.name}: no channels`);
  ic.curchan = first;
  ic.ibssChan = first;
  for (const mode of [IEEE80211_MODE_11B, IEEE80211_MODE_11G]) {
    if (ic.supRates[mode]!.length > 0) ic.supRates[mode] = ieee80211_set11gbasicrates(ic.supRates[mode]!, mode);
  }
  ic.lintval = ic.bintval;
  ic.newstate = (nstate, arg) => ieee80211_newstate(ic, nstate, arg);
  ieee80211_reset_bss(ic);
  ieee80211_setmode(ic, IEEE80211_MODE_AUTO);
  byIfp.set(ic.ifp, ic);
  ic.ifp.media = { subtype: 'IEEE802.11 autoselect', fullDuplex: false, linkUp: false };
  ic.trace('attach', 0, { modecaps: ic.modecaps, channels: ic.channels.filter((c) => c).length });
}

/** ieee80211_media_init: the media words the interface supports (mode.ts supportedMedia); nothing to store. */
export function ieee80211_media_init(ic: Ieee80211Com): void {
  ic.trace('media-init', 0, { modecaps: ic.modecaps });
}

/** ieee80211_ifdetach: stop the watchdog, forget the nodes, unlink from the interface. */
export function ieee80211_ifdetach(ic: Ieee80211Com): void {
  ieee80211_watchdog_stop(ic);
  ic.scan.reset();
  ic.sta.reset();
  ic.mgtq.length = 0;
  ic.cryptoq.length = 0;
  if (byIfp.get(ic.ifp) === ic) byIfp.delete(ic.ifp);
  ic.trace('detach', 0);
}

/** io-pkt's pkt_rx_q hand-off: a frame a wireless driver passed to ieee80211_input. */
export function* ieee80211_rx_dispatch(ic: Ieee80211Com, m: Mbuf): Co<void> {
  yield* ieee80211_input_stack(ic, m);
}

/** Does the driver have management or encrypted data frames waiting (if_start should run even with if_snd empty)? */
export function ieee80211_mgtq_pending(ifp: Ifnet): boolean {
  const ic = byIfp.get(ifp);
  return !!ic && (ic.mgtq.length > 0 || ic.cryptoq.length > 0);
}
