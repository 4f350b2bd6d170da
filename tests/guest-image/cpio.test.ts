import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOrder, writeCpio, type CpioEntry } from '../../emulator/app/guest-image/cpio';
import { readNewc } from './newc-reader';

const enc = new TextEncoder();

describe('newc cpio writer', () => {
  test('matches a hand-written byte fixture', () => {
    const bytes = writeCpio([
      { type: 'dir', path: 'd' },
      { type: 'file', path: 'd/a', data: enc.encode('hi\n') },
      { type: 'symlink', path: 'l', target: 'd/a' },
      { type: 'chardev', path: 'c', major: 5, minor: 1 },
    ]);
    // Fields: magic ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
    const h = (...f: string[]): string => '070701' + f.join('');
    const z = '00000000';
    const expected =
      h('00000001', '000041ED', z, z, '00000002', z, z, z, z, z, z, '00000002', z) + 'd\0' + // 112: aligned
      h('00000002', '000081A4', z, z, '00000001', z, '00000003', z, z, z, z, '00000004', z) + 'd/a\0' + '\0\0' + 'hi\n' + '\0' +
      h('00000003', '0000A1FF', z, z, '00000001', z, '00000003', z, z, z, z, '00000002', z) + 'l\0' + 'd/a' + '\0' +
      h('00000004', '00002180', z, z, '00000001', z, z, z, z, '00000005', '00000001', '00000002', z) + 'c\0' +
      h(z, z, z, z, '00000001', z, z, z, z, z, z, '0000000B', z) + 'TRAILER!!!\0' + '\0\0\0';
    expect(Buffer.from(bytes).toString('latin1')).toBe(expected);
    expect(bytes.length % 4).toBe(0);
  });

  test('round trip through an independent reader, with every name and data length modulo 4', () => {
    const entries: CpioEntry[] = [{ type: 'dir', path: 'x', mode: 0o700 }];
    for (let n = 1; n <= 8; n++) {
      const data = new Uint8Array(n * 3).map((_, i) => (i * 7 + n) & 0xff);
      entries.push({ type: 'file', path: `x/${'f'.repeat(n)}`, data, mode: 0o755 });
    }
    entries.push({ type: 'symlink', path: 'x/link', target: 'ffff' });
    const got = readNewc(Buffer.from(writeCpio(entries)));
    expect(got.map((m) => m.name)).toEqual(entries.map((e) => e.path));
    expect(got.map((m) => m.ino)).toEqual(entries.map((_, i) => i + 1));
    expect(got[0]?.mode).toBe(0o40700);
    for (let n = 1; n <= 8; n++) {
      const m = got[n];
      const e = entries[n];
      if (m === undefined || e === undefined || e.type !== 'file') throw new Error('missing member');
      expect(m.mode).toBe(0o100755);
      expect(Buffer.compare(m.data, Buffer.from(e.data))).toBe(0);
      expect(m.mtime).toBe(0);
    }
    expect(got[9]?.data.toString()).toBe('ffff');
  });

  test('is byte-identical for identical input', () => {
    const e: CpioEntry[] = [{ type: 'file', path: 'init', data: enc.encode('#!/bin/sh\n'), mode: 0o755 }];
    expect(Buffer.compare(Buffer.from(writeCpio(e)), Buffer.from(writeCpio(e)))).toBe(0);
  });

  test('rejects members before their directory, repeats and bad paths', () => {
    expect(() => checkOrder([{ type: 'file', path: 'a/b', data: new Uint8Array() }])).toThrow(/before its directory "a"/);
    expect(() => checkOrder([{ type: 'dir', path: 'a' }, { type: 'dir', path: 'a' }])).toThrow(/twice/);
    for (const p of ['/abs', 'a/', 'a/../b', '', 'a//b']) expect(() => checkOrder([{ type: 'dir', path: p }])).toThrow(/bad member path/);
  });

  test('a host cpio, when installed, lists the same members', () => {
    const cpio = spawnSync('cpio', ['--version']);
    const entries: CpioEntry[] = [
      { type: 'dir', path: 'bin' },
      { type: 'file', path: 'bin/busybox', data: new Uint8Array(1001), mode: 0o755 },
      { type: 'symlink', path: 'bin/sh', target: 'busybox' },
    ];
    const bytes = Buffer.from(writeCpio(entries));
    if (cpio.error !== undefined || cpio.status !== 0) {
      // No host cpio: the independent reader is the check.
      expect(readNewc(bytes).map((m) => m.name)).toEqual(['bin', 'bin/busybox', 'bin/sh']);
      return;
    }
    const f = join(mkdtempSync(join(tmpdir(), 'qnxemu-cpio-')), 'a.cpio');
    writeFileSync(f, bytes);
    const r = spawnSync('cpio', ['-t', '--quiet', '-F', f], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['bin', 'bin/busybox', 'bin/sh']);
  });
});
