/**
 * A parser for QNX mkifs buildfiles (the boot image description; QNX utilities reference, "mkifs").
 *
 *   # comment
 *   [virtual=x86,bios +compress] .bootstrap = {      attributes for one file, an inline file body
 *       startup-bios
 *       PATH=/proc/boot procnto-smp
 *   }
 *   [+script] .script = { … }                        the boot script (run by procnto, here by `sh`)
 *   [type=link] /tmp=/dev/shmem                       a symbolic link
 *   [perms=0755]                                      alone on a line: applies to every later file
 *   devnp-ne2000.so                                   a file, placed at /proc/boot/devnp-ne2000.so
 *   /usr/bin/ping=ping                                image path = host file
 *   /etc/hosts = { 127.0.0.1 localhost }               inline file
 *
 * Attributes are `+name`, `-name` or `name=value` (value may be "quoted"); `?` prefixes (conditional
 * attributes) are accepted. Inline bodies end at the matching `}`: braces nest (so `${VAR}` in a script is
 * fine) and `\}` escapes one. Errors carry file, line and column.
 */

export type AttrValue = string | boolean;
export type Attributes = Record<string, AttrValue>;

export interface BuildfileLine {
  text: string;
  line: number;
}

export interface BuildfileEntry {
  /** Path in the image ("/proc/boot/ping", "/etc/hosts", ".script"). */
  path: string;
  kind: 'file' | 'inline' | 'link' | 'dir';
  /** Host file (file), link target (link), or null. */
  source: string | null;
  /** Inline body, for inline files. */
  contents: BuildfileLine[] | null;
  attrs: Attributes;
  line: number;
  col: number;
}

export interface Buildfile {
  file: string;
  /** Attributes of the bootstrap file (virtual=…, +compress). */
  bootAttrs: Attributes;
  /** Non-blank lines of the bootstrap file (startup-*, the procnto line). */
  bootstrap: BuildfileLine[];
  /** Environment assignments on the procnto line of the bootstrap (PATH=…, LD_LIBRARY_PATH=…). */
  bootEnv: Record<string, string>;
  /** The kernel named on the bootstrap's last line ("procnto-smp"), or null. */
  kernel: string | null;
  /** The [+script] file's lines with their line numbers in the buildfile. */
  script: BuildfileLine[];
  /** Image paths of the files (not links, not the bootstrap or script). */
  files: string[];
  links: { path: string; target: string }[];
  entries: BuildfileEntry[];
}

export class BuildfileError extends Error {
  readonly problem: string;
  constructor(readonly file: string, readonly line: number, readonly col: number, problem: string) {
    // A quoted character or attribute may be a control character (a form feed, a NUL): shown escaped, so the
    // answer stays one line (found by fuzz/parser; the scenario loader's LocatedError does the same).
    const shown = problem.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/g, (c) =>
      c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    super(`${file}:${line}:${col}: ${shown}`);
    this.problem = shown;
    this.name = 'BuildfileError';
  }
}

const DEFAULT_PREFIX = 'proc/boot';

class Scanner {
  pos = 0;
  line = 1;
  col = 1;
  constructor(readonly text: string, readonly file: string) {}
  get eof(): boolean {
    return this.pos >= this.text.length;
  }
  peek(k = 0): string {
    return this.text[this.pos + k] ?? '';
  }
  next(): string {
    const c = this.text[this.pos++] ?? '';
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else this.col++;
    return c;
  }
  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === '\r') this.next();
  }
  /** At end of a logical line: newline, comment or end of file. */
  atEol(): boolean {
    const c = this.peek();
    return c === '' || c === '\n' || c === '#';
  }
  skipToEol(): void {
    while (!this.eof && this.peek() !== '\n') this.next();
  }
  error(problem: string, line = this.line, col = this.col): BuildfileError {
    return new BuildfileError(this.file, line, col, problem);
  }
}

/** Parse the inside of `[...]` (the scanner is past the `[`). */
function parseAttributes(s: Scanner, openLine: number, openCol: number): Attributes {
  const attrs: Attributes = {};
  for (;;) {
    s.skipBlanks();
    const c = s.peek();
    if (c === ']') {
      s.next();
      return attrs;
    }
    if (c === '' || c === '\n') throw s.error("unterminated attribute list: '[' has no matching ']'", openLine, openCol);
    const line = s.line;
    const col = s.col;
    let item = '';
    let quoted = false;
    while (!s.eof && !' \t\r\n]'.includes(s.peek())) {
      if (s.peek() === '"') {
        s.next();
        quoted = true;
        while (s.peek() !== '"') {
          if (s.eof || s.peek() === '\n') throw s.error('unterminated quoted attribute value', line, col);
          item += s.next();
        }
        s.next();
      } else item += s.next();
    }
    const body = item.startsWith('?') ? item.slice(1) : item;
    const bad = (): BuildfileError => s.error(`bad attribute '${item}': expected +name, -name or name=value`, line, col);
    if (body.startsWith('+') || body.startsWith('-')) {
      const name = body.slice(1);
      if (!/^[A-Za-z_][\w-]*$/.test(name) || quoted) throw bad();
      attrs[name] = body.startsWith('+');
    } else {
      const eq = body.indexOf('=');
      const name = eq > 0 ? body.slice(0, eq) : '';
      if (!/^[A-Za-z_][\w-]*$/.test(name) || (eq === body.length - 1 && !quoted)) throw bad();
      attrs[name] = body.slice(eq + 1);
    }
  }
}

/** A file name token: quoted, or up to blank, `=`, `{` or end of line. */
function parseName(s: Scanner, what: string): string {
  if (s.peek() === '"') {
    const line = s.line;
    const col = s.col;
    s.next();
    let v = '';
    while (s.peek() !== '"') {
      if (s.eof || s.peek() === '\n') throw s.error(`unterminated quoted ${what}`, line, col);
      v += s.next();
    }
    s.next();
    return v;
  }
  let v = '';
  while (!s.eof && !' \t\r\n={}#'.includes(s.peek())) v += s.next();
  return v;
}

/** An inline body (the scanner is past the `{`); braces nest, `\x` escapes x. */
function parseInline(s: Scanner, openLine: number, openCol: number): BuildfileLine[] {
  let depth = 1;
  let cur = '';
  let curLine = s.line;
  const lines: BuildfileLine[] = [];
  for (;;) {
    if (s.eof) throw s.error("unterminated inline file: '{' has no matching '}'", openLine, openCol);
    const c = s.next();
    if (c === '\\' && !s.eof && s.peek() !== '\n') {
      cur += s.next();
      continue;
    }
    if (c === '{') depth++;
    if (c === '}' && --depth === 0) break;
    if (c === '\n') {
      lines.push({ text: cur.replace(/\r$/, ''), line: curLine });
      cur = '';
      curLine = s.line;
      continue;
    }
    cur += c;
  }
  lines.push({ text: cur, line: curLine });
  if (lines.length > 0 && lines[0]!.text.trim() === '') lines.shift();
  if (lines.length > 0 && lines[lines.length - 1]!.text.trim() === '') lines.pop();
  return lines;
}

function imagePath(target: string, attrs: Attributes): string {
  if (target.startsWith('/') || target.startsWith('.')) return target;
  const prefix = typeof attrs.prefix === 'string' ? attrs.prefix : DEFAULT_PREFIX;
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p ? `/${p}/${target}` : `/${target}`;
}

export function parseBuildfile(text: string, fileName: string): Buildfile {
  const s = new Scanner(text, fileName);
  const global: Attributes = {};
  const entries: BuildfileEntry[] = [];
  while (!s.eof) {
    s.skipBlanks();
    if (s.peek() === '\n') {
      s.next();
      continue;
    }
    if (s.peek() === '#') {
      s.skipToEol();
      continue;
    }
    if (s.eof) break;
    const local: Attributes = {};
    while (s.peek() === '[') {
      const l = s.line;
      const c = s.col;
      s.next();
      Object.assign(local, parseAttributes(s, l, c));
      s.skipBlanks();
    }
    if (s.atEol()) {
      Object.assign(global, local);
      continue;
    }
    const line = s.line;
    const col = s.col;
    if (s.peek() === '{' || s.peek() === '=' || s.peek() === '}') throw s.error(`'${s.peek()}' unexpected: expected a file name`);
    const target = parseName(s, 'file name');
    const attrs: Attributes = { ...global, ...local };
    s.skipBlanks();
    let source: string | null = null;
    let contents: BuildfileLine[] | null = null;
    if (s.peek() === '=') {
      s.next();
      s.skipBlanks();
      if (s.peek() === '{') {
        const l = s.line;
        const c = s.col;
        s.next();
        contents = parseInline(s, l, c);
      } else {
        if (s.atEol()) throw s.error(`missing source after '${target}='`);
        source = parseName(s, 'source name');
      }
      s.skipBlanks();
    }
    if (!s.atEol()) throw s.error(`unexpected '${s.peek()}' after the file specification`);
    const type = typeof attrs.type === 'string' ? attrs.type : 'file';
    const kind: BuildfileEntry['kind'] = type === 'link' ? 'link' : type === 'dir' ? 'dir' : contents ? 'inline' : 'file';
    if (kind === 'link' && source === null) throw new BuildfileError(fileName, line, col, `link '${target}' needs a target: ${target}=/path`);
    entries.push({ path: kind === 'link' ? target : imagePath(target, attrs), kind, source, contents, attrs, line, col });
  }
  return assemble(entries, fileName);
}

function assemble(entries: BuildfileEntry[], fileName: string): Buildfile {
  let script: BuildfileEntry | null = null;
  let boot: BuildfileEntry | null = null;
  const files: string[] = [];
  const links: { path: string; target: string }[] = [];
  for (const e of entries) {
    if (e.attrs.script === true) {
      if (script) throw new BuildfileError(fileName, e.line, e.col, `a second script file (the first is at line ${script.line})`);
      if (!e.contents) throw new BuildfileError(fileName, e.line, e.col, 'the script file must be given inline: [+script] .script = { … }');
      script = e;
      continue;
    }
    if (e.attrs.virtual !== undefined || e.attrs.physical !== undefined) {
      if (boot) throw new BuildfileError(fileName, e.line, e.col, `a second bootstrap file (the first is at line ${boot.line})`);
      boot = e;
      continue;
    }
    if (e.kind === 'link') links.push({ path: e.path, target: e.source! });
    else files.push(e.path);
  }
  if (!script) throw new BuildfileError(fileName, 1, 1, 'no [+script] file in the buildfile: nothing would run after boot');
  const bootstrap = (boot?.contents ?? []).filter((l) => l.text.trim() !== '').map((l) => ({ text: l.text.trim(), line: l.line }));
  const bootEnv: Record<string, string> = {};
  let kernel: string | null = null;
  const last = bootstrap[bootstrap.length - 1];
  if (last && bootstrap.length > 1) {
    for (const w of last.text.split(/\s+/)) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(w);
      if (m) bootEnv[m[1]!] = m[2]!;
      else if (kernel === null) kernel = w;
    }
  }
  return {
    file: fileName,
    bootAttrs: boot?.attrs ?? {},
    bootstrap,
    bootEnv,
    kernel,
    script: script.contents!,
    files,
    links,
    entries,
  };
}
