/**
 * `netstat -s`: the IPv4 protocols' statistics in NetBSD's wording (usr.bin/netstat/inet.c: tcp_stats,
 * udp_stats, ip_stats, icmp_stats, igmp_stats, arp_stats), in NetBSD's protocol order. With one `-s` every
 * counter is printed, zeros included; with `-ss` (sflag > 1) the zero ones are left out, as NetBSD does. A
 * counter the stack does not keep (its name is absent from the sysctl node's object) has no line at all: we
 * never print a number nobody counted.
 */
import { plural, pluralEs } from './common';

/** What a sysctl `*.stats` node returns: counters by their NetBSD names (tcps_sndtotal → sndtotal), histograms as arrays. */
export type StatBlock = Readonly<Record<string, number | readonly number[] | undefined>>;

/** Builds one protocol's section: each line names its counters; lines with an uncounted name are skipped. */
export class StatPrinter {
  text: string;

  constructor(readonly name: string, private readonly st: StatBlock, private readonly sflag: number) {
    this.text = `${name}:\n`;
  }

  /** The counter's value, or null when the stack does not keep it. */
  get(k: string): number | null {
    const v = this.st[k];
    return typeof v === 'number' ? v : null;
  }

  /** A histogram (indexed counters), or null. */
  hist(k: string): readonly number[] | null {
    const v = this.st[k];
    return Array.isArray(v) ? (v as readonly number[]) : null;
  }

  /** NetBSD's p(): one counter with its plural suffix. */
  p(k: string, fmt: (n: number, s: string) => string): void {
    const n = this.get(k);
    if (n === null || (n === 0 && this.sflag > 1)) return;
    this.text += fmt(n, plural(n));
  }

  /** ps()/p1(): one counter without a plural. */
  ps(k: string, fmt: (n: number) => string): void {
    this.p(k, (n) => fmt(n));
  }

  /** p3(): one counter with "es" (miss/misses). */
  p3(k: string, fmt: (n: number, s: string) => string): void {
    this.p(k, (n) => fmt(n, pluralEs(n)));
  }

  /** p2(): two counters on one line, both with plurals. */
  p2(k1: string, k2: string, fmt: (a: number, sa: string, b: number, sb: string) => string): void {
    const a = this.get(k1);
    const b = this.get(k2);
    if (a === null || b === null || (a === 0 && b === 0 && this.sflag > 1)) return;
    this.text += fmt(a, plural(a), b, plural(b));
  }

  /** A free line (computed values such as udp's "delivered"), skipped when zero under -ss. */
  line(n: number, text: string): void {
    if (n === 0 && this.sflag > 1) return;
    this.text += text;
  }

  /** "\tTitle:\n" then "\t\tname: n" for each nonzero entry (NetBSD prints histograms only when nonzero). */
  histogram(k: string, title: string, names: (i: number) => string | null): void {
    const h = this.hist(k);
    if (!h) return;
    let first = true;
    h.forEach((n, i) => {
      if (n === 0) return;
      const name = names(i);
      if (name === null) return;
      if (first) this.text += `\t${title}:\n`;
      first = false;
      this.text += `\t\t${name}: ${n}\n`;
    });
  }
}

/** tcp_stats: tcpstat (NetBSD netinet/tcp_var.h TCP_STAT_*). */
export function formatTcpStats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('tcp', st, sflag);
  o.p('sndtotal', (n, s) => `\t${n} packet${s} sent\n`);
  o.p2('sndpack', 'sndbyte', (a, sa, b, sb) => `\t\t${a} data packet${sa} (${b} byte${sb})\n`);
  o.p2('sndrexmitpack', 'sndrexmitbyte', (a, sa, b, sb) => `\t\t${a} data packet${sa} (${b} byte${sb}) retransmitted\n`);
  o.p2('sndacks', 'delack', (a, sa, b) => `\t\t${a} ack-only packet${sa} (${b} delayed)\n`);
  o.p('sndurg', (n, s) => `\t\t${n} URG only packet${s}\n`);
  o.p('sndprobe', (n, s) => `\t\t${n} window probe packet${s}\n`);
  o.p('sndwinup', (n, s) => `\t\t${n} window update packet${s}\n`);
  o.p('sndctrl', (n, s) => `\t\t${n} control packet${s}\n`);
  o.p('selfquench', (n, s) => `\t\t${n} send attempt${s} resulted in self-quench\n`);
  o.p('rcvtotal', (n, s) => `\t${n} packet${s} received\n`);
  o.p2('rcvackpack', 'rcvackbyte', (a, sa, b, sb) => `\t\t${a} ack${sa} (for ${b} byte${sb})\n`);
  o.p('rcvdupack', (n, s) => `\t\t${n} duplicate ack${s}\n`);
  o.p('rcvacktoomuch', (n, s) => `\t\t${n} ack${s} for unsent data\n`);
  o.p2('rcvpack', 'rcvbyte', (a, sa, b, sb) => `\t\t${a} packet${sa} (${b} byte${sb}) received in-sequence\n`);
  o.p2('rcvduppack', 'rcvdupbyte', (a, sa, b, sb) => `\t\t${a} completely duplicate packet${sa} (${b} byte${sb})\n`);
  o.p('pawsdrop', (n, s) => `\t\t${n} old duplicate packet${s}\n`);
  o.p2('rcvpartduppack', 'rcvpartdupbyte', (a, sa, b, sb) => `\t\t${a} packet${sa} with some dup. data (${b} byte${sb} duped)\n`);
  o.p2('rcvoopack', 'rcvoobyte', (a, sa, b, sb) => `\t\t${a} out-of-order packet${sa} (${b} byte${sb})\n`);
  o.p2('rcvpackafterwin', 'rcvbyteafterwin', (a, sa, b, sb) => `\t\t${a} packet${sa} (${b} byte${sb}) of data after window\n`);
  o.p('rcvwinprobe', (n, s) => `\t\t${n} window probe${s}\n`);
  o.p('rcvwinupd', (n, s) => `\t\t${n} window update packet${s}\n`);
  o.p('rcvafterclose', (n, s) => `\t\t${n} packet${s} received after close\n`);
  o.p('rcvbadsum', (n, s) => `\t\t${n} discarded for bad checksum${s}\n`);
  o.p('rcvbadoff', (n, s) => `\t\t${n} discarded for bad header offset field${s}\n`);
  o.ps('rcvshort', (n) => `\t\t${n} discarded because packet too short\n`);
  o.p('connattempt', (n, s) => `\t${n} connection request${s}\n`);
  o.p('accepts', (n, s) => `\t${n} connection accept${s}\n`);
  o.p('connects', (n, s) => `\t${n} connection${s} established (including accepts)\n`);
  o.p2('closed', 'drops', (a, sa, b, sb) => `\t${a} connection${sa} closed (including ${b} drop${sb})\n`);
  o.p('conndrops', (n, s) => `\t${n} embryonic connection${s} dropped\n`);
  o.p('delayed_free', (n, s) => `\t${n} delayed free${s} of tcpcb\n`);
  o.p2('rttupdated', 'segstimed', (a, sa, b, sb) => `\t${a} segment${sa} updated rtt (of ${b} attempt${sb})\n`);
  o.p('rexmttimeo', (n, s) => `\t${n} retransmit timeout${s}\n`);
  o.p('timeoutdrop', (n, s) => `\t\t${n} connection${s} dropped by rexmit timeout\n`);
  o.p2('persisttimeo', 'persistdrops', (a, sa, b, sb) => `\t${a} persist timeout${sa} (resulting in ${b} dropped connection${sb})\n`);
  o.p('keeptimeo', (n, s) => `\t${n} keepalive timeout${s}\n`);
  o.p('keepprobe', (n, s) => `\t\t${n} keepalive probe${s} sent\n`);
  o.p('keepdrops', (n, s) => `\t\t${n} connection${s} dropped by keepalive\n`);
  o.p('predack', (n, s) => `\t${n} correct ACK header prediction${s}\n`);
  o.p('preddat', (n, s) => `\t${n} correct data packet header prediction${s}\n`);
  o.p3('pcbhashmiss', (n, s) => `\t${n} PCB hash miss${s}\n`);
  o.ps('noport', (n) => `\t${n} dropped due to no socket\n`);
  o.p('connsdrained', (n, s) => `\t${n} connection${s} drained due to memory shortage\n`);
  o.p('pmtublackhole', (n, s) => `\t${n} PMTUD blackhole${s} detected\n`);
  o.p('badsyn', (n, s) => `\t${n} bad connection attempt${s}\n`);
  o.ps('sc_added', (n) => `\t${n} SYN cache entries added\n`);
  o.p('sc_collisions', (n, s) => `\t\t${n} hash collision${s}\n`);
  o.ps('sc_completed', (n) => `\t\t${n} completed\n`);
  o.ps('sc_aborted', (n) => `\t\t${n} aborted (no space to build PCB)\n`);
  o.ps('sc_timed_out', (n) => `\t\t${n} timed out\n`);
  o.ps('sc_overflowed', (n) => `\t\t${n} dropped due to overflow\n`);
  o.ps('sc_bucketoverflow', (n) => `\t\t${n} dropped due to bucket overflow\n`);
  o.ps('sc_reset', (n) => `\t\t${n} dropped due to RST\n`);
  o.ps('sc_unreach', (n) => `\t\t${n} dropped due to ICMP unreachable\n`);
  o.ps('sc_delayed_free', (n) => `\t\t${n} delayed free of SYN cache entries\n`);
  o.p('sc_retransmitted', (n, s) => `\t${n} SYN,ACK${s} retransmitted\n`);
  o.p('sc_dupesyn', (n, s) => `\t${n} duplicate SYN${s} received for entries already in the cache\n`);
  o.p('sc_dropped', (n, s) => `\t${n} SYN${s} dropped (no route or no space)\n`);
  o.p('badsig', (n, s) => `\t${n} packet${s} with bad signature\n`);
  o.p('goodsig', (n, s) => `\t${n} packet${s} with good signature\n`);
  o.p('ecn_shs', (n, s) => `\t${n} sucessful ECN handshake${s}\n`);
  o.p('ecn_ce', (n, s) => `\t${n} packet${s} with ECN CE bit\n`);
  o.p('ecn_ect', (n, s) => `\t${n} packet${s} ECN ECT(0) bit\n`);
  o.p('sack_recovery_episode', (n, s) => `\t${n} SACK recovery episode${s}\n`);
  o.p('sack_rexmits', (n, s) => `\t${n} segment rexmit${s} in SACK recovery episodes\n`);
  o.p('sack_rexmit_bytes', (n, s) => `\t${n} byte rexmit${s} in SACK recovery episodes\n`);
  o.p('sack_rcv_blocks', (n, s) => `\t${n} SACK option${s} (SACK blocks) received\n`);
  o.p('sack_send_blocks', (n, s) => `\t${n} SACK option${s} (SACK blocks) sent\n`);
  return o.text;
}

/** udp_stats; "delivered" is what is left of ipackets after the drops. */
export function formatUdpStats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('udp', st, sflag);
  const g = (k: string) => o.get(k) ?? 0;
  o.p('ipackets', (n, s) => `\t${n} datagram${s} received\n`);
  o.ps('hdrops', (n) => `\t${n} with incomplete header\n`);
  o.ps('badlen', (n) => `\t${n} with bad data length field\n`);
  o.ps('badsum', (n) => `\t${n} with bad checksum\n`);
  o.ps('noport', (n) => `\t${n} dropped due to no socket\n`);
  o.p('noportbcast', (n, s) => `\t${n} broadcast/multicast datagram${s} dropped due to no socket\n`);
  o.ps('fullsock', (n) => `\t${n} dropped due to full socket buffers\n`);
  const delivered = g('ipackets') - g('hdrops') - g('badlen') - g('badsum') - g('noport') - g('noportbcast') - g('fullsock');
  o.line(delivered, `\t${delivered} delivered\n`);
  o.p('opackets', (n, s) => `\t${n} datagram${s} output\n`);
  return o.text;
}

export function formatIpStats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('ip', st, sflag);
  o.p('total', (n, s) => `\t${n} total packet${s} received\n`);
  o.p('badsum', (n, s) => `\t${n} bad header checksum${s}\n`);
  o.ps('toosmall', (n) => `\t${n} with size smaller than minimum\n`);
  o.ps('tooshort', (n) => `\t${n} with data size < data length\n`);
  o.ps('toolong', (n) => `\t${n} with length > max ip packet size\n`);
  o.ps('badhlen', (n) => `\t${n} with header length < data size\n`);
  o.ps('badlen', (n) => `\t${n} with data length < header length\n`);
  o.ps('badoptions', (n) => `\t${n} with bad options\n`);
  o.ps('badvers', (n) => `\t${n} with incorrect version number\n`);
  o.p('fragments', (n, s) => `\t${n} fragment${s} received\n`);
  o.p('fragdropped', (n, s) => `\t${n} fragment${s} dropped (dup or out of space)\n`);
  o.p('rcvmemdrop', (n, s) => `\t${n} fragment${s} dropped (out of ipqent)\n`);
  o.p('badfrags', (n, s) => `\t${n} malformed fragment${s} dropped\n`);
  o.p('fragtimeout', (n, s) => `\t${n} fragment${s} dropped after timeout\n`);
  o.p('reassembled', (n, s) => `\t${n} packet${s} reassembled ok\n`);
  o.p('delivered', (n, s) => `\t${n} packet${s} for this host\n`);
  o.p('noproto', (n, s) => `\t${n} packet${s} for unknown/unsupported protocol\n`);
  const fwd = o.get('forward');
  const ffwd = o.get('fastforward');
  if (fwd !== null && (fwd !== 0 || sflag <= 1)) {
    o.text += `\t${fwd} packet${plural(fwd)} forwarded`;
    if (ffwd !== null && (ffwd !== 0 || sflag <= 1)) o.text += ` (${ffwd} packet${plural(ffwd)} fast forwarded)`;
    o.text += '\n';
  }
  o.p('cantforward', (n, s) => `\t${n} packet${s} not forwardable\n`);
  o.p('redirectsent', (n, s) => `\t${n} redirect${s} sent\n`);
  o.p('nogif', (n, s) => `\t${n} packet${s} no matching gif found\n`);
  o.p('localout', (n, s) => `\t${n} packet${s} sent from this host\n`);
  o.p('rawout', (n, s) => `\t${n} packet${s} sent with fabricated ip header\n`);
  o.p('odropped', (n, s) => `\t${n} output packet${s} dropped due to no bufs, etc.\n`);
  o.p('noroute', (n, s) => `\t${n} output packet${s} discarded due to no route\n`);
  o.p('fragmented', (n, s) => `\t${n} output datagram${s} fragmented\n`);
  o.p('ofragments', (n, s) => `\t${n} fragment${s} created\n`);
  o.p('cantfrag', (n, s) => `\t${n} datagram${s} that can't be fragmented\n`);
  o.p('badaddr', (n, s) => `\t${n} datagram${s} with bad address in header\n`);
  return o.text;
}

const ICMP_NAMES = [
  'echo reply', '#1', '#2', 'destination unreachable', 'source quench', 'routing redirect', 'alternate host address',
  '#7', 'echo', 'router advertisement', 'router solicitation', 'time exceeded', 'parameter problem', 'time stamp',
  'time stamp reply', 'information request', 'information request reply', 'address mask request',
  'address mask reply',
];
/** ICMP_MAXTYPE: NetBSD's icmpstat histograms stop at type 40, its names at 18. */
const icmpName = (i: number) => (i < ICMP_NAMES.length ? ICMP_NAMES[i]! : null);

export function formatIcmpStats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('icmp', st, sflag);
  o.p('error', (n, s) => `\t${n} call${s} to icmp_error\n`);
  o.p('oldicmp', (n, s) => `\t${n} error${s} not generated because old message was icmp\n`);
  o.histogram('outhist', 'Output histogram', icmpName);
  o.p('badcode', (n, s) => `\t${n} message${s} with bad code fields\n`);
  o.p('tooshort', (n, s) => `\t${n} message${s} < minimum length\n`);
  o.p('checksum', (n, s) => `\t${n} bad checksum${s}\n`);
  o.p('badlen', (n, s) => `\t${n} message${s} with bad length\n`);
  o.p('bmcastecho', (n, s) => `\t${n} multicast echo request${s} ignored\n`);
  o.p('bmcasttstamp', (n, s) => `\t${n} multicast timestamp request${s} ignored\n`);
  o.histogram('inhist', 'Input histogram', icmpName);
  o.p('reflect', (n, s) => `\t${n} message response${s} generated\n`);
  o.p('pmtuchg', (n, s) => `\t${n} path MTU change${s}\n`);
  return o.text;
}

/** igmp_stats (NetBSD netinet/igmp_var.h IGMP_STAT_*). */
export function formatIgmpStats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('igmp', st, sflag);
  const py = (k: string, fmt: (n: number, y: string) => string) => o.p(k, (n) => fmt(n, n !== 1 ? 'ies' : 'y'));
  o.p('rcv_total', (n, s) => `\t${n} message${s} received\n`);
  o.p('rcv_tooshort', (n, s) => `\t${n} message${s} received with too few bytes\n`);
  o.p('rcv_badsum', (n, s) => `\t${n} message${s} received with bad checksum\n`);
  py('rcv_queries', (n, y) => `\t${n} membership quer${y} received\n`);
  py('rcv_badqueries', (n, y) => `\t${n} membership quer${y} received with invalid field(s)\n`);
  o.p('rcv_reports', (n, s) => `\t${n} membership report${s} received\n`);
  o.p('rcv_badreports', (n, s) => `\t${n} membership report${s} received with invalid field(s)\n`);
  o.p('rcv_ourreports', (n, s) => `\t${n} membership report${s} received for groups to which we belong\n`);
  o.p('snd_reports', (n, s) => `\t${n} membership report${s} sent\n`);
  return o.text;
}

export function formatArpStats(st: StatBlock, sflag = 1): string {
  const o = new StatPrinter('arp', st, sflag);
  o.p('sndtotal', (n, s) => `\t${n} packet${s} sent\n`);
  o.p('sndreply', (n, s) => `\t\t${n} reply packet${s}\n`);
  o.p('sndrequest', (n, s) => `\t\t${n} request packet${s}\n`);
  o.p('rcvtotal', (n, s) => `\t${n} packet${s} received\n`);
  o.p('rcvreply', (n, s) => `\t\t${n} reply packet${s}\n`);
  o.p('rcvrequest', (n, s) => `\t\t${n} valid request packet${s}\n`);
  o.p('rcvmcast', (n, s) => `\t\t${n} broadcast/multicast packet${s}\n`);
  o.p('rcvbadproto', (n, s) => `\t\t${n} packet${s} with unknown protocol type\n`);
  o.p('rcvbadlen', (n, s) => `\t\t${n} packet${s} with bad (short) length\n`);
  o.p('rcvzerotpa', (n, s) => `\t\t${n} packet${s} with null target IP address\n`);
  o.p('rcvzerospa', (n, s) => `\t\t${n} packet${s} with null source IP address\n`);
  o.ps('rcvnoint', (n) => `\t\t${n} could not be mapped to an interface\n`);
  o.p('rcvlocalsha', (n, s) => `\t\t${n} packet${s} sourced from a local hardware address\n`);
  o.p('rcvbcastsha', (n, s) => `\t\t${n} packet${s} with a broadcast source hardware address\n`);
  o.p('rcvlocalspa', (n, s) => `\t\t${n} duplicate${s} for a local IP address\n`);
  o.p('rcvoverperm', (n, s) => `\t\t${n} attempt${s} to overwrite a static entry\n`);
  o.p('rcvoverint', (n, s) => `\t\t${n} packet${s} received on wrong interface\n`);
  o.p('rcvover', (n) => `\t\t${n} entr${n === 1 ? 'y' : 'ies'} overwritten\n`);
  o.p('rcvlenchg', (n, s) => `\t\t${n} change${s} in hardware address length\n`);
  o.p('dfrtotal', (n, s) => `\t${n} packet${s} deferred pending ARP resolution\n`);
  o.ps('dfrsent', (n) => `\t\t${n} sent\n`);
  o.ps('dfrdropped', (n) => `\t\t${n} dropped\n`);
  o.p('allocfail', (n, s) => `\t${n} failure${s} to allocate llinfo\n`);
  return o.text;
}
