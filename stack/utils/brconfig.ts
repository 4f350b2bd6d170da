/**
 * brconfig(8) (NetBSD sbin/brconfig/brconfig.c 1.11, the bridge utility of QNX's hc stacks): `brconfig -a`,
 * `brconfig bridgeN` (status), and `brconfig bridgeN command …` with commands taken left to right from
 * command_table; add/delete/addr/maxaddr/timeout/static/deladdr/flush/flushall/discover/-discover/learn/-learn/
 * stp/-stp/ipf/-ipf/priority/hellotime/fwddelay/maxage/ifpriority/ifpathcost/up/down. Each reaches io-pkt as a
 * BRDG* command through SIOCSDRVSPEC/SIOCGDRVSPEC; up/down change a copy of the flags that is written back
 * (SIOCSIFFLAGS) only after every command succeeded. Messages and exit status are brconfig's: `brconfig: add
 * en9: No such file or directory`, `brconfig: unknown command: x`, `brconfig: command add requires 1 argument`,
 * `brconfig: maxaddr: invalid value: x`, `brconfig: bridge9 is not a bridge`.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { close, ioctl } from '../lib/socket';
import { IFF_UP } from '../net/if';
import type { IfInfo } from '../io-pkt/ioctl';
import { parseMac } from '../net/wire/addr';
import { ioctlSocket } from './common';
import { BrconfigExit, doCmd, err, errx, showAddresses, status } from './brconfig-status';
import {
  IFBAF_STATIC, IFBF_FILT_USEIPF, IFBF_FLUSHALL, IFBF_FLUSHDYN, IFBIF_DISCOVER, IFBIF_LEARNING, IFBIF_STP, newIfbReq, type BrdgCmd,
} from '../include/net/if_bridgevar';

interface Run {
  ctx: ThreadCtx;
  s: number;
  bridge: string;
  /** g_ifr: the bridge's flags, written back when `updated`. */
  flags: number;
  updated: boolean;
}

interface Command {
  readonly keyword: string;
  readonly argc: number;
  /** CMD_INVERT: the `-` form. */
  readonly invert: boolean;
  readonly fn: (r: Run, c: Command, argv: string[]) => Co<void>;
}

const USAGE = [
  '-a', '<bridge>', '<bridge> up|down', '<bridge> addr', '<bridge> add <interface>', '<bridge> delete <interface>',
  '<bridge> maxaddr <size>', '<bridge> timeout <time>', '<bridge> static <interface> <address>', '<bridge> deladdr <address>',
  '<bridge> flush', '<bridge> flushall', '<bridge> ipf|-ipf', '<bridge> discover|-discover <interface>',
  '<bridge> learn|-learn <interface>', '<bridge> stp|-stp <interface>', '<bridge> maxage <time>', '<bridge> fwddelay <time>',
  '<bridge> hellotime <time>', '<bridge> priority <value>', '<bridge> ifpriority <interface> <value>',
  '<bridge> ifpathcost <interface> <value>',
];

function usage(ctx: ThreadCtx): never {
  ctx.print(USAGE.map((u, i) => `${i === 0 ? 'usage:' : '      '} brconfig ${u}\n`).join(''));
  throw new BrconfigExit(1);
}

/** is_bridge: "bridge" followed by a digit. */
function isBridge(name: string): boolean {
  return /^bridge\d/.test(name);
}

/** get_val: strtoul(cp, &end, 0) on a 32-bit unsigned long (QNX x86); null for junk or ERANGE. */
export function getVal(cp: string): number | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(cp);
  if (!m) return null;
  const body = m[2]!;
  const v = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : parseInt(body, 10);
  if (v > 0xffffffff) return null;
  return m[1] === '-' ? (0x100000000 - v) % 0x100000000 : v;
}

function* set(r: Run, cmd: BrdgCmd, arg: Record<string, unknown>, what: string): Co<void> {
  if (!(yield* doCmd(r.ctx, r.s, r.bridge, cmd, arg, true))) err(r.ctx, what);
}

/** A bounded value argument (cmd_maxaddr & co): `keyword: invalid value: x` when it does not fit `mask`. */
function value(r: Run, c: Command, text: string, mask: number): number {
  const v = getVal(text);
  if (v === null || (v & ~mask) !== 0) errx(r.ctx, `${c.keyword}: invalid value: ${text}`);
  return v;
}

/** do_bridgeflag: BRDGGIFFLGS, change one bit, BRDGSIFFLGS. */
function* bridgeFlag(r: Run, c: Command, ifs: string, flag: number): Co<void> {
  const req = yield* doCmd(r.ctx, r.s, r.bridge, 'BRDGGIFFLGS', newIfbReq(ifs) as unknown as Record<string, unknown>, false);
  if (!req) err(r.ctx, 'unable to get bridge flags');
  const flags = c.invert ? (req.ifbr_ifsflags as number) & ~flag : (req.ifbr_ifsflags as number) | flag;
  if (!(yield* doCmd(r.ctx, r.s, r.bridge, 'BRDGSIFFLGS', { ...req, ifbr_ifsflags: flags }, true))) err(r.ctx, 'unable to set bridge flags');
}

function* param(r: Run, c: Command, argv: string[], cmd: BrdgCmd, mask: number): Co<void> {
  yield* set(r, cmd, { value: value(r, c, argv[0]!, mask) }, `${c.keyword} ${argv[0]}`);
}

function* address(r: Run, c: Command, text: string): Co<Uint8Array> {
  const ea = parseMac(text);
  if (!ea || text.includes('-')) errx(r.ctx, `${c.keyword}: invalid address: ${text}`);
  return ea;
}

const C = (keyword: string, argc: number, fn: Command['fn'], invert = false): Command => ({ keyword, argc, fn, invert });

/** command_table. */
const COMMANDS: readonly Command[] = [
  C('add', 1, function* (r, c, a) {
    yield* set(r, 'BRDGADD', newIfbReq(a[0]) as unknown as Record<string, unknown>, `${c.keyword} ${a[0]}`);
  }),
  C('delete', 1, function* (r, c, a) {
    yield* set(r, 'BRDGDEL', newIfbReq(a[0]) as unknown as Record<string, unknown>, `${c.keyword} ${a[0]}`);
  }),
  C('up', 0, function* (r) {
    r.flags |= IFF_UP;
    r.updated = true;
  }),
  C('down', 0, function* (r) {
    r.flags &= ~IFF_UP;
    r.updated = true;
  }),
  C('discover', 1, (r, c, a) => bridgeFlag(r, c, a[0]!, IFBIF_DISCOVER)),
  C('-discover', 1, (r, c, a) => bridgeFlag(r, c, a[0]!, IFBIF_DISCOVER), true),
  C('learn', 1, (r, c, a) => bridgeFlag(r, c, a[0]!, IFBIF_LEARNING)),
  C('-learn', 1, (r, c, a) => bridgeFlag(r, c, a[0]!, IFBIF_LEARNING), true),
  C('flush', 0, function* (r, c) {
    yield* set(r, 'BRDGFLUSH', { ...newIfbReq(), ifbr_ifsflags: IFBF_FLUSHDYN }, c.keyword);
  }),
  C('flushall', 0, function* (r, c) {
    yield* set(r, 'BRDGFLUSH', { ...newIfbReq(), ifbr_ifsflags: IFBF_FLUSHALL }, c.keyword);
  }),
  C('static', 2, function* (r, c, a) {
    const ea = yield* address(r, c, a[1]!);
    yield* set(r, 'BRDGSADDR', { ifba_ifsname: a[0], ifba_expire: 0, ifba_flags: IFBAF_STATIC, ifba_dst: ea }, `${c.keyword} ${a[0]} ${a[1]}`);
  }),
  C('deladdr', 1, function* (r, c, a) {
    const ea = yield* address(r, c, a[0]!);
    yield* set(r, 'BRDGDADDR', { ifba_ifsname: '', ifba_expire: 0, ifba_flags: 0, ifba_dst: ea }, `${c.keyword} ${a[0]}`);
  }),
  C('addr', 0, function* (r) {
    r.ctx.print(yield* showAddresses(r.ctx, r.s, r.bridge, '\t'));
  }),
  C('maxaddr', 1, (r, c, a) => param(r, c, a, 'BRDGSCACHE', 0xffffffff)),
  C('hellotime', 1, (r, c, a) => param(r, c, a, 'BRDGSHT', 0xff)),
  C('fwddelay', 1, (r, c, a) => param(r, c, a, 'BRDGSFD', 0xff)),
  C('maxage', 1, (r, c, a) => param(r, c, a, 'BRDGSMA', 0xff)),
  C('priority', 1, (r, c, a) => param(r, c, a, 'BRDGSPRI', 0xffff)),
  C('ifpriority', 2, function* (r, c, a) {
    const v = value(r, c, a[1]!, 0xff);
    yield* set(r, 'BRDGSIFPRIO', { ...newIfbReq(a[0]), ifbr_priority: v }, `${c.keyword} ${a[0]}`);
  }),
  C('ifpathcost', 2, function* (r, c, a) {
    const v = value(r, c, a[1]!, 0xff);
    yield* set(r, 'BRDGSIFCOST', { ...newIfbReq(a[0]), ifbr_path_cost: v & 0xffff }, `${c.keyword} ${a[0]}`);
  }),
  C('timeout', 1, (r, c, a) => param(r, c, a, 'BRDGSTO', 0xffffffff)),
  C('stp', 1, (r, c, a) => bridgeFlag(r, c, a[0]!, IFBIF_STP)),
  C('-stp', 1, (r, c, a) => bridgeFlag(r, c, a[0]!, IFBIF_STP), true),
  C('ipf', 0, ipf),
  C('-ipf', 0, ipf, true),
];

/** cmd_ipf: BRDGGFILT, the USEIPF bit, BRDGSFILT. */
function* ipf(r: Run, c: Command): Co<void> {
  const p = yield* doCmd(r.ctx, r.s, r.bridge, 'BRDGGFILT', { value: 0 }, false);
  if (!p) err(r.ctx, c.keyword);
  const v = ((p.value as number) & ~IFBF_FILT_USEIPF) | (c.invert ? 0 : IFBF_FILT_USEIPF);
  if (!(yield* doCmd(r.ctx, r.s, r.bridge, 'BRDGSFILT', { value: v }, true))) err(r.ctx, `${c.keyword} ${v.toString(16)}`);
}

export const brconfig: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  let args = argv.slice(1);
  if (args.length === 0) return exitOf(() => usage(ctx));
  const s = yield* ioctlSocket(ctx, 'brconfig');
  if (s < 0) return 1;
  try {
    let aflag = false;
    // getopt("a"), stopping at the first non-option.
    while (args[0] && args[0].startsWith('-') && args[0] !== '-') {
      if (args[0] === '--') {
        args = args.slice(1);
        break;
      }
      for (const ch of args[0].slice(1)) {
        if (ch !== 'a') {
          ctx.print(`brconfig: unknown option -- ${ch}\n`);
          usage(ctx);
        }
        aflag = true;
      }
      args = args.slice(1);
    }
    if (aflag) {
      if (args.length !== 0) usage(ctx);
      const r = yield* ioctl(ctx, s, 'SIOCGIFCONF', {});
      if (!r) err(ctx, 'getifaddrs');
      for (const i of (r.data as { ifs: IfInfo[] }).ifs) if (isBridge(i.name)) ctx.print(yield* status(ctx, s, i.name));
      return 0;
    }
    if (args.length === 0) usage(ctx);
    const bridge = args[0]!;
    if (!isBridge(bridge)) errx(ctx, `${bridge} is not a bridge`);
    const f = yield* ioctl(ctx, s, 'SIOCGIFFLAGS', { name: bridge });
    if (!f) err(ctx, 'unable to get interface flags');
    args = args.slice(1);
    if (args.length === 0) {
      ctx.print(yield* status(ctx, s, bridge));
      return 0;
    }
    const run: Run = { ctx, s, bridge, flags: (f.data as { flags: number }).flags, updated: false };
    while (args.length > 0) {
      const cmd = COMMANDS.find((c) => c.keyword === args[0]);
      if (!cmd) errx(ctx, `unknown command: ${args[0]}`);
      args = args.slice(1);
      if (args.length < cmd.argc) errx(ctx, `command ${cmd.keyword} requires ${cmd.argc} argument${cmd.argc === 1 ? '' : 's'}`);
      yield* cmd.fn(run, cmd, args);
      args = args.slice(cmd.argc);
    }
    if (run.updated && !(yield* ioctl(ctx, s, 'SIOCSIFFLAGS', { name: bridge, flags: run.flags }))) err(ctx, 'unable to set interface flags');
    return 0;
  } catch (e) {
    if (e instanceof BrconfigExit) return e.status;
    throw e;
  } finally {
    yield* close(ctx, s);
  }
};

function exitOf(fn: () => void): number {
  try {
    fn();
    return 0;
  } catch (e) {
    if (e instanceof BrconfigExit) return e.status;
    throw e;
  }
}
