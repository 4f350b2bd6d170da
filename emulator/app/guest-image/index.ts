/**
 * The guest image builder: a Linux guest for v86 made from Debian's i386 packages (the 686 kernel,
 * busybox-static, SeaBIOS), built once and cached. See docs/guest-images.md.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { aptListsFingerprint, debFileName, downloadPackages, PACKAGE_REQUEST, resolvePackages, type DebPackage } from './apt';
import { buildImage, IMAGE_FILES, type ImageManifest } from './build';
import { BUILDER_VERSION, cacheKey, guestCacheDir, withLock, writeFileAtomic } from './cache';
import { checkInterrupt, DEFAULT_TOOLS, GuestBuildError, type HostTools } from './host';
import { initScript } from './init-script';
import { appletLinks } from './initramfs';
import { IMAGE_MODULES } from './modules';
import { barProgress, lineProgress, type Progress } from './progress';
import { USERLAND_KEY } from './userland';

export { guestCacheDir } from './cache';
export { GuestBuildError, GuestBuildInterrupted } from './host';
export { guestCmdline, BASE_CMDLINE, READY_MARKER, ERROR_PREFIX, GUEST_PROMPT, type GuestCmdlineOptions } from './init-script';
export { NIC_DRIVER_MODULES } from './modules';

/** A built guest: absolute paths of its files and what it contains. */
export interface GuestImage {
  /** The kernel (bzImage). */
  kernel: string;
  /** newc cpio initramfs (uncompressed since builder version 5). */
  initrd: string;
  /** SeaBIOS bios.bin. */
  bios: string;
  /** SeaBIOS vgabios-stdvga.bin. */
  vgaBios: string;
  kernelVersion: string;
  /** Module names in the image, in load order (dependencies first). */
  modules: string[];
  cacheKey: string;
}

export interface EnsureGuestImageOptions {
  /** Default guestCacheDir(). */
  cacheDir?: string;
  /** Progress bars (default: when stderr is a terminal); otherwise plain lines to `log`. */
  progress?: boolean;
  /** Where plain lines go (default: stderr, prefixed "qnxemu: guest: "). */
  log?: (line: string) => void;
  /** Rebuild even if the cache has this image. */
  force?: boolean;
  /** Host tool names (tests substitute missing ones). */
  tools?: Partial<HostTools>;
  /**
   * Stops the build (the CLI aborts it on Ctrl-C / SIGTERM with the signal's name as reason): the running tool
   * gets SIGTERM, a wait for another process's lock ends, and the promise rejects with GuestBuildInterrupted.
   */
  signal?: AbortSignal;
}

function imageFrom(dir: string, m: ImageManifest): GuestImage {
  return {
    kernel: join(dir, IMAGE_FILES.kernel),
    initrd: join(dir, IMAGE_FILES.initrd),
    bios: join(dir, IMAGE_FILES.bios),
    vgaBios: join(dir, IMAGE_FILES.vgaBios),
    kernelVersion: m.kernelVersion,
    modules: [...m.modules],
    cacheKey: m.cacheKey,
  };
}

/** The image in `dir` if it is complete, else undefined. */
function readImage(dir: string): GuestImage | undefined {
  const mf = join(dir, IMAGE_FILES.manifest);
  if (!existsSync(mf)) return undefined;
  const img = imageFrom(dir, JSON.parse(readFileSync(mf, 'utf8')) as ImageManifest);
  return [img.kernel, img.initrd, img.bios, img.vgaBios].every((f) => existsSync(f)) ? img : undefined;
}

/** The most recently built image in the cache, without asking apt; undefined if none is there. */
export function builtGuestImage(cacheDir: string = guestCacheDir()): GuestImage | undefined {
  const cur = join(cacheDir, 'current.json');
  if (!existsSync(cur)) return undefined;
  const { dir } = JSON.parse(readFileSync(cur, 'utf8')) as { dir: string };
  return readImage(join(cacheDir, dir));
}

/** The cache key for these packages with this builder, /init and module set. */
export function imageKey(pkgs: readonly DebPackage[]): string {
  return cacheKey({
    builderVersion: BUILDER_VERSION,
    packages: pkgs.map((p) => `${p.name}_${p.version}_${p.arch} ${p.sha256}`),
    init: initScript(),
    modules: IMAGE_MODULES,
    applets: appletLinks(),
    programs: USERLAND_KEY,
  });
}

const inFlight = new Map<string, Promise<GuestImage>>();

/**
 * Returns the cached guest image, building it first if its inputs (package versions, /init, module
 * set, builder version) changed or it was never built. Safe to call from several processes at once.
 */
export function ensureGuestImage(opts: EnsureGuestImageOptions = {}): Promise<GuestImage> {
  const cacheDir = opts.cacheDir ?? guestCacheDir();
  // A caller that can be interrupted runs its own build: a shared one would stop for every caller, or for none.
  const memo = opts.force || opts.signal ? undefined : inFlight.get(cacheDir);
  if (memo !== undefined) return memo;
  const p = ensure(cacheDir, opts);
  if (!opts.force && !opts.signal) {
    // Only concurrent callers share a run; a later call checks the cache again (that costs milliseconds).
    inFlight.set(cacheDir, p);
    const forget = (): void => {
      if (inFlight.get(cacheDir) === p) inFlight.delete(cacheDir);
    };
    p.then(forget, forget);
  }
  return p;
}

async function ensure(cacheDir: string, opts: EnsureGuestImageOptions): Promise<GuestImage> {
  const tools: HostTools = { ...DEFAULT_TOOLS, ...opts.tools };
  const log = opts.log ?? ((l: string) => process.stderr.write(`qnxemu: guest: ${l}\n`));
  const progress: Progress = (opts.progress ?? !!process.stderr.isTTY) ? barProgress(process.stderr) : lineProgress(log);
  mkdirSync(cacheDir, { recursive: true });
  try {
    return await ensureIn(cacheDir, opts, tools, log, progress);
  } finally {
    progress.abandon(); // a bar a failure left running: stopped, so the error line starts a line of its own
  }
}

async function ensureIn(cacheDir: string, opts: EnsureGuestImageOptions, tools: HostTools, log: (l: string) => void, progress: Progress): Promise<GuestImage> {
  const signal = opts.signal;
  const pkgs = await packagesFor(cacheDir, tools, log, signal);
  const key = imageKey(pkgs);
  const rel = join('images', key.slice(0, 16));
  const imageDir = join(cacheDir, rel);
  if (!opts.force) {
    const have = readImage(imageDir);
    if (have !== undefined) return have;
  }
  return withLock(
    cacheDir,
    async () => {
      if (!opts.force) {
        const have = readImage(imageDir); // another process may have built it while we waited
        if (have !== undefined) return have;
      }
      const t0 = Date.now(); // wall clock: reports how long the host took to build the image; not simulation
      const debDir = join(cacheDir, 'debs');
      mkdirSync(debDir, { recursive: true });
      mkdirSync(join(cacheDir, 'images'), { recursive: true });
      const total = pkgs.reduce((s, p) => s + p.size, 0);
      await downloadPackages(tools, debDir, pkgs, progress.step(`downloading ${pkgs.length} packages`, total, 'bytes'), signal);
      const manifest = await buildImage({ tools, debDir, packages: pkgs, rootModules: IMAGE_MODULES, cacheKey: key, imageDir, progress, signal });
      writeFileAtomic(join(cacheDir, 'current.json'), JSON.stringify({ cacheKey: key, dir: rel }, null, 2) + '\n');
      prune(cacheDir, key.slice(0, 16), pkgs);
      const img = imageFrom(imageDir, manifest);
      progress.log(`guest image ${key.slice(0, 16)} (Linux ${manifest.kernelVersion}) built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return img;
    },
    (pid) => log(`waiting for process ${pid}, which is building the guest image`),
    signal,
  );
}

/**
 * The packages to build from. apt is asked only when its package lists changed since the last look-up
 * (asking takes seconds); when apt cannot be used, the last look-up's packages still name an image.
 */
async function packagesFor(cacheDir: string, tools: HostTools, log: (l: string) => void, signal: AbortSignal | undefined): Promise<DebPackage[]> {
  checkInterrupt(signal);
  const recordedFile = join(cacheDir, 'packages.json');
  const loaded = existsSync(recordedFile) ? (JSON.parse(readFileSync(recordedFile, 'utf8')) as { fingerprint: string; request?: string[]; packages: DebPackage[] }) : undefined;
  // A look-up made for another set of root packages (an older builder) says nothing about this one.
  const request = [...PACKAGE_REQUEST];
  const recorded = loaded !== undefined && JSON.stringify(loaded.request ?? []) === JSON.stringify(request) ? loaded : undefined;
  const fingerprint = aptListsFingerprint(tools.aptLists);
  if (recorded !== undefined && fingerprint !== '' && recorded.fingerprint === fingerprint) return recorded.packages;
  try {
    const packages = await resolvePackages(tools, log, signal);
    // apt-get update may have run inside resolvePackages: take the fingerprint afterwards.
    writeFileAtomic(recordedFile, JSON.stringify({ fingerprint: aptListsFingerprint(tools.aptLists), request, packages }, null, 2) + '\n');
    return packages;
  } catch (e) {
    if (!(e instanceof GuestBuildError) || recorded === undefined) throw e;
    log(`apt is not usable (${e.message.split('\n')[0]?.replace(/^qnxemu: /, '')}); using the packages of the last look-up`);
    return recorded.packages;
  }
}

/** Removes images and packages that the current build no longer uses. */
function prune(cacheDir: string, keep: string, pkgs: readonly DebPackage[]): void {
  for (const d of readdirSync(join(cacheDir, 'images'))) if (d !== keep) rmSync(join(cacheDir, 'images', d), { recursive: true, force: true });
  const debs = new Set(pkgs.map(debFileName));
  for (const f of readdirSync(join(cacheDir, 'debs'))) if (!debs.has(f)) rmSync(join(cacheDir, 'debs', f), { recursive: true, force: true });
}
