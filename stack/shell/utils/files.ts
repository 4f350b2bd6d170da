/** `ls` over the pathname space (procnto's synthesized directories of registered paths) and `sleep`. */
import type { ProgramMain, ThreadCtx } from '../../kernel/api';

const WIDTH = 80;

/** Names directly below `dir`, sorted as the C locale sorts them. */
function children(ctx: ThreadCtx, dir: string): string[] {
  const base = dir === '/' ? '' : dir.replace(/\/+$/, '');
  const names = new Set<string>();
  for (const p of ctx.pathList(dir)) {
    if (!p.startsWith(base + '/')) continue;
    const first = p.slice(base.length + 1).split('/')[0];
    if (first) names.add(first);
  }
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `ls -C` layout: columns down then across, as ls does on a terminal. */
export function columns(names: string[], width = WIDTH): string {
  if (names.length === 0) return '';
  const colw = Math.max(...names.map((n) => n.length)) + 2;
  const cols = Math.max(1, Math.floor(width / colw));
  const rows = Math.ceil(names.length / cols);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < cols; c++) {
      const n = names[c * rows + r];
      if (n !== undefined) line += n.padEnd(colw);
    }
    out.push(line.trimEnd());
  }
  return out.join('\n') + '\n';
}

export const ls: ProgramMain = function* (ctx, argv) {
  const one = argv.includes('-1');
  const paths = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (paths.length === 0) paths.push(ctx.env.PWD ?? '/');
  let status = 0;
  for (const p of paths) {
    const norm = '/' + p.split('/').filter((s) => s.length > 0).join('/');
    const kids = children(ctx, norm);
    const r = ctx.pathResolve(norm);
    if (kids.length === 0 && r && r.rest === '' && r.prefix === norm && norm !== '/') {
      const isDir = ctx.pathList(norm).length > 1;
      if (!isDir) {
        ctx.print(`${p}\n`);
        continue;
      }
    }
    if (kids.length === 0 && !r) {
      ctx.print(`ls: No such file or directory (${p})\n`);
      status = 1;
      continue;
    }
    if (paths.length > 1) ctx.print(`${p}:\n`);
    ctx.print(one ? kids.map((k) => k + '\n').join('') : columns(kids));
  }
  yield* ctx.work(10_000);
  return status;
};

export const sleep: ProgramMain = function* (ctx, argv) {
  const s = argv[1];
  if (s === undefined || !/^\d+(\.\d*)?$|^\.\d+$/.test(s)) {
    ctx.print(`sleep: invalid time interval '${s ?? ''}'\n`);
    return 1;
  }
  yield* ctx.sleep(Math.round(Number(s) * 1e9));
  return 0;
};
