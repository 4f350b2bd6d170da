/**
 * Progress display for the guest build: a cli-progress bar per step on a terminal, plain log lines
 * otherwise (CI logs, pipes, tests).
 */
import cliProgress from 'cli-progress';

/** One step of the build with a known total (bytes or items). */
export interface Step {
  update(value: number): void;
  finish(): void;
}

export interface Progress {
  step(label: string, total: number, unit: 'bytes' | 'items'): Step;
  log(line: string): void;
  /**
   * Ends a step a failure or an interrupt left unfinished: a bar stops where it stands (its redraw timer ends, the
   * cursor shows again, the next line starts below it) so that the error line that follows is a line of its own.
   */
  abandon(): void;
}

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** Plain lines: one when a step starts and one when it ends, with its wall time. */
export function lineProgress(log: (line: string) => void): Progress {
  return {
    log,
    abandon() {},
    step(label, total, unit) {
      const t0 = Date.now(); // wall clock: progress lines of the host-side image build; not simulation
      log(`${label} (${unit === 'bytes' ? mb(total) : `${total}`})…`);
      let finished = false;
      return {
        update() {},
        finish() {
          if (finished) return;
          finished = true;
          log(`${label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        },
      };
    },
  };
}

/** Bars on a terminal (written to `stream`, normally stderr). */
export function barProgress(stream: NodeJS.WriteStream): Progress {
  let open: cliProgress.SingleBar | null = null;
  return {
    log: (line) => stream.write(`${line}\n`),
    abandon() {
      open?.stop();
      open = null;
    },
    step(label, total, unit) {
      const bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label.padEnd(34).slice(0, 34)} [{bar}] {percentage}% {shown}`,
          hideCursor: true,
          clearOnComplete: false,
          barsize: 28,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      const shown = (v: number): string => (unit === 'bytes' ? `${mb(v)}/${mb(total)}` : `${v}/${total}`);
      bar.start(Math.max(total, 1), 0, { shown: shown(0) });
      open = bar;
      let finished = false;
      return {
        update(v) {
          if (!finished) bar.update(Math.min(v, total), { shown: shown(v) });
        },
        finish() {
          if (finished) return;
          finished = true;
          bar.update(Math.max(total, 1), { shown: shown(total) });
          bar.stop();
          if (open === bar) open = null;
        },
      };
    },
  };
}
