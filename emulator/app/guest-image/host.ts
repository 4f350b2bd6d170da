/**
 * Running host tools (apt-cache, apt-get, dpkg, dpkg-deb) for the guest builder, and the error the
 * builder raises when the host cannot do what is needed.
 */
import { spawn } from 'node:child_process';
import { USERLAND_PACKAGES } from './userland';
import { checkInterrupt, GuestBuildError } from './errors';

/** Names (or paths) of the host tools the builder runs; tests replace them. */
export interface HostTools {
  aptCache: string;
  aptGet: string;
  dpkg: string;
  dpkgDeb: string;
  /** apt's package lists folder, whose state decides whether apt must be asked again. */
  aptLists: string;
}

export const DEFAULT_TOOLS: HostTools = { aptCache: 'apt-cache', aptGet: 'apt-get', dpkg: 'dpkg', dpkgDeb: 'dpkg-deb', aptLists: '/var/lib/apt/lists' };

export { checkInterrupt, GuestBuildError, GuestBuildInterrupted } from './errors';

export const APT_PACKAGES_HINT = ['linux-image-686:i386', 'busybox-static:i386', 'seabios', ...USERLAND_PACKAGES.map((p) => `${p}:i386`)].join(' ');

/** The message for "no apt here" or "apt cannot reach its archive", with what to do about it. */
export function aptHelp(problem: string): string {
  return (
    `qnxemu: ${problem}\n` +
    `qnxemu: building the guest image needs Debian's apt (apt-get download ${APT_PACKAGES_HINT}) and its ` +
    `archive (network, or a local mirror). Run as root on Debian/Ubuntu with network access, or point the ` +
    `node at your own kernel/initrd/bios with \`kernel:\`, \`initrd:\`, \`bios:\` in the scenario.`
  );
}

/** "X is not installed" for a program that could not be started, else the system's reason. */
export function cannotRun(cmd: string, e: NodeJS.ErrnoException): string {
  return e.code === 'ENOENT' ? `${cmd} is not installed (not found on PATH).` : `cannot run ${cmd}: ${e.message}`;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT: not installed). */
  spawnError?: NodeJS.ErrnoException;
  /** The signal that ended the program (ours on an abort, a terminal's Ctrl-C, the OOM killer), or null. */
  signal: NodeJS.Signals | null;
}

/**
 * Throws if `r` ended by a signal: GuestBuildInterrupted when the build was asked to stop, else a GuestBuildError
 * naming the signal. A killed `apt-cache show` has printed nothing; read as "apt knows no such package" it
 * would send the builder into `apt-get update` and end in a false diagnosis.
 */
export function checkSignal(r: RunResult, what: string, signal: AbortSignal | undefined): void {
  checkInterrupt(signal);
  if (r.signal !== null) throw new GuestBuildError(`qnxemu: ${what} was stopped by ${r.signal}; nothing was built`);
}

/**
 * Runs a program to completion, capturing its output. Never rejects. An abort of `opts.signal` sends the program
 * SIGTERM (apt-get removes its partial files and lock on it) and the result says so (`signal`); callers then
 * throw GuestBuildInterrupted (checkSignal).
 */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal | undefined } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    if (opts.signal?.aborted) return resolve({ status: -1, stdout, stderr, signal: 'SIGTERM' });
    const child = spawn(cmd, [...args], {
      cwd: opts.cwd,
      env: { ...process.env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onAbort = (): void => void child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // Once aborted, the program's end is enough: a helper it started (apt's http method, a shell's child) may hold
    // the output pipes open after it, and waiting for them to close would keep the interrupted command alive.
    child.on('exit', (code, sig) => {
      if (settled || !opts.signal?.aborted) return;
      settled = true;
      opts.signal.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ status: code ?? -1, stdout, stderr, signal: sig ?? 'SIGTERM' });
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ status: -1, stdout, stderr, spawnError: e, signal: null });
    });
    child.on('close', (code, sig) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ status: code ?? -1, stdout, stderr, signal: sig });
    });
  });
}

/** The last few lines of a tool's error output, for messages. */
export function tail(text: string, lines = 4): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
