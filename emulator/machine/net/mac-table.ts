import type { Time } from '../sim/time';

/** A 48-bit MAC address read as a number (exact: 2^48 < 2^53), so lookups allocate nothing. */
export function macAt(data: Uint8Array, offset: number): number {
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + (data[offset + i] ?? 0);
  return v;
}

/** "02:00:00:00:00:01" rendering of a numeric MAC (traces, the debugger). */
export function macToString(mac: number): string {
  const parts: string[] = [];
  for (let i = 5; i >= 0; i--) parts.push((Math.floor(mac / 2 ** (8 * i)) % 256).toString(16).padStart(2, '0'));
  return parts.join(':');
}

export interface MacEntry {
  port: number;
  /** Virtual time the address was last seen as a source. */
  seen: Time;
}

/**
 * A bridge's filtering database (IEEE 802.1D 7.9): source address → port, with ageing. Ageing is evaluated
 * when an entry is looked up or listed (no timer events): an entry older than `ageing` is gone.
 */
export class MacTable {
  private entries = new Map<number, MacEntry>();

  constructor(readonly ageing: Time, readonly capacity: number) {}

  /** Learn `mac` on `port`; group (multicast) source addresses are never learned. */
  learn(mac: number, port: number, now: Time): 'ok' | 'group' | 'full' {
    if (Math.floor(mac / 2 ** 40) & 1) return 'group';
    const e = this.entries.get(mac);
    if (e) {
      e.port = port;
      e.seen = now;
      return 'ok';
    }
    if (this.entries.size >= this.capacity) {
      this.expire(now);
      if (this.entries.size >= this.capacity) return 'full';
    }
    this.entries.set(mac, { port, seen: now });
    return 'ok';
  }

  /** Port `mac` was learned on, or -1 if unknown or aged out. */
  lookup(mac: number, now: Time): number {
    const e = this.entries.get(mac);
    if (!e) return -1;
    if (now - e.seen >= this.ageing) {
      this.entries.delete(mac);
      return -1;
    }
    return e.port;
  }

  forgetPort(port: number): void {
    for (const [mac, e] of this.entries) if (e.port === port) this.entries.delete(mac);
  }

  /** Live entries in learning order. */
  list(now: Time): { mac: string; port: number; age: Time }[] {
    this.expire(now);
    return [...this.entries].map(([mac, e]) => ({ mac: macToString(mac), port: e.port, age: now - e.seen }));
  }

  /** Snapshot: [address, port, last seen] in learning order (which decides listing and eviction order). */
  saveState(): [number, number, Time][] {
    return [...this.entries].map(([mac, e]) => [mac, e.port, e.seen]);
  }

  loadState(entries: readonly (readonly [number, number, Time])[]): void {
    this.entries = new Map(entries.map(([mac, port, seen]) => [mac, { port, seen }]));
  }

  private expire(now: Time): void {
    for (const [mac, e] of this.entries) if (now - e.seen >= this.ageing) this.entries.delete(mac);
  }
}
