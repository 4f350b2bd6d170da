/**
 * Addresses as the stack handles them: an IPv4 address is an unsigned 32-bit number in host order (so
 * masks and comparisons are plain arithmetic); a MAC address is 6 bytes. Conversions to/from wire bytes
 * and text live here.
 */
export type Ipv4Addr = number;

export const INADDR_ANY: Ipv4Addr = 0;
export const INADDR_BROADCAST: Ipv4Addr = 0xffffffff;
export const INADDR_LOOPBACK: Ipv4Addr = 0x7f000001;

export function ipFromBytes(b: Uint8Array, off: number): Ipv4Addr {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

export function ipToBytes(a: Ipv4Addr, b: Uint8Array, off: number): void {
  b[off] = (a >>> 24) & 0xff;
  b[off + 1] = (a >>> 16) & 0xff;
  b[off + 2] = (a >>> 8) & 0xff;
  b[off + 3] = a & 0xff;
}

export function ipToString(a: Ipv4Addr): string {
  return `${(a >>> 24) & 0xff}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/**
 * inet_aton(3): "a.b.c.d", "a.b.c" (c is 16 bits), "a.b" (b is 24 bits), "a" (32 bits); each part decimal,
 * octal (leading 0) or hex (0x). Returns null if malformed.
 */
export function parseIpv4(text: string): Ipv4Addr | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const vals: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]+$/.test(p)) v = parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = parseInt(p, 10);
    else return null;
    vals.push(v);
  }
  const n = vals.length;
  for (let i = 0; i < n - 1; i++) if (vals[i]! > 0xff) return null;
  const last = vals[n - 1]!;
  const lastMax = [0xffffffff, 0xffffff, 0xffff, 0xff][n - 1]!;
  if (last > lastMax) return null;
  let a = 0;
  for (let i = 0; i < n - 1; i++) a += vals[i]! * 2 ** (24 - 8 * i);
  return (a + last) >>> 0;
}

export function maskFromPrefix(len: number): Ipv4Addr {
  if (len <= 0) return 0;
  if (len >= 32) return 0xffffffff;
  return (0xffffffff << (32 - len)) >>> 0;
}

/** Prefix length of a contiguous mask, or null if the mask has holes. */
export function prefixFromMask(mask: Ipv4Addr): number | null {
  let len = 0;
  while (len < 32 && ((mask >>> (31 - len)) & 1) === 1) len++;
  return maskFromPrefix(len) === mask >>> 0 ? len : null;
}

/** Classful default mask (what NetBSD's in_ifinit uses when no netmask is given). */
export function classfulMask(a: Ipv4Addr): Ipv4Addr {
  if ((a & 0x80000000) === 0) return 0xff000000;
  if ((a & 0xc0000000) === 0x80000000) return 0xffff0000;
  return 0xffffff00;
}

export function isMulticastIp(a: Ipv4Addr): boolean {
  return (a >>> 28) === 0xe;
}

export type MacAddr = Uint8Array;

export const ETHER_ADDR_LEN = 6;

export function macToString(m: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (m[i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

export function parseMac(text: string): MacAddr | null {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) return null;
  const m = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return null;
    m[i] = parseInt(p, 16);
  }
  return m;
}

export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function macIsBroadcast(m: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (m[i] !== 0xff) return false;
  return true;
}

/** Group bit (I/G) set: broadcast or multicast. */
export function macIsGroup(m: Uint8Array): boolean {
  return ((m[0] ?? 0) & 1) === 1;
}

export function macIsZero(m: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (m[i] !== 0) return false;
  return true;
}

export const ETHER_BROADCAST: Readonly<Uint8Array> = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
