/**
 * The guest's dynamically linked programs: PT_INTERP/DT_NEEDED reading, the library closure over unpacked
 * packages (with Debian's symbolic links), and the `Depends:` parsing that decides which packages to fetch.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDepends } from '../../emulator/app/guest-image/apt';
import { readElfDynamic } from '../../emulator/app/guest-image/elf-dynamic';
import { initramfsEntries } from '../../emulator/app/guest-image/initramfs';
import { FIRMWARE_FILES, firmwareEntries, userlandEntries, type PackageRoots } from '../../emulator/app/guest-image/userland';
import { fakeDynElf, fakeKo } from './fake-elf';

describe('PT_INTERP and DT_NEEDED', () => {
  test.each([[32, true], [64, true], [32, false], [64, false]] as const)('are read from a %i-bit ELF (little-endian %s)', (bits, le) => {
    const info = readElfDynamic(fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['libnl-genl-3.so.200', 'libnl-3.so.200', 'libc.so.6'], bits, le }));
    expect(info).toEqual({ bits, machine: bits === 32 ? 3 : 62, interp: '/lib/ld-linux.so.2', needed: ['libnl-genl-3.so.200', 'libnl-3.so.200', 'libc.so.6'], soname: undefined });
  });

  test('a shared object has a SONAME and no interpreter; a file without PT_DYNAMIC needs nothing', () => {
    expect(readElfDynamic(fakeDynElf({ needed: ['libc.so.6'], soname: 'libnl-3.so.200' }))).toMatchObject({ interp: undefined, needed: ['libc.so.6'], soname: 'libnl-3.so.200' });
    expect(readElfDynamic(fakeKo(['name=x']))).toMatchObject({ interp: undefined, needed: [] }); // no program headers at all
  });

  test('truncated and foreign input is an ElfError, never a crash', () => {
    const elf = fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['libc.so.6'] });
    expect(() => readElfDynamic(Buffer.from('#!/bin/sh\necho this is a shell script, not a program at all\n'))).toThrow(/not an ELF/);
    for (const cut of [60, 100, elf.length - 20]) expect(() => readElfDynamic(elf.subarray(0, cut))).toThrow(/past|string/);
  });
});

/** Unpacked packages in a temporary folder: { package: { path: contents | '->target' } }. */
function packages(spec: Record<string, Record<string, Uint8Array | string>>): PackageRoots {
  const top = mkdtempSync(join(tmpdir(), 'qnxemu-userland-'));
  return Object.entries(spec).map(([name, files]) => {
    const dir = join(top, name);
    for (const [rel, data] of Object.entries(files)) {
      const p = join(dir, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      if (typeof data === 'string' && data.startsWith('->')) symlinkSync(data.slice(2), p);
      else writeFileSync(p, data, { mode: rel.startsWith('sbin/') || rel.endsWith('ld-linux.so.2') || rel.endsWith('libc.so.6') ? 0o755 : 0o644 });
    }
    return { name, dir };
  });
}

/** bookworm's layout: iw in /sbin, libraries in /lib/i386-linux-gnu behind SONAME links, /lib/ld-linux.so.2 a link. */
const BOOKWORM = {
  iw: { 'sbin/iw': fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['libnl-genl-3.so.200', 'libnl-3.so.200', 'libc.so.6'] }), 'usr/share/doc/iw/copyright': 'x' },
  libc6: {
    'lib/ld-linux.so.2': '->i386-linux-gnu/ld-linux.so.2',
    'lib/i386-linux-gnu/ld-linux.so.2': fakeDynElf({ soname: 'ld-linux.so.2' }),
    'lib/i386-linux-gnu/libc.so.6': fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['ld-linux.so.2'], soname: 'libc.so.6' }),
    'lib/i386-linux-gnu/libm.so.6': fakeDynElf({ needed: ['libc.so.6'], soname: 'libm.so.6' }),
  },
  'libnl-3-200': {
    'lib/i386-linux-gnu/libnl-3.so.200': '->libnl-3.so.200.26.0',
    'lib/i386-linux-gnu/libnl-3.so.200.26.0': fakeDynElf({ needed: ['libc.so.6'], soname: 'libnl-3.so.200' }),
  },
  'libnl-genl-3-200': {
    'lib/i386-linux-gnu/libnl-genl-3.so.200': '->libnl-genl-3.so.200.26.0',
    'lib/i386-linux-gnu/libnl-genl-3.so.200.26.0': fakeDynElf({ needed: ['libnl-3.so.200', 'libc.so.6'], soname: 'libnl-genl-3.so.200' }),
  },
};

describe('a program and its libraries', () => {
  const iw = [{ package: 'iw', name: 'iw' }];

  test('iw, its loader and its libraries at the packages\' paths, links kept, nothing else', () => {
    const roots = packages(BOOKWORM);
    const e = userlandEntries(iw, roots);
    expect(e.map((x) => (x.type === 'symlink' ? `${x.path} -> ${x.target}` : `${x.path} ${x.type === 'file' ? (x.mode ?? 0).toString(8) : x.type}`))).toEqual([
      'sbin/iw 755',
      'lib/ld-linux.so.2 -> i386-linux-gnu/ld-linux.so.2',
      'lib/i386-linux-gnu/ld-linux.so.2 755',
      'lib/i386-linux-gnu/libnl-genl-3.so.200 -> libnl-genl-3.so.200.26.0',
      'lib/i386-linux-gnu/libnl-genl-3.so.200.26.0 644',
      'lib/i386-linux-gnu/libnl-3.so.200 -> libnl-3.so.200.26.0',
      'lib/i386-linux-gnu/libnl-3.so.200.26.0 644',
      'lib/i386-linux-gnu/libc.so.6 755',
    ]);
    const file = e.find((x) => x.path === 'sbin/iw');
    expect(file?.type === 'file' && Buffer.from(file.data).equals(readFileSync(join(roots[0]!.dir, 'sbin/iw')))).toBe(true);
  });

  test('the initramfs gets every parent folder before the files in it', () => {
    const ents = initramfsEntries({ busybox: new Uint8Array(4), kernelVersion: '6.1.0-99-686', modules: [], userland: userlandEntries(iw, packages(BOOKWORM)) });
    const paths = ents.map((x) => x.path);
    for (const d of ['sbin', 'lib/i386-linux-gnu']) expect(ents.find((x) => x.path === d)?.type).toBe('dir');
    for (const x of ents) {
      const parent = x.path.split('/').slice(0, -1).join('/');
      if (parent !== '') expect(paths.indexOf(parent)).toBeLessThan(paths.indexOf(x.path));
    }
    expect(new Set(paths).size).toBe(paths.length); // 'lib' is the image's own folder, not added twice
  });

  test('after the /usr merge the program and libraries are found under /usr', () => {
    const merged = {
      iw: { 'usr/sbin/iw': fakeDynElf({ interp: '/lib/ld-linux.so.2', needed: ['libc.so.6'] }) },
      libc6: {
        'usr/lib/ld-linux.so.2': '->i386-linux-gnu/ld-linux.so.2',
        'usr/lib/i386-linux-gnu/ld-linux.so.2': fakeDynElf({ soname: 'ld-linux.so.2' }),
        'usr/lib/i386-linux-gnu/libc.so.6': fakeDynElf({ needed: ['ld-linux.so.2'], soname: 'libc.so.6' }),
        lib: '->usr/lib', // base-files' merged-/usr link
      },
    };
    const e = userlandEntries(iw, packages(merged)).map((x) => x.path);
    expect(e).toEqual(['usr/sbin/iw', 'lib', 'usr/lib/ld-linux.so.2', 'usr/lib/i386-linux-gnu/ld-linux.so.2', 'usr/lib/i386-linux-gnu/libc.so.6']);
  });

  test('a library no package has, a missing interpreter, a foreign architecture or a missing program is named', () => {
    const { 'libnl-3-200': _gone, ...noNl } = BOOKWORM;
    expect(() => userlandEntries(iw, packages(noNl))).toThrow('/sbin/iw needs libnl-3.so.200, which none of the packages (iw, libc6, libnl-genl-3-200) has');
    const noLoader = { ...BOOKWORM, libc6: { 'lib/i386-linux-gnu/libc.so.6': BOOKWORM.libc6['lib/i386-linux-gnu/libc.so.6'] } };
    expect(() => userlandEntries(iw, packages(noLoader))).toThrow('/sbin/iw asks for the interpreter /lib/ld-linux.so.2');
    const amd64 = { ...BOOKWORM, iw: { 'sbin/iw': fakeDynElf({ interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'], bits: 64 }) } };
    expect(() => userlandEntries(iw, packages(amd64))).toThrow('/sbin/iw is not an i386 ELF file (e_machine 62, 64-bit)');
    expect(() => userlandEntries([{ package: 'iw', name: 'iwconfig' }], packages(BOOKWORM))).toThrow('package iw has no iwconfig in /sbin, /bin, /usr/sbin, /usr/bin');
    const script = { ...BOOKWORM, iw: { 'sbin/iw': '#!/bin/sh\necho I am not a program, only a script that is long enough\n' } };
    expect(() => userlandEntries(iw, packages(script))).toThrow('/sbin/iw (needed by iw): not an ELF file');
    const loop = { ...BOOKWORM, libc6: { ...BOOKWORM.libc6, 'lib/ld-linux.so.2': '->ld-linux.so.2' } };
    expect(() => userlandEntries(iw, packages(loop))).toThrow('too many symbolic links resolving');
  });
});

describe('firmware files', () => {
  const regdb = {
    'wireless-regdb': {
      'lib/firmware/regulatory.db-debian': 'D',
      'lib/firmware/regulatory.db.p7s-debian': 'DS',
      'lib/firmware/regulatory.db-upstream': 'U',
      'lib/firmware/regulatory.db.p7s-upstream': 'US',
    },
  };

  test("the regulatory database as wireless-regdb's postinst leaves it: the Debian variant behind update-alternatives links", () => {
    const e = firmwareEntries(FIRMWARE_FILES, packages(regdb));
    expect(e.map((x) => (x.type === 'symlink' ? `${x.path} -> ${x.target}` : x.path))).toEqual([
      'lib/firmware/regulatory.db-debian',
      'etc/alternatives/regulatory.db -> /lib/firmware/regulatory.db-debian',
      'lib/firmware/regulatory.db -> /etc/alternatives/regulatory.db',
      'lib/firmware/regulatory.db.p7s-debian',
      'etc/alternatives/regulatory.db.p7s -> /lib/firmware/regulatory.db.p7s-debian',
      'lib/firmware/regulatory.db.p7s -> /etc/alternatives/regulatory.db.p7s',
    ]);
    const db = e.find((x) => x.path === 'lib/firmware/regulatory.db-debian');
    expect(db?.type === 'file' && [Buffer.from(db.data).toString(), db.mode]).toEqual(['D', 0o644]);
  });

  test('a package without the file is named', () => {
    expect(() => firmwareEntries(FIRMWARE_FILES, packages({ 'wireless-regdb': { 'lib/firmware/regulatory.db-upstream': 'U' } }))).toThrow(
      'package wireless-regdb has no /lib/firmware/regulatory.db-debian (for /lib/firmware/regulatory.db)',
    );
    expect(() => firmwareEntries(FIRMWARE_FILES, packages({}))).toThrow('package wireless-regdb has no');
  });
});

describe('Depends: of apt-cache show', () => {
  test('first alternative of each relation, versions and :any qualifiers dropped, Pre-Depends first, continuation lines read', () => {
    const out = [
      'Package: iw\nVersion: 5.19-1\nDepends: libc6 (>= 2.17), libnl-3-200 (>= 3.2.7), libnl-genl-3-200 (>= 3.2.7)\nRecommends: wireless-regdb\n',
      'Package: libgcc-s1\nDepends: gcc-12-base (= 12.2.0-14+deb12u1), libc6 (>= 2.35)\n',
      'Package: x\nPre-Depends: dpkg (>= 1.15)\nDepends: debconf (>= 0.5) | debconf-2.0, perl:any,\n python3 (<< 3.12)\n',
      'Package: gcc-12-base\nVersion: 12.2.0\n',
    ].join('\n');
    expect(Object.fromEntries(parseDepends(out))).toEqual({
      iw: ['libc6', 'libnl-3-200', 'libnl-genl-3-200'],
      'libgcc-s1': ['gcc-12-base', 'libc6'],
      x: ['dpkg', 'debconf', 'perl', 'python3'],
      'gcc-12-base': [],
    });
  });
});
