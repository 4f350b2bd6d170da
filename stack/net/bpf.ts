/**
 * The Berkeley Packet Filter of one io-pkt (NetBSD sys/net/bpf.c): descriptors opened on /dev/bpf, each bound
 * to an interface (BIOCSETIF) with an optional filter program (BIOCSETF, bpf-filter.ts), and the taps the
 * stack calls where frames enter (ether_input) and leave (the queue onto if_snd). Each descriptor double-
 * buffers as bpf.c does: packets are appended to the store buffer (catchpacket); when it is full it rotates to
 * the hold buffer, which read() returns whole; a packet arriving while both are full is dropped (bs_drop).
 * A read must ask for exactly the buffer size (EINVAL otherwise); it returns at once in immediate mode
 * (BIOCIMMEDIATE) when anything is stored, else when the hold buffer fills or the read timeout
 * (BIOCSRTIMEOUT) expires (then with what is stored, possibly nothing: a 0-byte read). A write sends one complete link-layer frame out the bound interface.
 *
 * Records are struct bpf_hdr (SIZEOF_BPF_HDR) padded so the network header after the link header is word
 * aligned (Ethernet: bh_hdrlen = BPF_WORDALIGN(14 + 18) - 14 = 18; pflog0, DLT_PFLOG with its 48-byte
 * pfloghdr: BPF_WORDALIGN(48 + 18) - 48 = 20), each record padded to a word. The link type is the
 * interface's (ifp.dlt, BIOCGDLT). BIOCPROMISC takes a reference on the interface's promiscuous mode
 * (ifpromisc) that close or a new BIOCSETIF gives back; the driver reprograms the NIC each time the flag changes.
 * Timestamps are the stack's virtual time. Packets a descriptor's own write sends are seen by it too
 * unless BIOCSSEESENT 0, as in NetBSD.
 */
import { ifPcount, ifpromisc } from './if-promisc';
import { Errno } from '../kernel/api';
import {
  BPF_BUFSIZE, BPF_MAJOR_VERSION, BPF_MAXBUFSIZE, BPF_MINBUFSIZE, BPF_MINOR_VERSION, BPF_WORDALIGN, DLT_EN10MB,
  SIZEOF_BPF_HDR, type BpfInsn,
} from '../include/net/bpf';
import { bpfFilter, bpfValidate } from './bpf-filter';
import { IFF_PROMISC, type Ifnet } from './if';
import { DLT_PFLOG, PFLOG_HDRLEN } from '../include/net/pfvar';
import type { NetStack } from './stack';
import { ETHER_HDR_LEN } from './wire/ethernet';

/**
 * CPU of bpf_mtap per listening descriptor (ns): the descriptor walk, the filter call and catchpacket's
 * bookkeeping, ~200 cycles at the ~1 GHz the CPU model stands for; plus BPF_INSN_NS per filter instruction
 * executed (bpf_filter's switch dispatch and operation, ~10 cycles), so libpcap's longer unoptimised programs
 * cost more than a 4-instruction EAPOL test; plus the copy (BPF_COPY_PER_BYTE_NS).
 */
export const BPF_TAP_NS = 200;
export const BPF_INSN_NS = 10;
export const BPF_COPY_PER_BYTE_NS = 0.5;

/** A reader blocked in read(): answered with the hold buffer, or an errno (EAGAIN on timeout, EBADF on close). */
export interface BpfReader {
  reply(data: Uint8Array | number): void;
}

export class BpfDesc {
  ifp: Ifnet | null = null;
  filter: BpfInsn[] | null = null;
  bufsize = BPF_BUFSIZE;
  immediate = false;
  seesent = true;
  hdrcmplt = false;
  promisc = false;
  rtimeoutNs = 0;
  store: Uint8Array[] = [];
  storeLen = 0;
  hold: Uint8Array[] | null = null;
  holdLen = 0;
  recv = 0;
  drop = 0;
  reader: BpfReader | null = null;
  private timer: ReturnType<NetStack['schedule']> | null = null;

  constructor(readonly id: number) {}

  clearTimer(s: NetStack): void {
    if (this.timer) s.callouts.cancel(this.timer);
    this.timer = null;
  }

  setTimer(s: NetStack, fn: () => void): void {
    this.clearTimer(s);
    this.timer = s.schedule(this.rtimeoutNs, 'bpf_timed_out', fn);
  }
}

/** The link-layer header length bpfattach gives each link type (ether 14, pflog PFLOG_HDRLEN). */
export function bpfLinkHdrLen(dlt: number): number {
  return dlt === DLT_PFLOG ? PFLOG_HDRLEN : ETHER_HDR_LEN;
}

export class Bpf {
  private readonly descs = new Map<number, BpfDesc>();
  private nextId = 0;

  constructor(private readonly s: NetStack) {}

  open(): BpfDesc {
    const d = new BpfDesc(this.nextId++);
    this.descs.set(d.id, d);
    return d;
  }

  close(d: BpfDesc): void {
    this.detach(d);
    d.reader?.reply(Errno.EBADF);
    d.reader = null;
    d.clearTimer(this.s);
    this.descs.delete(d.id);
  }

  private detach(d: BpfDesc): void {
    if (d.ifp && d.promisc) this.setPromisc(d.ifp, d, false);
    d.ifp = null;
  }

  /**
   * ifpromisc(ifp, on): the first reference sets IFF_PROMISC and the last one clears it (unless ifconfig had
   * set it before), and either way the driver reprograms its receive filter (its setFilter, as SIOCSIFFLAGS
   * would run it) so the NIC itself accepts or refuses frames for other stations.
   */
  private setPromisc(ifp: Ifnet, d: BpfDesc, on: boolean): void {
    d.promisc = on;
    const changed = ifpromisc(ifp, on);
    this.s.env.trace('bpf', 'promisc', 0, { if: ifp.name, on, pcount: ifPcount(ifp) });
    if (changed && ifp.ops.setFilter) this.s.env.setFilter?.(ifp);
  }


  /** bpfioctl. Returns reply data (an object) or an errno. */
  ioctl(d: BpfDesc, cmd: string, arg: Record<string, unknown>): Record<string, unknown> | number {
    const on = arg.on === undefined ? true : Boolean(arg.on);
    switch (cmd) {
      case 'BIOCSETIF': {
        const ifp = this.s.ifs.list.find((i) => i.name === arg.ifname);
        if (!ifp) return Errno.ENXIO;
        this.detach(d);
        d.ifp = ifp;
        this.reset(d);
        return {};
      }
      case 'BIOCGETIF':
        return d.ifp ? { ifname: d.ifp.name } : Errno.EINVAL;
      case 'BIOCSETF': {
        const insns = arg.insns;
        if (insns === null || insns === undefined) d.filter = null;
        else {
          if (!Array.isArray(insns)) return Errno.EINVAL;
          const prog = insns as BpfInsn[];
          const why = bpfValidate(prog);
          if (why) {
            this.s.env.trace('bpf', 'setf-refused', 0, { d: d.id, why });
            return Errno.EINVAL;
          }
          d.filter = prog.map((i) => ({ code: i.code, jt: i.jt, jf: i.jf, k: i.k >>> 0 }));
        }
        this.reset(d);
        return {};
      }
      case 'BIOCIMMEDIATE':
        d.immediate = on;
        return {};
      case 'BIOCGBLEN':
        return { len: d.bufsize };
      case 'BIOCSBLEN': {
        if (d.ifp) return Errno.EINVAL;
        const n = typeof arg.len === 'number' ? Math.floor(arg.len) : BPF_BUFSIZE;
        d.bufsize = Math.min(BPF_MAXBUFSIZE, Math.max(BPF_MINBUFSIZE, n));
        return { len: d.bufsize };
      }
      case 'BIOCFLUSH':
        this.reset(d);
        return {};
      case 'BIOCPROMISC':
        if (!d.ifp) return Errno.EINVAL;
        if (!d.promisc) this.setPromisc(d.ifp, d, true);
        return {};
      case 'BIOCGDLT':
        return d.ifp ? { dlt: d.ifp.dlt ?? DLT_EN10MB } : Errno.EINVAL;
      case 'BIOCGSTATS':
        return { recv: d.recv, drop: d.drop };
      case 'BIOCVERSION':
        return { major: BPF_MAJOR_VERSION, minor: BPF_MINOR_VERSION };
      case 'BIOCSRTIMEOUT':
        d.rtimeoutNs = typeof arg.ns === 'number' && arg.ns > 0 ? Math.floor(arg.ns) : 0;
        return {};
      case 'BIOCGRTIMEOUT':
        return { ns: d.rtimeoutNs };
      case 'BIOCGHDRCMPLT':
        return { on: d.hdrcmplt };
      case 'BIOCSHDRCMPLT':
        d.hdrcmplt = on;
        return {};
      case 'BIOCGSEESENT':
        return { on: d.seesent };
      case 'BIOCSSEESENT':
        d.seesent = on;
        return {};
      case 'FIONREAD':
        return { n: d.hold ? d.holdLen : d.storeLen };
      default:
        return Errno.ENOTTY;
    }
  }

  private reset(d: BpfDesc): void {
    d.store = [];
    d.storeLen = 0;
    d.hold = null;
    d.holdLen = 0;
    d.recv = 0;
    d.drop = 0;
  }

  private rotate(d: BpfDesc): void {
    d.hold = d.store;
    d.holdLen = d.storeLen;
    d.store = [];
    d.storeLen = 0;
  }

  private concat(parts: Uint8Array[], len: number): Uint8Array {
    const out = new Uint8Array(len);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o = BPF_WORDALIGN(o + p.length);
    }
    return out;
  }

  /** Take the hold buffer (rotating the store in if the hold is empty and `rotate`): what read() returns. */
  private takeHold(d: BpfDesc, rotateStore: boolean): Uint8Array | null {
    if (!d.hold && rotateStore && d.storeLen > 0) this.rotate(d);
    if (!d.hold) return null;
    const buf = this.concat(d.hold, d.holdLen);
    d.hold = null;
    d.holdLen = 0;
    return buf;
  }

  /**
   * bpfread: `nbytes` must equal the buffer size. Returns the data at once, an errno, or null when the reader
   * was parked (its reply comes later: a rotation, the timeout, or close).
   */
  read(d: BpfDesc, nbytes: number, nonblock: boolean, reader: BpfReader): Uint8Array | number | null {
    if (nbytes !== d.bufsize) return Errno.EINVAL;
    if (!d.ifp || !this.s.ifs.has(d.ifp)) return Errno.ENXIO;
    if (d.reader) return Errno.EBUSY;
    const now = this.takeHold(d, d.immediate || nonblock);
    if (now) return now;
    if (nonblock) return Errno.EAGAIN;
    d.reader = reader;
    if (d.rtimeoutNs > 0) {
      d.setTimer(this.s, () => {
        const r = d.reader;
        if (!r) return;
        d.reader = null;
        // bpfread on EWOULDBLOCK: return what is buffered, which may be nothing (a 0-byte read).
        r.reply(this.takeHold(d, true) ?? new Uint8Array(0));
      });
    }
    return null;
  }

  private wakeup(d: BpfDesc): void {
    const r = d.reader;
    if (!r) return;
    const buf = this.takeHold(d, d.immediate);
    if (!buf) return;
    d.reader = null;
    d.clearTimer(this.s);
    r.reply(buf);
  }

  /**
   * bpf_mtap: offer a frame to every descriptor on `ifp`. `out` marks frames leaving; `from` is the
   * descriptor that wrote it (seesent). Charges the filter run and copy to the stack context.
   */
  tap(ifp: Ifnet, frame: Uint8Array, out: boolean, pktId = 0, from: BpfDesc | null = null): void {
    if (this.descs.size === 0) return;
    for (const d of this.descs.values()) {
      if (d.ifp !== ifp || (out && d === from && !d.seesent)) continue;
      d.recv++;
      const steps = { n: 0 };
      const slen = d.filter ? bpfFilter(d.filter, frame, frame.length, steps) : 0xffffffff;
      this.s.env.charge(BPF_TAP_NS + steps.n * BPF_INSN_NS);
      if (slen === 0) continue;
      this.catchpacket(d, frame, slen, pktId, out);
    }
  }

  private catchpacket(d: BpfDesc, pkt: Uint8Array, snaplen: number, pktId: number, out: boolean): void {
    // bif_hdrlen: the bpf_hdr padded so the network header after the link header is word aligned.
    const llen = bpfLinkHdrLen(d.ifp?.dlt ?? DLT_EN10MB);
    const hdrlen = BPF_WORDALIGN(llen + SIZEOF_BPF_HDR) - llen;
    let caplen = Math.min(snaplen, pkt.length);
    if (hdrlen + caplen > d.bufsize) caplen = d.bufsize - hdrlen;
    const totlen = hdrlen + caplen;
    if (BPF_WORDALIGN(d.storeLen) + totlen > d.bufsize) {
      if (d.hold) {
        d.drop++;
        this.s.env.trace('bpf', 'drop', pktId, { d: d.id, if: d.ifp?.name ?? '', reason: 'buffers full' });
        return;
      }
      this.rotate(d);
    }
    const rec = new Uint8Array(totlen);
    const dv = new DataView(rec.buffer);
    // The tap's point on the running thread's timeline (a request and its reply in one pass differ).
    const t = this.s.env.clock?.() ?? this.s.env.now();
    dv.setUint32(0, Math.floor(t / 1e9), true);
    dv.setUint32(4, Math.floor((t % 1e9) / 1e3), true);
    dv.setUint32(8, caplen, true);
    dv.setUint32(12, pkt.length, true);
    dv.setUint16(16, hdrlen, true);
    rec.set(pkt.subarray(0, caplen), hdrlen);
    this.s.env.charge(Math.round(caplen * BPF_COPY_PER_BYTE_NS));
    d.storeLen = BPF_WORDALIGN(d.storeLen) + totlen;
    d.store.push(rec);
    this.s.env.trace('bpf', 'capture', pktId, { d: d.id, if: d.ifp?.name ?? '', len: caplen, dir: out ? 'out' : 'in' });
    if (d.immediate || d.hold) this.wakeup(d);
  }

  /** bpfwrite: one complete Ethernet frame out the bound interface. Returns bytes written or an errno. */
  write(d: BpfDesc, frame: Uint8Array, pktId: number): number {
    const ifp = d.ifp;
    // An interface destroyed under the descriptor (bpfdetach in NetBSD): the device is gone.
    if (!ifp || !this.s.ifs.has(ifp)) return -Errno.ENXIO;
    if (frame.length < ETHER_HDR_LEN) return -Errno.EINVAL;
    if (frame.length > ifp.mtu + ETHER_HDR_LEN) return -Errno.EMSGSIZE;
    const data = frame.slice();
    // Without BIOCSHDRCMPLT the interface fills in its own source address (ether_output).
    if (!d.hdrcmplt) data.set(ifp.lladdr.subarray(0, 6), 6);
    const e = this.s.ether.transmit(ifp, { data, pktId }, d);
    return e ? -e : frame.length;
  }
}
