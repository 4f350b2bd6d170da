/**
 * The guest image builder as the web page's bundle sees it (esbuild redirects emulator/app/guest-image/index.ts
 * here: ./esbuild-browser.mjs). The builder needs apt, a file system and child processes, so it stays out of the
 * bundle: the page runs guest nodes from the image `qnxemu web` builds (or finds cached) and serves with the page
 * (../core/guest-files.ts), which the session hands to prepareGuests in place of this. The constants assembly
 * imports come from the real init script module (it has no host dependencies).
 */
export { guestCmdline, BASE_CMDLINE, READY_MARKER, ERROR_PREFIX, GUEST_PROMPT, type GuestCmdlineOptions } from '../../guest-image/init-script';
export type { GuestImage } from '../../guest-image';
export { GuestBuildError, GuestBuildInterrupted } from '../../guest-image/errors';

/** Why the page cannot build a guest image itself (one line). */
export const GUEST_IMAGE_UNAVAILABLE = 'the page cannot build a guest image (the builder runs only under Node): open the scenario with `qnxemu web`, which serves its image with the page';

export function ensureGuestImage(): never {
  throw new Error(GUEST_IMAGE_UNAVAILABLE);
}
