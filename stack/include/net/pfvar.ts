/**
 * The packet filter's user interface (OpenBSD/NetBSD net/pfvar.h, the pf of io-pkt's lsm-pf-v4.so): the rule,
 * address, port, state and status records pfctl and the kernel exchange over /dev/pf. As with the stack's other
 * ioctls, the records travel as structured data named by the ioctl (not C structs), with pfvar.h's names.
 *
 * A ruleset is loaded as a transaction: DIOCXBEGIN {rulesets} → {ticket}, then DIOCADDRULE {ticket, ruleset, rule}
 * for each rule in file order, then DIOCXCOMMIT {ticket} swaps the new rules in (DIOCXROLLBACK drops them). A
 * ruleset that was not in the transaction keeps its rules.
 *
 * Changes since the contract commit (owner: PF engineer F; all backward compatible): PFLOG_REAL_HDRLEN (45) is
 * added; DIOCGETSTATUS's `pcounters` is [[in pass, in block], [out pass,
 * out block]] and `bcounters` [in, out] (IPv4, the loginterface); DIOCKILLSTATES also takes `proto`; DIOCRSETADDRS
 * answers {added, deleted}; scrub rules travel in the 'filter' ruleset and are walked apart, as pf's scrub ruleset.
 */

/** Address families (sys/socket.h), as pf_rule.af uses them: 0 = any. */
export const PF_AF_ANY = 0;
export const PF_AF_INET = 2;
export const PF_AF_INET6 = 24;

/** The rulesets of the main anchor: filter rules, then the translation rulesets (pf_rule.action decides). */
export type PfRuleset = 'filter' | 'nat' | 'rdr' | 'binat';

/** pf_rule.action (PF_PASS, PF_DROP, PF_NAT, PF_NONAT, PF_RDR, PF_NORDR, PF_BINAT, PF_NOBINAT, PF_SCRUB). */
export type PfAction = 'pass' | 'block' | 'nat' | 'no-nat' | 'rdr' | 'no-rdr' | 'binat' | 'no-binat' | 'scrub';

/** pf_rule.direction: PF_INOUT (neither `in` nor `out` given), PF_IN, PF_OUT. */
export type PfDirection = 'inout' | 'in' | 'out';

/** What a block rule does to the packet (block-policy / `block return-rst` / `block return-icmp`). */
export type PfBlockPolicy = 'drop' | 'return' | 'return-rst' | 'return-icmp';

/**
 * pf_addr_wrap: an address and mask, `any`, a table `<name>`, an interface's addresses `(en0)` (resolved when
 * the packet is matched, so an address change needs no reload), or `no-route`. `neg` is the `!` before it.
 */
export type PfAddrWrap =
  | { readonly type: 'any'; readonly neg: boolean }
  | { readonly type: 'addrmask'; readonly af: number; readonly addr: Uint8Array; readonly mask: Uint8Array; readonly neg: boolean }
  | { readonly type: 'table'; readonly name: string; readonly neg: boolean }
  | { readonly type: 'dynif'; readonly ifname: string; readonly network: boolean; readonly neg: boolean }
  | { readonly type: 'noroute'; readonly neg: boolean };

/**
 * pf_rule_addr's port part (PF_OP_*): `=`/none (eq), `!=`, `<`, `<=`, `>`, `>=`, `lo:hi` (PF_OP_RRG, inclusive),
 * `lo >< hi` (PF_OP_IRG, exclusive), `lo <> hi` (PF_OP_XRG, outside). `port { a b }` lists expand to one rule
 * per item as pfctl does; ports are host order.
 */
export type PfPortOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'rrg' | 'irg' | 'xrg';
export interface PfPortRange {
  readonly op: PfPortOp;
  readonly lo: number;
  readonly hi: number;
}

export interface PfRuleAddr {
  readonly addr: PfAddrWrap;
  /** null: no port given. */
  readonly port: PfPortRange | null;
}

/** The translation target of nat/rdr/binat (pf_pool): one address (or an interface's, `(en0)`) and a port range. */
export interface PfPool {
  readonly addr: PfAddrWrap;
  /** Port range for rdr (`-> 10.0.0.5 port 8080`), or nat's proxy-port range (default 50001:65535). */
  readonly proxyPort: { readonly lo: number; readonly hi: number } | null;
  /** `static-port` on nat. */
  readonly staticPort: boolean;
}

/** State options: pf_rule.keep_state (PF_STATE_NORMAL for `keep state`, modulate, synproxy) and flags S/SA. */
export type PfKeepState = 'none' | 'keep' | 'modulate' | 'synproxy';

/** One rule as pfctl sends it (DIOCADDRULE) and the kernel returns it (DIOCGETRULE, with its counters). */
export interface PfRule {
  readonly action: PfAction;
  readonly direction: PfDirection;
  readonly quick: boolean;
  /** `log` (or `log (all)`: every packet of the state, not only the first). */
  readonly log: 'none' | 'first' | 'all';
  readonly ifname: string | null;
  /** `on ! en0`. */
  readonly ifnot: boolean;
  readonly af: number;
  /** IP protocol number, 0 = any. */
  readonly proto: number;
  readonly src: PfRuleAddr;
  readonly dst: PfRuleAddr;
  /** `flags S/SA`: tcp flags that must be set within the mask; both 0 = no check. */
  readonly flags: number;
  readonly flagset: number;
  /** `icmp-type N code M`: type + 1 and code + 1 as pfvar.h stores them (0 = not given). */
  readonly type: number;
  readonly code: number;
  readonly keepState: PfKeepState;
  readonly blockPolicy: PfBlockPolicy;
  /** nat/rdr/binat only. */
  readonly rpool: PfPool | null;
  /** `label "text"`. */
  readonly label: string;
  /** Per-rule state timeouts (`(tcp.established 3600)`), seconds, by the names of PfTimeoutName. */
  readonly timeouts: Readonly<Partial<Record<PfTimeoutName, number>>>;
  /** Where pfctl read it (for messages): the rule file and line; not used by the kernel. */
  readonly source?: { readonly file: string; readonly line: number };
}

/** The counters DIOCGETRULE adds to a rule (pf_rule.evaluations, packets[2], bytes[2], states_cur). */
export interface PfRuleCounters {
  readonly nr: number;
  readonly evaluations: number;
  /** [in, out] */
  readonly packets: readonly [number, number];
  readonly bytes: readonly [number, number];
  readonly states: number;
}

/** Timeout names (pf.conf `set timeout`), with OpenBSD's defaults in seconds in PF_TIMEOUT_DEFAULTS. */
export type PfTimeoutName =
  | 'tcp.first' | 'tcp.opening' | 'tcp.established' | 'tcp.closing' | 'tcp.finwait' | 'tcp.closed'
  | 'udp.first' | 'udp.single' | 'udp.multiple' | 'icmp.first' | 'icmp.error'
  | 'other.first' | 'other.single' | 'other.multiple' | 'frag' | 'interval';

export const PF_TIMEOUT_DEFAULTS: Readonly<Record<PfTimeoutName, number>> = {
  'tcp.first': 120, 'tcp.opening': 30, 'tcp.established': 86400, 'tcp.closing': 900, 'tcp.finwait': 45, 'tcp.closed': 90,
  'udp.first': 60, 'udp.single': 30, 'udp.multiple': 60, 'icmp.first': 20, 'icmp.error': 10,
  'other.first': 60, 'other.single': 30, 'other.multiple': 60, frag: 30, interval: 10,
};

/** One endpoint of a state (pf_state_host): address and port (ICMP: the echo id). */
export interface PfStateHost {
  readonly af: number;
  readonly addr: Uint8Array;
  readonly port: number;
}

/** One state as DIOCGETSTATES returns it (pfsync_state's user-visible part). */
export interface PfStateInfo {
  readonly id: number;
  /** The state's interface: "self" for a floating state (state-policy floating, the default), as pfctl -ss prints. */
  readonly ifname: string;
  readonly proto: number;
  /** The direction of the packet that created it. */
  readonly direction: 'in' | 'out';
  /** lan (inside, before translation), gwy (after translation), ext (the other side), as pfctl -ss prints them. */
  readonly lan: PfStateHost;
  readonly gwy: PfStateHost;
  readonly ext: PfStateHost;
  /** Peer states: TCP as pf's TCPS_* names (`ESTABLISHED:ESTABLISHED`), UDP/other SINGLE/MULTIPLE/NO_TRAFFIC. */
  readonly srcState: string;
  readonly dstState: string;
  /** Seconds since creation and until expiry. */
  readonly age: number;
  readonly expire: number;
  readonly packets: readonly [number, number];
  readonly bytes: readonly [number, number];
  /** The rule that created it (its number in the filter ruleset), -1 if none. */
  readonly rule: number;
}

/** DIOCGETSTATUS (struct pf_status). Counter names are pfctl -si's. */
export interface PfStatus {
  readonly running: boolean;
  /** Virtual seconds since pf was enabled (0 when disabled). */
  readonly since: number;
  readonly debug: 'none' | 'urgent' | 'misc' | 'loud';
  readonly hostid: number;
  /** State table: current entries, searches, inserts, removals. */
  readonly states: number;
  readonly fcounters: { readonly searches: number; readonly inserts: number; readonly removals: number };
  /** match, bad-offset, fragment, short, normalize, memory, bad-timestamp, congestion, ip-option, proto-cksum, state-mismatch, state-insert, state-limit, src-limit, synproxy. */
  readonly counters: Readonly<Record<string, number>>;
  /** The loginterface (`set loginterface en0`) and its counters: [af inet][in/out][pass/block] bytes and packets. */
  readonly ifname: string;
  readonly pcounters: readonly (readonly number[])[];
  readonly bcounters: readonly number[];
}

/** A table (pfr_table) and its addresses (pfr_addr: addr/prefix, `!` negated). */
export interface PfTableAddr {
  readonly af: number;
  readonly addr: Uint8Array;
  readonly prefix: number;
  readonly neg: boolean;
}
export interface PfTable {
  readonly name: string;
  /** `persist`, `const`. */
  readonly persist: boolean;
  readonly constant: boolean;
}

/**
 * The /dev/pf ioctls, by name, with their argument and result records:
 * DIOCSTART / DIOCSTOP (EEXIST if already running / ENOENT if not running), DIOCGETSTATUS → PfStatus,
 * DIOCCLRSTATUS, DIOCSETSTATUSIF {ifname}, DIOCXBEGIN {rulesets: PfRuleset[]} → {ticket},
 * DIOCADDRULE {ticket, ruleset, rule: PfRule}, DIOCXCOMMIT {ticket}, DIOCXROLLBACK {ticket},
 * DIOCGETRULES {ruleset} → {ticket, nr}, DIOCGETRULE {ticket, ruleset, nr} → {rule: PfRule, counters: PfRuleCounters},
 * DIOCGETSTATES → {states: PfStateInfo[]}, DIOCCLRSTATES {ifname?} → {killed}, DIOCKILLSTATES {src?, dst?} → {killed},
 * DIOCSETTIMEOUT {name, seconds} → {old}, DIOCGETTIMEOUT {name} → {seconds}, DIOCSETDEBUG {level},
 * DIOCRADDTABLES {tables: PfTable[]} → {added}, DIOCRCLRTABLES → {deleted}, DIOCRGETTABLES → {tables},
 * DIOCRSETADDRS {table, addrs: PfTableAddr[]}, DIOCRADDADDRS {table, addrs} → {added},
 * DIOCRDELADDRS {table, addrs} → {deleted}, DIOCRGETADDRS {table} → {addrs}, DIOCRCLRADDRS {table}.
 * Errors are errnos (EBUSY for a stale ticket, EINVAL for a malformed rule, ESRCH for an unknown table).
 */
export type PfIoctl =
  | 'DIOCSTART' | 'DIOCSTOP' | 'DIOCGETSTATUS' | 'DIOCCLRSTATUS' | 'DIOCSETSTATUSIF'
  | 'DIOCXBEGIN' | 'DIOCADDRULE' | 'DIOCXCOMMIT' | 'DIOCXROLLBACK' | 'DIOCGETRULES' | 'DIOCGETRULE'
  | 'DIOCGETSTATES' | 'DIOCCLRSTATES' | 'DIOCKILLSTATES' | 'DIOCSETTIMEOUT' | 'DIOCGETTIMEOUT' | 'DIOCSETDEBUG'
  | 'DIOCRADDTABLES' | 'DIOCRCLRTABLES' | 'DIOCRGETTABLES' | 'DIOCRSETADDRS' | 'DIOCRADDADDRS' | 'DIOCRDELADDRS'
  | 'DIOCRGETADDRS' | 'DIOCRCLRADDRS';

/**
 * DLT_PFLOG (bpf.h) and the pflog header of the pf io-pkt carries (OpenBSD 3.7's net/if_pflog.h, as NetBSD 4
 * imported it; tcpdump's print-pflog.c and Wireshark's packet-pflog.c read it): struct pfloghdr is 48 bytes
 * (PFLOG_HDRLEN = sizeof, what bpfattach and pflog_packet use); its `length` byte holds PFLOG_REAL_HDRLEN = 45,
 * the size without the trailing pad[3] (the uid/pid fields of later pf generations are not there). Layout in
 * stack/net/pf/pflog.ts.
 */
export const DLT_PFLOG = 117;
export const PFLOG_HDRLEN = 48;
export const PFLOG_REAL_HDRLEN = 45;
