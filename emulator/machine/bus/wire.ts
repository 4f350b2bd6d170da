import type { IrqLine } from './types';

/** A simple wire: one driver, any number of listeners notified on level change. */
export class Wire implements IrqLine {
  private _level = false;
  private listeners: ((level: boolean) => void)[] = [];
  constructor(readonly name: string) {}
  get level(): boolean {
    return this._level;
  }
  set(level: boolean): void {
    if (level === this._level) return;
    this._level = level;
    for (const l of this.listeners) l(level);
  }
  onChange(fn: (level: boolean) => void): void {
    this.listeners.push(fn);
  }
}

/**
 * A wired-OR of several drivers (shared level-triggered PCI interrupt lines): the output is asserted while any
 * input is. Each driver gets its own input via `input()`.
 */
export class WiredOr {
  private levels: boolean[] = [];
  readonly out: Wire;
  constructor(name: string) {
    this.out = new Wire(name);
  }
  input(): IrqLine {
    const i = this.levels.length;
    this.levels.push(false);
    const self = this;
    return {
      get level() {
        return self.levels[i] ?? false;
      },
      set(level: boolean) {
        self.levels[i] = level;
        self.out.set(self.levels.some((l) => l));
      },
    };
  }
}
