/**
 * The flow-through queues (FTQ_RESET 0x5c00, queue k at 0x5c00 + 0x10·k, k = 1..0x11) and the part of the
 * internal DMA machinery `tg3_do_test_dma` exercises on 5700/5701 (design §1.15): an internal buffer
 * descriptor in SRAM, enqueued on DMA_HIGH_READ (2, host → SRAM, needs RDMAC) or DMA_HIGH_WRITE (7, SRAM →
 * host, needs WDMAC); when the transfer is done the descriptor's address is enqueued on its completion queue
 * (RCVBD_COMP 0x0d / RCVDATA_COMP 0x10 in tg3), which tg3 polls through FIFO_ENQDEQ.
 *
 * FIFO_ENQDEQ reads return the most recently enqueued value without dequeuing *(I)*: tg3 writes 0 to the
 * completion queues and waits for the low 16 bits to read 0x2000, and on 5701 every register write is read
 * back (`tg3_write_flush_reg32`) — a destructive read would eat its own enqueue. Other queues are stored only.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Time } from '../../emulator/machine/sim/time';
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import type { Sram } from './sram';
import { CORE_CLOCK_HZ } from './timing';
import { BLOCK, FTQ_DMA_HIGH_READ, FTQ_DMA_HIGH_WRITE, FTQ_QUEUES, FTQ_RESET, SRAM_SIZE } from './regs';

export const FTQ_NAMES = [
  '', 'DMA_NORM_READ', 'DMA_HIGH_READ', 'DMA_COMP_DISC', 'SEND_BD_COMP', 'SEND_DATA_INIT', 'DMA_NORM_WRITE',
  'DMA_HIGH_WRITE', 'SWTYPE1', 'SEND_DATA_COMP', 'HOST_COAL', 'MAC_TX', 'MB_FREE', 'RCVBD_COMP', 'RCVLST_PLMT',
  'RCVDATA_INI', 'RCVDATA_COMP', 'SWTYPE2',
] as const;
const DEPTH = 16;
/** The internal descriptor fetch from SRAM: four dwords at one core clock each plus the engine's turnaround, 8 core clocks *(I)*. */
export const FTQ_DESC_FETCH_NS = Math.round((8 * 1e9) / CORE_CLOCK_HZ);

export interface FtqHooks {
  readonly sram: Sram;
  /** Whether the read (host → NIC) / write (NIC → host) DMA engine is enabled. */
  readonly engineEnabled: (dir: 'read' | 'write') => boolean;
  /** Bus Master Enable: without it the engine never gets the bus and waits (tg3's self-test times out). */
  readonly mayMaster: () => boolean;
  /** A bus-master transfer; returns when it ends (absolute time). */
  dma(dir: 'read' | 'write', addr: number, buf: Uint8Array): Time;
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

interface Queue {
  entries: number[];
  last: number;
  ctl: number;
  peek: number;
}

interface Transfer {
  desc: number;
  cq: number;
  dir: 'read' | 'write';
}

export interface FtqState {
  queues: Queue[];
  busy: Transfer | null;
  done: number;
}

export class Ftq {
  private queues: Queue[] = [];
  private busy: Transfer | null = null;
  private readonly done: SimEvent;

  constructor(private readonly ctx: ComponentContext, private readonly h: FtqHooks) {
    this.done = new SimEvent(`${ctx.name}.ftqDma`, () => this.complete(), Priority.Device);
    this.reset();
  }

  /** Every queue empty, the engine idle (FTQ_RESET of all queues, core reset). */
  reset(): void {
    this.queues = Array.from({ length: FTQ_QUEUES + 1 }, () => ({ entries: [], last: 0, ctl: 0, peek: 0 }));
    this.busy = null;
    this.ctx.queue.deschedule(this.done);
  }

  /** Entries waiting on queue k (inspect). */
  depth(k: number): number {
    return this.queues[k]?.entries.length ?? 0;
  }

  defs(): RegisterDef[] {
    const out: RegisterDef[] = [
      {
        offset: FTQ_RESET, name: 'FTQ_RESET', width: 4, access: 'rw',
        // bge polls for 0 after writing 0xffffffff then 0 ("flow-through queue init failed"): the reset is immediate.
        read: () => 0,
        write: (v) => {
          for (let k = 1; k <= FTQ_QUEUES; k++) if (v & (1 << k)) this.queues[k] = { entries: [], last: 0, ctl: 0, peek: 0 };
        },
      },
    ];
    for (let k = 1; k <= FTQ_QUEUES; k++) {
      const base = BLOCK.FTQ + 0x10 * k;
      const name = `FTQ_${FTQ_NAMES[k]}`;
      const q = (): Queue => this.queues[k]!;
      out.push(
        { offset: base, name: `${name}_CTL`, width: 4, access: 'rw', read: () => q().ctl, write: (v) => (q().ctl = v >>> 0) },
        { offset: base + 4, name: `${name}_FULL_CNT`, width: 4, access: 'ro', read: () => q().entries.length },
        { offset: base + 8, name: `${name}_FIFO_ENQDEQ`, width: 4, access: 'rw', read: () => q().last, write: (v) => this.enqueue(k, v >>> 0) },
        { offset: base + 0xc, name: `${name}_WRITE_PEEK`, width: 4, access: 'rw', read: () => q().peek, write: (v) => (q().peek = v >>> 0) },
      );
    }
    return out;
  }

  private enqueue(k: number, v: number): void {
    const q = this.queues[k]!;
    q.last = v;
    if (q.entries.length >= DEPTH) {
      this.h.trace('ftq-full', { queue: k, value: v });
      return;
    }
    q.entries.push(v);
    if (k === FTQ_DMA_HIGH_READ || k === FTQ_DMA_HIGH_WRITE) this.kick();
  }

  /** Start the next internal descriptor if the engine is idle and its DMA engine is enabled. */
  kick(): void {
    if (this.busy) return;
    for (const k of [FTQ_DMA_HIGH_READ, FTQ_DMA_HIGH_WRITE]) {
      const dir = k === FTQ_DMA_HIGH_READ ? 'read' : 'write';
      const q = this.queues[k]!;
      if (q.entries.length === 0 || !this.h.engineEnabled(dir)) continue;
      this.start(q.entries.shift()!, dir);
      return;
    }
  }

  /** Run one descriptor (tg3.h struct tg3_internal_buffer_desc, little-endian in SRAM). */
  private start(desc: number, dir: 'read' | 'write'): void {
    const s = this.h.sram;
    const hi = s.read32(desc);
    const lo = s.read32(desc + 4);
    const mbuf = s.read32(desc + 8);
    const w3 = s.read32(desc + 0xc);
    const len = w3 & 0xffff;
    const cq = (w3 >>> 24) & 0xff;
    const fit = Math.max(0, Math.min(len, SRAM_SIZE - mbuf));
    if (fit < len || desc + 0x10 > SRAM_SIZE) this.h.trace('ftq-clipped', { desc, mbuf, len, fit });
    const addr = hi * 0x1_0000_0000 + lo;
    this.busy = { desc, cq, dir };
    if (!this.h.mayMaster()) {
      // No REQ# without Bus Master Enable: the engine holds the descriptor until a reset.
      this.h.trace('dma-stalled', { dir, desc, reason: 'bus-master-disabled' });
      return;
    }
    const buf = new Uint8Array(fit);
    let end: Time;
    if (dir === 'read') {
      end = this.h.dma('read', addr, buf);
      s.copyIn(mbuf, buf);
    } else {
      s.copyOut(mbuf, buf);
      end = this.h.dma('write', addr, buf);
    }
    this.h.trace('ftq-dma', { dir, desc, addr, mbuf, len: fit, cq });
    // The engine reads the four-dword descriptor from SRAM before its bus transfer: every descriptor takes time,
    // also one of length 0, so a descriptor completing onto its own DMA queue (tg3 never does; found by the
    // fuzzer, nic/bcm5701, the CVE-2015-8345 self-linked list shape) repeats at the engine's pace instead of
    // looping at one instant.
    this.ctx.queue.schedule(this.done, Math.max(end, this.ctx.queue.now + FTQ_DESC_FETCH_NS));
  }

  private complete(): void {
    const t = this.busy;
    this.busy = null;
    if (t) {
      if (t.cq >= 1 && t.cq <= FTQ_QUEUES) this.enqueue(t.cq, t.desc);
      else this.h.trace('ftq-bad-cq', { desc: t.desc, cq: t.cq });
    }
    this.kick();
  }

  saveState(): FtqState {
    return { queues: this.queues.map((q) => ({ ...q, entries: [...q.entries] })), busy: this.busy, done: this.done.when };
  }

  loadState(s: FtqState): void {
    this.queues = s.queues.map((q) => ({ ...q, entries: [...q.entries] }));
    this.busy = s.busy;
    this.ctx.queue.deschedule(this.done);
    if (s.done >= 0) this.ctx.queue.schedule(this.done, s.done);
  }
}
