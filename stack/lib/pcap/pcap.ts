/**
 * libpcap's live capture over /dev/bpf (pcap-bpf.c) for the node's programs: pcap_lookupdev (the first
 * interface that is up and not a loopback), pcap_open_live (open the cloning device, BIOCSBLEN before
 * BIOCSETIF, BIOCSETIF, BIOCGDLT, BIOCPROMISC unless -p, BIOCIMMEDIATE when asked, a read timeout),
 * pcap_setfilter (BIOCSETF), pcap_dispatch (one read(2), its records walked with bpfRecords), pcap_stats
 * (BIOCGSTATS) and pcap_close. Errors are the texts libpcap puts in its errbuf.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { bpfRecords, type BpfInsn, type BpfRecord } from '../../include/net/bpf';
import { IFF_LOOPBACK, IFF_UP } from '../../net/if';
import { bpfClose, bpfIoctl, bpfOpen, bpfRead } from '../bpf';
import { strerror } from '../errno';
import { AF_INET, SOCK_DGRAM } from '../../include/sys/socket';
import { errno, ioctl, close as closeSock, socket } from '../socket';

export interface PcapLive {
  fd: number;
  device: string;
  bufsize: number;
  dlt: number;
  snaplen: number;
}

export interface PcapOpenOptions {
  snaplen: number;
  promisc: boolean;
  immediate: boolean;
  /** The read timeout (to_ms), in ns; 0 = none. */
  timeoutNs: number;
}

/** pcap_lookupdev: the first up, non-loopback interface (SIOCGIFCONF order), or an error text. */
export function* pcapLookupdev(ctx: ThreadCtx): Co<{ dev: string } | { error: string }> {
  const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return { error: `socket: ${strerror(errno(ctx))}` };
  const r = yield* ioctl(ctx, s, 'SIOCGIFCONF', {});
  yield* closeSock(ctx, s);
  if (!r) return { error: `SIOCGIFCONF: ${strerror(errno(ctx))}` };
  const ifs = (r.data as { ifs: { name: string; flags: number }[] }).ifs;
  const dev = ifs.find((i) => (i.flags & IFF_UP) !== 0 && (i.flags & IFF_LOOPBACK) === 0);
  return dev ? { dev: dev.name } : { error: 'no suitable device found' };
}

/** pcap_open_live over /dev/bpf. */
export function* pcapOpenLive(ctx: ThreadCtx, device: string, o: PcapOpenOptions): Co<PcapLive | { error: string }> {
  const fd = yield* bpfOpen(ctx);
  if (fd < 0) return { error: `(no devices found) /dev/bpf: ${strerror(errno(ctx))}` };
  const fail = function* (what: string): Co<{ error: string }> {
    const e = errno(ctx);
    yield* bpfClose(ctx, fd);
    return { error: what + strerror(e) };
  };
  const v = yield* bpfIoctl(ctx, fd, 'BIOCVERSION');
  if (!v) return yield* fail('BIOCVERSION: ');
  // BIOCSBLEN must come before BIOCSETIF (pcap-bpf.c asks for a bigger buffer; the kernel clamps it).
  yield* bpfIoctl(ctx, fd, 'BIOCSBLEN', { len: 32768 });
  if (!(yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: device }))) return yield* fail(`BIOCSETIF: ${device}: `);
  const dlt = yield* bpfIoctl(ctx, fd, 'BIOCGDLT');
  if (!dlt) return yield* fail('BIOCGDLT: ');
  const blen = yield* bpfIoctl(ctx, fd, 'BIOCGBLEN');
  if (!blen) return yield* fail('BIOCGBLEN: ');
  if (o.promisc && !(yield* bpfIoctl(ctx, fd, 'BIOCPROMISC'))) return yield* fail('BIOCPROMISC: ');
  if (o.immediate) yield* bpfIoctl(ctx, fd, 'BIOCIMMEDIATE', { on: 1 });
  if (o.timeoutNs > 0) yield* bpfIoctl(ctx, fd, 'BIOCSRTIMEOUT', { ns: o.timeoutNs });
  return { fd, device, bufsize: blen.len as number, dlt: dlt.dlt as number, snaplen: o.snaplen };
}

/** pcap_setfilter: install a compiled program (BIOCSETF). Null on success, else the error text. */
export function* pcapSetfilter(ctx: ThreadCtx, p: PcapLive, prog: BpfInsn[]): Co<string | null> {
  return (yield* bpfIoctl(ctx, p.fd, 'BIOCSETF', { insns: prog })) ? null : `BIOCSETF: ${strerror(errno(ctx))}`;
}

/** pcap_dispatch's read: the records of one buffer (possibly none after a timeout), or an error text. */
export function* pcapRead(ctx: ThreadCtx, p: PcapLive): Co<BpfRecord[] | { error: string }> {
  const buf = yield* bpfRead(ctx, p.fd, p.bufsize);
  if (!buf) return { error: `read: ${strerror(errno(ctx))}` };
  return bpfRecords(buf);
}

/** pcap_stats: ps_recv and ps_drop from BIOCGSTATS. */
export function* pcapStats(ctx: ThreadCtx, p: PcapLive): Co<{ recv: number; drop: number } | null> {
  const r = yield* bpfIoctl(ctx, p.fd, 'BIOCGSTATS');
  return r ? { recv: r.recv as number, drop: r.drop as number } : null;
}

export function* pcapClose(ctx: ThreadCtx, p: PcapLive): Co<void> {
  yield* bpfClose(ctx, p.fd);
}
