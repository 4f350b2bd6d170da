/**
 * The guest image cache: where it lives, the key that names a build, and a lock so that two processes
 * (jest workers, two CLI runs) do not build the same image at once.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkInterrupt, GuestBuildError } from './host';

/**
 * Bumped whenever the builder's output changes for the same packages and /init. 4: modules moved from a flat
 * /lib/modules/*.ko with our own table to /lib/modules/<version>/kernel/... with modules.dep and modules.alias.
 * 5: the kernel decompressed for a direct boot (direct-boot.ts) and the initramfs uncompressed.
 */
export const BUILDER_VERSION = 5;

/** Everything a build depends on; its hash is the cache key. */
export interface CacheKeyInputs {
  builderVersion: number;
  /** "<name>_<version>_<arch> <sha256>" per package. */
  packages: readonly string[];
  init: string;
  /** Root modules (the closure follows from the kernel package). */
  modules: readonly string[];
  /** Applet links, "bin/ping", "sbin/modprobe" (initramfs.ts appletLinks). */
  applets: readonly string[];
  /** Dynamically linked programs carried with their libraries ("iw"). */
  programs: readonly string[];
}

/** SHA-256 (hex) over a canonical JSON encoding of the inputs (fixed key order). */
export function cacheKey(k: CacheKeyInputs): string {
  const canonical = JSON.stringify([k.builderVersion, [...k.packages], k.init, [...k.modules], [...k.applets], [...k.programs]]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The folder of the repository this code runs from: the nearest parent with qnxemu's package.json. */
export function repoRoot(start: string = __dirname): string | undefined {
  let d = resolve(start);
  for (;;) {
    const pj = join(d, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'qnxemu') return d;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** $QNXEMU_CACHE, else <repo>/.cache/guest, else ./.cache/guest. */
export function guestCacheDir(): string {
  const env = process.env['QNXEMU_CACHE'];
  if (env !== undefined && env !== '') return resolve(env);
  return join(repoRoot() ?? process.cwd(), '.cache', 'guest');
}

/** Writes a file so that readers in other processes see the old or the new content, never a part. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits `ms`, or less if `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((r) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms); // wall clock: polling another process's build lock; not simulation
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `fn` holding <dir>/build.lock. A lock left by a process that no longer exists is taken over.
 * While another live process holds it, waits (up to `maxWaitMs`), telling `onWait` once; an abort of `signal`
 * ends the wait (GuestBuildInterrupted) without touching the other process's lock.
 */
export async function withLock<T>(
  dir: string,
  fn: () => Promise<T>,
  onWait: (pid: number) => void,
  signal?: AbortSignal,
  maxWaitMs = 30 * 60_000,
): Promise<T> {
  const lock = join(dir, 'build.lock');
  const t0 = Date.now(); // wall clock: the lock wait's timeout, outside the simulated world
  let told = false;
  for (;;) {
    checkInterrupt(signal);
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let pid = NaN;
      try {
        pid = Number(readFileSync(lock, 'utf8').trim());
      } catch {
        continue; // removed between open and read: try again
      }
      if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (!told) {
        onWait(pid);
        told = true;
      }
      if (Date.now() - t0 > maxWaitMs)
        throw new GuestBuildError(`qnxemu: gave up after ${Math.round(maxWaitMs / 60_000)} min waiting for process ${pid}, which holds ${lock} (remove the file if that process is not building the guest image)`);
      await sleep(500, signal);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
