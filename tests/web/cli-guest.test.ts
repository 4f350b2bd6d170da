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
  // qnxemu run runs two or more guests in threads by default (guest-threads.ts), and so does the page's run: the command
  // runs the scenario once in worker threads, recorded, and the page replays that run (tests/web-core/threaded-bundle.test.ts
  // opens it). `--no-threads`: the page runs the guests itself (their image and v86 are written beside it).
  const TWO = 'tests/fixtures/threads/two-guests-collide.yaml';
  const RAN = /^qnxemu web: ran linux1, linux2 in worker threads \(--threads (\d+)\) as qnxemu run does, to 5\.000000000: \d+ events, trace-hash [0-9a-f]{16}…; the page replays that run$/m;
  const dir = tmpdir('guest-two');
  const bundleOf = (d: string): { threaded?: { threads: number; traceHash: string } } => JSON.parse(fs.readFileSync(path.join(d, 'bundle.json'), 'utf8'));
  let plain: ReturnType<typeof qnxemu>;
  beforeAll(() => {
    plain = qnxemu(['web', TWO, '--out', path.join(dir, 'a')]);
  });

  test('by default: the threaded run recorded in bundle.json, no guest image or v86 beside the page', () => {
    expect(plain.stderr).toBe('');
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(RAN);
    expect(bundleOf(path.join(dir, 'a')).threaded?.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readdirSync(path.join(dir, 'a')).sort()).toEqual(['app.js', 'bundle.json', 'index.html', 'style.css']);
    expect(plain.stdout).toMatch(/^qnxemu web: two-guests-collide, seed 1: serve /m);
  });

  test('--no-threads: no recording, the page runs the guests (image and v86 beside it); one guest: the same by default', () => {
    const [asked, one] = [qnxemu(['web', TWO, '--no-threads', '--out', path.join(dir, 'b')]), qnxemu(['web', FILE, '--out', path.join(dir, 'c')])];
    for (const [r, d] of [[asked, 'b'], [one, 'c']] as const) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain('in worker threads');
      expect(bundleOf(path.join(dir, d)).threaded).toBeUndefined();
      expect(fs.readdirSync(path.join(dir, d))).toContain('v86');
    }
  });

  test('--threads 1 on one guest records it too; a bundle file keeps its recording unless an option asks for another run', () => {
    const one = qnxemu(['web', FILE, '--until', '1s', '--threads', '1', '--out', path.join(dir, 'd')]);
    expect(one.stderr).toBe('');
    expect(one.stdout).toMatch(/^qnxemu web: ran linux1 in worker threads \(--threads 1\) as qnxemu run does, to 1\.000000000: /m);
    const kept = qnxemu(['web', path.join(dir, 'a', 'bundle.json'), '--out', path.join(dir, 'e')]);
    expect(kept.status).toBe(0);
    expect(kept.stdout).not.toContain('in worker threads');
    expect(bundleOf(path.join(dir, 'e'))).toEqual(bundleOf(path.join(dir, 'a')));
    const reseeded = qnxemu(['web', path.join(dir, 'a', 'bundle.json'), '--seed', '2', '--until', '1s', '--out', path.join(dir, 'f')]);
    expect(reseeded.stderr).toBe('');
    expect(reseeded.stdout).toMatch(/^qnxemu web: ran linux1, linux2 in worker threads .* to 1\.000000000: /m);
    const dropped = qnxemu(['web', path.join(dir, 'a', 'bundle.json'), '--no-threads', '--out', path.join(dir, 'g')]);
    expect(dropped.status).toBe(0);
    expect(bundleOf(path.join(dir, 'g')).threaded).toBeUndefined();
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
