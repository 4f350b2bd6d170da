/**
 * The run's `trace-hash`: SHA-256 over a compact binary encoding of every trace record, in order
 * (docs/formats/trace.md "The trace hash", byte by byte). The Tracer encodes each record here, whatever sinks
 * listen; `qnxemu trace --hash FILE` re-encodes a saved trace's records with the same class, so a whole file's
 * hash equals the run's.
 *
 * Records go into one reusable 64 KiB buffer that is fed to the hash when it fills: no JSON, no string built and
 * no allocation per record. Names (node, layer, probe, field keys) are written out each time, like values: copying
 * a few ASCII bytes and hashing them costs less than looking a name up in a Map. Numbers are float64 (-0 written as 0 and NaN/±Infinity as null, as JSON has them), so
 * the values that survive a JSON line hash the same from the line as from the run.
 */
import { createHash, type Hash } from 'node:crypto';

/** Bytes buffered before they are fed to the hash. */
const CHUNK = 1 << 16;
/** A string longer than this (in UTF-16 units) is hashed from its own buffer, not copied into the chunk. */
const LONG = CHUNK >> 3;

/** First byte of a record: without `f`, with `f`. */
const RECORD_PLAIN = 0x01;
const RECORD_WITH_FIELDS = 0x02;

/** Type byte of a field; FIELD_END ends a record's fields. FIELD_JSON: any other JSON value (an array, an object) as its JSON text. */
const FIELD_END = 0x00;
const FIELD_NUMBER = 0x01;
const FIELD_STRING = 0x02;
const FIELD_FALSE = 0x03;
const FIELD_TRUE = 0x04;
const FIELD_NULL = 0x05;
const FIELD_JSON = 0x06;

export class TraceEncoder {
  private readonly hash: Hash = createHash('sha256');
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private readonly view = new DataView(this.buf.buffer, this.buf.byteOffset, CHUNK);
  private pos = 0;

  /** Encode one record (the fields of `f` in their enumeration order, as JSON.stringify writes them). */
  record(t: number, node: string, layer: string, probe: string, pkt: number, f: object | undefined): void {
    if (this.pos > CHUNK - 17) this.flush();
    this.buf[this.pos] = f ? RECORD_WITH_FIELDS : RECORD_PLAIN;
    this.view.setFloat64(this.pos + 1, t === 0 ? 0 : t, true);
    this.view.setFloat64(this.pos + 9, pkt === 0 ? 0 : pkt, true);
    this.pos += 17;
    this.text(node);
    this.text(layer);
    this.text(probe);
    if (!f) return;
    const fields = f as Record<string, unknown>;
    for (const key in fields) {
      const v = fields[key];
      switch (typeof v) {
        case 'number':
          if (Number.isFinite(v)) {
            this.typeAndKey(FIELD_NUMBER, key);
            if (this.pos > CHUNK - 8) this.flush();
            this.view.setFloat64(this.pos, v === 0 ? 0 : v, true);
            this.pos += 8;
          } else this.typeAndKey(FIELD_NULL, key);
          break;
        case 'string':
          this.typeAndKey(FIELD_STRING, key);
          this.text(v);
          break;
        case 'boolean':
          this.typeAndKey(v ? FIELD_TRUE : FIELD_FALSE, key);
          break;
        case 'undefined':
        case 'function':
        case 'symbol':
          break; // JSON.stringify leaves the key out
        default: {
          if (v === null) {
            this.typeAndKey(FIELD_NULL, key);
            break;
          }
          const json = JSON.stringify(v) as string | undefined;
          if (json === undefined) break;
          this.typeAndKey(FIELD_JSON, key);
          this.text(json);
        }
      }
    }
    if (this.pos >= CHUNK) this.flush();
    this.buf[this.pos++] = FIELD_END;
  }

  /** Hex SHA-256 of every record so far (the running hash is not disturbed). */
  digest(): string {
    const h = this.hash.copy();
    if (this.pos > 0) h.update(this.buf.subarray(0, this.pos));
    return h.digest('hex');
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.hash.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  private typeAndKey(type: number, key: string): void {
    if (this.pos >= CHUNK) this.flush();
    this.buf[this.pos++] = type;
    this.text(key);
  }

  /** A string: varint byte length, then its UTF-8 bytes. */
  private text(s: string): void {
    const n = s.length;
    if (n > LONG) {
      const bytes = Buffer.from(s, 'utf8');
      if (this.pos > CHUNK - 5) this.flush();
      this.varint(bytes.length);
      this.flush();
      this.hash.update(bytes);
      return;
    }
    if (this.pos > CHUNK - 5 - 3 * n) this.flush();
    const b = this.buf;
    if (n < 128) {
      // ASCII (nearly every name and value): copy the code units after a one-byte length.
      let q = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[q++] = c;
      }
      if (i === n) {
        b[this.pos] = n;
        this.pos = q;
        return;
      }
    }
    this.varint(Buffer.byteLength(s, 'utf8'));
    this.pos += b.write(s, this.pos, 'utf8');
  }

  /** Unsigned LEB128 (7 bits a byte, low first), for numbers below 2^32. */
  private varint(v: number): void {
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }
}
