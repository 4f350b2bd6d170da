/**
 * node:fs for the web page's bundle: a read-only virtual file system holding a scenario bundle's files
 * (ScenarioBundle.files, ../core/api.ts), mounted under BUNDLE_DIR by the session (../core/session.ts). It covers
 * what the scenario loader and assembly call on the way to a run — readFileSync, existsSync, statSync,
 * accessSync, readdirSync — and refuses every write (pcap and trace files, /dev/shmem exports, snapshot
 * files: the page keeps those in memory) with one clear error naming the call and the path.
 *
 * A guest scenario's image (kernel, initramfs, BIOS: ../core/guest-files.ts) is mounted apart (`mountFixed`), under
 * its own folder, and stays when a bundle is mounted again: the page fetches it once.
 */
import { resolve } from './path';

/** Where a bundle's files appear: the scenario's folder in the page. */
export const BUNDLE_DIR = '/bundle';

const files = new Map<string, Uint8Array>();
/** Files mounted with mountFixed (absolute paths): kept across mountFiles. */
const fixed = new Map<string, Uint8Array>();

export class VfsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'EROFS' | 'EISDIR',
    readonly syscall: string,
    readonly path: string,
    what: string,
  ) {
    super(`${code}: ${what}, ${syscall} '${path}'`);
  }
}

/** Replace the file system's contents: path (relative to BUNDLE_DIR, or absolute) → bytes. */
export function mountFiles(entries: Record<string, Uint8Array>): void {
  files.clear();
  for (const [p, data] of Object.entries(entries)) files.set(resolve(BUNDLE_DIR, p), data);
}

/** Add files by absolute path (the guest image), kept when a bundle is mounted again. */
export function mountFixed(entries: Record<string, Uint8Array>): void {
  for (const [p, data] of Object.entries(entries)) fixed.set(resolve('/', p), data);
}

function lookup(k: string): Uint8Array | undefined {
  return files.get(k) ?? fixed.get(k);
}

function allPaths(): string[] {
  return [...files.keys(), ...fixed.keys()];
}

function key(p: unknown): string {
  return resolve(BUNDLE_DIR, String(p));
}

function isDir(p: string): boolean {
  if (p === '/' || p === BUNDLE_DIR) return true;
  const prefix = p.endsWith('/') ? p : `${p}/`;
  for (const f of allPaths()) if (f.startsWith(prefix)) return true;
  return false;
}

function missing(syscall: string, p: string): VfsError {
  return new VfsError('ENOENT', syscall, p, 'no such file or directory (not in the scenario bundle)');
}

export function readFileSync(p: string, opts?: BufferEncoding | { encoding?: BufferEncoding | null }): string | Buffer {
  const k = key(p);
  const data = lookup(k);
  if (!data) throw isDir(k) ? new VfsError('EISDIR', 'read', p, 'illegal operation on a directory') : missing('open', p);
  const enc = typeof opts === 'string' ? opts : opts?.encoding ?? null;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  return enc ? buf.toString(enc) : Buffer.from(buf);
}

export function existsSync(p: string): boolean {
  const k = key(p);
  return lookup(k) !== undefined || isDir(k);
}

export interface VfsStats {
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

export function statSync(p: string): VfsStats {
  const k = key(p);
  const data = lookup(k);
  if (data) return { size: data.length, isFile: () => true, isDirectory: () => false };
  if (isDir(k)) return { size: 0, isFile: () => false, isDirectory: () => true };
  throw missing('stat', p);
}

export const constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 };

export function accessSync(p: string, mode = constants.F_OK): void {
  if (!existsSync(p)) throw missing('access', p);
  if ((mode & constants.W_OK) !== 0) throw new VfsError('EROFS', 'access', p, 'read-only file system (the web page)');
}

export function readdirSync(p: string): string[] {
  const k = key(p);
  if (!isDir(k)) throw missing('scandir', p);
  const names = new Set<string>();
  const prefix = k === '/' ? '/' : `${k}/`;
  for (const f of allPaths()) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0]!);
  return [...names].sort();
}

function readOnly(syscall: string) {
  return (p: unknown): never => {
    throw new VfsError('EROFS', syscall, typeof p === 'string' ? p : '(descriptor)', 'read-only file system (the web page keeps captures and traces in memory)');
  };
}

export const writeFileSync = readOnly('write');
export const mkdirSync = readOnly('mkdir');
export const openSync = readOnly('open');
export const writeSync = readOnly('write');
export const closeSync = readOnly('close');
export const fstatSync = readOnly('fstat');
export const ftruncateSync = readOnly('ftruncate');
export const truncateSync = readOnly('truncate');
export const rmSync = readOnly('rm');
export const renameSync = readOnly('rename');
