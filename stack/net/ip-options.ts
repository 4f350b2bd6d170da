/**
 * ip_dooptions (netinet/ip_input.c): IPv4 options of a received datagram (RFC 791 §3.1), processed before
 * ip_input decides whether the datagram is ours, as NetBSD does. Each option's length is checked (a length
 * byte missing, below 2 or past the header → Parameter Problem pointing at it); record route (RFC 791 "Record
 * Route") and timestamps (RFC 781) get our address/time written in while room remains, a full record-route is
 * left alone, a full timestamp bumps its overflow count (a wrapped count is a problem); loose and strict
 * source routes (ip_allowsrcrt, ip_forwsrcrt: NetBSD's IPALLOWSRCRT/IPFORWSRCRT default 1) take the next hop
 * out of the option and go to ip_forward, a strict route whose next hop is not on a connected net → source route
 * failed. Any refusal sends the ICMP error and counts ipstat.badoptions ("bad:" in ip_dooptions).
 *
 * Found missing by the stack fuzzer (fuzz/stack/ipv4-options.ts): options were carried but never checked, so a
 * datagram with a malformed option was delivered instead of refused and counted.
 */
import type { Ifnet } from './if';
import type { NetStack } from './stack';
import { ipFromBytes, ipToBytes, isMulticastIp, type Ipv4Addr } from './wire/addr';
import { IcmpType, IcmpUnreachCode } from './wire/icmp';
import { IP_HDR_LEN, Ipv4Field } from './wire/ipv4';

/** Option types (netinet/ip.h IPOPT_*) and the offsets inside an option (IPOPT_OPTVAL, _OLEN, _OFFSET). */
export const IPOPT_EOL = 0;
export const IPOPT_NOP = 1;
export const IPOPT_RR = 7;
export const IPOPT_TS = 68;
export const IPOPT_LSRR = 131;
export const IPOPT_SSRR = 137;
const IPOPT_OLEN = 1;
const IPOPT_OFFSET = 2;
/** IPOPT_MINOFF: the first pointer value that addresses a slot. */
export const IPOPT_MINOFF = 4;
/** Timestamp flags (ipt_flg). */
export const IPOPT_TS_TSONLY = 0;
export const IPOPT_TS_TSANDADDR = 1;
export const IPOPT_TS_PRESPEC = 3;
/** ICMP_UNREACH_NET_PROHIB: source routing refused by configuration. */
const ICMP_UNREACH_NET_PROHIB = 9;

/** What ip_dooptions decided: go on with the datagram, forward it along its source route, or refuse it. */
export type IpOptVerdict =
  | { kind: 'continue' }
  | { kind: 'srcroute' }
  | { kind: 'bad'; type: number; code: number; reason: string };

export interface IpOptConfig {
  /** net.inet.ip.allowsrcrt (IPALLOWSRCRT 1). */
  allowsrcrt: boolean;
  /** net.inet.ip.forwsrcrt (IPFORWSRCRT 1). */
  forwsrcrt: boolean;
}

/**
 * Walk the options of the datagram `pkt` (header with options first; it is edited in place as ip_dooptions
 * edits the mbuf: recorded addresses, timestamps, the next source-route hop in the destination).
 */
export function ipDoOptions(s: NetStack, ifp: Ifnet, pkt: Uint8Array, cfg: IpOptConfig): IpOptVerdict {
  const hl = (pkt[0]! & 0x0f) * 4;
  const paramProb = (at: number, reason: string): IpOptVerdict => ({ kind: 'bad', type: IcmpType.ParamProb, code: at, reason });
  const unreach = (code: number, reason: string): IpOptVerdict => ({ kind: 'bad', type: IcmpType.Unreach, code, reason });
  let forward = false;
  for (let cp = IP_HDR_LEN, cnt = hl - IP_HDR_LEN, optlen = 0; cnt > 0; cnt -= optlen, cp += optlen) {
    const opt = pkt[cp]!;
    if (opt === IPOPT_EOL) break;
    if (opt === IPOPT_NOP) optlen = 1;
    else {
      if (cnt < IPOPT_OLEN + 1) return paramProb(cp + IPOPT_OLEN, `option ${opt} has no length byte`);
      optlen = pkt[cp + IPOPT_OLEN]!;
      if (optlen < IPOPT_OLEN + 1 || optlen > cnt) return paramProb(cp + IPOPT_OLEN, `option ${opt} length ${optlen} outside 2..${cnt}`);
    }
    switch (opt) {
      case IPOPT_LSRR:
      case IPOPT_SSRR: {
        if (!cfg.allowsrcrt) return unreach(ICMP_UNREACH_NET_PROHIB, 'source route not allowed');
        if (optlen < IPOPT_OFFSET + 1) return paramProb(cp + IPOPT_OLEN, `source route of ${optlen} bytes`);
        let off = pkt[cp + IPOPT_OFFSET]!;
        if (off < IPOPT_MINOFF) return paramProb(cp + IPOPT_OFFSET, `source route pointer ${off}`);
        const dst = ipFromBytes(pkt, Ipv4Field.dst.offset);
        if (!s.ifs.ifaWithAddr(dst)) {
          if (opt === IPOPT_SSRR) return unreach(IcmpUnreachCode.SrcFail, 'strict source route through a host that is not us');
          break; // loose route, not at the listed hop yet: forwarded as usual
        }
        off--; // 0 origin
        if (off + 4 > optlen) break; // end of the route: the datagram is ours (save_rte)
        const next = ipFromBytes(pkt, cp + off);
        const ia = opt === IPOPT_SSRR ? s.ifs.ifaWithNet(next) : routeIfa(s, next);
        if (!ia) return unreach(IcmpUnreachCode.SrcFail, `no route to source-route hop ${next >>> 0}`);
        ipToBytes(next, pkt, Ipv4Field.dst.offset);
        ipToBytes(ia.addr, pkt, cp + off);
        pkt[cp + IPOPT_OFFSET] = pkt[cp + IPOPT_OFFSET]! + 4;
        forward = !isMulticastIp(next);
        break;
      }
      case IPOPT_RR: {
        if (optlen < IPOPT_OFFSET + 1) return paramProb(cp + IPOPT_OLEN, `record route of ${optlen} bytes`);
        let off = pkt[cp + IPOPT_OFFSET]!;
        if (off < IPOPT_MINOFF) return paramProb(cp + IPOPT_OFFSET, `record route pointer ${off}`);
        off--;
        if (off + 4 > optlen) break; // no room left: ignored
        const dst = ipFromBytes(pkt, Ipv4Field.dst.offset);
        const ia = s.ifs.ifaWithAddr(dst) ?? routeIfa(s, dst);
        if (!ia) return unreach(IcmpUnreachCode.Host, 'record route toward an unreachable destination');
        ipToBytes(ia.addr, pkt, cp + off);
        pkt[cp + IPOPT_OFFSET] = pkt[cp + IPOPT_OFFSET]! + 4;
        break;
      }
      case IPOPT_TS: {
        const len = optlen; // ip_dooptions checks it again here: 4..40
        if (len < 4 || len > 40) return paramProb(cp + 1, `timestamp option length ${len}`);
        const ptr = pkt[cp + 2]!;
        if (ptr < 5) return paramProb(cp + 2, `timestamp pointer ${ptr}`);
        if (ptr > len - 4) {
          const oflw = ((pkt[cp + 3]! >> 4) + 1) & 0x0f;
          pkt[cp + 3] = (oflw << 4) | (pkt[cp + 3]! & 0x0f);
          if (oflw === 0) return paramProb(cp + 2, 'timestamp overflow count wrapped');
          break;
        }
        const flg = pkt[cp + 3]! & 0x0f;
        const at = cp + ptr - 1;
        if (flg === IPOPT_TS_TSANDADDR || flg === IPOPT_TS_PRESPEC) {
          if (ptr - 1 + 8 > len) return paramProb(cp + 2, `no room for an address and a timestamp at pointer ${ptr}`);
          if (flg === IPOPT_TS_TSANDADDR) {
            const ia = s.ifs.st(ifp).addrs[0];
            if (!ia) continue;
            ipToBytes(ia.addr, pkt, at);
          } else if (!s.ifs.ifaWithAddr(ipFromBytes(pkt, at))) continue; // prespecified for another host
          pkt[cp + 2] = pkt[cp + 2]! + 4;
        } else if (flg !== IPOPT_TS_TSONLY) return paramProb(cp + 3, `timestamp flag ${flg}`);
        // iptime(): milliseconds since midnight UT, from the virtual clock.
        const ms = Math.floor(s.env.now() / 1_000_000) % 86_400_000;
        const p = pkt[cp + 2]! - 1;
        ipToBytes(ms, pkt, cp + p);
        pkt[cp + 2] = pkt[cp + 2]! + 4;
        break;
      }
      default:
        break;
    }
  }
  if (forward) {
    if (!cfg.forwsrcrt) return unreach(IcmpUnreachCode.SrcFail, 'source-routed forwarding off');
    return { kind: 'srcroute' };
  }
  return { kind: 'continue' };
}

/** ip_rtaddr: the address of the interface the route to `dst` leaves by. */
function routeIfa(s: NetStack, dst: Ipv4Addr) {
  const c = s.ip.route(dst);
  return typeof c === 'number' ? undefined : c.src;
}
