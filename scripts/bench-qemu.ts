/**
 * `npm run bench` figure `guests-2-qemu`: issue 17's QEMU reference measured on this machine in the same run as
 * `guests-2-xfer`, when QEMU is installed (it is not a dependency: without it the figure is `not measured` and the
 * issue's own figures stand). Two `qemu-system-i386 -accel tcg` processes boot qnxemu's guest image (the kernel,
 * initramfs and kernel command line a scenario's guest gets, with an ne2k_pci NIC each: QEMU's own NE2000) joined by
 * a UDP socket netdev, then linux1 listens with busybox nc and linux2 sends it 1 MiB of zeros, as
 * scripts/scenarios/bench-guests-2.yaml does (less its `sleep 1`). QEMU's NIC and netdev have no wire timing, so the
 * transfer goes as fast as the two processes can move it.
 *
 * Timed from spawning the two processes to linux1's `rx exit 0`; the context gives both prompts and the transfer alone
 * (from typing `dd` to `rx exit 0`). The sender is typed at once and tries again while its connection is refused, as
 * linux1's nc may not be listening yet. Wall-clock reads are fine here: the benchmark stands outside the simulated
 * world.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { guestCmdline, type GuestImage } from '../emulator/app/guest-image';

export const QEMU_BIN = 'qemu-system-i386';
/** A whole measurement that takes longer than this is given up (QEMU boots the image in 6–8 s here). */
const TIMEOUT_MS = 120_000;
const LISTEN = 'nc -l -p 5002 > /tmp/rx; echo "rx exit $?"';
/** Sent again while the connection is refused (linux1's nc not listening yet: QEMU's guests run in real time). */
const SEND = 'until dd if=/dev/zero bs=1k count=1024 | nc 10.0.0.3 5002; do sleep 0.05; done; echo "tx exit $?"';

export interface QemuRun {
  /** Wall seconds from spawn to each guest's first prompt (linux1, linux2). */
  prompts: readonly [number, number];
  /** Wall seconds from typing `dd` to `rx exit 0`. */
  xfer: number;
  /** Wall seconds from spawn to `rx exit 0`. */
  total: number;
}

/** `QEMU emulator version 7.2.19 (Debian …)` → `QEMU 7.2.19`; null when QEMU is not installed. */
export function qemuVersion(): string | null {
  const r = spawnSync(QEMU_BIN, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const m = /QEMU emulator version (\S+)/.exec(r.stdout);
  return m ? `QEMU ${m[1]}` : 'QEMU';
}

/** Two free UDP ports on 127.0.0.1 (bound, read, released), one per guest's end of the netdev. */
async function freeUdpPorts(): Promise<[number, number]> {
  const bind = (): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve(s));
    });
  const [a, b] = [await bind(), await bind()];
  const ports: [number, number] = [a.address().port, b.address().port];
  a.close();
  b.close();
  return ports;
}

interface Guest {
  proc: ChildProcessWithoutNullStreams;
  /** Resolves with the wall time (ms since t0) at which `re` first matched the console output. */
  when(re: RegExp): Promise<number>;
  type(line: string): void;
}

function bootGuest(image: GuestImage, ip: string, mac: string, local: number, remote: number, t0: number): Guest {
  const append = guestCmdline({ modules: ['ne2k_pci'], ip: [`eth0:${ip}/24`], echo: false });
  const proc = spawn(QEMU_BIN, [
    '-accel', 'tcg', '-m', '128', '-nographic', '-no-reboot',
    '-kernel', image.kernel, '-initrd', image.initrd, '-append', append,
    '-netdev', `socket,id=n0,udp=127.0.0.1:${remote},localaddr=127.0.0.1:${local}`,
    '-device', `ne2k_pci,netdev=n0,mac=${mac}`,
  ]);
  let out = '';
  const waiting: { re: RegExp; resolve: (t: number) => void }[] = [];
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    const t = performance.now() - t0;
    out += chunk;
    for (const w of [...waiting]) {
      if (!w.re.test(out)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(t);
    }
  });
  proc.stderr.resume();
  return {
    proc,
    when: (re) => (re.test(out) ? Promise.resolve(performance.now() - t0) : new Promise((resolve) => waiting.push({ re, resolve }))),
    type: (line) => void proc.stdin.write(`${line}\n`),
  };
}

/** One measurement (both guests booted afresh); rejects with one line if it does not finish. */
export async function runQemuGuests2(image: GuestImage): Promise<QemuRun> {
  const [p1, p2] = await freeUdpPorts();
  const t0 = performance.now();
  const g1 = bootGuest(image, '10.0.0.3', '52:54:00:00:00:03', p1, p2, t0);
  const g2 = bootGuest(image, '10.0.0.4', '52:54:00:00:00:04', p2, p1, t0);
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<never>((_, reject) => {
    for (const g of [g1, g2]) {
      g.proc.once('exit', (code) => reject(new Error(`${QEMU_BIN} exited ${code} before the transfer ended`)));
      g.proc.once('error', (e) => reject(e));
      g.proc.stdin.on('error', () => undefined); // a QEMU that died: its exit says so
    }
    timer = setTimeout(() => reject(new Error(`linux1 did not report 1048576 bytes received within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([exited, measure(g1, g2, t0)]);
  } finally {
    clearTimeout(timer);
    for (const g of [g1, g2]) g.proc.kill('SIGKILL');
  }
}

async function measure(g1: Guest, g2: Guest, t0: number): Promise<QemuRun> {
  const prompts = await Promise.all([g1.when(/guest# /), g2.when(/guest# /)]);
  g1.type(LISTEN);
  const ddAt = performance.now() - t0;
  g2.type(SEND);
  const rxAt = await g1.when(/rx exit 0/);
  g1.type('wc -c < /tmp/rx');
  await g1.when(/\b1048576\r?\n/); // after the prompt: the console does not echo the command
  return { prompts: [prompts[0] / 1000, prompts[1] / 1000], xfer: (rxAt - ddAt) / 1000, total: rxAt / 1000 };
}
