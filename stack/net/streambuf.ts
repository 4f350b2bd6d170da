/**
 * struct sockbuf for byte streams (kern/uipc_socket2.c sbappend/sbdrop, m_copydata): the bytes a TCP socket
 * has queued, as chunks that keep the packet id of the write or segment that brought them (so the trace can
 * follow application data into segments and back out to the reader), a high-water mark (so_sndbuf /
 * so_rcvbuf) and a low-water mark.
 */
export interface StreamChunk {
  data: Uint8Array;
  pktId: number;
}

export class StreamBuf {
  private readonly chunks: StreamChunk[] = [];
  /** Offset into chunks[0] of the first byte still queued. */
  private head = 0;
  /** Bytes queued (sb_cc). */
  cc = 0;

  /** `hiwat`: sb_hiwat (so_sndbuf / so_rcvbuf); `lowat`: sb_lowat (send: 2048 as NetBSD's sowriteable uses; receive: 1). */
  constructor(public hiwat: number, public lowat: number) {}

  /** sbspace: room left below the high-water mark. */
  space(): number {
    return Math.max(0, this.hiwat - this.cc);
  }

  /** sbappend: queue bytes at the end (the caller checked space, or TCP's window did). */
  append(data: Uint8Array, pktId: number): void {
    if (data.length === 0) return;
    this.chunks.push({ data, pktId });
    this.cc += data.length;
  }

  /** m_copydata: copy `len` bytes starting `off` bytes into the buffer (throws if they are not all queued). */
  copyOut(off: number, len: number, dst: Uint8Array = new Uint8Array(len), dstOff = 0): Uint8Array {
    if (off < 0 || len < 0 || off + len > this.cc) throw new RangeError(`StreamBuf.copyOut(${off}, ${len}) beyond ${this.cc} bytes`);
    let skip = off + this.head;
    let at = dstOff;
    let left = len;
    for (const c of this.chunks) {
      if (left === 0) break;
      if (skip >= c.data.length) {
        skip -= c.data.length;
        continue;
      }
      const n = Math.min(left, c.data.length - skip);
      dst.set(c.data.subarray(skip, skip + n), at);
      at += n;
      left -= n;
      skip = 0;
    }
    return dst;
  }

  /** The packet id of the byte `off` bytes in (0 when empty): what a segment carrying it is traced as. */
  pktIdAt(off: number): number {
    let skip = off + this.head;
    for (const c of this.chunks) {
      if (skip < c.data.length) return c.pktId;
      skip -= c.data.length;
    }
    return 0;
  }

  /** sbdrop: discard `n` bytes from the front (acknowledged data, or data the reader took). */
  drop(n: number): void {
    let left = Math.min(n, this.cc);
    this.cc -= left;
    while (left > 0) {
      const c = this.chunks[0]!;
      const avail = c.data.length - this.head;
      if (left < avail) {
        this.head += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Take up to `n` bytes from the front: the bytes and the packet id of the first of them. */
  read(n: number): { data: Uint8Array; pktId: number } {
    const len = Math.min(n, this.cc);
    const pktId = this.pktIdAt(0);
    const data = this.copyOut(0, len);
    this.drop(len);
    return { data, pktId };
  }

  /** sbflush. */
  flush(): void {
    this.chunks.length = 0;
    this.head = 0;
    this.cc = 0;
  }
}
