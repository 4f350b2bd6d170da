/**
 * Test helper: stand-ins for apt-cache, apt-get, dpkg and dpkg-deb that serve fake packages (a kernel with
 * fake NIC modules, busybox, SeaBIOS, and iw with the dependency closure Debian gives it: libnl-genl-3-200,
 * libnl-3-200, libc6, libgcc-s1, gcc-12-base; wpasupplicant; wireless-regdb) from a temporary folder, logging every call. A fake .deb is a
 * text file naming the folder that `dpkg-deb -x` copies. `apt-cache show` answers each spec as apt does: an
 * `Architecture: all` package only when asked without an architecture qualifier.
 */
import { createHash } from 'node:crypto';
import { chmodSync, rmSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, utimesSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostTools } from '../../emulator/app/guest-image/host';
import { fakeDynElf, fakeKo } from './fake-elf';
import { fakeBzImage, fakeVmlinux } from './fake-kernel';

export const FAKE_KVER = '6.1.0-99-686';
/** The fake kernel: a bzImage whose payload is a vmlinux loading "KERNEL" at 16 MiB (fake-kernel.ts). */
export const FAKE_BZIMAGE = fakeBzImage(fakeVmlinux(0x1000000, [{ paddr: 0x1000000, bytes: 'KERNEL' }]));

/** Module name → [file, depends] for the fake kernel (the real NIC closure plus one unrelated module). */
const MODULES: Record<string, [string, string]> = {
  '8390': ['ethernet/8390/8390.ko', ''],
  ne2k_pci: ['ethernet/8390/ne2k-pci.ko', '8390'],
  '8390p': ['ethernet/8390/8390p.ko', ''],
  ne: ['ethernet/8390/ne.ko', '8390p'],
  libphy: ['phy/libphy.ko', ''],
  tg3: ['ethernet/broadcom/tg3.ko', 'libphy'],
  rfkill: ['rfkill/rfkill.ko', ''],
  libarc4: ['crypto/libarc4.ko', ''],
  cfg80211: ['wireless/cfg80211.ko', 'rfkill'],
  ctr: ['crypto/ctr.ko', ''],
  ccm: ['crypto/ccm.ko', ''],
  mac80211: ['mac80211/mac80211.ko', 'cfg80211,libarc4'],
  rt2x00lib: ['wireless/ralink/rt2x00/rt2x00lib.ko', 'mac80211,cfg80211,rfkill'],
  rt2x00pci: ['wireless/ralink/rt2x00/rt2x00pci.ko', 'rt2x00lib,mac80211'],
  rt2x00mmio: ['wireless/ralink/rt2x00/rt2x00mmio.ko', 'rt2x00lib'],
  eeprom_93cx6: ['eeprom/eeprom_93cx6.ko', ''],
  rt2500pci: ['wireless/ralink/rt2x00/rt2500pci.ko', 'rt2x00pci,rt2x00mmio,rt2x00lib,eeprom_93cx6'],
  e1000: ['ethernet/intel/e1000.ko', ''],
};

export interface FakeHost {
  tools: HostTools;
  /** Every tool call so far, "tool args". */
  calls(): string[];
  /** Serve a new kernel package version (changes the kernel .deb and so the cache key). */
  setKernelVersion(v: string): void;
  /** Make `apt-get download` fail as it does without network. */
  failDownloads(): void;
  /** Touch apt's lists, as `apt-get update` would. */
  touchLists(): void;
}

function sh(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

export function makeFakeHost(): FakeHost {
  const root = mkdtempSync(join(tmpdir(), 'qnxemu-fakeapt-'));
  const bin = join(root, 'bin');
  const log = join(root, 'calls.log');
  const lists = join(root, 'lists');
  for (const d of [bin, lists, join(root, 'pool')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(lists, 'example_main_binary-i386_Packages'), 'v1');

  const tree = (name: string, files: Record<string, Uint8Array | string>): string => {
    const dir = join(root, 'trees', name);
    for (const [rel, data] of Object.entries(files)) {
      const p = join(dir, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      if (typeof data === 'string' && data.startsWith('->')) symlinkSync(data.slice(2), p);
      else writeFileSync(p, data, { mode: 0o755 });
    }
    return dir;
  };
  const kfiles: Record<string, Uint8Array | string> = { [`boot/vmlinuz-${FAKE_KVER}`]: FAKE_BZIMAGE, [`boot/config-${FAKE_KVER}`]: 'CONFIG_X=y\n' };
  for (const [name, [rel, deps]] of Object.entries(MODULES)) {
    kfiles[`lib/modules/${FAKE_KVER}/kernel/drivers/net/${rel}`] = fakeKo([`depends=${deps}`, `name=${name}`]);
  }
  const trees = {
    kernel: tree('kernel', kfiles),
    busybox: tree('busybox', { 'bin/busybox': 'BUSYBOX' }),
    seabios: tree('seabios', { 'usr/share/seabios/bios.bin': 'BIOS', 'usr/share/seabios/vgabios-stdvga.bin': 'VGABIOS', 'usr/share/seabios/vgabios-cirrus.bin': 'X' }),
    iw: tree('iw', { 'sbin/iw': fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['libnl-genl-3.so.200', 'libnl-3.so.200', 'libc.so.6'] }), 'usr/share/man/man8/iw.8.gz': 'MAN' }),
    // wpasupplicant: two programs; its Depends: names adduser (postinst only), which the closure does not follow.
    wpa: tree('wpasupplicant', {
      'sbin/wpa_supplicant': fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['libnl-genl-3.so.200', 'libnl-3.so.200', 'libc.so.6'] }),
      'sbin/wpa_cli': fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['libc.so.6'] }),
      'etc/dbus-1/system.d/wpa_supplicant.conf': 'DBUS',
    }),
    libnlGenl: tree('libnl-genl-3-200', {
      'lib/i386-linux-gnu/libnl-genl-3.so.200': '->libnl-genl-3.so.200.26.0',
      'lib/i386-linux-gnu/libnl-genl-3.so.200.26.0': fakeDynElf({ needed: ['libnl-3.so.200', 'libc.so.6'], soname: 'libnl-genl-3.so.200' }),
    }),
    libnl: tree('libnl-3-200', {
      'lib/i386-linux-gnu/libnl-3.so.200': '->libnl-3.so.200.26.0',
      'lib/i386-linux-gnu/libnl-3.so.200.26.0': fakeDynElf({ needed: ['libc.so.6'], soname: 'libnl-3.so.200' }),
    }),
    libc: tree('libc6', {
      'lib/ld-linux.so.2': '->i386-linux-gnu/ld-linux.so.2',
      'lib/i386-linux-gnu/ld-linux.so.2': fakeDynElf({ soname: 'ld-linux.so.2' }),
      'lib/i386-linux-gnu/libc.so.6': fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['ld-linux.so.2'], soname: 'libc.so.6' }),
      'lib/i386-linux-gnu/libm.so.6': fakeDynElf({ needed: ['libc.so.6'], soname: 'libm.so.6' }),
    }),
    libgcc: tree('libgcc-s1', { 'lib/i386-linux-gnu/libgcc_s.so.1': fakeDynElf({ needed: ['libc.so.6'], soname: 'libgcc_s.so.1' }) }),
    gccBase: tree('gcc-12-base', { 'usr/share/doc/gcc-12-base/README': 'DOC' }),
    regdb: tree('wireless-regdb', {
      'lib/firmware/regulatory.db-debian': 'REGDB-DEBIAN',
      'lib/firmware/regulatory.db.p7s-debian': 'P7S-DEBIAN',
      'lib/firmware/regulatory.db-upstream': 'REGDB-UPSTREAM',
      'lib/firmware/regulatory.db.p7s-upstream': 'P7S-UPSTREAM',
    }),
  };
  let kernelVersion = '6.1.999-1';

  const publish = (): void => {
    rmSync(join(root, 'pool'), { recursive: true, force: true });
    mkdirSync(join(root, 'pool'));
    const pkgs = [
      { name: `linux-image-${FAKE_KVER}`, arch: 'i386', version: kernelVersion, tree: trees.kernel, depends: '' },
      { name: 'busybox-static', arch: 'i386', version: '1:1.35.0-4', tree: trees.busybox, depends: '' },
      { name: 'seabios', arch: 'all', version: '1.16.2-1', tree: trees.seabios, depends: '' },
      { name: 'iw', arch: 'i386', version: '5.19-1', tree: trees.iw, depends: 'libc6 (>= 2.17), libnl-3-200 (>= 3.2.7), libnl-genl-3-200 (>= 3.2.7)' },
      { name: 'wpasupplicant', arch: 'i386', version: '2:2.10-12', tree: trees.wpa, depends: 'libc6 (>= 2.34), libnl-3-200 (>= 3.2.21), libnl-genl-3-200 (>= 3.2.7), adduser' },
      { name: 'libc6', arch: 'i386', version: '2.36-9', tree: trees.libc, depends: 'libgcc-s1' },
      { name: 'libnl-3-200', arch: 'i386', version: '3.7.0-0.2', tree: trees.libnl, depends: 'libc6 (>= 2.34)' },
      { name: 'libnl-genl-3-200', arch: 'i386', version: '3.7.0-0.2', tree: trees.libnlGenl, depends: 'libnl-3-200 (= 3.7.0-0.2), libc6 (>= 2.4)' },
      { name: 'libgcc-s1', arch: 'i386', version: '12.2.0-14', tree: trees.libgcc, depends: 'gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)' },
      // i386 in Debian; `all` here, so that the closure's second look-up (no qualifier) is exercised.
      { name: 'gcc-12-base', arch: 'all', version: '12.2.0-14', tree: trees.gccBase, depends: '' },
      { name: 'wireless-regdb', arch: 'all', version: '2026.09.03-1', tree: trees.regdb, depends: '' },
    ];
    rmSync(join(root, 'show'), { recursive: true, force: true });
    mkdirSync(join(root, 'show'));
    for (const p of pkgs) {
      const deb = `${p.tree}\n${p.version}\n`;
      const file = `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`;
      writeFileSync(join(root, 'pool', file), deb);
      const sha = createHash('sha256').update(deb).digest('hex');
      const dep = p.depends === '' ? '' : `Depends: ${p.depends}\n`;
      const stanza = `Package: ${p.name}\nVersion: ${p.version}\nArchitecture: ${p.arch}\n${dep}Size: ${Buffer.byteLength(deb)}\nSHA256: ${sha}\n\n`;
      writeFileSync(join(root, 'show', p.arch === 'all' ? p.name : `${p.name}:${p.arch}`), stanza);
    }
    writeFileSync(join(root, 'meta.txt'), `Package: linux-image-686\nVersion: ${kernelVersion}\nDepends: linux-image-${FAKE_KVER} (= ${kernelVersion})\n\n`);
  };
  publish();

  const logLine = (tool: string): string => `echo "${tool} $*" >> "${log}"`;
  sh(join(bin, 'apt-cache'), `${logLine('apt-cache')}
if [ "$3" = "linux-image-686:i386" ]; then cat "${root}/meta.txt"; exit 0; fi
for spec; do
  case "$spec" in show|--no-all-versions) ;; *) [ -f "${root}/show/$spec" ] && cat "${root}/show/$spec" ;; esac
done
exit 0`);
  sh(join(bin, 'apt-get'), `${logLine('apt-get')}
if [ -e "${root}/fail-download" ]; then echo "E: Failed to fetch http://deb.example/x.deb  Temporary failure resolving 'deb.example'" >&2; exit 100; fi
for spec; do
  [ "$spec" = download ] && continue
  name=\${spec%%:*}
  cp "${root}/pool/$name"_* .
done`);
  sh(join(bin, 'dpkg'), `${logLine('dpkg')}\necho i386`);
  sh(join(bin, 'dpkg-deb'), `${logLine('dpkg-deb')}\nsrc=$(head -n 1 "$2"); mkdir -p "$3"; cp -r "$src"/. "$3"/`);

  return {
    tools: { aptCache: join(bin, 'apt-cache'), aptGet: join(bin, 'apt-get'), dpkg: join(bin, 'dpkg'), dpkgDeb: join(bin, 'dpkg-deb'), aptLists: lists },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(root).join('FAKE')) : []),
    setKernelVersion(v) {
      kernelVersion = v;
      publish();
      this.touchLists();
    },
    failDownloads: () => writeFileSync(join(root, 'fail-download'), ''),
    touchLists() {
      const f = join(lists, 'example_main_binary-i386_Packages');
      writeFileSync(f, readFileSync(f, 'utf8') + '+');
      const t = new Date(Date.now() + 5000);
      utimesSync(f, t, t);
    },
  };
}
