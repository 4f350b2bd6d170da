/** Crafted Ethernet frames for the BPF, compiler and printer tests (checksums computed as the stack does). */
const MAC_A = [0x00, 0x50, 0xc2, 0x00, 0x00, 0x01];
const MAC_B = [0x00, 0x50, 0xc2, 0x00, 0x00, 0x02];
export const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

function sum16(b: number[], init = 0): number {
  let s = init;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const put16 = (b: number[], o: number, v: number) => { b[o] = (v >> 8) & 0xff; b[o + 1] = v & 0xff; };
const ip4 = (s: string) => s.split('.').map(Number);

export function ether(type: number, payload: number[], dst = MAC_B, src = MAC_A): Uint8Array {
  return new Uint8Array([...dst, ...src, type >> 8, type & 0xff, ...payload]);
}

/** An IPv4 datagram (ttl 64, id 0x1234, DF unless `frag` given) around `l4`. */
export function ipv4(proto: number, src: string, dst: string, l4: number[], o: { frag?: number; ttl?: number } = {}): number[] {
  const h = [0x45, 0, 0, 0, 0x12, 0x34, 0, 0, o.ttl ?? 64, proto, 0, 0, ...ip4(src), ...ip4(dst)];
  put16(h, 2, 20 + l4.length);
  put16(h, 6, o.frag ?? 0x4000);
  put16(h, 10, ~sum16(h) & 0xffff);
  return [...h, ...l4];
}

export function icmpEcho(type: 8 | 0, id: number, seq: number, data = 56): number[] {
  const m = [type, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff, ...new Array(data).fill(0).map((_, i) => i & 0xff)];
  put16(m, 2, ~sum16(m) & 0xffff);
  return m;
}

function pseudo(src: string, dst: string, proto: number, len: number): number {
  return sum16([...ip4(src), ...ip4(dst), 0, proto, len >> 8, len & 0xff]);
}

export function udp(src: string, dst: string, sport: number, dport: number, n: number): number[] {
  const u = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 0, 0, 0, ...new Array(n).fill(0x61)];
  put16(u, 4, u.length);
  put16(u, 6, ~sum16(u, pseudo(src, dst, 17, u.length)) & 0xffff || 0xffff);
  return u;
}

export function tcp(src: string, dst: string, sport: number, dport: number, seq: number, ack: number, flags: number, opts: number[] = [], data = 0): number[] {
  const hl = 20 + opts.length;
  const t = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff,
    ack >>> 24, (ack >>> 16) & 0xff, (ack >>> 8) & 0xff, ack & 0xff, (hl / 4) << 4, flags, 0x80, 0x00, 0, 0, 0, 0, ...opts, ...new Array(data).fill(0x62)];
  put16(t, 16, ~sum16(t, pseudo(src, dst, 6, t.length)) & 0xffff);
  return t;
}

export function arpRequest(spa: string, tpa: string): number[] {
  return [0, 1, 8, 0, 6, 4, 0, 1, ...MAC_A, ...ip4(spa), 0, 0, 0, 0, 0, 0, ...ip4(tpa)];
}

export function arpReply(spa: string, tpa: string): number[] {
  return [0, 1, 8, 0, 6, 4, 0, 2, ...MAC_B, ...ip4(spa), ...MAC_A, ...ip4(tpa)];
}

/** An IPv6 packet (hop limit 64) from fe80::1 to `dst` (16 bytes) around `l4`. */
export function ipv6(nh: number, src: number[], dst: number[], l4: number[]): number[] {
  return [0x60, 0, 0, 0, l4.length >> 8, l4.length & 0xff, nh, 64, ...src, ...dst, ...l4];
}

export const LL1 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const LL2 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

export function icmp6(type: number, body: number[]): number[] {
  return [type, 0, 0, 0, ...body];
}
