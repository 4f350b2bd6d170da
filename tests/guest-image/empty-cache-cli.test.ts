/**
 * Issue 14 (found by part F): a guest scenario run with an empty guest image cache whose build cannot be done must
 * end in one clear line and a non-zero status — not "internal error", not a stack trace, not a hang — and a
 * Ctrl-C / SIGTERM during the build must stop it at once (exit 130 / 143) leaving the cache usable.
 * Every test drives the built CLI (dist/qnxemu.js) with an empty temporary QNXEMU_CACHE and fake apt tools first
 * on PATH: no network, no root, nothing of the host's apt touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildInterruptedLine } from '../../emulator/app/cli/guest-interrupt';
import { makeFakeHost } from './fake-host';

const REPO = join(__dirname, '..', '..');
const CLI = join(REPO, 'dist', 'qnxemu.js');
const GUEST = 'docs/examples/guest-ne2k-pci.yaml';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'qnxemu-empty-cache-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A folder of stand-in tools: name → shell script body. Each call appends "name args" to <root>/calls. */
function fakeBin(tools: Record<string, string>): string {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${root}/calls"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

function env(bin: string, cache: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, QNXEMU_CACHE: cache, QNXEMU_DEBUG: '' };
}

function calls(): string[] {
  const f = join(root, 'calls');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
}

/** Runs the CLI to its end (a hang would hit the timeout: r.error, r.signal). */
function qnxemu(args: string[], e: NodeJS.ProcessEnv): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; error?: Error } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', input: '', timeout: 60_000, env: e });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ...(r.error ? { error: r.error } : {}) };
}

/** stderr without the builder's progress lines ("qnxemu: guest: …"). */
function problems(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('qnxemu: guest: '));
}

const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;
const APT_UNUSABLE = { 'apt-cache': 'echo "E: No packages found" >&2; exit 100', 'apt-get': 'echo "E: Could not get lock /var/lib/apt/lists/lock" >&2; exit 100', dpkg: 'echo i386' };
const NEEDS_IMAGE = /^qnxemu: docs\/examples\/guest-ne2k-pci\.yaml: linux1 \(kind: guest\) needs the guest image, which cannot be built here: apt does not know linux-image-686:i386 even after apt-get update \(no network, or no Debian i386 archive\)\. \(docs\/guest-images\.md/;

describe('an image that cannot be built: one line naming the scenario and node, exit 1, the process ends', () => {
  test('qnxemu run', () => {
    const cache = join(root, 'cache');
    const r = qnxemu(['run', GUEST], env(fakeBin(APT_UNUSABLE), cache));
    expect(r.error).toBeUndefined();
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr + r.stdout).not.toMatch(NO_STACK);
    expect(problems(r.stderr)).toHaveLength(1);
    expect(problems(r.stderr)[0]).toMatch(NEEDS_IMAGE);
    expect(r.stdout).toBe(''); // nothing ran
    expect(existsSync(join(cache, 'build.lock'))).toBe(false);
  });

  test('qnxemu debug --commands and qnxemu test (in workers and in process)', () => {
    const bin = fakeBin(APT_UNUSABLE);
    const cmds = join(root, 'cmds');
    writeFileSync(cmds, 'run\n');
    const d = qnxemu(['debug', GUEST, '--commands', cmds], env(bin, join(root, 'c1')));
    expect(d.status).toBe(1);
    expect(problems(d.stderr)).toHaveLength(1);
    expect(problems(d.stderr)[0]).toMatch(NEEDS_IMAGE);
    for (const extra of [[], ['--in-process']]) {
      const t = qnxemu(['test', GUEST, '--no-progress', ...extra], env(bin, join(root, `c-test${extra.length}`)));
      expect(t.status).toBe(1);
      expect(t.stdout + t.stderr).not.toMatch(NO_STACK);
      expect(t.stdout).toMatch(/^ERROR docs\/examples\/guest-ne2k-pci\.yaml/m);
      expect(t.stdout).toMatch(/^ {6}docs\/examples\/guest-ne2k-pci\.yaml: linux1 \(kind: guest\) needs the guest image, which cannot be built here: apt does not know/m);
      expect(t.stdout).toMatch(/^1 scenario: 0 passed, 0 failed, 1 error/m);
    }
  });

  test('a download that fails (offline) after apt resolved the packages', () => {
    const host = makeFakeHost();
    host.failDownloads();
    const cache = join(root, 'cache');
    const r = qnxemu(['run', GUEST], env(dirname(host.tools.aptCache), cache));
    expect(r.status).toBe(1);
    expect(problems(r.stderr)).toEqual([expect.stringMatching(/^qnxemu: docs\/examples\/guest-ne2k-pci\.yaml: linux1 \(kind: guest\) needs the guest image, which cannot be built here: apt-get download failed: /)]);
    // No half-made image and no lock: the next build starts clean.
    expect(existsSync(join(cache, 'build.lock'))).toBe(false);
    expect(readdirSync(join(cache, 'images'))).toEqual([]);
  });

  test('an apt-cache ended by a signal is reported as such, not as "apt knows no such package" (which would run apt-get update)', () => {
    const r = qnxemu(['run', GUEST], env(fakeBin({ ...APT_UNUSABLE, 'apt-cache': 'kill -KILL $$' }), join(root, 'cache')));
    expect(r.status).toBe(1);
    expect(problems(r.stderr)).toEqual([
      `qnxemu: ${GUEST}: linux1 (kind: guest) needs the guest image, which cannot be built here: apt-cache show linux-image-686:i386 was stopped by SIGKILL; nothing was built (docs/guest-images.md "Host requirements and errors"; \`qnxemu guest build\` says what is missing)`,
    ]);
    expect(calls()).toEqual(['apt-cache show --no-all-versions linux-image-686:i386']);
  });
});

/** Starts the CLI, waits until `ready()` (polled), sends `sig` to the CLI's process alone, and awaits its end. */
async function interruptWhen(args: string[], e: NodeJS.ProcessEnv, ready: () => boolean, sig: NodeJS.Signals): Promise<{ status: number | null; stderr: string; ms: number }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ended = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  for (let i = 0; i < 400 && !ready(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ready()).toBe(true);
  const t0 = Date.now(); // wall clock: only to tell "ends at once" from "runs to the end of the sleep" (30 s)
  child.kill(sig);
  const status = await ended;
  return { status, stderr, ms: Date.now() - t0 };
}

describe('Ctrl-C / SIGTERM during the guest image build stops it at once', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while apt-cache runs: exit %d, one line, the lock released', async (sig, code) => {
    const bin = fakeBin({ ...APT_UNUSABLE, 'apt-cache': 'exec sleep 30' });
    const cache = join(root, 'cache');
    const r = await interruptWhen(['run', GUEST], env(bin, cache), () => calls().length > 0, sig);
    expect(r.status).toBe(code);
    expect(problems(r.stderr)).toEqual([buildInterruptedLine(sig)]);
    // The 30 s sleep was ended, not waited for (a generous bound: the machine may be busy).
    expect(r.ms).toBeLessThan(20_000);
    expect(existsSync(join(cache, 'build.lock'))).toBe(false);
  }, 60_000);

  test('while waiting for another process that holds the build lock: the wait ends, the other lock stays', async () => {
    const host = makeFakeHost();
    const cache = join(root, 'cache');
    mkdirSync(cache, { recursive: true });
    // This jest worker stands for the other builder: alive, holding the lock.
    writeFileSync(join(cache, 'build.lock'), String(process.pid));
    const r = await interruptWhen(['run', GUEST], env(dirname(host.tools.aptCache), cache), () => existsSync(join(cache, 'packages.json')), 'SIGINT');
    expect(r.status).toBe(130);
    expect(r.stderr).toContain(`qnxemu: guest: waiting for process ${process.pid}, which is building the guest image`);
    expect(problems(r.stderr)).toEqual([buildInterruptedLine('SIGINT')]);
    expect(readFileSync(join(cache, 'build.lock'), 'utf8')).toBe(String(process.pid));
    expect(host.calls().some((c) => c.startsWith('apt-get download'))).toBe(false);
  }, 60_000);
});
