/**
 * The real guest image in the default cache (built by `qnxemu guest build`, by CI, or here on first use
 * — that needs apt and Debian's archive, see docs/guest-images.md).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ensureGuestImage, NIC_DRIVER_MODULES, READY_MARKER, guestCmdline, type GuestImage } from '../../emulator/app/guest-image';
import { initScript } from '../../emulator/app/guest-image/init-script';
import { moduleDepends, readModInfo } from '../../emulator/app/guest-image/modinfo';
import { REQUESTED_MODULES } from '../../emulator/app/guest-image/modules';
import { readElfDynamic } from '../../emulator/app/guest-image/elf-dynamic';
import { posix } from 'node:path';
import { runInit } from './init-harness';
import { readNewc, type NewcMember } from './newc-reader';

let img: GuestImage;
let members: Map<string, NewcMember>;

beforeAll(async () => {
  // Milliseconds when the cache is current; rebuilds (seconds) if the builder or /init changed.
  img = await ensureGuestImage({ progress: false, log: () => {} });
  members = new Map(readNewc(gunzipSync(readFileSync(img.initrd))).map((m) => [m.name, m]));
}, 600_000);

describe('the built guest image', () => {
  test('has a bzImage kernel, SeaBIOS and VGA BIOS', () => {
    for (const f of [img.kernel, img.initrd, img.bios, img.vgaBios]) expect(existsSync(f)).toBe(true);
    const k = readFileSync(img.kernel);
    expect(k.toString('latin1', 0x202, 0x206)).toBe('HdrS'); // Linux boot protocol header
    expect([128 * 1024, 256 * 1024]).toContain(statSync(img.bios).size);
    expect(img.kernelVersion).toMatch(/^\d+\.\d+\.\d+-\d+-686$/);
  });

  test('its initramfs holds every NIC driver and its dependencies, as valid modules with their .modinfo', () => {
    for (const root of NIC_DRIVER_MODULES) expect(img.modules).toContain(root);
    for (const dep of ['8390', '8390p', 'libphy', 'rt2x00pci', 'rt2x00mmio', 'rt2x00lib', 'eeprom_93cx6', 'mac80211', 'cfg80211', 'rfkill', 'libarc4']) {
      expect(img.modules).toContain(dep);
    }
    const table = members.get('lib/modules/modules.qnxemu')?.data.toString().trim().split('\n') ?? [];
    expect(table.map((l) => l.split(' ')[0])).toEqual(img.modules);
    const seen = new Set<string>();
    for (const line of table) {
      const [name, file, ...deps] = line.split(' ');
      const ko = members.get(`lib/modules/${file}`);
      if (ko === undefined || name === undefined) throw new Error(`module file ${file} missing from the initramfs`);
      const info = readModInfo(ko.data);
      expect(info.get('name')).toEqual([name]);
      // The table adds the modules a module requests by name at run time (mac80211: ctr, ccm for CCMP keys).
      expect([...moduleDepends(info), ...(REQUESTED_MODULES[name] ?? [])]).toEqual(deps);
      for (const d of deps) expect(seen.has(d)).toBe(true); // load order: dependencies first
      seen.add(name);
    }
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

  test('its busybox is the i386 static binary, and its own /init and module table load ne with parameters', () => {
    const bb = members.get('bin/busybox');
    const init = members.get('init');
    const table = members.get('lib/modules/modules.qnxemu');
    if (bb === undefined || init === undefined || table === undefined) throw new Error('busybox, init or the module table missing');
    // Never executed here: busybox sh would run its own mount/insmod/ip applets on the host.
    expect(bb.data.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(bb.data.readUInt16LE(18)).toBe(3); // EM_386
    expect(bb.mode).toBe(0o100755);
    expect(init.data.toString()).toBe(initScript()); // the current /init, whose PATH keeps it on the stubs
    const r = runInit(guestCmdline({ modules: ['ne'], params: { ne: { io: '0x300', irq: 5 } }, ip: ['eth0:10.0.0.3/24'] }), {
      init: init.data.toString(),
      table: table.data.toString(),
    });
    expect(r.out).toBe(`${READY_MARKER}\n`);
    expect(r.calls.filter((c) => c.startsWith('insmod'))).toEqual(['insmod ROOT/lib/modules/8390p.ko', 'insmod ROOT/lib/modules/ne.ko io=0x300 irq=5']);
  });
});
