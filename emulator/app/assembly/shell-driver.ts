import type { ComponentContext } from '../../machine/sim/context';
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import type { Time } from '../../machine/sim/time';

/**
 * A guest's serial console as the simulation sees it: the byte stream is cut into lines for the node's
 * console (carriage returns and terminal control sequences such as busybox's ESC[6n cursor query removed),
 * and commands are typed at the shell one at a time, each when the prompt is showing.
 *
 * Everything here happens inside events (serial output arrives during CPU quanta; typing is an event), so a
 * replay of the guest's log reproduces it exactly.
 */
export interface ShellSink {
  /** A complete console line (without newline). */
  line(text: string): void;
  /** Raw bytes as the guest sent them (the interactive console shows these). */
  raw?(text: string): void;
}

/** Delay between the prompt appearing and the next command being typed (a fast typist's reaction). */
export const TYPE_DELAY_NS: Time = 1_000_000;

const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

export class ShellDriver {
  private partial = '';
  private readonly pending: string[] = [];
  private readonly typeEv: SimEvent;
  private sawPrompt = false;
  /** A command was typed and its line has not come back complete yet. */
  private busy = false;
  /** Lines typed so far (commands from the scenario and from `run`). */
  typed = 0;
  /** Text of every complete line, in order (tests read this; the node's console gets the same lines). */
  readonly lines: string[] = [];
  /** Someone outside the scenario queued a command (a snapshot could not replay it). */
  external = false;
  /**
   * Told when a command is typed (at the queue's time, before it goes to the serial port) and when the prompt shows
   * for the first time (at the output's time): a guest in a worker thread reports both to the main thread, whose
   * stand-in of this shell answers scenario actions and counter reads from them (guest-worker.ts, guest-workers.ts).
   */
  watch: ((what: 'typed' | 'prompt' | 'idle', t: Time) => void) | null = null;
  /** `idle` was reported since the last command typed (reported once per time the shell becomes idle). */
  private idleSaid = false;

  constructor(
    private readonly ctx: ComponentContext,
    readonly prompt: string,
    private readonly sink: ShellSink,
    private readonly send: (text: string) => void,
    commands: readonly string[] = [],
    /** The time the guest's output is at (a guest's CPU runs ahead of the queue: guest-node.ts); default the queue's. */
    private readonly clock: { readonly now: Time } = ctx.queue,
  ) {
    this.pending.push(...commands);
    this.typeEv = new SimEvent(`${ctx.name}.type`, () => this.typeNext(), Priority.Scenario);
  }

  /** Serial output from the guest. */
  output(text: string): void {
    this.sink.raw?.(text);
    let s = this.partial + text.replace(/\r/g, '');
    let nl: number;
    while ((nl = s.indexOf('\n')) >= 0) {
      const line = s.slice(0, nl).replace(CSI, '');
      s = s.slice(nl + 1);
      this.lines.push(line);
      this.sink.line(line);
      this.busy = false;
    }
    this.partial = s;
    if (!this.busy && this.atPrompt) {
      if (!this.sawPrompt) {
        this.sawPrompt = true;
        this.watch?.('prompt', this.clock.now);
      }
      if (this.pending.length > 0 && !this.typeEv.scheduled) this.ctx.queue.schedule(this.typeEv, this.clock.now + TYPE_DELAY_NS);
    }
    if (this.watch && !this.idleSaid && this.idle) {
      this.idleSaid = true;
      this.watch('idle', this.clock.now);
    }
  }

  /** The prompt is the last thing on the console and nothing is queued: the guest is waiting for input. */
  get idle(): boolean {
    return !this.busy && this.atPrompt && this.pending.length === 0 && !this.typeEv.scheduled;
  }

  /** Commands queued and not yet typed. */
  get waiting(): number {
    return this.pending.length;
  }

  /** The shell has shown its prompt at least once (the guest finished booting). */
  get ready(): boolean {
    return this.sawPrompt;
  }

  get atPrompt(): boolean {
    return this.partial.replace(CSI, '').endsWith(this.prompt);
  }

  /** The unfinished last line (the prompt, usually), control sequences removed. */
  get currentLine(): string {
    return this.partial.replace(CSI, '');
  }

  /**
   * Queue a command from outside the scenario (tests, `qnxemu console`): typed when the prompt shows. Marks
   * the run as not replayable from its log.
   */
  run(command: string): void {
    this.external = true;
    this.queue(command);
  }

  /**
   * Queue a command on behalf of the scenario (its timed `actions:`, counter reads of `expect:`), typed when
   * the prompt shows, after what is already queued. Called from events, so a replay of the guest's log
   * reproduces it: unlike `run`, the run stays replayable (snapshots, the debugger).
   */
  queue(command: string): void {
    this.pending.push(command);
    if (!this.busy && this.atPrompt && !this.typeEv.scheduled) this.ctx.queue.scheduleIn(this.typeEv, TYPE_DELAY_NS);
  }

  /** Type raw text now (interactive console: the user's line, as entered). */
  typeRaw(text: string): void {
    this.external = true;
    this.send(text);
  }

  private typeNext(): void {
    const cmd = this.pending.shift();
    if (cmd === undefined) return;
    this.typed++;
    this.idleSaid = false;
    this.watch?.('typed', this.ctx.queue.now);
    this.busy = true;
    // The prompt line is complete once the command is on it: busybox echoes what is typed.
    this.send(cmd + '\n');
  }
}
