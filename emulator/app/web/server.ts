/**
 * The HTTP server of `qnxemu web` (node:http): serves the page's files (assets.ts) and the scenario bundle, and
 * nothing else. A request's path is looked up in the fixed set of names, never joined to a folder, so no path
 * (`/../x`, `/%2e%2e/x`, `//etc/passwd`) reaches a file outside the set: it is a 404. GET and HEAD only (405
 * otherwise). Every answer says `Cache-Control: no-store`: the page, app.js and bundle.json change with each build
 * and each run, and a browser must never show a stale one.
 *
 * Outside the simulated world: it listens on a socket.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError, osReason } from '../cli/errors';
import { contentType, readPageFile, type PageFile } from './assets';

export interface WebServer {
  /** The URL of the page: http://host:port/ */
  url: string;
  port: number;
  /** Stop listening and drop open connections (keep-alive ones included); resolves when closed. */
  close(): Promise<void>;
}

/** What the server answers for `method url`: status, headers and body (exported for the unit tests). */
export function answer(files: ReadonlyMap<string, PageFile>, method: string, url: string): { status: number; headers: Record<string, string>; body: Buffer } {
  const base = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  const text = (status: number, msg: string, extra: Record<string, string> = {}) => ({
    status,
    headers: { ...base, ...extra, 'Content-Type': 'text/plain; charset=utf-8' },
    body: Buffer.from(msg + '\n'),
  });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'method not allowed', { Allow: 'GET, HEAD' });
  const pathname = url.split(/[?#]/)[0] ?? '';
  const name = pathname === '/' ? 'index.html' : pathname.startsWith('/') ? pathname.slice(1) : null;
  const file = name === null ? undefined : files.get(name);
  if (!file) return text(404, 'not found');
  const body = readPageFile(file);
  return { status: 200, headers: { ...base, 'Content-Type': contentType(file.name), 'Content-Length': String(body.length) }, body };
}

/** Listen on host:port (0: a free port) and serve `files`; a port in use or a bad host is a one-line CliError. */
export function serve(files: PageFile[], host: string, port: number): Promise<WebServer> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const server = http.createServer((req, res) => {
    let a: ReturnType<typeof answer>;
    try {
      a = answer(byName, req.method ?? 'GET', req.url ?? '/');
    } catch (e) {
      // A page file removed or rebuilt away while serving: say so to the browser, keep serving.
      a = { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, body: Buffer.from(`cannot read it: ${osReason(e)}\n`) };
    }
    res.writeHead(a.status, a.headers);
    res.end(req.method === 'HEAD' ? undefined : a.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, host, port)));
    server.listen(port, host, () => {
      const p = (server.address() as AddressInfo).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${p}/`,
        port: p,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): CliError {
  switch (e.code) {
    case 'EADDRINUSE':
      return new CliError(`--port ${port}`, `port ${port} on ${host} is in use (another server is listening there; --port 0 picks a free one)`);
    case 'EACCES':
      return new CliError(`--port ${port}`, `not allowed to listen on port ${port} (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliError(`--host ${host}`, `not an address of this machine (${e.code})`);
    default:
      return new CliError(`--host ${host} --port ${port}`, `cannot listen: ${osReason(e)}`);
  }
}
