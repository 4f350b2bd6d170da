/**
 * `qnxemu console` on a simulated QNX node: the terminal attached to the node's console through one
 * long-lived shell (stack/shell/console-tty.ts), started once the node has booted — its boot script has
 * finished, as a buildfile's `[+session] sh &` would come last.
 *
 * The node's console is shown as a terminal shows it: whole lines as they come, and the unfinished line —
 * the shell's prompt — as soon as the shell waits for input. On a terminal the person's line is already on
 * the screen (the terminal echoes it), so the node's echo of it is not printed a second time.
 *
 * Outside the simulated world: this file talks to the terminal; it hands lines to the node's console device
 * only between slices of simulation.
 */
import type { SimNode } from '../assembly/node';
import { ConsoleTty, startConsoleShell } from '../../../stack/shell/console-tty';

/** Environment of the console shell (what procnto's PATH line gives a buildfile's processes). */
const SHELL_ENV = { PATH: '/proc/boot:/bin:/usr/bin', HOME: '/' };

export class QnxConsole {
  readonly tty = new ConsoleTty();
  /** The kernel the console shell runs on (a power-cycle fault boots a new one: the shell is started again there). */
  private on: SimNode['kernel'] = null;
  /** Part of the unfinished console line already written to the terminal. */
  private shown = '';
  /** A line typed on the terminal whose echo is already on the screen. */
  private echoed: string | null = null;
  private looked = '';

  constructor(
    private readonly node: SimNode,
    private readonly out: (text: string) => void,
    /** Lines come from a terminal that echoes them itself. */
    private readonly localEcho: boolean,
  ) {}

  /**
   * The node booted (its boot script ended) and the console shell runs. Starts it the first time it can, and
   * again on the node's new kernel after a power-cycle (docs/faults.md); lines typed meanwhile wait.
   */
  up(): boolean {
    const k = this.node.kernel;
    if (k !== null && k === this.on) return true;
    if (!k || k.processes.some((p) => p.name === 'sh' && p.argv.length === 1)) return false;
    startConsoleShell(k, this.tty, SHELL_ENV);
    this.on = k;
    return true;
  }

  /** The shell waits at its prompt with nothing typed ahead: the last line has been run. */
  get idle(): boolean {
    return this.on !== null && this.on === this.node.kernel && this.tty.idle;
  }

  /**
   * The node's kernel crashed (docs/faults.md): no thread runs there again, so a line typed now would wait for
   * ever. The one line that says so (a hang or a power-off ends: their lines wait).
   */
  gone(): string | null {
    const h = this.node.kernel?.halt;
    return h?.kind === 'crashed' ? `${this.node.name} has crashed at ${(h.since / 1e9).toFixed(3)} s; nothing runs there` : null;
  }

  /** Lines typed so far. */
  typed = 0;

  /** Type one line (call when idle). */
  type(line: string): void {
    this.typed++;
    if (this.localEcho) this.echoed = line;
    this.tty.push(line);
  }

  /** A whole line of the node's console. */
  line(text: string): void {
    if (this.echoed !== null && text === this.shown + this.echoed) {
      this.echoed = null;
      this.shown = '';
      return;
    }
    this.out(`${text.startsWith(this.shown) ? text.slice(this.shown.length) : `\n${text}`}\n`);
    this.shown = '';
  }

  /** Another node printed a line: the unfinished line (a prompt) is left where it was. */
  interrupted(): void {
    if (this.shown !== '') this.out('\n');
    this.shown = '';
  }

  /** Between slices: when the shell waits for input, show its prompt (the console's unfinished line). */
  showPrompt(): void {
    if (!this.idle) return;
    // The console's text is rebuilt only when something was printed or read since the last look.
    const key = `${this.node.console.lines.length}:${this.tty.read}`;
    if (key === this.looked) return;
    this.looked = key;
    const text = this.node.console.text();
    const partial = text.slice(text.lastIndexOf('\n') + 1);
    if (partial.length > this.shown.length && partial.startsWith(this.shown)) {
      this.out(partial.slice(this.shown.length));
      this.shown = partial;
    }
  }

  /** At the end: a prompt left on the screen gets its newline. */
  finish(): void {
    this.interrupted();
  }
}
