import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { elfSection, moduleDepends, moduleSoftPre, parseModInfoStrings, readModInfo } from '../../emulator/app/guest-image/modinfo';
import { fakeKo } from './fake-elf';
import { indexModules, moduleFactsFromTree, moduleNameOf, readModuleFile, resolveModules, type ModuleFacts } from '../../emulator/app/guest-image/modules';

describe('.modinfo', () => {
  test.each([[32, true], [64, true], [32, false], [64, false]] as const)('reads depends/softdep from a %i-bit ELF (little-endian %s)', (bits, le) => {
    const info = readModInfo(fakeKo(['license=GPL', 'softdep=pre: crc32c post: foo', 'depends=rt2x00pci,rt2x00mmio', 'firmware=a.bin', 'firmware=b.bin', 'name=rt2500pci'], bits, le));
    expect(moduleDepends(info)).toEqual(['rt2x00pci', 'rt2x00mmio']);
    expect(moduleSoftPre(info)).toEqual(['crc32c']);
    expect(info.get('firmware')).toEqual(['a.bin', 'b.bin']);
    expect(info.get('name')).toEqual(['rt2500pci']);
  });

  test('an empty depends= is no dependency', () => {
    expect(moduleDepends(parseModInfoStrings(Buffer.from('depends=\0name=8390\0')))).toEqual([]);
  });

  test('non-ELF input and a missing section are errors, not crashes', () => {
    expect(() => readModInfo(Buffer.from('not an elf at all, just some text that is long enough to pass the size check....'))).toThrow(/not an ELF/);
    const ko = fakeKo(['name=x']);
    expect(elfSection(ko, '.text')).toBeUndefined();
    expect(() => readModInfo(ko.subarray(0, 60))).toThrow();
  });
});

describe('module dependency resolution', () => {
  const table: Record<string, ModuleFacts> = {
    '8390': { depends: [], softPre: [] },
    '8390p': { depends: [], softPre: [] },
    ne2k_pci: { depends: ['8390'], softPre: [] },
    ne: { depends: ['8390p'], softPre: [] },
    libphy: { depends: [], softPre: [] },
    tg3: { depends: ['libphy'], softPre: [] },
    rfkill: { depends: [], softPre: [] },
    libarc4: { depends: [], softPre: [] },
    cfg80211: { depends: ['rfkill'], softPre: [] },
    mac80211: { depends: ['cfg80211', 'libarc4'], softPre: ['absent_helper'] },
    rt2x00lib: { depends: ['mac80211', 'cfg80211', 'rfkill'], softPre: [] },
    rt2x00pci: { depends: ['rt2x00lib', 'mac80211'], softPre: [] },
    rt2x00mmio: { depends: ['rt2x00lib'], softPre: [] },
    eeprom_93cx6: { depends: [], softPre: [] },
    rt2500pci: { depends: ['rt2x00pci', 'rt2x00mmio', 'rt2x00lib', 'eeprom_93cx6'], softPre: [] },
  };
  const facts = (n: string): ModuleFacts | undefined => table[n];

  test('orders the closure so every module follows its dependencies', () => {
    const r = resolveModules(['ne2k-pci', 'ne', 'tg3', 'rt2500pci'], facts);
    expect(r.map((m) => m.name)).toEqual([
      '8390', 'ne2k_pci', '8390p', 'ne', 'libphy', 'tg3',
      'rfkill', 'cfg80211', 'libarc4', 'mac80211', 'rt2x00lib', 'rt2x00pci', 'rt2x00mmio', 'eeprom_93cx6', 'rt2500pci',
    ]);
    const pos = new Map(r.map((m, i) => [m.name, i]));
    for (const m of r) for (const d of m.depends) expect(pos.get(d)).toBeLessThan(pos.get(m.name) ?? -1);
  });

  test('a missing root or hard dependency is an error naming it; a missing softdep is skipped', () => {
    expect(() => resolveModules(['e1000'], facts)).toThrow('the kernel has no module "e1000"');
    expect(() => resolveModules(['x'], (n) => (n === 'x' ? { depends: ['y'], softPre: [] } : undefined))).toThrow('module "x" needs "y"');
    expect(resolveModules(['mac80211'], facts).map((m) => m.name)).toEqual(['rfkill', 'cfg80211', 'libarc4', 'mac80211']);
  });

  test('a cycle is reported', () => {
    const cyc: Record<string, ModuleFacts> = { a: { depends: ['b'], softPre: [] }, b: { depends: ['a'], softPre: [] } };
    expect(() => resolveModules(['a'], (n) => cyc[n])).toThrow('module dependency cycle: a -> b -> a');
  });

  test('reads facts from a module tree, with compressed and hyphenated files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qnxemu-mods-'));
    mkdirSync(join(dir, 'kernel', 'net'), { recursive: true });
    writeFileSync(join(dir, 'kernel', 'net', '8390.ko'), fakeKo(['depends=', 'name=8390']));
    writeFileSync(join(dir, 'kernel', 'net', 'ne2k-pci.ko.gz'), gzipSync(fakeKo(['depends=8390', 'name=ne2k_pci'])));
    const index = indexModules(dir);
    expect([...index.entries()]).toEqual([['8390', 'kernel/net/8390.ko'], ['ne2k_pci', 'kernel/net/ne2k-pci.ko.gz']]);
    expect(moduleNameOf('ne2k-pci.ko.zst')).toBe('ne2k_pci');
    const r = resolveModules(['ne2k_pci'], moduleFactsFromTree(dir, index));
    expect(r).toEqual([{ name: '8390', depends: [] }, { name: 'ne2k_pci', depends: ['8390'] }]);
    expect(readModuleFile(join(dir, 'kernel', 'net', 'ne2k-pci.ko.gz'))[0]).toBe(0x7f);
  });
});
