/**
 * pfioctl (pf_ioctl.c): the /dev/pf ioctls by name (pfvar.ts PfIoctl) with pfvar.h's semantics: DIOCSTART
 * EEXIST when running, DIOCSTOP ENOENT when stopped; rules by transaction and ticket (ruleset.ts); states
 * listed, cleared and killed; status and its counters; timeouts; tables (table.ts). Answers the reply record,
 * or an errno.
 */
import { Errno } from '../../kernel/api';
import {
  PF_AF_INET, PF_TIMEOUT_DEFAULTS, type PfAddrWrap, type PfIoctl, type PfRuleCounters, type PfStateHost, type PfStateInfo,
  type PfStatus, type PfTable, type PfTimeoutName,
} from '../../include/net/pfvar';
import { rd32, wr32 } from './cksum';
import type { Pf, PfDebug } from './pf';
import { PFRES_NAMES } from './reasons';
import { TCP_STATE_NAMES, UDP_STATE_NAMES, type PfHost, type PfState } from './state';

export type PfIoctlResult = number | Record<string, unknown>;

function host(h: PfHost): PfStateHost {
  const addr = new Uint8Array(4);
  wr32(addr, 0, h.addr);
  return { af: PF_AF_INET, addr, port: h.port };
}

function peerName(s: PfState, state: number): string {
  if (s.proto === 6) return TCP_STATE_NAMES[state] ?? String(state);
  if (s.proto === 1) return String(state);
  return UDP_STATE_NAMES[state] ?? String(state);
}

export function stateInfo(pf: Pf, s: PfState): PfStateInfo {
  const now = pf.nowSec();
  return {
    id: s.id, ifname: s.ifname, proto: s.proto, direction: s.direction, lan: host(s.lan), gwy: host(s.gwy), ext: host(s.ext),
    srcState: peerName(s, s.src.state), dstState: peerName(s, s.dst.state), age: now - s.creation,
    expire: Math.max(0, pf.states.expires(s, pf.timeouts, now) - now), packets: [...s.packets], bytes: [...s.bytes], rule: s.ruleNr,
  };
}

export function pfStatus(pf: Pf): PfStatus {
  const counters: Record<string, number> = {};
  PFRES_NAMES.forEach((n, i) => (counters[n] = pf.counters[i] ?? 0));
  return {
    running: pf.running, since: pf.running ? pf.nowSec() - pf.since : 0, debug: pf.debug, hostid: pf.hostid,
    states: pf.states.count, fcounters: { ...pf.states.fcounters }, counters, ifname: pf.loginterface,
    pcounters: pf.pcounters.map((x) => [...x]), bcounters: [...pf.bcounters],
  };
}

/** A kill-states address: a PfAddrWrap (addrmask or any) against an IPv4 number. */
function killMatch(w: unknown, a: number): boolean | null {
  if (w === undefined || w === null) return true;
  const x = w as PfAddrWrap;
  if (x.type === 'any') return !x.neg;
  if (x.type !== 'addrmask' || !(x.addr instanceof Uint8Array) || x.addr.length !== 4) return null;
  const mask = x.mask instanceof Uint8Array && x.mask.length === 4 ? rd32(x.mask, 0) : 0xffffffff;
  return (((a & mask) >>> 0) === ((rd32(x.addr, 0) & mask) >>> 0)) !== x.neg;
}

function isTimeout(n: unknown): n is PfTimeoutName {
  return typeof n === 'string' && n in PF_TIMEOUT_DEFAULTS;
}

const n = (v: { n: number } | number, key: string): PfIoctlResult => (typeof v === 'number' ? v : { [key]: v.n });

export function pfIoctl(pf: Pf, cmd: PfIoctl | string, d: Record<string, unknown>): PfIoctlResult {
  switch (cmd) {
    case 'DIOCSTART':
      return pf.start() || {};
    case 'DIOCSTOP':
      return pf.stop() || {};
    case 'DIOCGETSTATUS':
      return { ...pfStatus(pf) };
    case 'DIOCCLRSTATUS':
      pf.clearStatus();
      return {};
    case 'DIOCSETSTATUSIF': {
      // '' clears it; an interface that does not exist is EINVAL (ifunit).
      if (typeof d.ifname !== 'string' || d.ifname.length >= 16) return Errno.EINVAL;
      if (d.ifname !== '' && !pf.s.ifs.list.some((i) => i.name === d.ifname)) return Errno.EINVAL;
      pf.loginterface = d.ifname;
      return {};
    }
    case 'DIOCXBEGIN':
      return pf.rules.begin(d.rulesets) as PfIoctlResult;
    case 'DIOCADDRULE': {
      const r = pf.rules.add(d.ticket, d.ruleset, d.rule);
      if (r.err) pf.trace('bad-rule', 0, { why: r.why ?? 'stale ticket' });
      return r.err || {};
    }
    case 'DIOCXCOMMIT':
      return pf.rules.commit(d.ticket) || {};
    case 'DIOCXROLLBACK':
      return pf.rules.rollback(d.ticket) || {};
    case 'DIOCGETRULES':
      return pf.rules.getRules(d.ruleset) as PfIoctlResult;
    case 'DIOCGETRULE': {
      const k = pf.rules.getRule(d.ticket, d.ruleset, d.nr);
      if (typeof k === 'number') return k;
      const counters: PfRuleCounters = { nr: k.nr, evaluations: k.evaluations, packets: [...k.packets], bytes: [...k.bytes], states: k.states };
      return { rule: k.r, counters };
    }
    case 'DIOCGETSTATES':
      return { states: pf.states.all().map((s) => stateInfo(pf, s)) };
    case 'DIOCCLRSTATES': {
      const ifname = typeof d.ifname === 'string' && d.ifname !== '' ? d.ifname : null;
      return { killed: pf.states.removeIf((s) => ifname === null || s.ifname === ifname) };
    }
    case 'DIOCKILLSTATES': {
      // psk_src matches the state's source side: lan for an outbound state, ext for an inbound one.
      if (killMatch(d.src, 0) === null || killMatch(d.dst, 0) === null) return Errno.EINVAL;
      const proto = typeof d.proto === 'number' ? d.proto : 0;
      return {
        killed: pf.states.removeIf((s) => {
          const a = s.direction === 'out' ? s.lan : s.ext;
          const b = s.direction === 'out' ? s.ext : s.lan;
          return (proto === 0 || s.proto === proto) && killMatch(d.src, a.addr) === true && killMatch(d.dst, b.addr) === true;
        }),
      };
    }
    case 'DIOCSETTIMEOUT': {
      const sec = d.seconds;
      if (!isTimeout(d.name) || typeof sec !== 'number' || !Number.isInteger(sec) || sec < 0) return Errno.EINVAL;
      if (d.name === 'interval' && sec === 0) return Errno.EINVAL;
      const old = pf.timeouts[d.name];
      pf.timeouts[d.name] = sec;
      return { old };
    }
    case 'DIOCGETTIMEOUT':
      if (!isTimeout(d.name)) return Errno.EINVAL;
      return { seconds: pf.timeouts[d.name] };
    case 'DIOCSETDEBUG': {
      const lv = d.level;
      if (lv !== 'none' && lv !== 'urgent' && lv !== 'misc' && lv !== 'loud') return Errno.EINVAL;
      pf.debug = lv as PfDebug;
      return {};
    }
    case 'DIOCRADDTABLES':
      if (!Array.isArray(d.tables)) return Errno.EINVAL;
      return n(pf.tables.add(d.tables as PfTable[]), 'added');
    case 'DIOCRCLRTABLES':
      return { deleted: pf.tables.clear() };
    case 'DIOCRGETTABLES':
      return { tables: pf.tables.list() };
    case 'DIOCRSETADDRS':
      return pf.tables.set(d.table, d.addrs) as PfIoctlResult;
    case 'DIOCRADDADDRS':
      return n(pf.tables.addAddrs(d.table, d.addrs), 'added');
    case 'DIOCRDELADDRS':
      return n(pf.tables.delAddrs(d.table, d.addrs), 'deleted');
    case 'DIOCRGETADDRS': {
      const a = pf.tables.getAddrs(d.table);
      return typeof a === 'number' ? a : { addrs: a };
    }
    case 'DIOCRCLRADDRS':
      return n(pf.tables.clrAddrs(d.table), 'deleted');
    default:
      return Errno.ENOTTY;
  }
}
