/**
 * The packet buffer (NetBSD sys/mbuf.h), as the stack and its drivers share it: an mbuf chain collapsed to
 * one contiguous view, with the packet id that follows it through the trace.
 */
import type { Ifnet } from './if';

export interface Mbuf {
  data: Uint8Array;
  pktId: number;
  /** Receiving interface (m_pkthdr.rcvif; set by the driver before ifInput). */
  rcvif?: Ifnet;
  /** m_flags: M_BCAST/M_MCAST set by ether_input, M_LOOP on a looped-back copy. */
  flags?: number;
  /**
   * Checksum offload (m_pkthdr.csum_flags / csum_data, M_CSUM_* below). On output the stack asks the
   * interface to compute what it left undone; on input the driver reports what the hardware verified:
   * M_CSUM_IPv4 (+ M_CSUM_IPv4_BAD), and for TCP/UDP M_CSUM_DATA with the hardware's ones'-complement sum
   * in csumData (0xffff = good, pseudo-header included unless M_CSUM_NO_PSEUDOHDR).
   */
  csumFlags?: number;
  csumData?: number;
}

/** m_flags bits (sys/mbuf.h). */
export const M_LOOP = 0x0040;
export const M_BCAST = 0x0100;
export const M_MCAST = 0x0200;

/** csum_flags bits (NetBSD sys/mbuf.h). */
export const M_CSUM_TCPv4 = 0x00000001;
export const M_CSUM_UDPv4 = 0x00000002;
export const M_CSUM_TCP_UDP_BAD = 0x00000004;
export const M_CSUM_DATA = 0x00000008;
export const M_CSUM_IPv4 = 0x00000040;
export const M_CSUM_IPv4_BAD = 0x00000080;
export const M_CSUM_NO_PSEUDOHDR = 0x80000000;
