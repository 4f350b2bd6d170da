/**
 * What TCP needs of IPv6 (stack/net/ip6, the IPv6 helper's Ip6): source selection, output, our-address test.
 * Declared here so TCP type-checks against the contract whether or not NetStack has `ip6` (null in
 * io-pkt-v4 and io-pkt-v4-hc).
 */
import type { Ifnet } from '../if';
import type { NetStack } from '../stack';
import { ETHER_HDR_LEN } from '../wire/ethernet';

export interface Ip6HeaderSpec {
  src: Uint8Array;
  dst: Uint8Array;
  nxt: number;
  hlim: number;
  /** Interface index of a link-local destination (sin6_scope_id). */
  scopeId?: number;
}

export interface Ip6Api {
  output(frame: Uint8Array, h: Ip6HeaderSpec, pktId: number): number;
  selectSource(dst: Uint8Array, scopeId: number): { src: Uint8Array; ifp: Ifnet; mtu: number } | number;
  isOurAddress(a: Uint8Array): boolean;
  /** The interface index (sin6_scope_id) of `ifp`. */
  indexOf(ifp: Ifnet): number;
}

/** The fixed IPv6 header (RFC 8200 §3). */
export const IP6_HDR_LEN = 40;
/** Offset of the IPv6 payload in a frame from ip6Alloc (Ip6.PAYLOAD_OFF). */
export const IP6_PAYLOAD_OFF = ETHER_HDR_LEN + IP6_HDR_LEN;
/** Ip6.alloc: a frame with Ethernet and IPv6 header room before `payloadLen` bytes. */
export function ip6Alloc(payloadLen: number): Uint8Array {
  return new Uint8Array(IP6_PAYLOAD_OFF + payloadLen);
}
/** ip6_defhlim. */
export const IP6_DEFHLIM = 64;

/** The stack's IPv6, if it has one. */
export function ip6Of(s: NetStack): Ip6Api | null {
  return s.ip6;
}
