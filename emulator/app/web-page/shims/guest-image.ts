/**
 * The guest image builder as the web page's bundle sees it (esbuild redirects emulator/app/guest-image/index.ts
 * here: ./esbuild-browser.mjs). Guest nodes (Linux under v86) are not supported in the page yet — the session
 * refuses such a scenario before anything is built (../core/session.ts) — and the builder needs apt, a file
 * system and child processes, so it stays out of the bundle. The constants assembly imports come from the real
 * init script module (it has no host dependencies).
 */
export { guestCmdline, BASE_CMDLINE, READY_MARKER, ERROR_PREFIX, GUEST_PROMPT, type GuestCmdlineOptions } from '../../guest-image/init-script';

export const GUEST_UNSUPPORTED = 'guest nodes (v86) are not supported in the web page yet';

export function ensureGuestImage(): never {
  throw new Error(`${GUEST_UNSUPPORTED}: the guest image builder runs only under Node (qnxemu guest build)`);
}
