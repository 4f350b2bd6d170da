/**
 * `qnxemu web … --out DIR`: the page as static files — dist/web's index.html, app.js and style.css (not the source
 * maps: assets.ts) and the scenario's bundle.json — written into DIR, which any static web server can then serve
 * (the page loads ./bundle.json and its scripts by relative URLs). Returns what it wrote, for the command to print.
 *
 * Outside the simulated world: it writes files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOutputDir } from '../cli/outputs';
import { CliError, osReason } from '../cli/errors';
import { readPageFile, type PageFile } from './assets';

export interface Written {
  file: string;
  bytes: number;
}

export function exportPage(files: PageFile[], dir: string): Written[] {
  let isFile = false;
  try {
    isFile = !fs.statSync(dir).isDirectory();
  } catch {
    // missing: made below
  }
  if (isFile) throw new CliError(`--out ${dir}`, 'is a file, not a folder (the page is written as files into a folder)');
  checkOutputDir('--out', dir);
  return files.map((f) => {
    const file = path.join(dir, f.name);
    const body = readPageFile(f);
    try {
      // Guest scenarios' files live in subfolders (guest/, v86/: guest-assets.ts).
      if (f.name.includes('/')) fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body);
    } catch (e) {
      throw new CliError(`--out ${dir}`, `cannot write ${f.name}: ${osReason(e)}`);
    }
    return { file, bytes: body.length };
  });
}

/** "1.2 MB", "3.4 kB", "12 B" */
export function sizeText(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`;
}

/** "wrote out/app.js (1.2 MB)" */
export function writtenLine(w: Written): string {
  return `wrote ${w.file} (${sizeText(w.bytes)})`;
}
