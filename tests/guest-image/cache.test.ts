import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptListsFingerprint, debFileName, parseKernelDepends, parseShow, type DebPackage } from '../../emulator/app/guest-image/apt';
import { BUILDER_VERSION, cacheKey, guestCacheDir, repoRoot, type CacheKeyInputs } from '../../emulator/app/guest-image/cache';
import { imageKey } from '../../emulator/app/guest-image';

const base: CacheKeyInputs = {
  builderVersion: 1,
  packages: ['linux-image-6.1.0-50-686_6.1.176-1_i386 aa', 'busybox-static_1:1.35.0-4_i386 bb', 'seabios_1.16.2-1_all cc'],
  init: '#!/bin/sh\n',
  modules: ['ne2k_pci', 'ne'],
  applets: ['ip', 'sh'],
  programs: ['iw/iw'],
};

describe('cache key', () => {
  test('is stable: equal inputs, equal key, independent of object key order', () => {
    const reordered: CacheKeyInputs = { programs: [...base.programs], applets: [...base.applets], modules: [...base.modules], init: base.init, packages: [...base.packages], builderVersion: 1 };
    expect(cacheKey(reordered)).toBe(cacheKey(base));
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  test('changes with every input', () => {
    const variants: CacheKeyInputs[] = [
      { ...base, builderVersion: 2 },
      { ...base, packages: [base.packages[0] ?? '', base.packages[1] ?? '', 'seabios_1.16.3-1_all cc'] },
      { ...base, init: '#!/bin/sh\necho\n' },
      { ...base, modules: ['ne2k_pci'] },
      { ...base, modules: ['ne', 'ne2k_pci'] },
      { ...base, applets: ['ip', 'sh', 'ping'] },
      { ...base, programs: [] },
    ];
    const keys = new Set([cacheKey(base), ...variants.map(cacheKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  test('imageKey covers each package SHA-256, not just its version', () => {
    const pkgs: DebPackage[] = [{ name: 'linux-image-6.1.0-50-686', arch: 'i386', version: '6.1.176-1', size: 1, sha256: 'a'.repeat(64) }];
    const other = [{ ...pkgs[0], sha256: 'b'.repeat(64) } as DebPackage];
    expect(imageKey(pkgs)).toBe(imageKey(pkgs.map((p) => ({ ...p }))));
    expect(imageKey(other)).not.toBe(imageKey(pkgs));
    expect(BUILDER_VERSION).toBeGreaterThanOrEqual(1);
  });

  test('cache folder: $QNXEMU_CACHE wins, else <repo>/.cache/guest', () => {
    const saved = process.env['QNXEMU_CACHE'];
    try {
      process.env['QNXEMU_CACHE'] = '/tmp/somewhere';
      expect(guestCacheDir()).toBe('/tmp/somewhere');
      delete process.env['QNXEMU_CACHE'];
      expect(guestCacheDir()).toBe(join(repoRoot() ?? 'no-repo', '.cache', 'guest'));
      expect(repoRoot()).toBe(join(__dirname, '..', '..'));
    } finally {
      if (saved === undefined) delete process.env['QNXEMU_CACHE'];
      else process.env['QNXEMU_CACHE'] = saved;
    }
  });
});

describe('apt output', () => {
  test('the kernel package from the metapackage Depends', () => {
    expect(parseKernelDepends('Package: linux-image-686\nVersion: 6.1.176-1\nDepends: linux-image-6.1.0-50-686 (= 6.1.176-1)\n')).toBe('linux-image-6.1.0-50-686');
    expect(parseKernelDepends('Package: linux-image-686\nDepends: linux-image-6.1.0-51-686:i386\n')).toBe('linux-image-6.1.0-51-686');
    expect(parseKernelDepends('Package: x\nRecommends: linux-image-6.1.0-50-686\n')).toBeUndefined();
  });

  test('package stanzas from apt-cache show, incomplete ones dropped', () => {
    const out =
      'Package: busybox-static\nVersion: 1:1.35.0-4+deb12u1+b1\nArchitecture: i386\nSize: 958344\nSHA256: ' + 'c'.repeat(64) + '\n\n' +
      'Package: seabios\nVersion: 1.16.2-1\nArchitecture: all\nSize: 162656\nSHA256: ' + 'd'.repeat(64) + '\nDescription: Legacy BIOS\n\n' +
      'Package: broken\nVersion: 1\n';
    const pkgs = parseShow(out);
    expect(pkgs.map((p) => [p.name, p.version, p.arch, p.size])).toEqual([
      ['busybox-static', '1:1.35.0-4+deb12u1+b1', 'i386', 958344],
      ['seabios', '1.16.2-1', 'all', 162656],
    ]);
    expect(pkgs[0] && debFileName(pkgs[0])).toBe('busybox-static_1%3a1.35.0-4+deb12u1+b1_i386.deb');
  });

  test('the lists fingerprint follows the Packages files and ignores others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qnxemu-lists-'));
    writeFileSync(join(dir, 'deb_dists_bookworm_main_binary-i386_Packages.lz4'), 'x');
    const a = aptListsFingerprint(dir);
    writeFileSync(join(dir, 'deb_dists_bookworm_InRelease'), 'y');
    expect(aptListsFingerprint(dir)).toBe(a);
    writeFileSync(join(dir, 'deb_dists_bookworm_main_binary-i386_Packages.lz4'), 'xx');
    expect(aptListsFingerprint(dir)).not.toBe(a);
    expect(aptListsFingerprint(join(dir, 'missing'))).toBe('');
  });
});
