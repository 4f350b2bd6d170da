// Issue 14 §1: every bad input the command line meets is one clear line on stderr (file:line:col: field: problem,
// or qnxemu: what: problem), a non-zero exit status, and never a JavaScript stack trace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir, REPO } from './helpers';
import { useColour } from '../../emulator/app/cli/colour';
import { untilArg } from '../../emulator/app/cli/until';
import { errorLine } from '../../emulator/app/cli/errors';
import { PhysicalMemory } from '../../emulator/machine/board/ram';
import { MAX_RAM_BYTES } from '../../emulator/app/scenario/node-checks';

const PING = path.join(REPO, 'docs/examples/ping.yaml');
const CLI = path.join(REPO, 'dist/qnxemu.js');

/** Run the built CLI (jest's global setup builds dist/ first). */
function qnxemu(args: string[], input?: string, env?: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', input: input ?? '', timeout: 60_000, ...(env ? { env } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line on stderr matching `re`, non-zero status, no stack frame anywhere. */
function expectOneLine(r: { status: number | null; stderr: string; stdout: string }, re: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(re);
}

function scenario(dir: string, text: string): string {
  const f = path.join(dir, 's.yaml');
  fs.writeFileSync(f, text);
  return f;
}

const QNX = (extra: string, nics = '      - { model: ne2000-isa, ioport: 0x300, irq: 5, link: hub0 }') =>
  `until: 1s\nnodes:\n  alpha:\n${extra}    nics:\n${nics}\n    script: |\n      io-pkt-v4 -dne2000\nlinks:\n  hub0: { type: hub }\n`;

describe('scenario values the board or v86 would crash on are located errors', () => {
  test('ram: 64G is past the 32-bit board (at the ram field)', () => {
    const f = scenario(tmpdir('ram'), QNX('    ram: 64G\n'));
    expectOneLine(qnxemu(['run', f]), /s\.yaml:4:10: nodes\.alpha\.ram: 64G is more than the board's 32-bit physical address space/);
  });
  test("the loader's RAM bound is the board's", () => {
    const ctx = { name: 'r' } as ConstructorParameters<typeof PhysicalMemory>[0];
    expect(() => new PhysicalMemory(ctx, MAX_RAM_BYTES + 1)).toThrow(/below 4 GiB/);
  });
  test('ram: 0 is no memory', () => {
    const f = scenario(tmpdir('ram0'), QNX('    ram: 0\n'));
    expectOneLine(qnxemu(['run', f]), /s\.yaml:4:10: nodes\.alpha\.ram: 0 is no memory at all/);
  });
  test('two PCI NICs in one slot', () => {
    const nics = '      - { model: rtl8029, slot: 3, link: hub0 }\n      - { model: rtl8029, slot: 3, link: hub0 }';
    const f = scenario(tmpdir('slot'), QNX('', nics));
    expectOneLine(qnxemu(['run', f]), /s\.yaml:6:33: nodes\.alpha\.nics\.1\.slot: PCI slot 3 is already nics\[0\]'s/);
  });
  test("a guest NIC on one of v86's own PCI slots", () => {
    const f = scenario(tmpdir('v86slot'), 'nodes:\n  g:\n    kind: guest\n    nics: [{ model: rtl8029, slot: 5, link: hub0 }]\nlinks:\n  hub0: { type: hub }\n');
    expectOneLine(qnxemu(['run', f]), /s\.yaml:4:\d+: nodes\.g\.nics\.0\.slot: PCI slot 5 holds one of v86's own devices/);
  });
  test('a guest kernel that does not exist (at the kernel field, before any image build)', () => {
    const f = scenario(tmpdir('kernel'), 'nodes:\n  g:\n    kind: guest\n    kernel: nosuch-bzImage\n    nics: [{ model: rtl8029, link: hub0 }]\nlinks:\n  hub0: { type: hub }\n');
    expectOneLine(qnxemu(['run', f]), /s\.yaml:4:13: nodes\.g\.kernel: .*nosuch-bzImage does not exist/);
  });
  test('a guest bios that is a folder', () => {
    const dir = tmpdir('bios');
    const f = scenario(dir, `nodes:\n  g:\n    kind: guest\n    bios: ${dir}\n    nics: [{ model: rtl8029, link: hub0 }]\nlinks:\n  hub0: { type: hub }\n`);
    expectOneLine(qnxemu(['run', f]), /s\.yaml:4:11: nodes\.g\.bios: .* is not a file/);
  });
});

describe('YAML syntax errors are reported where the problem is', () => {
  test('an unclosed quote: at the opening quote, not past the end of the file', () => {
    const f = scenario(tmpdir('yaml'), 'nodes:\n  a:\n    script: "abc\nlinks:\n  hub0: x\n');
    expectOneLine(qnxemu(['run', f]), /s\.yaml:3:13: YAML: Missing closing "quote \(opened here, unclosed up to the end of the file\)$/);
  });
  test('an unclosed flow map: at its brace', () => {
    const f = scenario(tmpdir('yaml2'), 'nodes:\n  a:\n    nics:\n      - { model: rtl8029, link: hub0\n    script: x\nlinks:\n  hub0: { type: hub }\n');
    expectOneLine(qnxemu(['run', f]), /s\.yaml:4:9: YAML: Flow map .* \(opened here, unclosed up to line 5\)$/);
  });
});

describe('output paths', () => {
  test('--pcap to a file, to an unwritable place; --trace to a folder, under a file, to an unwritable place', () => {
    const dir = tmpdir('out');
    const file = path.join(dir, 'afile');
    fs.writeFileSync(file, '');
    expectOneLine(qnxemu(['run', PING, '--pcap', file]), /^qnxemu: --pcap .*afile: is a file, not a folder/);
    expectOneLine(qnxemu(['run', PING, '--pcap', '/proc/qnxemu-nope']), /^qnxemu: --pcap \/proc\/qnxemu-nope: cannot write there: no such file or directory \(ENOENT\)$/);
    expectOneLine(qnxemu(['run', PING, '--trace', dir]), /^qnxemu: --trace .*: is a folder, not a file$/);
    expectOneLine(qnxemu(['run', PING, '--trace', path.join(file, 't.jsonl')]), /^qnxemu: --trace .*: cannot write there: not a directory \(ENOTDIR\)$/);
    expectOneLine(qnxemu(['run', PING, '--trace', '/sys/qnxemu-nope/t.jsonl']), /^qnxemu: --trace .*: cannot write there: .*\((EPERM|EACCES|ENOENT)\)$/);
  });
  test('a full disk during the run (/dev/full: every write fails with ENOSPC): the trace is cut, the run goes on, exit 1', () => {
    expectOneLine(qnxemu(['run', PING, '--trace', '/dev/full']), /^qnxemu: warning: trace cut at t=0\.000000000: write failed: no space left on device \(ENOSPC\): \/dev\/full holds 0 records/);
  });
  test('--junit to an unwritable place: the results go to the temp folder, which is named; exit 1', () => {
    const r = qnxemu(['test', PING, '--junit', '/proc/qnxemu-nope/j.xml', '--no-progress', '--in-process']);
    expectOneLine(r, /^qnxemu: --junit \/proc\/qnxemu-nope\/j\.xml: cannot write there: .*; the results are in (\S+)$/);
    const where = /the results are in (\S+)$/.exec(r.stderr.trim())![1]!;
    expect(fs.readFileSync(where, 'utf8')).toMatch(/<testsuites name="qnxemu" tests="1" failures="0" errors="0"/);
    expect(r.stdout).toContain(`junit ${where}`);
  });
});

describe('subcommands given missing things', () => {
  test('trace nosuch.jsonl', () => {
    expectOneLine(qnxemu(['trace', 'nosuch.jsonl']), /^qnxemu: trace nosuch\.jsonl: cannot read trace: no such file or directory \(ENOENT\)$/);
  });
  test('debug --commands nosuch', () => {
    expectOneLine(qnxemu(['debug', PING, '--commands', 'nosuch']), /^qnxemu: --commands nosuch: cannot read the debugger commands: no such file or directory \(ENOENT\)$/);
  });
  test('web --threads 0: one line', () => {
    const r = qnxemu(['web', PING, '--threads', '0']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--threads is an integer 1\.\.256, or auto/);
  });
  test('debug --threads 0: one line', () => {
    const r = qnxemu(['debug', PING, '--threads', '0']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--threads is an integer 1\.\.256, or auto/);
  });
  test('console x.yaml nosuch-node', () => {
    expectOneLine(qnxemu(['console', PING, 'nosuch-node'], ''), /^qnxemu: console .* nosuch-node: no node 'nosuch-node' in the scenario \(its nodes: alpha, beta\)$/);
  });
});

describe('--until, --version, colours', () => {
  test('a bare --until is nanoseconds, and the summary says so', () => {
    const r = qnxemu(['run', PING, '--until', '100000000']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^simulated 0\.100000 s of virtual time in \d+ events \(seed 1\) \(--until 100000000 ns\)$/m);
    expect(qnxemu(['run', PING, '--until', '100ms']).stdout).toMatch(/\(seed 1\)\n/);
  });
  test('--until past 2^53-1 ns is refused', () => {
    expect(untilArg(String(Number.MAX_SAFE_INTEGER)).ns).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => untilArg('9007199254740993')).toThrow(/past 9007199254740991 ns/);
    expect(() => untilArg('200000000s')).toThrow(/past 9007199254740991 ns/);
    const r = qnxemu(['run', PING, '--until', '99999999999999999']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/is past 9007199254740991 ns/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
  test('--version prints the package version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = qnxemu(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
  test('NO_COLOR and FORCE_COLOR decide colour; --no-color wins', () => {
    expect(useColour(undefined, {}, true)).toBe(true);
    expect(useColour(undefined, {}, false)).toBe(false);
    expect(useColour(undefined, { NO_COLOR: '1' }, true)).toBe(false);
    expect(useColour(undefined, { NO_COLOR: '' }, true)).toBe(true);
    expect(useColour(undefined, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(useColour(undefined, { FORCE_COLOR: '0' }, true)).toBe(false);
    expect(useColour(undefined, { FORCE_COLOR: 'false' }, true)).toBe(false);
    expect(useColour(undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(useColour(false, { FORCE_COLOR: '1' }, true)).toBe(false);
  });
  test('FORCE_COLOR colours the node prefixes into a pipe; NO_COLOR and --no-color do not', () => {
    const env = (e: Record<string, string>) => ({ ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...e });
    const run = (e: Record<string, string>, ...extra: string[]) => qnxemu(['run', PING, '--until', '1500ms', ...extra], undefined, env(e)).stdout;
    expect(run({ FORCE_COLOR: '1' })).toContain('\x1b[36malpha | \x1b[39m');
    expect(run({ FORCE_COLOR: '1', NO_COLOR: '1' })).not.toContain('\x1b[');
    expect(run({ FORCE_COLOR: '1' }, '--no-color')).not.toContain('\x1b[');
  });
});

describe('an error nobody anticipated is still one line', () => {
  test('internal errors name themselves as bugs without a stack', () => {
    expect(errorLine(new TypeError('x is undefined'))).toBe('qnxemu: internal error: TypeError: x is undefined (a bug in qnxemu; set QNXEMU_DEBUG=1 for the JavaScript stack)');
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'f'"), { code: 'ENOENT', path: 'f' });
    expect(errorLine(enoent)).toBe('qnxemu: f: no such file or directory (ENOENT)');
  });
});

describe("the scenario's own until", () => {
  test('past 2^53-1 ns is a located error', () => {
    const f = scenario(tmpdir('until'), QNX('').replace('until: 1s', 'until: 200000000s'));
    expectOneLine(qnxemu(['run', f]), /s\.yaml:1:8: until: 200000000s is past 9007199254740991 ns/);
  });
});

describe('usage errors (part G: found while fuzzing the command line, fuzz/parser/cli.ts)', () => {
  test("commander's errors are one line naming the command's --help, not the error and the whole usage text", () => {
    expectOneLine(qnxemu(['boot', '--seed', 'abc']), /^qnxemu: option '--seed <n>' argument 'abc' is invalid\. the seed is an integer 0\.\.4294967295 \(qnxemu boot --help: usage\)$/);
    expectOneLine(qnxemu(['bogus']), /^qnxemu: unknown command 'bogus' \(qnxemu --help: usage\)$/);
    expectOneLine(qnxemu(['run']), /^qnxemu: missing required argument 'scenario' \(qnxemu run --help: usage\)$/);
    expectOneLine(qnxemu(['trace', 'x', '--format', 'xml']), /^qnxemu: option '--format <format>' argument 'xml' is invalid\. Allowed choices are text, json\. \(qnxemu trace --help: usage\)$/);
    // An argument can hold a line break (a shell passes $'1\n2'): it is shown escaped.
    expectOneLine(qnxemu(['run', PING, '--seed', '1\n2']), /^qnxemu: option '--seed <n>' argument '1\\n2' is invalid/);
    // --help still prints the usage (on stdout, exit 0).
    const help = qnxemu(['run', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: qnxemu run \[options\] <scenario>/);
  });
  test('every --seed is the scenario\'s seed range, 0..2^32-1 (console took NaN, test 1e20)', () => {
    for (const args of [['console', PING, 'alpha', '--seed', 'abc'], ['console', PING, 'alpha', '--seed', '4294967296'], ['test', PING, '--seed', '99999999999999999999'], ['debug', PING, '--seed', '1.5']])
      expectOneLine(qnxemu(args), /^qnxemu: option '--seed <n>' argument '.*' is invalid\. the seed is an integer 0\.\.4294967295 \(qnxemu \w+ --help: usage\)$/);
  });
  test('debug --until and trace --from/--to past 2^53-1 ns are refused as run --until is', () => {
    expectOneLine(qnxemu(['debug', PING, '--until', '100000000000s']), /^qnxemu: option '--until <time>' argument '100000000000s' is invalid\. 100000000000s is past 9007199254740991 ns/);
    expectOneLine(qnxemu(['trace', 'x.jsonl', '--from', '99999999999999999999']), /^qnxemu: option '--from <time>' argument '99999999999999999999' is invalid\. .* is past 9007199254740991 ns/);
    expectOneLine(qnxemu(['test', PING, '--jobs', '99999999999999999999']), /^qnxemu: option '--jobs <n>' argument '99999999999999999999' is invalid\. --jobs: an integer >= 1/);
  });
});

describe('a pcap write that fails during the run', () => {
  test('names --pcap only, even with --trace given (trace writes never throw: the writer cuts the trace)', () => {
    const dir = tmpdir('pcap-efbig');
    // 1 block of 512 bytes (ulimit -f): the pcap's sixth or so record fails with EFBIG; the trace is still buffered.
    const r = spawnSync('sh', ['-c', `trap '' XFSZ; ulimit -f 1; exec "$0" "$@"`, process.execPath, CLI, 'run', PING, '--pcap', dir, '--trace', path.join(dir, 't.jsonl')], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expectOneLine(r, /^qnxemu: --pcap: write failed: file too large \(EFBIG\)$/);
  });
});

