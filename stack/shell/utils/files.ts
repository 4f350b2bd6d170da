/**
 * `ls` through the C library's pathname calls (lib/connect.ts): open each operand (procnto answers for its own
 * files and synthesized directories, redirects to the server that owns a path, and across /net to another
 * node), fstat it, and for a directory read its `struct dirent` records (_IO_READ) and print the names sorted
 * as the C locale sorts them, in columns (`-C`, the terminal default) or one per line (`-1`). A non-directory
 * prints its operand. A server that does not answer _IO_STAT is taken as a file. And `sleep`.
 */
import type { ProgramMain } from '../../kernel/api';
import { close, fstat, isDir, open, pathStrerror, readdir } from '../../lib/connect';
import { errno } from '../../lib/socket';

const WIDTH = 80;

/** C-locale (byte) order. */
function cSort(names: string[]): string[] {
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
    const fd = yield* open(ctx, p);
    if (fd < 0) {
      ctx.print(`ls: ${pathStrerror(errno(ctx))} (${p})\n`);
      status = 1;
      continue;
    }
    const st = yield* fstat(ctx, fd);
    if (!st || !isDir(st)) {
      yield* close(ctx, fd);
      ctx.print(`${p}\n`);
      continue;
    }
    const names = yield* readdir(ctx, fd);
    const e = errno(ctx);
    yield* close(ctx, fd);
    if (!names) {
      ctx.print(`ls: ${pathStrerror(e)} (${p})\n`);
      status = 1;
      continue;
    }
    const kids = cSort(names.filter((n) => n !== '.' && n !== '..'));
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
