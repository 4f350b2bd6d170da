/**
 * The node's console as an interactive shell sees it: one long-lived `sh` reading lines from the console
 * device, as QNX's /bin/sh does on /dev/con1 (devc-con) or /dev/ser1 (devc-ser8250) when a buildfile starts
 * `[+session] sh &` — so `cd`, variables and background jobs (`$!`) carry over from one line to the next.
 *
 * ConsoleTty is the device's input side in canonical mode (POSIX "Canonical Mode Input Processing"): what
 * the terminal types is handed over a line at a time, echoed (ECHO) onto the console, and an end of file
 * (Ctrl-D at the start of a line) makes read() return 0, which ends the shell. The shell prints its prompt,
 * PS1 (ksh's default for the superuser, who owns a QNX console: "# "), before each read.
 *
 * Simplification: a QNX shell blocks in read() on the console (REPLY-blocked on devc-con, woken by the
 * keyboard or UART interrupt); here the shell polls the line queue every TTY_POLL_NS of virtual time. The
 * terminal's input reaches the simulation only between slices of that length anyway (qnxemu console).
 */
import type { Co, ProgramMain, SpawnOptions, ThreadCtx } from '../kernel/api';
import { Shell } from './sh';

/** How often a shell waiting for console input looks again (virtual time). */
export const TTY_POLL_NS = 10_000_000;
/** ksh's PS1 for the superuser. */
export const ROOT_PS1 = '# ';
/** The program name the console shell is spawned under: a login shell's argv[0] ("-sh", as login(1) gives it). */
export const CONSOLE_SHELL = '-sh';

export class ConsoleTty {
  private readonly queued: string[] = [];
  private eof = false;
  private reading = false;
  /** Lines the shell has read so far. */
  read = 0;

  /** A line typed at the terminal (without its newline). */
  push(line: string): void {
    this.queued.push(line);
  }

  /** End of input (Ctrl-D): the shell's next read returns nothing and it exits. */
  close(): void {
    this.eof = true;
  }

  /** The shell is blocked reading (its prompt is the last thing on the console) and nothing is typed ahead. */
  get idle(): boolean {
    return this.reading && this.queued.length === 0;
  }

  /** Lines typed and not yet read. */
  get pending(): number {
    return this.queued.length;
  }

  /** read() of one line: the line, or null at end of file. Echoes it as the line discipline does. */
  *readLine(ctx: ThreadCtx): Co<string | null> {
    this.reading = true;
    while (this.queued.length === 0 && !this.eof) yield* ctx.sleep(TTY_POLL_NS);
    this.reading = false;
    const line = this.queued.shift();
    if (line === undefined) return null;
    this.read++;
    ctx.print(`${line}\n`);
    return line;
  }
}

/** The shell on the console: prompt, read a line, run it in the same Shell; ends at end of file or `exit`. */
export function consoleShell(tty: ConsoleTty): ProgramMain {
  return function* (ctx) {
    const sh = new Shell(ctx, 'console', false);
    for (;;) {
      // ksh expands parameters in PS1 each time it prints it.
      ctx.print((sh.vars.get('PS1') ?? ROOT_PS1).replace(/\$\{?([A-Za-z_]\w*|[?$!#])\}?/g, (_m, n: string) => sh.lookup(n)));
      const line = yield* tty.readLine(ctx);
      if (line === null) {
        ctx.print('\n');
        return sh.status;
      }
      yield* sh.runLines([{ text: line, line: tty.read, file: 'console' }]);
      if (sh.exitRequested) return sh.status;
    }
  };
}

/** What starting the console shell needs of a node's kernel (stack/kernel/kernel.ts). */
export interface ConsoleHost {
  readonly programs: Map<string, ProgramMain>;
  spawn(opts: SpawnOptions): number;
}

/**
 * Start the console's shell on a booted node (what `[+session] sh &` or a login on the console does) and
 * return its pid. Its output goes where the console's does.
 */
export function startConsoleShell(kernel: ConsoleHost, tty: ConsoleTty, env: Record<string, string>): number {
  kernel.programs.set(CONSOLE_SHELL, consoleShell(tty));
  return kernel.spawn({ argv: [CONSOLE_SHELL], env });
}
