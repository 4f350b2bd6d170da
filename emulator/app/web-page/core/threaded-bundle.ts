/**
 * A threaded run's recording in a scenario bundle (api.ts ScenarioBundle `threaded`): `qnxemu web` runs a scenario
 * whose guests run in worker threads once, as `qnxemu run` runs it, records what each guest sent the main thread
 * (emulator/app/debug/threaded.ts), and puts the recording in bundle.json; the page replays the main thread's part
 * of that run from it (emulator/app/assembly/guest-recording.ts) instead of running the guests itself. So the page
 * shows the run `qnxemu run` makes — the same trace-hash — and needs neither v86 nor the guest image.
 *
 * The messages are plain data but for what JSON cannot carry: byte arrays (frames), numbers that are not finite or
 * are -0, and `undefined` in an array (a trace record without fields). Each such value becomes a one-key object
 * (`{"$u8": base64}`, `{"$num": "Infinity"}`, `{"$undef": 1}`; an object of the run's whose one key is one of
 * these is wrapped as `{"$obj": {...}}`) and comes back as it was, so the replay takes in the
 * very messages the threaded run took in; its end checks that (DebugSession: the same trace-hash as the threaded run).
 * Runs in the page and under Node (Buffer: the page's shim).
 */
import type { GuestRecording } from '../../assembly/guest-recording';

/** What bundle.json holds of a threaded run (bundle-schema.ts checks its shape). */
export interface ThreadedBundle {
  /** `--threads N` of the recording run (at most that many guests executed at once; the run does not depend on it). */
  threads: number;
  /** The threaded run's own trace-hash and events, which every replay's end is checked against. */
  traceHash: string;
  events: number;
  /** Each guest's recording, its messages encoded (encodeValue). */
  guests: unknown[];
}

/** The recording as the session replays it. */
export interface ThreadedReplay {
  threads: number;
  traceHash: string;
  events: number;
  guests: GuestRecording[];
}

const BYTES = '$u8';
const NUMBER = '$num';
const UNDEFINED = '$undef';
const OBJECT = '$obj';
const TAGS = new Set([BYTES, NUMBER, UNDEFINED, OBJECT]);

/** `v` with every value JSON cannot carry as it is tagged (see the file's comment); anything else unsupported throws. */
export function encodeValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { [NUMBER]: Object.is(v, -0) ? '-0' : String(v) };
  if (v instanceof Uint8Array) return { [BYTES]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? { [UNDEFINED]: 1 } : encodeValue(x)));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeValue(x);
    // An object of the run's own that looks like a tag (its one key is one of ours) is wrapped, not taken for one.
    const keys = Object.keys(out);
    return keys.length === 1 && TAGS.has(keys[0]!) ? { [OBJECT]: out } : out;
  }
  throw new TypeError(`a threaded run's message holds a value bundle.json cannot carry: ${Object.prototype.toString.call(v)}`);
}

/** The inverse of encodeValue. */
export function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const tag = o[keys[0]!];
    if (keys[0] === BYTES && typeof tag === 'string') return Uint8Array.from(Buffer.from(tag, 'base64'));
    if (keys[0] === NUMBER && typeof tag === 'string') return tag === '-0' ? -0 : Number(tag);
    if (keys[0] === UNDEFINED) return undefined;
    if (keys[0] === OBJECT && tag !== null && typeof tag === 'object' && !Array.isArray(tag)) return decodeFields(tag as Record<string, unknown>);
  }
  return decodeFields(o);
}

function decodeFields(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = decodeValue(o[k]);
  return out;
}

export function encodeThreaded(threads: number, rec: { guests: readonly GuestRecording[]; traceHash: string; events: number }): ThreadedBundle {
  return { threads, traceHash: rec.traceHash, events: rec.events, guests: rec.guests.map((g) => encodeValue(g)) };
}

export function decodeThreaded(b: ThreadedBundle): ThreadedReplay {
  return { threads: b.threads, traceHash: b.traceHash, events: b.events, guests: b.guests.map((g) => decodeValue(g) as GuestRecording) };
}
