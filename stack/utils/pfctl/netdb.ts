/**
 * The name tables pfctl consults: /etc/protocols (getprotobyname/getprotobynumber), /etc/services
 * (getservbyname/getservbyport; the QNX image ships NetBSD's files, so `http` is the name of 80 and `www` an
 * alias), and pfctl_parser.c's icmp_type/icmp_code tables and TCP flag letters (parse_flags, print_flags).
 * Only the entries a firewall file plausibly names are here; an unknown name gets pfctl's own message.
 */

/** [name, number, aliases] as /etc/protocols lists them. */
const PROTOCOLS: readonly [string, number, readonly string[]][] = [
  ['ip', 0, ['IP']], ['icmp', 1, ['ICMP']], ['igmp', 2, ['IGMP']], ['ggp', 3, ['GGP']], ['ipencap', 4, ['IP-ENCAP']],
  ['tcp', 6, ['TCP']], ['egp', 8, ['EGP']], ['pup', 12, ['PUP']], ['udp', 17, ['UDP']], ['idp', 22, ['IDP']],
  ['ipv6', 41, ['IPV6']], ['ipv6-route', 43, ['IPV6-ROUTE']], ['ipv6-frag', 44, ['IPV6-FRAG']], ['rsvp', 46, ['RSVP']],
  ['gre', 47, ['GRE']], ['esp', 50, ['ESP']], ['ah', 51, ['AH']], ['ipv6-icmp', 58, ['IPV6-ICMP', 'icmp6']],
  ['ipv6-nonxt', 59, ['IPV6-NONXT']], ['ipv6-opts', 60, ['IPV6-OPTS']], ['ospf', 89, ['OSPFIGP']], ['pim', 103, ['PIM']],
  ['ipcomp', 108, ['IPCOMP']], ['vrrp', 112, ['VRRP', 'carp']], ['sctp', 132, ['SCTP']], ['pfsync', 240, ['PFSYNC']],
];

export function getprotobyname(name: string): number | null {
  const p = PROTOCOLS.find(([n, , al]) => n === name || al.includes(name));
  return p ? p[1] : null;
}

export function getprotobynumber(nr: number): string | null {
  return PROTOCOLS.find(([, n]) => n === nr)?.[0] ?? null;
}

/** [name, port, protocols, aliases] as NetBSD's /etc/services lists them. */
const SERVICES: readonly [string, number, readonly ('tcp' | 'udp')[], readonly string[]][] = [
  ['ftp-data', 20, ['tcp'], []], ['ftp', 21, ['tcp'], []], ['ssh', 22, ['tcp', 'udp'], []], ['telnet', 23, ['tcp'], []],
  ['smtp', 25, ['tcp'], ['mail']], ['time', 37, ['tcp', 'udp'], ['timserver']], ['domain', 53, ['tcp', 'udp'], []],
  ['bootps', 67, ['udp'], []], ['bootpc', 68, ['udp'], []], ['tftp', 69, ['udp'], []], ['finger', 79, ['tcp'], []],
  ['http', 80, ['tcp', 'udp'], ['www', 'www-http']], ['pop3', 110, ['tcp', 'udp'], []], ['sunrpc', 111, ['tcp', 'udp'], ['rpcbind']],
  ['auth', 113, ['tcp'], ['ident']], ['ntp', 123, ['udp'], []], ['netbios-ns', 137, ['tcp', 'udp'], []],
  ['imap', 143, ['tcp', 'udp'], ['imap2']], ['snmp', 161, ['udp'], []], ['snmp-trap', 162, ['udp'], []],
  ['bgp', 179, ['tcp', 'udp'], []], ['ldap', 389, ['tcp', 'udp'], []], ['https', 443, ['tcp', 'udp'], []],
  ['isakmp', 500, ['udp'], []], ['syslog', 514, ['udp'], []], ['shell', 514, ['tcp'], ['cmd']],
  ['submission', 587, ['tcp'], []], ['imaps', 993, ['tcp'], []], ['pop3s', 995, ['tcp'], []],
  ['nfs', 2049, ['tcp', 'udp'], ['nfsd']],
];

/** getservbyname(name, "tcp"), then "udp", as pfctl's port rule tries them; host-order port or null. */
export function getservbyname(name: string): number | null {
  for (const proto of ['tcp', 'udp'] as const) {
    const s = SERVICES.find(([n, , pr, al]) => pr.includes(proto) && (n === name || al.includes(name)));
    if (s) return s[1];
  }
  return null;
}

export function getservbyport(port: number, proto: 'tcp' | 'udp'): string | null {
  return SERVICES.find(([, p, pr]) => p === port && pr.includes(proto))?.[0] ?? null;
}

/** pfctl_parser.c icmp_type[] (AF_INET) and icmp6_type[] (AF_INET6): name ↔ type. */
const ICMP_TYPES: readonly [string, number][] = [
  ['echoreq', 8], ['echorep', 0], ['unreach', 3], ['squench', 4], ['redir', 5], ['althost', 6], ['routeradv', 9],
  ['routersol', 10], ['timex', 11], ['paramprob', 12], ['timereq', 13], ['timerep', 14], ['inforeq', 15],
  ['inforep', 16], ['maskreq', 17], ['maskrep', 18], ['trace', 30], ['dataconv', 31], ['mobredir', 32],
  ['ipv6-where', 33], ['ipv6-here', 34], ['mobregreq', 35], ['mobregrep', 36], ['skip', 39], ['photuris', 40],
];
const ICMP6_TYPES: readonly [string, number][] = [
  ['unreach', 1], ['toobig', 2], ['timex', 3], ['paramprob', 4], ['echoreq', 128], ['echorep', 129],
  ['groupqry', 130], ['grouprep', 131], ['groupterm', 132], ['routersol', 133], ['routeradv', 134],
  ['neighbrsol', 135], ['neighbradv', 136], ['redir', 137], ['routrrenum', 138], ['wrureq', 139], ['wrurep', 140],
  ['mtraceresp', 200], ['mtrace', 201],
];

/** pfctl_parser.c icmp_code[]: [type, name, code] (AF_INET; the ICMPv6 table has the same shape). */
const ICMP_CODES: readonly [number, string, number][] = [
  [3, 'net-unr', 0], [3, 'host-unr', 1], [3, 'proto-unr', 2], [3, 'port-unr', 3], [3, 'needfrag', 4],
  [3, 'srcfail', 5], [3, 'net-unk', 6], [3, 'host-unk', 7], [3, 'isolate', 8], [3, 'net-prohib', 9],
  [3, 'host-prohib', 10], [3, 'net-tos', 11], [3, 'host-tos', 12], [3, 'filter-prohib', 13],
  [3, 'host-preced', 14], [3, 'cutoff-preced', 15], [5, 'redir-net', 0], [5, 'redir-host', 1],
  [5, 'redir-tos-net', 2], [5, 'redir-tos-host', 3], [9, 'normal-adv', 0], [9, 'common-adv', 16],
  [11, 'transit', 0], [11, 'reassemb', 1], [12, 'badhead', 0], [12, 'optmiss', 1], [12, 'badlen', 2],
];
const ICMP6_CODES: readonly [number, string, number][] = [
  [1, 'admin-unr', 1], [1, 'noroute-unr', 0], [1, 'notnbr-unr', 2], [1, 'beyond-unr', 2], [1, 'addr-unr', 3],
  [1, 'port-unr', 4], [3, 'transit', 0], [3, 'reassemb', 1], [4, 'badhead', 0], [4, 'nxthdr', 1],
  [137, 'redironlink', 0], [137, 'redirrouter', 1],
];

export function geticmptypebyname(name: string, inet6: boolean): number | null {
  return (inet6 ? ICMP6_TYPES : ICMP_TYPES).find(([n]) => n === name)?.[1] ?? null;
}

export function geticmptypebynumber(type: number, inet6: boolean): string | null {
  return (inet6 ? ICMP6_TYPES : ICMP_TYPES).find(([, t]) => t === type)?.[0] ?? null;
}

export function geticmpcodebyname(type: number, name: string, inet6: boolean): number | null {
  return (inet6 ? ICMP6_CODES : ICMP_CODES).find(([t, n]) => t === type && n === name)?.[2] ?? null;
}

export function geticmpcodebynumber(type: number, code: number, inet6: boolean): string | null {
  return (inet6 ? ICMP6_CODES : ICMP_CODES).find(([t, , c]) => t === type && c === code)?.[1] ?? null;
}

/** pfctl_parser.c tcpflags: FIN SYN RST PUSH ACK URG ECE CWR, letter i is bit i. */
export const TCP_FLAG_LETTERS = 'FSRPAUEW';

/** parse_flags: letters → bits; -1 for a letter that is not a flag. */
export function parseFlags(s: string): number {
  let f = 0;
  for (const c of s) {
    const i = TCP_FLAG_LETTERS.indexOf(c);
    if (i < 0) return -1;
    f |= 1 << i;
  }
  return f;
}

/** print_flags: the letters of the set bits, in FSRPAUEW order. */
export function printFlags(f: number): string {
  let s = '';
  for (let i = 0; i < TCP_FLAG_LETTERS.length; i++) if (f & (1 << i)) s += TCP_FLAG_LETTERS[i];
  return s;
}
