/**
 * The receive path (design §1.11): MAC receive checks at the end of a frame on the wire (enable, length, FCS,
 * MAC control/PAUSE, address filter), the receive FIFO in the mbuf pool, and placement: a standard-ring BD
 * fetched by the write side's BD initiator (in bursts of RCVBDI_STD_THRESH), the frame and its FCS DMA'd into
 * the host buffer, a return BD written at the return-ring producer, host coalescing told. One event
 * (`rxPlace`) commits the frames whose DMA has finished and starts the next ones (at most RX_PLACE_MAX_FRAMES).
 *
 * Frames that cannot be placed (no standard BD posted, return ring full) wait in the FIFO; when the pool is
 * full later frames are dropped (`mbuf-pool-full`, rx_discards) — the realistic "driver too slow" outcome.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { b64ToBytes, bytesToB64 } from '../../emulator/machine/sim/snapshot';
import type { Frame } from '../../emulator/machine/net/link';
import { crc32, parseLayers, receiveSums } from './checksum';
import type { Bcm5701Core } from './core';
import { rxAccept, type RxVerdict } from './rx-mac';
import {
  BDINFO_FLAGS_DISABLED, BLOCK, BUFMGR, GRC_MODE_BITS, MAC, RCVDBDI_STD_BD, RCVBDI_STD_THRESH, RETURN_RING_SIZE, RX_BD_BYTES,
  RX_MODE_BITS, RXD_ERR, RXD_FLAG, SRAM, STD_RING_SIZE, WDMAC_STATUS,
} from './regs';
import { RX_PLACE_MAX_FRAMES } from './timing';

/** A frame in the receive FIFO (no FCS; `badFcs` marks a CRC error the MAC saw). */
export interface RxFrame {
  data: Uint8Array;
  pktId: number;
  badFcs: boolean;
  waited?: boolean;
}

const PLACING_BLOCKS = [BLOCK.RCVLPC, BLOCK.RCVDBDI, BLOCK.RCVBDI, BLOCK.RCVDCC, BLOCK.RCVCC, BLOCK.RCVLSC, BLOCK.WDMAC, BLOCK.DMAC] as const;
const NAMES: Record<number, string> = {
  [BLOCK.RCVLPC]: 'rcvlpc', [BLOCK.RCVDBDI]: 'rcvdbdi', [BLOCK.RCVBDI]: 'rcvbdi', [BLOCK.RCVDCC]: 'rcvdcc', [BLOCK.RCVCC]: 'rcvcc',
  [BLOCK.RCVLSC]: 'rcvlsc', [BLOCK.WDMAC]: 'wdmac', [BLOCK.DMAC]: 'dmac',
};

type Saved = { data: string; pktId: number; badFcs: boolean; waited?: boolean };
const saveF = (f: RxFrame): Saved => ({ data: bytesToB64(f.data), pktId: f.pktId, badFcs: f.badFcs, ...(f.waited ? { waited: true } : {}) });
const loadF = (s: Saved): RxFrame => ({ data: b64ToBytes(s.data), pktId: s.pktId, badFcs: s.badFcs, ...(s.waited ? { waited: true } : {}) });

export interface ReceiveState {
  stdProd: number;
  stdCons: number;
  stdFetched: number;
  cache: string[];
  retProd: number;
  retCons: number;
  fifo: Saved[];
  pending: { frames: number; retProd: number } | null;
  place: number;
}

export class ReceivePath {
  /** Standard ring: producer (mailbox 0x26c), next BD consumed, next BD to fetch. */
  stdProd = 0;
  stdCons = 0;
  private stdFetched = 0;
  /** Fetched, not yet used standard BDs (32 bytes each), in ring order from stdCons. */
  private cache: Uint8Array[] = [];
  /** Return ring: chip producer (status block), host consumer (mailbox 0x284). */
  retProd = 0;
  retCons = 0;
  private fifo: RxFrame[] = [];
  private pending: { frames: number; retProd: number } | null = null;
  private readonly placeEv: SimEvent;

  constructor(private readonly c: Bcm5701Core) {
    this.placeEv = new SimEvent(`${c.ctx.name}.rxPlace`, () => this.place(), Priority.Device);
  }

  get fifoDepth(): number {
    return this.fifo.length;
  }

  /** Mbufs (128 bytes) the receive FIFO holds. */
  fifoMbufs(): number {
    let n = 0;
    for (const f of this.fifo) n += Math.ceil((f.data.length + 4) / 128);
    return n;
  }

  /** Mailbox 0x26c. */
  stdProducer(v: number): void {
    if (v >= STD_RING_SIZE) this.c.trace('bogus-index', 0, { mbox: 0x26c, value: v });
    this.stdProd = v % STD_RING_SIZE;
    this.kick();
  }

  /** Mailbox 0x284. */
  returnConsumer(v: number): void {
    if (v >= RETURN_RING_SIZE) this.c.trace('bogus-index', 0, { mbox: 0x284, value: v });
    this.retCons = v % RETURN_RING_SIZE;
    this.kick();
  }

  kick(): void {
    if (this.fifo.length > 0 && !this.placeEv.scheduled && !this.pending) this.c.ctx.queue.schedule(this.placeEv, this.c.ctx.queue.now);
  }

  /** The last bit of a frame arrived from the wire. */
  fromWire(frame: Frame): void {
    this.receive({ data: frame.data, pktId: frame.pktId, badFcs: frame.badFcs === true || frame.alignmentError === true }, frame.alignmentError === true);
  }

  /** MAC_MODE.PORT_INT_LPBACK or PHY loopback: a frame we sent comes back. */
  fromLoopback(f: { data: Uint8Array; pktId: number; badFcs: boolean }): void {
    this.receive({ data: f.data.slice(), pktId: f.pktId, badFcs: f.badFcs }, false);
  }

  private receive(f: RxFrame, alignment: boolean): void {
    const v: RxVerdict = rxAccept(this.c, f, alignment);
    if (v.reject) {
      this.c.trace('rx-reject', f.pktId, { reason: v.reject, len: f.data.length + 4 });
      return;
    }
    const pool = Math.floor(this.c.f.get(BUFMGR.MB_POOL_SIZE) / 128);
    const need = Math.ceil((f.data.length + 4) / 128);
    const used = this.fifoMbufs() + this.c.send.fifoMbufs();
    if (used + need > pool) {
      this.c.stats.add('rx_discards', 'rlp');
      this.c.trace('rx-reject', f.pktId, { reason: 'mbuf-pool-full', len: f.data.length + 4 });
      this.c.flowControl();
      return;
    }
    this.fifo.push(f);
    this.c.trace('rx-accept', f.pktId, { len: f.data.length + 4 });
    this.c.flowControl();
    this.kick();
  }

  private blockedBy(): string | null {
    for (const b of PLACING_BLOCKS) if (!this.c.enabled(b)) return NAMES[b]!;
    if (!this.c.enabled(BUFMGR.MODE)) return 'bufmgr-disabled';
    return null;
  }

  private place(): void {
    const c = this.c;
    const q = c.ctx.queue;
    if (this.pending) {
      this.retProd = this.pending.retProd;
      c.hc.event('rx', this.pending.frames);
      this.pending = null;
      c.flowControl();
    }
    if (this.fifo.length === 0) return;
    const why = this.blockedBy();
    if (why) return void c.trace('rx-wait', 0, { reason: why }, true);
    const s = c.sram;
    const retMax = s.read32(SRAM.RCV_RET_RCB + 8);
    if (retMax & BDINFO_FLAGS_DISABLED) return void c.trace('rx-wait', 0, { reason: 'return-ring-disabled' });
    if (retMax >>> 16 !== RETURN_RING_SIZE) c.rcbMismatch('return', retMax);
    const retBase = s.read32(SRAM.RCV_RET_RCB) * 0x1_0000_0000 + s.read32(SRAM.RCV_RET_RCB + 4);
    const stdMax = c.f.get(RCVDBDI_STD_BD + 8);
    let end = q.now;
    let placed = 0;
    let ret = this.retProd;
    while (placed < RX_PLACE_MAX_FRAMES && this.fifo.length > 0) {
      if ((ret + 1) % RETURN_RING_SIZE === this.retCons) {
        c.trace('rx-wait', this.fifo[0]!.pktId, { reason: 'return-ring-full' }, true);
        break;
      }
      if (this.cache.length === 0) end = Math.max(end, this.fetchBds());
      if (this.cache.length === 0) {
        const head = this.fifo[0]!;
        if (!head.waited) {
          head.waited = true;
          c.stats.add('rxbds_empty', 'rlp');
          c.trace('rx-wait', head.pktId, { reason: 'no-std-bd' });
        }
        break;
      }
      const bd = this.cache.shift()!;
      this.stdCons = (this.stdCons + 1) % STD_RING_SIZE;
      const f = this.fifo.shift()!;
      end = Math.max(end, this.placeOne(f, bd, stdMax, retBase, ret));
      ret = (ret + 1) % RETURN_RING_SIZE;
      placed++;
    }
    if (placed > 0) {
      this.pending = { frames: placed, retProd: ret };
      q.reschedule(this.placeEv, Math.max(end, q.now));
    }
  }

  /** Fetch the next burst of standard BDs (RCVBDI_STD_THRESH of them, at most to the producer and ring end). */
  private fetchBds(): number {
    const c = this.c;
    const avail = (this.stdProd - this.stdFetched + STD_RING_SIZE) % STD_RING_SIZE;
    if (avail === 0) return c.ctx.queue.now;
    const n = Math.min(avail, Math.max(1, c.f.get(RCVBDI_STD_THRESH)), STD_RING_SIZE - this.stdFetched, 64);
    const base = c.f.get(RCVDBDI_STD_BD) * 0x1_0000_0000 + c.f.get(RCVDBDI_STD_BD + 4);
    const raw = new Uint8Array(RX_BD_BYTES * n);
    const r = c.dma('read', base + RX_BD_BYTES * this.stdFetched, raw);
    c.sram.copyIn(c.f.get(RCVDBDI_STD_BD + 0xc) + RX_BD_BYTES * (this.stdFetched % 128), raw);
    if (!r.ok) c.setStatus(0x4804, 0x8, 'master-abort');
    for (let i = 0; i < n; i++) this.cache.push(raw.slice(RX_BD_BYTES * i, RX_BD_BYTES * (i + 1)));
    this.stdFetched = (this.stdFetched + n) % STD_RING_SIZE;
    return r.end;
  }

  /** DMA one frame into the buffer of posted BD `bd` and write its return BD at `ret`. Returns the end time. */
  private placeOne(f: RxFrame, bd: Uint8Array, stdMax: number, retBase: number, ret: number): number {
    const c = this.c;
    const pd = new DataView(bd.buffer, bd.byteOffset, RX_BD_BYTES);
    const addr = pd.getUint32(0, true) * 0x1_0000_0000 + pd.getUint32(4, true);
    const idxLen = pd.getUint32(8, true);
    const posted = idxLen & 0xffff;
    const rxMode = c.f.get(MAC.RX_MODE);
    let data = f.data;
    let flags = RXD_FLAG.END;
    let err = 0;
    let vlan = 0;
    if (data.length >= 18 && data[12] === 0x81 && data[13] === 0x00 && !(rxMode & RX_MODE_BITS.KEEP_VLAN_TAG)) {
      vlan = (data[14]! << 8) | data[15]!;
      const s = new Uint8Array(data.length - 4);
      s.set(data.subarray(0, 12));
      s.set(data.subarray(16), 12);
      data = s;
      flags |= RXD_FLAG.VLAN;
    }
    const fcsOk = !f.badFcs || (rxMode & RX_MODE_BITS.NO_CRC_CHECK) !== 0;
    if (!fcsOk) err |= RXD_ERR.BAD_CRC;
    const wire = new Uint8Array(data.length + 4);
    wire.set(data);
    const fcs = crc32(data) ^ (f.badFcs ? 0xffffffff : 0);
    wire[data.length] = fcs & 0xff;
    wire[data.length + 1] = (fcs >>> 8) & 0xff;
    wire[data.length + 2] = (fcs >>> 16) & 0xff;
    wire[data.length + 3] = fcs >>> 24;
    let len = wire.length;
    const room = Math.min(posted, stdMax >>> 16 || posted);
    let reason = '';
    if (posted === 0) {
      len = 0;
      err |= RXD_ERR.NO_RESOURCES;
      reason = 'zero-length-bd';
    } else if (len > room) {
      len = posted;
      err |= RXD_ERR.NO_RESOURCES;
      reason = 'bd-too-small';
    }
    let ipTcp = 0;
    if (err === 0) {
      const l = parseLayers(data);
      if (l.ip >= 0 && l.why !== 'short-ip') {
        const sums = receiveSums(data, l, (c.f.get(BLOCK.GRC) & GRC_MODE_BITS.NO_RX_PHDR_CSUM) !== 0);
        flags |= RXD_FLAG.IP_CSUM;
        ipTcp = sums.ip << 16;
        if (sums.l4 !== null) {
          flags |= RXD_FLAG.TCPUDP_CSUM | (l.proto === 6 ? RXD_FLAG.IS_TCP : 0);
          ipTcp |= sums.l4;
        }
      }
    }
    let end = c.ctx.queue.now;
    let ok = true;
    if (len > 0) {
      const r = c.dma('write', addr, wire.subarray(0, Math.min(len, wire.length)));
      end = r.end;
      ok = r.ok;
      c.ctx.tracer.provenance.tag(data, f.pktId);
    }
    if (err) {
      flags |= RXD_FLAG.ERROR;
      c.stats.add('rx_errors', 'rlp');
    }
    const rb = new Uint8Array(RX_BD_BYTES);
    const rv = new DataView(rb.buffer);
    rv.setUint32(0, pd.getUint32(0, true), true);
    rv.setUint32(4, pd.getUint32(4, true), true);
    rv.setUint32(8, (idxLen & 0xffff0000) | len, true);
    rv.setUint32(12, flags, true);
    rv.setUint32(16, ipTcp >>> 0, true);
    rv.setUint32(20, (err | vlan) >>> 0, true);
    rv.setUint32(28, pd.getUint32(28, true), true);
    const rr = c.dma('write', retBase + RX_BD_BYTES * ret, rb);
    if (!ok || !rr.ok) c.setStatus(WDMAC_STATUS, 0x8, 'master-abort');
    c.stats.add('COS_rx_packets', 'rlp');
    if (reason) c.trace('rx-reject', f.pktId, { reason, len: f.data.length + 4 });
    else if (!ok) c.trace('rx-reject', f.pktId, { reason: 'master-abort', len: f.data.length + 4 });
    c.trace('rx-place', f.pktId, { std: this.stdCons, ret, len }, true);
    return Math.max(end, rr.end);
  }

  /** Core reset / RST#: ring indices 0, FIFO and BD cache emptied. */
  reset(): void {
    this.c.ctx.queue.deschedule(this.placeEv);
    for (const f of this.fifo) this.c.trace('rx-reject', f.pktId, { reason: 'reset', len: f.data.length + 4 });
    this.stdProd = this.stdCons = this.stdFetched = this.retProd = this.retCons = 0;
    this.cache = [];
    this.fifo = [];
    this.pending = null;
  }

  saveState(): ReceiveState {
    return {
      stdProd: this.stdProd, stdCons: this.stdCons, stdFetched: this.stdFetched, cache: this.cache.map((b) => bytesToB64(b)),
      retProd: this.retProd, retCons: this.retCons, fifo: this.fifo.map(saveF), pending: this.pending ? { ...this.pending } : null,
      place: this.placeEv.when,
    };
  }

  loadState(s: ReceiveState): void {
    const q = this.c.ctx.queue;
    q.deschedule(this.placeEv);
    Object.assign(this, { stdProd: s.stdProd, stdCons: s.stdCons, stdFetched: s.stdFetched, retProd: s.retProd, retCons: s.retCons });
    this.cache = s.cache.map((b) => b64ToBytes(b));
    this.fifo = s.fifo.map(loadF);
    this.pending = s.pending ? { ...s.pending } : null;
    if (s.place >= 0) q.schedule(this.placeEv, s.place);
  }
}
