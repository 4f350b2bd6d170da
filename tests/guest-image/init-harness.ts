/** Runs the guest's /init on the host against a fake root with stub commands (shared by the tests). */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initScript } from '../../emulator/app/guest-image/init-script';
import { moduleTable } from '../../emulator/app/guest-image/initramfs';

/** The guest's module table for the NE2000 drivers, as the builder writes it. */
export const TABLE = moduleTable([
  { name: '8390', file: '8390.ko', depends: [], data: new Uint8Array() },
  { name: 'ne2k_pci', file: 'ne2k-pci.ko', depends: ['8390'], data: new Uint8Array() },
  { name: '8390p', file: '8390p.ko', depends: [], data: new Uint8Array() },
  { name: 'ne', file: 'ne.ko', depends: ['8390p'], data: new Uint8Array() },
]);

let shellCmd: string[] | undefined;

/**
 * The shell that runs /init in the tests: dash or bash, never busybox — busybox's sh runs its own
 * mount/insmod/ip applets before anything on PATH, so the stubs would be bypassed and the host changed.
 * Where allowed, it runs in fresh mount and network namespaces as well, so nothing can touch the host.
 */
function hostShell(): string[] {
  if (shellCmd !== undefined) return shellCmd;
  const found = ['/bin/dash', '/usr/bin/dash', '/bin/bash', '/usr/bin/bash'].find((p) => spawnSync(p, ['-c', 'true']).status === 0);
  if (found === undefined) throw new Error('the /init tests need dash or bash on the host (busybox sh would run real applets)');
  const isolated = spawnSync('unshare', ['--mount', '--net', found, '-c', 'true']).status === 0;
  shellCmd = isolated ? ['unshare', '--mount', '--net', found] : [found];
  return shellCmd;
}

/**
 * Runs /init on the host (see hostShell) against a fake root whose /bin holds stub commands that log
 * their arguments. insmod fails for files that are not there; `ip link set X up` fails unless X is in
 * `ifaces`. Returns the stub log (one "cmd args" per line, $R shown as ROOT) and /init's output.
 */
export function runInit(cmdline: string, opts: { ifaces?: string[]; init?: string; table?: string } = {}): { calls: string[]; out: string; status: number | null } {
  const root = mkdtempSync(join(tmpdir(), 'qnxemu-init-'));
  for (const d of ['bin', 'proc', 'lib/modules']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'proc', 'cmdline'), cmdline + '\n');
  writeFileSync(join(root, 'lib', 'modules', 'modules.qnxemu'), opts.table ?? TABLE);
  for (const f of ['8390.ko', 'ne2k-pci.ko', '8390p.ko', 'ne.ko']) writeFileSync(join(root, 'lib', 'modules', f), '');
  const log = join(root, 'calls.log');
  const stub = (name: string, body = ''): void => {
    const p = join(root, 'bin', name);
    writeFileSync(p, `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\nexit 0\n`);
    chmodSync(p, 0o755);
  };
  for (const c of ['mount', 'hostname', 'stty', 'setsid', 'cttyhack']) stub(c);
  stub('insmod', '[ -f "$1" ] || exit 1');
  const ifaces = (opts.ifaces ?? ['lo', 'eth0']).join(' ');
  stub('ip', `if [ "$1 $2" = "link set" ]; then case " ${ifaces} " in *" $3 "*) ;; *) exit 1 ;; esac; fi`);
  writeFileSync(join(root, 'init'), opts.init ?? initScript());
  const [cmd, ...args] = [...hostShell(), join(root, 'init')];
  const r = spawnSync(cmd ?? 'false', args, { env: { QNXEMU_ROOT: root }, encoding: 'utf8' });
  let calls: string[] = [];
  try {
    calls = readFileSync(log, 'utf8').split(root).join('ROOT').trim().split('\n');
  } catch {
    // no command ran
  }
  return { calls, out: r.stdout + r.stderr, status: r.status };
}
