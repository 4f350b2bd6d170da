import type { BufferMemory } from './buffer-memory';

/** What the remote DMA channel needs from the rest of the chip. */
export interface RemoteDmaHost {
  readonly mem: BufferMemory;
  readonly pstart: number;
  readonly pstop: number;
  readonly bnry: number;
  /** DCR.WTS: the channel moves 16-bit words. */
  readonly wordMode: boolean;
  /** Byte count reached zero: set ISR.RDC. */
  remoteDone(): void;
  /** A Send Packet transfer finished: advance BNRY to the packet's next-page pointer. */
  sendPacketDone(next: number): void;
  /** A data-port access with no remote DMA in that direction (traced, answered open-bus). */
  idleAccess(dir: 'read' | 'write'): void;
}

export type RemoteMode = 'idle' | 'read' | 'write';

export interface RemoteDmaState {
  addr: number;
  count: number;
  mode: RemoteMode;
  sendPacket: boolean;
  sendNext: number;
}

/**
 * The remote DMA channel (datasheet section 11 "Remote DMA"): moves bytes between buffer memory and the host's
 * data port. RSAR writes set the address counter (read back as CRDA), RBCR writes set the byte counter.
 *
 * - One chip transfer is a byte (DCR.WTS = 0) or a word (WTS = 1). A host byte access in word mode still moves
 *   a word (address +2, count −2) and returns the low byte (Linux ne2k-pci reads the PROM this way). A wider host
 *   access is several transfers: 16-bit in byte mode = 2, 32-bit = 2 words or 4 bytes. A host byte write in
 *   word mode stores a word whose undriven high byte is taken as 0.
 * - Word transfers address the word at `addr & ~1` (the NE2000 RAM ignores A0); an odd RSAR stays odd.
 * - The count never goes below zero: a word transfer with one byte left completes the DMA (NetBSD ends odd
 *   uploads with one word past RBCR). When the count reaches zero ISR.RDC is set and the channel goes idle;
 *   a command with RBCR = 0 sets RDC at once (Linux ne.c IRQ autoprobe).
 * - When the address enters page PSTOP it wraps to the same offset in page PSTART (datasheet: "if the DMA
 *   pointer crosses the Page Stop Register, it is reset to the Page Start Address"; Linux ei_receive reads a
 *   wrapped packet in one remote read). Addresses wrap at 16 bits.
 * - Send Packet (RD = 011): address = BNRY·256, count = the ring header's receive byte count (which counts the
 *   4-byte header, so header + frame are read); at completion BNRY = the header's next-page pointer. The
 *   datasheet's "load RBCR1 with 0x0F first" precondition is not enforced.
 * - Data-port accesses with no DMA in progress read 0xFF per byte and drop writes. (A real NE2000 may hang the
 *   ISA bus here; a model must not.)
 */
export class RemoteDma {
  addr = 0;
  count = 0;
  mode: RemoteMode = 'idle';
  private sendPacket = false;
  private sendNext = 0;

  constructor(private readonly host: RemoteDmaHost) {}

  /** CR.RD written (0–7). */
  command(rd: number): void {
    if (rd === 0) return; // "not allowed" in the datasheet: leaves a transfer in progress alone
    if (rd >= 4) {
      // 1xx: abort/complete remote DMA
      this.mode = 'idle';
      this.sendPacket = false;
      return;
    }
    this.sendPacket = false;
    if (rd === 3) {
      const base = (this.host.bnry << 8) & 0xffff;
      const mem = this.host.mem;
      this.addr = base;
      this.sendNext = mem.read8(base + 1);
      this.count = mem.read8(base + 2) | (mem.read8(base + 3) << 8);
      this.sendPacket = true;
      this.mode = 'read';
    } else {
      this.mode = rd === 1 ? 'read' : 'write';
    }
    if (this.count === 0) this.complete();
  }

  read(size: 1 | 2 | 4): number {
    const word = this.host.wordMode;
    if (size === 1) return this.readUnit() & 0xff;
    if (word) {
      const lo = this.readUnit();
      if (size === 2) return lo;
      return (lo | (this.readUnit() << 16)) >>> 0;
    }
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readUnit() << (8 * i);
    return v >>> 0;
  }

  write(size: 1 | 2 | 4, value: number): void {
    const word = this.host.wordMode;
    if (size === 1) return this.writeUnit(value & (word ? 0xffff : 0xff));
    if (word) {
      this.writeUnit(value & 0xffff);
      if (size === 4) this.writeUnit((value >>> 16) & 0xffff);
      return;
    }
    for (let i = 0; i < size; i++) this.writeUnit((value >>> (8 * i)) & 0xff);
  }

  /** One chip transfer out of memory: a byte or a word by DCR.WTS. */
  private readUnit(): number {
    const word = this.host.wordMode;
    if (this.mode !== 'read') {
      this.host.idleAccess('read');
      return word ? 0xffff : 0xff;
    }
    const v = word ? this.host.mem.read16(this.addr) : this.host.mem.read8(this.addr);
    this.step(word ? 2 : 1);
    return v;
  }

  private writeUnit(v: number): void {
    const word = this.host.wordMode;
    if (this.mode !== 'write') {
      this.host.idleAccess('write');
      return;
    }
    if (word) this.host.mem.write16(this.addr, v);
    else this.host.mem.write8(this.addr, v);
    this.step(word ? 2 : 1);
  }

  private step(n: number): void {
    this.addr = this.advance(this.addr, n);
    this.count = Math.max(0, this.count - n);
    if (this.count === 0) this.complete();
  }

  /** The address counter after a transfer of `n` bytes: +n, wrapping from page PSTOP to PSTART and at 16 bits. */
  private advance(old: number, n: number): number {
    const a = (old + n) & 0xffff;
    const page = a >> 8;
    return page !== old >> 8 && page === this.host.pstop ? ((this.host.pstart << 8) | (a & 0xff)) & 0xffff : a;
  }

  /**
   * How many of the next `max` word accesses from `addr` (whose word lies in RAM, below `ramEnd`) go to
   * consecutive words without the address wrapping: `advance` wraps only when the address enters page PSTOP
   * from below (or passes 16 bits), and a word at `addr & ~1` is in RAM while `addr < ramEnd`. So words j with
   * addr + 2j below both limits are at (addr & ~1) + 2j. At least 1.
   */
  private wordRun(addr: number, ramEnd: number, max: number): number {
    const wrapAt = this.host.pstop << 8;
    const limit = Math.min(addr < wrapAt ? wrapAt : 0x10000, ramEnd);
    return Math.max(1, Math.min(max, (limit - addr + 1) >> 1));
  }

  /**
   * Whether every buffer-memory page the next host access of `size` in direction `dir` touches passes `ok` (the
   * page is the address's high byte). False if that access is not quiet (quietAccesses): it then finishes the DMA,
   * or finds it idle or in the other direction.
   */
  nextPagesAll(dir: 'read' | 'write', size: 1 | 2 | 4, ok: (page: number) => boolean): boolean {
    if (this.quietAccesses(dir, size) < 1) return false;
    const word = this.host.wordMode;
    const unit = word ? 2 : 1;
    const units = size === 1 ? 1 : word ? size >> 1 : size;
    let a = this.addr;
    for (let i = 0; i < units; i++) {
      if (!ok((word ? a & 0xfffe : a) >> 8)) return false;
      a = this.advance(a, unit);
    }
    return true;
  }

  /**
   * Host accesses of `size` in the current direction that leave the byte count above zero: each only moves data
   * and the counters (no RDC, no idle-access trace), so a string of them may be served as one burst
   * (`writeQuiet`/`readQuiet`). The access that brings the count to zero is not among them.
   */
  quietAccesses(dir: 'read' | 'write', size: 1 | 2 | 4): number {
    if (this.mode !== dir || this.count <= 0) return 0;
    const word = this.host.wordMode;
    const perAccess = size === 1 ? (word ? 2 : 1) : size; // bytes of count one host access consumes
    return Math.floor((this.count - 1) / perAccess);
  }

  /**
   * Up to `count` host writes of `size` (values little-endian from `src` at `start`) as `write` would do them, but
   * only the quiet ones (`quietAccesses`). Returns how many were done.
   */
  writeQuiet(size: 1 | 2 | 4, src: Uint8Array, start: number, count: number): number {
    const k = Math.min(count, this.quietAccesses('write', size));
    const mem = this.host.mem;
    const word = this.host.wordMode;
    let addr = this.addr;
    let p = start;
    const ram = mem.ram;
    const lo = mem.ramStart;
    const hi = mem.ramEnd;
    for (let i = 0; i < k; ) {
      if (size === 2 && word) {
        // The common case (REP OUTSW in word mode), the words stored straight into RAM as write16 does, one copy
        // for the stretch that stays in RAM without wrapping (wordRun).
        const a = addr & 0xfffe;
        if (a >= lo && a + 1 < hi) {
          const r = this.wordRun(addr, hi, k - i);
          ram.set(src.subarray(p, p + 2 * r), a - lo);
          addr = this.advance(addr + 2 * (r - 1), 2);
          p += 2 * r;
          i += r;
          continue;
        }
        mem.write16(addr, src[p]! | (src[p + 1]! << 8));
        addr = this.advance(addr, 2);
      } else if (size === 1) {
        if (word) mem.write16(addr, src[p]!);
        else mem.write8(addr, src[p]!);
        addr = this.advance(addr, word ? 2 : 1);
      } else if (word) {
        for (let w = 0; w < size; w += 2) {
          mem.write16(addr, src[p + w]! | (src[p + w + 1]! << 8));
          addr = this.advance(addr, 2);
        }
      } else {
        for (let b = 0; b < size; b++) {
          mem.write8(addr, src[p + b]!);
          addr = this.advance(addr, 1);
        }
      }
      p += size;
      i++;
    }
    this.addr = addr;
    this.count -= k * (size === 1 && word ? 2 : size);
    return k;
  }

  /** The read side of `writeQuiet`: up to `count` quiet host reads of `size`, stored little-endian into `dst`. */
  readQuiet(size: 1 | 2 | 4, dst: Uint8Array, start: number, count: number): number {
    const k = Math.min(count, this.quietAccesses('read', size));
    const mem = this.host.mem;
    const word = this.host.wordMode;
    let addr = this.addr;
    let p = start;
    const ram = mem.ram;
    const lo = mem.ramStart;
    const hi = mem.ramEnd;
    for (let i = 0; i < k; ) {
      if (size === 2 && word) {
        // The common case (REP INSW in word mode), straight from RAM as read16 does: one copy per stretch.
        const a = addr & 0xfffe;
        if (a >= lo && a + 1 < hi) {
          const r = this.wordRun(addr, hi, k - i);
          dst.set(ram.subarray(a - lo, a - lo + 2 * r), p);
          addr = this.advance(addr + 2 * (r - 1), 2);
          p += 2 * r;
          i += r;
          continue;
        }
        const v = mem.read16(addr);
        dst[p] = v & 0xff;
        dst[p + 1] = v >>> 8;
        addr = this.advance(addr, 2);
      } else if (size === 1) {
        dst[p] = (word ? mem.read16(addr) : mem.read8(addr)) & 0xff;
        addr = this.advance(addr, word ? 2 : 1);
      } else if (word) {
        for (let w = 0; w < size; w += 2) {
          const v = mem.read16(addr);
          dst[p + w] = v & 0xff;
          dst[p + w + 1] = v >>> 8;
          addr = this.advance(addr, 2);
        }
      } else {
        for (let b = 0; b < size; b++) {
          dst[p + b] = mem.read8(addr);
          addr = this.advance(addr, 1);
        }
      }
      p += size;
      i++;
    }
    this.addr = addr;
    this.count -= k * (size === 1 && word ? 2 : size);
    return k;
  }

  private complete(): void {
    this.mode = 'idle';
    if (this.sendPacket) {
      this.sendPacket = false;
      this.host.sendPacketDone(this.sendNext);
    }
    this.host.remoteDone();
  }

  reset(): void {
    this.mode = 'idle';
    this.sendPacket = false;
  }

  saveState(): RemoteDmaState {
    return { addr: this.addr, count: this.count, mode: this.mode, sendPacket: this.sendPacket, sendNext: this.sendNext };
  }

  loadState(s: RemoteDmaState): void {
    this.addr = s.addr & 0xffff;
    this.count = s.count & 0xffff;
    this.mode = s.mode;
    this.sendPacket = s.sendPacket;
    this.sendNext = s.sendNext & 0xff;
  }
}
