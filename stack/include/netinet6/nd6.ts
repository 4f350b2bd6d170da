/**
 * <netinet6/nd6.h> as ndp uses it: the neighbour cache rows (what ndp reads from the routing socket's
 * RTF_LLINFO dump), the default router list (SIOCGDRLST_IN6) and the prefix list (SIOCGPRLST_IN6).
 * Times are absolute virtual nanoseconds (null = never); ndp subtracts the current time.
 */
/** ln_state (netinet6/nd6.h). */
export const ND6_LLINFO_NOSTATE = -2;
export const ND6_LLINFO_INCOMPLETE = 0;
export const ND6_LLINFO_REACHABLE = 1;
export const ND6_LLINFO_STALE = 2;
export const ND6_LLINFO_DELAY = 3;
export const ND6_LLINFO_PROBE = 4;
/** The state letters of `ndp -a`. */
export const ND6_STATE_LETTER: Readonly<Record<number, string>> = { [-2]: 'N', 0: 'I', 1: 'R', 2: 'S', 3: 'D', 4: 'P' };

export interface NbrRow {
  addr: Uint8Array;
  scopeId: number;
  ifname: string;
  lladdr: Uint8Array | null;
  state: number;
  isRouter: boolean;
  expire: number | null;
}

export interface DrRow {
  addr: Uint8Array;
  ifname: string;
  lifetime: number;
  expire: number;
  /** The router is the one the default route goes through. */
  installed: boolean;
}

export interface PrRow {
  prefix: Uint8Array;
  plen: number;
  ifname: string;
  onlink: boolean;
  auto: boolean;
  vltime: number;
  pltime: number;
  expire: number | null;
  advrtr: Uint8Array;
}

/** The time `now` in the reply, so ndp prints what remains without a clock of its own. */
export interface NdListReply<R> {
  now: number;
  rows: R[];
}
