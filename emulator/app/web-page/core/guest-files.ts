/**
 * Guest (v86) nodes in the page: the files they need beside app.js, and how the page gets them.
 *
 * `qnxemu web` serves a guest scenario's image (the files `qnxemu guest build` caches: kernel, initramfs, SeaBIOS
 * and its VGA BIOS) and v86's build (node_modules/v86/build: libv86.js and v86.wasm) under the fixed names of
 * GUEST_PAGE_FILES (emulator/app/web/guest-assets.ts; `--out DIR` copies them). The page fetches them
 * (`fetchGuestFiles`), hands v86's build to the v86 runtime (emulator/machine/v86/v86-runtime.ts
 * provideV86Build: the same text and wasm `qnxemu run` evaluates) and mounts the image in the page's file system
 * (../shims/fs.ts), where `prepareGuests` (emulator/app/assembly/guest-node.ts) reads it exactly as under Node.
 * Everything after that — the v86 adapter, the NIC models, the guest clock — is the code `qnxemu run` runs, so
 * the page's trace-hash is the command line's.
 */
import type { GuestImage } from '../../guest-image';
import { prepareGuests, type PreparedGuests } from '../../assembly/guest-node';
import { provideV86Build } from '../../../machine/v86/v86-runtime';
import type { Scenario } from '../../scenario/types';
import { mountFixed } from '../shims/fs';

/** The served names (URL paths under the page's folder) of what guest nodes need. */
export const GUEST_PAGE_FILES = {
  kernel: 'guest/bzImage',
  initrd: 'guest/initrd.img',
  bios: 'guest/bios.bin',
  vgaBios: 'guest/vgabios.bin',
  libv86: 'v86/libv86.js',
  wasm: 'v86/v86.wasm',
} as const;

export type GuestPageFile = keyof typeof GUEST_PAGE_FILES;

/** Reads one of the page's files by its served name (the page: fetch; tests: the disk). */
export type PageFileReader = (name: string) => Promise<Uint8Array>;

/** Where the image appears in the page's file system. */
const IMAGE_DIR = '/guest-image';

/** Bytes of every file `fetchGuestFiles` fetched (the page says how much it loaded). */
export let guestFilesBytes = 0;

/** `fetch` relative to the page; a missing file is one line naming it and what to do. */
export function fetchReader(base = './'): PageFileReader {
  return async (name) => {
    const url = base + name;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new Error(`cannot load ${url}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!res.ok) throw new Error(`cannot load ${url} (HTTP ${res.status}): the page serves a guest scenario's image only when \`qnxemu web\` was given the scenario`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

/** Load v86's build and the guest image through `read`; the image as prepareGuests takes it. */
export async function loadGuestFiles(read: PageFileReader): Promise<GuestImage> {
  const names = Object.keys(GUEST_PAGE_FILES) as GuestPageFile[];
  const bytes = await Promise.all(names.map((k) => read(GUEST_PAGE_FILES[k])));
  const got = Object.fromEntries(names.map((k, i) => [k, bytes[i]!])) as Record<GuestPageFile, Uint8Array>;
  guestFilesBytes = bytes.reduce((n, b) => n + b.length, 0);
  provideV86Build(new TextDecoder().decode(got.libv86), got.wasm, 'v86');
  const path = (k: 'kernel' | 'initrd' | 'bios' | 'vgaBios'): string => `${IMAGE_DIR}/${GUEST_PAGE_FILES[k].split('/').pop()!}`;
  mountFixed({ [path('kernel')]: got.kernel, [path('initrd')]: got.initrd, [path('bios')]: got.bios, [path('vgaBios')]: got.vgaBios });
  return { kernel: path('kernel'), initrd: path('initrd'), bios: path('bios'), vgaBios: path('vgaBios'), kernelVersion: '', modules: [], cacheKey: '' };
}

/** The v86 instances of a scenario's guest nodes, from files read by `read` (the page: fetchReader()). */
export async function pageGuests(scenario: Scenario, read: PageFileReader = fetchReader()): Promise<PreparedGuests> {
  const image = await loadGuestFiles(read);
  return prepareGuests(scenario, { images: async () => image });
}
