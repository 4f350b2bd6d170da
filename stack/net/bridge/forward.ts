/**
 * The bridge's data path, as QNX's if_bridge.c (NetBSD 1.46 + __QNXNTO__) runs it: bridge_input and
 * bridge_forward/bridge_broadcast/bridge_enqueue in the thread that received the frame, without the stack
 * context; bridge_output for frames the stack itself sends out a member (stack context).
 *
 * - bridge_input: bridge not RUNNING or port not a member → up the stack. Broadcast/multicast: 802.1D BPDUs to
 *   bstp_input (stack/net/bridge/stp.ts); otherwise a deep copy (m_dup) is forwarded and the original goes up,
 *   entering on the first member that has an IPv4 (or non-link-local IPv6) address (QNX's addition: "the bridge
 *   member that has higher level protocols bound"). Unicast to a member's address: learned (by that member's
 *   LEARNING flag) and sent up on that member; a frame carrying a member's address as source is our own echo and
 *   is dropped; anything else is forwarded.
 * - bridge_forward: STP state checks, learning (source neither group nor zero), "destination on the arrival
 *   port" drop, the ipf PFIL_IN hook, then one member (known unicast) or bridge_broadcast (unknown or group).
 * - bridge_broadcast: every other member that is RUNNING, not STP-blocked, and DISCOVER for unknown unicast;
 *   m_copym for all but the last member.
 * - Learning from a receiving thread is bridge_rtupdate_self: the entry is looked up in the thread's copy and,
 *   when new, moved or stale, a request goes on bridgeintrq for the stack context (bridge_intr_input →
 *   bridge_rtupdate): only the stack inserts into the table (IfBridge.rtupdateSelf).
 */
import { IFF_RUNNING, type Ifnet } from '../if';
import { M_BCAST, M_MCAST, type Mbuf } from '../mbuf';
import { bytesCost, NetCost } from '../costs';
import type { NetStack } from '../stack';
import { ETHER_HDR_LEN } from '../wire/ethernet';
import { macEquals, macIsBroadcast, macIsGroup, macIsZero } from '../wire/addr';
import { BridgeCost } from './costs';
import { stpInputBlocked, stpOutputBlocked, type BridgeIflist, type BridgeSoftc } from './softc';
import { bridgeIpf } from './ipf';
import { BSTP_IFSTATE_LEARNING, IFBF_FILT_USEIPF, IFBIF_DISCOVER, IFBIF_LEARNING, IFBIF_STP } from '../../include/net/if_bridgevar';
import { BSTP_ETHERADDR } from './stp-wire';
import type { TraceFieldValue } from '../env';

/** What the data path needs from the bridge subsystem (IfBridge). */
export interface BridgeCtx {
  readonly s: NetStack;
  /** bridge_rtupdate_self: learn `src` on `ifp` (queued for the stack context when new, moved or stale). */
  rtupdateSelf(sc: BridgeSoftc, src: Uint8Array, ifp: Ifnet): void;
  /** A `bridge` trace record with the running thread and whether it holds the stack context. */
  trace(probe: string, pkt: number, f: Record<string, TraceFieldValue>): void;
  /** bstp_input: a BPDU received on a member; true if it consumed the frame. */
  bstpInput(sc: BridgeSoftc, bif: BridgeIflist, m: Mbuf): boolean;
}

const src = (m: Mbuf) => m.data.subarray(6, 12);
const dst = (m: Mbuf) => m.data.subarray(0, 6);

/** m_flags M_BCAST/M_MCAST as ether_input sets them before calling bridge_input. */
function groupFlags(m: Mbuf): number {
  const d = dst(m);
  return macIsGroup(d) ? (macIsBroadcast(d) ? M_BCAST : M_MCAST) : 0;
}

function drop(br: BridgeCtx, sc: BridgeSoftc, m: Mbuf, ifp: Ifnet, reason: string): void {
  sc.stats.dropped++;
  br.trace('drop', m.pktId, { if: ifp.name, bridge: sc.ifp.name, reason });
}

/**
 * A frame the bridge keeps never reaches ether.input: count its bytes as ether_input did before calling
 * bridge_input, and let BPF listeners on the member see it (the driver's tap in NetBSD).
 */
export function consumed(s: NetStack, ifp: Ifnet, m: Mbuf): void {
  ifp.data.ibytes += m.data.length;
  s.bpf.tap(ifp, m.data, false, m.pktId);
}

/** The member whose interface has an IPv4 or non-link-local IPv6 address (QNX bridge_input, group frames). */
function protocolMember(s: NetStack, sc: BridgeSoftc): Ifnet | null {
  for (const bif of sc.members) {
    if (!s.ifs.has(bif.ifp)) continue;
    if (s.ifs.st(bif.ifp).addrs.length > 0) return bif.ifp;
    if (s.ip6?.in6.addrs(bif.ifp).some((ia) => !(ia.addr[0] === 0xfe && (ia.addr[1]! & 0xc0) === 0x80))) return bif.ifp;
  }
  return null;
}

/**
 * bridge_input for a frame received on member `bif` of `sc` (the caller checked that ifp is up, the frame holds
 * an Ethernet header and the bridge runs). true: consumed (forwarded, flooded, dropped); false: the stack gets it
 * on `m.rcvif`.
 */
export function bridgeInput(br: BridgeCtx, sc: BridgeSoftc, bif: BridgeIflist, m: Mbuf): boolean {
  const s = br.s;
  const ifp = bif.ifp;
  s.env.charge(BridgeCost.input);
  m.rcvif = ifp;
  m.flags = ((m.flags ?? 0) & ~(M_BCAST | M_MCAST)) | groupFlags(m);
  if ((m.flags & (M_BCAST | M_MCAST)) !== 0) {
    // Tap off 802.1D frames; they are never forwarded.
    if (macEquals(dst(m), BSTP_ETHERADDR)) return br.bstpInput(sc, bif, m);
    if (stpInputBlocked(bif)) return false;
    // m_dup: a deep copy is forwarded, the original goes up.
    s.env.charge(BridgeCost.dupBase + bytesCost(m.data.length, NetCost.copyPerByte));
    bridgeForward(br, sc, { data: m.data.slice(), pktId: m.pktId, rcvif: ifp, flags: m.flags });
    const up = protocolMember(s, sc);
    if (up) m.rcvif = up;
    return false;
  }
  if (stpInputBlocked(bif)) return false;
  // Unicast: is it for one of our members, or our own frame coming back?
  for (const b of sc.members) {
    if (macEquals(b.ifp.lladdr, dst(m))) {
      if ((b.flags & IFBIF_LEARNING) !== 0) br.rtupdateSelf(sc, src(m), ifp);
      m.rcvif = b.ifp;
      return false;
    }
    if (macEquals(b.ifp.lladdr, src(m))) {
      consumed(s, ifp, m);
      drop(br, sc, m, ifp, `echo of our own frame (source is ${b.ifp.name}'s address)`);
      return true;
    }
  }
  consumed(s, ifp, m);
  bridgeForward(br, sc, m);
  return true;
}

/** bridge_forward: `m.rcvif` is the arrival member. */
export function bridgeForward(br: BridgeCtx, sc: BridgeSoftc, m: Mbuf): void {
  const s = br.s;
  const srcIf = m.rcvif!;
  sc.ifp.data.ipackets++;
  sc.ifp.data.ibytes += m.data.length;
  const bif = sc.member(srcIf);
  if (!bif) return drop(br, sc, m, srcIf, 'not a bridge member (anymore)');
  if (stpInputBlocked(bif)) return drop(br, sc, m, srcIf, `STP: port ${srcIf.name} not forwarding`);
  const sh = src(m);
  if ((bif.flags & IFBIF_LEARNING) !== 0 && !macIsGroup(sh) && !macIsZero(sh)) br.rtupdateSelf(sc, sh, srcIf);
  if ((bif.flags & IFBIF_STP) !== 0 && bif.state === BSTP_IFSTATE_LEARNING) return drop(br, sc, m, srcIf, `STP: port ${srcIf.name} learning`);
  let dstIf: Ifnet | null = null;
  if (((m.flags ?? 0) & (M_BCAST | M_MCAST)) === 0) {
    s.env.charge(BridgeCost.rtlookup);
    dstIf = sc.rt.lookup(dst(m));
    if (dstIf === srcIf) return drop(br, sc, m, srcIf, 'destination is on the arrival port');
  } else {
    sc.ifp.data.imcasts++;
  }
  if ((sc.filterFlags & IFBF_FILT_USEIPF) !== 0) {
    const r = bridgeIpf(s, m, srcIf, 'in');
    if (typeof r === 'string') return drop(br, sc, m, srcIf, r);
    m = r;
  }
  if (!dstIf) return bridgeBroadcast(br, sc, srcIf, m);
  if ((dstIf.flags & IFF_RUNNING) === 0) return drop(br, sc, m, srcIf, `${dstIf.name} not running`);
  const dbif = sc.member(dstIf);
  if (!dbif) return drop(br, sc, m, srcIf, `${dstIf.name} not a bridge member (anymore)`);
  if (stpOutputBlocked(dbif)) return drop(br, sc, m, srcIf, `STP: port ${dstIf.name} blocking`);
  if (bridgeEnqueue(br, sc, dstIf, m, true)) {
    sc.stats.forwarded++;
    br.trace('forward', m.pktId, { if: srcIf.name, to: dstIf.name, bridge: sc.ifp.name, len: m.data.length });
  }
}

/** bridge_broadcast: every other eligible member; copies for all but the last member in the list. */
export function bridgeBroadcast(br: BridgeCtx, sc: BridgeSoftc, srcIf: Ifnet, m: Mbuf): void {
  const group = ((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0;
  const to: string[] = [];
  const last = sc.members[sc.members.length - 1];
  for (const bif of sc.members) {
    const d = bif.ifp;
    if (d === srcIf || stpOutputBlocked(bif)) continue;
    if ((bif.flags & IFBIF_DISCOVER) === 0 && !group) continue;
    if ((d.flags & IFF_RUNNING) === 0) continue;
    let mc = m;
    if (bif !== last) {
      br.s.env.charge(BridgeCost.copym);
      mc = { data: m.data.slice(), pktId: m.pktId, rcvif: srcIf, flags: m.flags };
    }
    if (bridgeEnqueue(br, sc, d, mc, true)) to.push(d.name);
  }
  sc.stats.flooded++;
  br.trace('flood', m.pktId, { if: srcIf.name, to: to.join(','), bridge: sc.ifp.name, len: m.data.length });
}

/**
 * bridge_enqueue: clear the inbound checksum flags, the ipf PFIL_OUT hook (`runfilt`), then onto the member's
 * if_snd (Ether.enqueue: BPF, counters, kick — the receiving thread starts the driver). Returns true if queued.
 */
export function bridgeEnqueue(br: BridgeCtx, sc: BridgeSoftc, dstIf: Ifnet, m: Mbuf, runfilt: boolean): boolean {
  const s = br.s;
  s.env.charge(BridgeCost.enqueue);
  m.csumFlags = 0;
  m.csumData = 0;
  if (runfilt && (sc.filterFlags & IFBF_FILT_USEIPF) !== 0) {
    const r = bridgeIpf(s, m, dstIf, 'out');
    if (typeof r === 'string') {
      drop(br, sc, m, dstIf, r);
      return false;
    }
    m = r;
  }
  const len = m.data.length;
  if (s.ether.enqueue(dstIf, m) !== 0) {
    sc.ifp.data.oerrors++;
    return false;
  }
  sc.ifp.data.opackets++;
  sc.ifp.data.obytes += len;
  if (((m.flags ?? 0) & M_MCAST) !== 0) sc.ifp.data.omcasts++;
  return true;
}

/**
 * bridge_output (stack context): a frame the stack sends out member `ifp`. Bridge not running: out `ifp` as it
 * is. Group or unknown destination: every RUNNING member (STP-blocked ones other than `ifp` skipped); known
 * unicast: the member it was learned on. Always 0: like NetBSD, a lost frame is not an error to the sender.
 */
export function bridgeOutput(br: BridgeCtx, sc: BridgeSoftc, ifp: Ifnet, m: Mbuf): number {
  const s = br.s;
  if (m.data.length < ETHER_HDR_LEN) return 0;
  m.flags = ((m.flags ?? 0) & ~(M_BCAST | M_MCAST)) | groupFlags(m);
  let dstIf: Ifnet | null = null;
  if ((sc.ifp.flags & IFF_RUNNING) === 0) dstIf = ifp;
  else if (!macIsGroup(dst(m))) {
    s.env.charge(BridgeCost.rtlookup);
    dstIf = sc.rt.lookup(dst(m));
  }
  if (!dstIf) {
    const last = sc.members[sc.members.length - 1];
    const to: string[] = [];
    for (const bif of sc.members) {
      const d = bif.ifp;
      if ((d.flags & IFF_RUNNING) === 0) continue;
      if (d !== ifp && stpInputBlocked(bif)) continue;
      let mc = m;
      if (bif !== last) {
        s.env.charge(BridgeCost.copym);
        mc = { data: m.data.slice(), pktId: m.pktId, flags: m.flags };
      }
      if (bridgeEnqueue(br, sc, d, mc, false)) to.push(d.name);
    }
    br.trace('output', m.pktId, { if: ifp.name, to: to.join(','), bridge: sc.ifp.name, len: m.data.length });
    return 0;
  }
  if ((dstIf.flags & IFF_RUNNING) === 0) {
    drop(br, sc, m, ifp, `${dstIf.name} not running`);
    return 0;
  }
  if (bridgeEnqueue(br, sc, dstIf, m, false)) br.trace('output', m.pktId, { if: ifp.name, to: dstIf.name, bridge: sc.ifp.name, len: m.data.length });
  return 0;
}
