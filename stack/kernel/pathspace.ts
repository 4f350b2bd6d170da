/**
 * The pathname space procnto keeps: resource managers attach paths (resmgr_attach) and opens resolve to the
 * longest registered prefix on a component boundary. A path attached without `dir` matches only itself (a
 * file-type resmgr); with `dir` it also owns everything below it. When two servers attach the same path, the
 * later one is found first (QNX's default, without _RESMGR_FLAG_AFTER). Directories that exist only because
 * something is registered below them ("/dev" when "/dev/socket" is registered) are procnto's synthesized
 * directories: they stat fine (waitfor) and list (ls). Symbolic links (procmgr_symlink, buildfile
 * [type=link]) are followed during resolution.
 */
export interface PathEntry {
  readonly path: string;
  readonly pid: number;
  readonly chid: number;
  readonly dir: boolean;
  /** Symbolic link target (absolute), for links. */
  readonly link?: string;
}

export interface Resolved {
  pid: number;
  chid: number;
  /** The registered path that matched. */
  prefix: string;
  /** What is left after the prefix, without a leading slash ("" when the path is the prefix itself). */
  rest: string;
}

/** "/dev//socket/" → "/dev/socket"; relative paths are taken from the root. */
export function normalizePath(p: string): string {
  const parts = p.split('/').filter((s) => s.length > 0 && s !== '.');
  const out: string[] = [];
  for (const s of parts) {
    if (s === '..') out.pop();
    else out.push(s);
  }
  return '/' + out.join('/');
}

function under(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(prefix + '/');
}

const MAX_LINKS = 8;

export class PathSpace {
  private entries: PathEntry[] = [];

  attach(path: string, pid: number, chid: number, dir: boolean): void {
    this.entries.push({ path: normalizePath(path), pid, chid, dir });
  }

  symlink(path: string, target: string, pid = 1): void {
    this.entries.push({ path: normalizePath(path), pid, chid: 0, dir: true, link: normalizePath(target) });
  }

  detach(path: string, pid: number): void {
    const p = normalizePath(path);
    this.entries = this.entries.filter((e) => !(e.path === p && e.pid === pid));
  }

  /** Remove everything a process registered. */
  detachAll(pid: number): void {
    this.entries = this.entries.filter((e) => e.pid !== pid || e.link !== undefined);
  }

  resolve(path: string): Resolved | null {
    let p = normalizePath(path);
    for (let hops = 0; hops <= MAX_LINKS; hops++) {
      let best: PathEntry | null = null;
      for (const e of this.entries) {
        const ok = e.dir ? under(p, e.path) : p === e.path;
        // Longest prefix wins; among equals the later attach (>=, iterating in attach order).
        if (ok && (!best || e.path.length >= best.path.length)) best = e;
      }
      if (!best) return null;
      const rest = p === best.path ? '' : p.slice(best.path === '/' ? 1 : best.path.length + 1);
      if (best.link === undefined) return { pid: best.pid, chid: best.chid, prefix: best.path, rest };
      p = normalizePath(best.link + '/' + rest);
    }
    return null;
  }

  /** Registered paths equal to or below `prefix` (attach order; links included). */
  list(prefix: string): string[] {
    const p = normalizePath(prefix);
    const out: string[] = [];
    for (const e of this.entries) if (under(e.path, p) && !out.includes(e.path)) out.push(e.path);
    return out;
  }

  /** stat() would succeed: a server owns the path, or something is registered below it. */
  exists(path: string): boolean {
    if (this.resolve(path)) return true;
    const p = normalizePath(path);
    if (p === '/') return true;
    return this.entries.some((e) => e.path.startsWith(p + '/'));
  }

  all(): readonly PathEntry[] {
    return this.entries;
  }
}
