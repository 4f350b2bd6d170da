/**
 * A router stack for the ipflow tests: en0 10.77.0.2/24 (sender 10.77.0.1 in ARP), en1 10.88.0.1/24 (10.88.0.9 and
 * 10.88.0.10 in ARP), forwarding on, on an environment that names the running io-pkt thread (NetEnv.thread). Frames
 * arrive as io-pkt delivers them: the receiving thread's fast path first (NetStack.fastInput, without the stack
 * context), and what it declines in the stack context.
 */
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';
import { NetStack } from '../../stack/net/stack';
import { Ip } from '../../stack/net/ip';
import { EtherType, EthernetFrame, Ipv4Packet, Ipv4Repr, parseMac, UdpPacket, UdpRepr } from '../../stack/net/wire';
import { primeArp } from '../net-stack/frag-util';
import { FakeEnv, fakeEther, ip, take } from '../net-stack/harness';

export interface TestThread { tid: number; name: string; stack: boolean }

/** FakeEnv plus the thread io-pkt would report: `cur` is who runs protocol code now. */
export class ThreadEnv extends FakeEnv {
  cur: TestThread = { tid: 1, name: 'io-pkt#1', stack: true };
  thread(): TestThread {
    return this.cur;
  }
}

export const MAC_SENDER = '00:50:c2:00:00:01';
export const MAC_EN0 = '00:50:c2:00:00:02';
export const MAC_EN1 = '00:50:c2:00:01:01';
export const MAC_GAMMA = '00:50:c2:00:01:09';
export const MAC_GAMMA2 = '00:50:c2:00:01:0a';

export interface Router {
  env: ThreadEnv;
  s: NetStack;
  en0: Ifnet;
  en1: Ifnet;
}

export function makeRouter(opts: { mtu1?: number; forward?: boolean } = {}): Router {
  const env = new ThreadEnv();
  const r = new NetStack(env, { forward: opts.forward ?? true });
  const e0 = fakeEther('en0', MAC_EN0);
  r.attachInterface(e0, 'ether');
  e0.flags |= IFF_UP | IFF_RUNNING;
  r.addAddress(e0, ip('10.77.0.2'), 0xffffff00);
  const e1 = fakeEther('en1', MAC_EN1);
  if (opts.mtu1) e1.mtu = opts.mtu1;
  r.attachInterface(e1, 'ether');
  e1.flags |= IFF_UP | IFF_RUNNING;
  r.addAddress(e1, ip('10.88.0.1'), 0xffffff00);
  r.arp.addPermanent(e1, ip('10.88.0.9'), parseMac(MAC_GAMMA)!);
  r.arp.addPermanent(e1, ip('10.88.0.10'), parseMac(MAC_GAMMA2)!);
  primeArp(r, e0);
  take(e0);
  take(e1);
  env.traces.length = 0;
  return { env, s: r, en0: e0, en1: e1 };
}

/**
 * io-pkt's receive path for one frame on `ifp`: `thread` runs the fast path without the stack context; if it
 * declines, the same thread takes the stack context and runs ether_input. Returns true when the fast path took it.
 */
export function deliver(r: Router, ifp: Ifnet, frame: Uint8Array, pktId = 1, thread: Omit<TestThread, 'stack'> = { tid: 1, name: 'io-pkt#1' }): boolean {
  r.env.cur = { ...thread, stack: false };
  const m = { data: frame.slice(), pktId };
  if (r.s.fastInput(ifp, m)) return true;
  r.env.cur = { ...thread, stack: true };
  r.s.input(ifp, m);
  r.s.drainLoopback();
  return false;
}

/** Advance virtual time to `t` ns, running the stack's callouts on every 500 ms boundary on the way (the stack thread). */
export function runUntil(r: Router, t: number): void {
  r.env.cur = { tid: 1, name: 'io-pkt#1', stack: true };
  for (let next = (Math.floor(r.env.t / 500_000_000) + 1) * 500_000_000; next <= t; next += 500_000_000) {
    r.env.t = next;
    r.s.runTimers();
  }
  r.env.t = t;
  r.s.runTimers();
}

export interface UdpOpts { src?: string; dst?: string; ttl?: number; tos?: number; ident?: number; df?: boolean; mf?: boolean; fragOffset?: number; options?: number; proto?: number; dstMac?: string }

/** An Ethernet frame from the sender (00:50:c2:00:00:01) to the router's en0 carrying a UDP datagram of `n` bytes. */
export function frameTo(n: number, o: UdpOpts = {}): Uint8Array {
  const src = ip(o.src ?? '10.77.0.1');
  const dst = ip(o.dst ?? '10.88.0.9');
  const optLen = o.options ?? 0;
  const frame = new Uint8Array(Ip.alloc(8 + n).length + optLen);
  const hdr = 20 + optLen;
  const u = new UdpPacket(frame.subarray(14 + hdr));
  UdpRepr.emit({ srcPort: 4000, dstPort: 5000, payload: u.buf.subarray(8) }, u, src, dst);
  const p = new Ipv4Packet(frame.subarray(14));
  Ipv4Repr.emit({
    src, dst, protocol: 17, ttl: o.ttl ?? 64, tos: o.tos ?? 0, ident: o.ident ?? 0x4242, dontFrag: o.df ?? false,
    moreFrags: o.mf ?? false, fragOffset: o.fragOffset ?? 0, optionsLen: 0, payloadLen: 8 + n,
  }, p);
  if (optLen > 0) {
    // NOPs then EOL: a header with options (ip_hl > 5).
    frame.fill(1, 14 + 20, 14 + hdr - 1);
    frame[14 + hdr - 1] = 0;
    p.setVersionAndHeaderLen(hdr);
    p.totalLen = hdr + 8 + n;
  }
  if (o.proto !== undefined) p.protocol = o.proto;
  p.fillChecksum();
  const f = new EthernetFrame(frame);
  f.setDst(parseMac(o.dstMac ?? MAC_EN0)!);
  f.setSrc(parseMac(MAC_SENDER)!);
  f.ethertype = EtherType.IPv4;
  return frame;
}

export function ipOf(frame: Uint8Array): Ipv4Packet {
  return new Ipv4Packet(frame.subarray(14));
}
