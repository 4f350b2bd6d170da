/**
 * pf tables (net/pf_table.c, pfr_*): named address sets a rule refers to as `<name>`. An address matches a
 * table when the longest prefix in it that covers the address is not negated (pfr_match_addr's radix lookup
 * and its `!` entries). A table exists (is active) once defined; a rule naming a table that does not exist
 * matches nothing (pfr_match_addr on an inactive table answers no). `const` tables refuse address changes
 * (EPERM); `persist` only matters to pfctl's cleanup of unreferenced tables, which lives in pfctl.
 */
import { Errno } from '../../kernel/api';
import type { PfTable, PfTableAddr } from '../../include/net/pfvar';
import { PF_AF_INET } from '../../include/net/pfvar';
import { rd32 } from './cksum';

export interface KTableEntry {
  readonly af: number;
  /** IPv4 address as a number (IPv6 entries are kept but never match the IPv4 filter). */
  readonly addr: number;
  readonly bytes: Uint8Array;
  readonly prefix: number;
  readonly neg: boolean;
}

export interface KTable {
  readonly name: string;
  persist: boolean;
  constant: boolean;
  entries: KTableEntry[];
  /** pfrkt_match / pfrkt_nomatch. */
  match: number;
  nomatch: number;
}

export function prefixMask(prefix: number): number {
  return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
}

function entryOf(a: PfTableAddr): KTableEntry | null {
  if (!(a.addr instanceof Uint8Array)) return null;
  if (a.af === PF_AF_INET) {
    if (a.addr.length !== 4 || !Number.isInteger(a.prefix) || a.prefix < 0 || a.prefix > 32) return null;
    const addr = (rd32(a.addr, 0) & prefixMask(a.prefix)) >>> 0;
    return { af: a.af, addr, bytes: a.addr.slice(), prefix: a.prefix, neg: a.neg === true };
  }
  if (a.addr.length !== 16 || !Number.isInteger(a.prefix) || a.prefix < 0 || a.prefix > 128) return null;
  return { af: a.af, addr: 0, bytes: a.addr.slice(), prefix: a.prefix, neg: a.neg === true };
}

function sameEntry(a: KTableEntry, b: KTableEntry): boolean {
  return a.af === b.af && a.prefix === b.prefix && a.bytes.every((v, i) => v === b.bytes[i]);
}

export class PfTables {
  readonly byName = new Map<string, KTable>();

  /** pfr_match_addr for an IPv4 address. */
  match(name: string, addr: number): boolean {
    const t = this.byName.get(name);
    if (!t) return false;
    let best: KTableEntry | null = null;
    for (const e of t.entries) {
      if (e.af !== PF_AF_INET) continue;
      if (((addr & prefixMask(e.prefix)) >>> 0) !== e.addr) continue;
      if (!best || e.prefix > best.prefix) best = e;
    }
    const hit = best !== null && !best.neg;
    if (hit) t.match++;
    else t.nomatch++;
    return hit;
  }

  /** DIOCRADDTABLES (errno as a number): the number created (existing ones are left as they are). */
  add(tables: readonly PfTable[]): { n: number } | number {
    let added = 0;
    for (const t of tables) {
      if (typeof t?.name !== 'string' || t.name === '' || t.name.length >= 32) return Errno.EINVAL;
      if (this.byName.has(t.name)) continue;
      this.byName.set(t.name, { name: t.name, persist: t.persist === true, constant: t.constant === true, entries: [], match: 0, nomatch: 0 });
      added++;
    }
    return { n: added };
  }

  /** DIOCRCLRTABLES: all tables go. */
  clear(): number {
    const n = this.byName.size;
    this.byName.clear();
    return n;
  }

  list(): PfTable[] {
    return [...this.byName.values()].map((t) => ({ name: t.name, persist: t.persist, constant: t.constant }));
  }

  private table(name: unknown, write: boolean): KTable | number {
    if (typeof name !== 'string') return Errno.EINVAL;
    const t = this.byName.get(name);
    if (!t) return Errno.ESRCH;
    if (write && t.constant) return Errno.EPERM;
    return t;
  }

  private entries(addrs: unknown): KTableEntry[] | number {
    if (!Array.isArray(addrs)) return Errno.EINVAL;
    const out: KTableEntry[] = [];
    for (const a of addrs as PfTableAddr[]) {
      const e = a && typeof a === 'object' ? entryOf(a) : null;
      if (!e) return Errno.EINVAL;
      out.push(e);
    }
    return out;
  }

  /** DIOCRSETADDRS: replace the contents; returns {added, deleted}. */
  set(name: unknown, addrs: unknown): { added: number; deleted: number } | number {
    const t = this.table(name, true);
    if (typeof t === 'number') return t;
    const es = this.entries(addrs);
    if (typeof es === 'number') return es;
    const fresh = es.filter((e, i) => es.findIndex((x) => sameEntry(x, e)) === i);
    const added = fresh.filter((e) => !t.entries.some((x) => sameEntry(x, e))).length;
    const deleted = t.entries.filter((x) => !fresh.some((e) => sameEntry(x, e))).length;
    t.entries = fresh;
    return { added, deleted };
  }

  /** DIOCRADDADDRS. */
  addAddrs(name: unknown, addrs: unknown): { n: number } | number {
    const t = this.table(name, true);
    if (typeof t === 'number') return t;
    const es = this.entries(addrs);
    if (typeof es === 'number') return es;
    let n = 0;
    for (const e of es) {
      if (t.entries.some((x) => sameEntry(x, e))) continue;
      t.entries.push(e);
      n++;
    }
    return { n };
  }

  /** DIOCRDELADDRS. */
  delAddrs(name: unknown, addrs: unknown): { n: number } | number {
    const t = this.table(name, true);
    if (typeof t === 'number') return t;
    const es = this.entries(addrs);
    if (typeof es === 'number') return es;
    const before = t.entries.length;
    t.entries = t.entries.filter((x) => !es.some((e) => sameEntry(x, e)));
    return { n: before - t.entries.length };
  }

  /** DIOCRGETADDRS. */
  getAddrs(name: unknown): PfTableAddr[] | number {
    const t = this.table(name, false);
    if (typeof t === 'number') return t;
    return t.entries.map((e) => ({ af: e.af, addr: e.bytes.slice(), prefix: e.prefix, neg: e.neg }));
  }

  /** DIOCRCLRADDRS: returns the number removed. */
  clrAddrs(name: unknown): { n: number } | number {
    const t = this.table(name, true);
    if (typeof t === 'number') return t;
    const n = t.entries.length;
    t.entries = [];
    return { n };
  }
}
