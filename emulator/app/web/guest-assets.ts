/**
 * What `qnxemu web` serves beside the page for a scenario with guest (v86) nodes: the guest image (built or found
 * in the cache by the builder `qnxemu run` uses, emulator/app/guest-image ensureGuestImage) and v86's browser
 * build and wasm core from node_modules/v86, under the fixed names the page fetches
 * (../web-page/core/guest-files.ts GUEST_PAGE_FILES). Scenarios without guests get none of these files.
 *
 * An image that is not cached and cannot be built here (no apt, offline) is one line (CliError), before anything
 * is served. Node-side only, outside the simulated world.
 */
import * as path from 'node:path';
import { CliError } from '../cli/errors';
import { ensureGuestImage, GuestBuildError, type GuestImage } from '../guest-image';
import type { Scenario } from '../scenario/types';
import { v86PackageDir } from '../../machine/v86/v86-runtime';
import { GUEST_PAGE_FILES } from '../web-page/core/guest-files';
import type { PageFile } from './assets';

/** The guest nodes of `sc` (by name). */
export function guestNodes(sc: Scenario): string[] {
  return sc.nodes.filter((n) => n.kind === 'guest').map((n) => n.name);
}

/** The page files for `image` and the installed v86. */
export function guestPageFiles(image: GuestImage, v86Dir: string = v86PackageDir()): PageFile[] {
  const from: Record<keyof typeof GUEST_PAGE_FILES, string> = {
    kernel: image.kernel,
    initrd: image.initrd,
    bios: image.bios,
    vgaBios: image.vgaBios,
    libv86: path.join(v86Dir, 'build', 'libv86.js'),
    wasm: path.join(v86Dir, 'build', 'v86.wasm'),
  };
  return (Object.keys(GUEST_PAGE_FILES) as (keyof typeof GUEST_PAGE_FILES)[]).map((k) => ({ name: GUEST_PAGE_FILES[k], source: { file: from[k] } }));
}

/**
 * The files guest nodes of `sc` need in the page (none without guests). The image is built on first use as
 * `qnxemu run` builds it (progress on stderr); a build that cannot run is one line naming the scenario.
 */
export async function guestAssets(sc: Scenario, file: string): Promise<PageFile[]> {
  const guests = guestNodes(sc);
  if (guests.length === 0) return [];
  let image: GuestImage;
  try {
    image = await ensureGuestImage();
  } catch (e) {
    if (!(e instanceof GuestBuildError)) throw e;
    const why = (e.message.split('\n')[0] ?? '').replace(/^qnxemu: /, '');
    throw new CliError(file, `${guests.join(', ')} (kind: guest) ${guests.length === 1 ? 'needs' : 'need'} the guest image, which is not built and cannot be built here: ${why} (build it with \`qnxemu guest build\` where apt can download Debian's packages)`);
  }
  return guestPageFiles(image);
}
