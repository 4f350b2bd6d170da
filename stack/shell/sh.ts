/**
 * `sh`: the shell that runs a node's boot script (the buildfile's [+script] file, given in
 * SpawnOptions.script) or a command line (`sh -c 'cmd; cmd'`). It plays both the mkifs script interpreter
 * in procnto and a minimal ksh: every command is spawned as a process and waited for unless it ends in `&`.
 *
 * Differences from ksh worth knowing: no pipes or control flow; in boot-script mode every assignment is
 * exported (as procnto's script interpreter does for environment lines; `set -a` does the same in -c mode);
 * stdout and stderr are one stream; redirection to a file works where procnto lets anyone write (/dev/shmem
 * and links into it, kernel/files.ts) and is written when the command ends; other targets are refused.
 */
import { Errno, KernelError, SPAWN_SCRIPT_KEY, type Co, type ProgramMain, type ScriptLine, type ThreadCtx } from '../kernel/api';
import { expandFields, expandString } from './expand';
import { parseLine, ShellSyntaxError, type AndOr, type SimpleCommand } from './parse';
import { BUILTINS } from './builtins';

/** CPU the shell spends reading, parsing and expanding one command (ksh on a ~1 GHz x86). */
export const SHELL_COMMAND_NS = 20_000;

/** Where console-bound output of a command goes. */
const CONSOLE_PATHS = new Set(['/dev/console', '/dev/con1', '/dev/text', '/dev/tty']);

export class Shell {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  status = 0;
  lastBg = 0;
  allexport: boolean;
  exitRequested = false;
  private line = 0;

  constructor(readonly ctx: ThreadCtx, readonly file: string, bootScript: boolean) {
    this.allexport = bootScript;
    for (const [k, v] of Object.entries(ctx.env)) {
      this.vars.set(k, v);
      this.exported.add(k);
    }
  }

  lookup = (name: string): string => {
    switch (name) {
      case '?':
        return String(this.status);
      case '$':
        return String(this.ctx.pid);
      case '!':
        return this.lastBg ? String(this.lastBg) : '';
      case '#':
        return '0';
      case '0':
        return 'sh';
      default:
        return this.vars.get(name) ?? '';
    }
  };

  setVar(name: string, value: string, exportIt = false): void {
    this.vars.set(name, value);
    if (exportIt || this.allexport) this.exported.add(name);
  }

  envFor(extra: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const k of this.exported) {
      const v = this.vars.get(k);
      if (v !== undefined) env[k] = v;
    }
    return { ...env, ...extra };
  }

  /** Error message in ksh style, located when running a script. */
  error(msg: string): void {
    this.ctx.print(`sh: ${msg}\n`);
  }

  *runLines(lines: readonly ScriptLine[]): Co<number> {
    for (const l of lines) {
      this.line = l.line;
      let lists: AndOr[];
      try {
        lists = parseLine(l.text);
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        this.error(`${l.file ?? this.file}:${l.line}:${e.col}: syntax error: ${e.message}`);
        this.status = 2;
        continue;
      }
      for (const list of lists) {
        if (list.background) yield* this.background(list);
        else yield* this.andOr(list);
        if (this.exitRequested) return this.status;
      }
    }
    return this.status;
  }

  private *andOr(list: AndOr): Co<void> {
    this.status = yield* this.simple(list.first);
    for (const { op, cmd } of list.rest) {
      if (this.exitRequested) return;
      if ((op === '&&' && this.status !== 0) || (op === '||' && this.status === 0)) continue;
      this.status = yield* this.simple(cmd);
    }
  }

  /** `list &`: one external command is spawned directly; anything else runs in a subshell. */
  private *background(list: AndOr): Co<void> {
    this.ctx.charge(SHELL_COMMAND_NS);
    const cmd = list.first;
    const argv = cmd.words.flatMap((w) => expandFields(w, this.lookup));
    const name = argv[0];
    if (list.rest.length === 0 && name !== undefined && !BUILTINS.has(name) && cmd.redirects.length === 0) {
      const pid = this.spawn(cmd, argv);
      if (pid > 0) this.lastBg = pid;
      this.status = pid > 0 ? 0 : 127;
      return;
    }
    try {
      this.lastBg = this.ctx.spawn({ argv: ['sh', '-c', list.text], env: this.envFor({}) });
      this.status = 0;
    } catch (e) {
      this.error(`cannot execute - ${e instanceof Error ? e.message : String(e)}`);
      this.status = 127;
    }
    yield* this.ctx.work(0);
  }

  /** Scheduling attributes of a buildfile script command: pri=N[f|r]; the rest is accepted and ignored. */
  private priorityOf(attrs: string | null): number | undefined {
    if (!attrs) return undefined;
    const m = /(?:^|\s)pri=(\d+)[fro]?(?:\s|$)/.exec(attrs);
    return m ? Number(m[1]) : undefined;
  }

  /**
   * Resolve redirections to an output function (undefined: inherit), or null after an error. Output to a file
   * (procnto's /dev/shmem, or a link into it such as /tmp) is collected in `file` and written when the
   * command ends.
   */
  private output(cmd: SimpleCommand, file?: { path: string; append: boolean; text: string[] }): ((text: string) => void) | undefined | null {
    let out: ((text: string) => void) | undefined;
    for (const r of cmd.redirects) {
      if (r.op === '<' || r.fd === 2 || r.op === '>&') continue;
      const target = expandString(r.target, this.lookup);
      if (target === '/dev/null') out = () => undefined;
      else if (CONSOLE_PATHS.has(target)) out = undefined;
      else if (file && this.ctx.fileWrite) {
        file.path = target.startsWith('/') ? target : `${this.vars.get('PWD') ?? '/'}/${target}`;
        file.append = r.op === '>>';
        out = (t) => void file.text.push(t);
      } else {
        this.error(`${target}: cannot create`);
        return null;
      }
    }
    return out;
  }

  /** Write what a command sent to its redirected file (open O_CREAT|O_TRUNC or O_APPEND, write, close). */
  private *flushFile(file: { path: string; append: boolean; text: string[] }): Co<boolean> {
    if (!file.path || !this.ctx.fileWrite) return true;
    const e = yield* this.ctx.fileWrite(file.path, new TextEncoder().encode(file.text.join('')), file.append);
    if (e === 0) return true;
    this.error(`${file.path}: cannot create`);
    return false;
  }

  private spawn(cmd: SimpleCommand, argv: string[], stdout?: (text: string) => void): number {
    const env: Record<string, string> = {};
    for (const a of cmd.assigns) env[a.name] = expandString(a.value, this.lookup);
    try {
      const opts: Parameters<ThreadCtx['spawn']>[0] = { argv, env: this.envFor(env) };
      const prio = this.priorityOf(cmd.attrs);
      if (prio !== undefined) opts.priority = prio;
      if (stdout) opts.stdout = stdout;
      return this.ctx.spawn(opts);
    } catch (e) {
      if (e instanceof KernelError && e.errno === Errno.ENOENT) {
        this.error(`${argv[0]}: cannot execute - No such file or directory`);
        return -1;
      }
      throw e;
    }
  }

  private *simple(cmd: SimpleCommand): Co<number> {
    this.ctx.charge(SHELL_COMMAND_NS);
    const argv = cmd.words.flatMap((w) => expandFields(w, this.lookup));
    if (argv.length === 0) {
      for (const a of cmd.assigns) this.setVar(a.name, expandString(a.value, this.lookup));
      yield* this.ctx.work(0);
      return 0;
    }
    const file = { path: '', append: false, text: [] as string[] };
    const out = this.output(cmd, file);
    if (out === null) return 1;
    // An empty file is created (or truncated) even when the command prints nothing.
    const builtin = BUILTINS.get(argv[0]!);
    if (builtin) {
      const print = out ?? ((t: string) => this.ctx.print(t));
      const st = yield* builtin(this, argv, print);
      return (yield* this.flushFile(file)) ? st : 1;
    }
    const pid = this.spawn(cmd, argv, out);
    if (pid < 0) {
      yield* this.ctx.work(0);
      return 127;
    }
    const st = yield* this.ctx.waitpid(pid);
    return (yield* this.flushFile(file)) ? st : 1;
  }

  get currentLine(): number {
    return this.line;
  }
}

/** The `sh` program. */
export const sh: ProgramMain = function* (ctx, argv) {
  if (argv[1] === '-c') {
    const text = argv[2] ?? '';
    const lines = text.split('\n').map((t, i) => ({ text: t, line: i + 1, file: '-c' }));
    return yield* new Shell(ctx, '-c', false).runLines(lines);
  }
  const script = ctx.local.get(SPAWN_SCRIPT_KEY);
  if (script) return yield* new Shell(ctx, script[0]?.file ?? 'script', true).runLines(script);
  if (argv[1] !== undefined) {
    ctx.print(`sh: ${argv[1]}: cannot open - No such file or directory\n`);
    return 127;
  }
  return 0;
};
