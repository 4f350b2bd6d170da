/**
 * Ctrl-C / SIGTERM while a command builds the guest image (before its run starts): the build stops at once (the
 * running apt or dpkg-deb gets SIGTERM, a wait for another process's build lock ends), the command prints one line
 * and exits 128 + the signal's number like every interrupted command (signals.ts). Nothing is lost: downloaded
 * .deb files stay in the cache (each is checked against apt's SHA-256 before use), no image is half-written
 * (guest-image/build.ts writes into a temporary folder), and the build lock is released.
 *
 * This file is outside the simulated world: it reacts to the operating system.
 */
import type { Scenario } from '../scenario/types';
import { prepareGuests, type PreparedGuests } from '../assembly/guest-node';
import { startGuestWorkers, type GuestWorkers, type WorkerOptions } from '../assembly/guest-workers';
import { GuestBuildInterrupted } from '../guest-image';
import { interruptStatus, type InterruptSignal } from './signals';

/** The line printed when a signal stops the guest image build. */
export function buildInterruptedLine(sig: string): string {
  return `qnxemu: interrupted (${sig}) while building the guest image: nothing ran; the packages downloaded so far stay in the cache`;
}

/**
 * `prepareGuests` that a signal can stop: `signal` is aborted with the signal's name (onInterrupt's first call).
 * Returns the prepared guests, or the exit status after printing the one line when the build was interrupted.
 */
export async function prepareGuestsOrStop(scenario: Scenario, signal: AbortSignal): Promise<PreparedGuests | number> {
  try {
    return await prepareGuests(scenario, { signal });
  } catch (e) {
    if (!(e instanceof GuestBuildInterrupted)) throw e;
    process.stderr.write(`${buildInterruptedLine(e.reason)}\n`);
    return interruptStatus((e.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT') satisfies InterruptSignal);
  }
}

/** `startGuestWorkers` (`--threads`) that a signal can stop while the image builds, as `prepareGuestsOrStop`. */
export async function startWorkersOrStop(
  scenario: Scenario,
  signal: AbortSignal,
  threads: number,
  seed: number,
  snaps: Pick<WorkerOptions, 'snapshotAt' | 'restore' | 'stream'> = {},
): Promise<GuestWorkers | number> {
  try {
    return await startGuestWorkers(scenario, { signal, threads, seed, ...snaps });
  } catch (e) {
    if (!(e instanceof GuestBuildInterrupted)) throw e;
    process.stderr.write(`${buildInterruptedLine(e.reason)}\n`);
    return interruptStatus((e.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT') satisfies InterruptSignal);
  }
}
