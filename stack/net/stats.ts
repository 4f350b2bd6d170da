/** Protocol counters, named after NetBSD's struct ipstat/icmpstat/udpstat/arpstat (what `netstat -s` shows). */

export function newIpStat() {
  return {
    total: 0, badsum: 0, tooshort: 0, toosmall: 0, badhlen: 0, badlen: 0, fragments: 0, fragdropped: 0,
    fragtimeout: 0, forward: 0, fastforward: 0, cantforward: 0, redirectsent: 0, noproto: 0, delivered: 0,
    localout: 0, odropped: 0, reassembled: 0, fragmented: 0, ofragments: 0, cantfrag: 0, badoptions: 0,
    noroute: 0, badvers: 0, rawout: 0, toolong: 0, notmember: 0, nogif: 0, badaddr: 0,
    /** Fragments with MF whose length is zero or not a multiple of 8 (ip_input IP_STAT_BADFRAGS). */
    badfrags: 0,
  };
}
export type IpStat = ReturnType<typeof newIpStat>;

export function newIcmpStat() {
  return {
    error: 0, oldshort: 0, oldicmp: 0, badcode: 0, tooshort: 0, checksum: 0, badlen: 0, reflect: 0,
    bmcastecho: 0,
    /** Errors not sent because of icmp_ratelimit (NetBSD leaves this uncounted, "XXX stat"; the name is ours). */
    toofreq: 0,
    /** Need-fragment errors that changed a route's MTU (ICMP_STAT_PMTUCHG; path MTU discovery, RFC 1191). */
    pmtuchg: 0,
    /** Indexed by ICMP type (0..40). */
    outhist: new Array<number>(41).fill(0),
    inhist: new Array<number>(41).fill(0),
  };
}
export type IcmpStat = ReturnType<typeof newIcmpStat>;

export function newUdpStat() {
  return {
    ipackets: 0, hdrops: 0, badsum: 0, badlen: 0, noport: 0, noportbcast: 0, fullsock: 0, pcbhashmiss: 0,
    opackets: 0,
  };
}
export type UdpStat = ReturnType<typeof newUdpStat>;

export function newArpStat() {
  return {
    sndtotal: 0, sndreply: 0, sndrequest: 0, rcvtotal: 0, rcvrequest: 0, rcvreply: 0, rcvmcast: 0,
    rcvbadproto: 0, rcvbadlen: 0, rcvzerotpa: 0, rcvzerospa: 0, rcvnoint: 0, rcvlocalsha: 0,
    rcvbcastsha: 0, rcvlocalspa: 0, rcvoverperm: 0, rcvoverint: 0, rcvover: 0, rcvlenchg: 0, dfrtotal: 0,
    dfrsent: 0, dfrdropped: 0, allocfail: 0,
  };
}
export type ArpStat = ReturnType<typeof newArpStat>;

/** struct igmpstat (netinet/igmp_var.h), igps_ prefix dropped; snd_leaves is ours (NetBSD counts none). */
export function newIgmpStat() {
  return {
    rcv_total: 0, rcv_tooshort: 0, rcv_badsum: 0, rcv_queries: 0, rcv_badqueries: 0, rcv_reports: 0,
    rcv_badreports: 0, rcv_ourreports: 0, snd_reports: 0, snd_leaves: 0,
  };
}
export type IgmpStat = ReturnType<typeof newIgmpStat>;

export interface NetStats {
  ip: IpStat;
  icmp: IcmpStat;
  udp: UdpStat;
  arp: ArpStat;
  igmp: IgmpStat;
}

export function newNetStats(): NetStats {
  return { ip: newIpStat(), icmp: newIcmpStat(), udp: newUdpStat(), arp: newArpStat(), igmp: newIgmpStat() };
}
