/**
 * pflog (net/if_pflog.c, if_pflog.h of OpenBSD 3.7's pf, as NetBSD 4 imported it): the `pflog0` interface lsm-pf
 * creates, and pflog_packet, which hands a logged packet to BPF listeners on it (tcpdump -i pflog0) behind a
 * struct pfloghdr. pflog0 has no hardware and carries no IP traffic (pflogoutput discards what is routed to
 * it); its link type is DLT_PFLOG.
 *
 * struct pfloghdr, 48 bytes (PFLOG_HDRLEN = sizeof; `length` holds PFLOG_REAL_HDRLEN = 45, the size without
 * the trailing pad, which tcpdump and Wireshark check):
 *   0 length u8 | 1 af u8 (sa_family_t is 8 bits in NetBSD) | 2 action u8 (the rule's action) | 3 reason u8 |
 *   4 ifname[16] | 20 ruleset[16] (anchor name; "" for the main ruleset) | 36 rulenr u32 BE (-1: the default
 *   rule) | 40 subrulenr u32 BE (-1 outside anchors) | 44 dir u8 (PF_IN 1, PF_OUT 2) | 45 pad[3].
 */
import { DLT_PFLOG, PFLOG_HDRLEN, PFLOG_REAL_HDRLEN } from '../../include/net/pfvar';
import type { NicConfig, NicStats } from '../hw-nicinfo';
import { IFF_RUNNING, newIfData, type Ifnet, type IfnetOps } from '../if';
import type { PfilDir } from '../pfil';
import { PfCost } from './costs';
import { wr32 } from './cksum';
import type { Pf } from './pf';
import { PF_ACTION_CODE, PF_IN, PF_OUT } from './reasons';
import type { KRule } from './rule';

/** PFLOGMTU = 32768 + MHLEN + MLEN on NetBSD/i386 (what ifconfig shows for pflog0). */
export const PFLOGMTU = 33192;

function putName(b: Uint8Array, off: number, name: string): void {
  for (let i = 0; i < 15 && i < name.length; i++) b[off + i] = name.charCodeAt(i) & 0x7f;
}

/** The pfloghdr for a packet; `rule` null is pf_default_rule (nr -1, action pass). */
export function pflogHeader(ifname: string, dir: PfilDir, reason: number, rule: KRule | null): Uint8Array {
  const h = new Uint8Array(PFLOG_HDRLEN);
  h[0] = PFLOG_REAL_HDRLEN;
  h[1] = 2; // AF_INET
  h[2] = rule ? PF_ACTION_CODE[rule.r.action] : PF_ACTION_CODE.pass;
  h[3] = reason;
  putName(h, 4, ifname);
  wr32(h, 36, rule ? rule.nr : 0xffffffff);
  wr32(h, 40, 0xffffffff);
  h[44] = dir === 'in' ? PF_IN : PF_OUT;
  return h;
}

/** pflog_packet: a logged packet to pflog0's BPF listeners (the `_action` verdict is pf's; the header has the rule's). */
export function pflogPacket(pf: Pf, pkt: Uint8Array, ifp: Ifnet, dir: PfilDir, _action: 'pass' | 'drop', reason: number, rule: KRule | null, pktId: number): void {
  const lg = pf.pflogif;
  if (!lg) return;
  pf.charge(PfCost.pflogHeader);
  const len = pkt.length >= 4 ? Math.min(pkt.length, (pkt[2]! << 8) | pkt[3]!) : pkt.length;
  const frame = new Uint8Array(PFLOG_HDRLEN + len);
  frame.set(pflogHeader(ifp.name, dir, reason, rule), 0);
  frame.set(pkt.subarray(0, len), PFLOG_HDRLEN);
  lg.data.opackets++;
  lg.data.obytes += len;
  pf.trace('log', pktId, { if: ifp.name, dir, rule: rule ? rule.nr : -1, reason });
  pf.s.bpf.tap(lg, frame, true, pktId);
}

const pflogOps: IfnetOps = {
  // pflogioctl: SIOCSIFFLAGS with IFF_UP sets IFF_RUNNING.
  *init(ifp: Ifnet) {
    ifp.flags |= IFF_RUNNING;
    return 0;
  },
  // pflogoutput / pflogstart: anything routed or queued to pflog0 is discarded.
  *start(ifp: Ifnet) {
    ifp.data.oerrors += ifp.snd.length;
    ifp.snd.length = 0;
  },
  *stop(ifp: Ifnet) {
    ifp.flags &= ~IFF_RUNNING;
  },
  config(ifp: Ifnet): NicConfig {
    return {
      description: 'Packet filter logging interface', mac: new Uint8Array(6), permanentMac: new Uint8Array(6), mediaRateKbps: 0,
      fullDuplex: true, connector: 'unknown', mtu: ifp.mtu, irq: [], ioPorts: [], memWindows: [], promiscuous: false, multicast: false,
    };
  },
  stats(ifp: Ifnet): NicStats {
    return {
      txOk: ifp.data.opackets, txBytes: ifp.data.obytes, rxOk: 0, rxBytes: 0, txSingleCollisions: 0, txMultiCollisions: 0,
      txExcessiveCollisions: 0, txDeferred: 0, txLateCollisions: 0, txCarrierLost: 0, txUnderruns: 0, rxCrcErrors: 0,
      rxAlignErrors: 0, rxMissed: 0, rxOverruns: 0, rxRunts: 0, txBroadcast: 0, txMulticast: 0, rxBroadcast: 0, rxMulticast: 0,
      txFailedAllocs: 0, rxFailedAllocs: 0,
    };
  },
};

/** pflog_clone_create: an interface without hardware, DLT_PFLOG, flags 0 until `ifconfig pflog0 up`. */
export function createPflogIf(unit = 0): Ifnet {
  return {
    name: `pflog${unit}`,
    unit,
    driver: 'pflog',
    flags: 0,
    mtu: PFLOGMTU,
    lladdr: new Uint8Array(0),
    media: { subtype: 'none', fullDuplex: false, linkUp: true },
    snd: [],
    sndMax: 50,
    data: newIfData(),
    multicast: [],
    dlt: DLT_PFLOG,
    softc: null,
    ops: pflogOps,
  };
}
