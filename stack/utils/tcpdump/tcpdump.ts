/**
 * tcpdump (tcpdump 4.x as QNX ships it, over libpcap's /dev/bpf back end): capture on an interface (-i, else
 * pcap_lookupdev's first up non-loopback one) with a pcap-filter expression compiled to classic BPF and
 * installed with BIOCSETF, print one line per packet (print-*.ts) or write a pcap savefile (-w, one record
 * appended per packet so a killed tcpdump leaves a valid file), read a savefile (-r, filtered in userland as
 * pcap_offline_filter does), dump the compiled program (-d/-dd/-ddd), and report the capture statistics
 * (BIOCGSTATS) after -c packets or on SIGTERM. Timestamps are the node's virtual time of day (time 0 is
 * 00:00:00). Exit status 0, or 1 on a bad expression, device or file.
 */
import type { Co, ProgramMain, ThreadCtx } from '../../kernel/api';
import type { BpfInsn } from '../../include/net/bpf';
import { bpfFilter, bpfValidate } from '../../net/bpf-filter';
import { strerror } from '../../lib/errno';
import { parseHosts, pcapCompile, PcapCompileError } from '../../lib/pcap/compile';
import { bpfDump } from '../../lib/pcap/dump';
import { pcapClose, pcapLookupdev, pcapOpenLive, pcapRead, pcapSetfilter, pcapStats, type PcapLive } from '../../lib/pcap/pcap';
import { readSavefile, savefileHeader, savefileRecord } from '../../lib/pcap/savefile';
import { newNdo, type Ndo } from './ndo';
import { DLT_NAMES, DLT_PFLOG, etherPrint, hexDump, linkHdrLen, pflogPrint } from './print-link';
import { parseOptions, USAGE, type TcpdumpOptions } from './options';

/**
 * CPU of tcpdump's own work, charged to its thread: decoding and formatting one line (a few hundred
 * instructions of printf and table look-ups, ~15 µs on the 2010-era x86 targets the CPU model stands for),
 * and per byte of a -x/-X dump (one sprintf per byte pair, ~50 ns a byte).
 */
export const TCPDUMP_PRINT_NS = 15_000;
export const TCPDUMP_HEX_PER_BYTE_NS = 50;
/** pcap_compile per emitted instruction (parsing, block building and layout: a few µs for a typical filter). */
export const PCAP_COMPILE_PER_INSN_NS = 200;
/** pcap_offline_filter on one savefile record: the userland bpf_filter run (tens of instructions at ~5 ns). */
export const PCAP_OFFLINE_FILTER_NS = 200;
/** tcpdump's pcap_open_live read timeout (to_ms = 1000). */
const READ_TIMEOUT_NS = 1_000_000_000;

interface Packet {
  tsSec: number;
  tsUsec: number;
  len: number;
  data: Uint8Array;
}

/** ts_format for -t levels: `HH:MM:SS.uuuuuu ` (the default), nothing (-t), `sec.usec ` (-tt). */
function tsString(o: TcpdumpOptions, p: Packet): string {
  const us = String(p.tsUsec).padStart(6, '0');
  if (o.tflag === 1) return '';
  if (o.tflag >= 2) return `${p.tsSec}.${us} `;
  const s = p.tsSec % 86400;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${us} `;
}

function printPacket(ctx: ThreadCtx, o: TcpdumpOptions, ndo: Ndo, dlt: number, p: Packet): void {
  ctx.charge(TCPDUMP_PRINT_NS);
  let line = tsString(o, p) + (dlt === DLT_PFLOG ? pflogPrint(ndo, p.data, p.len) : etherPrint(ndo, p.data, p.len));
  if (o.xflag || o.Xflag) {
    // -x/-X leave out the link-layer header; -xx/-XX include it.
    const from = Math.max(o.xflag, o.Xflag) >= 2 ? 0 : Math.min(linkHdrLen(dlt, p.data), p.data.length);
    const bytes = p.data.subarray(from);
    ctx.charge(bytes.length * TCPDUMP_HEX_PER_BYTE_NS);
    line += hexDump(bytes, o.Xflag > 0);
  }
  ctx.print(line + '\n');
}

function linkTypeText(dlt: number): string {
  const n = DLT_NAMES[dlt];
  return n ? `${n[0]} (${n[1]})` : `${dlt}`;
}

function* loadHosts(ctx: ThreadCtx): Co<Map<string, number[]>> {
  const h = ctx.fileRead ? yield* ctx.fileRead('/etc/hosts') : null;
  return h ? parseHosts(new TextDecoder().decode(h)) : new Map();
}

function compile(ctx: ThreadCtx, o: TcpdumpOptions, dlt: number, hosts: Map<string, number[]>): BpfInsn[] | null {
  try {
    const prog = pcapCompile(o.expression, { dlt, snaplen: o.snaplen, hosts });
    ctx.charge(prog.length * PCAP_COMPILE_PER_INSN_NS);
    return prog;
  } catch (e) {
    if (e instanceof PcapCompileError) {
      ctx.print(`tcpdump: ${e.message}\n`);
      return null;
    }
    throw e;
  }
}

export const tcpdump: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const o = parseOptions(argv);
  if ('error' in o) {
    ctx.print(`${o.error}\n${o.usage ? USAGE : ''}`);
    return 1;
  }
  const ndo = newNdo();
  Object.assign(ndo, { eflag: o.eflag, nflag: o.nflag, qflag: o.qflag, vflag: o.vflag, Sflag: o.Sflag });
  const hosts = yield* loadHosts(ctx);
  if (o.readFile !== null) return yield* offline(ctx, o, ndo, hosts, o.readFile);

  let device = o.device;
  if (device === null) {
    const r = yield* pcapLookupdev(ctx);
    if ('error' in r) {
      ctx.print(`tcpdump: ${r.error}\n`);
      return 1;
    }
    device = r.dev;
  }
  const p = yield* pcapOpenLive(ctx, device, { snaplen: o.snaplen, promisc: o.promisc, immediate: o.writeFile === null, timeoutNs: READ_TIMEOUT_NS });
  if ('error' in p) {
    ctx.print(`tcpdump: ${p.error}\n`);
    return 1;
  }
  const prog = compile(ctx, o, p.dlt, hosts);
  if (!prog) {
    yield* pcapClose(ctx, p);
    return 1;
  }
  if (o.dflag) {
    ctx.print(bpfDump(prog, o.dflag));
    yield* pcapClose(ctx, p);
    return 0;
  }
  const err = yield* pcapSetfilter(ctx, p, prog);
  if (err) {
    ctx.print(`tcpdump: ${err}\n`);
    yield* pcapClose(ctx, p);
    return 1;
  }
  if (o.writeFile !== null) {
    const e = ctx.fileWrite ? yield* ctx.fileWrite(o.writeFile, savefileHeader(o.snaplen, p.dlt), false) : 30;
    if (e !== 0) {
      ctx.print(`tcpdump: ${o.writeFile}: ${strerror(e)}\n`);
      yield* pcapClose(ctx, p);
      return 1;
    }
    ctx.print(`tcpdump: listening on ${device}, link-type ${linkTypeText(p.dlt)}, capture size ${o.snaplen} bytes\n`);
  } else {
    if (!o.vflag) ctx.print('tcpdump: verbose output suppressed, use -v or -vv for full protocol decode\n');
    ctx.print(`listening on ${device}, link-type ${linkTypeText(p.dlt)}, capture size ${o.snaplen} bytes\n`);
  }
  return yield* live(ctx, o, ndo, p);
};

function summary(captured: number, st: { recv: number; drop: number }): string {
  const pl = (n: number) => (n === 1 ? '' : 's');
  return `${captured} packet${pl(captured)} captured\n${st.recv} packet${pl(st.recv)} received by filter\n` +
    `${st.drop} packet${pl(st.drop)} dropped by kernel\n`;
}

function* live(ctx: ThreadCtx, o: TcpdumpOptions, ndo: Ndo, p: PcapLive): Co<number> {
  let captured = 0;
  let last = { recv: 0, drop: 0 };
  // cleanup() on SIGTERM: a newline, then the statistics. The hook cannot send messages, so the kernel's
  // counters are those of the last BIOCGSTATS, taken after every read.
  ctx.onTerminate(() => ctx.print(`\n${summary(captured, last)}`));
  for (;;) {
    const recs = yield* pcapRead(ctx, p);
    if ('error' in recs) {
      ctx.print(`tcpdump: pcap_loop: ${recs.error}\n`);
      return 1;
    }
    for (const r of recs) {
      const pkt: Packet = { tsSec: r.tstampSec, tsUsec: r.tstampUsec, len: r.datalen, data: r.data };
      captured++;
      if (o.writeFile !== null && ctx.fileWrite) {
        yield* ctx.fileWrite(o.writeFile, savefileRecord({ tsSec: pkt.tsSec, tsUsec: pkt.tsUsec, len: pkt.len, data: pkt.data }), true);
      } else printPacket(ctx, o, ndo, p.dlt, pkt);
      if (o.count !== null && captured >= o.count) break;
    }
    last = (yield* pcapStats(ctx, p)) ?? last;
    if (o.count !== null && captured >= o.count) break;
  }
  ctx.print(summary(captured, last));
  yield* pcapClose(ctx, p);
  return 0;
}

function* offline(ctx: ThreadCtx, o: TcpdumpOptions, ndo: Ndo, hosts: Map<string, number[]>, file: string): Co<number> {
  const buf = ctx.fileRead ? yield* ctx.fileRead(file) : null;
  if (!buf) {
    ctx.print(`tcpdump: ${file}: ${strerror(2)}\n`);
    return 1;
  }
  const sf = readSavefile(buf);
  if (!('header' in sf)) {
    ctx.print(`tcpdump: ${sf.error}\n`);
    return 1;
  }
  const prog = compile(ctx, o, sf.header.linktype, hosts);
  if (!prog) return 1;
  // install_bpf_program: libpcap validates a program it will run itself.
  if (!o.dflag && bpfValidate(prog) !== null) {
    ctx.print('tcpdump: BPF program is not valid\n');
    return 1;
  }
  if (o.dflag) {
    ctx.print(bpfDump(prog, o.dflag));
    return 0;
  }
  ctx.print(`reading from file ${file}, link-type ${linkTypeText(sf.header.linktype)}\n`);
  let n = 0;
  for (const r of sf.records) {
    ctx.charge(PCAP_OFFLINE_FILTER_NS);
    if (bpfFilter(prog, r.data, r.len) === 0) continue;
    printPacket(ctx, o, ndo, sf.header.linktype, { tsSec: r.tsSec, tsUsec: r.tsUsec, len: r.len, data: r.data });
    if (o.count !== null && ++n >= o.count) return 0;
  }
  if (sf.error) {
    ctx.print(`tcpdump: pcap_loop: ${sf.error}\n`);
    return 1;
  }
  return 0;
}
