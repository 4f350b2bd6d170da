/** `netstat -s`: NetBSD's protocol statistics wording (ip, icmp, udp, arp), every counter printed. */
import type { ArpStat, IcmpStat, IpStat, UdpStat } from '../net/stats';
import { plural } from './common';

const ICMP_NAMES = [
  'echo reply', '#1', '#2', 'destination unreachable', 'source quench', 'routing redirect', 'alternate host address',
  '#7', 'echo', 'router advertisement', 'router solicitation', 'time exceeded', 'parameter problem', 'time stamp',
  'time stamp reply', 'information request', 'information request reply', 'address mask request',
  'address mask reply',
];

function line(n: number, fmt: (p: string) => string): string {
  return `\t${n} ${fmt(plural(n))}\n`;
}

export function formatIpStats(s: IpStat): string {
  let t = 'ip:\n';
  t += line(s.total, (p) => `total packet${p} received`);
  t += line(s.badsum, (p) => `bad header checksum${p}`);
  t += line(s.toosmall, () => 'with size smaller than minimum');
  t += line(s.tooshort, () => 'with data size < data length');
  t += line(s.toolong, () => 'with length > max ip packet size');
  t += line(s.badhlen, () => 'with header length < data size');
  t += line(s.badlen, () => 'with data length < header length');
  t += line(s.badoptions, () => 'with bad options');
  t += line(s.badvers, () => 'with incorrect version number');
  t += line(s.fragments, (p) => `fragment${p} received`);
  t += line(s.fragdropped, (p) => `fragment${p} dropped (dup or out of space)`);
  t += line(s.fragtimeout, (p) => `fragment${p} dropped after timeout`);
  t += line(s.reassembled, (p) => `packet${p} reassembled ok`);
  t += line(s.delivered, (p) => `packet${p} for this host`);
  t += line(s.noproto, (p) => `packet${p} for unknown/unsupported protocol`);
  t += `\t${s.forward} packet${plural(s.forward)} forwarded (${s.fastforward} packet${plural(s.fastforward)} fast forwarded)\n`;
  t += line(s.cantforward, (p) => `packet${p} not forwardable`);
  t += line(s.redirectsent, (p) => `redirect${p} sent`);
  t += line(s.notmember, (p) => `multicast packet${p} which we don't join`);
  t += line(s.localout, (p) => `packet${p} sent from this host`);
  t += line(s.rawout, (p) => `packet${p} sent with fabricated ip header`);
  t += line(s.odropped, (p) => `output packet${p} dropped due to no bufs, etc.`);
  t += line(s.noroute, (p) => `output packet${p} discarded due to no route`);
  t += line(s.fragmented, (p) => `output datagram${p} fragmented`);
  t += line(s.ofragments, (p) => `fragment${p} created`);
  t += line(s.cantfrag, (p) => `datagram${p} that can't be fragmented`);
  t += line(s.badaddr, (p) => `datagram${p} with bad address in header`);
  return t;
}

function histogram(title: string, h: number[]): string {
  let t = '';
  h.forEach((n, i) => {
    if (n === 0) return;
    if (!t) t = `\t${title} histogram:\n`;
    t += `\t\t${ICMP_NAMES[i] ?? `#${i}`}: ${n}\n`;
  });
  return t;
}

export function formatIcmpStats(s: IcmpStat): string {
  let t = 'icmp:\n';
  t += line(s.error, () => 'call' + plural(s.error) + ' to icmp_error');
  t += line(s.oldicmp, (p) => `error${p} not generated because old message was icmp`);
  t += histogram('Output', s.outhist);
  t += line(s.badcode, (p) => `message${p} with bad code fields`);
  t += line(s.tooshort, (p) => `message${p} < minimum length`);
  t += line(s.checksum, (p) => `bad checksum${p}`);
  t += line(s.badlen, (p) => `message${p} with bad length`);
  t += histogram('Input', s.inhist);
  t += line(s.reflect, (p) => `message response${p} generated`);
  return t;
}

export function formatUdpStats(s: UdpStat): string {
  const delivered = s.ipackets - s.hdrops - s.badlen - s.badsum - s.noport - s.noportbcast - s.fullsock;
  let t = 'udp:\n';
  t += line(s.ipackets, (p) => `datagram${p} received`);
  t += line(s.hdrops, () => 'with incomplete header');
  t += line(s.badlen, () => 'with bad data length field');
  t += line(s.badsum, () => 'with bad checksum');
  t += line(s.noport, () => 'dropped due to no socket');
  t += line(s.noportbcast, () => 'broadcast/multicast datagram' + plural(s.noportbcast) + ' dropped due to no socket');
  t += line(s.fullsock, () => 'dropped due to full socket buffers');
  t += line(delivered, () => 'delivered');
  t += line(s.opackets, (p) => `datagram${p} output`);
  return t;
}

export function formatArpStats(s: ArpStat): string {
  let t = 'arp:\n';
  t += line(s.sndtotal, (p) => `packet${p} sent`);
  t += `\t\t${s.sndreply} reply packet${plural(s.sndreply)}\n`;
  t += `\t\t${s.sndrequest} request packet${plural(s.sndrequest)}\n`;
  t += line(s.rcvtotal, (p) => `packet${p} received`);
  t += `\t\t${s.rcvreply} reply packet${plural(s.rcvreply)}\n`;
  t += `\t\t${s.rcvrequest} valid request packet${plural(s.rcvrequest)}\n`;
  t += `\t\t${s.rcvmcast} broadcast/multicast packet${plural(s.rcvmcast)}\n`;
  t += `\t\t${s.rcvbadproto} packet${plural(s.rcvbadproto)} with unknown protocol type\n`;
  t += `\t\t${s.rcvbadlen} packet${plural(s.rcvbadlen)} with bad (short) length\n`;
  t += `\t\t${s.rcvzerotpa} packet${plural(s.rcvzerotpa)} with null target IP address\n`;
  t += `\t\t${s.rcvzerospa} packet${plural(s.rcvzerospa)} with null source IP address\n`;
  t += `\t\t${s.rcvnoint} could not be mapped to an interface\n`;
  t += `\t\t${s.rcvlocalsha} packet${plural(s.rcvlocalsha)} sourced from a local hardware address\n`;
  t += `\t\t${s.rcvbcastsha} packet${plural(s.rcvbcastsha)} with a broadcast source hardware address\n`;
  t += `\t\t${s.rcvlocalspa} duplicate${plural(s.rcvlocalspa)} for a local IP address\n`;
  t += `\t\t${s.rcvoverperm} attempt${plural(s.rcvoverperm)} to overwrite a static entry\n`;
  t += `\t\t${s.rcvoverint} packet${plural(s.rcvoverint)} received on wrong interface\n`;
  t += `\t\t${s.rcvover} entr${s.rcvover === 1 ? 'y' : 'ies'} overwritten\n`;
  t += `\t\t${s.rcvlenchg} change${plural(s.rcvlenchg)} in hardware address length\n`;
  t += line(s.dfrtotal, (p) => `packet${p} deferred pending ARP resolution`);
  t += `\t\t${s.dfrsent} sent\n`;
  t += `\t\t${s.dfrdropped} dropped\n`;
  t += line(s.allocfail, (p) => `failure${p} to allocate llinfo`);
  return t;
}
