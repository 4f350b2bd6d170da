/**
 * The tables behind ipflow as QNX's io-pkt keeps them (lib/io-pkt/sys/netinet/ip_flow.c, QNX's version of NetBSD
 * 4's netinet/ip_flow.c): the flow record (struct ipflow), ipflow_hash, the stack's own table and list
 * (ipflowtable, ipflowlist: only the stack context changes them), and one private hash per io-pkt thread
 * (struct ipflow_threadinfo) that the thread's fast path looks flows up in without a lock.
 *
 * How a flow reaches the threads (the "tpass" queues): ipflow_create, in the stack context, puts the new flow in
 * the stack's table and in the creating thread's private hash at once, and on every other thread's create queue;
 * each thread moves what its queues hold into (or out of) its private hash the next time its fast path runs,
 * before it looks anything up. ipflow_start_rem (stack context only) takes a flow out of the stack's table and the
 * remover's private hash at once, drops it from the create queue of a thread that never took it in, and puts it on
 * the destroy queue of every thread that did; the flow's memory goes when the last of them has let go. A thread
 * therefore never uses a removed flow, and every thread ends up with every flow: "per thread" is about locking
 * and cache lines, not about which flows a thread knows.
 */
import type { Rtentry } from './route';
import type { Ipv4Addr } from './wire/addr';

/** IPFLOW_HASHBITS: 6 ("should not be a multiple of 8"); IPFLOW_HASHSIZE buckets. */
export const IPFLOW_HASHBITS = 6;
export const IPFLOW_HASHSIZE = 1 << IPFLOW_HASHBITS;
/** IPFLOW_MAX: net.inet.ip.maxflows' default. */
export const IPFLOW_MAX = 256;

/** struct ipflow. */
export interface Ipflow {
  readonly dst: Ipv4Addr;
  readonly src: Ipv4Addr;
  readonly tos: number;
  /** ipflow_hash of (dst, src, tos): the bucket in every table. */
  readonly hash: number;
  /** ipf_ro.ro_rt: the route ip_forward used. */
  readonly rt: Rtentry;
  /** The routing table's generation when the route was looked up (rtcache_validate compares it). */
  readonly gen: number;
  /** ipf_timer: the slow tick at which the flow expires unless used again (PRT_SLOW_ARM). */
  timer: number;
  /** ipf_uses since the last ipflow_slowtimo; ipf_last_uses: the interval before. */
  uses: number;
  lastUses: number;
  /** ipf_dropped (ENOBUFS from the output), ipf_errors (any other error). */
  dropped: number;
  errors: number;
  /** ipf_start: uptime in seconds when it was made. */
  readonly start: number;
}

/** The IPv4 address as the x86 io-pkt holds s_addr: network-order bytes loaded little-endian. */
function sAddr(a: Ipv4Addr): number {
  return (((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24)) >>> 0;
}

/**
 * ipflow_hash: tos plus shifted copies of dst and src, masked to the table size. At idx 0 the C code shifts dst
 * right by 32, which x86 reduces to a shift by 0 (the count is taken mod 32); `>>>` does the same.
 */
export function ipflowHash(dst: Ipv4Addr, src: Ipv4Addr, tos: number): number {
  const d = sAddr(dst);
  const s = sAddr(src);
  let hash = tos;
  for (let idx = 0; idx < 32; idx += IPFLOW_HASHBITS) hash += (d >>> (32 - idx)) + (s >>> idx);
  return hash & (IPFLOW_HASHSIZE - 1);
}

/** A hash table of flows: LIST heads by bucket, newest at the head. */
export class FlowBuckets {
  private readonly buckets = new Map<number, Ipflow[]>();

  /** ipflow_lookup; `toFront` moves a hit to its bucket's head (ipflow_lookup_self does, for its cache lines). */
  lookup(dst: Ipv4Addr, src: Ipv4Addr, tos: number, toFront = false): Ipflow | undefined {
    const b = this.buckets.get(ipflowHash(dst, src, tos));
    if (!b) return undefined;
    const i = b.findIndex((f) => f.dst === dst && f.src === src && f.tos === tos);
    if (i < 0) return undefined;
    const ipf = b[i]!;
    if (toFront && i > 0) {
      b.splice(i, 1);
      b.unshift(ipf);
    }
    return ipf;
  }

  insertHead(ipf: Ipflow): void {
    const b = this.buckets.get(ipf.hash);
    if (b) b.unshift(ipf);
    else this.buckets.set(ipf.hash, [ipf]);
  }

  /** Returns whether it was there. */
  remove(ipf: Ipflow): boolean {
    const b = this.buckets.get(ipf.hash);
    const i = b ? b.indexOf(ipf) : -1;
    if (i < 0) return false;
    b!.splice(i, 1);
    if (b!.length === 0) this.buckets.delete(ipf.hash);
    return true;
  }

  has(ipf: Ipflow): boolean {
    return this.buckets.get(ipf.hash)?.includes(ipf) ?? false;
  }

  get size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.length;
    return n;
  }
}

/** struct ipflow_threadinfo: one io-pkt thread's private hash and its pass queues. */
export class FlowThread {
  readonly table = new FlowBuckets();
  /** tpq_create_q: flows made since this thread last looked; tpq_destroy_q: flows to let go of. */
  readonly createQ: Ipflow[] = [];
  readonly destroyQ: Ipflow[] = [];

  constructor(readonly tid: number, readonly name: string) {}

  /** tpq_items_changing. */
  get changing(): number {
    return this.createQ.length + this.destroyQ.length;
  }
}

export class FlowTables {
  /** ipflowtable: the stack's hash. */
  readonly table = new FlowBuckets();
  /** ipflowlist: every live flow, newest first (LIST_INSERT_HEAD). ipflow_inuse is its length. */
  readonly list: Ipflow[] = [];
  private readonly threads = new Map<number, FlowThread>();

  /**
   * The thread's ipflow_threadinfo, registered on first sight (ipflow_register when the thread starts). ipflow_create
   * queues every new flow for every thread slot, in use or not, so a thread that appears later finds all live flows
   * on its create queue.
   */
  thread(tid: number, name: string): FlowThread {
    let t = this.threads.get(tid);
    if (!t) {
      t = new FlowThread(tid, name);
      t.createQ.push(...this.list);
      this.threads.set(tid, t);
    }
    return t;
  }

  /** The threads registered so far, by tid. */
  get threadList(): FlowThread[] {
    return [...this.threads.values()].sort((a, b) => a.tid - b.tid);
  }

  /**
   * IPFLOW_INSERT and the seeding of ipflow_create: the stack's table and list, the creator's private hash, and
   * every other thread's create queue. Returns how many queues it went on (each costs a lock and a list insert).
   */
  insert(ipf: Ipflow, creator: FlowThread): number {
    this.table.insertHead(ipf);
    this.list.unshift(ipf);
    creator.table.insertHead(ipf);
    let queued = 0;
    for (const t of this.threads.values()) {
      if (t === creator) continue;
      t.createQ.push(ipf);
      queued++;
    }
    return queued;
  }

  /**
   * ipflow_start_rem (stack context): out of the stack's table and list and the remover's private hash; a thread
   * that never took it in forgets it, one that did gets it on its destroy queue. Returns how many queues it went on.
   */
  startRem(ipf: Ipflow, self: FlowThread): number {
    this.table.remove(ipf);
    const i = this.list.indexOf(ipf);
    if (i >= 0) this.list.splice(i, 1);
    let queued = 0;
    for (const t of this.threads.values()) {
      const c = t.createQ.indexOf(ipf);
      if (c >= 0) t.createQ.splice(c, 1);
      else if (t === self) t.table.remove(ipf);
      else if (t.table.has(ipf)) {
        t.destroyQ.push(ipf);
        queued++;
      }
    }
    return queued;
  }

  /**
   * What ipflow_fastforward does first when tpq_items_changing > 0: ipflow_walk_destroy_q, then the create queue into
   * the private hash. Returns the number of entries moved.
   */
  drain(t: FlowThread): number {
    const n = t.changing;
    for (const ipf of t.destroyQ.splice(0)) t.table.remove(ipf);
    for (const ipf of t.createQ.splice(0)) t.table.insertHead(ipf);
    return n;
  }
}
