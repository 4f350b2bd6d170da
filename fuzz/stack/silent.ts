/**
 * Drops NetBSD makes without moving any counter, each with the source line that drops silently. The conservation
 * check (check.ts) accepts a frame whose only fate is one of these drops; any other drop that moves no counter
 * is a failure ("uncounted drop"). Matched on the layer and the reason the stack traces (stack/net's
 * env.trace(layer, 'drop', …, { reason })). docs/fuzzing.md "The stack" prints this table.
 */
export interface SilentDrop {
  layer: string;
  /** The traced reason: its start, or a pattern when it carries addresses. */
  reason: string | RegExp;
  /** Where NetBSD drops without a counter (file, function, the statement). */
  netbsd: string;
}

export const SILENT_DROPS: readonly SilentDrop[] = [
  // Ethernet
  { layer: 'ifnet', reason: 'promiscuous: not for us', netbsd: 'net/if_ethersubr.c ether_input(): unicast to another station in promiscuous mode, "m_freem(m); return"' },
  // ARP
  { layer: 'arp', reason: 'request for another host', netbsd: 'netinet/if_arp.c in_arpinput(): not our address, no proxy entry: "la = arplookup(m, &itaddr, 0, SIN_PROXY); if (la == NULL) goto out"' },
  { layer: 'arp', reason: 'nothing to learn', netbsd: 'netinet/if_arp.c in_arpinput(): arplookup(create = 0) finds no entry for a reply not for us; "if (op != ARPOP_REQUEST) ... goto out"' },
  // TCP (tcp_input's "goto drop" paths with no TCP_STATINC)
  { layer: 'tcp', reason: 'segment to a broadcast or multicast address', netbsd: 'netinet/tcp_input.c tcp_input(): "if (m->m_flags & (M_BCAST|M_MCAST)) goto drop" (RFC 1122 §4.2.3.10)' },
  { layer: 'tcp', reason: 'RST to a listener', netbsd: 'netinet/tcp_input.c tcp_input() LISTEN: "if (tiflags & TH_RST) goto drop"' },
  { layer: 'tcp', reason: 'no SYN to a listener', netbsd: 'netinet/tcp_input.c tcp_input() LISTEN: "if ((tiflags & TH_SYN) == 0) goto drop"' },
  { layer: 'tcp', reason: 'ACK to a listener', netbsd: 'netinet/tcp_input.c tcp_input() LISTEN: "if (tiflags & TH_ACK) goto dropwithreset" (the RST is the answer; no counter)' },
  { layer: 'tcp', reason: 'RST with an unacceptable ACK in SYN_SENT', netbsd: 'netinet/tcp_input.c tcp_input() SYN_SENT: "if (tiflags & TH_RST) goto drop" after the ACK check' },
  { layer: 'tcp', reason: 'unacceptable ACK in SYN_SENT', netbsd: 'netinet/tcp_input.c tcp_input() SYN_SENT: "goto dropwithreset" (the RST is the answer)' },
  { layer: 'tcp', reason: 'RST without ACK in SYN_SENT', netbsd: 'netinet/tcp_input.c tcp_input() SYN_SENT: "if (tiflags & TH_RST) { if (tiflags & TH_ACK) tcp_drop(); goto drop; }"' },
  { layer: 'tcp', reason: 'no SYN in SYN_SENT', netbsd: 'netinet/tcp_input.c tcp_input() SYN_SENT: "if ((tiflags & TH_SYN) == 0) goto drop"' },
  { layer: 'tcp', reason: 'no ACK', netbsd: 'netinet/tcp_input.c tcp_input() synchronized states: "if ((tiflags & TH_ACK) == 0) { if (tp->t_flags & TF_ACKNOW) goto dropafterack; else goto drop; }"' },
  { layer: 'tcp', reason: 'connection closed', netbsd: 'netinet/tcp_input.c tcp_input(): "if (tp->t_state == TCPS_CLOSED) goto drop" (the model answers with an RST as dropwithreset)' },
  // IPv6
  { layer: 'mld', reason: /^source \S+ is not link-local/, netbsd: 'netinet6/mld6.c mld_input(): "if (!IN6_IS_ADDR_LINKLOCAL(&ip6->ip6_src)) { ... m_freem(m); return; }" (RFC 2710 §3: hosts discard such messages)' },
  { layer: 'ip6', reason: 'no-next-header', netbsd: 'netinet6/ip6_input.c: IPPROTO_NONE ends the chain; the packet is freed (RFC 8200 §4.7)' },
];

/** The documented silent drop that `reason` at `layer` is, if any. */
export function silentDrop(layer: string, reason: string): SilentDrop | undefined {
  return SILENT_DROPS.find((d) => d.layer === layer && (typeof d.reason === 'string' ? reason.startsWith(d.reason) : d.reason.test(reason)));
}
