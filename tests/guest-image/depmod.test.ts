/**
 * The depmod index files the builder writes (emulator/app/guest-image/depmod.ts), against hand-worked kmod output:
 * modules.dep lines in modules.order order, each with its whole dependency closure ordered by kmod's topological
 * index (users first, so modprobe loads from the end); modules.alias, modules.softdep, modules.symbols formats.
 * The real image's files are checked against busybox's own depmod in the guest (tests/guest/module-reload.test.ts).
 */
import { depmod, DepmodError, filterModuleList, type DepmodModule } from '../../emulator/app/guest-image/depmod';

const mod = (name: string, depends: string[] = [], more: Partial<DepmodModule> = {}): DepmodModule => ({
  name,
  path: `kernel/${name.replace(/_/g, '-')}.ko`,
  depends,
  aliases: [],
  softdeps: [],
  exports: [],
  ...more,
});

// a uses b and c, both use d; e stands alone.
const SET = [mod('a', ['b', 'c']), mod('b', ['d']), mod('c', ['d']), mod('d'), mod('e')];

describe('depmod index files', () => {
  test('modules.dep: the whole closure per module, users before what they use; lines by path without modules.order', () => {
    // Kahn's algorithm as kmod runs it: roots [a, e] popped from the end (e: 0, a: 1), then c (2), b (3), d (4).
    expect(depmod(SET)['modules.dep']).toBe(
      'kernel/a.ko: kernel/c.ko kernel/b.ko kernel/d.ko\n' +
        'kernel/b.ko: kernel/d.ko\n' +
        'kernel/c.ko: kernel/d.ko\n' +
        'kernel/d.ko:\n' +
        'kernel/e.ko:\n',
    );
  });

  test("modules.order gives the lines' order; a dependency list still ends with what must load first", () => {
    const dep = depmod(SET, ['kernel/e.ko', 'kernel/d.ko', 'kernel/c.ko', 'kernel/b.ko', 'kernel/a.ko'])['modules.dep'].split('\n');
    expect(dep.map((l) => l.split(':')[0])).toEqual(['kernel/e.ko', 'kernel/d.ko', 'kernel/c.ko', 'kernel/b.ko', 'kernel/a.ko', '']);
    expect(dep[4]).toBe('kernel/a.ko: kernel/c.ko kernel/b.ko kernel/d.ko');
  });

  test("dependencies are matched by module name in either spelling (depends= uses the module's name)", () => {
    const dep = depmod([mod('ne2k_pci', ['8390']), mod('8390')])['modules.dep'];
    expect(dep).toBe('kernel/8390.ko:\nkernel/ne2k-pci.ko: kernel/8390.ko\n');
  });

  test('modules.alias, modules.softdep and modules.symbols in kmod text format, with its header lines', () => {
    const files = depmod([
      mod('ne2k_pci', [], { aliases: ['pci:v000010ECd00008029sv*sd*bc*sc*i*'], exports: [] }),
      mod('ccm', [], { aliases: ['crypto-ccm', 'ccm'], softdeps: ['pre: ctr'], exports: ['crypto_ccm_x'] }),
    ]);
    expect(files['modules.alias']).toBe('# Aliases extracted from modules themselves.\nalias crypto-ccm ccm\nalias ccm ccm\nalias pci:v000010ECd00008029sv*sd*bc*sc*i* ne2k_pci\n');
    expect(files['modules.softdep']).toBe('# Soft dependencies extracted from modules themselves.\nsoftdep ccm pre: ctr\n');
    expect(files['modules.symbols']).toBe('# Aliases for symbols, used by symbol_request().\nalias symbol:crypto_ccm_x ccm\n');
  });

  test('a dependency outside the set and a cycle are build errors', () => {
    expect(() => depmod([mod('a', ['zz'])])).toThrow(DepmodError);
    expect(() => depmod([mod('a', ['zz'])])).toThrow('kernel/a.ko needs module "zz", which is not in the set');
    expect(() => depmod([mod('a', ['b']), mod('b', ['a']), mod('c')])).toThrow('modules in a dependency cycle: a, b');
  });

  test("modules.order keeps only the image's modules, in the kernel's order", () => {
    expect(filterModuleList('kernel/x.ko\nkernel/b.ko\nkernel/y.ko\nkernel/a.ko\n', new Set(['kernel/a.ko', 'kernel/b.ko']))).toBe('kernel/b.ko\nkernel/a.ko\n');
  });
});
