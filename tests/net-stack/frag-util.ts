/** Helpers for the fragmentation and forwarding tests: datagrams as Ethernet frames, a seeded shuffle, ARP priming, a router. */
import { Ip } from '../../stack/net/ip';
import type { NetStack } from '../../stack/net/stack';
import { EtherType, EthernetFrame, Ipv4Packet, Ipv4Repr, parseMac, UdpPacket, UdpRepr } from '../../stack/net/wire';
import { ARP_REPLY_TO_2 } from './fixtures';
import { fakeEther, ip, makeStack, rx, take, type FakeEnv } from './harness';
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';

/** A frame 10.77.0.1 (00:50:c2:00:00:01) → `dst` carrying a UDP datagram 4000 → `dport` of `n` pattern bytes. */
export function udpFrame(n: number, opts: { dst?: string; dport?: number; ident?: number; df?: boolean; ttl?: number; src?: string } = {}): Uint8Array {
  const src = ip(opts.src ?? '10.77.0.1');
  const dst = ip(opts.dst ?? '10.77.0.2');
  const frame = Ip.alloc(8 + n);
  const data = pattern(n);
  const u = new UdpPacket(frame.subarray(Ip.PAYLOAD_OFF));
  frame.set(data, Ip.PAYLOAD_OFF + 8);
  UdpRepr.emit({ srcPort: 4000, dstPort: opts.dport ?? 5000, payload: u.buf.subarray(8) }, u, src, dst);
  Ipv4Repr.emit({
    src, dst, protocol: 17, ttl: opts.ttl ?? 64, tos: 0, ident: opts.ident ?? 0x4242, dontFrag: opts.df ?? false, moreFrags: false,
    fragOffset: 0, optionsLen: 0, payloadLen: 8 + n,
  }, new Ipv4Packet(frame.subarray(14)));
  const f = new EthernetFrame(frame);
  f.setDst(parseMac('00:50:c2:00:00:02')!);
  f.setSrc(parseMac('00:50:c2:00:00:01')!);
  f.ethertype = EtherType.IPv4;
  return frame;
}

/** Frames carrying fragments from ipFragment get the Ethernet header of a frame from 10.77.0.1. */
export function ethernetize(frames: Uint8Array[]): Uint8Array[] {
  for (const frame of frames) {
    const f = new EthernetFrame(frame);
    f.setDst(parseMac('00:50:c2:00:00:02')!);
    f.setSrc(parseMac('00:50:c2:00:00:01')!);
    f.ethertype = EtherType.IPv4;
  }
  return frames;
}

export function pattern(n: number, seed = 7): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Deterministic Fisher–Yates with an xorshift32 stream. */
export function shuffle<T>(a: T[], seed: number): T[] {
  let x = seed >>> 0 || 1;
  const out = a.slice();
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** 10.77.0.1 is at 00:50:c2:00:00:01 in the stack's ARP cache. */
export function primeArp(s: NetStack, en0: Ifnet): void {
  rx(s, en0, ARP_REPLY_TO_2, 99);
}

/**
 * A router: en0 10.77.0.2/24 (MTU 1500; 10.77.0.1 in ARP), en1 10.88.0.1/24 with MTU `mtu1` and 10.88.0.9 in ARP;
 * forwarding on; what both interfaces sent while being set up taken off.
 */
export function forwardingRouter(mtu1 = 1500): { s: NetStack; env: FakeEnv; en0: Ifnet; en1: Ifnet } {
  const { s, env, en0 } = makeStack('00:50:c2:00:00:02', '10.77.0.2', { forward: true });
  const en1 = fakeEther('en1', '00:50:c2:00:01:01');
  en1.mtu = mtu1;
  s.attachInterface(en1, 'ether');
  en1.flags |= IFF_UP | IFF_RUNNING;
  s.addAddress(en1, ip('10.88.0.1'), 0xffffff00);
  s.arp.addPermanent(en1, ip('10.88.0.9'), parseMac('00:50:c2:00:01:09')!);
  primeArp(s, en0);
  take(en0);
  take(en1);
  return { s, env, en0, en1 };
}

/** A frame `src` (default 10.77.0.1) → `dst` (default 10.77.0.2), 00:50:c2:00:00:01 → :02, carrying `payload` as protocol `proto`. */
export function ipFrame(proto: number, payload: Uint8Array, opts: { src?: string; dst?: string; ttl?: number } = {}): Uint8Array {
  const frame = Ip.alloc(payload.length);
  frame.set(payload, Ip.PAYLOAD_OFF);
  const p = new Ipv4Packet(frame.subarray(14));
  p.setVersionAndHeaderLen(20);
  p.totalLen = 20 + payload.length;
  p.ttl = opts.ttl ?? 64;
  p.protocol = proto;
  p.src = ip(opts.src ?? '10.77.0.1');
  p.dst = ip(opts.dst ?? '10.77.0.2');
  p.fillChecksum();
  const f = new EthernetFrame(frame);
  f.setDst(parseMac('00:50:c2:00:00:02')!);
  f.setSrc(parseMac('00:50:c2:00:00:01')!);
  f.ethertype = EtherType.IPv4;
  return frame;
}
