/** IPv6 counters named after NetBSD's ip6stat (netinet6/ip6_var.h) and icmp6stat (netinet/icmp6.h), as netstat -s -f inet6 shows them. */

export function newIp6Stat() {
  return {
    total: 0, tooshort: 0, toosmall: 0, fragments: 0, fragdropped: 0, fragtimeout: 0, fragoverflow: 0, forward: 0,
    cantforward: 0, redirectsent: 0, delivered: 0, localout: 0, odropped: 0, reassembled: 0, fragmented: 0,
    ofragments: 0, cantfrag: 0, badoptions: 0, noroute: 0, badvers: 0, rawout: 0, badscope: 0, notmember: 0,
    toomanyhdr: 0, exthdrtoolong: 0,
    /** Input histogram by next header of the fixed header (ip6s_nxthist). */
    nxthist: new Array<number>(256).fill(0),
  };
}
export type Ip6Stat = ReturnType<typeof newIp6Stat>;

/** icp6s_outerrhist: ICMPv6 errors sent, by kind. */
export function newIcmp6ErrHist() {
  return {
    dst_unreach_noroute: 0, dst_unreach_admin: 0, dst_unreach_beyondscope: 0, dst_unreach_addr: 0,
    dst_unreach_noport: 0, packet_too_big: 0, time_exceed_transit: 0, time_exceed_reassembly: 0,
    paramprob_header: 0, paramprob_nextheader: 0, paramprob_option: 0, redirect: 0, unknown: 0,
  };
}

export function newIcmp6Stat() {
  return {
    error: 0, canterror: 0, toofreq: 0, badcode: 0, tooshort: 0, checksum: 0, badlen: 0, reflect: 0,
    nd_toomanyopt: 0, pmtuchg: 0, nd_badopt: 0, badns: 0, badna: 0, badrs: 0, badra: 0, badredirect: 0,
    /** Messages in and out by type (0..255). */
    inhist: new Array<number>(256).fill(0),
    outhist: new Array<number>(256).fill(0),
    outerrhist: newIcmp6ErrHist(),
  };
}
export type Icmp6Stat = ReturnType<typeof newIcmp6Stat>;

/** UDP over IPv6 shares udpstat in NetBSD (udp6_input counts into udp6stat with the same names). */
export function newUdp6Stat() {
  return { ipackets: 0, hdrops: 0, badsum: 0, nosum: 0, badlen: 0, noport: 0, noportmcast: 0, fullsock: 0, opackets: 0 };
}
export type Udp6Stat = ReturnType<typeof newUdp6Stat>;

/** nd6 counters the neighbour cache keeps (NetBSD nd6stat in later releases). */
export function newNd6Stat() {
  return { dad_duplicated: 0, dropped_incomplete: 0, ns_out: 0, na_out: 0, rs_out: 0, ra_out: 0, ns_in: 0, na_in: 0, rs_in: 0, ra_in: 0 };
}
export type Nd6Stat = ReturnType<typeof newNd6Stat>;
