/**
 * `netstat -s` for IPv6 (io-pkt-v6-hc): ip6, icmp6 and udp6 in NetBSD's wording (usr.bin/netstat/inet6.c
 * ip6_stats, icmp6_stats, udp6_stats), from the net.inet6.*.stats nodes. Same rules as netstat-stats.ts: a
 * counter the stack does not keep has no line; -ss leaves out zeros.
 */
import { StatPrinter, type StatBlock } from './netstat-stats';

/** ip6nh[]: the next-header names NetBSD's ip6_stats knows (others print as "#n": no /etc/protocols here). */
const IP6_NH: Record<number, string> = {
  0: 'hop by hop', 1: 'ICMP', 2: 'IGMP', 4: 'IP', 6: 'TCP', 17: 'UDP', 22: 'IDP', 29: 'TP', 41: 'IP6', 43: 'routing',
  44: 'fragment', 50: 'ESP', 51: 'AH', 58: 'ICMP6', 59: 'no next header', 60: 'destination option', 80: 'ISOIP',
  89: 'OSPF', 97: 'Ethernet', 103: 'PIM', 132: 'SCTP',
};

export function formatIp6Stats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('ip6', st, sflag);
  o.p('total', (n, s) => `\t${n} total packet${s} received\n`);
  o.ps('toosmall', (n) => `\t${n} with size smaller than minimum\n`);
  o.ps('tooshort', (n) => `\t${n} with data size < data length\n`);
  o.ps('badoptions', (n) => `\t${n} with bad options\n`);
  o.ps('badvers', (n) => `\t${n} with incorrect version number\n`);
  o.p('fragments', (n, s) => `\t${n} fragment${s} received\n`);
  o.p('fragdropped', (n, s) => `\t${n} fragment${s} dropped (dup or out of space)\n`);
  o.p('fragtimeout', (n, s) => `\t${n} fragment${s} dropped after timeout\n`);
  o.p('fragoverflow', (n, s) => `\t${n} fragment${s} that exceeded limit\n`);
  o.p('reassembled', (n, s) => `\t${n} packet${s} reassembled ok\n`);
  o.p('delivered', (n, s) => `\t${n} packet${s} for this host\n`);
  o.p('forward', (n, s) => `\t${n} packet${s} forwarded\n`);
  o.p('fastforward', (n, s) => `\t${n} packet${s} fast forwarded\n`);
  o.ps('fastforwardflows', (n) => `\t${n} fast forward flows\n`);
  o.p('cantforward', (n, s) => `\t${n} packet${s} not forwardable\n`);
  o.p('redirectsent', (n, s) => `\t${n} redirect${s} sent\n`);
  o.p('localout', (n, s) => `\t${n} packet${s} sent from this host\n`);
  o.p('rawout', (n, s) => `\t${n} packet${s} sent with fabricated ip header\n`);
  o.p('odropped', (n, s) => `\t${n} output packet${s} dropped due to no bufs, etc.\n`);
  o.p('noroute', (n, s) => `\t${n} output packet${s} discarded due to no route\n`);
  o.p('fragmented', (n, s) => `\t${n} output datagram${s} fragmented\n`);
  o.p('ofragments', (n, s) => `\t${n} fragment${s} created\n`);
  o.p('cantfrag', (n, s) => `\t${n} datagram${s} that can't be fragmented\n`);
  o.p('badscope', (n, s) => `\t${n} packet${s} that violated scope rules\n`);
  o.p('notmember', (n, s) => `\t${n} multicast packet${s} which we don't join\n`);
  o.histogram('nxthist', 'Input packet histogram', (i) => IP6_NH[i] ?? `#${i}`);
  o.p('exthdrtoolong', (n, s) => `\t${n} packet${s} whose headers are not continuous\n`);
  o.p('nogif', (n, s) => `\t${n} tunneling packet${s} that can't find gif\n`);
  o.p('toomanyhdr', (n, s) => `\t${n} packet${s} discarded due to too many headers\n`);
  return o.text;
}

/** icmp6names[]: types 1-4 and 128-139 have names, the rest print as "#n". */
const ICMP6_NAMES: Record<number, string> = {
  1: 'unreach', 2: 'packet too big', 3: 'time exceed', 4: 'parameter problem', 128: 'echo', 129: 'echo reply',
  130: 'multicast listener query', 131: 'multicast listener report', 132: 'multicast listener done',
  133: 'router solicitation', 134: 'router advertisement', 135: 'neighbor solicitation', 136: 'neighbor advertisement',
  137: 'redirect', 138: 'router renumbering', 139: 'node information request', 140: 'node information reply',
};
const icmp6Name = (i: number) => ICMP6_NAMES[i] ?? `#${i}`;

/** The "Histogram of error messages to be generated" lines (icp6s_outerrhist), in NetBSD's order. */
const ICMP6_ERRHIST: [string, string][] = [
  ['dst_unreach_noroute', 'no route'], ['dst_unreach_admin', 'administratively prohibited'],
  ['dst_unreach_beyondscope', 'beyond scope'], ['dst_unreach_addr', 'address unreachable'],
  ['dst_unreach_noport', 'port unreachable'], ['packet_too_big', 'packet too big'],
  ['time_exceed_transit', 'time exceed transit'], ['time_exceed_reassembly', 'time exceed reassembly'],
  ['paramprob_header', 'erroneous header field'], ['paramprob_nextheader', 'unrecognized next header'],
  ['paramprob_option', 'unrecognized option'], ['redirect', 'redirect'], ['unknown', 'unknown'],
];

/** icmp6_stats; `outerrhist` may come as an object of named counters. */
export function formatIcmp6Stats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('icmp6', st, sflag);
  o.p('error', (n, s) => `\t${n} call${s} to icmp6_error\n`);
  o.p('canterror', (n, s) => `\t${n} error${s} not generated because old message was icmp6 or so\n`);
  o.p('toofreq', (n, s) => `\t${n} error${s} not generated because of rate limitation\n`);
  o.histogram('outhist', 'Output packet histogram', icmp6Name);
  o.p('badcode', (n, s) => `\t${n} message${s} with bad code fields\n`);
  o.p('tooshort', (n, s) => `\t${n} message${s} < minimum length\n`);
  o.p('checksum', (n, s) => `\t${n} bad checksum${s}\n`);
  o.p('badlen', (n, s) => `\t${n} message${s} with bad length\n`);
  o.histogram('inhist', 'Input packet histogram', icmp6Name);
  const eh = (st as unknown as { outerrhist?: Record<string, number> }).outerrhist;
  if (eh && typeof eh === 'object' && !Array.isArray(eh)) {
    o.text += '\tHistogram of error messages to be generated:\n';
    for (const [k, label] of ICMP6_ERRHIST) {
      const n = eh[k];
      if (typeof n === 'number' && (n !== 0 || sflag <= 1)) o.text += `\t\t${n} ${label}\n`;
    }
  }
  o.p('reflect', (n, s) => `\t${n} message response${s} generated\n`);
  o.p('nd_toomanyopt', (n, s) => `\t${n} message${s} with too many ND options\n`);
  o.p('nd_badopt', (n, s) => `\t${n} message${s} with bad ND options\n`);
  o.p('badns', (n, s) => `\t${n} bad neighbor solicitation message${s}\n`);
  o.p('badna', (n, s) => `\t${n} bad neighbor advertisement message${s}\n`);
  o.p('badrs', (n, s) => `\t${n} bad router solicitation message${s}\n`);
  o.p('badra', (n, s) => `\t${n} bad router advertisement message${s}\n`);
  o.p('badredirect', (n, s) => `\t${n} bad redirect message${s}\n`);
  o.p('pmtuchg', (n, s) => `\t${n} path MTU change${s}\n`);
  return o.text;
}

export function formatUdp6Stats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('udp6', st, sflag);
  const g = (k: string) => o.get(k) ?? 0;
  o.p('ipackets', (n, s) => `\t${n} datagram${s} received\n`);
  o.ps('hdrops', (n) => `\t${n} with incomplete header\n`);
  o.ps('badlen', (n) => `\t${n} with bad data length field\n`);
  o.ps('badsum', (n) => `\t${n} with bad checksum\n`);
  o.ps('nosum', (n) => `\t${n} with no checksum\n`);
  o.ps('noport', (n) => `\t${n} dropped due to no socket\n`);
  o.p('noportmcast', (n, s) => `\t${n} multicast datagram${s} dropped due to no socket\n`);
  o.ps('fullsock', (n) => `\t${n} dropped due to full socket buffers\n`);
  const delivered = g('ipackets') - g('hdrops') - g('badlen') - g('badsum') - g('noport') - g('noportmcast') - g('fullsock');
  o.line(delivered, `\t${delivered} delivered\n`);
  o.p('opackets', (n, s) => `\t${n} datagram${s} output\n`);
  return o.text;
}
