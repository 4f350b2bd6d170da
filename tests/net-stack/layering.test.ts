/**
 * The import rules of docs/architecture.md inside stack/, checked on the sources: the protocols never reach
 * up into io-pkt, the wire library stands alone, and programs take socket constants from the headers, never
 * from the stack's server-side socket objects.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** The .ts files under `dir` (or `dir` itself when it is a file). */
function sources(dir: string): string[] {
  if (!statSync(join(ROOT, dir)).isDirectory()) return [dir];
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every module a file imports, as a path from the repository root (without extension). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/\bfrom '(\.[^']*)'/g)) out.push(relative(ROOT, resolve(ROOT, dirname(file), m[1]!)));
  return out;
}

function offenders(dirs: string[], bad: (target: string) => boolean): string[] {
  return dirs.flatMap(sources).flatMap((f) => importsOf(f).filter(bad).map((t) => `${f} → ${t}`));
}

describe('layering inside stack/', () => {
  test('stack/net never imports stack/io-pkt (Ifnet, Mbuf and IFF_* live in stack/net)', () => {
    expect(offenders(['stack/net'], (t) => t.startsWith('stack/io-pkt'))).toEqual([]);
  });

  test('the wire library imports nothing outside itself', () => {
    expect(offenders(['stack/net/wire'], (t) => !t.startsWith('stack/net/wire'))).toEqual([]);
  });

  test('the headers import only each other and the wire library', () => {
    expect(offenders(['stack/include'], (t) => !t.startsWith('stack/include') && !t.startsWith('stack/net/wire'))).toEqual([]);
  });

  test('programs and libsocket never import the server-side socket layer', () => {
    const serverSide = (t: string): boolean => t === 'stack/net/socket' || t === 'stack/net/sockets' || t === 'stack/net/stack';
    expect(offenders(['stack/utils', 'stack/lib', 'stack/shell'], serverSide)).toEqual([]);
  });

  test('the debugger\'s packet decoding and the fault injectors use the wire library, no protocol code', () => {
    const files = ['emulator/app/debug/packet-info.ts', 'emulator/app/debug/filter-eval.ts', 'emulator/app/testing/inject.ts'];
    expect(offenders(files, (t) => t.startsWith('stack/') && !t.startsWith('stack/net/wire'))).toEqual([]);
  });
});
