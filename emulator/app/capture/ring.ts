/**
 * `--capture-ring <size>`: the newest packet blocks whose lengths add up to at most `size` bytes, kept in memory;
 * the header blocks (SHB and one IDB per tap) are kept apart and always written first, so the file written
 * from the ring is a valid pcapng of at most header + size bytes holding the last packets before it was
 * written. A single packet block larger than the ring is not kept (the ring is then empty until a smaller one).
 */

/** `--capture-ring` sizes: bytes, or K, M, G, T (powers of 1024) with an optional B: 20M, 20MB, 512K, 4096. */
export function parseRingSize(text: string): number | string {
  const m = /^(\d+)\s*([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) return `'${text}' is not a size: write bytes or a number with K, M, G or T (512K, 20M, 20MB)`;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase()]!;
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n)) return `'${text}' is too large`;
  if (n === 0) return `'${text}' is empty: a ring holds at least one packet block (e.g. 64K)`;
  return n;
}

export class BlockRing {
  private readonly header: Uint8Array[] = [];
  private blocks: Uint8Array[] = [];
  private head = 0;
  private held = 0;
  /** Packet blocks that went in (kept or since dropped). */
  total = 0;

  constructor(readonly limit: number) {}

  /** A header block (SHB, IDB): always kept. */
  pushHeader(b: Uint8Array): void {
    this.header.push(b);
  }

  /** A packet block: the oldest ones leave until the newest fit in `limit`. */
  push(b: Uint8Array): void {
    this.total++;
    this.blocks.push(b);
    this.held += b.length;
    while (this.held > this.limit && this.head < this.blocks.length) this.held -= this.blocks[this.head++]!.length;
    // Drop the consumed front now and then (amortised O(1) per block).
    if (this.head > 1024 && this.head * 2 > this.blocks.length) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
  }

  /** Packet blocks held now. */
  get packets(): number {
    return this.blocks.length - this.head;
  }

  /** Bytes of packet blocks held now (≤ limit). */
  get bytes(): number {
    return this.held;
  }

  /** The header blocks, then the packet blocks held, oldest first, as one pcapng byte string. */
  contents(): Uint8Array {
    const parts = [...this.header, ...this.blocks.slice(this.head)];
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}
