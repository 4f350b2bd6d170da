/**
 * The extension-header walk of ip6_input (RFC 8200 §4.1 order; netinet6/ip6_input.c ip6_hopopts_input,
 * dest6.c, route6.c): hop-by-hop options only directly after the fixed header, options processed by the
 * action in their type's two high-order bits (§4.2), routing headers skipped when no segments are left and
 * refused otherwise (type 0 deprecated by RFC 5095, no other type supported by a host), fragments handed to
 * reassembly. Returns where the upper-layer payload starts, or why the packet is dropped and what Parameter
 * Problem to send.
 */
import { IP6OPT_PAD1, IP6OPT_PADN, IP6OPT_ROUTER_ALERT, IP6_FRAG_LEN, Ip6Nxt, extHeaderLen, ip6OptAction } from '../wire/ipv6';
import { Icmp6ParamCode } from '../wire/icmpv6';
import type { Ip6Stat } from './stats6';

/**
 * ip6_hdrnestlimit (NetBSD in6_proto.c: 50): how many headers ip6_input's loop hands on, the upper-layer
 * protocol included, before it drops the packet as toomanyhdr.
 */
export const IP6_HDRNESTLIMIT = 50;

export type ExtWalk =
  /** `prevNxtOff`: offset of the Next Header field that named the payload's protocol. */
  | { kind: 'deliver'; nxt: number; off: number; prevNxtOff: number }
  | { kind: 'fragment'; off: number; prevNxtOff: number }
  | { kind: 'drop'; counter: keyof Ip6Stat | null; reason: string; paramProb?: { code: number; pointer: number } };

export function walkExtHeaders(pkt: Uint8Array, nxt0: number, off0: number, atStart: boolean, mcast: boolean): ExtWalk {
  let nxt = nxt0;
  let off = off0;
  let prevNxtOff = atStart ? 6 : -1;
  for (let n = 0; ; n++) {
    if (n + 1 > IP6_HDRNESTLIMIT) return { kind: 'drop', counter: 'toomanyhdr', reason: 'too many extension headers' };
    switch (nxt) {
      case Ip6Nxt.HOPOPTS:
      case Ip6Nxt.DSTOPTS: {
        if (nxt === Ip6Nxt.HOPOPTS && off !== 40) {
          // §4.1: hop-by-hop only right after the IPv6 header.
          return { kind: 'drop', counter: 'badoptions', reason: 'hop-by-hop options header not first', paramProb: { code: Icmp6ParamCode.NextHeader, pointer: prevNxtOff } };
        }
        if (off + 2 > pkt.length) return { kind: 'drop', counter: 'tooshort', reason: 'truncated options header' };
        const len = extHeaderLen(pkt, off);
        if (off + len > pkt.length) return { kind: 'drop', counter: 'tooshort', reason: `options header of ${len} bytes runs past the packet` };
        const bad = processOptions(pkt, off, len, nxt === Ip6Nxt.HOPOPTS, mcast);
        if (bad) return bad;
        prevNxtOff = off;
        nxt = pkt[off]!;
        off += len;
        continue;
      }
      case Ip6Nxt.ROUTING: {
        if (off + 4 > pkt.length) return { kind: 'drop', counter: 'tooshort', reason: 'truncated routing header' };
        const len = extHeaderLen(pkt, off);
        if (off + len > pkt.length) return { kind: 'drop', counter: 'tooshort', reason: `routing header of ${len} bytes runs past the packet` };
        const type = pkt[off + 2]!;
        const segLeft = pkt[off + 3]!;
        if (segLeft !== 0) {
          // §4.4 / RFC 5095 §3: an unsupported type (0 included) with segments left → Parameter Problem at the type.
          return {
            kind: 'drop', counter: 'badoptions', reason: `routing header type ${type} with ${segLeft} segments left`,
            paramProb: { code: Icmp6ParamCode.Header, pointer: off + 2 },
          };
        }
        prevNxtOff = off;
        nxt = pkt[off]!;
        off += len;
        continue;
      }
      case Ip6Nxt.FRAGMENT:
        if (off + IP6_FRAG_LEN > pkt.length) return { kind: 'drop', counter: 'tooshort', reason: 'truncated fragment header' };
        return { kind: 'fragment', off, prevNxtOff };
      default:
        return { kind: 'deliver', nxt, off, prevNxtOff };
    }
  }
}

/** ip6_process_hopopts / dest6_input's option loop over the TLVs of one header at `off` of `len` bytes. */
function processOptions(pkt: Uint8Array, off: number, len: number, hbh: boolean, mcast: boolean): ExtWalk | null {
  let i = off + 2;
  const end = off + len;
  while (i < end) {
    const type = pkt[i]!;
    if (type === IP6OPT_PAD1) {
      i++;
      continue;
    }
    if (i + 2 > end) return { kind: 'drop', counter: 'toosmall', reason: 'truncated option' };
    const olen = pkt[i + 1]! + 2;
    if (i + olen > end) return { kind: 'drop', counter: 'toosmall', reason: `option type ${type} runs past its header` };
    if (type === IP6OPT_PADN || (hbh && type === IP6OPT_ROUTER_ALERT)) {
      i += olen;
      continue;
    }
    switch (ip6OptAction(type)) {
      case 0:
        break; // skip over it
      case 1:
        return { kind: 'drop', counter: 'badoptions', reason: `unrecognized option 0x${type.toString(16)} (discard)` };
      case 2:
        return { kind: 'drop', counter: 'badoptions', reason: `unrecognized option 0x${type.toString(16)}`, paramProb: { code: Icmp6ParamCode.Option, pointer: i } };
      case 3:
        return {
          kind: 'drop', counter: 'badoptions', reason: `unrecognized option 0x${type.toString(16)}`,
          ...(mcast ? {} : { paramProb: { code: Icmp6ParamCode.Option, pointer: i } }),
        };
    }
    i += olen;
  }
  return null;
}
