/**
 * Typed, versioned snapshots (QEMU VMState, 8bitworkshop SavesState). Each device's state is a plain
 * JSON-serializable object with a `v` version; pending events are saved as absolute times and
 * rescheduled on load. Byte arrays are stored as base64 strings via the helpers below.
 */
export interface Snapshottable<S extends { v: number }> {
  saveState(): S;
  loadState(state: S): void;
}

export function bytesToB64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export function b64ToBytes(s: string, into?: Uint8Array): Uint8Array {
  const buf = Buffer.from(s, 'base64');
  if (into) {
    into.set(buf.subarray(0, into.length));
    return into;
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice();
}

/** Pending-event record: absolute time, or -1 when the event was not scheduled. */
export type EventState = number;

export function checkVersion(what: string, got: { v: number }, want: number): void {
  if (got.v !== want) throw new Error(`${what}: snapshot version ${got.v}, this build reads version ${want}`);
}
