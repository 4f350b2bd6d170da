/**
 * `qnxemu web` on a scenario with guest (v86) nodes, from the command line (the built dist/qnxemu.js): the guest
 * image (the one `qnxemu run` uses, from the cache) and v86's build are served beside the page under guest/ and
 * v86/ with their content types, and `--out` copies them (saying how much it wrote); scenarios without guests get
 * none of them. Without the image and without the means to build it, one line before anything is served; a guest
 * naming its own kernel (not served) is refused in one line too. Booting in a browser: browser-guest.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtGuestImage } from '../../emulator/app/guest-image';
import type { ScenarioOutcome } from '../../emulator/app/testing/outcome';
import { writeFailureBundles } from '../../emulator/app/web/artifacts';
import { expectOneLine, PING, qnxemu, rawRequest, REPO, startWeb, tmpdir } from './helpers';

const FILE = 'docs/examples/guest-ne2k-pci.yaml';
const V86 = path.join(REPO, 'node_modules/v86/build');

/** The image `qnxemu run` would use (built by the guest tests' setup or `qnxemu guest build`). */
function image(): NonNullable<ReturnType<typeof builtGuestImage>> {
  const img = builtGuestImage();
  if (!img) throw new Error('no guest image in the cache: run `node dist/qnxemu.js guest build` first (the guest tests need it too)');
  return img;
}

/** served name → the file it is a copy of */
function expected(): Record<string, string> {
  const img = image();
  return {
    'guest/bzImage': img.kernel,
    'guest/initrd.img': img.initrd,
    'guest/bios.bin': img.bios,
    'guest/vgabios.bin': img.vgaBios,
    'v86/libv86.js': path.join(V86, 'libv86.js'),
    'v86/v86.wasm': path.join(V86, 'v86.wasm'),
  };
}

describe('qnxemu web GUEST --out DIR', () => {
  const out = path.join(tmpdir('guest-out'), 'site');
  let r: ReturnType<typeof qnxemu>;
  beforeAll(() => {
    r = qnxemu(['web', FILE, '--out', out]);
  });

  test('copies the guest image and v86 beside the page, byte for byte, and says how much', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    let total = 0;
    for (const name of ['index.html', 'app.js', 'style.css', 'bundle.json']) total += fs.statSync(path.join(out, name)).size;
    for (const [name, from] of Object.entries(expected())) {
      const copy = fs.readFileSync(path.join(out, name));
      expect(copy.equals(fs.readFileSync(from))).toBe(true);
      expect(r.stdout).toContain(`wrote ${path.join(out, name)} (`);
      total += copy.length;
    }
    expect(fs.readdirSync(out).sort()).toEqual(['app.js', 'bundle.json', 'guest', 'index.html', 'style.css', 'v86']);
    expect(total).toBeGreaterThan(10e6);
    expect(r.stdout).toContain(`qnxemu web: wrote ${(total / 1e6).toFixed(1)} MB into ${out}, the guest image and v86 for linux1 included\n`);
    expect(r.stdout).toMatch(/^qnxemu web: guest-ne2k-pci, seed 1: serve /m);
  });
});

describe('qnxemu web GUEST (serving)', () => {
  test('serves the guest files with their content types; a scenario without guests serves none', async () => {
    const web = await startWeb([FILE]);
    const plain = await startWeb([PING]);
    try {
      for (const [name, from] of Object.entries(expected())) {
        const res = await rawRequest(web.url, `/${name}`);
        expect(res.status).toBe(200);
        expect(res.body.equals(fs.readFileSync(from))).toBe(true);
        expect(res.headers['content-type']).toBe(name.endsWith('.wasm') ? 'application/wasm' : name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'application/octet-stream');
        expect((await rawRequest(plain.url, `/${name}`)).status).toBe(404);
      }
      expect((await rawRequest(web.url, '/guest/../package.json')).status).toBe(404);
      expect((await rawRequest(web.url, '/guest/manifest.json')).status).toBe(404);
    } finally {
      await web.stop();
      await plain.stop();
    }
  });
});

describe('qnxemu web on two guests', () => {
  // qnxemu run runs two or more guests in threads by default (guest-threads.ts); the page runs them on one thread, as
  // `run --no-threads` does: it says so once (one guest: no line), and `--no-threads`, which asks for that, is accepted.
  const TWO = 'tests/fixtures/threads/two-guests-collide.yaml';
  const NOTE = 'qnxemu web: the page runs linux1, linux2 on one thread, the run `qnxemu run --no-threads` makes (qnxemu run runs two or more guests in threads by default: another run)\n';
  test('says the page is the single-threaded engine\'s run; not with --no-threads, nor for one guest', () => {
    const dir = tmpdir('guest-two');
    const [plain, asked, one] = [
      qnxemu(['web', TWO, '--out', path.join(dir, 'a')]),
      qnxemu(['web', TWO, '--no-threads', '--out', path.join(dir, 'b')]),
      qnxemu(['web', FILE, '--out', path.join(dir, 'c')]),
    ];
    for (const r of [plain, asked, one]) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    expect(plain.stdout.startsWith(NOTE)).toBe(true);
    expect(asked.stdout).not.toContain('on one thread');
    expect(one.stdout).not.toContain('on one thread');
    expect(asked.stdout).toMatch(/^qnxemu web: two-guests-collide, seed 1: serve /m);
  });
});

describe('a failure bundle of a guest scenario (qnxemu test --artifacts)', () => {
  test('is written, and `qnxemu web BUNDLE --out` serves the guest image with it', () => {
    const failure = { t: 4_000_000_000, expectation: 'linux1.nic0 rx-accept >= 99', message: 'got 3' };
    const outcome: ScenarioOutcome = {
      ...{ file: FILE, name: 'guest-ne2k-pci', status: 'failed', error: null, expectations: [], failures: [], faultNotes: [] },
      ...{ seed: 1, traceHash: null, virtualTime: 0, events: 0, wallMs: 0, artifacts: [], failure },
    };
    const dir = tmpdir('guest-art');
    const { written, lines } = writeFailureBundles([outcome], dir);
    expect(lines).toEqual([`failure bundle ${path.join(dir, 'guest-ne2k-pci.bundle.json')} (linux1.nic0 rx-accept >= 99 at 4.000000000 s): npx qnxemu web ${path.join(dir, 'guest-ne2k-pci.bundle.json')}`]);
    const out = path.join(dir, 'site');
    const r = qnxemu(['web', written[0]!.file, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const [name, from] of Object.entries(expected())) expect(fs.readFileSync(path.join(out, name)).equals(fs.readFileSync(from))).toBe(true);
    expect(r.stdout).toMatch(/^qnxemu web: guest-ne2k-pci, seed 1, stopped at 4\.000000000 where linux1\.nic0 rx-accept >= 99 failed: serve /m);
  });
});

describe('guest scenarios the page cannot run', () => {
  const dir = tmpdir('guest-bad');

  test('no guest image cached and none can be built (no apt): one line, nothing served', () => {
    const empty = path.join(dir, 'cache');
    const noTools = path.join(dir, 'bin');
    fs.mkdirSync(empty);
    fs.mkdirSync(noTools);
    const r = qnxemu(['web', FILE, '--port', '0'], { QNXEMU_CACHE: empty, PATH: noTools });
    expectOneLine(
      r,
      /^qnxemu: docs\/examples\/guest-ne2k-pci\.yaml: linux1 \(kind: guest\) needs the guest image, which is not built and cannot be built here: apt-cache is not installed \(not found on PATH\)\. \(build it with `qnxemu guest build` where apt can download Debian's packages\)$/,
    );
    expect(r.stdout).not.toMatch(/http:/);
  });

  test('a guest naming its own kernel: one line (the page serves only the built image)', () => {
    const kernel = path.join(dir, 'my-bzImage');
    fs.writeFileSync(kernel, 'not really a kernel');
    const yaml = fs.readFileSync(path.join(REPO, FILE), 'utf8').replace('    kind: guest\n', `    kind: guest\n    kernel: ${kernel}\n`);
    const file = path.join(dir, 'own-kernel.yaml');
    fs.writeFileSync(file, yaml);
    expectOneLine(
      qnxemu(['web', file, '--out', path.join(dir, 'o')]),
      /^qnxemu: .*own-kernel\.yaml: node linux1 names its own kernel: the page runs guests only from the built guest image \(qnxemu guest build\); debug it with `qnxemu debug .*own-kernel\.yaml`$/,
    );
  });
});
