/**
 * The page's core as a bundle entry of its own (dist/web/core.js, scripts/build.mjs): `openSession` and
 * `scenarioOf` with nothing of the UI. tests/web-core/browser-bundle.test.ts evaluates it in a bare JavaScript
 * context (no require, no process, no DOM) to prove the simulation runs as a browser runs it.
 */
export { openSession, scenarioOf, WebSessionError } from './session';
export { loadGuestFiles, pageGuests, GUEST_PAGE_FILES } from './guest-files';
export { GUEST_IMAGE_UNAVAILABLE } from '../shims/guest-image';
export type * from './api';
