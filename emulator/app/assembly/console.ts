import type { Tracer } from '../../machine/sim/trace';

/**
 * A node's console: programs print text fragments; complete lines are recorded with their virtual time,
 * traced (layer "console", so the trace hash covers what users see) and passed to listeners (the CLI).
 */
export class NodeConsole {
  private partial = '';
  readonly lines: { t: number; text: string }[] = [];
  private listeners: ((text: string, t: number) => void)[] = [];

  constructor(readonly node: string, private readonly tracer: Tracer, private readonly clock: { readonly now: number }) {}

  onLine(fn: (text: string, t: number) => void): void {
    this.listeners.push(fn);
  }

  write(text: string): void {
    this.partial += text;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      this.emit(this.partial.slice(0, nl));
      this.partial = this.partial.slice(nl + 1);
    }
  }

  /** Flush a trailing line without newline (end of run). */
  flush(): void {
    if (this.partial.length > 0) {
      this.emit(this.partial);
      this.partial = '';
    }
  }

  text(): string {
    return this.lines.map((l) => l.text + '\n').join('') + this.partial;
  }

  private emit(text: string): void {
    const t = this.clock.now;
    this.lines.push({ t, text });
    this.tracer.emitAt(t, this.node, 'console', 'line', 0, { text });
    for (const l of this.listeners) l(text, t);
  }
}
