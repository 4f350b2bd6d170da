/**
 * The send path (design §1.10): send ring control block 0 in SRAM, producer mailbox 0x304, BD fetch by the read
 * DMA engine (at most TX_FETCH_MAX_BDS per fetch, one burst, never across the ring end), frame gather, the frame
 * edits (VLAN tag insertion, IPv4/TCP/UDP checksum insertion, runt padding, FCS), the transmit FIFO and the MAC.
 *
 * BDs are *completed* when their data has been DMA'd into the chip, not when the frame has left the wire: the
 * consumer index (status block idx[0].tx_consumer) advances then and host coalescing counts them; the FIFO, not
 * the ring, absorbs the wire rate. One event (`txFetch`) runs the pipeline: it commits the batch whose bus time
 * has elapsed, then starts the next one and schedules itself at that batch's end, so every fetch and gather
 * costs the PCI cycles its bursts take (core.dma) and an event handles a bounded amount of work.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { b64ToBytes, bytesToB64 } from '../../emulator/machine/sim/snapshot';
import { frameWireTimeNs, type Frame } from '../../emulator/machine/net/link';
import type { TxOutcome } from '../common/csma-mac';
import type { Bcm5701Core } from './core';
import { addressClass } from './rx-filter';
import {
  BDINFO_FLAGS_DISABLED, BLOCK, BUFMGR, GRC_MODE_BITS, MAC, MAC_MODE_BITS, RDMAC_STATUS, SEND_BD_BYTES, SEND_RING_SIZE,
  SRAM, TX_MODE_BITS, TXD_FLAG,
} from './regs';
import { TX_FETCH_MAX_BDS, TX_FIFO_MAX_FRAMES, TX_NO_END_IDLE_NS } from './timing';
import { editFrame } from './tx-edit';

interface TxBd {
  addr: number;
  len: number;
  flags: number;
  vlan: number;
}

/** A frame in the transmit FIFO: bytes without FCS as they go on the wire. */
export interface TxFrame {
  data: Uint8Array;
  pktId: number;
  badFcs: boolean;
  /** A MAC control (PAUSE) frame the chip made itself. */
  control?: boolean;
}

interface Batch {
  compl: number;
  bds: number;
  frames: TxFrame[];
  coalNow: boolean;
}

const SENDING_BLOCKS = [BLOCK.SNDBDS, BLOCK.SNDBDI, BLOCK.RDMAC, BLOCK.DMAC, BLOCK.SNDDATAI, BLOCK.SNDDATAC, BLOCK.SNDBDC] as const;
const BLOCK_NAMES: Record<number, string> = {
  [BLOCK.SNDBDS]: 'sndbds', [BLOCK.SNDBDI]: 'sndbdi', [BLOCK.RDMAC]: 'rdmac', [BLOCK.DMAC]: 'dmac', [BLOCK.SNDDATAI]: 'snddatai',
  [BLOCK.SNDDATAC]: 'snddatac', [BLOCK.SNDBDC]: 'sndbdc',
};

export interface SendState {
  prod: number;
  cons: number;
  compl: number;
  group: TxBd[];
  groupSince: number;
  batch: { compl: number; bds: number; frames: FrameSave[]; coalNow: boolean } | null;
  fifo: FrameSave[];
  onWire: FrameSave | null;
  pausedUntil: number;
  fetch: number;
  resume: number;
  loop: number;
}
type FrameSave = { data: string; pktId: number; badFcs: boolean; control?: boolean };
const saveF = (f: TxFrame): FrameSave => ({ data: bytesToB64(f.data), pktId: f.pktId, badFcs: f.badFcs, ...(f.control ? { control: true } : {}) });
const loadF = (s: FrameSave): TxFrame => ({ data: b64ToBytes(s.data), pktId: s.pktId, badFcs: s.badFcs, ...(s.control ? { control: true } : {}) });

export class SendPath {
  /** Producer as last written (mod 512), next BD to fetch, consumer index reported to the host. */
  prod = 0;
  cons = 0;
  compl = 0;
  private group: TxBd[] = [];
  private groupSince = 0;
  private batch: Batch | null = null;
  private fifo: TxFrame[] = [];
  private onWire: TxFrame | null = null;
  /** A received PAUSE holds the transmitter until then (802.3x; design §5.4). */
  pausedUntil = -1;
  private readonly fetchEv: SimEvent;
  private readonly resumeEv: SimEvent;
  private readonly loopEv: SimEvent;
  private warned = new Set<string>();

  constructor(private readonly c: Bcm5701Core) {
    this.fetchEv = new SimEvent(`${c.ctx.name}.txFetch`, () => this.fetch(), Priority.Device);
    this.resumeEv = new SimEvent(`${c.ctx.name}.txResume`, () => this.resume(), Priority.Device);
    this.loopEv = new SimEvent(`${c.ctx.name}.txLoop`, () => this.looped(), Priority.Device);
  }

  /** Frames in the FIFO and on the wire (inspect). */
  get fifoDepth(): number {
    return this.fifo.length + (this.onWire ? 1 : 0);
  }

  /** Mailbox 0x304 written. */
  producer(v: number): void {
    if (v >= SEND_RING_SIZE) this.c.trace('bogus-index', 0, { mbox: 0x304, value: v });
    this.prod = v % SEND_RING_SIZE;
    this.c.stats.add('ring_set_send_prod_index', 'hc');
    this.kick();
  }

  /** Re-evaluate after a producer write, an enable, or FIFO space. */
  kick(): void {
    if (!this.fetchEv.scheduled && !this.batch) this.c.ctx.queue.schedule(this.fetchEv, this.c.ctx.queue.now);
    this.startWire();
  }

  private blockedBy(): string | null {
    for (const b of SENDING_BLOCKS) if (!this.c.enabled(b)) return BLOCK_NAMES[b]!;
    if (!(this.c.f.get(MAC.MODE) & MAC_MODE_BITS.TDE_ENABLE)) return 'tde';
    if (!(this.c.f.get(BLOCK.GRC) & GRC_MODE_BITS.HOST_SENDBDS)) return 'nic-send-rings-unsupported';
    return null;
  }

  /** Mbufs (128 bytes) the transmit FIFO holds, the frame on the wire included. */
  fifoMbufs(): number {
    let used = this.onWire ? Math.ceil(this.onWire.data.length / 128) : 0;
    for (const f of this.fifo) used += Math.ceil(f.data.length / 128);
    return used;
  }

  /** The transmit FIFO may take at most half the mbuf pool *(I)* (the rest is the receive FIFO's). */
  private fifoFull(): boolean {
    if (this.fifo.length >= TX_FIFO_MAX_FRAMES) return true;
    return this.fifoMbufs() > Math.floor(this.c.f.get(BUFMGR.MB_POOL_SIZE) / 128) / 2;
  }

  private fetch(): void {
    const q = this.c.ctx.queue;
    if (this.batch) this.commit(this.batch);
    this.batch = null;
    const why = this.blockedBy();
    if (why !== null) {
      if (this.prod !== this.cons) this.once(`blocked-${why}`, () => this.c.trace('tx-wait', 0, { reason: why }));
      return;
    }
    if (this.fifoFull()) return;
    let n = (this.prod - this.cons + SEND_RING_SIZE) % SEND_RING_SIZE;
    if (n === 0) {
      if (this.group.length > 0) q.reschedule(this.resumeEv, Math.max(q.now, this.groupSince + TX_NO_END_IDLE_NS));
      return;
    }
    const s = this.c.sram;
    const rcb = SRAM.SEND_RCB;
    const maxlen = s.read32(rcb + 8);
    if (maxlen & BDINFO_FLAGS_DISABLED) {
      this.once('rcb-disabled', () => this.c.trace('tx-ring-disabled', 0, { maxlen }));
      return;
    }
    if (maxlen >>> 16 !== SEND_RING_SIZE) this.once(`rcb-${maxlen}`, () => this.c.trace('rcb-size-mismatch', 0, { ring: 'send', maxlen }));
    n = Math.min(n, TX_FETCH_MAX_BDS, SEND_RING_SIZE - this.cons);
    const base = s.read32(rcb) * 0x1_0000_0000 + s.read32(rcb + 4);
    const raw = new Uint8Array(SEND_BD_BYTES * n);
    const r = this.c.dma('read', base + SEND_BD_BYTES * this.cons, raw);
    s.copyIn(s.read32(rcb + 0xc) + SEND_BD_BYTES * this.cons, raw);
    this.c.trace('tx-fetch', 0, { prod: this.prod, cons: this.cons, n }, true);
    const dv = new DataView(raw.buffer);
    const batch: Batch = { compl: this.compl, bds: 0, frames: [], coalNow: false };
    let end = r.end;
    for (let i = 0; i < n; i++) {
      const bd: TxBd = {
        addr: r.ok ? dv.getUint32(16 * i, true) * 0x1_0000_0000 + dv.getUint32(16 * i + 4, true) : 0,
        len: r.ok ? dv.getUint32(16 * i + 8, true) >>> 16 : 0,
        flags: r.ok ? dv.getUint32(16 * i + 8, true) & 0xffff : TXD_FLAG.END,
        vlan: r.ok ? dv.getUint32(16 * i + 12, true) & 0xffff : 0,
      };
      this.group.push(bd);
      this.cons = (this.cons + 1) % SEND_RING_SIZE;
      if (!r.ok) {
        // The BD fetch itself was master-aborted: nothing usable; the BDs are consumed and completed.
        this.group = [];
        batch.compl = this.cons;
        batch.bds++;
        continue;
      }
      if (bd.flags & TXD_FLAG.END || this.group.length >= SEND_RING_SIZE) {
        const bds = this.group;
        this.group = [];
        if (!(bd.flags & TXD_FLAG.END)) {
          this.c.setStatus(BLOCK.SNDBDI + 4, 0x4, 'no-end-bd');
          this.drop('no-end-bd', 0, { bds: bds.length });
        } else {
          end = Math.max(end, this.gather(bds, batch));
        }
        batch.compl = this.cons;
        batch.bds += bds.length;
        if (bd.flags & TXD_FLAG.COAL_NOW) batch.coalNow = true;
      }
    }
    if (!r.ok) this.c.setStatus(RDMAC_STATUS, 0x8, 'master-abort');
    this.groupSince = q.now;
    this.batch = batch;
    q.reschedule(this.fetchEv, Math.max(end, q.now));
  }

  /** Read a complete frame's buffers, edit it, and add it to the batch. Returns when its last burst ends. */
  private gather(bds: TxBd[], batch: Batch): number {
    let total = 0;
    for (const b of bds) total += b.len;
    const data = new Uint8Array(total);
    let at = 0;
    let end = this.c.ctx.queue.now;
    let ok = true;
    for (const b of bds) {
      if (b.len === 0) {
        this.c.trace('tx-zero-length-bd', 0, {});
        continue;
      }
      const r = this.c.dma('read', b.addr, data.subarray(at, at + b.len));
      end = Math.max(end, r.end);
      ok &&= r.ok;
      at += b.len;
    }
    const first = bds[0]!;
    const last = bds[bds.length - 1]!;
    const flags = bds.reduce((a, b) => a | b.flags, 0);
    if (!ok) {
      this.c.setStatus(RDMAC_STATUS, 0x8, 'master-abort');
      this.c.stats.add('tx_mac_errors', 'macTx');
      this.c.stats.add('tx_errors', 'macTx');
      this.drop('master-abort', 0, { len: total });
      return end;
    }
    if (total === 0) {
      this.drop('empty', 0, {});
      return end;
    }
    const pktId = this.c.ctx.tracer.provenance.lookup(data);
    const frame = editFrame(data, flags, first.vlan, (last.flags & TXD_FLAG.NO_CRC) !== 0, {
      extendedLength: this.c.extendedLength(),
      phdrPreloaded: (this.c.f.get(BLOCK.GRC) & GRC_MODE_BITS.NO_TX_PHDR_CSUM) !== 0,
      trace: (reason) => this.c.trace('tx-csum', pktId, { reason }, true),
    });
    if (typeof frame === 'string') {
      this.c.stats.add('tx_discards', 'macTx');
      this.drop(frame, pktId, { len: total });
      return end;
    }
    this.c.stats.add('COS_out_packets', 'sdi');
    batch.frames.push({ data: frame.data, pktId, badFcs: frame.badFcs });
    return end;
  }

  private commit(b: Batch): void {
    this.compl = b.compl;
    if (b.bds > 0) this.c.hc.event('tx', b.bds);
    for (const f of b.frames) this.fifo.push(f);
    if (b.coalNow) this.c.hc.now('coal-now', true);
    this.startWire();
  }

  /** A PAUSE frame of the chip's own goes out ahead of the queued data (design §5.4). */
  sendControl(frame: TxFrame): void {
    this.fifo.unshift(frame);
    this.startWire();
  }

  /** Hand the FIFO head to the MAC when the transmitter may send. */
  startWire(): void {
    if (this.onWire || this.fifo.length === 0) return;
    const c = this.c;
    const txMode = c.f.get(MAC.TX_MODE);
    if (!(txMode & TX_MODE_BITS.ENABLE) || !(c.f.get(MAC.MODE) & MAC_MODE_BITS.TDE_ENABLE)) return;
    const now = c.ctx.queue.now;
    if (this.pausedUntil > now && !this.fifo[0]!.control) {
      c.ctx.queue.reschedule(this.resumeEv, this.pausedUntil);
      return;
    }
    const f = this.fifo.shift()!;
    if (c.txClockDisabled()) return this.discard(f, 'clock-disabled');
    if (c.internalLoopback()) {
      // MAC_MODE.PORT_INT_LPBACK or PHY loopback (tg3's ethtool loopback test): the frame takes its wire time
      // at the port's speed and comes back to the receiver; nothing reaches the medium.
      this.onWire = f;
      c.ctx.queue.scheduleIn(this.loopEv, frameWireTimeNs(f.data.length, (c.phyLink()?.speedMbps ?? 1000) * 1_000_000));
      return;
    }
    const link = c.phyLink();
    if (!link) {
      c.stats.add('tx_carrier_sense_errors', 'macTx');
      return this.discard(f, 'no-link');
    }
    if (!c.portModeMatches(link.speedMbps)) return this.discard(f, 'port-mode-mismatch');
    this.onWire = f;
    c.trace('tx-start', f.pktId, { len: f.data.length + 4, ...(f.control ? { control: true } : {}) });
    const frame: Frame = f.badFcs ? { data: f.data, pktId: f.pktId, badFcs: true } : { data: f.data, pktId: f.pktId };
    c.wireTransmit(frame, (o) => this.transmitted(o));
  }

  private transmitted(o: TxOutcome): void {
    const f = this.onWire;
    this.onWire = null;
    if (!f) return;
    const st = this.c.stats;
    st.countTxOutcome(o);
    if (o.aborted) {
      st.add('tx_excessive_collisions', 'macTx');
      st.add('tx_errors', 'macTx');
      this.drop('excessive-collisions', f.pktId, {});
    } else {
      this.wireDone(f);
      this.c.trace('tx-done', f.pktId, { len: f.data.length + 4 });
    }
    this.kick();
  }

  /** The end of a looped-back frame's wire time. */
  private looped(): void {
    const f = this.onWire;
    this.onWire = null;
    if (!f) return;
    this.c.recv.fromLoopback(f);
    this.wireDone(f);
    this.kick();
  }

  private wireDone(f: TxFrame): void {
    const st = this.c.stats;
    st.add('tx_octets', 'macTx', f.data.length + 4);
    if (f.control) return;
    const cls = addressClass(f.data);
    st.add(cls === 'bcast' ? 'tx_bcast_packets' : cls === 'mcast' ? 'tx_mcast_packets' : 'tx_ucast_packets', 'macTx');
  }

  private discard(f: TxFrame, reason: string): void {
    this.drop(reason, f.pktId, { len: f.data.length });
    this.kick();
  }

  private drop(reason: string, pkt: number, fields: Record<string, number>): void {
    this.c.trace('tx-drop', pkt, { reason, ...fields });
  }

  /** Pause expiry, and the timeout of a chain that never got its END BD. */
  private resume(): void {
    const q = this.c.ctx.queue;
    if (this.group.length > 0 && this.prod === this.cons && q.now >= this.groupSince + TX_NO_END_IDLE_NS) {
      const n = this.group.length;
      this.group = [];
      this.compl = this.cons;
      this.c.setStatus(BLOCK.SNDBDI + 4, 0x4, 'no-end-bd');
      this.c.stats.add('tx_discards', 'macTx');
      this.drop('no-end-bd', 0, { bds: n });
      this.c.hc.event('tx', n);
    }
    this.kick();
  }

  private once(key: string, f: () => void): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    f();
  }

  /** Core reset / RST#: indices 0, FIFO and chains dropped. */
  reset(): void {
    const q = this.c.ctx.queue;
    q.deschedule(this.fetchEv);
    q.deschedule(this.resumeEv);
    if (this.loopEv.scheduled) this.onWire = null;
    q.deschedule(this.loopEv);
    for (const f of this.fifo) this.drop('reset', f.pktId, {});
    this.prod = this.cons = this.compl = 0;
    this.group = [];
    this.batch = null;
    this.fifo = [];
    this.pausedUntil = -1;
    this.warned.clear();
    // A frame already on the wire finishes; its outcome is ignored (onWire stays until then).
  }

  saveState(): SendState {
    const b = this.batch;
    return {
      prod: this.prod, cons: this.cons, compl: this.compl, group: this.group.map((g) => ({ ...g })), groupSince: this.groupSince,
      batch: b ? { compl: b.compl, bds: b.bds, frames: b.frames.map(saveF), coalNow: b.coalNow } : null,
      fifo: this.fifo.map(saveF), onWire: this.onWire ? saveF(this.onWire) : null, pausedUntil: this.pausedUntil,
      fetch: this.fetchEv.when, resume: this.resumeEv.when, loop: this.loopEv.when,
    };
  }

  loadState(s: SendState): void {
    const q = this.c.ctx.queue;
    q.deschedule(this.fetchEv);
    q.deschedule(this.resumeEv);
    q.deschedule(this.loopEv);
    Object.assign(this, { prod: s.prod, cons: s.cons, compl: s.compl, groupSince: s.groupSince, pausedUntil: s.pausedUntil });
    this.group = s.group.map((g) => ({ ...g }));
    this.batch = s.batch ? { compl: s.batch.compl, bds: s.batch.bds, frames: s.batch.frames.map(loadF), coalNow: s.batch.coalNow } : null;
    this.fifo = s.fifo.map(loadF);
    this.onWire = s.onWire ? loadF(s.onWire) : null;
    if (s.fetch >= 0) q.schedule(this.fetchEv, s.fetch);
    if (s.resume >= 0) q.schedule(this.resumeEv, s.resume);
    if (s.loop >= 0) q.schedule(this.loopEv, s.loop);
  }

  /** The MAC outcome callback after a restore (the frame on the wire was saved with the medium). */
  get outcome(): (o: TxOutcome) => void {
    return (o) => this.transmitted(o);
  }
}
