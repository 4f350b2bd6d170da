/**
 * `qnxemu web --open`: hand the page's URL to the system's browser launcher — `$BROWSER` if set (the convention
 * of Python's webbrowser and many CLIs), else xdg-open (Linux, BSD), open (macOS) or `cmd /c start` (Windows) —
 * when one is on PATH; otherwise say that none was found (the URL is printed anyway). The launcher runs detached:
 * stopping `qnxemu web` does not close the browser.
 *
 * Outside the simulated world: it starts a process.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The launcher for this system: program and the arguments before the URL, or null if none is on PATH. */
export function findOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): { program: string; args: string[] } | null {
  const browser = env['BROWSER']?.trim();
  if (browser && onPath(browser, env)) return { program: browser, args: [] };
  const candidates: { program: string; args: string[] }[] =
    platform === 'darwin' ? [{ program: 'open', args: [] }] : platform === 'win32' ? [{ program: 'cmd', args: ['/c', 'start', '""'] }] : [{ program: 'xdg-open', args: [] }];
  return candidates.find((c) => onPath(c.program, env)) ?? null;
}

/** Open `url`; returns the line to print ("opening … with xdg-open" or why not). */
export function openBrowser(url: string): string {
  const opener = findOpener();
  if (!opener) return `qnxemu web: no browser launcher found ($BROWSER, xdg-open): open ${url} yourself`;
  const child = spawn(opener.program, [...opener.args, url], { detached: true, stdio: 'ignore' });
  child.on('error', (e) => process.stderr.write(`qnxemu web: ${opener.program} failed: ${e.message}: open ${url} yourself\n`));
  child.unref();
  return `qnxemu web: opening ${url} with ${opener.program}`;
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = program.includes('/') ? [''] : (env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  return dirs.some((d) => {
    try {
      fs.accessSync(d ? path.join(d, program) : program, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
