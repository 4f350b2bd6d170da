/**
 * The web page's files as `qnxemu web` serves and exports them: the browser bundle scripts/build.mjs writes to
 * dist/web/ (index.html, app.js, style.css and their source maps), plus the scenario bundle (bundle.json), which
 * is made per run and lives in memory.
 *
 * The set of files is fixed when the command starts: the page's files named below that exist in dist/web/, nothing
 * else (not dist/web/core.js, the core alone for tests). The server looks a request's path up in this set and never
 * joins it to a folder, so no request can reach a file outside it (`/../package.json`, `/%2e%2e/x`, `/app.js/..`
 * are simply not in the set). The source maps are served (a browser's developer tools ask for them) but not
 * exported with --out: 8 MB that a static copy of the page does not need.
 *
 * This file is Node-side only (the command line), outside the simulated world.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../guest-image/cache';
import { CliError } from '../cli/errors';

/** The page: without index.html and app.js there is none; style.css is served when the build wrote it. */
const PAGE = ['index.html', 'app.js', 'style.css'];
const REQUIRED = ['index.html', 'app.js'];
/** Source maps of the page's script and style sheet. */
const MAPS = ['app.js.map', 'style.css.map'];

/** Content types by extension (a browser refuses an ES module script served as text/plain). */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  // Guest scenarios (guest-assets.ts): v86's wasm core; the image files are octet-streams.
  '.wasm': 'application/wasm',
};

export function contentType(name: string): string {
  return CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream';
}

/** A file of the page: its name in the page's folder (also its URL path without the leading slash). */
export interface PageFile {
  name: string;
  /** Where it is read from on disk, or its bytes (bundle.json). */
  source: { file: string } | { bytes: Buffer };
}

/**
 * dist/web/: next to the running CLI bundle (dist/qnxemu.js, installed or in the repository); from the sources
 * (jest running TypeScript) the repository's dist/web/.
 */
export function webDir(): string {
  if (path.basename(__dirname) === 'dist') return path.join(__dirname, 'web');
  return path.join(repoRoot(__dirname) ?? process.cwd(), 'dist', 'web');
}

/** The page's files present in `dir` (with their source maps if `maps`); a one-line error if the page has not been built. */
export function pageFiles(dir: string = webDir(), maps = true): PageFile[] {
  const missing = REQUIRED.filter((n) => !isFile(path.join(dir, n)));
  if (missing.length > 0) throw new CliError(`web page ${path.relative(process.cwd(), dir) || dir}`, `${missing.join(' and ')} missing: run npm run build`);
  return [...PAGE, ...(maps ? MAPS : [])].filter((n) => isFile(path.join(dir, n))).map((name) => ({ name, source: { file: path.join(dir, name) } }));
}

/** The scenario bundle as the page loads it (./bundle.json). */
export function bundleFile(json: unknown): PageFile {
  return { name: 'bundle.json', source: { bytes: Buffer.from(JSON.stringify(json) + '\n') } };
}

export function readPageFile(f: PageFile): Buffer {
  return 'bytes' in f.source ? f.source.bytes : fs.readFileSync(f.source.file);
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
