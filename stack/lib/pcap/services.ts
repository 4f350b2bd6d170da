/**
 * Names the compiler and tcpdump's printers know without a resolver: the well-known ports of /etc/services
 * (IANA assignments as BSD and QNX ship them; the same number for tcp and udp unless noted) and the IP
 * protocol names of /etc/protocols. pcap_nametoport/pcap_nametoproto and tcpdump's tcpport_string/udpport_string.
 */
export const SERVICES: Readonly<Record<string, number>> = {
  echo: 7, discard: 9, daytime: 13, 'ftp-data': 20, ftp: 21, ssh: 22, telnet: 23, smtp: 25, time: 37, domain: 53,
  bootps: 67, bootpc: 68, tftp: 69, finger: 79, http: 80, www: 80, kerberos: 88, pop3: 110, sunrpc: 111, auth: 113, nntp: 119,
  ntp: 123, 'netbios-ns': 137, 'netbios-dgm': 138, 'netbios-ssn': 139, imap: 143, snmp: 161, 'snmp-trap': 162, bgp: 179,
  ldap: 389, https: 443, isakmp: 500, login: 513, syslog: 514, route: 520, ripng: 521, 'nfs': 2049,
};

/** Port → name for the printers (the first name /etc/services gives a number; "www" prints as http). */
export const PORT_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(SERVICES).filter(([n]) => n !== 'www').map(([n, p]) => [p, n] as const),
);

export const PROTOCOLS: Readonly<Record<string, number>> = {
  icmp: 1, igmp: 2, ipencap: 4, tcp: 6, egp: 8, udp: 17, ipv6: 41, 'ipv6-frag': 44, rsvp: 46, gre: 47, esp: 50, ah: 51,
  'ipv6-icmp': 58, ospf: 89, pim: 103, vrrp: 112, carp: 112, sctp: 132,
};
