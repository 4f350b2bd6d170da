/**
 * Kernel modules for the guest: find them in an unpacked kernel package, resolve their dependencies
 * from each module's own `.modinfo`, and read them (decompressing .ko.gz/.ko.xz/.ko.zst if a kernel
 * ships them compressed; Debian bookworm's 6.1 kernels ship plain .ko).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { NIC_KINDS } from '../../../nic-models/registry';
import { moduleDepends, moduleSoftPre, readModInfo } from './modinfo';

/**
 * Drivers the image carries whether or not their model is registered yet (tg3: BCM5701; rt2500pci: RT2560),
 * in the order the image has always loaded them, which keeps its load order and cache key stable as kinds
 * are registered.
 */
const CARRIED_NIC_DRIVERS: readonly string[] = ['ne2k_pci', 'ne', 'tg3', 'rt2500pci'];

/**
 * The NIC drivers every guest image carries, by Linux module name: the drivers above, then the Linux driver
 * (`linuxDriver.module`) of every other registered NIC kind (nic-models/registry.ts), in registry order. A
 * new model's driver is in the image as soon as its kind is registered.
 */
export const NIC_DRIVER_MODULES: readonly string[] = [
  ...new Set([...CARRIED_NIC_DRIVERS, ...NIC_KINDS.flatMap((k) => (k.linuxDriver ? [normalizeModName(k.linuxDriver.module)] : []))]),
];

/**
 * Modules the kernel asks for by name at run time, which the image carries although no driver depends on them:
 * mac80211 allocates "ccm(aes)" when a CCMP key is installed (net/mac80211/aes_ccm.c
 * ieee80211_aes_key_setup_encrypt), and the crypto API loads a missing template with request_module("crypto-ccm"),
 * then "crypto-ctr" for the CTR mode CCM is built on (crypto/api.c crypto_larval_lookup, crypto/algapi.c
 * crypto_lookup_template). Debian's 686 kernel has both as modules (CONFIG_CRYPTO_CCM=m, CONFIG_CRYPTO_CTR=m; AES and
 * CBC are built in). request_module runs /sbin/modprobe (CONFIG_MODPROBE_PATH), which finds them through
 * modules.alias (`alias crypto-ccm ccm`). Without them wpa_supplicant logs `nl80211: kernel reports: key addition
 * failed` and `WPA: Failed to set PTK to the driver`, mac80211 deauthenticates, and WPA2 never completes.
 */
export const KERNEL_REQUESTED_MODULES: readonly string[] = ['ctr', 'ccm'];

/** Every module the image is built around (their dependencies come with them): the NIC drivers, then the above. */
export const IMAGE_MODULES: readonly string[] = [...new Set([...NIC_DRIVER_MODULES, ...KERNEL_REQUESTED_MODULES])];

/** Linux module name of a file: the base name without .ko[.ext], '-' read as '_' (KBUILD_MODNAME). */
export function moduleNameOf(file: string): string {
  return normalizeModName(basename(file).replace(/\.ko(\.(gz|xz|zst))?$/, ''));
}

/** Module names compare with '-' and '_' equal, as modprobe does. */
export function normalizeModName(name: string): string {
  return name.replace(/-/g, '_');
}

/** Walks <modulesDir> (lib/modules/<version>) and maps module name → path relative to it. */
export function indexModules(modulesDir: string): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (rel: string): void => {
    const entries = readdirSync(join(modulesDir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (/\.ko(\.(gz|xz|zst))?$/.test(e.name)) index.set(moduleNameOf(e.name), r);
    }
  };
  walk('');
  return index;
}

/** What resolution needs to know about one module. */
export interface ModuleFacts {
  depends: string[];
  /** softdep "pre:" modules: loaded first when present, skipped when the kernel has no such module. */
  softPre: string[];
}

export interface ResolvedModule {
  name: string;
  /** Direct hard dependencies (module names), as the guest's loader needs them. */
  depends: string[];
}

/**
 * Orders the closure of `roots` so that every module comes after its dependencies (depth-first, in the
 * order the dependencies are listed, so the result is stable). `facts(name)` returns undefined for a
 * module the kernel does not have; that is an error for a root or a hard dependency.
 */
export function resolveModules(roots: readonly string[], facts: (name: string) => ModuleFacts | undefined): ResolvedModule[] {
  const out: ResolvedModule[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (raw: string, neededBy: string | undefined, optional: boolean): void => {
    const name = normalizeModName(raw);
    if (done.has(name)) return;
    if (onPath.includes(name)) throw new Error(`module dependency cycle: ${[...onPath, name].join(' -> ')}`);
    const f = facts(name);
    if (f === undefined) {
      if (optional) return;
      throw new Error(neededBy === undefined ? `the kernel has no module "${name}"` : `module "${neededBy}" needs "${name}", which the kernel does not have`);
    }
    onPath.push(name);
    for (const d of f.softPre) visit(d, name, true);
    const depends = f.depends.map(normalizeModName);
    for (const d of depends) visit(d, name, false);
    onPath.pop();
    done.add(name);
    out.push({ name, depends });
  };
  for (const r of roots) visit(r, undefined, false);
  return out;
}

/** Reads a module file, decompressing it by its extension. xz and zstd use the host's `xz`/`zstd`. */
export function readModuleFile(path: string): Uint8Array {
  const raw = readFileSync(path);
  if (path.endsWith('.ko')) return raw;
  if (path.endsWith('.ko.gz')) return gunzipSync(raw);
  const tool = path.endsWith('.ko.xz') ? 'xz' : path.endsWith('.ko.zst') ? 'zstd' : undefined;
  if (tool === undefined) throw new Error(`not a kernel module file: ${path}`);
  const r = spawnSync(tool, ['-dc'], { input: raw, maxBuffer: 1 << 30 });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`decompressing ${path} needs the host tool "${tool}" (apt-get install ${tool === 'xz' ? 'xz-utils' : 'zstd'})`);
  }
  return r.stdout;
}

/** Module facts read from the files of an unpacked kernel (memoized per name). */
export function moduleFactsFromTree(modulesDir: string, index: Map<string, string>): (name: string) => ModuleFacts | undefined {
  const memo = new Map<string, ModuleFacts>();
  return (name) => {
    const hit = memo.get(name);
    if (hit !== undefined) return hit;
    const rel = index.get(name);
    if (rel === undefined) return undefined;
    const info = readModInfo(readModuleFile(join(modulesDir, rel)));
    const f = { depends: moduleDepends(info), softPre: moduleSoftPre(info) };
    memo.set(name, f);
    return f;
  };
}
