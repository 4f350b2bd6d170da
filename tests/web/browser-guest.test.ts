/**
 * A guest (v86) scenario in the debugger page, in a real browser (Debian's chromium, headless, playwright-core, as
 * tests/web/browser.test.ts): `qnxemu web docs/examples/guest-ne2k-pci.yaml --seed 3 --until 4.5s` serves the page
 * with the guest image and v86's build beside it; the page fetches them, boots Linux under v86 in its lookahead
 * and shows the same trace-hash as `qnxemu run` with that seed and end (the requirement: the page's guests run the
 * code the command line runs — v86, the adapter, the NIC models, the guest clock). Then: the guest and its NIC in
 * the topology, a breakpoint on the guest NIC's first accepted echo request, the guest's shell in the consoles
 * panel, its RTL8029's registers, `back` (the session replays the guest from the lookahead's logs). No console
 * errors anywhere.
 *
 * The guest boots once for the file (beforeAll), in the page, while `qnxemu run` boots its own: minutes of host
 * time on a busy machine, hence the long timeouts (no test measures speed). Without chromium the tests FAIL.
 */
import type { Browser, Page } from 'playwright-core';
import { openWatched, readers, requireChromium } from './chromium';
import { runHash, startWeb, type WebProcess } from './helpers';

const FILE = 'docs/examples/guest-ne2k-pci.yaml';
const ARGS = ['--seed', '3', '--until', '4.5s'];
const BREAK = 'probe nic/rx-accept on linux1 if icmp echo-request';
const BOOT_MS = 900_000;

let browser: Browser;
let page: Page;
let web: WebProcess;
let cliHash: Promise<string>;
let errors: string[] = [];
/** Paths the page fetched (besides itself). */
let fetched: string[] = [];

const { text, content, waitText } = readers(() => page);
const eventNo = async (): Promise<number> => Number(/#(\d+)/.exec(await text('#event-count'))![1]);

beforeAll(async () => {
  requireChromium();
  cliHash = runHash([FILE, ...ARGS]);
  cliHash.catch(() => undefined); // awaited by the hash test
  web = await startWeb([FILE, ...ARGS]);
  ({ browser, page, errors, fetched } = await openWatched(web.url));
  await page.locator('#trace-hash').waitFor({ timeout: BOOT_MS });
}, BOOT_MS + 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop('SIGKILL');
});

afterEach(() => {
  expect(errors).toEqual([]);
});

test('the page fetched the guest image and v86 that `qnxemu web` serves beside it', () => {
  expect(web.line).toMatch(/\(guest-ne2k-pci, seed 3\)/);
  for (const f of ['/guest/bzImage', '/guest/initrd.img', '/guest/bios.bin', '/guest/vgabios.bin', '/v86/libv86.js', '/v86/v86.wasm']) expect(fetched).toContain(f);
});

test("the trace-hash is `qnxemu run`'s for the same scenario, seed and end", async () => {
  expect(await text('#seed')).toBe('3');
  expect((await text('#trace-hash')).trim()).toBe(await cliHash);
  expect(await page.locator('#open-error').count()).toBe(0);
}, BOOT_MS);

test('the topology shows the guest node and its NIC', async () => {
  expect(await page.locator('#topology [data-node="linux1"].node-guest').count()).toBe(1);
  expect(await page.$$eval('#topology [data-nic]', (els) => els.map((e) => e.getAttribute('data-nic')))).toEqual(['alpha.nic0', 'linux1.nic0']);
});

test("a breakpoint on the guest NIC stops there; the consoles panel shows the guest's shell", async () => {
  await page.fill('#breakpoint-input', BREAK);
  await page.press('#breakpoint-input', 'Enter');
  await expect(page.locator('#breakpoint-list li').count()).resolves.toBe(1);
  await page.click('#continue');
  await waitText('#stop', '/breakpoint/.test(t)');
  expect(await content('#stop-lines')).toMatch(/linux1.*rx-accept/);
  const guest = await text('#consoles [data-console="linux1"] pre');
  expect(guest).toContain('qnxemu-guest-ready');
  expect(guest).toContain('guest# sleep 4');
  expect(await text('#consoles [data-console="alpha"] pre')).toContain('PING 10.0.0.3');
});

test("the guest NIC's registers, from the RTL8029 model's inspect()", async () => {
  await page.click('#topology [data-nic="linux1.nic0"]');
  const view = await text('.selection [data-nic-view="linux1.nic0"]');
  expect(view).toContain('linux1.nic0 rtl8029 on hub0, MAC 52:54:00:00:00:03');
  expect(await page.locator('.selection [data-nic-view="linux1.nic0"] table.regs').count()).toBeGreaterThan(0);
});

test('back: one event earlier (the guest replayed from the lookahead), then continue stops at the breakpoint again', async () => {
  const at = await eventNo();
  await page.click('#back');
  await waitText('#event-count', `t.startsWith('#${at - 1} ')`);
  expect(await content('#stop-lines')).not.toMatch(/diverged/);
  await page.click('#continue');
  await waitText('#event-count', `t.startsWith('#${at} ')`);
  expect(await text('#stop')).toMatch(/breakpoint/);
});
