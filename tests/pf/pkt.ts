/**
 * Packet builders and an independent checksum checker for the pf tests: IPv4 with TCP/UDP/ICMP, wrapped in
 * Ethernet. Checksums are computed here from scratch (RFC 1071 over the whole header/segment), never with pf's
 * incremental code, so a translated packet is verified independently.
 */
export function ip4(s: string): number {
  const p = s.split('.').map(Number);
  return (((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0);
}
export function ipStr(a: number): string {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}

function sum16(b: Uint8Array, off: number, len: number, init = 0): number {
  let s = init;
  for (let i = 0; i < len; i += 2) s += (b[off + i]! << 8) | (i + 1 < len ? b[off + i + 1]! : 0);
  return s;
}
function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}
function cks(b: Uint8Array, off: number, len: number, init = 0): number {
  return ~fold(sum16(b, off, len, init)) & 0xffff;
}
const r16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const r32 = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const w16 = (b: Uint8Array, o: number, v: number) => { b[o] = (v >>> 8) & 255; b[o + 1] = v & 255; };
const w32 = (b: Uint8Array, o: number, v: number) => { w16(b, o, v >>> 16); w16(b, o + 2, v & 0xffff); };

export interface IpOpts { src: string; dst: string; proto: number; ttl?: number; id?: number; df?: boolean; off?: number; mf?: boolean; options?: number[] }

export function ipPacket(o: IpOpts, payload: Uint8Array): Uint8Array {
  const optLen = o.options?.length ?? 0;
  const hl = 20 + optLen;
  const b = new Uint8Array(hl + payload.length);
  b[0] = 0x40 | (hl / 4);
  w16(b, 2, b.length);
  w16(b, 4, o.id ?? 0x1234);
  w16(b, 6, (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.off ?? 0) >> 3));
  b[8] = o.ttl ?? 64;
  b[9] = o.proto;
  w32(b, 12, ip4(o.src));
  w32(b, 16, ip4(o.dst));
  if (o.options) b.set(o.options, 20);
  w16(b, 10, cks(b, 0, hl));
  b.set(payload, hl);
  fillTransport(b);
  return b;
}

function pseudo(b: Uint8Array, hl: number, len: number): number {
  return sum16(b, 12, 8) + b[9]! + len;
}

/** Recompute the transport checksum from scratch (the builder's own). */
function fillTransport(b: Uint8Array): void {
  const hl = (b[0]! & 15) * 4;
  const len = b.length - hl;
  if (b[9] === 6 && len >= 20) { w16(b, hl + 16, 0); w16(b, hl + 16, cks(b, hl, len, pseudo(b, hl, len))); }
  if (b[9] === 17 && len >= 8) { w16(b, hl + 6, 0); const c = cks(b, hl, len, pseudo(b, hl, len)); w16(b, hl + 6, c === 0 ? 0xffff : c); }
  if (b[9] === 1 && len >= 4) { w16(b, hl + 2, 0); w16(b, hl + 2, cks(b, hl, len)); }
}

export function tcp(o: { sport: number; dport: number; seq?: number; ack?: number; flags: number; win?: number; data?: number; opts?: number[] }): Uint8Array {
  const ol = Math.ceil((o.opts?.length ?? 0) / 4) * 4;
  const b = new Uint8Array(20 + ol + (o.data ?? 0));
  w16(b, 0, o.sport); w16(b, 2, o.dport); w32(b, 4, o.seq ?? 1000); w32(b, 8, o.ack ?? 0);
  b[12] = ((20 + ol) / 4) << 4; b[13] = o.flags; w16(b, 14, o.win ?? 16384);
  if (o.opts) b.set(o.opts, 20);
  return b;
}
/** The window scale option (NOP, kind 3, len 3, shift). */
export const wscaleOpt = (shift: number): number[] => [1, 3, 3, shift];
export function udp(sport: number, dport: number, data = 4): Uint8Array {
  const b = new Uint8Array(8 + data);
  w16(b, 0, sport); w16(b, 2, dport); w16(b, 4, b.length);
  for (let i = 0; i < data; i++) b[8 + i] = 0x61 + i;
  return b;
}
export function icmpEcho(type: 8 | 0, id: number, seq: number): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = type; w16(b, 4, id); w16(b, 6, seq);
  return b;
}
/** An ICMP error quoting the first hl+8 bytes of `orig`. */
export function icmpError(type: number, code: number, orig: Uint8Array): Uint8Array {
  const hl = (orig[0]! & 15) * 4;
  const q = orig.subarray(0, Math.min(orig.length, hl + 8));
  const b = new Uint8Array(8 + q.length);
  b[0] = type; b[1] = code; b.set(q, 8);
  return b;
}

export function ether(dst: Uint8Array, src: Uint8Array, pkt: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + pkt.length);
  f.set(dst, 0); f.set(src, 6); f[12] = 0x08; f[13] = 0x00; f.set(pkt, 14);
  return f;
}

/** Fields of an IPv4 packet for assertions. */
export function parse(pkt: Uint8Array) {
  const hl = (pkt[0]! & 15) * 4;
  return {
    hl, len: r16(pkt, 2), ttl: pkt[8]!, proto: pkt[9]!, src: ipStr(r32(pkt, 12)), dst: ipStr(r32(pkt, 16)),
    sport: r16(pkt, hl), dport: r16(pkt, hl + 2), seq: r32(pkt, hl + 4), ack: r32(pkt, hl + 8), flags: pkt[hl + 13]!,
    icmpType: pkt[hl]!, icmpCode: pkt[hl + 1]!, icmpId: r16(pkt, hl + 4), payload: pkt.subarray(hl),
  };
}

/** Every checksum in the packet verifies (IP header; TCP/UDP with pseudo header; ICMP; a quoted IP header). */
export function checksumsOk(pkt: Uint8Array): { ip: boolean; transport: boolean; quotedIp?: boolean } {
  const hl = (pkt[0]! & 15) * 4;
  const len = r16(pkt, 2) - hl;
  const ipOk = fold(sum16(pkt, 0, hl)) === 0xffff;
  let tOk = true;
  if (pkt[9] === 6) tOk = fold(sum16(pkt, hl, len, pseudo(pkt, hl, len))) === 0xffff;
  if (pkt[9] === 17) tOk = r16(pkt, hl + 6) === 0 || fold(sum16(pkt, hl, len, pseudo(pkt, hl, len))) === 0xffff;
  if (pkt[9] === 1) tOk = fold(sum16(pkt, hl, len)) === 0xffff;
  const out: { ip: boolean; transport: boolean; quotedIp?: boolean } = { ip: ipOk, transport: tOk };
  if (pkt[9] === 1 && [3, 4, 5, 11, 12].includes(pkt[hl]!)) {
    const q = hl + 8;
    const qhl = (pkt[q]! & 15) * 4;
    out.quotedIp = fold(sum16(pkt, q, qhl)) === 0xffff;
  }
  return out;
}

export const MAC = {
  r0: new Uint8Array([0, 0x50, 0xc2, 0, 0, 0x01]),
  r1: new Uint8Array([0, 0x50, 0xc2, 0, 0, 0x11]),
  inside: new Uint8Array([0, 0x50, 0xc2, 0, 0, 0x05]),
  outside: new Uint8Array([0, 0x50, 0xc2, 0, 0, 0x09]),
};
