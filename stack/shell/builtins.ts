/**
 * Shell builtins. `waitfor`, `display_msg`, `reopen` and `procmgr_symlink` are the commands of QNX's boot
 * script interpreter (mkifs "Script files"); the rest are ksh builtins. `sleep` is both a builtin here (so a
 * boot script sleeping costs no spawn) and an external utility (utils/sleep.ts).
 */
import type { Co } from '../kernel/api';
import type { Shell } from './sh';

export type Builtin = (sh: Shell, argv: string[], out: (text: string) => void) => Co<number>;

/** waitfor defaults (QNX utilities reference, waitfor): 5.0 s, polled every 100 ms. */
export const WAITFOR_DEFAULT_S = 5;
export const WAITFOR_POLL_MS = 100;

/** stat() succeeds: a server owns the path, or procnto shows it as a directory of registered paths. */
function pathExists(sh: Shell, path: string): boolean {
  return sh.ctx.pathResolve(path) !== null || sh.ctx.pathList(path).length > 0;
}

/** Seconds as the QNX utilities take them ("1", "0.5", "2.5"); null if malformed. */
export function parseSeconds(s: string | undefined): number | null {
  if (s === undefined || !/^\d+(\.\d*)?$|^\.\d+$/.test(s)) return null;
  return Number(s);
}

const echo: Builtin = function* (sh, argv, out) {
  let args = argv.slice(1);
  let nl = true;
  if (args[0] === '-n') {
    nl = false;
    args = args.slice(1);
  }
  out(args.join(' ') + (nl ? '\n' : ''));
  yield* sh.ctx.work(0);
  return 0;
};

const displayMsg: Builtin = function* (sh, argv, out) {
  out(argv.slice(1).join(' ') + '\n');
  yield* sh.ctx.work(0);
  return 0;
};

const waitfor: Builtin = function* (sh, argv, out) {
  const path = argv[1];
  if (path === undefined) {
    out('waitfor: missing pathname\n');
    return 1;
  }
  const secs = argv[2] === undefined ? WAITFOR_DEFAULT_S : parseSeconds(argv[2]);
  const poll = argv[3] === undefined ? WAITFOR_POLL_MS : parseSeconds(argv[3]);
  if (secs === null || poll === null || poll <= 0) {
    out(`waitfor: invalid time '${argv[2]}${argv[3] ? ' ' + argv[3] : ''}'\n`);
    return 1;
  }
  const deadline = sh.ctx.now() + Math.round(secs * 1e9);
  for (;;) {
    if (pathExists(sh, path)) {
      yield* sh.ctx.work(0);
      return 0;
    }
    if (sh.ctx.now() >= deadline) break;
    yield* sh.ctx.sleep(Math.min(Math.round(poll * 1e6), Math.max(1, deadline - sh.ctx.now())));
  }
  out(`Unable to access ${path}\n`);
  return 1;
};

const sleep: Builtin = function* (sh, argv, out) {
  const s = parseSeconds(argv[1]);
  if (s === null) {
    out(`sleep: invalid time interval '${argv[1] ?? ''}'\n`);
    return 1;
  }
  yield* sh.ctx.sleep(Math.round(s * 1e9));
  return 0;
};

const cd: Builtin = function* (sh, argv, out) {
  const target = argv[1] ?? sh.vars.get('HOME') ?? '/';
  const abs = target.startsWith('/') ? target : `${sh.vars.get('PWD') ?? ''}/${target}`;
  if (!pathExists(sh, abs)) {
    out(`sh: cd: ${target}: No such file or directory\n`);
    return 1;
  }
  sh.setVar('PWD', abs);
  yield* sh.ctx.work(0);
  return 0;
};

function constant(status: number): Builtin {
  return function* (sh) {
    yield* sh.ctx.work(0);
    return status;
  };
}

const exit: Builtin = function* (sh, argv) {
  sh.exitRequested = true;
  const n = argv[1] === undefined ? sh.status : Number(argv[1]);
  yield* sh.ctx.work(0);
  return Number.isInteger(n) ? n & 0xff : 1;
};

const exportCmd: Builtin = function* (sh, argv) {
  for (const a of argv.slice(1)) {
    const eq = a.indexOf('=');
    if (eq > 0) sh.setVar(a.slice(0, eq), a.slice(eq + 1), true);
    else sh.exported.add(a);
  }
  yield* sh.ctx.work(0);
  return 0;
};

const unset: Builtin = function* (sh, argv) {
  for (const a of argv.slice(1)) {
    sh.vars.delete(a);
    sh.exported.delete(a);
  }
  yield* sh.ctx.work(0);
  return 0;
};

/** `set -a` / `set +a` (allexport); other options are accepted and ignored. */
const set: Builtin = function* (sh, argv) {
  for (const a of argv.slice(1)) {
    if (a === '-a') sh.allexport = true;
    if (a === '+a') sh.allexport = false;
  }
  yield* sh.ctx.work(0);
  return 0;
};

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['echo', echo],
  ['display_msg', displayMsg],
  ['waitfor', waitfor],
  ['sleep', sleep],
  ['cd', cd],
  ['true', constant(0)],
  [':', constant(0)],
  ['false', constant(1)],
  ['exit', exit],
  ['export', exportCmd],
  ['unset', unset],
  ['set', set],
  // Boot-script commands about consoles and shared objects: nothing to do without ttys or a loader.
  ['reopen', constant(0)],
  ['procmgr_symlink', constant(0)],
]);
