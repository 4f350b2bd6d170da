/**
 * The packet filter of one io-pkt (OpenBSD 3.7's pf, pfvar.h 1.213, as NetBSD 4 imported it into sys/dist/pf
 * and QNX ships it in lsm-pf-v4.so; the generation QNX's pfctl usage and pf.conf pages describe): its
 * status (pf_status), rulesets, tables, state table and timeouts, and pf_test, the pfil hook ip_input and
 * ip_output run for every IPv4 packet while pf is enabled (sys/dist/pf/net/pf.c pf_test):
 * normalisation (the scrub rules), then for an unfragmented packet the state lookup of its protocol
 * (pf_test_state_tcp/udp/icmp/other) and, when no state matches, the rules (pf_test_rule, eval.ts); fragments
 * that were not reassembled go through pf_test_fragment. At `done:` a passed packet with IP options is
 * dropped (no `allow-opts` in this pf.conf subset), the packet is logged when asked (pflog.ts), and the rule's
 * and state's counters move. CPU is charged on the thread running the hook (costs.ts).
 */
import { Errno } from '../../kernel/api';
import { PF_TIMEOUT_DEFAULTS, type PfTimeoutName } from '../../include/net/pfvar';
import type { Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import type { PfilDir } from '../pfil';
import type { NetStack } from '../stack';
import { PfCost } from './costs';
import { pfTestFragment, pfTestRule } from './eval';
import { pfTestStateIcmp } from './icmp-state';
import { pfNormalizeIp } from './normalize';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, pfPdesc, type PfPdesc } from './pdesc';
import { pflogPacket } from './pflog';
import { PFRES, PFRES_NAMES, type PfReason } from './reasons';
import type { KRule } from './rule';
import { Rulesets } from './ruleset';
import { StateTable, stateTranslates, type PfState } from './state';
import { pfTestStateOther, pfTestStateUdp } from './state-test';
import { pfTestStateTcp } from './tcp-track';
import { PfTables } from './table';

/** What pf decided about one packet. */
export interface PfResult {
  action: 'pass' | 'drop';
  reason: PfReason;
  /** The rule that decided (a state's rule for packets of a state); null = pf_default_rule (pass). */
  rule: KRule | null;
  natRule: KRule | null;
  state: PfState | null;
  /** Log this packet at `done:` (a state's log (all), a short or option-bearing packet). */
  log: boolean;
}

/** pf_status.debug levels (PF_DEBUG_NONE … PF_DEBUG_NOISY). */
export type PfDebug = 'none' | 'urgent' | 'misc' | 'loud';

export class Pf {
  running = false;
  /** time_second when pf was enabled (pf_status.since). */
  since = 0;
  debug: PfDebug = 'urgent';
  readonly hostid: number;
  /** pf_status.counters, by PFRES_*. */
  readonly counters: number[] = PFRES_NAMES.map(() => 0);
  readonly rules = new Rulesets();
  readonly tables = new PfTables();
  readonly states: StateTable;
  /** pf_default_rule.timeout (set timeout …), seconds. */
  readonly timeouts: Record<PfTimeoutName, number> = { ...PF_TIMEOUT_DEFAULTS };
  /** set loginterface: the interface whose counters DIOCGETSTATUS reports ('' = none). */
  loginterface = '';
  /**
   * Per-interface IPv4 counters (pfi_kif pfik_bytes / pfik_packets: [in, out] × [pass, block]), kept for every
   * interface pf sees since attach or DIOCCLRSTATUS; pfi_fill_oldstatus reports the loginterface's.
   */
  readonly ifCounters = new Map<string, { bytes: [number, number]; packets: [[number, number], [number, number]] }>();

  get bcounters(): [number, number] {
    return [...(this.ifCounters.get(this.loginterface)?.bytes ?? [0, 0])] as [number, number];
  }

  get pcounters(): [[number, number], [number, number]] {
    const p = this.ifCounters.get(this.loginterface)?.packets ?? [[0, 0], [0, 0]];
    return [[p[0][0], p[0][1]], [p[1][0], p[1][1]]];
  }
  /** pflog0 (pflog.ts), once lsm-pf attached it. */
  pflogif: Ifnet | null = null;
  /** Packets pf itself sends (RST, ICMP errors) bypass pf, as PF_TAG_GENERATED makes them. */
  generating = 0;
  private purgeArmed = false;
  /** When pf_purge_timeout fires next (virtual ns): `interval` after pf_attach, then every `interval`. */
  private nextPurge: number;

  constructor(readonly s: NetStack) {
    // pf_attach: pf_status.hostid = arc4random().
    this.hostid = s.env.random32();
    this.states = new StateTable(this.hostid);
    this.nextPurge = s.env.now() + this.timeouts.interval * 1e9;
  }

  /** time_second. */
  nowSec(): number {
    return Math.floor(this.s.env.now() / 1e9);
  }

  /** REASON_SET: note the reason and count it in pf_status.counters. */
  reasonSet(r: PfReason): PfReason {
    this.counters[r] = (this.counters[r] ?? 0) + 1;
    return r;
  }

  charge(ns: number): void {
    this.s.env.charge(ns);
  }

  trace(probe: string, pkt: number, f: Record<string, string | number | boolean>): void {
    this.s.env.trace('pf', probe, pkt, f);
  }

  /** The pfil hook (pfil_ipv4_wrapper → pf_test). */
  readonly hook = (m: Mbuf, pkt: Uint8Array, ifp: Ifnet, dir: PfilDir): { m: Mbuf; pkt: Uint8Array } | null => {
    if (!this.running || this.generating > 0) return { m, pkt };
    const r = this.test(dir, ifp, m, pkt);
    if (r.action !== 'pass') return null;
    // A translated inbound packet no longer matches what the hardware summed (M_CSUM_DATA): pf fixed the
    // checksums itself, so the transport checks them in software.
    if (dir === 'in' && (r.natRule || (r.state && stateTranslates(r.state)))) {
      delete m.csumFlags;
      delete m.csumData;
    }
    return { m, pkt };
  };

  /** pf_test for one IPv4 packet. */
  test(dir: PfilDir, ifp: Ifnet, m: Mbuf, pkt: Uint8Array): PfResult {
    this.charge(PfCost.pfTest);
    const pdr = pfPdesc(pkt);
    let res: PfResult;
    let pd: PfPdesc | null = null;
    if ('short' in pdr) {
      res = { action: 'drop', reason: this.reasonSet(pdr.short), rule: null, natRule: null, state: null, log: pdr.log };
    } else {
      pd = pdr;
      const norm = pfNormalizeIp(this, pd, ifp, dir, m);
      if (norm) res = norm;
      else if (pd.fragment) res = pfTestFragment(this, pd, ifp, dir, m);
      else res = this.testUnfragmented(pd, ifp, dir, m);
    }
    const totLen = pd ? pd.totLen : pkt.length;
    // done: IP options are refused unless the rule says allow-opts (not in this pf.conf subset).
    if (res.action === 'pass' && pd?.ipOptions) {
      res = { ...res, action: 'drop', reason: this.reasonSet(PFRES.IPOPTIONS), log: true };
    }
    const di = dir === 'out' ? 1 : 0;
    let kc = this.ifCounters.get(ifp.name);
    if (!kc) this.ifCounters.set(ifp.name, (kc = { bytes: [0, 0], packets: [[0, 0], [0, 0]] }));
    kc.bytes[di] += totLen;
    kc.packets[di][res.action === 'pass' ? 0 : 1]++;
    if (res.log) {
      const lr = res.state?.natRule?.r.log === 'all' ? res.state.natRule : res.rule;
      pflogPacket(this, pkt, ifp, dir, res.action, res.reason, lr, m.pktId);
    }
    if (res.action === 'pass' || res.rule?.r.action === 'block') {
      const r = res.rule;
      if (r) {
        r.packets[di]++;
        r.bytes[di] += totLen;
      }
      const s = res.state;
      if (s) {
        if (s.natRule) {
          s.natRule.packets[di]++;
          s.natRule.bytes[di] += totLen;
        }
        const si = dir === s.direction ? 0 : 1;
        s.packets[si]++;
        s.bytes[si] += totLen;
      } else if (res.natRule) {
        res.natRule.packets[di]++;
        res.natRule.bytes[di] += totLen;
      }
    }
    this.trace(res.action, m.pktId, {
      dir, if: ifp.name, rule: res.rule ? res.rule.nr : -1, reason: PFRES_NAMES[res.reason] ?? String(res.reason), ...(res.state ? { state: res.state.id } : {}),
    });
    if (this.states.count > 0) this.armPurge();
    return res;
  }

  private testUnfragmented(pd: PfPdesc, ifp: Ifnet, dir: PfilDir, m: Mbuf): PfResult {
    const st =
      pd.proto === IPPROTO_TCP ? pfTestStateTcp(this, pd, dir)
      : pd.proto === IPPROTO_UDP ? pfTestStateUdp(this, pd, dir)
      : pd.proto === IPPROTO_ICMP ? pfTestStateIcmp(this, pd, dir)
      : pfTestStateOther(this, pd, dir);
    if (st.action === 'pass' && st.state) {
      const s = st.state;
      return { action: 'pass', reason: PFRES.MATCH, rule: s.rule, natRule: s.natRule, state: s, log: s.logAll };
    }
    if (st.state) return { action: 'drop', reason: st.reason, rule: st.state.rule, natRule: null, state: null, log: false };
    return pfTestRule(this, pd, ifp, dir, m);
  }

  /** DIOCSTART: EEXIST when running. */
  start(): number {
    if (this.running) return Errno.EEXIST;
    this.running = true;
    this.since = this.nowSec();
    this.trace('start', 0, { hostid: this.hostid });
    return 0;
  }

  /** DIOCSTOP: ENOENT when not running. */
  stop(): number {
    if (!this.running) return Errno.ENOENT;
    this.running = false;
    this.since = this.nowSec();
    this.trace('stop', 0, {});
    return 0;
  }

  /** DIOCCLRSTATUS. */
  clearStatus(): void {
    this.counters.fill(0);
    this.states.fcounters.searches = 0;
    this.states.fcounters.inserts = 0;
    this.states.fcounters.removals = 0;
    this.ifCounters.clear();
    this.since = this.nowSec();
  }

  /**
   * pf_purge_timeout: every `interval` seconds from pf_attach, all expired states go. The callout is armed only
   * while states exist (with none it has nothing to do, and an idle node keeps no pending pf event); it fires on
   * the same multiples of `interval` after attach as the free-running timeout would.
   */
  armPurge(): void {
    if (this.purgeArmed) return;
    this.purgeArmed = true;
    const now = this.s.env.now();
    const step = Math.max(1, this.timeouts.interval) * 1e9;
    if (this.nextPurge <= now) this.nextPurge += Math.ceil((now - this.nextPurge + 1) / step) * step;
    this.s.schedule(this.nextPurge - now, 'pf_purge_timeout', () => {
      this.purgeArmed = false;
      this.purgeTimeout();
    });
  }

  purgeTimeout(): void {
    const { checked, removed } = this.states.purge(this.timeouts, this.nowSec());
    this.charge(checked * PfCost.purgePerState + removed.length * PfCost.stateInsert);
    for (const s of removed) this.trace('state-expire', 0, { id: s.id });
    this.nextPurge += Math.max(1, this.timeouts.interval) * 1e9;
    if (this.states.count > 0) this.armPurge();
  }
}
