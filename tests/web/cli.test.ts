/**
 * `qnxemu web` from the command line (the built dist/qnxemu.js): `--out` writes the page and the scenario bundle as
 * static files; the server serves exactly those files with their content types and no caching, refuses every path
 * outside them (directory traversal) and other methods, and stops cleanly on SIGINT/SIGTERM; every bad input is one
 * line and a non-zero status.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { checkBundle } from '../../emulator/app/web-page/core/bundle';
import { pageFiles } from '../../emulator/app/web/assets';
import { errorLine } from '../../emulator/app/cli/errors';
import { expectOneLine, PING, qnxemu, rawRequest, REPO, startWeb, tmpdir, type WebProcess } from './helpers';

const WEB = path.join(REPO, 'dist/web');

describe('qnxemu web --out DIR', () => {
  const out = path.join(tmpdir('out'), 'site');
  let r: ReturnType<typeof qnxemu>;
  beforeAll(() => {
    r = qnxemu(['web', PING, '--seed', '7', '--until', '2s', '--out', out]);
  });

  test('writes the page, the same bytes as dist/web, and says what it wrote', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const name of ['index.html', 'app.js', 'style.css']) {
      expect(fs.readFileSync(path.join(out, name)).equals(fs.readFileSync(path.join(WEB, name)))).toBe(true);
      expect(r.stdout).toContain(`wrote ${path.join(out, name)} (`);
    }
    expect(r.stdout).toContain(`wrote ${path.join(out, 'bundle.json')} (`);
    expect(fs.readdirSync(out).sort()).toEqual(['app.js', 'bundle.json', 'index.html', 'style.css']);
    expect(r.stdout).toMatch(/^qnxemu web: ping, seed 7: serve .* with any static web server/m);
  });

  test('bundle.json is the scenario with the overrides, and checks as a bundle', () => {
    const b = checkBundle(JSON.parse(fs.readFileSync(path.join(out, 'bundle.json'), 'utf8')));
    expect(b.yaml).toBe(fs.readFileSync(path.join(REPO, PING), 'utf8'));
    expect(b.seed).toBe(7);
    expect(b.until).toBe(2_000_000_000);
    expect(b.failure).toBeUndefined();
  });

  test('the page refers to its files by relative URLs only (any static server, any folder, offline)', () => {
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    // data: URLs are inline (the empty favicon): nothing to fetch.
    const refs = [...html.matchAll(/(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]!).filter((r) => !r.startsWith('data:'));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).not.toMatch(/^(\/|[a-z]+:)/i);
      expect(fs.existsSync(path.join(out, ref.split(/[?#]/)[0]!))).toBe(true);
    }
  });

  test('a bundle.json written by --out opens again as input', () => {
    const again = path.join(tmpdir('again'), 'site');
    const r2 = qnxemu(['web', path.join(out, 'bundle.json'), '--out', again]);
    expect(r2.status).toBe(0);
    expect(fs.readFileSync(path.join(again, 'bundle.json'), 'utf8')).toBe(fs.readFileSync(path.join(out, 'bundle.json'), 'utf8'));
  });
});

describe('bad inputs are one line and a non-zero status', () => {
  const dir = tmpdir('bad');
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  test('a missing scenario', () => expectOneLine(qnxemu(['web', 'no-such.yaml']), /^qnxemu: no-such\.yaml:1:1: cannot read scenario/));
  test('a missing bundle', () => expectOneLine(qnxemu(['web', 'no-such.json']), /^qnxemu: no-such\.json: cannot read the scenario bundle: no such file or directory \(ENOENT\)$/));
  test('a folder as the bundle', () => {
    fs.mkdirSync(path.join(dir, 'folder.json'));
    expectOneLine(qnxemu(['web', path.join(dir, 'folder.json')]), /folder\.json: is not a file \(a scenario bundle is a \.json file\)$/);
  });
  test('a bundle that is not JSON', () => expectOneLine(qnxemu(['web', write('x.json', '{"format": 1,')]), /x\.json: not a scenario bundle: not JSON/));
  test('JSON that is not a bundle', () => expectOneLine(qnxemu(['web', write('y.json', '{"format": 2, "yaml": 3}')]), /y\.json|format|bundle/));
  test('a scenario with an error is located', () =>
    expectOneLine(qnxemu(['web', write('s.yaml', 'nodes:\n  alpha: { nics: [] , script: "x" }\nlinks: { hub0: { type: hubb } }\n')]), /s\.yaml:\d+:\d+: /));
  test('--port out of range', () => expectOneLine(qnxemu(['web', PING, '--port', '70000']), /--port.*0\.\.65535/));
  test('--until that is not a duration', () => expectOneLine(qnxemu(['web', PING, '--until', 'soon']), /--until/));
  test('--out that is a file', () => expectOneLine(qnxemu(['web', PING, '--out', write('file', '')]), /^qnxemu: --out .*: is a file, not a folder \(the page is written as files into a folder\)$/));
  test('--out where nothing can be written', () => expectOneLine(qnxemu(['web', PING, '--out', '/proc/qnxemu-web-out']), /^qnxemu: --out \/proc\/qnxemu-web-out: cannot write there/));
  test('--out with --open', () => expectOneLine(qnxemu(['web', PING, '--out', path.join(dir, 'o'), '--open']), /--out .*starts no server: --open does not go with it/));

  test('a port in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      expectOneLine(qnxemu(['web', PING, '--port', String(port)]), new RegExp(`^qnxemu: --port ${port}: port ${port} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      blocker.close();
    }
  });

  test('a host that is not this machine', () => expectOneLine(qnxemu(['web', PING, '--host', '203.0.113.9']), /^qnxemu: --host 203\.0\.113\.9: not an address of this machine/));

  test('the page not built: "run npm run build"', () => {
    const empty = tmpdir('noweb');
    expect(() => pageFiles(empty)).toThrow(/index\.html and app\.js missing: run npm run build/);
    let line = '';
    try {
      pageFiles(empty);
    } catch (e) {
      line = errorLine(e);
    }
    expect(line).toMatch(/^qnxemu: web page .*: index\.html and app\.js missing: run npm run build$/);
  });
});

describe('the server', () => {
  let web: WebProcess;
  beforeAll(async () => {
    web = await startWeb([PING]);
  });
  afterAll(async () => {
    await web.stop('SIGKILL');
  });

  test('prints one line: URL, scenario, seed', () => {
    expect(web.line).toMatch(/^qnxemu web: http:\/\/127\.0\.0\.1:\d+\/ \(ping, seed 1\) — Ctrl-C to stop$/);
  });

  test.each([
    ['/', 'index.html', 'text/html; charset=utf-8'],
    ['/index.html', 'index.html', 'text/html; charset=utf-8'],
    ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
    ['/style.css', 'style.css', 'text/css; charset=utf-8'],
    ['/app.js?v=2', 'app.js', 'text/javascript; charset=utf-8'],
    ['/app.js.map', 'app.js.map', 'application/json; charset=utf-8'],
  ])('GET %s: dist/web/%s as %s, never cached', async (url, file, type) => {
    const res = await rawRequest(web.url, url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.equals(fs.readFileSync(path.join(WEB, file)))).toBe(true);
  });

  test('GET /bundle.json: the scenario bundle', async () => {
    const res = await rawRequest(web.url, '/bundle.json');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const b = checkBundle(JSON.parse(res.body.toString('utf8')));
    expect(b.file).toBe(PING);
    expect(b.yaml).toBe(fs.readFileSync(path.join(REPO, PING), 'utf8'));
  });

  test('HEAD: the headers without a body', async () => {
    const res = await rawRequest(web.url, '/app.js', 'HEAD');
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(fs.statSync(path.join(WEB, 'app.js')).size);
    expect(res.body.length).toBe(0);
  });

  test.each([
    '/../package.json',
    '/..%2fpackage.json',
    '/%2e%2e/%2e%2e/package.json',
    '/..\\..\\package.json',
    '//etc/passwd',
    '/dist/qnxemu.js',
    '/web/app.js',
    '/app.js/../../qnxemu.js',
    '/./app.js',
    '/.',
    '/qnxemu.js',
    '/core.js',
  ])('no file outside the page: GET %s is 404', async (p) => {
    const res = await rawRequest(web.url, p);
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe('not found\n');
  });

  test('POST is 405', async () => {
    const res = await rawRequest(web.url, '/', 'POST');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
  });
});

describe('stopping', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s closes the server and exits %i', async (sig, status) => {
    const web = await startWeb([PING, '--port', '0']);
    expect(await web.stop(sig)).toBe(status);
    expect(web.stdout()).toMatch(new RegExp(`^qnxemu web: stopped \\(${sig}\\)$`, 'm'));
    expect(web.stderr()).toBe('');
    await expect(rawRequest(web.url, '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('--open', () => {
  test("hands the URL to the system's launcher (xdg-open on PATH)", async () => {
    const bin = tmpdir('bin');
    const got = path.join(bin, 'args');
    fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\necho "$@" > ${got}\n`, { mode: 0o755 });
    const web = await startWeb([PING, '--open'], { PATH: bin, BROWSER: '' });
    try {
      for (let i = 0; i < 100 && !fs.existsSync(got); i++) await new Promise((r) => setTimeout(r, 100));
      expect(fs.readFileSync(got, 'utf8').trim()).toBe(web.url);
      expect(web.stdout()).toContain(`qnxemu web: opening ${web.url} with xdg-open\n`);
    } finally {
      await web.stop();
    }
  });

  test('$BROWSER comes first', async () => {
    const bin = tmpdir('browser');
    const got = path.join(bin, 'args');
    fs.writeFileSync(path.join(bin, 'my-browser'), `#!/bin/sh\necho "$@" > ${got}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'xdg-open'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const web = await startWeb([PING, '--open'], { PATH: bin, BROWSER: 'my-browser' });
    try {
      for (let i = 0; i < 100 && !fs.existsSync(got); i++) await new Promise((r) => setTimeout(r, 100));
      expect(fs.readFileSync(got, 'utf8').trim()).toBe(web.url);
    } finally {
      await web.stop();
    }
  });

  test('without a launcher it says so and keeps serving', async () => {
    const web = await startWeb([PING, '--open'], { PATH: tmpdir('empty'), BROWSER: '' });
    try {
      for (let i = 0; i < 50 && !web.stdout().includes('launcher'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(web.stdout()).toContain(`qnxemu web: no browser launcher found ($BROWSER, xdg-open): open ${web.url} yourself\n`);
      expect((await rawRequest(web.url, '/')).status).toBe(200);
    } finally {
      await web.stop();
    }
  });
});

// Guest (v86) scenarios: tests/web/cli-guest.test.ts (the files served with them) and browser-guest.test.ts.
