/**
 * The interface list (NetBSD `ifnet` TAILQ + `in_ifaddr`): interfaces in attach order with their index,
 * their IPv4 addresses (SIOCAIFADDR semantics), name lookup with QNX's enmap, and the address predicates
 * ip_input needs.
 */
import { IFF_BROADCAST, IFF_LOOPBACK, type Ifnet } from './if';
import { INADDR_ANY, INADDR_BROADCAST, classfulMask, type Ipv4Addr } from './wire/addr';

/** One IPv4 address of an interface (struct in_ifaddr). */
export interface InIfaddr {
  readonly ifp: Ifnet;
  addr: Ipv4Addr;
  mask: Ipv4Addr;
  /** Directed broadcast (ia_broadaddr); for lo0, the destination (= addr). */
  broadcast: Ipv4Addr;
}

/** 'bridge': if_bridge's IFT_BRIDGE ifnet (no link address; not an Ethernet interface for enmap). */
export type IfType = 'ether' | 'loop' | 'bridge';

export interface IfState {
  /** if_index, from 1, never reused while the stack runs (NetBSD if_index). */
  readonly index: number;
  readonly type: IfType;
  readonly addrs: InIfaddr[];
  /** if_snd.ifq_drops: frames refused because the send queue was full. */
  sndDrops: number;
}

export function subnetOf(ia: InIfaddr): Ipv4Addr {
  return (ia.addr & ia.mask) >>> 0;
}

export class IfTable {
  /** Attach order (ifconfig -a, netstat -i, enmap). */
  readonly list: Ifnet[] = [];
  private readonly state = new Map<Ifnet, IfState>();
  private nextIndex = 1;
  /** QNX enmap: `enN` resolves to the N-th Ethernet interface when no interface has that name. */
  enmap = true;

  attach(ifp: Ifnet, type: IfType): IfState {
    const st: IfState = { index: this.nextIndex++, type, addrs: [], sndDrops: 0 };
    this.list.push(ifp);
    this.state.set(ifp, st);
    return st;
  }

  detach(ifp: Ifnet): void {
    const i = this.list.indexOf(ifp);
    if (i >= 0) this.list.splice(i, 1);
    this.state.delete(ifp);
  }

  st(ifp: Ifnet): IfState {
    const s = this.state.get(ifp);
    if (!s) throw new Error(`interface ${ifp.name} is not attached`);
    return s;
  }

  has(ifp: Ifnet): boolean {
    return this.state.has(ifp);
  }

  /** ifunit(): by exact name, else (enmap) `enN` → N-th Ethernet interface in attach order. */
  byName(name: string): Ifnet | undefined {
    const exact = this.list.find((i) => i.name === name);
    if (exact || !this.enmap) return exact;
    const m = /^en(\d+)$/.exec(name);
    if (!m) return undefined;
    const n = Number(m[1]);
    return this.list.filter((i) => this.state.get(i)?.type === 'ether')[n];
  }

  loopback(): Ifnet | undefined {
    return this.list.find((i) => (i.flags & IFF_LOOPBACK) !== 0);
  }

  /** All IPv4 addresses, interface order then address order. */
  allAddrs(): InIfaddr[] {
    const out: InIfaddr[] = [];
    for (const ifp of this.list) out.push(...this.st(ifp).addrs);
    return out;
  }

  /** The in_ifaddr holding exactly `a` (any interface), or undefined. */
  ifaWithAddr(a: Ipv4Addr): InIfaddr | undefined {
    return this.allAddrs().find((ia) => ia.addr === a);
  }

  /** ifa_ifwithnet: an address whose subnet contains `a` (not loopback host routes). */
  ifaWithNet(a: Ipv4Addr): InIfaddr | undefined {
    return this.allAddrs().find((ia) => ((a & ia.mask) >>> 0) === subnetOf(ia) && (ia.ifp.flags & IFF_LOOPBACK) === 0);
  }

  /** in_broadcast(): is `a` a broadcast address on `ifp`? */
  isBroadcast(a: Ipv4Addr, ifp: Ifnet | undefined): boolean {
    if (a === INADDR_BROADCAST || a === INADDR_ANY) return true;
    if (!ifp || (ifp.flags & IFF_BROADCAST) === 0) return false;
    for (const ia of this.st(ifp).addrs) {
      const net = subnetOf(ia);
      if (a === ia.broadcast || a === ((net | ~ia.mask) >>> 0) || (a === net && ia.mask !== 0xffffffff)) return true;
    }
    return false;
  }

  /**
   * SIOCAIFADDR: add `addr` to `ifp`, or change it if present. Missing mask → the classful mask; missing
   * broadcast → subnet | ~mask (broadcast interfaces only; lo0's destination is its own address).
   */
  addAddr(ifp: Ifnet, addr: Ipv4Addr, mask?: Ipv4Addr, broadcast?: Ipv4Addr): InIfaddr {
    const st = this.st(ifp);
    let ia = st.addrs.find((x) => x.addr === addr);
    const m = (mask ?? ia?.mask ?? classfulMask(addr)) >>> 0;
    const b = broadcast ?? ((ifp.flags & IFF_BROADCAST) !== 0 ? (((addr & m) | ~m) >>> 0) : addr);
    if (ia) {
      ia.mask = m;
      ia.broadcast = b >>> 0;
    } else {
      ia = { ifp, addr, mask: m, broadcast: b >>> 0 };
      st.addrs.push(ia);
    }
    return ia;
  }

  /** SIOCDIFADDR: remove `addr` (or the first address when addr is undefined). Returns it, or undefined. */
  delAddr(ifp: Ifnet, addr?: Ipv4Addr): InIfaddr | undefined {
    const st = this.st(ifp);
    const i = addr === undefined ? (st.addrs.length > 0 ? 0 : -1) : st.addrs.findIndex((x) => x.addr === addr);
    if (i < 0) return undefined;
    return st.addrs.splice(i, 1)[0];
  }
}
