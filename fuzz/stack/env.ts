/**
 * The stack fuzzers' world (docs/fuzzing.md "The stack"): one NetStack (io-pkt's stack, stack/net) on a NetEnv
 * whose clock, CPU charging and random stream belong to the fuzzer, with one Ethernet interface en0 whose if_snd
 * the fuzzer drains after every frame, as a driver's if_start would. Frames go in only through the interface's
 * input (NetStack.input, what io-pkt's receive path calls) and come out only on en0's send queue; timers run
 * through the stack's callouts as io-pkt's timer pulse runs them. The fuzzer READS state (counters, queues,
 * tcpcbs) to check invariants, and never calls protocol internals to change it.
 *
 * Every choice comes from a seeded Rng (emulator/machine/sim/rng.ts): the stack's own random32 (ISNs, IP ids,
 * ND delays) is a named stream of the episode's seed, so one seed always builds the same stack.
 */
import { Rng } from '../../emulator/machine/sim/rng';
import { sockaddrIn, sockaddrIn6 } from '../../stack/include/netinet/in';
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM } from '../../stack/include/sys/socket';
import { IFF_BROADCAST, IFF_MULTICAST, IFF_RUNNING, IFF_SIMPLEX, IFF_UP, newIfData, type Ifnet, type IfnetOps } from '../../stack/net/if';
import type { NetEnv, TraceFieldValue } from '../../stack/net/env';
import type { Mbuf } from '../../stack/net/mbuf';
import type { Socket } from '../../stack/net/socket';
import { NetStack } from '../../stack/net/stack';
import { parseIpv4, parseMac, type Ipv4Addr } from '../../stack/net/wire/addr';
import { eui64FromMac, ipv6FromPrefixIid, parseIpv6, type Ipv6Addr } from '../../stack/net/wire/addr6';

/** One trace record the stack emitted while a frame was processed (layer, probe, packet id, the reason if any). */
export interface TraceRec {
  layer: string;
  probe: string;
  pkt: number;
  reason: string;
}

/** Most trace records kept per frame: a frame that makes the stack trace more than this is a runaway. */
export const TRACE_CAP = 4096;

/** The NetEnv the fuzzed stack runs on: virtual time the fuzzer moves, traces kept for the current frame only. */
export class FuzzNetEnv implements NetEnv {
  t = 0;
  readonly traces: TraceRec[] = [];
  tracesDropped = 0;
  readonly logs: string[] = [];
  private readonly deferred: (() => void)[] = [];
  private pkt = 1_000_000;
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed, 'stack.random32');
  }
  now(): number { return this.t; }
  charge(_ns: number): void { /* CPU time is io-pkt's concern; the fuzzer only checks behaviour */ }
  trace(layer: string, probe: string, pkt: number, f?: Record<string, TraceFieldValue>): void {
    if (this.traces.length >= TRACE_CAP) {
      this.tracesDropped++;
      return;
    }
    const why = f?.['reason'];
    this.traces.push({ layer, probe, pkt, reason: typeof why === 'string' ? why : '' });
  }
  newPktId(): number { return this.pkt++; }
  kick(_ifp: Ifnet): void { /* the fuzzer drains if_snd itself after every frame */ }
  defer(fn: () => void): void { this.deferred.push(fn); }
  timersChanged(): void { /* the fuzzer asks callouts.next() when it moves time */ }
  log(text: string): void {
    if (this.logs.length < 64) this.logs.push(text);
  }
  random32(): number { return this.rng.u32(); }
  /** Deferred wakeups run once the stack pass is over (io-pkt's replies to blocked clients). */
  flush(): void {
    for (let n = 0; n < 10_000 && this.deferred.length > 0; n++) this.deferred.shift()!();
  }
  get pendingDeferred(): number { return this.deferred.length; }
}

const driverOps: IfnetOps = {
  *init(ifp) { ifp.flags |= IFF_RUNNING; return 0; },
  *start() { /* the fuzzer drains if_snd */ },
  *stop(ifp) { ifp.flags &= ~IFF_RUNNING; },
  config() { throw new Error('fuzz interface: no nic_config'); },
  stats() { throw new Error('fuzz interface: no nic stats'); },
};

/** The fixed addresses of the fuzzed network: us, the peer the valid traffic comes from, the /24. */
export const US_MAC = parseMac('00:50:c2:00:00:02')!;
export const PEER_MAC = parseMac('00:50:c2:00:00:01')!;
export const US = parseIpv4('10.77.0.2')!;
export const PEER = parseIpv4('10.77.0.1')!;
export const NET_MASK = 0xffffff00;
export const BCAST = parseIpv4('10.77.0.255')!;
/** A host beyond the router, reached through the default route via PEER (forwarding targets). */
export const FAR = parseIpv4('192.0.2.9')!;
export const US6_GLOBAL = parseIpv6('2001:db8::2')!;
export const PEER6_GLOBAL = parseIpv6('2001:db8::1')!;
export const US6_LL = ipv6FromPrefixIid(parseIpv6('fe80::')!, 64, eui64FromMac(US_MAC));
export const PEER6_LL = ipv6FromPrefixIid(parseIpv6('fe80::')!, 64, eui64FromMac(PEER_MAC));

/** Ports the rig listens on. */
export const UDP_PORT = 7;
export const TCP_PORT = 80;
/** The port our own connection (SYN_SENT, then whatever the fuzzer makes of it) goes to. */
export const PEER_TCP_PORT = 4000;

export interface RigOptions {
  inet6?: boolean;
  forward?: boolean;
}

/** The fuzzed stack and what the fuzzer needs to drive and check it. */
export class StackRig {
  readonly env: FuzzNetEnv;
  readonly s: NetStack;
  readonly en0: Ifnet;
  readonly udp: Socket;
  readonly udp6: Socket | null;
  readonly listener: Socket;
  readonly listener6: Socket | null;
  /** Our active open toward PEER:PEER_TCP_PORT (SYN_SENT when the episode starts). */
  readonly client: Socket;
  private pktId = 1;

  constructor(seed: number, readonly opts: RigOptions = {}) {
    this.env = new FuzzNetEnv(seed);
    this.s = new NetStack(this.env, { inet6: opts.inet6 ?? false, forward: opts.forward ?? false });
    this.en0 = {
      name: 'en0', unit: 0, driver: 'fuzz', flags: IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST, mtu: 1500,
      lladdr: US_MAC.slice(), media: { subtype: '100baseTX', fullDuplex: true, linkUp: true }, snd: [], sndMax: 50,
      data: newIfData(), multicast: [], ops: driverOps, softc: null,
    };
    this.s.attachInterface(this.en0, 'ether');
    this.en0.flags |= IFF_UP | IFF_RUNNING;
    const ia = this.s.addAddress(this.en0, US, NET_MASK);
    this.s.addressUp(this.en0, ia);
    // A default route through PEER, so forwarded and far-away traffic has somewhere to go (route add default).
    this.s.routes.addStatic(0, 0, PEER);
    const ip6 = this.s.ip6;
    if (ip6) {
      ip6.ifUp(this.en0);
      ip6.in6.add(this.en0, US6_GLOBAL, 64);
    }
    // The sockets valid traffic reaches: a UDP socket, a TCP listener, one active open.
    this.udp = this.socket(AF_INET, SOCK_DGRAM);
    this.s.sockets.bindAddr(this.udp, sockaddrIn(0, UDP_PORT));
    this.listener = this.socket(AF_INET, SOCK_STREAM);
    this.s.sockets.bindAddr(this.listener, sockaddrIn(0, TCP_PORT));
    this.s.sockets.listen(this.listener, 4);
    this.udp6 = null;
    this.listener6 = null;
    if (ip6) {
      this.udp6 = this.socket(AF_INET6, SOCK_DGRAM);
      this.s.sockets.bindAddr(this.udp6, sockaddrIn6(new Uint8Array(16), UDP_PORT));
      this.listener6 = this.socket(AF_INET6, SOCK_STREAM);
      this.s.sockets.bindAddr(this.listener6, sockaddrIn6(new Uint8Array(16), TCP_PORT));
      this.s.sockets.listen(this.listener6, 4);
    }
    this.client = this.socket(AF_INET, SOCK_STREAM);
    this.s.sockets.connectStream(this.client, sockaddrIn(PEER, PEER_TCP_PORT));
    this.env.flush();
    // Let DAD finish (RFC 4862: one NS after up to 1 s) so our IPv6 addresses are usable.
    this.advance(ip6 ? 2_000_000_000 : 1_000_000);
  }

  private socket(domain: number, type: number): Socket {
    const so = this.s.sockets.create(domain, type, 0);
    if (typeof so === 'number') throw new Error(`fuzz rig: socket(${domain}, ${type}) failed with errno ${so}`);
    return so;
  }

  /** A frame arrives on en0 (the driver's if_input, then the stack pass). Returns its packet id. */
  input(frame: Uint8Array): number {
    const pktId = this.pktId++;
    const m: Mbuf = { data: frame, pktId };
    this.s.input(this.en0, m);
    this.s.drainLoopback();
    this.env.flush();
    return pktId;
  }

  /** Virtual time passes: due callouts run in order (io-pkt's timer pulse), with their output left on if_snd. */
  advance(ns: number): void {
    const end = this.env.t + ns;
    for (let n = 0; n < 100_000; n++) {
      const next = this.s.callouts.next();
      if (next === null || next > end) break;
      this.env.t = Math.max(this.env.t, next);
      this.s.runTimers();
      this.s.drainLoopback();
      this.env.flush();
    }
    this.env.t = Math.max(this.env.t, end);
  }

  /** The frames the stack queued on en0 since the last call (the driver took them). */
  takeSent(): Mbuf[] {
    return this.en0.snd.splice(0);
  }
}

export type { Ipv4Addr, Ipv6Addr };
