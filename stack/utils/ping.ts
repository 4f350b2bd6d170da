/**
 * ping (NetBSD sbin/ping as shipped with QNX 6.6): ICMP echo over a raw socket whose IP header the stack
 * builds (with -D, ping writes the header itself, IP_HDRINCL, to set Don't Fragment). Sends every `-i` seconds (first at once), waits for replies in between, prints one line per
 * reply, and a summary. The send time travels in the first 8 data bytes as a struct timeval (x86 layout:
 * tv_sec, tv_usec, little-endian), so round-trip times come from the node's virtual clock.
 * Exit status: 0 if any reply arrived, 2 if none, 1 on usage or setup errors.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { Errno } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt, strtod, strtol } from '../lib/getopt';
import { IPPROTO_ICMP, IPPROTO_IP, IP_HDRINCL, IP_TTL, sockaddrIn, sockaddrIp4 } from '../include/netinet/in';
import { AF_INET, MSG_DONTWAIT, SOCK_RAW, SOL_SOCKET, SO_BROADCAST, SO_RCVBUF, SO_RCVTIMEO, SO_SNDBUF } from '../include/sys/socket';
import { close, errno, recvfrom, sendto, setsockopt, socket } from '../lib/socket';
import { ipToString, parseIpv4 } from '../net/wire/addr';
import { ICMP_MINLEN, IcmpPacket, IcmpType } from '../net/wire/icmp';
import { IP_DF, IP_HDR_LEN, IP_MAXPACKET, Ipv4Packet, MAXTTL } from '../net/wire/ipv4';
import { pingCountLine } from './common';
import { DupTable, PING_MAX_DUP_CHK } from './dup-table';

const MAXPACKET = 65535 - 60 - 8;
const PHDR_LEN = 8;
/** rip_recvspace: a raw socket's default receive buffer (NetBSD 8192). */
const RIP_RECVSPACE = 8192;
const FLOOD_INTVL = 0.01;
const SEC = 1e9;

const USAGE = 'usage: \nping [-dDfLnoPqQrRv] [-c count] [-g gateway] [-h host] [-I addr] [-i interval]\n' +
  '     [-l preload] [-p pattern] [-s size] [-T ttl] [-t tos] [-w maxwait] host\n';

const UNREACH: Record<number, string> = {
  0: 'Destination Net Unreachable', 1: 'Destination Host Unreachable', 2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable', 5: 'Source Route Failed', 6: 'Destination Net Unknown',
  4: 'Frag needed and DF set', 7: 'Destination Host Unknown', 9: 'Destination Net Prohibited', 10: 'Destination Host Prohibited',
  13: 'Communication Administratively Prohibited',
};

interface PingState {
  ntransmitted: number;
  nreceived: number;
  nrepeats: number;
  tmin: number;
  tmax: number;
  tsum: number;
  tsumsq: number;
  lastrcvd: boolean;
  /** rcvd_tbl (dup-table.ts). */
  seen: DupTable;
}

export const ping: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const g = getopt(argv, 'ac:CdDfg:h:i:I:l:Lnop:PqQrRs:t:T:vw:W:');
  const out = (s: string) => ctx.print(s);
  if (g.errors.length > 0) {
    for (const e of g.errors) out(`ping: ${e}\n`);
    out(USAGE);
    return 1;
  }
  let npackets = Number.MAX_SAFE_INTEGER;
  let interval = 0;
  let datalen = 64 - PHDR_LEN;
  let maxwait = 0;
  let quiet = false;
  let flood = false;
  let verbose = false;
  let once = false;
  let ttl = 0;
  let dontFrag = false;
  for (const { opt, arg } of g.opts) {
    const a = arg ?? '';
    switch (opt) {
      case 'c': {
        const n = strtol(a);
        if (n === null || n <= 0) return bad(`Bad/invalid number of packets: ${a}`);
        npackets = n;
        break;
      }
      case 'i': {
        const n = strtod(a);
        if (n === null || n <= 0) return bad(`Bad/invalid interval: ${a}`);
        interval = n;
        break;
      }
      case 's': {
        const n = strtol(a);
        if (n === null || n < 0) return bad(`Bad/invalid packet size: ${a}`);
        if (n > MAXPACKET) return bad('packet size is too large');
        datalen = n;
        break;
      }
      case 'w':
      case 'W': {
        const n = strtod(a);
        if (n === null || n <= 0) return bad(`Bad/invalid maxwait time: ${a}`);
        maxwait = n;
        break;
      }
      case 'T': {
        const n = strtol(a);
        if (n === null || n <= 0 || n > 255) return bad(`ttl out of range: ${a}`);
        ttl = n;
        break;
      }
      case 'D': dontFrag = true; break;
      case 'q': quiet = true; break;
      case 'f': flood = true; break;
      case 'v': verbose = true; break;
      case 'o': once = true; break;
      default: break; // accepted, not modelled (-n: we never resolve names anyway)
    }
  }
  function bad(msg: string): number {
    out(`ping: ${msg}\n`);
    return 1;
  }
  if (g.operands.length !== 1) {
    out(USAGE);
    return 1;
  }
  const hostname = g.operands[0]!;
  const dst = parseIpv4(hostname);
  if (dst === null) return bad(`Cannot resolve "${hostname}" (Unknown host)`);
  if (interval === 0) interval = flood ? FLOOD_INTVL : 1.0;
  const intervalNs = Math.round(interval * SEC);

  const s = yield* socket(ctx, AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (s < 0) return bad(`Cannot create socket: ${strerror(errno(ctx))}`);
  if (ttl) yield* setsockopt(ctx, s, IPPROTO_IP, IP_TTL, ttl);
  if (dontFrag && (yield* setsockopt(ctx, s, IPPROTO_IP, IP_HDRINCL, 1)) < 0) return bad(`setsockopt(IP_HDRINCL): ${strerror(errno(ctx))}`);
  yield* setsockopt(ctx, s, SOL_SOCKET, SO_BROADCAST, 1);
  // Room for giant replies (and probes): IP_MAXPACKET, or as close as the stack allows, as NetBSD ping asks.
  // NetBSD's ping does this for every size; here only when a reply would not fit the raw socket's default
  // buffer (rip_recvspace), so that ordinary pings keep the message sequence (and timing) they always had.
  if (datalen + ICMP_MINLEN + IP_HDR_LEN > RIP_RECVSPACE) {
    let bufspace = IP_MAXPACKET;
    while ((yield* setsockopt(ctx, s, SOL_SOCKET, SO_RCVBUF, bufspace)) < 0) {
      if ((bufspace -= 4096) <= 0) return bad('Cannot set the receive buffer size');
    }
    yield* setsockopt(ctx, s, SOL_SOCKET, SO_SNDBUF, bufspace);
  }
  const ident = ctx.pid & 0xffff;
  const timing = datalen >= PHDR_LEN;
  const st: PingState = { ntransmitted: 0, nreceived: 0, nrepeats: 0, tmin: 999999999, tmax: 0, tsum: 0, tsumsq: 0, lastrcvd: true, seen: new DupTable(PING_MAX_DUP_CHK) };
  const to = sockaddrIn(dst);
  const dstText = ipToString(dst);
  out(`PING ${hostname} (${dstText}): ${datalen} data bytes\n`);

  const packet = new Uint8Array(ICMP_MINLEN + Math.max(datalen, 0));
  for (let i = PHDR_LEN; i < datalen; i++) packet[ICMP_MINLEN + i] = i & 0xff;

  let nextTx = 0;
  let lastTx = 0;
  const last = maxwait > 0 ? ctx.now() + Math.round(maxwait * SEC) : Number.POSITIVE_INFINITY;
  let timeo = -1;

  const pinger = function* (): Co<void> {
    const now = ctx.now();
    const icp = new IcmpPacket(packet);
    icp.type = IcmpType.Echo;
    icp.code = 0;
    icp.ident = ident;
    icp.seq = st.ntransmitted & 0xffff;
    st.seen.clear(icp.seq);
    if (timing) {
      const dv = new DataView(packet.buffer, packet.byteOffset + ICMP_MINLEN, PHDR_LEN);
      dv.setUint32(0, Math.floor(now / SEC), true);
      dv.setUint32(4, Math.floor((now % SEC) / 1000), true);
    }
    icp.fillChecksum();
    const n = yield* sendto(ctx, s, dontFrag ? withHeader(packet) : packet.slice(), 0, to);
    const want = packet.length + (dontFrag ? IP_HDR_LEN : 0);
    if (n !== want) {
      if (n < 0) out(`ping: sendto: ${strerror(errno(ctx))}\n`);
      else out(`ping: wrote ${hostname} ${want} chars, ret=${n}\n`);
    }
    st.lastrcvd = false;
    st.ntransmitted++;
    lastTx = now;
    if (nextTx === 0) nextTx = now;
    if (nextTx - now <= intervalNs) {
      do nextTx += intervalNs;
      while (nextTx - now < -0.1 * SEC);
    }
    if (flood && !quiet) out('.');
  };

  for (;;) {
    const now = ctx.now();
    let wait: number;
    if (st.ntransmitted < npackets && now < last) {
      let sec = nextTx - now;
      if (nextTx === 0 || sec <= 100_000 || (st.lastrcvd && flood)) {
        yield* pinger();
        sec = nextTx - ctx.now();
      }
      wait = Math.max(0, Math.min(sec, last - ctx.now()));
    } else {
      wait = Math.max(2 * st.tmax * SEC, 10 * intervalNs) - (now - lastTx);
      wait = Math.min(wait, last - now);
      if (wait <= 0) break;
    }
    if (wait > 0 && wait !== timeo) {
      timeo = Math.round(wait);
      yield* setsockopt(ctx, s, SOL_SOCKET, SO_RCVTIMEO, timeo);
    }
    const r = yield* recvfrom(ctx, s, datalen + 60 + 76, wait > 0 ? 0 : MSG_DONTWAIT);
    if (r.n < 0) {
      const e = errno(ctx);
      if (e !== Errno.EAGAIN && e !== Errno.EINTR) out(`ping: recvfrom: ${strerror(e)}\n`);
    } else {
      prPack(r.data, r.from ? ipToString(sockaddrIp4(r.from)) : '?', ctx.now());
    }
    if (st.nreceived >= npackets || (once && st.nreceived > 0)) break;
  }

  // summary
  let text = `\n----${hostname} PING Statistics----\n`;
  text += pingCountLine(st);
  if (st.nreceived && timing) {
    const n = st.nreceived + st.nrepeats;
    const avg = st.tsum / n;
    const variance = n > 1 ? Math.max(0, (st.tsumsq - n * avg * avg) / (n - 1)) : 0;
    const f = (x: number) => (x * 1000).toFixed(3);
    text += `round-trip min/avg/max/stddev = ${f(st.tmin)}/${f(avg)}/${f(st.tmax)}/${f(Math.sqrt(variance))} ms\n`;
  }
  out(text);
  yield* close(ctx, s);
  return st.nreceived > 0 ? 0 : 2;

  /** -D: our own IP header in front (IP_HDRINCL) with DF; the stack fills source, ident and checksum. */
  function withHeader(icmp: Uint8Array): Uint8Array {
    const b = new Uint8Array(IP_HDR_LEN + icmp.length);
    const ip = new Ipv4Packet(b);
    ip.setVersionAndHeaderLen(IP_HDR_LEN);
    ip.totalLen = b.length;
    ip.flagsFrag = IP_DF;
    ip.ttl = ttl || MAXTTL;
    ip.protocol = IPPROTO_ICMP;
    ip.dst = dst!;
    b.set(icmp, IP_HDR_LEN);
    return b;
  }

  function prPack(buf: Uint8Array, from: string, now: number): void {
    // A raw socket delivers the datagram with its IP header (validated by the stack's ip_input).
    const ip = new Ipv4Packet(buf);
    const hlen = ip.headerLen;
    if (buf.length < hlen + ICMP_MINLEN) {
      if (verbose) out(`packet too short (${buf.length} bytes) from ${from}\n`);
      return;
    }
    const ttlIn = ip.ttl;
    const netLen = buf.length - hlen;
    const icp = new IcmpPacket(buf.subarray(hlen));
    if (icp.type === IcmpType.EchoReply && icp.ident === ident) {
      const seq = icp.seq;
      if (seq === ((st.ntransmitted - 1) & 0xffff)) st.lastrcvd = true;
      st.nreceived++;
      let triptime = 0;
      if (timing && icp.data.length >= PHDR_LEN) {
        const dv = new DataView(icp.data.buffer, icp.data.byteOffset, PHDR_LEN);
        const sent = dv.getUint32(0, true) * SEC + dv.getUint32(4, true) * 1000;
        triptime = (now - sent) / SEC;
        st.tsum += triptime;
        st.tsumsq += triptime * triptime;
        if (triptime < st.tmin) st.tmin = triptime;
        if (triptime > st.tmax) st.tmax = triptime;
      }
      let dup = false;
      if (st.seen.seen(seq)) {
        st.nrepeats++;
        st.nreceived--;
        dup = true;
      }
      if (quiet) return;
      if (flood) {
        out('\b');
        return;
      }
      let line = `${netLen} bytes from ${from}: icmp_seq=${seq}${dup ? ' DUP!' : ''} ttl=${ttlIn}`;
      if (timing) line += ` time=${(triptime * 1000).toFixed(3)} ms`;
      out(`${line}\n`);
      return;
    }
    // Other ICMP: report errors about our own packets (Destination Unreachable, TTL exceeded).
    const t = icp.type;
    if (t !== IcmpType.Unreach && t !== IcmpType.TimeExceeded && t !== IcmpType.SourceQuench) {
      if (verbose && t !== IcmpType.EchoReply) out(`${netLen} bytes from ${from}: type ${t}\n`);
      return;
    }
    // The quoted datagram: its IP header and the first 8 bytes of our echo request (type … seq).
    const q = new Ipv4Packet(icp.data);
    const qicp = new IcmpPacket(q.buf.subarray(q.headerLen));
    const about = q.buf.length >= q.headerLen + ICMP_MINLEN && q.protocol === IPPROTO_ICMP && qicp.ident === ident;
    if (!about && !verbose) return;
    if (quiet) return;
    let text = `${netLen} bytes from ${from}: `;
    if (t === IcmpType.Unreach) text += UNREACH[icp.code] ?? `Destination Unreachable, Bad Code: ${icp.code}`;
    if (t === IcmpType.Unreach && icp.code === 4) text += ` (MTU ${icp.rest & 0xffff})`;
    else if (t === IcmpType.TimeExceeded) text += icp.code === 0 ? 'Time To Live exceeded' : 'Frag reassembly time exceeded';
    else text += 'Source Quench';
    if (about) text += ` for icmp_seq=${qicp.seq}`;
    out(`${text}\n`);
  }
};
