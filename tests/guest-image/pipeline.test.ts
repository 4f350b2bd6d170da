import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGuestImage, GuestBuildError } from '../../emulator/app/guest-image';
import { withLock } from '../../emulator/app/guest-image/cache';
import { initScript } from '../../emulator/app/guest-image/init-script';
import { FAKE_BZIMAGE, FAKE_KVER, makeFakeHost } from './fake-host';
import { readNewc } from './newc-reader';

// The NIC drivers with their dependencies, then the crypto templates the kernel requests by name (modules.ts).
const NIC_CLOSURE = ['8390', 'ne2k_pci', '8390p', 'ne', 'libphy', 'tg3', 'rfkill', 'cfg80211', 'libarc4', 'mac80211', 'rt2x00lib', 'rt2x00pci', 'rt2x00mmio', 'eeprom_93cx6', 'rt2500pci', 'ctr', 'ccm'];

function tmpCache(): string {
  return mkdtempSync(join(tmpdir(), 'qnxemu-guestcache-'));
}

describe('guest image build with stand-in apt and dpkg', () => {
  test('builds kernel, BIOS and an initramfs holding busybox, /init and the NIC module closure', async () => {
    const host = makeFakeHost();
    const cacheDir = tmpCache();
    const lines: string[] = [];
    const img = await ensureGuestImage({ cacheDir, tools: host.tools, progress: false, log: (l) => lines.push(l) });
    expect(img.kernelVersion).toBe(FAKE_KVER);
    expect(img.modules).toEqual(NIC_CLOSURE);
    // The kernel as a direct boot (direct-boot.ts): the fake's setup part, a 32-byte trampoline, then vmlinux's bytes.
    const kernel = readFileSync(img.kernel);
    expect(kernel.subarray(0, 0x1f4)).toEqual(FAKE_BZIMAGE.subarray(0, 0x1f4));
    expect(kernel.toString('latin1', 1024 + 32)).toBe('KERNEL\0\0');
    expect(readFileSync(img.bios, 'utf8')).toBe('BIOS');
    expect(readFileSync(img.vgaBios, 'utf8')).toBe('VGABIOS');
    expect(img.cacheKey).toMatch(/^[0-9a-f]{64}$/);

    const members = readNewc(readFileSync(img.initrd));
    const byName = new Map(members.map((m) => [m.name, m]));
    expect(byName.get('init')?.data.toString()).toBe(initScript());
    expect(byName.get('init')?.mode).toBe(0o100755);
    expect(byName.get('bin/busybox')?.data.toString()).toBe('BUSYBOX');
    expect(byName.get('bin/sh')?.mode).toBe(0o120777);
    expect(byName.get('bin/sh')?.data.toString()).toBe('busybox');
    const console_ = byName.get('dev/console');
    expect([console_?.mode, console_?.rdevmajor, console_?.rdevminor]).toEqual([0o020600, 5, 1]);
    // The standard layout: /lib/modules/<uname -r>/ with each module at its path in the kernel package.
    const kdir = `lib/modules/${FAKE_KVER}`;
    const ko = members.filter((m) => m.name.endsWith('.ko')).map((m) => m.name);
    expect(ko.map((n) => n.split('/').pop())).toEqual(NIC_CLOSURE.map((n) => `${n === 'ne2k_pci' ? 'ne2k-pci' : n}.ko`));
    expect(ko[1]).toBe(`${kdir}/kernel/drivers/net/ethernet/8390/ne2k-pci.ko`);
    const dep = byName.get(`${kdir}/modules.dep`)?.data.toString().trim().split('\n') ?? [];
    expect(dep).toHaveLength(NIC_CLOSURE.length);
    expect(dep).toContain('kernel/drivers/net/ethernet/8390/ne2k-pci.ko: kernel/drivers/net/ethernet/8390/8390.ko');
    expect(dep).toContain('kernel/drivers/net/ethernet/8390/8390.ko:');
    // Every module rt2500pci needs, directly or not, users before what they use (modprobe loads from the end).
    expect(dep).toContain(
      'kernel/drivers/net/wireless/ralink/rt2x00/rt2500pci.ko: kernel/drivers/net/eeprom/eeprom_93cx6.ko kernel/drivers/net/wireless/ralink/rt2x00/rt2x00mmio.ko ' +
        'kernel/drivers/net/wireless/ralink/rt2x00/rt2x00pci.ko kernel/drivers/net/wireless/ralink/rt2x00/rt2x00lib.ko kernel/drivers/net/mac80211/mac80211.ko ' +
        'kernel/drivers/net/crypto/libarc4.ko kernel/drivers/net/wireless/cfg80211.ko kernel/drivers/net/rfkill/rfkill.ko',
    );
    // ctr and ccm are nobody's dependency: the kernel asks modprobe for them by alias.
    expect(dep).toContain('kernel/drivers/net/mac80211/mac80211.ko: kernel/drivers/net/crypto/libarc4.ko kernel/drivers/net/wireless/cfg80211.ko kernel/drivers/net/rfkill/rfkill.ko');
    for (const f of ['modules.alias', 'modules.softdep', 'modules.symbols']) expect(byName.get(`${kdir}/${f}`)?.data.toString()).toMatch(/^# /);
    expect(byName.has('lib/modules/modules.qnxemu')).toBe(false);
    expect(byName.get('sbin/modprobe')?.data.toString()).toBe('/bin/busybox');
    expect(ko.some((n) => n.includes('e1000'))).toBe(false);
    expect(lines.some((l) => l.startsWith('downloading 11 packages'))).toBe(true);
    expect(readdirSync(join(cacheDir, 'images'))).toEqual([img.cacheKey.slice(0, 16)]);

    // iw with its loader and libraries, links as the packages have them; nothing else of those packages.
    const mine = members.filter((m) => /^(s?bin\/(iw|wpa_)|lib\/(ld-|i386))/.test(m.name)).map((m) => `${m.name}${(m.mode & 0o170000) === 0o120000 ? ` -> ${m.data.toString()}` : ''}`);
    expect(mine).toEqual([
      'sbin/iw',
      'sbin/wpa_supplicant',
      'sbin/wpa_cli',
      'lib/ld-linux.so.2 -> i386-linux-gnu/ld-linux.so.2',
      'lib/i386-linux-gnu',
      'lib/i386-linux-gnu/ld-linux.so.2',
      'lib/i386-linux-gnu/libnl-genl-3.so.200 -> libnl-genl-3.so.200.26.0',
      'lib/i386-linux-gnu/libnl-genl-3.so.200.26.0',
      'lib/i386-linux-gnu/libnl-3.so.200 -> libnl-3.so.200.26.0',
      'lib/i386-linux-gnu/libnl-3.so.200.26.0',
      'lib/i386-linux-gnu/libc.so.6',
    ]);
    // The regulatory database as wireless-regdb's postinst links it (update-alternatives, Debian variant); not the rest.
    const fw = members.filter((m) => /^(lib\/firmware|etc\/alternatives)\//.test(m.name)).map((m) => `${m.name}${(m.mode & 0o170000) === 0o120000 ? ` -> ${m.data.toString()}` : ''}`);
    expect(fw).toEqual([
      'lib/firmware/regulatory.db-debian',
      'etc/alternatives/regulatory.db -> /lib/firmware/regulatory.db-debian',
      'lib/firmware/regulatory.db -> /etc/alternatives/regulatory.db',
      'lib/firmware/regulatory.db.p7s-debian',
      'etc/alternatives/regulatory.db.p7s -> /lib/firmware/regulatory.db.p7s-debian',
      'lib/firmware/regulatory.db.p7s -> /etc/alternatives/regulatory.db.p7s',
    ]);
    expect(byName.get('lib/firmware/regulatory.db-debian')?.data.toString()).toBe('REGDB-DEBIAN');
    expect(byName.get('sbin')?.mode).toBe(0o040755);
    expect(byName.has('etc/dbus-1/system.d/wpa_supplicant.conf')).toBe(false);
    expect(byName.get('var/run')?.data.toString()).toBe('/run');
    expect(byName.has('lib/i386-linux-gnu/libm.so.6') || byName.has('lib/i386-linux-gnu/libgcc_s.so.1') || byName.has('usr/share/man/man8/iw.8.gz')).toBe(false);
    const manifest = JSON.parse(readFileSync(join(img.kernel, '..', 'manifest.json'), 'utf8')) as { userland: string[]; packages: string[] };
    expect(manifest.userland[0]).toBe('/sbin/iw');
    expect(manifest.packages.slice(3)).toEqual([
      'iw_5.19-1_i386', 'wpasupplicant_2:2.10-12_i386', 'wireless-regdb_2026.09.03-1_all', 'libc6_2.36-9_i386', 'libnl-3-200_3.7.0-0.2_i386', 'libnl-genl-3-200_3.7.0-0.2_i386',
      'libgcc-s1_12.2.0-14_i386', 'gcc-12-base_12.2.0-14_all',
    ]);
    // The Depends: closure, one apt-cache show per level; an architecture-independent package asked again without :i386.
    expect(host.calls().filter((c) => c.startsWith('apt-cache show'))).toEqual([
      'apt-cache show --no-all-versions linux-image-686:i386',
      `apt-cache show --no-all-versions linux-image-${FAKE_KVER}:i386 busybox-static:i386 seabios`,
      'apt-cache show --no-all-versions iw:i386 wpasupplicant:i386 wireless-regdb:i386',
      'apt-cache show --no-all-versions wireless-regdb',
      'apt-cache show --no-all-versions libc6:i386 libnl-3-200:i386 libnl-genl-3-200:i386',
      'apt-cache show --no-all-versions libgcc-s1:i386',
      'apt-cache show --no-all-versions gcc-12-base:i386',
      'apt-cache show --no-all-versions gcc-12-base',
    ]);
  });

  test('a second run reuses the cache without asking apt; new package versions rebuild and prune', async () => {
    const host = makeFakeHost();
    const cacheDir = tmpCache();
    const first = await ensureGuestImage({ cacheDir, tools: host.tools, progress: false, log: () => {} });
    const callsAfterFirst = host.calls().length;
    expect(host.calls().filter((c) => c.startsWith('apt-get download'))).toHaveLength(1);

    const again = await ensureGuestImage({ cacheDir, tools: host.tools, progress: false, log: () => {}, force: false });
    expect(again).toEqual(first);
    expect(host.calls()).toHaveLength(callsAfterFirst); // apt's lists unchanged: no tool ran at all

    host.touchLists(); // apt-get update with nothing new: apt is asked, the key is the same
    const same = await ensureGuestImage({ cacheDir, tools: host.tools, progress: false, log: () => {} });
    expect(same.cacheKey).toBe(first.cacheKey);
    expect(host.calls().filter((c) => c.startsWith('dpkg-deb'))).toHaveLength(11);

    host.setKernelVersion('6.1.1000-1');
    const next = await ensureGuestImage({ cacheDir, tools: host.tools, progress: false, log: () => {} });
    expect(next.cacheKey).not.toBe(first.cacheKey);
    expect(existsSync(first.initrd)).toBe(false);
    expect(readdirSync(join(cacheDir, 'images'))).toEqual([next.cacheKey.slice(0, 16)]);
    expect(readdirSync(join(cacheDir, 'debs')).filter((f) => f.startsWith('linux-image'))).toEqual([`linux-image-${FAKE_KVER}_6.1.1000-1_i386.deb`]);
  });

  test('--force rebuilds the same image byte for byte', async () => {
    const host = makeFakeHost();
    const cacheDir = tmpCache();
    const a = await ensureGuestImage({ cacheDir, tools: host.tools, progress: false, log: () => {} });
    const bytes = readFileSync(a.initrd);
    const b = await ensureGuestImage({ cacheDir, tools: host.tools, progress: false, log: () => {}, force: true });
    expect(b.cacheKey).toBe(a.cacheKey);
    expect(Buffer.compare(readFileSync(b.initrd), bytes)).toBe(0);
    expect(host.calls().filter((c) => c.startsWith('apt-get download'))).toHaveLength(1); // the .debs were kept
  });

  test('without apt: a clear message naming the packages and the kernel:/initrd:/bios: way out', async () => {
    const cacheDir = tmpCache();
    const missing = { aptCache: '/nonexistent/apt-cache', aptGet: '/nonexistent/apt-get', aptLists: join(cacheDir, 'no-lists') };
    const err = await ensureGuestImage({ cacheDir, tools: missing, progress: false, log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestBuildError);
    const msg = (err as Error).message;
    expect(msg).toContain('/nonexistent/apt-cache is not installed');
    expect(msg).toContain('apt-get download linux-image-686:i386 busybox-static:i386 seabios iw:i386');
    expect(msg).toMatch(/`kernel:`, `initrd:`, `bios:`/);
  });

  test('without network: apt-get download failing is reported with apt own words', async () => {
    const host = makeFakeHost();
    host.failDownloads();
    const err = await ensureGuestImage({ cacheDir: tmpCache(), tools: host.tools, progress: false, log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestBuildError);
    expect((err as Error).message).toMatch(/apt-get download failed: E: Failed to fetch .*Temporary failure resolving/);
  });

  test('when apt stops working, the image of the last look-up is still served', async () => {
    const host = makeFakeHost();
    const cacheDir = tmpCache();
    const built = await ensureGuestImage({ cacheDir, tools: host.tools, progress: false, log: () => {} });
    const lines: string[] = [];
    const img = await ensureGuestImage({ cacheDir, tools: { ...host.tools, aptCache: '/nonexistent/apt-cache', aptLists: join(cacheDir, 'gone') }, progress: false, log: (l) => lines.push(l), force: false });
    expect(img).toEqual(built);
    expect(lines.join('\n')).toMatch(/apt is not usable .*using the packages of the last look-up/);
  });
});

describe('build lock', () => {
  test('a lock left by a dead process is taken over', async () => {
    const dir = tmpCache();
    writeFileSync(join(dir, 'build.lock'), '999999999');
    await expect(withLock(dir, async () => 'ran', () => {})).resolves.toBe('ran');
    expect(existsSync(join(dir, 'build.lock'))).toBe(false);
  });

  test('a live holder is waited for, and the waiter is told who holds it', async () => {
    const dir = tmpCache();
    const order: string[] = [];
    let release!: () => void;
    const held = withLock(dir, () => new Promise<void>((r) => { order.push('first holds'); release = r; }), () => {});
    await new Promise((r) => setImmediate(r));
    const waited: number[] = [];
    const second = withLock(dir, async () => { order.push('second holds'); }, (pid) => waited.push(pid));
    await new Promise((r) => setTimeout(r, 50));
    expect(waited).toEqual([process.pid]);
    release();
    await held;
    await second;
    expect(order).toEqual(['first holds', 'second holds']);
  });
});
