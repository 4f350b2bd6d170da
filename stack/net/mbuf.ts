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
}

/** m_flags bits (sys/mbuf.h). */
export const M_LOOP = 0x0040;
export const M_BCAST = 0x0100;
export const M_MCAST = 0x0200;
