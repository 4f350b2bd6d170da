/**
 * What a `block return…` rule sends back (pf.c pf_test_rule's return branch, pf_send_tcp, pf_send_icmp):
 * for TCP with return-rst (or plain `return`), and unless the packet is itself a RST, a RST|ACK from the
 * packet's destination to its source with seq = the packet's ack and ack = its seq + data length (+1 for SYN,
 * +1 for FIN), TTL ip_defttl and DF when path MTU discovery is on; otherwise, with return-icmp (or `return`
 * for other protocols), an ICMP port unreachable through icmp_error. Both go out through ip_output without
 * passing pf again (PF_TAG_GENERATED: `generating` is held while they are sent).
 */
import type { Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import type { PfilDir } from '../pfil';
import { Ip } from '../ip';
import { TcpPacket, TH_ACK, TH_FIN, TH_RST, TH_SYN, tcpPseudoSum4 } from '../wire/tcp';
import { IcmpType, IcmpUnreachCode } from '../wire/icmp';
import { IPPROTO_TCP, dst, src, type PfPdesc } from './pdesc';
import type { Pf } from './pf';
import type { KRule } from './rule';

/** pf_send_tcp: a bare TCP segment from pf itself (RST or RST|ACK), past pf (generated). */
export function pfSendTcp(pf: Pf, from: number, to: number, sport: number, dport: number, seq: number, ack: number, flags: number): void {
  const frame = Ip.alloc(20);
  const th = new TcpPacket(frame.subarray(Ip.PAYLOAD_OFF));
  th.srcPort = sport;
  th.dstPort = dport;
  th.seq = seq;
  th.ack = ack;
  th.headerLen = 20;
  th.flags = flags;
  th.window = 0;
  th.fillChecksum(tcpPseudoSum4(from, to, 20));
  const s = pf.s;
  const pktId = s.env.newPktId();
  pf.trace('send-tcp', pktId, { flags, seq, ack });
  pf.generating++;
  try {
    s.ip.output(frame, { src: from, dst: to, protocol: IPPROTO_TCP, ttl: s.ip.defaultTtl, tos: 0, df: s.ip.mtudisc }, pktId);
  } finally {
    pf.generating--;
  }
}

/** The RST|ACK answering `pd` (return-rst): seq = its ack, ack = its seq + length (+1 SYN, +1 FIN). */
function sendRst(pf: Pf, pd: PfPdesc): void {
  let ack = (pd.seq + pd.pLen) >>> 0;
  if (pd.flags & TH_SYN) ack = (ack + 1) >>> 0;
  if (pd.flags & TH_FIN) ack = (ack + 1) >>> 0;
  pfSendTcp(pf, dst(pd), src(pd), pd.dport, pd.sport, pd.ack, ack, TH_RST | TH_ACK);
}

/** The return branch of pf_test_rule for block rule `r`. */
export function pfReturn(pf: Pf, r: KRule, pd: PfPdesc, ifp: Ifnet, _dir: PfilDir, m: Mbuf): void {
  const policy = r.r.blockPolicy;
  pf.generating++;
  try {
    if (pd.proto === IPPROTO_TCP && (policy === 'return-rst' || policy === 'return')) {
      if ((pd.flags & TH_RST) === 0) sendRst(pf, pd);
    } else if (policy === 'return-icmp' || policy === 'return') {
      pf.trace('return-icmp', m.pktId, { type: IcmpType.Unreach, code: IcmpUnreachCode.Port });
      pf.s.icmp.error(ifp, m, pd.pkt, IcmpType.Unreach, IcmpUnreachCode.Port);
    }
  } finally {
    pf.generating--;
  }
}
