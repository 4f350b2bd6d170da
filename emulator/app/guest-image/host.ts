/**
 * Running host tools (apt-cache, apt-get, dpkg, dpkg-deb) for the guest builder, and the error the
 * builder raises when the host cannot do what is needed.
 */
import { spawn } from 'node:child_process';
import { USERLAND_PACKAGES } from './userland';

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

/** A failure the user can act on; the CLI prints the message (no stack) and exits 1. */
export class GuestBuildError extends Error {
  override name = 'GuestBuildError';
}

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
}

/** Runs a program to completion, capturing its output. Never rejects. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(cmd, [...args], {
      cwd: opts.cwd,
      env: { ...process.env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      resolve({ status: -1, stdout, stderr, spawnError: e });
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

/** The last few lines of a tool's error output, for messages. */
export function tail(text: string, lines = 4): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
