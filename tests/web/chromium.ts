/**
 * Debian's chromium, headless, through playwright-core, for the page tests that load a served page and watch it
 * (tests/web/browser-guest.test.ts, browser-threaded.test.ts): the browser, one page, and what the page reported —
 * console errors, page errors, failed requests and HTTP errors (a test expects none), and the paths it fetched.
 */
import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/** Without chromium the page tests FAIL, saying how to get it. */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: the web page tests run it headless (apt-get install -y --no-install-recommends chromium; .ci/run installs it; or set CHROMIUM=/path/to/chromium)`);
}

export interface WatchedPage {
  browser: Browser;
  page: Page;
  /** Console errors, page errors, failed requests and HTTP statuses ≥ 400, as they came. */
  errors: string[];
  /** Paths the page fetched with a good status (besides itself). */
  fetched: string[];
}

/** Launch chromium and open `url` in a 1280×800 page, watching it from before the first request. */
export async function openWatched(url: string): Promise<WatchedPage> {
  requireChromium();
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  const fetched: string[] = [];
  page.on('console', (m) => (m.type() === 'error' ? errors.push(`console: ${m.text()}`) : undefined));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => (r.status() >= 400 ? errors.push(`HTTP ${r.status()} ${r.url()}`) : fetched.push(new URL(r.url()).pathname)));
  await page.goto(url);
  return { browser, page, errors, fetched };
}

/** Readers of the page's elements by CSS selector (`page` is read at each call: tests assign it in beforeAll). */
export function readers(page: () => Page): {
  text: (sel: string) => Promise<string>;
  content: (sel: string) => Promise<string>;
  waitText: (sel: string, test: string, timeout?: number) => Promise<unknown>;
} {
  return {
    /** Rendered text (innerText) of an HTML element. */
    text: (sel) => page().locator(sel).innerText(),
    /** textContent: for an SVG element, or one inside a closed <details> (the stop as the REPL prints it). */
    content: async (sel) => (await page().locator(sel).textContent()) ?? '',
    /** Wait until `test`, a JavaScript expression of `t` (the element's textContent), holds. */
    waitText: (sel, test, timeout = 120_000) =>
      page().waitForFunction(`((t) => ${test})(document.querySelector(${JSON.stringify(sel)})?.textContent ?? '')`, undefined, { timeout }),
  };
}
