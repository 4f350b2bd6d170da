/**
 * Finding and fetching the guest's Debian packages with apt: the current 686 kernel (the one the
 * metapackage linux-image-686:i386 depends on), busybox-static:i386, seabios, and the packages of the
 * guest's dynamically linked programs (userland.ts: iw) with their `Depends:` closure (libnl, libc6, …).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { aptHelp, cannotRun, checkSignal, GuestBuildError, run, tail, type HostTools } from './host';
import type { Step } from './progress';
import { USERLAND_PACKAGES } from './userland';

/** One binary package as apt describes it. */
export interface DebPackage {
  name: string;
  arch: string;
  version: string;
  size: number;
  sha256: string;
}

export const KERNEL_METAPACKAGE = 'linux-image-686:i386';

/** The file name `apt-get download` gives a package (an epoch's ':' becomes "%3a"). */
export function debFileName(p: DebPackage): string {
  return `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`;
}

/** The kernel package named in the metapackage's `Depends:` (from `apt-cache show`), if any. */
export function parseKernelDepends(out: string): string | undefined {
  const m = /^Depends:.*?\b(linux-image-\d[^\s,:()]*-686)\b/m.exec(out);
  return m?.[1];
}

/** The stanzas of `apt-cache show --no-all-versions` output that are complete. */
export function parseShow(out: string): DebPackage[] {
  const pkgs: DebPackage[] = [];
  for (const stanza of out.split(/\n\s*\n/)) {
    const field = (k: string): string | undefined => new RegExp(`^${k}: *(.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    const arch = field('Architecture');
    const version = field('Version');
    const size = field('Size');
    const sha256 = field('SHA256');
    if (!name || !arch || !version || !size || !sha256 || !/^\d+$/.test(size)) continue;
    pkgs.push({ name, arch, version, size: Number(size), sha256 });
  }
  return pkgs;
}

/**
 * Package names from the `Depends:` and `Pre-Depends:` fields of each complete stanza of `apt-cache show`
 * output (Debian Policy §7.1: comma-separated relations, `|` between alternatives, an optional version in
 * parentheses and an optional `:arch` qualifier). The first alternative of each relation is taken, as apt
 * does when none is installed.
 */
export function parseDepends(out: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const stanza of out.split(/\n\s*\n/)) {
    const name = /^Package: *(\S+)/m.exec(stanza)?.[1];
    if (name === undefined) continue;
    const list: string[] = [];
    for (const field of ['Pre-Depends', 'Depends']) {
      // A field may continue on lines that start with a space (Debian Policy §5.1).
      const value = new RegExp(`^${field}:(.*(?:\\n[ \\t].*)*)`, 'm').exec(stanza)?.[1];
      for (const rel of (value ?? '').split(',')) {
        const first = rel.split('|')[0]?.trim().replace(/\s*\(.*?\)/g, '').replace(/:\w+$/, '') ?? '';
        if (first !== '' && !list.includes(first)) list.push(first);
      }
    }
    deps.set(name, list);
  }
  return deps;
}

async function show(tools: HostTools, specs: readonly string[], signal?: AbortSignal): Promise<{ out: string; ok: boolean; err: string }> {
  const r = await run(tools.aptCache, ['show', '--no-all-versions', ...specs], { signal });
  if (r.spawnError !== undefined) throw new GuestBuildError(aptHelp(cannotRun(tools.aptCache, r.spawnError)));
  checkSignal(r, `apt-cache show ${specs.join(' ')}`, signal);
  return { out: r.stdout, ok: r.status === 0, err: tail(r.stderr || r.stdout, 2) };
}

async function kernelPackage(tools: HostTools, signal?: AbortSignal): Promise<string | undefined> {
  const r = await show(tools, [KERNEL_METAPACKAGE], signal);
  return r.ok ? parseKernelDepends(r.out) : undefined;
}

/** Makes apt know i386 packages: `dpkg --add-architecture i386` and `apt-get update`. */
async function addI386(tools: HostTools, log: (l: string) => void, signal?: AbortSignal): Promise<void> {
  const archs = await run(tools.dpkg, ['--print-foreign-architectures'], { signal });
  checkSignal(archs, 'dpkg --print-foreign-architectures', signal);
  if (!/^i386$/m.test(archs.stdout)) {
    log('adding the i386 architecture to dpkg (dpkg --add-architecture i386)');
    const r = await run(tools.dpkg, ['--add-architecture', 'i386'], { signal });
    checkSignal(r, 'dpkg --add-architecture i386', signal);
    if (r.status !== 0) throw new GuestBuildError(aptHelp(`dpkg --add-architecture i386 failed (needs root): ${tail(r.stderr || r.stdout, 2)}`));
  }
  log('updating apt package lists (apt-get update)');
  // apt-get update exits non-zero when any one index fails (e.g. a mirror mid-sync) even though the
  // lists we need may have arrived; whether they did is checked by looking the packages up again.
  const u = await run(tools.aptGet, ['update'], { signal });
  checkSignal(u, 'apt-get update', signal);
  if (u.status !== 0) log(`apt-get update reported problems: ${tail(u.stderr, 2).replace(/\n/g, ' | ')}`);
}

/**
 * Resolves the three packages to exact versions. Runs `dpkg --add-architecture i386` and
 * `apt-get update` once if apt does not know the i386 kernel yet.
 */
export async function resolvePackages(tools: HostTools, log: (l: string) => void, signal?: AbortSignal): Promise<DebPackage[]> {
  let kernel = await kernelPackage(tools, signal);
  if (kernel === undefined) {
    await addI386(tools, log, signal);
    kernel = await kernelPackage(tools, signal);
    if (kernel === undefined) throw new GuestBuildError(aptHelp(`apt does not know ${KERNEL_METAPACKAGE} even after apt-get update (no network, or no Debian i386 archive).`));
  }
  const wanted = [`${kernel}:i386`, 'busybox-static:i386', 'seabios'];
  const r = await show(tools, wanted, signal);
  const found = parseShow(r.out);
  const out: DebPackage[] = [];
  for (const spec of wanted) {
    const name = spec.replace(/:.*/, '');
    const p = found.find((x) => x.name === name);
    if (p === undefined) throw new GuestBuildError(aptHelp(`apt-cache show ${spec} found nothing: ${r.err}`));
    out.push(p);
  }
  return [...out, ...(await dependencyClosure(tools, USERLAND_PACKAGES, signal))];
}

/** Everything `resolvePackages` asks apt for: the builder asks again when this changes. */
export const PACKAGE_REQUEST: readonly string[] = [KERNEL_METAPACKAGE, 'busybox-static:i386', 'seabios', ...USERLAND_PACKAGES.map((p) => `${p}:i386`)];

/**
 * Dependencies that only a package's maintainer scripts use, not its programs, so the closure does not follow
 * them: wpasupplicant's postinst runs `addgroup --system netdev` (adduser, whose own closure is passwd, PAM,
 * debconf and perl-base); the guest has no dpkg and runs no maintainer scripts.
 */
export const DEPENDS_NOT_FOLLOWED: readonly string[] = ['adduser'];

/**
 * `roots` and every package they depend on, as i386 packages (or `Architecture: all` ones, which apt shows
 * only when asked without a qualifier), breadth-first from the roots: one `apt-cache show` per level.
 * Essential packages that Debian leaves undeclared are not followed (the guest's programs name libc6).
 */
export async function dependencyClosure(tools: HostTools, roots: readonly string[], signal?: AbortSignal): Promise<DebPackage[]> {
  const out: DebPackage[] = [];
  const seen = new Set<string>(roots);
  let level = [...roots];
  while (level.length > 0) {
    const r = await show(tools, level.map((n) => `${n}:i386`), signal);
    let found = parseShow(r.out).filter((p) => p.arch === 'i386' && level.includes(p.name));
    let deps = parseDepends(r.out);
    const missing = level.filter((n) => !found.some((p) => p.name === n));
    if (missing.length > 0) {
      const all = await show(tools, missing, signal);
      found = [...found, ...parseShow(all.out).filter((p) => p.arch === 'all' && missing.includes(p.name))];
      deps = new Map([...deps, ...parseDepends(all.out)]);
      const still = missing.filter((n) => !found.some((p) => p.name === n));
      if (still.length > 0) throw new GuestBuildError(aptHelp(`apt-cache show found no i386 or architecture-independent package ${still.join(', ')}: ${all.err || r.err}`));
    }
    const next: string[] = [];
    for (const name of level) {
      out.push(found.find((p) => p.name === name)!);
      for (const d of deps.get(name) ?? []) {
        if (seen.has(d) || DEPENDS_NOT_FOLLOWED.includes(d)) continue;
        seen.add(d);
        next.push(d);
      }
    }
    level = next;
  }
  return out;
}

/**
 * Names, sizes and times of apt's package lists: while it is unchanged, apt would resolve the packages
 * exactly as last time, so the (slow) look-up can be skipped. Empty if the folder cannot be read.
 */
export function aptListsFingerprint(dir = '/var/lib/apt/lists'): string {
  try {
    return readdirSync(dir)
      .filter((f) => /_Packages(\.\w+)?$/.test(f))
      .sort()
      .map((f) => {
        const st = statSync(join(dir, f));
        return `${f} ${st.size} ${Math.round(st.mtimeMs)}`;
      })
      .join('\n');
  } catch {
    return '';
  }
}

/** True if the file exists with the size and SHA-256 apt promised. */
export function debIsComplete(dir: string, p: DebPackage): boolean {
  const f = join(dir, debFileName(p));
  if (!existsSync(f) || statSync(f).size !== p.size) return false;
  return createHash('sha256').update(readFileSync(f)).digest('hex') === p.sha256;
}

/**
 * Downloads the packages not yet in `dir` with `apt-get download`, reporting bytes arrived so far to
 * `step` (apt writes each file in place; its size is polled).
 */
export async function downloadPackages(tools: HostTools, dir: string, pkgs: readonly DebPackage[], step: Step, signal?: AbortSignal): Promise<void> {
  const missing = pkgs.filter((p) => !debIsComplete(dir, p));
  if (missing.length === 0) {
    step.finish();
    return;
  }
  for (const p of missing) rmSync(join(dir, debFileName(p)), { force: true }); // partial or corrupt
  const sizeNow = (): number =>
    missing.reduce((sum, p) => {
      const f = join(dir, debFileName(p));
      return sum + (existsSync(f) ? Math.min(statSync(f).size, p.size) : 0);
    }, 0);
  const timer = setInterval(() => step.update(sizeNow()), 200); // wall clock: download progress bar; not simulation
  let r;
  try {
    r = await run(tools.aptGet, ['download', ...missing.map((p) => `${p.name}:${p.arch}=${p.version}`)], { cwd: dir, signal });
  } finally {
    clearInterval(timer);
  }
  if (r.spawnError !== undefined) throw new GuestBuildError(aptHelp(cannotRun(tools.aptGet, r.spawnError)));
  // A download stopped half-way leaves a partial .deb: the next build sees its size or SHA-256 differ and fetches it again.
  checkSignal(r, 'apt-get download', signal);
  if (r.status !== 0) throw new GuestBuildError(aptHelp(`apt-get download failed: ${tail(r.stderr || r.stdout)}`));
  for (const p of missing) {
    if (!debIsComplete(dir, p)) throw new GuestBuildError(aptHelp(`${debFileName(p)} did not arrive intact (size or SHA-256 differs from apt's index).`));
  }
  step.update(sizeNow());
  step.finish();
}
