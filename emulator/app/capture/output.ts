/**
 * Where `-w` sends the pcapng blocks: a regular file, a FIFO, or `-` (standard output). This file is outside the
 * simulated world: it talks to the operating system.
 *
 * - A file is created (truncated) and each block written whole with write(2) as it comes.
 * - `-`: the blocks go to file descriptor 1 and every other line the CLI prints goes to stderr (divertStdout), so
 *   the stream stays pure pcapng for `| tshark -i -` or `| wireshark -k -i -`.
 * - A FIFO (mkfifo) is opened for writing only once a reader has it open: open(2) with O_NONBLOCK fails with
 *   ENXIO while there is none (fifo(7)), so we try again every FIFO_POLL_MS, up to FIFO_WAIT_MS, with the
 *   event loop free (Ctrl-C works); then reopened blocking, so a slow reader slows the run instead of losing
 *   packets. No reader in that time: one error line, nothing run.
 * - A reader that goes away (EPIPE: Wireshark closed, `head` done) ends the capture with one line on stderr;
 *   the run goes on to its end (its expectations, pcaps and trace are still worth having; dumpcap would stop,
 *   but here the capture is an observer of a run the user asked for). Any other write error (ENOSPC) does the same.
 */
import * as fs from 'node:fs';
import { osReason } from '../cli/errors';

export const FIFO_WAIT_MS = 10_000;
export const FIFO_POLL_MS = 50;

export interface CaptureOutput {
  /** `-w` as given (`-` for stdout). */
  readonly target: string;
  /** Why writing stopped (EPIPE: the reader went away), or null while it goes on. */
  readonly ended: string | null;
  /** Write one whole block; after an error, nothing more is written. */
  write(block: Uint8Array): void;
  /** Wait until the output took what was written (stdout's buffer drained). */
  drain(): Promise<void>;
  close(): void;
}

/** Is `target` a FIFO (an existing named pipe)? */
export function isFifo(target: string): boolean {
  try {
    return fs.statSync(target).isFIFO();
  } catch {
    return false;
  }
}

/** A file or FIFO written with write(2) on a blocking descriptor. */
class FdOutput implements CaptureOutput {
  ended: string | null = null;
  constructor(
    readonly target: string,
    private fd: number | null,
  ) {}

  write(block: Uint8Array): void {
    if (this.fd === null || this.ended !== null) return;
    try {
      let off = 0;
      while (off < block.length) off += fs.writeSync(this.fd, block, off, block.length - off);
    } catch (e) {
      this.ended = endReason(e);
    }
  }

  async drain(): Promise<void> {}

  close(): void {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // a FIFO whose reader left: nothing more to say than `ended` does
      }
    }
    this.fd = null;
  }
}

function endReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPIPE') return 'the reader went away (EPIPE)';
  return `write failed: ${osReason(e)}`;
}

/** A capture writes to standard output (`-w -`): its reader going away ends the capture, not the command (cli/main.ts). */
let stdoutTaken = false;
export function captureOwnsStdout(): boolean {
  return stdoutTaken;
}

/** Standard output, written through the stream (synchronous for files and pipes on Linux); EPIPE comes as an event. */
class StdoutOutput implements CaptureOutput {
  readonly target = '-';
  ended: string | null = null;
  private full = false;

  constructor(private readonly rawWrite: (b: Uint8Array) => boolean) {
    stdoutTaken = true;
    process.stdout.on('error', (e) => {
      this.ended ??= endReason(e);
    });
  }

  write(block: Uint8Array): void {
    if (this.ended !== null) return;
    if (!this.rawWrite(block)) this.full = true;
  }

  async drain(): Promise<void> {
    if (!this.full || this.ended !== null) return;
    this.full = false;
    await new Promise<void>((res) => {
      const done = (): void => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        process.stdout.off('close', done);
        res();
      };
      process.stdout.on('drain', done);
      process.stdout.on('error', done);
      process.stdout.on('close', done);
    });
  }

  close(): void {}
}

/**
 * From now on every `process.stdout.write` of the CLI goes to stderr; returns the write that still reaches
 * file descriptor 1 (for the pcapng stream only).
 */
export function divertStdout(): (b: Uint8Array) => boolean {
  const raw = process.stdout.write.bind(process.stdout) as (b: Uint8Array) => boolean;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return raw;
}

export function stdoutOutput(rawWrite: (b: Uint8Array) => boolean): CaptureOutput {
  return new StdoutOutput(rawWrite);
}

/** Create (truncate) a regular file. Throws the OS error. */
export function fileOutput(target: string): CaptureOutput {
  return new FdOutput(target, fs.openSync(target, 'w'));
}

/** Open a FIFO once a reader has it open (see the header); null if none came within `waitMs`. */
export async function fifoOutput(target: string, waitMs = FIFO_WAIT_MS): Promise<CaptureOutput | null> {
  const flags = fs.constants.O_WRONLY | fs.constants.O_NONBLOCK;
  for (let waited = 0; ; waited += FIFO_POLL_MS) {
    try {
      const probe = fs.openSync(target, flags);
      // A reader is there: a blocking open returns at once, and blocking writes wait for a slow reader.
      const fd = fs.openSync(target, 'w');
      fs.closeSync(probe);
      return new FdOutput(target, fd);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
    }
    if (waited >= waitMs) return null;
    // wall clock: waiting for a reader process, before the simulation starts (outside the simulated world)
    await new Promise((r) => setTimeout(r, FIFO_POLL_MS));
  }
}
