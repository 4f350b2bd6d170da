/**
 * A trace record's canonical JSON line written straight into bytes, for the `--trace` writer: the same bytes as
 * `JSON.stringify(rec) + "\n"` (docs/formats/trace.md; tests/sim/trace-json.test.ts compares the two), without
 * building the string. Names and values that need no escaping (printable ASCII, safe integers: nearly all) are
 * copied byte by byte; anything else goes through JSON.stringify itself, so escapes, non-ASCII text, fractions
 * and nested values come out exactly as JSON.stringify writes them. The part from `,"node":` to `"pkt":` is the
 * same for every record of one probe on one node, so its bytes are kept once made and copied after that (measured
 * on the 275 784 records of the 20 s ping flood, 2026-12-05: 84 → 53 ms encoding them alone, ≈ 150 → 115 ms of CPU
 * inside the run: docs/performance.md).
 */
import type { TraceRecord } from './trace';

/**
 * Most (node, layer, probe) combinations whose bytes are kept (the 20 s ping flood of scripts/scenarios/bench-flood.yaml
 * has 92): a bound on the memory a run with very many nodes or made-up probe names can take (a few MiB).
 */
const MAX_KEPT = 1 << 15;

export class JsonLineEncoder {
  /** Bytes written so far start at 0 and end at `pos`; the caller takes them and calls `reset()`. */
  buf: Buffer;
  pos = 0;
  /** The name bytes kept by names(): probe → node → (layer, bytes). */
  private readonly kept = new Map<string, Map<string, { layer: string; bytes: Uint8Array }[]>>();
  private keptCount = 0;

  constructor(capacity = 1 << 17) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Append `JSON.stringify(rec)` and a newline; returns the line's length in bytes, newline included. */
  line(rec: TraceRecord): number {
    const start = this.pos;
    this.ensure(64);
    this.ascii('{"t":');
    this.number(rec.t);
    this.names(rec.node, rec.layer, rec.probe);
    this.ensure(32);
    this.number(rec.pkt);
    const f = rec.f as Record<string, unknown> | undefined;
    if (f !== undefined) {
      this.ensure(8);
      this.ascii(',"f":{');
      let first = true;
      for (const k in f) {
        const v = f[k];
        switch (typeof v) {
          case 'number':
            this.key(k, first);
            this.ensure(32);
            this.number(v);
            break;
          case 'string':
            this.key(k, first);
            this.string(v);
            break;
          case 'boolean':
            this.key(k, first);
            this.ensure(8);
            this.ascii(v ? 'true' : 'false');
            break;
          case 'undefined':
          case 'function':
          case 'symbol':
            continue; // JSON.stringify leaves the key out
          default: {
            const json = v === null ? 'null' : (JSON.stringify(v) as string | undefined);
            if (json === undefined) continue;
            this.key(k, first);
            this.utf8(json);
          }
        }
        first = false;
      }
      this.ensure(1);
      this.buf[this.pos++] = 0x7d; // }
    }
    this.ensure(2);
    this.buf[this.pos++] = 0x7d; // }
    this.buf[this.pos++] = 0x0a; // \n
    return this.pos - start;
  }

  /**
   * `,"node":…,"layer":…,"probe":…,"pkt":` — the same few combinations come back record after record, so their
   * bytes are kept (by probe, then node and layer) and copied; a new combination is encoded once and kept, up to
   * MAX_KEPT of them (past that, encoded every time).
   */
  private names(node: string, layer: string, probe: string): void {
    let byNode = this.kept.get(probe);
    let list = byNode?.get(node);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        if (e.layer === layer) {
          this.bytes(e.bytes);
          return;
        }
      }
    }
    const start = this.pos;
    this.ascii(',"node":');
    this.string(node);
    this.ensure(16);
    this.ascii(',"layer":');
    this.string(layer);
    this.ensure(16);
    this.ascii(',"probe":');
    this.string(probe);
    this.ensure(16);
    this.ascii(',"pkt":');
    if (this.keptCount >= MAX_KEPT) return;
    if (byNode === undefined) this.kept.set(probe, (byNode = new Map()));
    if (list === undefined) byNode.set(node, (list = []));
    list.push({ layer, bytes: Uint8Array.prototype.slice.call(this.buf, start, this.pos) });
    this.keptCount++;
  }

  private bytes(src: Uint8Array): void {
    const n = src.length;
    this.ensure(n);
    this.buf.set(src, this.pos);
    this.pos += n;
  }

  /** Append a line already in JSON (and a newline); returns its length in bytes, newline included. */
  text(line: string): number {
    const start = this.pos;
    this.utf8(line);
    this.ensure(1);
    this.buf[this.pos++] = 0x0a;
    return this.pos - start;
  }

  /** Room for `n` more bytes (a record longer than the buffer grows it). */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Text known to be printable ASCII (the encoder's own punctuation; room ensured by the caller). */
  private ascii(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  private utf8(s: string): void {
    this.ensure(3 * s.length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** A JSON string: copied when every character is printable ASCII other than `"` and `\`, else JSON.stringify's text. */
  private string(s: string): void {
    const n = s.length;
    this.ensure(n + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.utf8(JSON.stringify(s));
        return;
      }
      b[p++] = c;
    }
    b[p++] = 0x22;
    this.pos = p;
  }

  /** A JSON number (room ensured by the caller): safe integers digit by digit, others as JSON writes them. */
  private number(v: number): void {
    if (!Number.isSafeInteger(v)) {
      this.ascii(Number.isFinite(v) ? String(v) : 'null');
      return;
    }
    const b = this.buf;
    if (v < 0) {
      b[this.pos++] = 0x2d; // -
      v = -v;
    }
    if (v >= 1e9) {
      // Above 2^31 the digits come from two parts in int32 arithmetic (a double's % is a slow library call).
      let hi = Math.floor(v / 1e9);
      let lo = v - hi * 1e9; // exact: both are integers below 2^53
      if (lo < 0) {
        hi--; // v / 1e9 rounded up to the next integer
        lo += 1e9;
      }
      this.digitsOf(hi, 0);
      this.digitsOf(lo, 9);
    } else this.digitsOf(v, 0);
  }

  /** Decimal digits of 0 ≤ v < 1e9, at least `width` of them (leading zeros), written in place from the last. */
  private digitsOf(v: number, width: number): void {
    let x = v | 0;
    let n = x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : x < 100000 ? 5 : x < 1000000 ? 6 : x < 10000000 ? 7 : x < 100000000 ? 8 : 9;
    if (n < width) n = width;
    const b = this.buf;
    const start = this.pos;
    let p = start + n;
    this.pos = p;
    while (p > start) {
      const q = (x / 10) | 0;
      b[--p] = 0x30 + x - q * 10;
      x = q;
    }
  }

  /** `"key":`, after a comma unless it is the first field (copied like a string value: cheaper than a cache lookup). */
  private key(k: string, first: boolean): void {
    this.ensure(2);
    if (!first) this.buf[this.pos++] = 0x2c; // ,
    this.string(k);
    this.ensure(1);
    this.buf[this.pos++] = 0x3a; // :
  }
}
