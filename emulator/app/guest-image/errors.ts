/**
 * The errors of the guest image builder. No host dependencies: the web page's bundle carries them too
 * (web-page/shims/guest-image.ts), since assembly/guest-node.ts names them.
 */

/** A failure the user can act on; the CLI prints the message (no stack) and exits 1. */
export class GuestBuildError extends Error {
  override name = 'GuestBuildError';

  /** The first line without its "qnxemu: " prefix: what went wrong, for a one-line report. */
  get problem(): string {
    return (this.message.split('\n')[0] ?? '').replace(/^qnxemu: /, '');
  }
}

/**
 * The build stopped because it was asked to (EnsureGuestImageOptions.signal: Ctrl-C, SIGTERM). Nothing half-made
 * is left in the cache: .deb files are checked against apt's SHA-256 before use, an image is written into a
 * temporary folder and renamed when complete, and the build lock is released.
 */
export class GuestBuildInterrupted extends Error {
  override name = 'GuestBuildInterrupted';
  constructor(readonly reason: string) {
    super(`the guest image build was interrupted (${reason})`);
  }
}

/** Throws GuestBuildInterrupted if `signal` was aborted (its reason: the signal's name, "SIGINT"). */
export function checkInterrupt(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GuestBuildInterrupted(String(signal.reason ?? 'aborted'));
}
