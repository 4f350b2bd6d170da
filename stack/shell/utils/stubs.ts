/**
 * Stand-ins for the system services x86 buildfiles start before networking (`pci-bios &`, `slogger &`,
 * `devc-con -n2 &`, `waitfor /dev/pci`): each registers the paths the real one creates, so scripts that
 * wait for them proceed, and answers every message with ENOSYS. They do no work of their own.
 */
import { Errno, type ProgramMain } from '../../kernel/api';

function service(paths: (argv: string[]) => string[]): ProgramMain {
  return function* (ctx, argv) {
    const chid = ctx.ChannelCreate();
    for (const p of paths(argv)) ctx.pathAttach(p, chid);
    for (;;) {
      const r = yield* ctx.MsgReceive(chid);
      if (r.kind === 'msg') ctx.MsgError(r.rcvid, Errno.ENOSYS);
    }
  };
}

/** devc-con -nN: N virtual consoles /dev/con1…N (default 4). */
function consoles(argv: string[]): string[] {
  const arg = argv.find((a) => /^-n\d+$/.test(a));
  const idx = argv.indexOf('-n');
  const n = arg ? Number(arg.slice(2)) : idx >= 0 ? Number(argv[idx + 1] ?? 4) : 4;
  return Array.from({ length: Math.max(1, Math.min(9, n || 4)) }, (_, i) => `/dev/con${i + 1}`);
}

export const servicePrograms: Record<string, ProgramMain> = {
  'pci-bios': service(() => ['/dev/pci']),
  'pci-bios-v2': service(() => ['/dev/pci']),
  slogger: service(() => ['/dev/slog']),
  'devc-con': service(consoles),
  'devc-con-hid': service(consoles),
  'devc-ser8250': service(() => ['/dev/ser1', '/dev/ser2']),
  'devc-pty': service(() => ['/dev/ptyp0', '/dev/ttyp0']),
};
