/** Runs the guest's /init on the host against a fake root with stub commands (shared by the tests). */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initScript } from '../../emulator/app/guest-image/init-script';

/** Modules the stub modprobe knows (module names; it compares with '-' read as '_', as busybox's does). */
export const KNOWN_MODULES: readonly string[] = ['8390', 'ne2k_pci', '8390p', 'ne'];

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
 * their arguments. modprobe fails, saying so on stderr as busybox's does, for a module not in `modules`
 * (default KNOWN_MODULES); `ip link set X up` fails unless X is in `ifaces`. (What modprobe itself does —
 * dependencies, parameters from /proc/cmdline — is busybox's, tested in the guest: tests/guest/module-reload.test.ts.)
 * Returns the stub log (one "cmd args" per line, $R shown as ROOT) and /init's output.
 */
export function runInit(cmdline: string, opts: { ifaces?: string[]; init?: string; modules?: readonly string[] } = {}): { calls: string[]; out: string; status: number | null } {
  const root = mkdtempSync(join(tmpdir(), 'qnxemu-init-'));
  for (const d of ['bin', 'sbin', 'proc']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'proc', 'cmdline'), cmdline + '\n');
  const log = join(root, 'calls.log');
  const stub = (name: string, body = ''): void => {
    const p = join(root, 'bin', name);
    writeFileSync(p, `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\nexit 0\n`);
    chmodSync(p, 0o755);
  };
  for (const c of ['mount', 'hostname', 'stty', 'setsid', 'cttyhack']) stub(c);
  // Both spellings listed: the stub runs with /init's PATH (stubs only), so it has no `tr`.
  const known = (opts.modules ?? KNOWN_MODULES).flatMap((m) => [m, m.replace(/_/g, '-')]).join(' ');
  stub('modprobe', `case " ${known} " in *" $1 "*) ;; *) echo "modprobe: module $1 not found in modules.dep" >&2; exit 1 ;; esac`);
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
