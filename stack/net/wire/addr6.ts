/**
 * IPv6 addresses as the stack handles them: 16 bytes in network order. Text forms per RFC 4291 §2.2 (input:
 * full, compressed with "::", embedded IPv4 dotted quad) and RFC 5952 (output: lower case, longest run of
 * two or more zero groups compressed, leftmost on a tie).
 */
export type Ipv6Addr = Uint8Array;

export const IN6ADDR_ANY: Ipv6Addr = new Uint8Array(16);

export function ipv6Equals(a: Ipv6Addr, b: Ipv6Addr): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function ipv6IsUnspecified(a: Ipv6Addr): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== 0) return false;
  return true;
}

/** RFC 5952 text; an IPv4-mapped address ends in dotted decimal (§5: "::ffff:192.0.2.1"). */
export function ipv6ToString(a: Ipv6Addr): string {
  if (ipv6IsV4Mapped(a)) return `::ffff:${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((a[i]! << 8) | a[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** RFC 4291 text to 16 bytes, or null if malformed. */
export function parseIpv6(text: string): Ipv6Addr | null {
  let s = text;
  const tail: number[] = [];
  const v4 = /(?:^|:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1, 5).map(Number);
    if (parts.some((p) => p > 255)) return null;
    tail.push((parts[0]! << 8) | parts[1]!, (parts[2]! << 8) | parts[3]!);
    s = s.slice(0, s.length - v4[0].length + (v4[0].startsWith(':') ? 1 : 0));
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const group = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const p of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if (!head || !rest) return null;
  const known = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (known > 7) return null;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  } else {
    if (known !== 8) return null;
    groups = [...head, ...tail];
  }
  const out = new Uint8Array(16);
  groups.forEach((v, i) => {
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** ::1 (RFC 4291 §2.5.3). */
export const IN6ADDR_LOOPBACK: Ipv6Addr = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
/** ff02::1, all nodes on the link, and ff02::2, all routers (RFC 4291 §2.7.1). */
export const IN6ADDR_LINKLOCAL_ALLNODES: Ipv6Addr = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
export const IN6ADDR_LINKLOCAL_ALLROUTERS: Ipv6Addr = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);

export function ipv6IsLoopback(a: Ipv6Addr): boolean {
  return ipv6Equals(a, IN6ADDR_LOOPBACK);
}
export function ipv6IsMulticast(a: Ipv6Addr): boolean {
  return a[0] === 0xff;
}
/** fe80::/10 (IN6_IS_ADDR_LINKLOCAL). */
export function ipv6IsLinkLocal(a: Ipv6Addr): boolean {
  return a[0] === 0xfe && (a[1]! & 0xc0) === 0x80;
}
/** ::ffff:0:0/96 (IN6_IS_ADDR_V4MAPPED). */
export function ipv6IsV4Mapped(a: Ipv6Addr): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

/** Scope values (RFC 4291 §2.7 multicast scop; unicast mapped the same way, RFC 4007). */
export const IPV6_ADDR_SCOPE_INTFACELOCAL = 1;
export const IPV6_ADDR_SCOPE_LINKLOCAL = 2;
export const IPV6_ADDR_SCOPE_GLOBAL = 0xe;

/** in6_addrscope: the scope of a unicast or multicast address. */
export function ipv6Scope(a: Ipv6Addr): number {
  if (ipv6IsMulticast(a)) return a[1]! & 0x0f;
  if (ipv6IsLinkLocal(a) || ipv6IsLoopback(a)) return ipv6IsLoopback(a) ? IPV6_ADDR_SCOPE_INTFACELOCAL : IPV6_ADDR_SCOPE_LINKLOCAL;
  return IPV6_ADDR_SCOPE_GLOBAL;
}

/**
 * Scope zones (RFC 4007 §6): link-local unicast and interface- or link-local multicast addresses need an
 * interface (sin6_scope_id) to mean anything; ::1 is unique on the node and carries none (KAME's
 * IN6_IS_SCOPE_EMBEDDABLE).
 */
export function ipv6NeedsScope(a: Ipv6Addr): boolean {
  if (ipv6IsMulticast(a)) return (a[1]! & 0x0f) <= IPV6_ADDR_SCOPE_LINKLOCAL;
  return ipv6IsLinkLocal(a);
}

/** The solicited-node multicast address ff02::1:ffXX:XXXX of `a` (RFC 4291 §2.7.1). */
export function ipv6SolicitedNode(a: Ipv6Addr): Ipv6Addr {
  const out = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 0);
  out[13] = a[13]!;
  out[14] = a[14]!;
  out[15] = a[15]!;
  return out;
}

/** The Ethernet group address of an IPv6 multicast address: 33:33 + its low 32 bits (RFC 2464 §7). */
export function ipv6MulticastMac(a: Ipv6Addr): Uint8Array {
  return Uint8Array.of(0x33, 0x33, a[12]!, a[13]!, a[14]!, a[15]!);
}

/** The modified EUI-64 interface identifier of a 48-bit MAC (RFC 4291 Appendix A): the U/L bit inverted. */
export function eui64FromMac(mac: Uint8Array): Uint8Array {
  return Uint8Array.of(mac[0]! ^ 0x02, mac[1]!, mac[2]!, 0xff, 0xfe, mac[3]!, mac[4]!, mac[5]!);
}

/** `prefix` (its first `plen` bits) followed by the 64-bit interface identifier `iid`. */
export function ipv6FromPrefixIid(prefix: Ipv6Addr, plen: number, iid: Uint8Array): Ipv6Addr {
  const out = ipv6Masked(prefix, plen);
  for (let i = 0; i < 8; i++) out[8 + i] = out[8 + i]! | iid[i]!;
  return out;
}

/** `a` with every bit past the first `plen` cleared. */
export function ipv6Masked(a: Ipv6Addr, plen: number): Ipv6Addr {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, plen - 8 * i));
    out[i] = a[i]! & ((0xff00 >> bits) & 0xff);
  }
  return out;
}

/** The first `plen` bits of `a` and `b` are equal. */
export function ipv6PrefixMatch(a: Ipv6Addr, b: Ipv6Addr, plen: number): boolean {
  return ipv6Equals(ipv6Masked(a, plen), ipv6Masked(b, plen));
}

/** How many leading bits `a` and `b` share (in6_matchlen). */
export function ipv6MatchLen(a: Ipv6Addr, b: Ipv6Addr): number {
  for (let i = 0; i < 16; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return 8 * i + Math.clz32(x) - 24;
  }
  return 128;
}

/** A netmask of `plen` bits as an address (ifconfig's `netmask` / SIOCGIFNETMASK_IN6), and back. */
export function ipv6PrefixMask(plen: number): Ipv6Addr {
  return ipv6Masked(Uint8Array.of(...new Array<number>(16).fill(0xff)), plen);
}
export function ipv6MaskLen(mask: Ipv6Addr): number {
  return ipv6MatchLen(mask, ipv6PrefixMask(128));
}

/** "addr%zone" text (RFC 4007 §11) split into the address and the zone name (or null). */
export function parseIpv6Scoped(text: string): { addr: Ipv6Addr; zone: string | null } | null {
  const i = text.indexOf('%');
  const addr = parseIpv6(i < 0 ? text : text.slice(0, i));
  if (!addr) return null;
  return { addr, zone: i < 0 ? null : text.slice(i + 1) };
}
