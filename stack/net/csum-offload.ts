/**
 * Checksum offload as NetBSD's stack uses it (ip_input / udp4_input_checksum / ip_output / in_delayed_cksum):
 * on output the stack leaves to the interface what its enabled capabilities (Ifnet.capenable, IFCAP_CSUM_*)
 * cover, flagging the mbuf (M_CSUM_IPv4, M_CSUM_UDPv4, M_CSUM_TCPv4) and, for UDP and TCP, putting the
 * pseudo-header sum (not complemented) in the checksum field for the hardware to complete (TCP always asks,
 * as NetBSD's tcp_output does, and ip_output sums in software when the interface cannot); on input it trusts
 * what the driver reports the hardware verified, as far as the interface's receive capabilities go. Interfaces without
 * capabilities (lo0, the NE2000s) see no change.
 */
import {
  IFCAP_CSUM_IPv4_Rx, IFCAP_CSUM_IPv4_Tx, IFCAP_CSUM_TCPv4_Tx, IFCAP_CSUM_UDPv4_Rx, IFCAP_CSUM_UDPv4_Tx, IFF_LOOPBACK, type Ifnet,
} from './if';
import { M_CSUM_DATA, M_CSUM_IPv4, M_CSUM_IPv4_BAD, M_CSUM_NO_PSEUDOHDR, M_CSUM_TCP_UDP_BAD, M_CSUM_UDPv4, type Mbuf } from './mbuf';
import { foldComplement, pseudoHeaderSum } from './wire/checksum';
import { IpProto } from './wire/ipv4';
import type { Ipv4Addr } from './wire/addr';

function txCaps(ifp: Ifnet): number {
  return (ifp.flags & IFF_LOOPBACK) !== 0 ? 0 : ifp.capenable ?? 0;
}

/** The interface computes the IPv4 header checksum on output. */
export function ipTxOffload(ifp: Ifnet): boolean {
  return (txCaps(ifp) & IFCAP_CSUM_IPv4_Tx) !== 0;
}

/** The interface computes the UDP checksum on output. */
export function udpTxOffload(ifp: Ifnet): boolean {
  return (txCaps(ifp) & IFCAP_CSUM_UDPv4_Tx) !== 0;
}

/** The interface computes the TCP checksum on output (IFCAP_CSUM_TCPv4_Tx). */
export function tcpTxOffload(ifp: Ifnet): boolean {
  return (txCaps(ifp) & IFCAP_CSUM_TCPv4_Tx) !== 0;
}

/** in_cksum_phdr: the folded, not complemented, pseudo-header sum the hardware completes. */
export function pseudoHeaderSeed(src: Ipv4Addr, dst: Ipv4Addr, protocol: number, length: number): number {
  return ~foldComplement(pseudoHeaderSum(src, dst, protocol, length)) & 0xffff;
}

/**
 * What the hardware said about the IPv4 header: null = nothing (verify in software), true = good, false = bad.
 * ip_input: M_CSUM_IPv4 counts only with IFCAP_CSUM_IPv4_Rx enabled; with M_CSUM_IPv4_BAD it is bad.
 */
export function ipRxVerdict(ifp: Ifnet, m: Mbuf): boolean | null {
  const f = m.csumFlags ?? 0;
  if ((f & M_CSUM_IPv4) === 0 || ((ifp.capenable ?? 0) & IFCAP_CSUM_IPv4_Rx) === 0) return null;
  return (f & M_CSUM_IPv4_BAD) === 0;
}

/**
 * udp4_input_checksum: with IFCAP_CSUM_UDPv4_Rx, M_CSUM_UDPv4|M_CSUM_DATA carries the hardware's sum over
 * the datagram (and pseudo header unless M_CSUM_NO_PSEUDOHDR): good iff it is 0xffff. A datagram without a
 * checksum (0) is not the hardware's business.
 */
export function udpRxVerdict(ifp: Ifnet, m: Mbuf, uhSum: number, src: Ipv4Addr, dst: Ipv4Addr, udpLen: number): boolean | null {
  if (uhSum === 0) return null;
  const f = m.csumFlags ?? 0;
  if ((f & M_CSUM_UDPv4) === 0 || ((ifp.capenable ?? 0) & IFCAP_CSUM_UDPv4_Rx) === 0) return null;
  if (f & M_CSUM_TCP_UDP_BAD) return false;
  if ((f & M_CSUM_DATA) === 0) return true;
  let hw = m.csumData ?? 0;
  if (f & M_CSUM_NO_PSEUDOHDR) hw = ~foldComplement(hw + pseudoHeaderSum(src, dst, IpProto.UDP, udpLen)) & 0xffff;
  return (hw ^ 0xffff) === 0;
}
