/**
 * The guest's initramfs: busybox, /init, the kernel modules in the standard layout
 * (/lib/modules/<version>/kernel/..., with depmod's index files: depmod.ts), the dynamically linked programs with
 * their loader and libraries, packed as a newc cpio archive, uncompressed: the kernel would spend about half a
 * second of guest time (≈ 2 s of wall time under v86) inflating a gzip'd one at every boot, where v86 copies
 * the plain archive into the guest's memory at once (the kernel's unpack_to_rootfs takes either).
 */
import { writeCpio, type CpioEntry } from './cpio';
import { depmod, filterModuleList, type DepmodModule } from './depmod';
import { INIT_APPLETS, initScript, MODULE_APPLETS, SHELL_APPLETS } from './init-script';

/** A module file of the image with what depmod needs of it. */
export interface ModuleFile extends DepmodModule {
  data: Uint8Array;
}

export interface InitramfsInputs {
  busybox: Uint8Array;
  /** `uname -r` of the kernel: the modules go in /lib/modules/<kernelVersion>/. */
  kernelVersion: string;
  /** In load order (dependencies first). */
  modules: readonly ModuleFile[];
  /** The kernel package's modules.order (its build order: the order of modules.dep's lines) and modules.builtin. */
  modulesOrder?: string;
  modulesBuiltin?: string;
  /** Programs, loader, libraries and their links at the packages' paths (userland.ts); folders are added here. */
  userland?: readonly CpioEntry[];
}

/** Every busybox applet linked in the image, sorted and without repeats. */
export function appletList(): string[] {
  return [...new Set([...INIT_APPLETS, ...SHELL_APPLETS, ...MODULE_APPLETS])].sort();
}

/** The applet links: `bin/<applet>` for the shell's tools, `sbin/<applet>` for the module tools (sorted). */
export function appletLinks(): string[] {
  const sbin = new Set(MODULE_APPLETS);
  return appletList().map((a) => (sbin.has(a) ? `sbin/${a}` : `bin/${a}`));
}

/** The files of /lib/modules/<version>/ (paths relative to it): modules, depmod's index files, order and builtin. */
export function moduleTreeFiles(inp: Pick<InitramfsInputs, 'modules' | 'modulesOrder' | 'modulesBuiltin'>): Map<string, Uint8Array> {
  const enc = new TextEncoder();
  const out = new Map<string, Uint8Array>();
  for (const m of inp.modules) out.set(m.path, m.data);
  const order = filterModuleList(inp.modulesOrder ?? '', new Set(inp.modules.map((m) => m.path)));
  for (const [name, text] of Object.entries(depmod(inp.modules, order.split('\n')))) out.set(name, enc.encode(text));
  if (inp.modulesBuiltin !== undefined) out.set('modules.builtin', enc.encode(inp.modulesBuiltin));
  if (inp.modulesOrder !== undefined) out.set('modules.order', enc.encode(order));
  return out;
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
  // Links as `busybox --install -s` makes them: /bin/<applet> next to busybox, /sbin/<applet> -> /bin/busybox.
  e.push({ type: 'dir', path: 'sbin' });
  for (const l of appletLinks()) e.push({ type: 'symlink', path: l, target: l.startsWith('sbin/') ? '/bin/busybox' : 'busybox' });
  e.push({ type: 'file', path: 'etc/passwd', data: enc.encode('root:x:0:0:root:/root:/bin/sh\n') });
  e.push({ type: 'file', path: 'etc/group', data: enc.encode('root:x:0:\n') });
  e.push({ type: 'file', path: 'init', data: enc.encode(initScript()), mode: 0o755 });
  // The kernel's unpacker creates a member only inside a folder that exists: parents first.
  const dirs = new Set(e.filter((x) => x.type === 'dir').map((x) => x.path));
  const moduleDir = `lib/modules/${inp.kernelVersion}`;
  const tree = [...moduleTreeFiles(inp)].map(([rel, data]): CpioEntry => ({ type: 'file', path: `${moduleDir}/${rel}`, data }));
  for (const u of [...tree, ...(inp.userland ?? [])]) {
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

/** The archive. It carries no times, so equal inputs give equal bytes. */
export function buildInitramfs(inp: InitramfsInputs): Uint8Array {
  return writeCpio(initramfsEntries(inp));
}
