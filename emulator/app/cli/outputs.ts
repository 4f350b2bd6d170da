/**
 * Output paths given on the command line (`--pcap <dir>`, `--trace <file>`, `--junit <file>`), checked before
 * a run starts so that a path that cannot be written is a one-line error at once, not a crash after minutes of
 * simulation. Each check makes what is missing (as the run would) and proves it writable by opening it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, osReason } from './errors';

/** `--pcap <dir>`: a folder (made if missing) in which a file can be created. */
export function checkOutputDir(option: string, dir: string): void {
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(dir);
  } catch {
    st = null;
  }
  if (st && !st.isDirectory()) throw new CliError(`${option} ${dir}`, 'is a file, not a folder (pcaps are written one per link into a folder)');
  try {
    makeDirs(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new CliError(`${option} ${dir}`, `cannot write there: ${osReason(e)}`);
  }
}

/** `--trace <file>`, `--junit <file>`: a file that can be created (its folder is made if missing). */
export function checkOutputFile(option: string, file: string): void {
  try {
    if (fs.statSync(file).isDirectory()) throw new CliError(`${option} ${file}`, 'is a folder, not a file');
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  try {
    makeDirs(path.dirname(path.resolve(file)));
    fs.closeSync(fs.openSync(file, 'a'));
  } catch (e) {
    throw new CliError(`${option} ${file}`, `cannot write there: ${osReason(e)}`);
  }
}

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdirSync(…, { recursive: true })` never returns when mkdir(2)
 * says ENOENT for a folder whose parent exists (/proc/x: procfs refuses new entries that way); this reports it.
 */
export function makeDirs(dir: string): void {
  const full = path.resolve(dir);
  const missing: string[] = [];
  for (let d = full; !fs.existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) fs.mkdirSync(d);
}
