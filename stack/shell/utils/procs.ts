/**
 * `pidin` (default format "%a %b %N %p %J %B": pid, tid, name, priority+policy, state, blocked-on) and
 * `slay` (SIGTERM processes by name or pid). All threads are scheduled FIFO here, hence the "f" suffix.
 */
import type { ProcessInfo, ProgramMain } from '../../kernel/api';

/** States whose Blocked column names what the thread waits on: a server pid (local or, for NET_*, remote) or a chid. */
const BLOCKED_STATES = new Set<string>(['SEND', 'REPLY', 'RECEIVE', 'NET_SEND', 'NET_REPLY']);

function displayName(p: ProcessInfo): string {
  return p.pid === 1 ? p.name : `proc/boot/${p.name}`;
}

export function formatPidin(procs: ProcessInfo[]): string {
  const lines = ['     pid tid name               prio STATE       Blocked'];
  for (const p of procs) {
    for (const t of p.threads) {
      const blocked = BLOCKED_STATES.has(t.state) ? String(t.blockedOn) : '';
      const prio = `${t.priority}f`;
      lines.push(
        `${String(p.pid).padStart(8)} ${String(t.tid).padStart(3)} ${displayName(p).padEnd(18)} ${prio.padStart(4)} ${t.state.padEnd(11)} ${blocked}`.trimEnd(),
      );
    }
  }
  return lines.join('\n') + '\n';
}

export const pidin: ProgramMain = function* (ctx, argv) {
  let procs = ctx.processes();
  const i = argv.indexOf('-p');
  if (i >= 0) {
    const want = argv[i + 1];
    if (want === undefined) {
      ctx.print('pidin: option -p needs a pid or name\n');
      return 1;
    }
    procs = procs.filter((p) => String(p.pid) === want || p.name === want);
  }
  ctx.print(formatPidin(procs));
  yield* ctx.work(20_000 + 1_000 * procs.length);
  return 0;
};

export const slay: ProgramMain = function* (ctx, argv) {
  let quiet = false;
  let printOnly = false;
  const names: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-Q') quiet = true;
    else if (a === '-p') printOnly = true;
    else if (a === '-s' || a === '-m') i++;
    else if (a.startsWith('-')) continue; // -f, -signal_number: every match is signalled, no prompting
    else names.push(a);
  }
  if (names.length === 0) {
    ctx.print('slay: missing process name\n');
    return 1;
  }
  let status = 0;
  const all = ctx.processes();
  for (const name of names) {
    const hits = all.filter((p) => p.pid !== 1 && p.pid !== ctx.pid && (p.name === name || String(p.pid) === name));
    if (hits.length === 0) {
      // Message wording inferred (not checked against a QNX binary).
      if (!quiet) ctx.print(`slay: Unable to find process(es) ${name}\n`);
      status = 1;
      continue;
    }
    for (const p of hits) {
      if (printOnly) ctx.print(`${p.pid}\n`);
      else ctx.kill(p.pid);
    }
  }
  yield* ctx.work(10_000);
  return status;
};
