/**
 * Dynamically linked programs in the guest (busybox is static; `iw` is not): each program, its interpreter
 * and every shared object it needs, taken from the unpacked Debian packages at the paths the packages give
 * them, symbolic links included (`/lib/ld-linux.so.2 -> i386-linux-gnu/ld-linux.so.2`, `libnl-3.so.200 ->
 * libnl-3.so.200.26.0`), so the guest's loader finds them exactly as on an installed Debian system.
 *
 * Which files: the closure of PT_INTERP and DT_NEEDED (elf-dynamic.ts), each name looked up in the loader's
 * default directories in the loader's order — the guest has no /etc/ld.so.cache, and glibc then searches
 * its built-in system directories, which for Debian's i386 multiarch build are /lib/i386-linux-gnu,
 * /usr/lib/i386-linux-gnu, /lib, /usr/lib (the strings in Debian's ld-linux.so.2). Nothing else from the
 * packages (locales, gconv modules, documentation) goes in.
 */
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { CpioEntry } from './cpio';
import { EM_386, readElfDynamic } from './elf-dynamic';
import { ElfError } from './modinfo';

/** A program the guest's shell can run, and the Debian package that ships it. */
export interface UserlandProgram {
  /** The Debian package (i386). Its `Depends:` closure is downloaded with it (apt.ts). */
  package: string;
  /** The program's file name, looked for in PROGRAM_DIRS of that package. */
  name: string;
}

/**
 * `iw`: scanning, connecting and link status for the rt2500pci guest (issue 9 §4). `wpa_supplicant` and
 * `wpa_cli` from Debian's wpasupplicant: WPA2-PSK through nl80211, mac80211 doing CCMP in software (issue 10 §3).
 */
export const USERLAND_PROGRAMS: readonly UserlandProgram[] = [
  { package: 'iw', name: 'iw' },
  { package: 'wpasupplicant', name: 'wpa_supplicant' },
  { package: 'wpasupplicant', name: 'wpa_cli' },
];

/**
 * A data file the guest's kernel loads with request_firmware() from /lib/firmware, as an installed Debian system
 * has it: the package ships variants and its maintainer script links the name the kernel asks for to one of them
 * with update-alternatives (/lib/firmware/NAME -> /etc/alternatives/NAME -> the variant of highest priority).
 */
export interface FirmwareFile {
  package: string;
  /** The name the kernel asks for ("regulatory.db": cfg80211's regdb loader, net/wireless/reg.c). */
  name: string;
  /** The package's file the alternative points at, as the maintainer script chooses it. */
  file: string;
}

/**
 * cfg80211's signed regulatory database. wireless-regdb's postinst installs the Debian-signed variant at priority
 * 100 (the upstream-signed one at 50); Debian's kernel trusts both signers (CONFIG_CFG80211_USE_KERNEL_REGDB_KEYS).
 * Without it cfg80211 logs "failed to load regulatory.db" and keeps its built-in world domain.
 */
export const FIRMWARE_FILES: readonly FirmwareFile[] = [
  { package: 'wireless-regdb', name: 'regulatory.db', file: 'lib/firmware/regulatory.db-debian' },
  { package: 'wireless-regdb', name: 'regulatory.db.p7s', file: 'lib/firmware/regulatory.db.p7s-debian' },
];

/** Packages whose programs and data files go into the image; their dependency closure comes from apt. */
export const USERLAND_PACKAGES: readonly string[] = [...new Set([...USERLAND_PROGRAMS, ...FIRMWARE_FILES].map((p) => p.package))];

/** What the image key records of the userland: programs and firmware names with their packages. */
export const USERLAND_KEY: readonly string[] = [
  ...USERLAND_PROGRAMS.map((p) => `${p.package}/${p.name}`),
  ...FIRMWARE_FILES.map((f) => `${f.package}/${f.name}=${f.file}`),
];

/** Where a package may put a program, in search order (Debian before and after the /usr merge). */
export const PROGRAM_DIRS: readonly string[] = ['sbin', 'bin', 'usr/sbin', 'usr/bin'];

/** glibc's built-in search directories in Debian's i386 ld-linux.so.2, in its order (no ld.so.cache in the guest). */
export const LIBRARY_DIRS: readonly string[] = ['lib/i386-linux-gnu', 'usr/lib/i386-linux-gnu', 'lib', 'usr/lib'];

/** Folders holding unpacked packages, searched in order: together they are the guest's root file system. */
export type PackageRoots = readonly { name: string; dir: string }[];

export class UserlandError extends Error {}

/** How many symbolic links one lookup may follow (Linux's MAXSYMLINKS is 40). */
const MAX_LINKS = 40;

/**
 * The image entries that make `programs` runnable, in the order first reached (program, interpreter, then
 * libraries breadth-first); directories are left to the caller. Files keep their mode (0755 or 0644).
 */
export function userlandEntries(programs: readonly UserlandProgram[], roots: PackageRoots): CpioEntry[] {
  const entries = new Map<string, CpioEntry>();
  /** Path of a member in the union of the roots (first root that has it), without following it. */
  const member = (p: string): { dir: string; link: boolean } | undefined => {
    for (const r of roots) {
      const full = join(r.dir, p);
      if (!existsSync(full) && !isLink(full)) continue;
      return { dir: r.dir, link: lstatSync(full).isSymbolicLink() };
    }
    return undefined;
  };
  /** Resolves `p` through symbolic links (any component), adding each link and the file; the file's path, or undefined. */
  const add = (p: string, hops = 0): string | undefined => {
    const parts = posix.normalize(p).replace(/^\/+/, '').split('/');
    let at = '';
    for (let i = 0; i < parts.length; i++) {
      const next = at === '' ? parts[i]! : `${at}/${parts[i]!}`;
      const m = member(next);
      if (m === undefined) return undefined;
      if (m.link) {
        if (hops >= MAX_LINKS) throw new UserlandError(`too many symbolic links resolving /${p}`);
        const target = readlinkSync(join(m.dir, next));
        if (!entries.has(next)) entries.set(next, { type: 'symlink', path: next, target });
        const base = target.startsWith('/') ? target : posix.join(posix.dirname(`/${next}`), target);
        return add([base, ...parts.slice(i + 1)].join('/'), hops + 1);
      }
      at = next;
    }
    if (!entries.has(at)) {
      const root = roots.find((r) => existsSync(join(r.dir, at)))!;
      const full = join(root.dir, at);
      if (!lstatSync(full).isFile()) throw new UserlandError(`/${at} in package ${root.name} is not a regular file`);
      entries.set(at, { type: 'file', path: at, data: readFileSync(full), mode: lstatSync(full).mode & 0o7777 });
    }
    return at;
  };
  const dataOf = (p: string): Uint8Array => {
    const e = entries.get(p);
    if (e?.type !== 'file') throw new UserlandError(`internal: /${p} is not a collected file`);
    return e.data;
  };

  const findLibrary = (lib: string): string | undefined => {
    for (const d of LIBRARY_DIRS) {
      const real = member(`${d}/${lib}`) === undefined ? undefined : add(`${d}/${lib}`);
      if (real !== undefined) return real;
    }
    return undefined;
  };

  const queue: { path: string; neededBy: string }[] = [];
  for (const prog of programs) {
    const path = PROGRAM_DIRS.map((d) => `${d}/${prog.name}`).find((p) => member(p) !== undefined);
    const real = path === undefined ? undefined : add(path);
    if (real === undefined) throw new UserlandError(`package ${prog.package} has no ${prog.name} in ${PROGRAM_DIRS.map((d) => `/${d}`).join(', ')}`);
    queue.push({ path: real, neededBy: prog.name });
  }
  const read = new Set<string>();
  while (queue.length > 0) {
    const { path, neededBy } = queue.shift()!;
    if (read.has(path)) continue;
    read.add(path);
    let info;
    try {
      info = readElfDynamic(dataOf(path));
    } catch (e) {
      if (e instanceof ElfError) throw new UserlandError(`/${path} (needed by ${neededBy}): ${e.message}`);
      throw e;
    }
    if (info.machine !== EM_386 || info.bits !== 32) throw new UserlandError(`/${path} is not an i386 ELF file (e_machine ${info.machine}, ${info.bits}-bit)`);
    const deps: string[] = [];
    if (info.interp !== undefined) {
      const real = add(info.interp);
      if (real === undefined) throw new UserlandError(`/${path} asks for the interpreter ${info.interp}, which none of the packages (${roots.map((r) => r.name).join(', ')}) has`);
      deps.push(real);
    }
    for (const lib of info.needed) {
      // A DT_NEEDED name with a slash is a path; otherwise the search directories are tried in order.
      const real = lib.includes('/') ? add(lib) : findLibrary(lib);
      if (real === undefined) throw new UserlandError(`/${path} needs ${lib}, which none of the packages (${roots.map((r) => r.name).join(', ')}) has in ${LIBRARY_DIRS.map((d) => `/${d}`).join(', ')}`);
      deps.push(real);
    }
    for (const d of deps) queue.push({ path: d, neededBy: path });
  }
  return [...entries.values()];
}

function isLink(full: string): boolean {
  try {
    return lstatSync(full).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The image entries of `files`: each variant file from its package, and the two links update-alternatives makes
 * (`lib/firmware/NAME -> /etc/alternatives/NAME -> /FILE`); the kernel's firmware loader follows links.
 */
export function firmwareEntries(files: readonly FirmwareFile[], roots: PackageRoots): CpioEntry[] {
  const out: CpioEntry[] = [];
  for (const f of files) {
    const root = roots.find((r) => r.name === f.package);
    const full = root === undefined ? undefined : join(root.dir, f.file);
    if (full === undefined || !existsSync(full) || !lstatSync(full).isFile())
      throw new UserlandError(`package ${f.package} has no /${f.file} (for /lib/firmware/${f.name})`);
    out.push({ type: 'file', path: f.file, data: readFileSync(full), mode: lstatSync(full).mode & 0o7777 });
    out.push({ type: 'symlink', path: `etc/alternatives/${f.name}`, target: `/${f.file}` });
    out.push({ type: 'symlink', path: `lib/firmware/${f.name}`, target: `/etc/alternatives/${f.name}` });
  }
  return out;
}
