/**
 * Interface ioctls (net/if.c ifioctl, netinet/in.c in_control, if_ethersubr.c ether_ioctl) as io-pkt
 * answers them through _IO_DEVCTL: SIOCGIFCONF, SIOCGIFFLAGS/SIOCSIFFLAGS, SIOCGIFMTU/SIOCSIFMTU,
 * SIOCAIFADDR/SIOCDIFADDR, SIOCGIFADDR/NETMASK/BRDADDR, SIOCGIFDATA, SIOCGIFMEDIA, SIOCIFDESTROY and
 * SIOCGDRVCOM (DRVCOM_CONFIG / DRVCOM_STATS, what nicinfo reads). Unknown interface names: ENXIO.
 */
import { ifUserPromisc } from '../net/if-promisc';
import { Errno, type Co } from '../kernel/api';
import { IFF_LOOPBACK, IFF_PROMISC, IFF_RUNNING, IFF_UP, type Ifnet } from '../net/if';
import type { IoPktProcess } from './process';
import { ieee80211_ic_of } from '../net80211/ieee80211';
import { ieee80211_ioctl, isIeee80211Ioctl } from '../net80211/ioctl';
import { ENETRESET } from '../net80211/mode';
import { in6Ioctl } from './ioctl6';
import type { In6AddrInfo } from '../include/netinet6/in6_var';
import { ipv6NeedsScope } from '../net/wire/addr6';
import type { IfType } from '../net/ifnet';
import { IfBridge } from '../net/bridge/index';
import { bridgeIoctl } from '../net/bridge/ioctl';

export type IoctlResult = number | { data?: unknown };

/** Flags a user may change with SIOCSIFFLAGS (IFF_CANTCHANGE excluded). */
const IFF_CANTCHANGE = IFF_RUNNING | 0x400 /* OACTIVE */ | IFF_LOOPBACK | 0x800 /* SIMPLEX */ | 0x8000 /* MULTICAST */ | 0x2 /* BROADCAST */;

export interface IfInfo {
  name: string;
  index: number;
  flags: number;
  mtu: number;
  lladdr: Uint8Array;
  type: IfType;
  media: { subtype: string; fullDuplex: boolean; linkUp: boolean };
  addrs: { addr: number; mask: number; broadcast: number }[];
  data: Ifnet['data'];
  driver: string;
  /** IPv6 addresses (io-pkt-v6-hc; absent without IPv6). */
  addrs6?: In6AddrInfo[];
}

export function ifInfo(p: IoPktProcess, ifp: Ifnet): IfInfo {
  const st = p.stack.ifs.st(ifp);
  return {
    name: ifp.name, index: st.index, flags: ifp.flags, mtu: ifp.mtu, lladdr: ifp.lladdr.slice(), type: st.type,
    media: { ...ifp.media }, addrs: st.addrs.map((a) => ({ addr: a.addr, mask: a.mask, broadcast: a.broadcast })),
    data: { ...ifp.data }, driver: ifp.driver,
    ...(p.stack.ip6 ? { addrs6: in6Infos(p, ifp) } : {}),
  };
}

/** SIOCGIFAFLAG_IN6 + SIOCGIFALIFETIME_IN6 for every IPv6 address of `ifp`. */
function in6Infos(p: IoPktProcess, ifp: Ifnet): In6AddrInfo[] {
  const ip6 = p.stack.ip6!;
  return ip6.in6.addrs(ifp).map((ia) => ({
    addr: ia.addr.slice(), plen: ia.plen, flags: ia.flags, scopeId: ipv6NeedsScope(ia.addr) ? ip6.indexOf(ifp) : 0,
    vltime: ia.vltime, pltime: ia.pltime, expire: ia.expire, preferred: ia.preferred,
  }));
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v >>> 0 : undefined;
}

/** if_up / if_init: bring the driver up if it is not running. */
export function* ifUp(p: IoPktProcess, ifp: Ifnet): Co<number> {
  ifp.flags |= IFF_UP;
  if ((ifp.flags & IFF_RUNNING) === 0) {
    const e = yield* ifp.ops.init(ifp);
    if (e) return e;
  }
  for (const ia of p.stack.ifs.st(ifp).addrs) p.stack.addressUp(ifp, ia);
  p.stack.ip6?.ifUp(ifp); // in6_if_up: link-local address, DAD, router solicitation
  return 0;
}

export function* interfaceIoctl(p: IoPktProcess, dcmd: string, d: Record<string, unknown>): Co<IoctlResult> {
  const s = p.stack;
  if (dcmd === 'SIOCGNBRLIST_IN6' || dcmd === 'SIOCGDRLST_IN6' || dcmd === 'SIOCGPRLST_IN6' || dcmd === 'SIOCSNDFLUSH_IN6') {
    // The neighbour cache and router/prefix lists are the stack's, not one interface's (ndp).
    return yield* in6Ioctl(p, null, dcmd, d);
  }
  if (dcmd === 'SIOCGIFCONF') {
    return { data: { ifs: s.ifs.list.map((ifp) => ifInfo(p, ifp)) } };
  }
  const name = typeof d.name === 'string' ? d.name : '';
  // Interface cloners (if_clone_create/if_clone_list): `bridge` in the hc variants only (stack/net/bridge).
  const bridges = s.bridge instanceof IfBridge ? s.bridge : null;
  if (dcmd === 'SIOCIFGCLONERS') return { data: { names: bridges ? [...IfBridge.cloners] : [] } };
  if (dcmd === 'SIOCIFCREATE') {
    if (s.ifs.byName(name)) return Errno.EEXIST;
    if (/^bridge\d+$/.test(name) && !bridges) p.log(`SIOCIFCREATE ${name}: no "bridge" cloner: ${p.variant} has no bridging (hc variants only)`);
    return bridges ? bridges.cloneCreate(name) || {} : Errno.EINVAL;
  }
  const ifp = s.ifs.byName(name);
  if (!ifp) return Errno.ENXIO;
  const bsc = bridges?.softcOf(ifp);
  if (bridges && bsc) {
    const r = yield* bridgeIoctl(bridges, bsc, dcmd, d);
    if (r !== undefined) return r;
  }
  switch (dcmd) {
    case 'SIOCGIFFLAGS':
      return { data: { flags: ifp.flags } };
    case 'SIOCGIFDATA':
    case 'SIOCGIFMEDIA':
      return { data: ifInfo(p, ifp) };
    case 'SIOCGIFMTU':
      return { data: { mtu: ifp.mtu } };
    case 'SIOCSIFMTU': {
      const mtu = num(d.mtu);
      const max = (ifp.flags & IFF_LOOPBACK) !== 0 ? 65535 : 1500;
      if (mtu === undefined || mtu < 68 || mtu > max) return Errno.EINVAL;
      ifp.mtu = mtu;
      return {};
    }
    case 'SIOCSIFFLAGS': {
      const want = num(d.flags);
      if (want === undefined) return Errno.EINVAL;
      const old = ifp.flags;
      // IFF_PROMISC stays while BPF or a bridge holds a reference (ifpromisc's if_pcount).
      ifp.flags = ifUserPromisc(ifp, (old & IFF_CANTCHANGE) | (want & ~IFF_CANTCHANGE));
      if ((old & IFF_UP) !== 0 && (ifp.flags & IFF_UP) === 0) {
        yield* ifp.ops.stop(ifp, false);
        ifp.flags &= ~IFF_RUNNING;
        s.ip6?.ifDown(ifp);
      } else if ((ifp.flags & IFF_UP) !== 0 && (old & IFF_UP) === 0) {
        const e = yield* ifUp(p, ifp);
        if (e) return e;
      }
      if (((old ^ ifp.flags) & IFF_PROMISC) !== 0 && ifp.ops.setFilter) yield* ifp.ops.setFilter(ifp);
      return {};
    }
    case 'SIOCAIFADDR': {
      const addr = num(d.addr);
      if (addr === undefined) return Errno.EINVAL;
      const ia = s.addAddress(ifp, addr, num(d.mask), num(d.broadcast));
      p.main.trace('ifnet', 'addr', 0, { if: ifp.name, addr: ia.addr, mask: ia.mask });
      if ((ifp.flags & IFF_LOOPBACK) !== 0) return {};
      // in_ifinit → SIOCINITIFADDR: the interface comes up and is initialized.
      const wasUp = (ifp.flags & IFF_UP) !== 0;
      ifp.flags |= IFF_UP;
      if ((ifp.flags & IFF_RUNNING) === 0) {
        const e = yield* ifp.ops.init(ifp);
        if (e) return e;
      }
      s.addressUp(ifp, ia);
      if (!wasUp) s.ip6?.ifUp(ifp);
      return {};
    }
    case 'SIOCDIFADDR': {
      const e = s.deleteAddress(ifp, num(d.addr));
      return e ? e : {};
    }
    case 'SIOCGIFADDR':
    case 'SIOCGIFNETMASK':
    case 'SIOCGIFBRDADDR': {
      const ia = s.ifs.st(ifp).addrs[0];
      if (!ia) return Errno.EADDRNOTAVAIL;
      return { data: { addr: ia.addr, mask: ia.mask, broadcast: ia.broadcast } };
    }
    case 'SIOCAIFADDR_IN6':
    case 'SIOCDIFADDR_IN6':
    case 'SIOCGIFAFLAG_IN6':
    case 'SIOCGIFALIFETIME_IN6':
    case 'SIOCSRTADV_IN6':
      return yield* in6Ioctl(p, ifp, dcmd, d);
    case 'SIOCIFDESTROY': {
      if ((ifp.flags & IFF_LOOPBACK) !== 0) return Errno.EPERM;
      if (!ifp.ops.detach) return Errno.EOPNOTSUPP;
      const e = yield* ifp.ops.detach(ifp);
      if (e) return e;
      s.detachInterface(ifp); // in case the driver did not call devDetach
      return {};
    }
    case 'SIOCGDRVCOM': {
      if ((ifp.flags & IFF_LOOPBACK) !== 0) return Errno.ENOTTY;
      if (d.cmd === 'DRVCOM_CONFIG') return { data: ifp.ops.config(ifp) };
      if (d.cmd === 'DRVCOM_STATS') {
        if (ifp.ops.refreshStats) yield* ifp.ops.refreshStats(ifp);
        return { data: ifp.ops.stats(ifp) };
      }
      return Errno.EINVAL;
    }
    default: {
      // 802.11 ioctls go to the interface's 802.11 layer (hc variants); ENETRESET restarts a running one.
      const ic = isIeee80211Ioctl(dcmd) ? ieee80211_ic_of(ifp) : undefined;
      if (!ic) return Errno.ENOTTY;
      const r = yield* ieee80211_ioctl(ic, dcmd, d);
      if (r !== ENETRESET) return r;
      if ((ifp.flags & (IFF_UP | IFF_RUNNING)) === (IFF_UP | IFF_RUNNING)) {
        const e = yield* ifp.ops.init(ifp);
        if (e) return e;
      }
      return {};
    }
  }
}
