/**
 * The real guest image in the default cache (built by `qnxemu guest build`, by CI, or here on first use
 * — that needs apt and Debian's archive, see docs/guest-images.md).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ensureGuestImage, NIC_DRIVER_MODULES, READY_MARKER, guestCmdline, type GuestImage } from '../../emulator/app/guest-image';
import { initScript } from '../../emulator/app/guest-image/init-script';
import { moduleAliases, moduleDepends, moduleExports, readModInfo } from '../../emulator/app/guest-image/modinfo';
import { KERNEL_REQUESTED_MODULES } from '../../emulator/app/guest-image/modules';
import { readElfDynamic } from '../../emulator/app/guest-image/elf-dynamic';
import { posix } from 'node:path';
import { runInit } from './init-harness';
import { readNewc, type NewcMember } from './newc-reader';

let img: GuestImage;
let members: Map<string, NewcMember>;

beforeAll(async () => {
  // Milliseconds when the cache is current; rebuilds (seconds) if the builder or /init changed.
  img = await ensureGuestImage({ progress: false, log: () => {} });
  members = new Map(readNewc(readFileSync(img.initrd)).map((m) => [m.name, m]));
}, 600_000);

describe('the built guest image', () => {
  test('has a bzImage kernel, SeaBIOS and VGA BIOS', () => {
    for (const f of [img.kernel, img.initrd, img.bios, img.vgaBios]) expect(existsSync(f)).toBe(true);
    const k = readFileSync(img.kernel);
    expect(k.toString('latin1', 0x202, 0x206)).toBe('HdrS'); // Linux boot protocol header
    // Decompressed for a direct boot (direct-boot.ts): after the setup sectors, the trampoline (it starts `mov %esi,
    // %ebp; std`) and then the kernel's first bytes at 16 MiB, head_32.S's startup_32, not the decompressor's.
    const setup = (k[0x1f1]! + 1) * 512;
    expect([...k.subarray(setup, setup + 3)]).toEqual([0x89, 0xf5, 0xfd]);
    expect(k.readUInt32LE(setup + 4)).toBe(0x100000 + 32 + k.length - setup - 32 - 4); // the last source dword
    expect(k.readUInt32LE(setup + 9)).toBe(0x1000000 + k.length - setup - 32 - 4); // the last destination dword
    expect([128 * 1024, 256 * 1024]).toContain(statSync(img.bios).size);
    expect(img.kernelVersion).toMatch(/^\d+\.\d+\.\d+-\d+-686$/);
  });

  test('its initramfs holds every NIC driver and its dependencies, as valid modules with their .modinfo, in /lib/modules/<version>', () => {
    for (const root of [...NIC_DRIVER_MODULES, ...KERNEL_REQUESTED_MODULES]) expect(img.modules).toContain(root);
    for (const dep of ['8390', '8390p', 'libphy', 'rt2x00pci', 'rt2x00mmio', 'rt2x00lib', 'eeprom_93cx6', 'mac80211', 'cfg80211', 'rfkill', 'libarc4']) {
      expect(img.modules).toContain(dep);
    }
    const kdir = `lib/modules/${img.kernelVersion}`;
    expect(members.get(`${kdir}/kernel/drivers/net/ethernet/8390/ne2k-pci.ko`)).toBeDefined();
    expect(members.has('lib/modules/modules.qnxemu')).toBe(false);
    const dep = members.get(`${kdir}/modules.dep`)?.data.toString().trim().split('\n') ?? [];
    expect(dep).toHaveLength(img.modules.length);
    const byName = new Map<string, { path: string; deps: string[] }>();
    for (const line of dep) {
      const [path, rest] = line.split(':');
      const ko = path === undefined ? undefined : members.get(`${kdir}/${path}`);
      if (ko === undefined || path === undefined) throw new Error(`modules.dep names ${path}, which the initramfs lacks`);
      const name = readModInfo(ko.data).get('name')?.[0] ?? '';
      byName.set(name, { path, deps: (rest ?? '').trim().split(/\s+/).filter((x) => x !== '') });
    }
    expect([...byName.keys()].sort()).toEqual([...img.modules].sort());
    for (const [name, { deps }] of byName) {
      // Each line lists the module's whole closure (busybox modprobe expects it), and modprobe loads it from the
      // end: every module there comes after all it needs.
      const info = readModInfo(members.get(`${kdir}/${byName.get(name)!.path}`)!.data);
      for (const d of moduleDepends(info)) {
        const dp = byName.get(d)?.path;
        expect(deps).toContain(dp);
        for (const dd of byName.get(d)?.deps ?? []) expect(deps.indexOf(dd)).toBeGreaterThan(deps.indexOf(dp!));
      }
    }
    // modules.alias: every alias= line of every module, e.g. the RTL8029's PCI id for ne2k_pci.
    const alias = members.get(`${kdir}/modules.alias`)?.data.toString().split('\n') ?? [];
    expect(alias).toContain('alias pci:v000010ECd00008029sv*sd*bc*sc*i* ne2k_pci');
    expect(alias).toContain('alias crypto-ccm ccm');
    expect(alias.filter((l) => l.startsWith('alias ')).length).toBe(
      dep.reduce((n, l) => n + moduleAliases(readModInfo(members.get(`${kdir}/${l.split(':')[0]!}`)!.data)).length, 0),
    );
    // modules.symbols: each exported symbol (a __crc_ entry of .symtab) named after its module.
    const symbols = members.get(`${kdir}/modules.symbols`)?.data.toString().split('\n') ?? [];
    expect(symbols).toContain('alias symbol:rfkill_alloc rfkill');
    expect(moduleExports(members.get(`${kdir}/${byName.get('8390')!.path}`)!.data)).toEqual(expect.arrayContaining(['ei_open', 'ei_close', 'NS8390_init']));
    expect(members.get(`${kdir}/modules.builtin`)?.data.toString()).toContain('kernel/drivers/ptp/ptp.ko');
    // The module tools where busybox installs them; the kernel's request_module runs /sbin/modprobe.
    for (const t of ['modprobe', 'rmmod', 'insmod', 'lsmod', 'modinfo', 'depmod']) expect(members.get(`sbin/${t}`)?.data.toString()).toBe('/bin/busybox');
  });

  test('it carries iw, the interpreter it asks for and every library named by DT_NEEDED, all i386', () => {
    const iw = members.get('sbin/iw');
    if (iw === undefined) throw new Error('no /sbin/iw in the initramfs');
    expect(iw.mode).toBe(0o100755);
    const info = readElfDynamic(iw.data);
    expect(info.interp).toBe('/lib/ld-linux.so.2');
    expect(info.needed).toEqual(expect.arrayContaining(['libnl-genl-3.so.200', 'libnl-3.so.200', 'libc.so.6']));
    /** The member a path names, following symbolic links as the guest's kernel would. */
    const resolve = (p: string, hops = 0): NewcMember | undefined => {
      const m = members.get(p.replace(/^\//, ''));
      if (m === undefined || (m.mode & 0o170000) !== 0o120000 || hops > 8) return m;
      return resolve(posix.join(posix.dirname(`/${m.name}`), m.data.toString()), hops + 1);
    };
    const todo = ['sbin/iw'];
    const seen = new Set<string>();
    while (todo.length > 0) {
      const f = resolve(todo.pop()!);
      if (f === undefined) throw new Error(`a file iw needs is missing: ${[...seen].join(', ')}`);
      if (seen.has(f.name)) continue;
      seen.add(f.name);
      const d = readElfDynamic(f.data);
      expect([f.name, d.machine, d.bits]).toEqual([f.name, 3, 32]);
      if (d.interp !== undefined) todo.push(d.interp);
      for (const lib of d.needed) todo.push(`/lib/i386-linux-gnu/${lib}`);
    }
    expect([...seen].sort()).toEqual(['lib/i386-linux-gnu/ld-linux.so.2', 'lib/i386-linux-gnu/libc.so.6', 'lib/i386-linux-gnu/libnl-3.so.200.26.0', 'lib/i386-linux-gnu/libnl-genl-3.so.200.26.0', 'sbin/iw']);
  });

  test("it carries Debian's wpa_supplicant and wpa_cli with every library they reach by DT_NEEDED, and /var/run -> /run", () => {
    const resolve = (p: string, hops = 0): NewcMember | undefined => {
      const m = members.get(p.replace(/^\//, ''));
      if (m === undefined || (m.mode & 0o170000) !== 0o120000 || hops > 8) return m;
      return resolve(posix.resolve(posix.dirname(`/${m.name}`), m.data.toString()), hops + 1);
    };
    const libs = new Set<string>();
    for (const prog of ['sbin/wpa_supplicant', 'sbin/wpa_cli']) {
      const todo = [prog];
      const seen = new Set<string>();
      while (todo.length > 0) {
        const want = todo.pop()!;
        const f = resolve(want);
        if (f === undefined) throw new Error(`${want}, which ${prog} needs, is missing from the initramfs`);
        if (seen.has(f.name)) continue;
        seen.add(f.name);
        const d = readElfDynamic(f.data);
        expect([f.name, d.machine, d.bits]).toEqual([f.name, 3, 32]);
        if (d.interp !== undefined) todo.push(d.interp);
        // The loader's default directories in its order (userland.ts LIBRARY_DIRS): the first that has it.
        for (const lib of d.needed) {
          const dir = ['lib/i386-linux-gnu', 'usr/lib/i386-linux-gnu', 'lib', 'usr/lib'].find((x) => members.has(`${x}/${lib}`)) ?? 'lib/i386-linux-gnu';
          todo.push(`/${dir}/${lib}`);
          libs.add(lib);
        }
      }
    }
    expect(members.get('sbin/wpa_supplicant')?.mode).toBe(0o100755);
    // nl80211 through libnl, the crypto through OpenSSL 3, the control interface's readline in wpa_cli.
    expect([...libs]).toEqual(expect.arrayContaining(['libnl-3.so.200', 'libnl-genl-3.so.200', 'libnl-route-3.so.200', 'libssl.so.3', 'libcrypto.so.3', 'libdbus-1.so.3', 'libc.so.6']));
    expect(members.get('var/run')?.data.toString()).toBe('/run');
    expect(members.get('run')?.mode).toBe(0o040755);
  });

  test("it carries cfg80211's regulatory database and its signature where the kernel's firmware loader looks", () => {
    const resolve = (p: string, hops = 0): NewcMember | undefined => {
      const m = members.get(p.replace(/^\//, ''));
      if (m === undefined || (m.mode & 0o170000) !== 0o120000 || hops > 8) return m;
      return resolve(posix.resolve(posix.dirname(`/${m.name}`), m.data.toString()), hops + 1);
    };
    const db = resolve('/lib/firmware/regulatory.db');
    const sig = resolve('/lib/firmware/regulatory.db.p7s');
    // regdb.h: a big-endian magic 'RGDB' (0x52474442) and version 20 open the file; the signature is DER (SEQUENCE).
    expect(db?.data.subarray(0, 8).toString('hex')).toBe('5247444200000014');
    expect(sig?.data[0]).toBe(0x30);
  });

  test('its busybox is the i386 static binary, and its own /init modprobes ne with the parameters on the command line', () => {
    const bb = members.get('bin/busybox');
    const init = members.get('init');
    if (bb === undefined || init === undefined) throw new Error('busybox or init missing');
    // Never executed here: busybox sh would run its own mount/modprobe/ip applets on the host.
    expect(bb.data.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(bb.data.readUInt16LE(18)).toBe(3); // EM_386
    expect(bb.mode).toBe(0o100755);
    expect(init.data.toString()).toBe(initScript()); // the current /init, whose PATH keeps it on the stubs
    const r = runInit(guestCmdline({ modules: ['ne'], params: { ne: { io: '0x300', irq: 5 } }, ip: ['eth0:10.0.0.3/24'] }), { init: init.data.toString() });
    expect(r.out).toBe(`${READY_MARKER}\n`);
    expect(r.calls.filter((c) => c.startsWith('modprobe'))).toEqual(['modprobe ne']);
  });
});
