/**
 * pf.conf's statements (parse.y `grammar`): macro definitions (`name = "value"`, adjacent strings joined by a
 * space), `set` options, `table <name> [persist] [const] { … }`, translation and filter rules; the sections that
 * this lsm-pf does not have (ALTQ queueing, anchors, binat) are refused by name
 * after the section-order check real pfctl would make. parsePfConf runs the whole file and returns what pfctl
 * would load plus every line it printed.
 */
import { PF_TIMEOUT_DEFAULTS, type PfTableAddr, type PfTimeoutName } from '../../include/net/pfvar';
import { xhost } from './grammar';
import { ifaExists, unmask } from './host';
import { ABORT, PFCTL_STATE, ParserCore, type ParseOptions, type PfConf } from './parser-core';
import { printTabledef } from './print';
import { antispoof, natrule, pfrule, scrubrule } from './rules';

/** `string: string STRING | STRING`. */
function stringList(p: ParserCore): string {
  let s = p.string();
  while (p.isString()) s += ` ${p.string()}`;
  return s;
}

function setTimeoutOption(p: ParserCore): void {
  const name = p.string();
  const secs = p.number();
  p.checkRulestate(PFCTL_STATE.OPTION);
  if (!(name in PF_TIMEOUT_DEFAULTS)) {
    if (['tcp.tsdiff', 'adaptive.start', 'adaptive.end', 'src.track'].includes(name)) p.unsupported(`timeout ${name}`);
    p.fail(`unknown timeout ${name}`);
  }
  p.conf.options.push({ kind: 'timeout', name: name as PfTimeoutName, seconds: secs });
  if (p.opts.verbose) p.print(`set timeout ${name} ${secs}\n`);
}

/**
 * pfctl_parser.c pf_hints: the TCP timeouts each `set optimization` sets (tcp.tsdiff, which lsm-pf's
 * interface lacks, left out).
 */
const PF_HINTS: Readonly<Record<string, readonly (readonly [PfTimeoutName, number])[]>> = (() => {
  const hint = (first: number, opening: number, est: number, closing: number, finwait: number, closed: number) =>
    [['tcp.first', first], ['tcp.opening', opening], ['tcp.established', est], ['tcp.closing', closing], ['tcp.finwait', finwait], ['tcp.closed', closed]] as const;
  const satellite = hint(3 * 60, 30 + 5, 24 * 60 * 60, 15 * 60 + 5, 45 + 5, 90 + 5);
  return {
    normal: hint(2 * 60, 30, 24 * 60 * 60, 15 * 60, 45, 90),
    satellite,
    'high-latency': satellite,
    conservative: hint(60 * 60, 15 * 60, 5 * 24 * 60 * 60, 60 * 60, 10 * 60, 3 * 90),
    aggressive: hint(30, 5, 5 * 60 * 60, 60, 30, 30),
  };
})();

/** option: SET … */
function option(p: ParserCore): void {
  if (p.acceptKw('timeout')) {
    if (p.acceptPunct('{')) {
      for (;;) {
        setTimeoutOption(p);
        p.comma();
        if (p.acceptPunct('}')) break;
      }
    } else setTimeoutOption(p);
  } else if (p.acceptKw('loginterface')) {
    const ifname = p.string();
    p.checkRulestate(PFCTL_STATE.OPTION);
    if (ifname !== 'none' && !ifaExists(ifname, p.opts.ifaces)) p.fail(`interface ${ifname} doesn't exist`);
    p.conf.options.push({ kind: 'loginterface', ifname: ifname === 'none' ? '' : ifname });
    if (p.opts.verbose) p.print(`set loginterface ${ifname}\n`);
  } else if (p.acceptKw('block-policy')) {
    const policy = p.acceptKw('drop') ? 'drop' : p.acceptKw('return') ? 'return' : p.syntax();
    if (p.opts.verbose) p.print(`set block-policy ${policy}\n`);
    p.checkRulestate(PFCTL_STATE.OPTION);
    p.blockpolicy = policy;
  } else if (p.acceptKw('require-order')) {
    const yes = p.acceptKw('no') ? false : p.string() === 'yes' ? true : p.abort();
    if (p.opts.verbose) p.print(`set require-order ${yes ? 'yes' : 'no'}\n`);
    p.requireOrder = yes;
  } else if (p.acceptKw('debug')) {
    const d = p.string();
    p.checkRulestate(PFCTL_STATE.OPTION);
    if (d !== 'none' && d !== 'urgent' && d !== 'misc' && d !== 'loud') {
      p.warn(`pfctl: unknown debug level "${d}"`);
      p.fail(`error setting debuglevel ${d}`);
    }
    p.conf.options.push({ kind: 'debug', level: d });
    if (p.opts.verbose) p.print(`set debug ${d}\n`);
  } else if (p.acceptKw('optimization')) {
    const name = p.string();
    p.checkRulestate(PFCTL_STATE.OPTION);
    const hint = PF_HINTS[name];
    if (!hint) {
      p.warn('pfctl: Bad hint name.');
      p.fail(`unknown optimization ${name}`);
    }
    for (const [t, secs] of hint) {
      p.conf.options.push({ kind: 'timeout', name: t, seconds: secs });
      if (p.opts.verbose) p.print(`set timeout ${t} ${secs}\n`);
    }
    if (p.opts.verbose) p.print(`set optimization ${name}\n`);
  } else {
    for (const k of ['limit', 'hostid', 'fingerprints', 'state-policy', 'skip']) if (p.isKw(k)) p.unsupported(`'set ${k}'`);
    p.syntax();
  }
}

/** tabledef: TABLE '<' STRING '>' table_opts. */
function tabledef(p: ParserCore): void {
  p.expectPunct('<');
  const name = p.string();
  p.expectPunct('>');
  let persist = false;
  let constant = false;
  let initAddr = false;
  const addrs: PfTableAddr[] = [];
  for (;;) {
    if (p.acceptPunct('{')) {
      initAddr = true;
      while (!p.acceptPunct('}')) {
        for (const h of xhost(p)) {
          const a = h.addr;
          if (a.type === 'dynif') p.fail('dynamic addresses are not permitted inside tables');
          if (a.type === 'table') p.fail('tables cannot contain tables');
          if (a.type === 'noroute') p.fail('"no-route" is not permitted inside tables');
          if (a.type === 'addrmask') addrs.push({ af: a.af, addr: a.addr, prefix: unmask(a.af, a.mask), neg: a.neg });
        }
        p.comma();
      }
    } else if (p.isKw('file')) p.unsupported("table 'file'");
    else if (p.isString()) {
      const o = p.string();
      if (o === 'const') constant = true;
      else if (o === 'persist') persist = true;
      else p.abort();
    } else break;
  }
  if (name.length >= 32) p.fail('table name too long, max 31 chars');
  if (p.opts.verbose) p.print(printTabledef(name, persist, constant, addrs, initAddr));
  p.conf.tables.push({ table: { name, persist, constant }, addrs });
  p.endOfLine();
}

/** The sections and rule kinds pfvar.ts has no ruleset or record for. */
const REFUSED: Readonly<Record<string, { state: number; what: string }>> = {
  altq: { state: PFCTL_STATE.QUEUE, what: 'queueing (altq: io-pkt has no ALTQ)' },
  queue: { state: PFCTL_STATE.QUEUE, what: 'queueing (queue: io-pkt has no ALTQ)' },
  binat: { state: PFCTL_STATE.NAT, what: "'binat'" },
  'nat-anchor': { state: PFCTL_STATE.NAT, what: 'anchors' },
  'rdr-anchor': { state: PFCTL_STATE.NAT, what: 'anchors' },
  'binat-anchor': { state: PFCTL_STATE.NAT, what: 'anchors' },
  anchor: { state: PFCTL_STATE.FILTER, what: 'anchors' },
  load: { state: PFCTL_STATE.NONE, what: "'load anchor'" },
};

function statement(p: ParserCore): void {
  const t = p.peek();
  if (t.t === 'nl') {
    p.next();
    return;
  }
  if (t.t !== 'str') p.syntax();
  if (p.isString()) {
    const name = p.string();
    p.expectPunct('=');
    const val = stringList(p);
    p.symset(name, val);
    p.endOfLine();
    return;
  }
  const kw = t.v;
  if (kw === 'set') {
    p.next();
    option(p);
    p.endOfLine();
  } else if (kw === 'table') {
    p.next();
    tabledef(p);
  } else if (kw === 'pass' || kw === 'block') pfrule(p);
  else if (kw === 'nat' || kw === 'rdr') natrule(p, false);
  else if (kw === 'antispoof') antispoof(p);
  else if (kw === 'scrub') scrubrule(p);
  else if (kw === 'no') {
    p.next();
    if (!p.isKw('nat') && !p.isKw('rdr')) {
      if (p.isKw('binat')) p.unsupported("'no binat'");
      p.syntax();
    }
    natrule(p, true);
  } else {
    const refused = REFUSED[kw];
    if (!refused) p.syntax();
    p.next();
    if (refused.state) p.checkRulestate(refused.state);
    p.unsupported(refused.what);
  }
}

/** parse_rules: the whole file. */
export function parsePfConf(text: string, opts: ParseOptions): PfConf {
  const p = new ParserCore(text, opts);
  for (;;) {
    if (p.peek().t === 'eof') break;
    try {
      statement(p);
    } catch (e) {
      if (e !== ABORT) throw e;
      p.recover();
    }
  }
  return p.conf;
}
