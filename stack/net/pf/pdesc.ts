/**
 * The packet descriptor pf builds for each packet (pf.c struct pf_pdesc, filled by pf_test with pf_pull_hdr):
 * the IPv4 header's addresses, protocol, lengths, and the transport header's ports (TCP/UDP), flags and
 * sequence numbers (TCP), or type/code/id (ICMP). Offsets point into the packet so translation rewrites it in
 * place. A transport header that is not all there is PFRES_SHORT (pf_pull_hdr's "short"), as is a UDP header
 * whose length is below 8 or beyond the datagram, or a UDP destination port 0 (pf_test's UDP check).
 */
import { rd16, rd32 } from './cksum';
import { PFRES, type PfReason } from './reasons';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** ICMP types pf treats as errors that quote a packet (pf_test_rule's state_icmp; pf_icmp_mapping). */
export const ICMP_UNREACH = 3;
export const ICMP_SOURCEQUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_TIMXCEED = 11;
export const ICMP_PARAMPROB = 12;
export const ICMP_ECHOREPLY = 0;
export const ICMP_ECHO = 8;
export const ICMP_UNREACH_PORT = 3;

export function icmpIsError(type: number): boolean {
  return type === ICMP_UNREACH || type === ICMP_SOURCEQUENCH || type === ICMP_REDIRECT || type === ICMP_TIMXCEED || type === ICMP_PARAMPROB;
}

/** Offsets in the IPv4 header. */
export const IP_SUM = 10;
export const IP_SRC = 12;
export const IP_DST = 16;

export interface PfPdesc {
  /** The IP packet (header first); rewritten in place by translation. */
  readonly pkt: Uint8Array;
  readonly af: number;
  readonly proto: number;
  /** Header length (pf's `off`). */
  readonly off: number;
  /** ip_len (pd->tot_len). */
  readonly totLen: number;
  readonly tos: number;
  /** A fragment (MF or offset): transport headers not looked at (pf_test_fragment). */
  readonly fragment: boolean;
  /** ip_hl > 5. */
  readonly ipOptions: boolean;
  /** TCP/UDP ports; ICMP: the query id in both (sport = dport = icmp_id, as pf_test_rule does). */
  sport: number;
  dport: number;
  /** TCP. */
  readonly flags: number;
  readonly seq: number;
  readonly ack: number;
  readonly win: number;
  readonly thOff: number;
  /** Payload after the transport header (pd->p_len). */
  readonly pLen: number;
  /** ICMP. */
  readonly icmpType: number;
  readonly icmpCode: number;
  /** Offset of the transport checksum in `pkt` (-1: none). */
  readonly sumOff: number;
}

export function src(pd: PfPdesc): number {
  return rd32(pd.pkt, IP_SRC);
}
export function dst(pd: PfPdesc): number {
  return rd32(pd.pkt, IP_DST);
}

/**
 * A packet pf refuses before any rule: pf_pull_hdr failed (logged, `log = action != PF_PASS`), or pf_test's UDP
 * sanity check (not logged).
 */
export interface PfShort {
  readonly short: PfReason;
  readonly log: boolean;
}
const PULL_FAILED: PfShort = { short: PFRES.SHORT, log: true };

/**
 * pf_test's header pulls for an IPv4 packet ip_input already validated (version, header length, total length).
 * Returns the descriptor, or PfShort when a needed header is cut short.
 */
export function pfPdesc(pkt: Uint8Array): PfPdesc | PfShort {
  if (pkt.length < 20) return PULL_FAILED;
  const hl = (pkt[0]! & 0x0f) * 4;
  const totLen = Math.min(rd16(pkt, 2), pkt.length);
  if (hl < 20 || totLen < hl) return PULL_FAILED;
  const proto = pkt[9]!;
  const ff = rd16(pkt, 6);
  const fragment = (ff & 0x3fff) !== 0;
  const base = { pkt, af: 2, proto, off: hl, totLen, tos: pkt[1]!, fragment, ipOptions: hl > 20 };
  const none = { sport: 0, dport: 0, flags: 0, seq: 0, ack: 0, win: 0, thOff: 0, pLen: 0, icmpType: 0, icmpCode: 0, sumOff: -1 };
  if (fragment) return { ...base, ...none };
  const need = (n: number): boolean => hl + n <= totLen;
  switch (proto) {
    case IPPROTO_TCP: {
      if (!need(20)) return PULL_FAILED;
      const thOff = (pkt[hl + 12]! >> 4) * 4;
      return {
        ...base, ...none, sport: rd16(pkt, hl), dport: rd16(pkt, hl + 2), seq: rd32(pkt, hl + 4), ack: rd32(pkt, hl + 8),
        flags: pkt[hl + 13]!, win: rd16(pkt, hl + 14), thOff, pLen: Math.max(0, totLen - hl - thOff), sumOff: hl + 16,
      };
    }
    case IPPROTO_UDP: {
      if (!need(8)) return PULL_FAILED;
      const ulen = rd16(pkt, hl + 4);
      const dport = rd16(pkt, hl + 2);
      if (dport === 0 || ulen > totLen - hl || ulen < 8) return { short: PFRES.SHORT, log: false };
      return { ...base, ...none, sport: rd16(pkt, hl), dport, pLen: ulen - 8, sumOff: hl + 6 };
    }
    case IPPROTO_ICMP: {
      if (!need(8)) return PULL_FAILED;
      const id = rd16(pkt, hl + 4);
      return { ...base, ...none, sport: id, dport: id, icmpType: pkt[hl]!, icmpCode: pkt[hl + 1]!, sumOff: hl + 2, pLen: totLen - hl - 8 };
    }
    default:
      return { ...base, ...none };
  }
}
