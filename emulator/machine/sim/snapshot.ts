/**
 * Typed, versioned snapshots (QEMU VMState, 8bitworkshop SavesState). Each device's state is a plain
 * JSON-serializable object with a `v` version; pending events are saved as absolute times and rescheduled on
 * load. Byte arrays are stored as base64 strings via the helpers below.
 *
 * Versions (QEMU's version_id / minimum_version_id): a device declares the version it writes, the oldest it
 * still reads, and one upgrade step per version in between. `readState` checks a saved state against that and
 * runs the steps in order, so a snapshot taken by an older build loads into a newer one; a state older than the
 * minimum or newer than this build is refused with a `SnapshotVersionError` naming the component and versions.
 */
import type { EventQueue } from './event-queue';
import type { Time } from './time';

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

/** A saved state as found in a snapshot, before it is known to be of this build's version. */
export interface VersionedState {
  v: number;
  [field: string]: unknown;
}

/** Turns a state of version n into one of version n + 1 (the framework sets `v`). */
export type UpgradeStep = (old: VersionedState) => Omit<VersionedState, 'v'>;

/** What a device declares about its state's versions. */
export interface StateVersions {
  /** What the device is called in errors ("DP8390 core", "hub"). */
  readonly component: string;
  /** The version this build writes (QEMU version_id). */
  readonly version: number;
  /** The oldest version this build still reads (QEMU minimum_version_id). */
  readonly minimum: number;
  /** upgrades[n] turns version n into version n + 1, for every n from `minimum` to `version - 1`. */
  readonly upgrades: Readonly<Record<number, UpgradeStep>>;
}

/** A snapshot's state is too old or too new for this build. */
export class SnapshotVersionError extends Error {
  constructor(
    readonly instance: string,
    readonly component: string,
    readonly got: number,
    readonly minimum: number,
    readonly version: number,
  ) {
    const range = minimum === version ? `version ${version}` : `versions ${minimum} to ${version}`;
    const why = !Number.isInteger(got)
      ? `has no valid version (${String(got)})`
      : got < minimum
        ? `is version ${got}, older than this build can upgrade`
        : `is version ${got}, newer than this build`;
    super(`${instance}${component ? ` (${component})` : ''}: the snapshot's state ${why}; this build reads ${range}`);
    this.name = 'SnapshotVersionError';
  }
}

/**
 * Declare a device's state versions. Checked here, once, at module load: every version from `minimum` up to
 * `version` must have its upgrade step (a missing step is a programming error, not a bad snapshot).
 */
export function stateVersions(
  component: string,
  version: number,
  opts: { minimum?: number; upgrades?: Record<number, UpgradeStep> } = {},
): StateVersions {
  const minimum = opts.minimum ?? version;
  const upgrades = opts.upgrades ?? {};
  if (!Number.isInteger(version) || version < 1 || !Number.isInteger(minimum) || minimum < 1 || minimum > version) {
    throw new RangeError(`${component}: bad state versions (version ${version}, minimum ${minimum})`);
  }
  for (let n = minimum; n < version; n++) {
    if (typeof upgrades[n] !== 'function') throw new Error(`${component}: no upgrade step from state version ${n} to ${n + 1}`);
  }
  for (const k of Object.keys(upgrades)) {
    const n = Number(k);
    if (!(n >= minimum && n < version)) throw new Error(`${component}: upgrade step from version ${k} is outside ${minimum}..${version - 1}`);
  }
  return { component, version, minimum, upgrades };
}

/**
 * Check a saved state against `versions` and upgrade it step by step to the current version. `instance` names
 * the device in errors ("alpha.en0"). The input is not modified.
 */
export function readState<S extends { v: number }>(instance: string, versions: StateVersions, saved: { v: number }): S {
  const got = saved.v;
  if (!Number.isInteger(got) || got < versions.minimum || got > versions.version) {
    throw new SnapshotVersionError(instance, versions.component, got, versions.minimum, versions.version);
  }
  let s = saved as VersionedState;
  for (let n = got; n < versions.version; n++) s = { ...versions.upgrades[n]!(s), v: n + 1 };
  return s as unknown as S;
}

/** The exact-version special case (no upgrades): throws a SnapshotVersionError unless `got.v === want`. */
export function checkVersion(what: string, got: { v: number }, want: number): void {
  readState(what, { component: '', version: want, minimum: want, upgrades: {} }, got);
}

/** Anything with a versioned state: a device, a medium, a fault injector. */
export interface SnapshotPart {
  saveState(): { v: number };
  loadState(state: { v: number }): void;
}

/** Several parts of one simulation saved together, with the clock and the tie order of the pending events. */
export interface PartsSnapshot {
  v: 1;
  time: Time;
  /** Pending events in firing order, as [name, time]. */
  events: [string, Time][];
  /** Each part's state by name. */
  parts: Record<string, { v: number }>;
}

/**
 * Save `parts` of the simulation driven by `queue`, between events. Together they must own every pending
 * event (a restore checks that).
 */
export function saveParts(queue: EventQueue, parts: readonly (readonly [string, SnapshotPart])[]): PartsSnapshot {
  const out: Record<string, { v: number }> = {};
  for (const [name, p] of parts) out[name] = p.saveState();
  return { v: 1, time: queue.now, events: queue.list().map((e) => [e.name, e.when]), parts: out };
}

/**
 * Restore into a freshly built twin (same configuration, same attachments): drop whatever the build scheduled
 * (a PHY starts auto-negotiation when it is attached to a medium; the snapshot's events replace such power-on
 * events), set the clock, load the parts in the order given, then give the pending events their saved tie order
 * (which also catches a part that forgot to reschedule one of its events). A part that reacts
 * to another's output (an OS listening to INTR, a driver to its NIC's IRQ line) goes after it: a load
 * re-drives the part's lines, and the listener's own load then overwrites what that made it do. (Interrupt
 * controllers keep their input levels in their state, so they may come before or after their sources.)
 */
export function restoreParts(queue: EventQueue, parts: readonly (readonly [string, SnapshotPart])[], snap: PartsSnapshot): void {
  if (snap.v !== 1) throw new SnapshotVersionError('snapshot', 'parts', snap.v, 1, 1);
  const names = parts.map(([n]) => n);
  const saved = Object.keys(snap.parts);
  const missing = saved.filter((n) => !names.includes(n));
  const extra = names.filter((n) => !saved.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`snapshot parts differ (in the snapshot only: ${missing.join(', ') || '-'}; here only: ${extra.join(', ') || '-'})`);
  }
  for (const ev of queue.list()) queue.deschedule(ev);
  queue.setNow(snap.time);
  for (const [name, p] of parts) p.loadState(snap.parts[name]!);
  queue.restoreOrder(snap.events);
}
