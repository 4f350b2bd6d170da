/**
 * Every protocol counter of a fuzzed stack as one flat vector, named as netstat -s groups them: `ip.badsum`,
 * `icmp.inhist.8`, `udp.badlen`, `arp.rcvbadproto`, `tcp.rcvbadoff`, `ip6.toomanyhdr`, `icmp6.checksum`,
 * `udp6.nosum`, `nd6.ns_in`, and the interface's `if.ierrors`/`if.noproto`/`if.snddrops`. The fuzzer snapshots
 * the vector before and after each frame and reads the difference.
 *
 * PASS_THROUGH lists the counters every frame passing a layer moves (ipstat total, udpstat ipackets, tcpstat
 * rcvtotal, the input histograms, ip delivered): they say a frame arrived, not what became of it, so the
 * conservation check (check.ts) does not take them as the frame's fate.
 */
import type { StackRig } from './env';

type Counters = Record<string, unknown>;

/** The counter groups of a rig, by netstat -s name. */
function groups(rig: StackRig): [string, Counters][] {
  const s = rig.s;
  const g: [string, Counters][] = [
    ['ip', s.stats.ip], ['icmp', s.stats.icmp], ['udp', s.stats.udp], ['arp', s.stats.arp], ['igmp', s.stats.igmp],
    ['tcp', s.tcp.stats],
  ];
  if (s.ip6) g.push(['ip6', s.ip6.stats.ip6], ['icmp6', s.ip6.stats.icmp6], ['udp6', s.ip6.stats.udp6], ['nd6', s.ip6.stats.nd6]);
  return g;
}

/** Reads every counter of one rig into a Float64Array in a fixed order; `names[i]` names slot i. */
export class CounterVector {
  readonly names: string[] = [];
  /** Plain counter structs with their numeric keys, then histogram arrays, read in that order. */
  private readonly structs: { obj: Counters; keys: string[] }[] = [];
  private readonly arrays: number[][] = [];
  private readonly index = new Map<string, number>();

  constructor(rig: StackRig) {
    const name = (n: string): void => {
      this.index.set(n, this.names.length);
      this.names.push(n);
    };
    const arrays: [string, number[]][] = [];
    const struct = (prefix: string, obj: Counters): void => {
      const keys: string[] = [];
      for (const [k, v] of Object.entries(obj)) {
        if (typeof v === 'number') keys.push(k);
        else if (Array.isArray(v)) arrays.push([`${prefix}.${k}`, v as number[]]);
        else if (v && typeof v === 'object') struct(`${prefix}.${k}`, v as Counters);
      }
      for (const k of keys) name(`${prefix}.${k}`);
      this.structs.push({ obj, keys });
    };
    for (const [gname, obj] of groups(rig)) struct(gname, obj);
    const ifd = rig.en0.data as unknown as Counters;
    this.structs.push({ obj: ifd, keys: ['ierrors', 'noproto', 'iqdrops'] });
    for (const k of ['ierrors', 'noproto', 'iqdrops']) name(`if.${k}`);
    const ifst = rig.s.ifs.st(rig.en0) as unknown as Counters;
    this.structs.push({ obj: ifst, keys: ['sndDrops'] });
    name('if.snddrops');
    for (const [prefix, arr] of arrays) {
      for (let i = 0; i < arr.length; i++) name(`${prefix}.${i}`);
      this.arrays.push(arr);
    }
  }

  get size(): number {
    return this.names.length;
  }

  /** Slot of a counter name, or -1. */
  slot(name: string): number {
    return this.index.get(name) ?? -1;
  }

  read(into: Float64Array): void {
    let i = 0;
    for (const { obj, keys } of this.structs) for (const k of keys) into[i++] = obj[k] as number;
    for (const arr of this.arrays) for (let j = 0; j < arr.length; j++) into[i++] = arr[j]!;
  }
}

/**
 * Counters that move for every frame reaching a layer whatever happens to it next (NetBSD bumps them on entry:
 * ip_input's IP_STAT_TOTAL, udp_input's UDP_STAT_IPACKETS, tcp_input's TCP_STAT_RCVTOTAL, icmp_input's inhist,
 * arpintr's ARP_STAT_RCVTOTAL, ip6_input's nxthist, ...) or that only say it was handed up (ip delivered).
 */
const PASS_THROUGH_EXACT = new Set([
  'ip.total', 'ip.fragments', 'ip.delivered', 'udp.ipackets', 'tcp.rcvtotal', 'arp.rcvtotal', 'arp.rcvrequest', 'arp.rcvreply',
  'arp.rcvmcast', 'igmp.rcv_total', 'ip6.total', 'ip6.fragments', 'ip6.delivered', 'udp6.ipackets',
  'nd6.ns_in', 'nd6.na_in', 'nd6.rs_in', 'nd6.ra_in',
]);
const PASS_THROUGH_PREFIX = ['icmp.inhist.', 'ip6.nxthist.', 'icmp6.inhist.'];

export function isPassThrough(name: string): boolean {
  if (PASS_THROUGH_EXACT.has(name)) return true;
  return PASS_THROUGH_PREFIX.some((p) => name.startsWith(p));
}

/** The counters that differ between two snapshots, with their deltas. */
export function counterDelta(v: CounterVector, before: Float64Array, after: Float64Array): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < v.size; i++) {
    const d = after[i]! - before[i]!;
    if (d !== 0) out.set(v.names[i]!, d);
  }
  return out;
}
