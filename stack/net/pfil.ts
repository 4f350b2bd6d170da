/**
 * Packet filter hooks (NetBSD net/pfil.c): the points where a filter module (lsm-pf's pf_test) sees packets
 * and may pass, change or drop them. BPF only watches; a pfil hook decides. ip_input runs the inet head's input
 * hooks after the header checks and before the "for us or forward" decision, ip_output its output hooks after
 * the route is chosen and before fragmentation (forwarded packets pass both: `in` on the arrival interface,
 * `out` on the next hop's); the bridge runs both on its member interfaces.
 *
 * A hook returns the mbuf to go on with (the same one, or a rewritten one: NAT), or null when it consumed the
 * packet (dropped it, or answered it with a RST or an ICMP error of its own).
 */
import type { Ifnet } from './if';
import type { Mbuf } from './mbuf';

export type PfilDir = 'in' | 'out';

/**
 * `pkt` is the network-layer packet (IPv4 header first) inside `m.data`; a hook that rewrites it in place
 * returns `m`, one that needs a different length returns a new mbuf whose `data` is the new packet with
 * ETHER_HDR_LEN bytes of headroom before it (what ip_output builds frames from).
 */
export type PfilHook = (m: Mbuf, pkt: Uint8Array, ifp: Ifnet, dir: PfilDir) => { m: Mbuf; pkt: Uint8Array } | null;

export class PfilHead {
  private readonly hooks: { name: string; fn: PfilHook }[] = [];

  /** pfil_add_hook. A name already there is replaced (a module loaded twice). */
  add(name: string, fn: PfilHook): void {
    this.remove(name);
    this.hooks.push({ name, fn });
  }

  /** pfil_remove_hook. */
  remove(name: string): void {
    const i = this.hooks.findIndex((h) => h.name === name);
    if (i >= 0) this.hooks.splice(i, 1);
  }

  /** Any hooks? (ip_input skips the call and its cost when there are none; ipflow declines to bypass them.) */
  get active(): boolean {
    return this.hooks.length > 0;
  }

  /** pfil_run_hooks: each hook in order until one consumes the packet. */
  run(m: Mbuf, pkt: Uint8Array, ifp: Ifnet, dir: PfilDir): { m: Mbuf; pkt: Uint8Array } | null {
    let cur: { m: Mbuf; pkt: Uint8Array } | null = { m, pkt };
    for (const h of this.hooks) {
      cur = h.fn(cur.m, cur.pkt, ifp, dir);
      if (!cur) return null;
    }
    return cur;
  }
}
