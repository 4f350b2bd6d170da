/**
 * if_bridge in io-pkt's hc stacks (QNX lib/io-pkt/sys/net/if_bridge.c: NetBSD 1.46 with __QNXNTO__ threading):
 * the `bridge` cloner (bridge_clone_create/destroy), the list of bridges, which interface belongs to which
 * bridge (ifp->if_bridge), member add/delete with promiscuous mode (ifpromisc through the driver), the hooks the
 * stack calls (NetStack.fastInput → bridge_input in the receiving thread; Ether.transmit → bridge_output; if_detach
 * → bridge_ifdetach), and bridgeintrq: a receiving thread never inserts into the address cache itself
 * (bridge_rtupdate_self queues a request; the stack context runs bridge_intr_input → bridge_rtupdate).
 *
 * io-pkt-v4 has no bridging: the process creates no IfBridge and SIOCIFCREATE finds no `bridge` cloner (EINVAL).
 */
import { ifpromisc as sharedIfpromisc } from '../if-promisc';
import type { Co } from '../../kernel/api';
import { Errno } from '../../kernel/api';
import { IFF_PROMISC, IFF_RUNNING, IFF_UP, type Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import type { BridgePath, NetStack } from '../stack';
import type { TraceFieldValue } from '../env';
import { ETHER_HDR_LEN } from '../wire/ethernet';
import { macEquals, macToString } from '../wire/addr';
import { BridgeCost } from './costs';
import { BridgeSoftc, ETHERMTU, timeUptime, type BridgeIflist } from './softc';
import { bridgeInput, bridgeOutput, consumed, type BridgeCtx } from './forward';
import { BridgeStp } from './stp';
import { BSTP_DEFAULT_PATH_COST, BSTP_DEFAULT_PORT_PRIORITY, IFBAF_DYNAMIC, IFBAF_TYPEMASK, IFBIF_DISCOVER, IFBIF_LEARNING } from '../../include/net/if_bridgevar';

/** IFQ_MAXLEN: bridgeintrq's limit ("XXX hard value" in bridgeattach). */
const BRIDGEINTRQ_MAXLEN = 256;

/** struct rtupdate_args: one learning request on bridgeintrq. */
interface RtupdateArgs {
  sc: BridgeSoftc;
  addr: Uint8Array;
  ifp: Ifnet;
}

/**
 * ifpromisc (net/if.c) for a member: the shared reference count (if-promisc.ts, also BPF's); an up interface's
 * driver reprograms its receive filter when the flag changed (if_ioctl SIOCSIFFLAGS → the driver's filter update).
 */
export function* ifpromisc(ifp: Ifnet, on: boolean): Co<number> {
  if (sharedIfpromisc(ifp, on) && (ifp.flags & IFF_UP) !== 0 && ifp.ops.setFilter) yield* ifp.ops.setFilter(ifp);
  return 0;
}

export class IfBridge implements BridgePath, BridgeCtx {
  /** bridge_list. */
  readonly list: BridgeSoftc[] = [];
  /** ifp->if_bridge. */
  private readonly memberOf = new Map<Ifnet, BridgeSoftc>();
  /** bridgeintrq. */
  private readonly rtq: RtupdateArgs[] = [];
  readonly stp: BridgeStp;

  constructor(readonly s: NetStack) {
    this.stp = new BridgeStp(this);
  }

  /** Cloner names (SIOCIFGCLONERS). */
  static readonly cloners = ['bridge'] as const;

  // ---- the cloner -----------------------------------------------------------------------------------------

  /** bridge_clone_create for `bridge<unit>`: the ifnet is attached (if_attach) with no address. */
  cloneCreate(name: string): number {
    const m = /^bridge(\d+)$/.exec(name);
    if (!m) return Errno.EINVAL;
    if (this.s.ifs.byName(name)) return Errno.EEXIST;
    const sc = new BridgeSoftc(this.s, name, Number(m[1]));
    sc.ifp.ops.detach = () => this.cloneDestroy(sc);
    this.s.attachInterface(sc.ifp, 'bridge');
    this.list.unshift(sc);
    this.s.env.trace('bridge', 'create', 0, { if: name });
    return 0;
  }

  /** bridge_clone_destroy: stopped, every member deleted, then if_detach. */
  *cloneDestroy(sc: BridgeSoftc): Co<number> {
    this.stp.stop(sc);
    sc.stop();
    while (sc.members.length > 0) yield* this.deleteMember(sc, sc.members[0]!);
    this.rtq.splice(0, this.rtq.length, ...this.rtq.filter((r) => r.sc !== sc));
    const i = this.list.indexOf(sc);
    if (i >= 0) this.list.splice(i, 1);
    this.s.detachInterface(sc.ifp);
    this.s.env.trace('bridge', 'destroy', 0, { if: sc.ifp.name });
    return 0;
  }

  softcOf(ifp: Ifnet): BridgeSoftc | null {
    return this.list.find((sc) => sc.ifp === ifp) ?? null;
  }

  // ---- members ----------------------------------------------------------------------------------------------

  /** bridge_ioctl_add: ENOENT (no such interface), EINVAL (mtu differs, not Ethernet), EEXIST, EBUSY (other bridge). */
  *addMember(sc: BridgeSoftc, name: string): Co<number> {
    const ifs = this.s.ifs.byName(name);
    if (!ifs) return Errno.ENOENT;
    if (sc.ifp.mtu !== ifs.mtu) return Errno.EINVAL;
    const cur = this.memberOf.get(ifs);
    if (cur === sc) return Errno.EEXIST;
    if (cur) return Errno.EBUSY;
    if (this.s.ifs.st(ifs).type !== 'ether') return Errno.EINVAL;
    const e = yield* ifpromisc(ifs, true);
    if (e) return e;
    const bif: BridgeIflist = { ifp: ifs, flags: IFBIF_LEARNING | IFBIF_DISCOVER, priority: BSTP_DEFAULT_PORT_PRIORITY, pathCost: BSTP_DEFAULT_PATH_COST, state: 0 };
    this.memberOf.set(ifs, sc);
    sc.members.unshift(bif);
    this.s.env.trace('bridge', 'add', 0, { if: ifs.name, bridge: sc.ifp.name, promisc: (ifs.flags & IFF_PROMISC) !== 0 });
    if ((sc.ifp.flags & IFF_RUNNING) !== 0) this.stp.initialization(sc);
    else this.stp.stop(sc);
    return 0;
  }

  /** bridge_delete_member: out of promiscuous mode, forgotten, its cache entries deleted. */
  *deleteMember(sc: BridgeSoftc, bif: BridgeIflist): Co<void> {
    if (this.s.ifs.has(bif.ifp)) yield* ifpromisc(bif.ifp, false);
    this.unlink(sc, bif);
  }

  private unlink(sc: BridgeSoftc, bif: BridgeIflist): void {
    this.memberOf.delete(bif.ifp);
    const i = sc.members.indexOf(bif);
    if (i >= 0) sc.members.splice(i, 1);
    sc.rt.deleteIfp(bif.ifp);
    this.s.env.trace('bridge', 'delete', 0, { if: bif.ifp.name, bridge: sc.ifp.name, promisc: (bif.ifp.flags & IFF_PROMISC) !== 0 });
    if ((sc.ifp.flags & IFF_RUNNING) !== 0) this.stp.initialization(sc);
  }

  /** bridge_ifdetach: a member interface is going away (if_detach). */
  ifDetach(ifp: Ifnet): void {
    const sc = this.memberOf.get(ifp);
    const bif = sc?.member(ifp);
    if (!sc || !bif) return;
    this.unlink(sc, bif);
  }

  // ---- the stack's hooks ------------------------------------------------------------------------------------

  /** NetStack.fastInput: bridge_input for a member, in the receiving thread. */
  input(ifp: Ifnet, m: Mbuf): boolean {
    const sc = this.memberOf.get(ifp);
    if (!sc) return false;
    // ether_input drops frames of a down interface and runts before it calls bridge_input.
    if ((ifp.flags & IFF_UP) === 0 || m.data.length < ETHER_HDR_LEN) return false;
    if ((sc.ifp.flags & IFF_RUNNING) === 0) return false;
    const bif = sc.member(ifp);
    if (!bif) return false;
    return bridgeInput(this, sc, bif, m);
  }

  /** Ether.transmit: bridge_output when `ifp` is a member (null otherwise: the frame goes out `ifp` as usual). */
  output(ifp: Ifnet, m: Mbuf): number | null {
    const sc = this.memberOf.get(ifp);
    if (!sc) return null;
    return bridgeOutput(this, sc, ifp, m);
  }

  // ---- learning -------------------------------------------------------------------------------------------------

  /**
   * bridge_rtupdate_self. Nothing to do when the cache is full or the entry is already there, on this port,
   * dynamic and not expired; otherwise a request on bridgeintrq (dropped and counted when the queue is full),
   * which a stack pass turns into bridge_rtupdate. The stack context itself (bridge_output never learns, but the
   * STP and ioctl paths do) would update at once; here the caller is always a receiving thread or its stand-in.
   */
  rtupdateSelf(sc: BridgeSoftc, src: Uint8Array, ifp: Ifnet): void {
    const env = this.s.env;
    env.charge(BridgeCost.rtlookup);
    const brt = sc.rt.lookupNode(src);
    const uptime = timeUptime(this.s);
    if (sc.rt.count >= sc.rt.max) return;
    if (brt && brt.ifp === ifp && (brt.flags & IFBAF_TYPEMASK) === IFBAF_DYNAMIC && brt.expire > uptime) return;
    env.charge(BridgeCost.rtupdateQueue - BridgeCost.rtlookup);
    if (this.rtq.length >= BRIDGEINTRQ_MAXLEN) {
      sc.stats.rtqDrops++;
      return;
    }
    this.rtq.push({ sc, addr: src.slice(0, 6), ifp });
    // The first request queued pokes the stack (inq->ifq_len == 1): a callout due now, run by the next stack pass.
    if (this.rtq.length === 1) this.s.schedule(0, 'bridgeintrq', () => this.bridgeIntrInput());
  }

  /** bridge_intr_input for everything on bridgeintrq (stack context). */
  private bridgeIntrInput(): void {
    const uptime = timeUptime(this.s);
    while (this.rtq.length > 0) {
      const r = this.rtq.shift()!;
      if (!this.list.includes(r.sc) || this.memberOf.get(r.ifp) !== r.sc) continue;
      this.s.env.charge(BridgeCost.rtupdate);
      const before = r.sc.rt.lookupNode(r.addr);
      const moved = before !== undefined && before.ifp !== r.ifp;
      const e = r.sc.rt.update(r.addr, r.ifp, false, IFBAF_DYNAMIC, uptime);
      if (e === 0 && (!before || moved)) {
        this.trace('learn', 0, { if: r.ifp.name, bridge: r.sc.ifp.name, mac: macToString(r.addr), ...(moved ? { from: before.ifp.name } : {}) });
      }
    }
  }

  /** Learning requests waiting for the stack context (tests, the debugger). */
  get pendingLearn(): number {
    return this.rtq.length;
  }

  /** bstp_input: BPDUs go to the spanning tree of a port that runs it; elsewhere they are consumed and freed. */
  bstpInput(sc: BridgeSoftc, bif: BridgeIflist, m: Mbuf): boolean {
    consumed(this.s, bif.ifp, m);
    this.stp.input(sc, bif, m);
    return true;
  }

  trace(probe: string, pkt: number, f: Record<string, TraceFieldValue>): void {
    const t = this.s.env.thread?.();
    this.s.env.trace('bridge', probe, pkt, { ...f, thread: t?.name ?? 'stack', stk: t?.stack ?? true });
  }

  /** Is `mac` one of bridge `sc`'s members' addresses? (STP and tests.) */
  isOurs(sc: BridgeSoftc, mac: Uint8Array): boolean {
    return sc.members.some((b) => macEquals(b.ifp.lladdr, mac));
  }
}

export { BridgeSoftc, ETHERMTU };
