/**
 * The `qnxemu` command line's entry (dist/qnxemu.js): builds the command tree (program.ts) and parses
 * process.argv with it. This file is outside the simulated world: it may read files, print and exit.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { failWith } from './errors';
import { buildProgram } from './program';
import { stdoutClosed } from './signals';
import { captureOwnsStdout } from '../capture/output';
import { guestWorkerMain, isGuestWorkerData } from '../assembly/guest-worker';

/** Print one line for `e` (file:line:col: problem, or what: problem) and exit 1 (emulator/app/cli/errors.ts). */
export function fail(e: unknown): never {
  failWith(e);
}
if (!isMainThread && isGuestWorkerData(workerData)) {
  // `--threads`: this bundle started as a guest's worker thread (emulator/app/assembly/guest-worker.ts).
  void guestWorkerMain(workerData);
} else {
  // Errors thrown outside any promise the commands await (v86 initialising, a stream's error event) end the same way.
  process.on('uncaughtException', (e) => failWith(e));
  // `qnxemu … | head`: the reader went away; wind down as on SIGPIPE (signals.ts stdoutClosed), once.
  let closed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') failWith(e);
    // A capture to standard output (`-w -`) owns it: its reader going away ends the capture, the run goes on.
    if (closed || captureOwnsStdout()) return;
    closed = true;
    stdoutClosed();
  });
  process.on('unhandledRejection', (e) => failWith(e));
  buildProgram({ fail }).parseAsync(process.argv).catch(fail);
}
