/**
 * The guest's initramfs: busybox, /init, the NIC driver modules and their table, the dynamically linked
 * programs with their loader and libraries, packed as a gzip'd newc cpio archive.
 */
import { gzipSync } from 'node:zlib';
import { writeCpio, type CpioEntry } from './cpio';
import { INIT_APPLETS, initScript, MODULE_TABLE_PATH, SHELL_APPLETS } from './init-script';
import type { ResolvedModule } from './modules';

export interface ModuleFile extends ResolvedModule {
  /** File name in /lib/modules of the image, e.g. "ne2k-pci.ko". */
  file: string;
  data: Uint8Array;
}

export interface InitramfsInputs {
  busybox: Uint8Array;
  /** In load order (dependencies first). */
  modules: readonly ModuleFile[];
  /** Programs, loader, libraries and their links at the packages' paths (userland.ts); folders are added here. */
  userland?: readonly CpioEntry[];
}

/** Every applet linked to /bin/busybox, sorted and without repeats. */
export function appletList(): string[] {
  return [...new Set([...INIT_APPLETS, ...SHELL_APPLETS])].sort();
}

/** The loader's table: `<name> <file> [<dep>...]` per module, in load order. */
export function moduleTable(mods: readonly ModuleFile[]): string {
  return mods.map((m) => [m.name, m.file, ...m.depends].join(' ') + '\n').join('');
}

/** The archive members, parents first. */
export function initramfsEntries(inp: InitramfsInputs): CpioEntry[] {
  const enc = new TextEncoder();
  const e: CpioEntry[] = [
    { type: 'dir', path: 'bin' },
    { type: 'dir', path: 'dev' },
    // The kernel opens /dev/console for init's stdin/stdout before /init can mount devtmpfs.
    { type: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 },
    { type: 'dir', path: 'etc' },
    { type: 'dir', path: 'lib' },
    { type: 'dir', path: 'lib/modules' },
    { type: 'dir', path: 'proc' },
    { type: 'dir', path: 'root', mode: 0o700 },
    // Run-time state (wpa_supplicant's ctrl_interface=/run/wpa_supplicant), with Debian's /var/run -> /run.
    { type: 'dir', path: 'run', mode: 0o755 },
    { type: 'dir', path: 'sys' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'var' },
    { type: 'symlink', path: 'var/run', target: '/run' },
    { type: 'file', path: 'bin/busybox', data: inp.busybox, mode: 0o755 },
  ];
  for (const a of appletList()) e.push({ type: 'symlink', path: `bin/${a}`, target: 'busybox' });
  e.push({ type: 'file', path: 'etc/passwd', data: enc.encode('root:x:0:0:root:/root:/bin/sh\n') });
  e.push({ type: 'file', path: 'etc/group', data: enc.encode('root:x:0:\n') });
  e.push({ type: 'file', path: 'init', data: enc.encode(initScript()), mode: 0o755 });
  for (const m of inp.modules) e.push({ type: 'file', path: `lib/modules/${m.file}`, data: m.data });
  e.push({ type: 'file', path: MODULE_TABLE_PATH, data: enc.encode(moduleTable(inp.modules)) });
  // The kernel's unpacker creates a member only inside a folder that exists: parents first.
  const dirs = new Set(e.filter((x) => x.type === 'dir').map((x) => x.path));
  for (const u of inp.userland ?? []) {
    const parts = u.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (dirs.has(d)) continue;
      dirs.add(d);
      e.push({ type: 'dir', path: d });
    }
    e.push(u);
  }
  return e;
}

/** The gzip'd archive. The gzip header carries no time or name, so equal inputs give equal bytes. */
export function buildInitramfs(inp: InitramfsInputs): Uint8Array {
  return gzipSync(writeCpio(initramfsEntries(inp)), { level: 9 });
}
