/** `uname` and `hostname`, printing what a QNX 6.6.0 x86 PC reports. */
import type { ProgramMain } from '../../kernel/api';

/** Release and build stamp of QNX Neutrino 6.6.0 as `uname -rv` prints them. */
export const QNX_RELEASE = '6.6.0';
export const QNX_VERSION = '2014/02/22-18:29:33EST';
const MACHINE = 'x86pc';
const PROCESSOR = 'x86';

export const uname: ProgramMain = function* (ctx, argv) {
  const host = ctx.confstr('_CS_HOSTNAME') ?? 'localhost';
  const fields: Record<string, string> = { s: 'QNX', n: host, r: QNX_RELEASE, v: QNX_VERSION, m: MACHINE, p: PROCESSOR };
  const order = ['s', 'n', 'r', 'v', 'm', 'p'];
  const want = new Set<string>();
  for (const a of argv.slice(1)) {
    if (!/^-[snrvmpa]+$/.test(a)) {
      ctx.print(`uname: unknown option '${a}'\nusage: uname [-amnprsv]\n`);
      return 1;
    }
    for (const ch of a.slice(1)) {
      if (ch === 'a') order.forEach((o) => want.add(o));
      else want.add(ch);
    }
  }
  if (want.size === 0) want.add('s');
  ctx.print(order.filter((o) => want.has(o)).map((o) => fields[o]).join(' ') + '\n');
  yield* ctx.work(2_000);
  return 0;
};

export const hostname: ProgramMain = function* (ctx, argv) {
  const name = argv[1];
  if (name !== undefined) ctx.setconf('_CS_HOSTNAME', name);
  else ctx.print(`${ctx.confstr('_CS_HOSTNAME') ?? 'localhost'}\n`);
  yield* ctx.work(2_000);
  return 0;
};
