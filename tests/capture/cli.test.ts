/**
 * `qnxemu run --capture …` and `qnxemu test --capture-ring …` through the built CLI, read back by tshark.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBlocks } from '../../emulator/machine/net/pcapng';
import { tmpdir } from '../system/helpers';
import { epbs, failingPing, LiveCli, longPing, qnxemu, REPO, TSHARK, tsharkFields, CLI } from './helpers';

const PING = path.join(REPO, 'docs/examples/ping.yaml');

jest.setTimeout(120_000);

beforeAll(() => {
  // .ci/run installs tshark when it is missing.
  expect(fs.existsSync(TSHARK)).toBe(true);
});

describe('qnxemu run --capture -w FILE', () => {
  const dir = tmpdir('capture-cli');
  const file = path.join(dir, 'p.pcapng');
  const trace = path.join(dir, 't.jsonl');
  const r = qnxemu(['run', PING, '--capture', 'hub0,hub0:alpha', '-w', file, '--trace', trace]);

  test('tshark reads per-interface names and `pkt N` comments that name the trace\'s records', () => {
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('capture ' + file + ': 16 packets on hub0, hub0:alpha\n');
    const rows = tsharkFields(file, ['frame.interface_name', 'frame.comment']);
    expect(rows.length).toBe(16);
    expect(new Set(rows.map((x) => x[0]))).toEqual(new Set(['hub0', 'hub0:alpha']));
    // Each packet's `pkt N` is the id `qnxemu trace --pkt N` selects: its wire/tx-start record names the same port.
    const tx = qnxemu(['trace', trace, '--layer', 'wire/tx-start', '--format', 'json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { pkt: number; f: { port: string } });
    const hub0 = rows.filter((x) => x[0] === 'hub0').map((x) => x[1]);
    expect(hub0).toEqual(tx.map((t) => `pkt ${t.pkt},from ${t.f.port}`));
    const one = qnxemu(['trace', trace, '--pkt', '6', '--layer', 'wire']).stdout;
    expect(one).toMatch(/wire\/tx-start +pkt 6 +port=beta\.nic0/);
    expect(hub0).toContain('pkt 6,from beta.nic0');
  });

  test('the trace-hash is the one of the run without capture', () => {
    const plain = qnxemu(['run', PING]);
    expect(r.stdout.match(/trace-hash \w+/)![0]).toBe(plain.stdout.match(/trace-hash \w+/)![0]);
  });

  test('-w defaults to <scenario name>.pcapng in the current folder', () => {
    const cwd = tmpdir('capture-default');
    const d = qnxemu(['run', PING, '--capture', 'hub0'], cwd);
    expect(d.status).toBe(0);
    expect(d.stdout).toContain('capture ping.pcapng: 8 packets on hub0');
    expect(epbs(fs.readFileSync(path.join(cwd, 'ping.pcapng'))).length).toBe(8);
  });

  test('--capture-filter keeps the matching frames only', () => {
    const f = path.join(dir, 'f.pcapng');
    const c = qnxemu(['run', PING, '--capture', 'hub0', '-w', f, '--capture-filter', 'icmp and src host 10.0.0.1']);
    expect(c.stdout).toContain('2 packets on hub0, 6 left out by --capture-filter');
    expect(tsharkFields(f, ['icmp.type', 'ip.src'])).toEqual([['8', '10.0.0.1'], ['8', '10.0.0.1']]);
  });
});

describe('bad options: one line each, exit 1', () => {
  test.each([
    [['--capture', 'hub0', '--capture-filter', 'icmp and hots 1'], "qnxemu: --capture-filter: bad filter at column 10: unknown primitive 'hots'"],
    [['--capture', 'hub9'], 'qnxemu: --capture hub9: no link hub9 in scenario ping (links: hub0)'],
    [['--capture', 'hub0:gamma'], 'qnxemu: --capture hub0:gamma: no node gamma in scenario ping (nodes on hub0: alpha, beta)'],
    [['-w', 'x.pcapng'], 'qnxemu: -w: goes with --capture <tap> (a link, or link:node)'],
    [['--capture', 'hub0', '--capture-ring', '20 parsecs'], "qnxemu: --capture-ring 20 parsecs: '20 parsecs' is not a size"],
  ])('%j', (args, line) => {
    const r = qnxemu(['run', PING, ...args], tmpdir('capture-bad'));
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean).length).toBe(1);
    expect(r.stderr).toContain(line);
  });
});

test('qnxemu test --capture-filter without --capture-ring: one line naming --capture-ring, exit 1', () => {
  const r = qnxemu(['test', PING, '--no-progress', '--capture-filter', 'icmp'], tmpdir('capture-bad'));
  expect(r.status).toBe(1);
  expect(r.stderr.split('\n').filter(Boolean)).toEqual([
    'qnxemu: --capture-filter: qnxemu test writes captures of failed scenarios only: it goes with --capture-ring <size>',
  ]);
});

describe('live: -w - and FIFOs', () => {
  test('-w - | tshark -r -: pure pcapng on stdout, everything else on stderr', () => {
    const sh = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" run "${PING}" --capture hub0 -w - 2>"$ERR" | ${TSHARK} -r - -Y icmp.type==8 -T fields -e frame.comment`], {
      encoding: 'utf8',
      env: { ...process.env, ERR: path.join(tmpdir('capture-pipe'), 'err') },
    });
    expect(sh.status).toBe(0);
    expect(sh.stdout.trim().split('\n')).toEqual(['pkt 3,from alpha.nic0', 'pkt 7,from alpha.nic0']);
  });

  test('-w - | tshark -i -: the live reader sees every packet; the console went to stderr', () => {
    const cli = spawn(process.execPath, [CLI, 'run', PING, '--capture', 'hub0', '-w', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ts = spawn(TSHARK, ['-i', '-', '-T', 'fields', '-e', 'frame.comment'], { stdio: ['pipe', 'pipe', 'ignore'] });
    cli.stdout.pipe(ts.stdin);
    let err = '';
    let out = '';
    cli.stderr.on('data', (d: Buffer) => (err += d));
    ts.stdout.on('data', (d: Buffer) => (out += d));
    return new Promise<void>((done) => ts.on('close', () => {
      expect(out.trim().split('\n').length).toBe(8);
      expect(err).toMatch(/alpha \| 2 packets transmitted, 2 packets received/);
      expect(err).toContain('capture -: 8 packets on hub0');
      done();
    }));
  });

  test('a FIFO: written once its reader opens it; tshark reads the packets from it', async () => {
    const dir = tmpdir('capture-fifo');
    const fifo = path.join(dir, 'cap');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const cli = new LiveCli(['run', PING, '--capture', 'hub0', '-w', fifo], dir);
    await cli.waitFor('stderr', /waiting up to 10 s for a reader/);
    const ts = spawnSync(TSHARK, ['-r', fifo, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' });
    expect(await cli.exited).toBe(0);
    expect(ts.stdout.trim().split('\n')[0]).toBe('pkt 1,from beta.nic0');
    expect(ts.stdout.trim().split('\n').length).toBe(8);
  });

  test('a FIFO nobody reads: one line after 10 s, nothing run', async () => {
    const dir = tmpdir('capture-fifo-none');
    const fifo = path.join(dir, 'cap');
    spawnSync('mkfifo', [fifo]);
    const cli = new LiveCli(['run', PING, '--capture', 'hub0', '-w', fifo], dir);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr).toContain(`qnxemu: -w ${fifo}: no reader opened the FIFO within 10 s`);
    expect(cli.stdout).not.toContain('simulated');
  });

  test('a reader that goes away (EPIPE): one line, the capture ends, the run goes on', async () => {
    const dir = tmpdir('capture-epipe');
    const cli = new LiveCli(['run', longPing(dir), '--capture', 'hub0', '-w', '-'], dir, true);
    // Read the header and some packets, then close the pipe as a reader that quits would.
    await new Promise<void>((r) => cli.child.stdout!.once('data', () => r()));
    cli.child.stdout!.destroy();
    await cli.waitFor('stderr', /-w -: the reader went away \(EPIPE\) at t=\S+ after \d+ packets: the capture ended, the run goes on/);
    const seqAtEpipe = Math.max(...[...cli.stderr.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1])));
    await cli.waitFor('stderr', new RegExp(`icmp_seq=${seqAtEpipe + 20} `));
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.stderr).toMatch(/capture -: \d+ packets on hub0 \(ended early\)/);
  });
});

describe('--capture-ring', () => {
  test('a failing expectation writes exactly the newest packet blocks that fit', () => {
    const dir = tmpdir('capture-ring-fail');
    const yaml = failingPing(dir);
    const full = path.join(dir, 'full.pcapng');
    const ring = path.join(dir, 'ring.pcapng');
    expect(qnxemu(['run', yaml, '--capture', 'hub0', '-w', full]).status).toBe(1);
    const r = qnxemu(['run', yaml, '--capture', 'hub0', '-w', ring, '--capture-ring', '1K']);
    expect(r.status).toBe(1);
    const all = fs.readFileSync(full);
    const blocks = epbs(all);
    const keep: typeof blocks = [];
    let bytes = 0;
    for (let i = blocks.length - 1; i >= 0 && bytes + blocks[i]!.length <= 1024; i--) {
      keep.unshift(blocks[i]!);
      bytes += blocks[i]!.length;
    }
    const header = all.subarray(0, readBlocks(all).blocks.find((b) => b.type === 6)!.offset);
    expect(fs.readFileSync(ring).equals(Buffer.concat([header, ...keep.map((k) => k.raw)]))).toBe(true);
    expect(r.stdout).toContain(`capture ring ${ring}: an expectation failed: wrote the last ${keep.length} of ${blocks.length} packets`);
    expect(tsharkFields(ring, ['frame.comment']).map((x) => x[0])).toEqual(keep.map((k) => k.comments.join(',')));
  });

  test('a run that passes writes no file and says so', () => {
    const dir = tmpdir('capture-ring-pass');
    const r = qnxemu(['run', PING, '--capture', 'hub0', '--capture-ring', '1K'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/capture ring: the run passed, no file written \(the ring held the last \d+ of 8 packets/);
    expect(fs.existsSync(path.join(dir, 'ping.pcapng'))).toBe(false);
  });

  test('an interrupted run (SIGINT) writes the ring: the last packets before the interrupt', async () => {
    const dir = tmpdir('capture-ring-int');
    const cli = new LiveCli(['run', longPing(dir), '--capture', 'hub0', '--capture-ring', '4K'], dir);
    await cli.waitFor('stdout', /icmp_seq=30 /);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    const m = /capture ring longping\.pcapng: the run was interrupted \(SIGINT\): wrote the last (\d+) of (\d+) packets/.exec(cli.stdout);
    expect(m).not.toBeNull();
    const got = epbs(fs.readFileSync(path.join(dir, 'longping.pcapng')));
    expect(got.length).toBe(Number(m![1]));
    expect(got.reduce((s, b) => s + b.length, 0)).toBeLessThanOrEqual(4096);
    // The newest packets: the last one went on the wire less than one ping interval (10 ms) before the stop.
    const stop = Number(/interrupted at ([\d.]+) s \(SIGINT\)/.exec(cli.stdout)![1]);
    const times = tsharkFields(path.join(dir, 'longping.pcapng'), ['frame.time_epoch']).map((x) => Number(x[0]));
    expect(stop - times.at(-1)!).toBeLessThan(0.010);
    // The stop time is printed rounded to the microsecond (toFixed(6)): up to 500 ns before the real one.
    expect(stop - times.at(-1)!).toBeGreaterThanOrEqual(-0.0000005);
  });

  test('qnxemu test --capture-ring: a ring file per failed scenario, none for passing ones', () => {
    const dir = tmpdir('capture-ring-test');
    const suite = path.join(dir, 'suite');
    fs.mkdirSync(suite);
    failingPing(suite);
    fs.copyFileSync(PING, path.join(suite, 'ping.yaml'));
    const art = path.join(dir, 'art');
    const r = qnxemu(['test', suite, '--no-progress', '--capture-ring', '1K', '--artifacts', art]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`capture ring ${path.join(art, 'ping-fail.pcapng')}`);
    expect(r.stdout).toContain('capture ring: 1 file written (failed scenarios); passing scenarios write none');
    expect(fs.existsSync(path.join(art, 'ping.pcapng'))).toBe(false);
    expect(tsharkFields(path.join(art, 'ping-fail.pcapng'), ['frame.interface_name']).every((x) => x[0] === 'hub0')).toBe(true);
  });
});
