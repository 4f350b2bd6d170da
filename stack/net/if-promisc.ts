/**
 * ifpromisc (NetBSD net/if.c): one promiscuous-mode reference count per interface (if_pcount), shared by everyone
 * who needs the NIC to accept frames for other stations — BPF descriptors (BIOCPROMISC) and bridge members. The
 * first reference sets IFF_PROMISC, the last clears it unless the user had set it (`ifconfig en0 promisc`, what
 * NetBSD keeps as IFF_PPROMISC); a user clearing it while references remain only forgets the user's setting.
 * The caller reprograms the driver's filter when the flag changed (true).
 */
import { IFF_PROMISC, type Ifnet } from './if';

interface Pcount {
  n: number;
  /** IFF_PPROMISC: the user asked for promiscuous mode (SIOCSIFFLAGS). */
  user: boolean;
}

const pcounts = new WeakMap<Ifnet, Pcount>();

function pc(ifp: Ifnet): Pcount {
  let p = pcounts.get(ifp);
  if (!p) {
    p = { n: 0, user: (ifp.flags & IFF_PROMISC) !== 0 };
    pcounts.set(ifp, p);
  }
  return p;
}

/** Take (on) or give back (off) a reference. Returns whether IFF_PROMISC changed. */
export function ifpromisc(ifp: Ifnet, on: boolean): boolean {
  const p = pc(ifp);
  const old = ifp.flags;
  if (on) p.n++;
  else if (p.n > 0) p.n--;
  if (p.n > 0 || p.user) ifp.flags |= IFF_PROMISC;
  else ifp.flags &= ~IFF_PROMISC;
  return ((old ^ ifp.flags) & IFF_PROMISC) !== 0;
}

/** References held (if_pcount). */
export function ifPcount(ifp: Ifnet): number {
  return pcounts.get(ifp)?.n ?? 0;
}

/**
 * SIOCSIFFLAGS asked for `flags`: record the user's promiscuous setting and return the flags to store, with
 * IFF_PROMISC kept while references remain.
 */
export function ifUserPromisc(ifp: Ifnet, flags: number): number {
  const p = pc(ifp);
  p.user = (flags & IFF_PROMISC) !== 0;
  return p.n > 0 || p.user ? flags | IFF_PROMISC : flags & ~IFF_PROMISC;
}
