import type { DmaMemory } from '../bus/types';
import { pciBurstCycles, pciTransferTime } from '../board/dma';
import type { GuestMachine } from './guest-machine';

/**
 * A v86 guest's RAM as a bus master sees it (`DmaMemory` for models that do DMA: BCM57xx, RT2560).
 *
 * v86 keeps guest RAM inside its wasm memory (`cpu.mem8`, a view that must be re-made whenever the wasm
 * memory grows, which detaches the old buffer); this class re-makes it on demand. Out-of-range parts read
 * 0xFF and drop writes, as a master abort. Timing is the board's PCI burst model (board/dma.ts).
 *
 * Reads are part of the guest's log (guest-log.ts): during a replay, with no RAM present, they return the
 * recorded bytes so the model sees exactly what it saw; writes are dropped then.
 */
export class GuestDmaMemory implements DmaMemory {
  private view: Uint8Array | null = null;

  constructor(private readonly guest: GuestMachine) {}

  read(addr: number, dst: Uint8Array): number {
    const t = this.time(addr, dst.length);
    if (this.guest.mode === 'replay') {
      const rec = this.guest.replayDma();
      dst.fill(0xff);
      if (rec) dst.set(rec.subarray(0, dst.length));
      return t;
    }
    const ram = this.ram();
    dst.fill(0xff);
    if (ram) {
      const end = Math.min(addr + dst.length, ram.length);
      if (addr < end) dst.set(ram.subarray(addr, end));
      this.guest.log.dma.push(dst.slice());
    }
    return t;
  }

  write(addr: number, src: Uint8Array): number {
    const t = this.time(addr, src.length);
    const ram = this.guest.mode === 'live' ? this.ram() : null;
    if (ram && addr < ram.length) ram.set(src.subarray(0, Math.max(0, Math.min(src.length, ram.length - addr))), addr);
    return t;
  }

  private time(addr: number, len: number): number {
    return pciTransferTime(this.guest.ctx.queue.now, pciBurstCycles(addr, len));
  }

  private ram(): Uint8Array | null {
    const cpu = this.guest.cpu;
    if (!cpu) return null;
    const buf = cpu.wasm_memory.buffer;
    if (!this.view || this.view.buffer !== buf) {
      const m = cpu.mem8;
      this.view = new Uint8Array(buf, m.byteOffset, m.length);
    }
    return this.view;
  }
}
