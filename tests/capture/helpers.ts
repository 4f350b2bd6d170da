import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BT_EPB, OPT_COMMENT, readBlocks, readEpb } from '../../emulator/machine/net/pcapng';

export const REPO = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO, 'dist/qnxemu.js');
export const TSHARK = '/usr/bin/tshark';

/** Run the built CLI to its end (jest's global setup builds dist/ first). */
export function qnxemu(args: string[], cwd = REPO): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** tshark's fields, one array per packet (tab-separated columns). */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const r = spawnSync(TSHARK, ['-r', file, ...extra, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark -r ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/** A child CLI whose output is collected as it comes; `waitFor` resolves when a stream shows a pattern. */
export class LiveCli {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], cwd: string, stdoutRaw = false) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    if (!stdoutRaw) this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((res) => this.child.on('close', (code) => res(code)));
  }

  async waitFor(stream: 'stdout' | 'stderr', re: RegExp): Promise<void> {
    while (!re.test(this[stream])) {
      if (this.child.exitCode !== null) throw new Error(`the CLI exited before ${re} appeared:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The packet comments ("pkt 3", "from alpha.nic0") of every EPB of a pcapng file, and each block's length. */
export function epbs(bytes: Uint8Array): { comments: string[]; length: number; raw: Uint8Array }[] {
  return readBlocks(bytes).blocks.filter((b) => b.type === BT_EPB).map((b) => ({
    comments: readEpb(b).options.filter((o) => o.code === OPT_COMMENT).map((o) => new TextDecoder().decode(o.value as Uint8Array)),
    length: b.length,
    raw: bytes.subarray(b.offset, b.offset + b.length),
  }));
}

/** ping.yaml, pinging every 10 ms for a long virtual time (a run that lasts until it is interrupted). */
export function longPing(dir: string, expect = ''): string {
  const text = fs.readFileSync(path.join(REPO, 'docs/examples/ping.yaml'), 'utf8')
    .replace('name: ping', 'name: longping')
    .replace('until: 3s', 'until: 100000s')
    .replace('ping -c 2 10.0.0.2', 'ping -c 1000000 -i 0.01 10.0.0.2');
  const file = path.join(dir, 'longping.yaml');
  fs.writeFileSync(file, text + expect);
  return file;
}

/** ping.yaml with an expectation that fails (its console never shows this line). */
export function failingPing(dir: string): string {
  const text = fs.readFileSync(path.join(REPO, 'docs/examples/ping.yaml'), 'utf8').replace('name: ping', 'name: ping-fail');
  const file = path.join(dir, 'ping-fail.yaml');
  fs.writeFileSync(file, `${text}expect:\n  - { name: "never", node: alpha, console: "no such line" }\n`);
  return file;
}
