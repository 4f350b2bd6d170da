/**
 * A two-guest scenario in the debugger page, in a real browser (Debian's chromium, headless, playwright-core, as
 * tests/web/browser.test.ts): `qnxemu web tests/fixtures/threads/two-guests-collide.yaml` runs the scenario once with
 * its guests in worker threads, as `qnxemu run` does by default, and serves the page with that run's recording in
 * bundle.json (emulator/app/web-page/core/threaded-bundle.ts). The page replays the run without v86 — it fetches no
 * guest image — in a page served without cross-origin isolation (no SharedArrayBuffer there), and shows
 * `qnxemu run`'s trace-hash, the guests' consoles, their ports' frame counts, and a `back` that stays on the run.
 * Without chromium the tests FAIL.
 */
import type { Browser, Page } from 'playwright-core';
import { openWatched, readers, requireChromium } from './chromium';
import { runHash, startWeb, type WebProcess } from './helpers';

const FILE = 'tests/fixtures/threads/two-guests-collide.yaml';
const RUN_MS = 600_000;

let browser: Browser;
let page: Page;
let web: WebProcess;
let cliHash: Promise<string>;
let errors: string[] = [];
let fetched: string[] = [];

const { text, content, waitText } = readers(() => page);

beforeAll(async () => {
  requireChromium();
  cliHash = runHash([FILE]);
  cliHash.catch(() => undefined); // awaited by the hash test
  web = await startWeb([FILE]);
  ({ browser, page, errors, fetched } = await openWatched(web.url));
  await page.locator('#trace-hash').waitFor({ timeout: RUN_MS });
}, RUN_MS + 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop('SIGKILL');
});

afterEach(() => {
  expect(errors).toEqual([]);
});

test('the command recorded the threaded run; the page, not cross-origin isolated, fetched no guest image or v86', async () => {
  expect(web.stdout()).toMatch(/^qnxemu web: ran linux1, linux2 in worker threads \(--threads \d+\) as qnxemu run does/m);
  expect(await page.evaluate('typeof SharedArrayBuffer === "function" && crossOriginIsolated === true')).toBe(false);
  expect(fetched).toContain('/bundle.json');
  expect(fetched.filter((f) => f.startsWith('/guest/') || f.startsWith('/v86/'))).toEqual([]);
});

test("the trace-hash is `qnxemu run`'s (the threaded engine's); the header says the guests ran in worker threads", async () => {
  expect((await text('#trace-hash')).trim()).toBe(await cliHash);
  expect(await text('#guest-threads')).toMatch(/^in worker threads \(--threads \d+\), replayed$/);
  expect(await page.locator('#open-error').count()).toBe(0);
}, RUN_MS);

test("continue to the end: the replay's end checks the threaded run's trace-hash; the consoles and the ports' counts are there", async () => {
  await page.click('#continue');
  await waitText('#stop', '/end/.test(t)');
  expect(await content('#stop-lines')).toContain('the same trace-hash as the threaded run');
  expect(await text('#consoles [data-console="linux1"] pre')).toContain('20 packets transmitted, 20 packets received, 0% packet loss');
  expect(await text('#consoles [data-console="linux2"] pre')).toContain('20 packets transmitted, 20 packets received, 0% packet loss');
  // The guests' NIC models stayed in the workers; the topology counts what their ports carried on the hub.
  expect(await content('#topology [data-nic="linux1.nic0"]')).toMatch(/tx \d+ rx \d+/);
});

test('back: one event earlier, then continue reaches the same end', async () => {
  const at = Number(/#(\d+)/.exec(await text('#event-count'))![1]);
  await page.click('#back');
  await waitText('#event-count', `t.startsWith('#${at - 1} ')`);
  await page.click('#continue');
  await waitText('#event-count', `t.startsWith('#${at} ')`);
  expect(await content('#stop-lines')).toContain('the same trace-hash as the threaded run');
});
