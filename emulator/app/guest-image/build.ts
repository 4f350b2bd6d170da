/**
 * One guest image build from downloaded .deb files: unpack, pick the kernel and BIOS, resolve and read
 * the NIC modules, collect the dynamically linked programs with their libraries, pack the initramfs, decompress
 * the kernel for a direct boot (direct-boot.ts), and write everything into the image folder.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debFileName, type DebPackage } from './apt';
import { cannotRun, checkInterrupt, checkSignal, GuestBuildError, run, tail, type HostTools } from './host';
import { DepmodError } from './depmod';
import { decompressKernel, DirectBootError, directBootImage } from './direct-boot';
import { buildInitramfs, type ModuleFile } from './initramfs';
import { moduleAliases, moduleDepends, moduleExports, moduleSoftdeps, readModInfo } from './modinfo';
import { indexModules, moduleFactsFromTree, readModuleFile, resolveModules, type ResolvedModule } from './modules';
import type { Progress } from './progress';
import { FIRMWARE_FILES, firmwareEntries, USERLAND_PROGRAMS, userlandEntries, UserlandError } from './userland';

/** File names inside an image folder. */
export const IMAGE_FILES = { kernel: 'bzImage', initrd: 'initrd.img', bios: 'bios.bin', vgaBios: 'vgabios.bin', manifest: 'manifest.json' } as const;

/** What manifest.json records about a build. */
export interface ImageManifest {
  cacheKey: string;
  kernelVersion: string;
  /** Module names in load order (dependencies first). */
  modules: string[];
  /** Files and links of the dynamically linked programs and firmware ("/sbin/iw", "/lib/ld-linux.so.2", "/lib/firmware/regulatory.db", …). */
  userland: string[];
  packages: string[];
  sizes: Record<string, number>;
}

async function unpack(tools: HostTools, deb: string, into: string, signal: AbortSignal | undefined): Promise<void> {
  mkdirSync(into, { recursive: true });
  const r = await run(tools.dpkgDeb, ['-x', deb, into], { signal });
  if (r.spawnError !== undefined) throw new GuestBuildError(`qnxemu: unpacking the guest packages needs dpkg-deb (Debian's dpkg package): ${cannotRun(tools.dpkgDeb, r.spawnError)}`);
  checkSignal(r, `dpkg-deb -x ${deb}`, signal);
  if (r.status !== 0) throw new GuestBuildError(`qnxemu: dpkg-deb -x ${deb} failed: ${tail(r.stderr)}`);
}

function need(path: string, what: string): string {
  if (!existsSync(path)) throw new GuestBuildError(`qnxemu: the ${what} is not where the package should have it: ${path}`);
  return path;
}

export interface BuildArgs {
  tools: HostTools;
  debDir: string;
  packages: readonly DebPackage[];
  rootModules: readonly string[];
  cacheKey: string;
  /** The finished image folder; written through a temporary sibling and renamed at the end. */
  imageDir: string;
  progress: Progress;
  /** Stops the build between two steps or tools (GuestBuildInterrupted); the temporary folders are removed. */
  signal?: AbortSignal | undefined;
}

/** Builds the image into `imageDir` and returns its manifest. */
export async function buildImage(a: BuildArgs): Promise<ImageManifest> {
  const work = `${a.imageDir}.work-${process.pid}`;
  const staging = `${a.imageDir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
  try {
    const byName = (prefix: string): DebPackage => {
      const p = a.packages.find((x) => x.name.startsWith(prefix));
      if (p === undefined) throw new GuestBuildError(`qnxemu: internal: no ${prefix} package resolved`);
      return p;
    };
    const kernelPkg = byName('linux-image-');
    const busyboxPkg = byName('busybox-static');
    const biosPkg = byName('seabios');

    // Every other package belongs to the programs' dependency closure (apt.ts dependencyClosure).
    const userPkgs = a.packages.filter((p) => p !== kernelPkg && p !== busyboxPkg && p !== biosPkg);
    const up = a.progress.step('unpacking packages', a.packages.length, 'items');
    let n = 0;
    for (const p of [kernelPkg, busyboxPkg, biosPkg, ...userPkgs]) {
      await unpack(a.tools, join(a.debDir, debFileName(p)), join(work, p.name), a.signal);
      up.update(++n);
    }
    up.finish();

    const kroot = join(work, kernelPkg.name);
    const vmlinuz = readdirSync(need(join(kroot, 'boot'), 'kernel /boot folder')).find((f) => /^vmlinuz-/.test(f));
    if (vmlinuz === undefined) throw new GuestBuildError(`qnxemu: no boot/vmlinuz-* in ${debFileName(kernelPkg)}`);
    const kernelVersion = vmlinuz.slice('vmlinuz-'.length);
    const modulesDir = need(join(kroot, 'lib', 'modules', kernelVersion), 'kernel modules folder');

    const index = indexModules(modulesDir);
    let resolved: ResolvedModule[];
    try {
      resolved = resolveModules(a.rootModules, moduleFactsFromTree(modulesDir, index));
    } catch (e) {
      throw new GuestBuildError(`qnxemu: kernel ${kernelVersion}: ${(e as Error).message}`);
    }
    const ms = a.progress.step('reading kernel modules', resolved.length, 'items');
    const modules: ModuleFile[] = resolved.map((m, i) => {
      const rel = index.get(m.name) ?? '';
      // At the package's path (kernel/drivers/...), decompressed: the guest's busybox reads plain .ko files.
      const path = rel.replace(/\.ko\.(gz|xz|zst)$/, '.ko');
      const data = readModuleFile(join(modulesDir, rel));
      const info = readModInfo(data);
      ms.update(i + 1);
      return { name: m.name, path, data, depends: moduleDepends(info), aliases: moduleAliases(info), softdeps: moduleSoftdeps(info), exports: moduleExports(data) };
    });
    ms.finish();
    const optional = (f: string): string | undefined => (existsSync(join(modulesDir, f)) ? readFileSync(join(modulesDir, f), 'utf8') : undefined);
    const modulesOrder = optional('modules.order');
    const modulesBuiltin = optional('modules.builtin');

    const busybox = readFileSync(need(join(work, busyboxPkg.name, 'bin', 'busybox'), 'busybox binary'));
    let userland;
    try {
      const roots = userPkgs.map((p) => ({ name: p.name, dir: join(work, p.name) }));
      userland = [...userlandEntries(USERLAND_PROGRAMS, roots), ...firmwareEntries(FIRMWARE_FILES, roots)];
    } catch (e) {
      if (e instanceof UserlandError) throw new GuestBuildError(`qnxemu: guest programs: ${e.message}`);
      throw e;
    }
    checkInterrupt(a.signal);
    const pk = a.progress.step('packing the initramfs', 1, 'items');
    let initrd: Uint8Array;
    try {
      initrd = buildInitramfs({
        busybox,
        kernelVersion,
        modules,
        userland,
        ...(modulesOrder !== undefined ? { modulesOrder } : {}),
        ...(modulesBuiltin !== undefined ? { modulesBuiltin } : {}),
      });
    } catch (e) {
      if (e instanceof DepmodError) throw new GuestBuildError(`qnxemu: kernel ${kernelVersion}: ${e.message}`);
      throw e;
    }
    pk.update(1);
    pk.finish();

    const kd = a.progress.step('decompressing the kernel', 1, 'items');
    let kernel: Uint8Array;
    try {
      const bz = readFileSync(need(join(kroot, 'boot', vmlinuz), 'kernel image'));
      kernel = directBootImage(bz, decompressKernel(bz));
    } catch (e) {
      if (e instanceof DirectBootError) throw new GuestBuildError(`qnxemu: kernel ${kernelVersion}: ${e.message}`);
      throw e;
    }
    kd.update(1);
    kd.finish();

    checkInterrupt(a.signal); // the last point before the image is written: after it, the build completes
    mkdirSync(staging, { recursive: true });
    const biosDir = join(work, biosPkg.name, 'usr', 'share', 'seabios');
    writeFileSync(join(staging, IMAGE_FILES.kernel), kernel);
    writeFileSync(join(staging, IMAGE_FILES.initrd), initrd);
    copyFileSync(need(join(biosDir, 'bios.bin'), 'SeaBIOS image'), join(staging, IMAGE_FILES.bios));
    copyFileSync(need(join(biosDir, 'vgabios-stdvga.bin'), 'VGA BIOS image'), join(staging, IMAGE_FILES.vgaBios));
    const sizes: Record<string, number> = {};
    for (const f of [IMAGE_FILES.kernel, IMAGE_FILES.initrd, IMAGE_FILES.bios, IMAGE_FILES.vgaBios]) sizes[f] = readFileSync(join(staging, f)).length;
    const manifest: ImageManifest = {
      cacheKey: a.cacheKey,
      kernelVersion,
      modules: modules.map((m) => m.name),
      userland: userland.map((e) => `/${e.path}`),
      packages: a.packages.map((p) => `${p.name}_${p.version}_${p.arch}`),
      sizes,
    };
    writeFileSync(join(staging, IMAGE_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(a.imageDir, { recursive: true, force: true });
    renameSync(staging, a.imageDir);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}
