/**
 * The debugger's command interpreter: one line in, lines of output back. The REPL (emulator/app/cli/debug-cmd.ts)
 * and tests drive it the same way, so a `--commands` file replays a session exactly.
 */
import { BreakError, describeBreak, isVerboseOnly, parseBreak } from './breakpoints';
import { dropsCommand } from './drops/session-drops';
import { helpText } from './help';
import { summarize } from './packet-info';
import { formatPath, pathOf } from './path';
import { locationText, parseTimeArg, recordText, timeText, type DebugRecord } from './records';
import type { DebugSession, Stop } from './session';
import { show, ShowError } from './show';
import { resolveNic } from './targets';

export class CommandError extends Error {}

/** Records listed with a stop at most (a long `step n` lists its last ones). */
const MAX_LISTED = 40;

const ALIASES: Record<string, string> = { c: 'continue', cont: 'continue', s: 'step', n: 'next', u: 'until', b: 'break', d: 'delete', q: 'quit', exit: 'quit', p: 'path', h: 'help', '?': 'help' };

export class DebugRepl {
  /** Set by `quit`. */
  done = false;
  /** Commands that failed (a scripted session exits non-zero if any did). */
  errors = 0;
  private consoleOn = true;
  /** The guest divergence last warned about. */
  private warned: string | null = null;

  constructor(readonly session: DebugSession) {}

  banner(): string[] {
    const s = this.session;
    const sc = s.scenario;
    const la = s.timeline ? `; lookahead: ${s.timeline.events} events, ${s.timeline.records.length} records to ${timeText(s.timeline.endTime)}` : '';
    const h = s.timeline?.horizon;
    const cap = h
      ? [`note: the lookahead stopped at its cap of ${h.limit} records (--lookahead-records) at ${timeText(h.t)}, event #${h.events}: past that, path, next and filters know only what the session has run`]
      : [];
    const guests = sc.nodes.filter((n) => n.kind === 'guest').map((n) => n.name);
    return [
      `qnxemu debug: ${sc.name} (${sc.file}), seed ${s.seed}, nodes ${sc.nodes.map((n) => n.name).join(', ')}, run ends at ${timeText(s.until)}${la}`,
      ...cap,
      ...(guests.length === 0
        ? []
        : s.threaded
          ? [
              `guests ${guests.join(', ')} ran in worker threads in the recording run (--threads); the session replays what they sent the main thread ` +
                `(their records and console lines are in the trace; their NIC models stayed in the workers), ${s.threaded.events} events in all, trace-hash ${s.threaded.traceHash.slice(0, 16)}…`,
            ]
          : [`guests ${guests.join(', ')} ran live in the recording run; the session replays what they did (their NIC models are live)`]),
      'stopped at power-on. `help` lists commands.',
    ];
  }

  /** Run one command line; returns what it prints. Errors are printed as `error: …`, never thrown. */
  execute(line: string): string[] {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return [];
    try {
      return this.run(text);
    } catch (e) {
      if (e instanceof CommandError || e instanceof BreakError || e instanceof ShowError) {
        this.errors++;
        return e.message.split('\n').map((l, i) => (i === 0 ? `error: ${l}` : l));
      }
      throw e;
    }
  }

  private run(text: string): string[] {
    const [word, ...rest] = text.split(/\s+/);
    const cmd = ALIASES[word!] ?? word!;
    const argText = text.slice(word!.length).trim();
    const s = this.session;
    switch (cmd) {
      case 'help':
        return helpText();
      case 'quit':
        this.done = true;
        return [];
      case 'break': {
        const nodes = s.inst.nodeNames;
        const spec = parseBreak(argText, (t) => {
          const nic = resolveNic(s.inst, t);
          return typeof nic === 'string' ? nic : { name: nic.name, node: nic.node.name, model: nic.model, registers: nic.kind.registerNames };
        }, nodes);
        if (spec.kind === 'irq' && s.inst.a.guests.some((g) => g.name === spec.node)) {
          throw new CommandError(`${spec.node} is a Linux guest: its interrupt controller is v86's and is not traced; break on its NIC's interrupt output instead: break probe nic/irq on ${spec.node}`);
        }
        const bp = s.breaks.add(spec, argText);
        s.syncVerbose();
        const out = [`breakpoint ${bp.id}: ${spec.kind === 'probe' ? argText : describeBreak(spec)}`];
        if (spec.kind === 'probe' && s.timeline && !s.timeline.probes.has(`${spec.layer}/${spec.probe}`) && spec.layer !== '*' && spec.probe !== '*' && !isVerboseOnly(spec.layer, spec.probe)) {
          const where = s.timeline.complete ? 'in this run' : `up to the lookahead's horizon (${timeText(s.timeline.endTime)})`;
          out.push(`note: no ${spec.layer}/${spec.probe} record occurs ${where} (see docs/formats/trace.md for probe names)`);
        }
        if (spec.kind === 'time' && spec.t <= s.now && s.executed > 0) out.push(`note: the run is already at ${timeText(s.now)}; back or restart to reach it`);
        if (spec.kind === 'reg' || (spec.kind === 'probe' && isVerboseOnly(spec.layer, spec.probe))) {
          out.push('register tracing is on (trace records for every register access)');
        }
        return out;
      }
      case 'delete': {
        if (rest[0] === 'all' || rest.length === 0) {
          for (const b of [...s.breaks.all()]) s.breaks.delete(b.id);
          s.syncVerbose();
          return ['deleted all breakpoints'];
        }
        const id = Number(rest[0]);
        if (!s.breaks.delete(id)) throw new CommandError(`no breakpoint ${rest[0]}`);
        s.syncVerbose();
        return [`deleted breakpoint ${id}`];
      }
      case 'info':
        if (/^(b|break|breaks|breakpoints)$/.test(rest[0] ?? '')) return this.infoBreaks();
        throw new CommandError('usage: info breaks');
      case 'continue':
        return this.printStop(s.continue());
      case 'step':
        return this.printStop(s.step(rest[0] ? this.count(rest[0]) : 1));
      case 'next':
        return this.printStop(s.next());
      case 'until': {
        const t = rest[0] ? parseTimeArg(rest[0]) : null;
        if (t === null) throw new CommandError('usage: until <time>  (e.g. until 1.5s)');
        return this.printStop(s.untilTime(t));
      }
      case 'back':
        return this.printStop(s.back(rest[0] ? this.count(rest[0]) : 1));
      case 'restart':
        return this.printStop(s.restart());
      case 'where':
        return this.where();
      case 'path': {
        const pkt = rest[0] ? this.count(rest[0]) : s.currentPkt;
        if (pkt <= 0) throw new CommandError('no packet under the cursor: path <pkt>');
        s.focusPkt = pkt;
        return formatPath(s, pathOf(s, pkt));
      }
      case 'history':
        return this.history(rest[0] ? this.count(rest[0]) : 20);
      case 'drops':
        if (rest.length > 1 || (rest[0] !== undefined && rest[0] !== 'so-far')) throw new CommandError('usage: drops [so-far]');
        return dropsCommand(s, rest);
      case 'show':
        return show(s, rest);
      case 'set':
        if (rest[0] === 'console' && (rest[1] === 'on' || rest[1] === 'off')) {
          this.consoleOn = rest[1] === 'on';
          return [`console output ${rest[1]}`];
        }
        throw new CommandError('usage: set console on|off');
    }
    throw new CommandError(`unknown command '${word}' (help lists commands)`);
  }

  private count(text: string): number {
    if (!/^\d+$/.test(text)) throw new CommandError(`expected a number, got '${text}'`);
    return Number(text);
  }

  private infoBreaks(): string[] {
    const all = this.session.breaks.all();
    if (all.length === 0) return ['no breakpoints'];
    return all.map((b) => {
      const resolved = b.spec.kind === 'reg' || b.spec.kind === 'time' ? ` [${describeBreak(b.spec)}]` : '';
      return `  ${b.id}  ${b.text}${resolved}  hit ${b.hits} time${b.hits === 1 ? '' : 's'}`;
    });
  }

  private where(): string[] {
    const s = this.session;
    const c = s.cursorRecord;
    const head = `at ${timeText(s.now)} after event #${s.executed}${s.inst.lastEvent ? ` (${s.inst.lastEvent.name})` : ''}`;
    if (!c) return [head, s.executed === 0 ? 'at power-on: nothing has run' : 'between events (no record under the cursor)'];
    return [head, ...this.recordLines(c, true)];
  }

  private history(n: number): string[] {
    const s = this.session;
    const end = s.cursor >= 0 ? s.cursor + 1 : s.records.length;
    const recs = s.records.slice(0, end).filter((r) => r.pkt > 0).slice(-n);
    if (recs.length === 0) return ['no packet records yet'];
    return recs.map((r) => `${r === s.cursorRecord ? '=>' : '  '} ${timeText(r.t)}  ${recordText(r)}`);
  }

  private recordLines(r: DebugRecord, cursor: boolean): string[] {
    const s = this.session;
    const out = [`${cursor ? '=> ' : '   '}${recordText(r)}`, `   ${locationText(r, (p) => s.inst.portLinks.get(p))}`];
    if (r.pkt > 0 && cursor) out.push(`   packet ${r.pkt}: ${summarize(s.packets.info(r.pkt, r.ev))}`);
    return out;
  }

  /** The Packet-Tracer-like report of a stop: time, node, layer/probe, packet, fields, device/layer/direction. */
  printStop(st: Stop): string[] {
    const out = this.stopLines(st);
    const d = this.session.divergence;
    if (d && d !== this.warned) {
      this.warned = d;
      out.push(`warning: the guest replay diverged from the recorded run (${d}); what follows is not the recorded run`);
    }
    return out;
  }

  private stopLines(st: Stop): string[] {
    const s = this.session;
    const out: string[] = [];
    if (this.consoleOn) for (const r of st.console) out.push(`${r.node} | ${String(r.f?.['text'] ?? '')}`);
    const t = st.cursor ? st.cursor.t : s.now;
    const ev = `event #${s.executed}${st.event ? ` ${st.event}` : ''}`;
    switch (st.reason) {
      case 'breakpoint':
        out.push(`breakpoint ${st.bp!.id} (${st.bp!.text}) at ${timeText(t)}, ${ev}`);
        break;
      case 'time':
        out.push(`breakpoint ${st.bp!.id} (${describeBreak(st.bp!.spec)}) reached: now ${timeText(s.now)}, ${st.message}`);
        return out;
      case 'step':
        out.push(`${timeText(s.now)} ${ev}: ${st.shown.length === 0 ? 'no trace records' : `${st.shown.length} record(s)`}`);
        break;
      case 'back':
        out.push(`back at ${timeText(s.now)} after ${ev}: ${st.shown.length} record(s) in that event`);
        break;
      case 'next':
        out.push(`next hop of packet ${st.cursor?.pkt ?? s.focusPkt} at ${timeText(t)}, ${ev}`);
        break;
      case 'until':
      case 'end':
      case 'no-hop':
      case 'start':
        out.push(st.message ?? st.reason);
        return out;
    }
    if (st.shown.length > 0) {
      const cut = st.shown.length > MAX_LISTED ? st.shown.length - MAX_LISTED : 0;
      if (cut > 0) out.push(`   … ${cut} earlier record(s) not listed`);
      for (const r of st.shown.slice(cut)) out.push(`${r === st.cursor ? '=> ' : '   '}${recordText(r)}`);
      if (st.cursor) out.push(...this.recordLines(st.cursor, true).slice(1));
    } else if (st.cursor) {
      out.push(...this.recordLines(st.cursor, true));
    }
    return out;
  }
}
