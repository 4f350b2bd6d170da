/**
 * The debugger page in a real browser: Debian's chromium (/usr/bin/chromium, or $CHROMIUM), headless, driven by
 * playwright-core, against `qnxemu web` (the built dist/qnxemu.js) serving docs/examples/ping.yaml. What the page
 * shows is checked against the command line on the same scenario and seed: the breakpoint stop, the packet's hops
 * (count, order, device, layer, probe) and `back` against `qnxemu debug` running the same commands; the trace-hash
 * against `qnxemu run`; the downloaded pcap against `qnxemu run --pcap` (and tshark); a failure bundle from
 * `qnxemu test --artifacts` opens where `until <failure time>` stops the REPL, with the failed run's trace-hash. No
 * console errors anywhere.
 *
 * One browser for the file (beforeAll). Without chromium the tests FAIL, saying how to install it (.ci/run does).
 * UPDATE_DOCS_IMAGES=1 writes the 1280×800 screenshot docs/debugger.md shows (docs/images/web-debugger.png).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PING, qnxemu, REPO, startWeb, tmpdir, type WebProcess } from './helpers';
import { pcapFrames, pngSize, parseDebugPath, type DebugHop } from './page-helpers';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const BREAK = 'probe ip/output on alpha if icmp echo-request';
const IMAGE = path.join(REPO, 'docs/images/web-debugger.png');

let browser: Browser;
let page: Page;
let web: WebProcess;
let failWeb: WebProcess;
const errors: string[] = [];
const tmp = tmpdir('browser');
/** The command line's view of the same moments. */
let cli: { hash: string; stop: { t: string; event: number }; hops: DebugHop[]; back: { t: string; event: number }; pcap: Buffer };
let failure: { t: number; expectation: string; bundle: string; stop: { t: string; event: number }; ciHash: string };

/** Fail (never skip) without the browser: the page is only tested in one. */
function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: the web page tests run it headless (apt-get install -y --no-install-recommends chromium; .ci/run installs it; or set CHROMIUM=/path/to/chromium)`);
}

/** Where `qnxemu debug` says it is stopped: "… at 1.107542666, event #1695 …" / "back at 1.107541622 after event #1694". */
function stopOf(text: string, re: RegExp): { t: string; event: number } {
  const m = re.exec(text);
  if (!m) throw new Error(`no ${re} in:\n${text}`);
  return { t: m[1]!, event: Number(m[2]) };
}

let scripts = 0;
function debugScript(file: string, lines: string[], extra: string[] = []): string {
  const f = path.join(tmp, `s${++scripts}.debug`);
  fs.writeFileSync(f, lines.join('\n') + '\n');
  const r = qnxemu(['debug', file, '--commands', f, ...extra]);
  if (r.status !== 0) throw new Error(`qnxemu debug ${file} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Attach the error collectors: console errors, uncaught exceptions, failed requests, HTTP errors. */
function watch(p: Page): void {
  p.on('console', (m) => (m.type() === 'error' ? errors.push(`console: ${m.text()}`) : undefined));
  p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  p.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  p.on('response', (r) => (r.status() >= 400 ? errors.push(`HTTP ${r.status()} ${r.url()}`) : undefined));
}

const text = (sel: string): Promise<string> => page.locator(sel).innerText();
/** Wait until the element's text passes `test` (a JavaScript expression over `t`, run in the page: no DOM types here). */
const waitText = (sel: string, test: string): Promise<unknown> =>
  page.waitForFunction(`((t) => ${test})(document.querySelector(${JSON.stringify(sel)})?.textContent ?? '')`, undefined, { timeout: 60_000 });
const eventNo = async (): Promise<number> => Number(/#(\d+)/.exec(await text('#event-count'))![1]);

beforeAll(async () => {
  requireChromium();
  // The command line on the same scenario: the reference for everything the page shows.
  const out = debugScript(PING, [`break ${BREAK}`, 'continue', 'path', 'back']);
  const runDir = path.join(tmp, 'pcap');
  const run = qnxemu(['run', PING, '--pcap', runDir]);
  cli = {
    hash: /^trace-hash ([0-9a-f]{64})$/m.exec(run.stdout)![1]!,
    stop: stopOf(out, /^breakpoint 1 \(.*\) at (\d+\.\d{9}), event #(\d+) /m),
    hops: parseDebugPath(out),
    back: stopOf(out, /^back at (\d+\.\d{9}) after event #(\d+) /m),
    pcap: fs.readFileSync(path.join(runDir, 'hub0.pcap')),
  };
  // A failure bundle as CI makes it, and where the REPL stops at its time.
  const art = path.join(tmp, 'art');
  qnxemu(['test', 'tests/web/fixtures/suite/ping-fails.yaml', '--artifacts', art, '--no-progress', '--in-process']);
  const bundle = path.join(art, 'ping-fails.bundle.json');
  const fb = JSON.parse(fs.readFileSync(bundle, 'utf8')) as { failure: { t: number; expectation: string } };
  const fout = debugScript('tests/web/fixtures/suite/ping-fails.yaml', [`until ${fb.failure.t}`, 'where']);
  const ciHash = (JSON.parse(fs.readFileSync(path.join(art, 'ping-fails', 'result.json'), 'utf8')) as { traceHash: string }).traceHash;
  failure = { ...fb.failure, bundle, stop: stopOf(fout, /^at (\d+\.\d{9}) after event #(\d+) /m), ciHash };

  [web, failWeb] = await Promise.all([startWeb([PING]), startWeb([bundle])]);
  browser = await chromium.launch({ executablePath: CHROMIUM });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  watch(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop('SIGKILL');
  await failWeb?.stop('SIGKILL');
});

afterEach(() => {
  expect(errors).toEqual([]);
});

test('the page loads, runs the scenario and shows its trace-hash, with no console errors', async () => {
  await page.goto(web.url);
  await page.locator('#trace-hash').waitFor({ timeout: 60_000 });
  expect(await text('#scenario-name')).toBe('ping');
  expect(await text('#seed')).toBe('1');
  expect((await text('#trace-hash')).trim()).toBe(cli.hash);
  expect(await page.locator('#open-error').count()).toBe(0);
});

test('a breakpoint on the first echo request stops where the REPL stops', async () => {
  await page.fill('#breakpoint-input', BREAK);
  await page.press('#breakpoint-input', 'Enter');
  await expect(page.locator('#breakpoint-list li').count()).resolves.toBe(1);
  expect(await page.locator('#breakpoint-error').count()).toBe(0);
  await page.click('#continue');
  await waitText('#time-cursor', `t === ${JSON.stringify(cli.stop.t)}`);
  expect(await eventNo()).toBe(cli.stop.event);
  expect(await text('#stop')).toMatch(/breakpoint/);
});

test("the sequence diagram has the packet's hops in the REPL's order, device, layer and probe", async () => {
  const hops = await page.$$eval('[data-hop]', (els) =>
    els.map((e) => ({
      n: Number(e.getAttribute('data-hop')),
      device: e.getAttribute('data-device'),
      layer: e.getAttribute('data-layer'),
      probe: e.getAttribute('data-probe'),
      cursor: e.classList.contains('cursor'),
    })),
  );
  expect(cli.hops.length).toBeGreaterThan(10);
  expect(hops.map((h) => h.n)).toEqual(cli.hops.map((h) => h.n));
  expect(hops.map((h) => `${h.device} ${h.layer} ${h.probe}`)).toEqual(cli.hops.map((h) => `${h.device} ${h.layer} ${h.probe}`));
  expect(hops.filter((h) => h.cursor).map((h) => h.n)).toEqual(cli.hops.filter((h) => h.cursor).map((h) => h.n));
  // The hop's own text: its number and the probe, in the REPL's time format.
  const first = cli.hops[0]!;
  expect(await page.locator('[data-hop="1"]').textContent()).toContain(first.t);
});

test('a 1280×800 screenshot of the stop (docs/images/web-debugger.png with UPDATE_DOCS_IMAGES=1)', async () => {
  const png = await page.screenshot();
  expect(pngSize(png)).toEqual({ width: 1280, height: 800 });
  if (process.env['UPDATE_DOCS_IMAGES'] === '1') {
    fs.mkdirSync(path.dirname(IMAGE), { recursive: true });
    fs.writeFileSync(IMAGE, png);
  }
});

test("step back lands where the REPL's back does, and the trace-hash is the CLI's", async () => {
  await page.click('#back');
  await waitText('#time-cursor', `t === ${JSON.stringify(cli.back.t)}`);
  expect(await eventNo()).toBe(cli.back.event);
  expect((await text('#trace-hash')).trim()).toBe(cli.hash);
});

test('keys: s steps, b steps back', async () => {
  const at = await eventNo();
  await page.locator('body').press('s');
  await waitText('#event-count', `t.startsWith('#${at + 1} ')`);
  await page.locator('body').press('b');
  await waitText('#event-count', `t.startsWith('#${at} ')`);
  expect(await text('#time-cursor')).toBe(cli.back.t);
});

test('the pcap download at the end of the run is the pcap `qnxemu run --pcap` writes', async () => {
  await page.click('#breakpoint-list li button');
  await expect(page.locator('#breakpoint-list li').count()).resolves.toBe(0);
  await page.click('#continue');
  await waitText('#stop', '/end/.test(t)');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-pcap')]);
  expect(download.suggestedFilename()).toBe('ping.pcap');
  const file = path.join(tmp, 'page.pcap');
  await download.saveAs(file);
  const bytes = fs.readFileSync(file);
  const frames = pcapFrames(bytes);
  expect(frames).toBe(pcapFrames(cli.pcap));
  expect(frames).toBeGreaterThan(4);
  const tshark = spawnSync('tshark', ['-r', file], { encoding: 'utf8' });
  if (tshark.error === undefined) {
    expect(tshark.status).toBe(0);
    expect(tshark.stdout.trim().split('\n')).toHaveLength(frames);
    expect(tshark.stdout).toMatch(/Echo \(ping\) request/);
  }
  expect(bytes.equals(cli.pcap)).toBe(true);
});

test('a failure bundle opens stopped at the failure, where `until <t>` stops the REPL', async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  watch(p);
  page = p;
  await p.goto(failWeb.url);
  await p.locator('#failure').waitFor({ timeout: 60_000 });
  expect(await text('#failure')).toContain(failure.expectation);
  expect(await text('#time-cursor')).toBe(failure.stop.t);
  expect(await eventNo()).toBe(failure.stop.event);
  expect(Number(failure.stop.t.replace('.', ''))).toBeLessThanOrEqual(failure.t);
  // The page replays the very run that failed in CI: the trace-hash `qnxemu test` recorded in result.json.
  expect((await text('#trace-hash')).trim()).toBe(failure.ciHash);
});

test('the --out export works from another static web server, in a sub-folder (python3 -m http.server)', async () => {
  const root = tmpdir('static');
  const site = path.join(root, 'some', 'site');
  expect(qnxemu(['web', PING, '--out', site]).status).toBe(0);
  const server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /port (\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.on('error', reject);
      server.on('exit', (c) => reject(new Error(`python3 -m http.server exited (${c})`)));
    });
    const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watch(p);
    page = p;
    await p.goto(`http://127.0.0.1:${port}/some/site/index.html`);
    await p.locator('#trace-hash').waitFor({ timeout: 60_000 });
    expect((await text('#trace-hash')).trim()).toBe(cli.hash);
  } finally {
    server.kill('SIGKILL');
  }
});
