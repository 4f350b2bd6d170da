/**
 * ping6 (NetBSD/KAME sbin/ping6 as shipped with QNX 6.6): ICMPv6 echo over a raw ICMPv6 socket (the stack
 * fills the checksum, RFC 3542). `ping6 [-c count] [-i wait] [-s size] [-h hoplimit] [-I iface] [-v] host`,
 * host an IPv6 address with an optional %zone. The first line names the packet size as IPv6 header + ICMPv6
 * header + data and the source the stack selects (learnt by connecting a datagram socket, as ping6 does);
 * each reply line shows the ICMPv6 bytes, the sender, the sequence, the hop limit it arrived with and the
 * round trip from the struct timeval carried in the first 8 data bytes (x86 layout, virtual clock).
 * Exit status: 0 if any reply arrived, 2 if none, 1 on usage or setup errors.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { Errno } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt, strtod, strtol } from '../lib/getopt';
import { IPPROTO_ICMPV6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, IPV6_UNICAST_HOPS, sockaddrIn6, type SockAddrIn6 } from '../include/netinet/in';
import { AF_INET6, MSG_DONTWAIT, SOCK_DGRAM, SOCK_RAW, SOL_SOCKET, SO_RCVTIMEO } from '../include/sys/socket';
import { close, connect, errno, getsockname, ioctl, recvfrom, sendto, setsockopt, socket, type RecvResult } from '../lib/socket';
import type { IfInfo } from '../io-pkt/ioctl';
import { ipv6IsMulticast, ipv6NeedsScope, ipv6ToString, parseIpv6Scoped } from '../net/wire/addr6';
import { ICMP6_HDR_LEN, Icmp6Type, Icmp6UnreachCode, Icmpv6Packet } from '../net/wire/icmpv6';
import { pingCountLine } from './common';
import { IP6_HDR_LEN } from '../net/wire/ipv6';
import { DupTable, PING6_MAX_DUP_CHK } from './dup-table';

/** DEFDATALEN: ICMP6ECHOTMLEN, room for the struct timeval. */
const DEFDATALEN = 8;
const TVLEN = 8;
const MAXDATALEN = 65535 - IP6_HDR_LEN - ICMP6_HDR_LEN;
const SEC = 1e9;

const USAGE = 'usage: ping6 [-dfHnNqtvw] [-a [aAclsg]] [-b sockbufsiz] [-c count]\n' +
  '\t[-g gateway] [-h hoplimit] [-I interface] [-i wait] [-l preload]\n\t[-p pattern] [-S sourceaddr] [-s packetsize] host\n';

const UNREACH6: Record<number, string> = {
  [Icmp6UnreachCode.NoRoute]: 'No Route to Destination', [Icmp6UnreachCode.Admin]: 'Destination Administratively Unreachable',
  [Icmp6UnreachCode.BeyondScope]: 'Destination Unreachable Beyond Scope', [Icmp6UnreachCode.Addr]: 'Destination Host Unreachable',
  [Icmp6UnreachCode.NoPort]: 'Destination Port Unreachable',
};

export const ping6: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const g = getopt(argv, 'a:b:c:dfg:Hh:I:i:l:nNp:qS:s:tvw');
  const out = (s: string) => ctx.print(s);
  const bad = (msg: string): number => {
    out(`ping6: ${msg}\n`);
    return 1;
  };
  if (g.errors.length > 0) {
    for (const e of g.errors) out(`ping6: ${e}\n`);
    out(USAGE);
    return 1;
  }
  let npackets = Number.MAX_SAFE_INTEGER;
  let interval = 1.0;
  let datalen = DEFDATALEN;
  let hoplimit = -1;
  let ifname: string | null = null;
  let quiet = false;
  let verbose = false;
  for (const { opt, arg } of g.opts) {
    const a = arg ?? '';
    switch (opt) {
      case 'c': {
        const n = strtol(a);
        if (n === null || n <= 0) return bad(`illegal number of packets -- ${a}`);
        npackets = n;
        break;
      }
      case 'i': {
        const n = strtod(a);
        if (n === null || n <= 0) return bad(`illegal timing interval ${a}`);
        interval = n;
        break;
      }
      case 's': {
        const n = strtol(a);
        if (n === null || n < 0) return bad(`illegal datalen value -- ${a}`);
        if (n > MAXDATALEN) return bad(`datalen value too large, maximum is ${MAXDATALEN}`);
        datalen = n;
        break;
      }
      case 'h': {
        const n = strtol(a);
        if (n === null || n < 0 || n > 255) return bad(`illegal hoplimit ${a}`);
        hoplimit = n;
        break;
      }
      case 'I': ifname = a; break;
      case 'q': quiet = true; break;
      case 'v': verbose = true; break;
      default: break; // accepted, not modelled
    }
  }
  if (g.operands.length !== 1) {
    out(USAGE);
    return 1;
  }
  const hostname = g.operands[0]!;
  const parsed = parseIpv6Scoped(hostname);
  if (!parsed) return bad(`${hostname}: No address associated with hostname`);
  const dst = parsed.addr;
  const ifNames = new Map<number, string>();
  const ident = ctx.pid & 0xffff;
  const timing = datalen >= TVLEN;
  const packet = new Uint8Array(ICMP6_HDR_LEN + datalen);
  for (let i = TVLEN; i < datalen; i++) packet[ICMP6_HDR_LEN + i] = i & 0xff;
  const st = { ntransmitted: 0, nreceived: 0, nrepeats: 0, tmin: Infinity, tmax: 0, tsum: 0, tsumsq: 0 };
  const seen = new DupTable(PING6_MAX_DUP_CHK);
  const s = yield* socket(ctx, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  if (s < 0) return bad(`socket: ${strerror(errno(ctx))}`);
  try {
    // Interface names by index (if_nametoindex / if_indextoname).
    const conf = yield* ioctl(ctx, s, 'SIOCGIFCONF', {});
    for (const i of conf ? (conf.data as { ifs: IfInfo[] }).ifs : []) ifNames.set(i.index, i.name);
    // The zone: %name (or %index) on the host, else -I for scoped destinations.
    let scopeId = 0;
    let zoneName = parsed.zone ?? ifname;
    if (zoneName !== null) {
      const r = yield* ioctl(ctx, s, 'SIOCGIFDATA', { name: zoneName });
      if (r) {
        scopeId = (r.data as IfInfo).index;
        zoneName = (r.data as IfInfo).name;
      } else if (/^\d+$/.test(zoneName) && ifNames.has(Number(zoneName))) {
        scopeId = Number(zoneName);
        zoneName = ifNames.get(scopeId)!;
      } else return bad(`${zoneName}: invalid interface name`);
    }
    const to = sockaddrIn6(dst, 0, ipv6NeedsScope(dst) ? scopeId : 0);
    if (hoplimit >= 0) {
      yield* setsockopt(ctx, s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, hoplimit);
      yield* setsockopt(ctx, s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hoplimit);
    }
    if (ipv6IsMulticast(dst) && scopeId) yield* setsockopt(ctx, s, IPPROTO_IPV6, IPV6_MULTICAST_IF, scopeId);
    // The source the stack will choose: connect a datagram socket and ask (ping6's getsockname trick).
    let srcText = '';
    const u = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
    if (u >= 0) {
      if ((yield* connect(ctx, u, sockaddrIn6(dst, 1, to.scopeId))) < 0) {
        const e = errno(ctx);
        yield* close(ctx, u);
        return bad(`UDP connect: ${strerror(e)}`);
      }
      const sa = (yield* getsockname(ctx, u)) as SockAddrIn6 | null;
      if (sa) srcText = ipv6ToString(sa.addr) + (ipv6NeedsScope(sa.addr) && zoneName ? `%${zoneName}` : '');
      yield* close(ctx, u);
    }
    const dstText = ipv6ToString(dst) + (ipv6NeedsScope(dst) && zoneName ? `%${zoneName}` : '');
    out(`PING6(${IP6_HDR_LEN + ICMP6_HDR_LEN + datalen}=${IP6_HDR_LEN}+${ICMP6_HDR_LEN}+${datalen} bytes) ${srcText} --> ${dstText}\n`);

    const intervalNs = Math.round(interval * SEC);
    let nextTx = ctx.now();
    let lastTx = 0;
    let timeo = -1;
    for (;;) {
      const now = ctx.now();
      let wait: number;
      if (st.ntransmitted < npackets) {
        if (now >= nextTx) {
          const icp = new Icmpv6Packet(packet);
          icp.type = Icmp6Type.EchoRequest;
          icp.code = 0;
          icp.ident = ident;
          icp.seq = st.ntransmitted & 0xffff;
          seen.clear(icp.seq);
          if (timing) {
            const dv = new DataView(packet.buffer, packet.byteOffset + ICMP6_HDR_LEN, TVLEN);
            dv.setUint32(0, Math.floor(now / SEC), true);
            dv.setUint32(4, Math.floor((now % SEC) / 1000), true);
          }
          const n = yield* sendto(ctx, s, packet.slice(), 0, to);
          if (n < 0) out(`ping6: sendmsg: ${strerror(errno(ctx))}\n`);
          else if (n !== packet.length) out(`ping6: wrote ${hostname} ${packet.length} chars, ret=${n}\n`);
          st.ntransmitted++;
          lastTx = now;
          nextTx += intervalNs;
        }
        wait = Math.max(0, nextTx - ctx.now());
      } else {
        // After the last request: wait MAXWAIT (10 s) or twice the longest round trip, as ping6's finish timer.
        wait = (st.nreceived > 0 ? Math.max(2 * st.tmax * SEC, 1 * SEC) : 10 * SEC) - (now - lastTx);
        if (wait <= 0) break;
      }
      if (wait > 0 && wait !== timeo) {
        timeo = Math.round(wait);
        yield* setsockopt(ctx, s, SOL_SOCKET, SO_RCVTIMEO, timeo);
      }
      const r = yield* recvfrom(ctx, s, datalen + 512, wait > 0 ? 0 : MSG_DONTWAIT);
      if (r.n < 0) {
        const e = errno(ctx);
        if (e !== Errno.EAGAIN && e !== Errno.EINTR) out(`ping6: recvmsg: ${strerror(e)}\n`);
      } else prPack(r, ctx.now());
      if (st.nreceived >= npackets && st.ntransmitted >= npackets) break;
    }
    let text = `\n--- ${hostname} ping6 statistics ---\n`;
    text += pingCountLine(st);
    if (st.nreceived && timing) {
      const n = st.nreceived + st.nrepeats;
      const avg = st.tsum / n;
      const variance = Math.max(0, st.tsumsq / n - avg * avg);
      const f = (x: number) => (x * 1000).toFixed(3);
      text += `round-trip min/avg/max/std-dev = ${f(st.tmin)}/${f(avg)}/${f(st.tmax)}/${f(Math.sqrt(variance))} ms\n`;
    }
    out(text);
    return st.nreceived > 0 ? 0 : 2;
  } finally {
    yield* close(ctx, s);
  }

  function prPack(r: RecvResult, now: number): void {
    const buf = r.data;
    const from = r.from as SockAddrIn6 | null;
    const fromText = from ? ipv6ToString(from.addr) + (from.scopeId ? `%${zoneOf(from.scopeId)}` : '') : '?';
    if (buf.length < ICMP6_HDR_LEN) {
      if (verbose) out(`packet too short (${buf.length} bytes) from ${fromText}\n`);
      return;
    }
    const icp = new Icmpv6Packet(buf);
    if (icp.type === Icmp6Type.EchoReply && icp.ident === ident) {
      const seq = icp.seq;
      let triptime = 0;
      if (timing && icp.data.length >= TVLEN) {
        const dv = new DataView(icp.data.buffer, icp.data.byteOffset, TVLEN);
        const sent = dv.getUint32(0, true) * SEC + dv.getUint32(4, true) * 1000;
        triptime = (now - sent) / SEC;
        st.tsum += triptime;
        st.tsumsq += triptime * triptime;
        if (triptime < st.tmin) st.tmin = triptime;
        if (triptime > st.tmax) st.tmax = triptime;
      }
      const dup = seen.seen(seq);
      if (dup) st.nrepeats++;
      else st.nreceived++;
      if (quiet) return;
      // The hop limit the reply arrived with (IPV6_RECVHOPLIMIT), when the socket layer reports it.
      const hlim = r.hlim;
      let line = `${buf.length} bytes from ${fromText}, icmp_seq=${seq}`;
      if (hlim !== undefined) line += ` hlim=${hlim}`;
      if (timing) line += ` time=${(triptime * 1000).toFixed(3)} ms`;
      if (dup) line += '(DUP!)';
      out(`${line}\n`);
      return;
    }
    if (!verbose || quiet) return;
    let text = `${buf.length} bytes from ${fromText}: `;
    switch (icp.type) {
      case Icmp6Type.DstUnreach: text += UNREACH6[icp.code] ?? `Destination Unreachable, Bad Code: ${icp.code}`; break;
      case Icmp6Type.PacketTooBig: text += `Packet too big mtu = ${icp.rest}`; break;
      case Icmp6Type.TimeExceeded: text += icp.code === 0 ? 'Time to live exceeded' : 'Frag reassembly time exceeded'; break;
      case Icmp6Type.ParamProb: text += `Parameter problem: pointer = 0x${icp.rest.toString(16).padStart(2, '0')}`; break;
      default: text += `Bad ICMP type: ${icp.type}`;
    }
    out(`${text}\n`);
  }

  function zoneOf(index: number): string {
    return ifNames.get(index) ?? String(index);
  }
};

