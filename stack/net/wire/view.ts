/**
 * What every wire format here is built from (the smoltcp `wire` pattern, docs/STYLE.md §10): a field table
 * of byte offsets and lengths that the zero-copy view reads through, a length check that returns a reason
 * instead of throwing, and a `WireError` carrying that reason and which check failed, so the stack can count
 * it under the counter NetBSD uses (ipstat, icmpstat, udpstat, …).
 */

/** A field of a header: byte offset and length. Sub-byte fields (IHL, flags) name the bytes holding them. */
export interface FieldSpec {
  readonly offset: number;
  readonly length: number;
}

/** Why bytes are not a valid packet: a sentence for traces, and the failed check's name. */
export class WireError<C extends string = string> {
  constructor(readonly reason: string, readonly check: C) {}
}

/** A DataView over exactly the bytes of `buf` (a subarray has a byteOffset into a larger buffer). */
export function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The bytes of field `f` in `buf` (a subarray: writing it writes the packet). */
export function fieldBytes(buf: Uint8Array, f: FieldSpec): Uint8Array {
  return buf.subarray(f.offset, f.offset + f.length);
}

/** End of the last field of a table: the fixed header's length. */
export function headerEnd(table: Readonly<Record<string, FieldSpec>>): number {
  let end = 0;
  for (const f of Object.values(table)) end = Math.max(end, f.offset + f.length);
  return end;
}
