/**
 * <netinet6/in6_var.h> as programs use it: the address flags (IN6_IFF_*), the request of SIOCAIFADDR_IN6 /
 * SIOCDIFADDR_IN6 (struct in6_aliasreq with ia6_lifetime), and the per-address view ifconfig prints
 * (what SIOCGIFAFLAG_IN6 and SIOCGIFALIFETIME_IN6 answer, gathered for every address of an interface).
 */
/** ia6_flags. */
export const IN6_IFF_ANYCAST = 0x01;
export const IN6_IFF_TENTATIVE = 0x02;
export const IN6_IFF_DUPLICATED = 0x04;
export const IN6_IFF_DETACHED = 0x08;
export const IN6_IFF_DEPRECATED = 0x10;
export const IN6_IFF_NODAD = 0x20;
export const IN6_IFF_AUTOCONF = 0x40;
/** Addresses that must not be used as a source or accepted as a destination. */
export const IN6_IFF_NOTREADY = IN6_IFF_TENTATIVE | IN6_IFF_DUPLICATED;

/** ND6_INFINITE_LIFETIME (netinet6/nd6.h). */
export const ND6_INFINITE_LIFETIME = 0xffffffff;

/** struct in6_aliasreq (ifra_prefixmask as a length; ifra_lifetime in seconds). */
export interface In6AliasReq {
  name: string;
  addr: Uint8Array;
  plen: number;
  flags?: number;
  vltime?: number;
  pltime?: number;
}

/** One IPv6 address of an interface with its flags and lifetimes (expire/preferred: absolute virtual ns, null = infinite). */
export interface In6AddrInfo {
  addr: Uint8Array;
  plen: number;
  flags: number;
  /** The interface index (sin6_scope_id for link-local addresses, 0 for others). */
  scopeId: number;
  vltime: number;
  pltime: number;
  expire: number | null;
  preferred: number | null;
}
