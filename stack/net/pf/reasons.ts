/**
 * pf's reason codes (pfvar.h PFRES_*) with the names pfctl -si prints (PFRES_NAMES), and the actions pflog
 * records (PF_PASS, PF_DROP, … in pfvar.h order). pf_status.counters[reason] counts every REASON_SET.
 */
export const PFRES = {
  MATCH: 0, BADOFF: 1, FRAG: 2, SHORT: 3, NORM: 4, MEMORY: 5, TS: 6, CONGEST: 7, IPOPTIONS: 8, PROTCKSUM: 9,
  BADSTATE: 10, STATEINS: 11, MAXSTATES: 12, SRCLIMIT: 13, SYNPROXY: 14,
} as const;
export type PfReason = (typeof PFRES)[keyof typeof PFRES];

export const PFRES_NAMES: readonly string[] = [
  'match', 'bad-offset', 'fragment', 'short', 'normalize', 'memory', 'bad-timestamp', 'congestion', 'ip-option',
  'proto-cksum', 'state-mismatch', 'state-insert', 'state-limit', 'src-limit', 'synproxy',
];

/** pf_rule.action as struct pfloghdr carries it (pfvar.h: PF_PASS, PF_DROP, PF_SCRUB, PF_NOSCRUB, PF_NAT, PF_NONAT, PF_BINAT, PF_NOBINAT, PF_RDR, PF_NORDR). */
export const PF_ACTION_CODE = {
  pass: 0, block: 1, scrub: 2, 'no-scrub': 3, nat: 4, 'no-nat': 5, binat: 6, 'no-binat': 7, rdr: 8, 'no-rdr': 9,
} as const;

/** pf directions in pfloghdr.dir and pf_state.direction: PF_INOUT 0, PF_IN 1, PF_OUT 2. */
export const PF_IN = 1;
export const PF_OUT = 2;
