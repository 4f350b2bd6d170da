/**
 * ttcp (Test TCP, Muuss/Slattery, BRL 1984–85, with SGI's 1989–91 changes): throughput between two hosts.
 *
 *   ttcp -t [-options] host        transmit: connect to host and write -n buffers of -l bytes
 *   ttcp -r [-options]             receive: accept one connection and read until end of stream
 *
 * Common options: -l buflen (8192), -u (UDP), -p port (5001), -s (-t: source a pattern to the network;
 * -r: sink (discard) what arrives), -A align / -O offset (accepted; our buffers have no addresses),
 * -v (also CPU seconds), -d (SO_DEBUG), -b size (SO_SNDBUF/SO_RCVBUF), -f k|K|m|M|g|G (rate unit).
 * -t only: -n numbufs (2048), -D (TCP_NODELAY). -r only: -B (fill whole -l blocks), -T (touch every byte).
 *
 * Without -s the transmitter sends standard input and the receiver prints what arrives: our programs have
 * no standard input, so `ttcp -t` without -s sends nothing; use -s. With -u the transmitter brackets the
 * data with 4-byte sentinel datagrams (one before, four after) that start and stop the receiver's clock.
 * Time is the node's clock (virtual time), so the rates are those of the simulated hardware:
 *
 *   ttcp-t: buflen=8192, nbuf=128, align=16384/0, port=5001  tcp  -> 10.0.0.2
 *   ttcp-t: socket
 *   ttcp-t: connect
 *   ttcp-t: 1048576 bytes in 0.93 real seconds = 1101.23 KB/sec +++
 *   ttcp-t: 128 I/O calls, msec/call = 7.44, calls/sec = 137.63
 *
 * (msec/call is 1024 × real seconds / calls, as ttcp has always computed it.) Diagnostics (socket, connect,
 * accept from …) go to stderr in ttcp; here stdout and stderr are one console.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { Errno } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt, strtol } from '../lib/getopt';
import { accept, bind, close, connect, errno, listen, recvfrom, send, sendto, setsockopt, socket } from '../lib/socket';
import { IPPROTO_TCP, sockaddrIn, type SockAddr } from '../include/netinet/in';
import { TCP_NODELAY } from '../include/netinet/tcp';
import { AF_INET, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_DEBUG, SO_RCVBUF, SO_SNDBUF } from '../include/sys/socket';
import { ipToString, parseIpv4 } from '../net/wire/addr';
import { ncPattern } from './nc-args';

const USAGE = `Usage: ttcp -t [-options] host [ < in ]
       ttcp -r [-options > out]
Common options:
	-l ##	length of bufs read from or written to network (default 8192)
	-u	use UDP instead of TCP
	-p ##	port number to send to or listen at (default 5001)
	-s	-t: source a pattern to network
		-r: sink (discard) all data from network
	-A	align the start of buffers to this modulus (default 16384)
	-O	start buffers at this offset from the modulus (default 0)
	-v	verbose: print more statistics
	-d	set SO_DEBUG socket option
	-b ##	set socket buffer size (if supported)
	-f X	format for rate: k,K = kilo{bit,byte}; m,M = mega; g,G = giga
Options specific to -t:
	-n##	number of source bufs written to network (default 2048)
	-D	don't buffer TCP writes (sets TCP_NODELAY socket option)
Options specific to -r:
	-B	for -s, only output full blocks as specified by -l (for TAR)
	-T	"touch": access each byte as it's read
`;

/** ENOBUFS on a UDP send: ttcp waits 18 ms (delay(18000)) and tries again. */
const UDP_ENOBUFS_DELAY_NS = 18_000_000;

/** outfmt(): the rate in the unit -f asks for ("1101.23 KB", "9.02 Mbit"). */
export function outfmt(bytesPerSec: number, fmt: string): string {
  switch (fmt) {
    case 'G': return `${(bytesPerSec / 1024 / 1024 / 1024).toFixed(2)} GB`;
    case 'K': return `${(bytesPerSec / 1024).toFixed(2)} KB`;
    case 'M': return `${(bytesPerSec / 1024 / 1024).toFixed(2)} MB`;
    case 'g': return `${((bytesPerSec * 8) / 1024 / 1024 / 1024).toFixed(2)} Gbit`;
    case 'k': return `${((bytesPerSec * 8) / 1024).toFixed(2)} Kbit`;
    case 'm': return `${((bytesPerSec * 8) / 1024 / 1024).toFixed(2)} Mbit`;
    default: return `${(bytesPerSec / 1024).toFixed(2)} KB`;
  }
}

/** The closing lines: bytes and rate, I/O calls (msec/call with ttcp's factor 1024), CPU with -v. */
export function ttcpReport(tag: string, nbytes: number, realNs: number, calls: number, fmt: string, cpuNs: number | null): string {
  const realt = realNs > 0 ? realNs / 1e9 : 0.001;
  let t = `ttcp${tag}: ${nbytes} bytes in ${realt.toFixed(2)} real seconds = ${outfmt(nbytes / realt, fmt)}/sec +++\n`;
  if (cpuNs !== null) {
    const cput = cpuNs > 0 ? cpuNs / 1e9 : 0.001;
    t += `ttcp${tag}: ${nbytes} bytes in ${cput.toFixed(2)} CPU seconds = ${outfmt(nbytes / cput, fmt)}/cpu sec\n`;
  }
  const c = Math.max(calls, 1);
  t += `ttcp${tag}: ${calls} I/O calls, msec/call = ${((1024 * realt) / c).toFixed(2)}, calls/sec = ${(calls / realt).toFixed(2)}\n`;
  return t;
}

interface TtcpOptions {
  trans: boolean;
  udp: boolean;
  buflen: number;
  nbuf: number;
  port: number;
  sink: boolean;
  align: number;
  offset: number;
  verbose: boolean;
  debug: boolean;
  sockbuf: number;
  fmt: string;
  nodelay: boolean;
  host: string | null;
}

function parse(argv: string[]): TtcpOptions | null {
  const g = getopt(argv, 'trdDn:l:sp:uvA:O:b:f:BT');
  if (g.errors.length) return null;
  const o: TtcpOptions = {
    trans: false, udp: false, buflen: 8192, nbuf: 2048, port: 5001, sink: false, align: 16384, offset: 0, verbose: false,
    debug: false, sockbuf: 0, fmt: 'K', nodelay: false, host: null,
  };
  let mode = false;
  for (const { opt, arg } of g.opts) {
    const n = arg === null ? null : strtol(arg);
    const num = () => (n === null || n < 0 ? NaN : n);
    switch (opt) {
      case 't': o.trans = true; mode = true; break;
      case 'r': o.trans = false; mode = true; break;
      case 'd': o.debug = true; break;
      case 'D': o.nodelay = true; break;
      case 'n': o.nbuf = num(); break;
      case 'l': o.buflen = num(); break;
      case 's': o.sink = true; break;
      case 'p': o.port = num(); break;
      case 'u': o.udp = true; break;
      case 'v': o.verbose = true; break;
      case 'A': o.align = num(); break;
      case 'O': o.offset = num(); break;
      case 'b': o.sockbuf = num(); break;
      case 'f': o.fmt = arg ?? 'K'; break;
      case 'B': case 'T': break;
    }
  }
  if (!mode || [o.nbuf, o.buflen, o.port, o.align, o.offset, o.sockbuf].some((v) => !Number.isFinite(v))) return null;
  if (o.buflen < 1 || o.port < 1 || o.port > 65535) return null;
  if (o.trans) {
    if (g.operands.length !== 1) return null;
    o.host = g.operands[0]!;
  } else if (g.operands.length !== 0) return null;
  if (o.udp && o.buflen < 5) o.buflen = 5; // more than the sentinel size
  return o;
}

/** CPU time of this process so far (getrusage: user + system; our threads' run time). */
function cpuNs(ctx: ThreadCtx): number {
  const me = ctx.processes().find((p) => p.pid === ctx.pid);
  return me ? me.threads.reduce((n, t) => n + t.cpuTimeNs, 0) : 0;
}

export const ttcp: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const o = parse(argv);
  if (!o) {
    ctx.print(USAGE);
    return 1;
  }
  const tag = o.trans ? '-t' : '-r';
  const proto = o.udp ? 'udp' : 'tcp';
  const mes = (s: string) => ctx.print(`ttcp${tag}: ${s}\n`);
  /** err(): "ttcp-t: connect: Connection refused" then errno=, exit 1. */
  const fail = function* (what: string, e: number, fd: number): Co<number> {
    ctx.print(`ttcp${tag}: ${what}: ${strerror(e)}\nerrno=${e}\n`);
    if (fd >= 0) yield* close(ctx, fd);
    return 1;
  };
  let him: SockAddr | null = null;
  if (o.trans) {
    const a = parseIpv4(o.host!);
    if (a === null) {
      ctx.print(`ttcp${tag}: bad hostname\n`);
      return 1;
    }
    him = sockaddrIn(a, o.port);
    mes(`buflen=${o.buflen}, nbuf=${o.nbuf}, align=${o.align}/${o.offset}, port=${o.port}  ${proto}  -> ${o.host}`);
  } else {
    mes(`buflen=${o.buflen}, nbuf=${o.nbuf}, align=${o.align}/${o.offset}, port=${o.port}  ${proto}`);
  }
  let fd = yield* socket(ctx, AF_INET, o.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (fd < 0) return yield* fail('socket', errno(ctx), -1);
  mes('socket');
  if ((yield* bind(ctx, fd, sockaddrIn(0, o.trans ? 0 : o.port))) < 0) return yield* fail('bind', errno(ctx), fd);
  if (o.sockbuf > 0 && (yield* setsockopt(ctx, fd, SOL_SOCKET, o.trans ? SO_SNDBUF : SO_RCVBUF, o.sockbuf)) < 0) {
    return yield* fail('setsockopt', errno(ctx), fd);
  }
  if (!o.udp) {
    if (o.trans) {
      if (o.debug && (yield* setsockopt(ctx, fd, SOL_SOCKET, SO_DEBUG, 1)) < 0) return yield* fail('setsockopt', errno(ctx), fd);
      if (o.nodelay) {
        if ((yield* setsockopt(ctx, fd, IPPROTO_TCP, TCP_NODELAY, 1)) < 0) return yield* fail('setsockopt: nodelay', errno(ctx), fd);
        mes('nodelay');
      }
      if ((yield* connect(ctx, fd, him!)) < 0) return yield* fail('connect', errno(ctx), fd);
      mes('connect');
    } else {
      // listen(fd, 0): "allow a queue of 0" (the stack rounds a zero backlog up to one connection).
      if ((yield* listen(ctx, fd, 0)) < 0) return yield* fail('listen', errno(ctx), fd);
      if (o.debug && (yield* setsockopt(ctx, fd, SOL_SOCKET, SO_DEBUG, 1)) < 0) return yield* fail('setsockopt', errno(ctx), fd);
      const a = yield* accept(ctx, fd);
      if (a.fd < 0) return yield* fail('accept', errno(ctx), fd);
      yield* close(ctx, fd);
      fd = a.fd;
      mes(`accept from ${a.addr && a.addr.family === AF_INET ? ipToString(a.addr.addr) : '?'}`);
    }
  }

  let nbytes = 0;
  let calls = 0;
  let ioError = 0;
  let t0 = ctx.now();
  let cpu0 = cpuNs(ctx);
  /** Nwrite(): one send (UDP: sendto, retried after 18 ms on ENOBUFS). */
  const nwrite = function* (b: Uint8Array): Co<number> {
    for (;;) {
      const n = o.udp ? yield* sendto(ctx, fd, b, 0, him) : yield* send(ctx, fd, b, 0);
      calls++;
      if (n < 0 && o.udp && errno(ctx) === Errno.ENOBUFS) {
        yield* ctx.sleep(UDP_ENOBUFS_DELAY_NS);
        continue;
      }
      if (n < 0) ioError = errno(ctx);
      return n;
    }
  };
  /** Nread(): one recv. */
  const nread = function* (): Co<number> {
    const r = yield* recvfrom(ctx, fd, o.buflen);
    calls++;
    if (r.n < 0) ioError = errno(ctx);
    else if (!o.sink && r.n > 0) ctx.print(new TextDecoder().decode(r.data));
    return r.n;
  };

  if (o.trans) {
    const buf = ncPattern(0, o.buflen);
    if (o.udp) yield* nwrite(buf.subarray(0, 4)); // receiver start
    // Without -s the data is standard input, which a simulated program does not have: nothing to send.
    let left = o.sink ? o.nbuf : 0;
    while (left-- > 0) {
      // A blocking stream send queues everything; a short count would mean the connection failed.
      const n = yield* nwrite(buf);
      if (n !== o.buflen) break;
      nbytes += o.buflen;
    }
  } else if (o.udp) {
    let going = false;
    for (;;) {
      const cnt = yield* nread();
      if (cnt < 0) break;
      if (cnt <= 4) {
        if (going) break;
        going = true;
        t0 = ctx.now();
        cpu0 = cpuNs(ctx);
      } else {
        nbytes += cnt;
      }
    }
  } else {
    for (;;) {
      const cnt = yield* nread();
      if (cnt <= 0) break;
      nbytes += cnt;
    }
  }
  const realNs = ctx.now() - t0;
  const cpu = cpuNs(ctx) - cpu0;
  if (ioError) return yield* fail('IO', ioError, fd);
  if (o.udp && o.trans) for (let i = 0; i < 4; i++) yield* nwrite(ncPattern(0, 4)); // receiver end
  ctx.print(ttcpReport(tag, nbytes, realNs, calls, o.fmt, o.verbose ? cpu : null));
  yield* close(ctx, fd);
  return 0;
};
