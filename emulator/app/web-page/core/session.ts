/**
 * The page's debugging session (WebSessionApi, api.ts) over the debugger the REPL uses: the scenario is parsed by
 * the scenario loader from the bundle's text and files, run by a DebugSession (emulator/app/debug/session.ts, with
 * its lookahead), and every method answers with the debugger's own pieces — DebugRepl for commands,
 * breakpoints and the stop texts, pathOf for paths, the PacketIndex and decodeFrame for packets, the NIC models'
 * inspect(), `show pic`/`show ioapic` for interrupts, console records, and the media taps and records (frame-log.ts)
 * for counters, frames and the pcap. It runs in the browser (the page's bundle, ../shims) and under Node (tests).
 *
 * The trace-hash is the lookahead run's (the whole run; the same as `qnxemu run` for the scenario and seed).
 * Guest nodes (Linux under v86) run live in that lookahead, as in `qnxemu debug`: their v86 instances are made
 * first (OpenOptions.guests; the page: guest-files.ts pageGuests, from the image `qnxemu web` serves), and every
 * instance the session steps through (power-on, `back`, `restart`) replays what they did from the lookahead's
 * guest logs (emulator/machine/v86/guest-log.ts) while their NIC models run live. A bundle with a threaded run's
 * recording (`threaded`: threaded-bundle.ts) needs no v86: every instance replays the guests from what they sent
 * the main thread in that run, as `qnxemu debug --threads` does, and the trace-hash is the threaded run's.
 */
import { DebugRepl } from '../../debug/commands';
import { parseFilter, FilterError } from '../../debug/filter';
import { matches } from '../../debug/filter-eval';
import { decodeFrame, hexDump, summarize } from '../../debug/packet-info';
import type { SimInstance } from '../../debug/instance';
import { DebugSession } from '../../debug/session';
import { resolveNic } from '../../debug/targets';
import { parseScenario } from '../../scenario/load';
import type { Scenario } from '../../scenario/types';
import { prepareGuests, type PreparedGuests } from '../../assembly/guest-node';
import { BUNDLE_DIR, mountFiles } from '../shims/fs';
import { resolve } from '../shims/path';
import type { CountersView, FrameView, NicView, PacketView, ScenarioBundle, SessionInfo, StopView, TopologyView, WebSessionApi, RecordView, PathView } from './api';
import { FrameLog } from './frame-log';
import { decodeThreaded, type ThreadedBundle, type ThreadedReplay } from './threaded-bundle';
import { packetLayers } from './packet-layers';
import { macText, pathView, recordView, stopView, topologyView, viewOf, stateStop } from './views';

/** Why a bundle cannot be opened in the page (one line; the page shows it). */
export class WebSessionError extends Error {}

function decodeFiles(bundle: ScenarioBundle): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [p, b64] of Object.entries(bundle.files)) out[p] = Uint8Array.from(Buffer.from(b64, 'base64'));
  return out;
}

/** The scenario of a bundle, read by the loader from the bundle's files (its folder is BUNDLE_DIR). */
export function scenarioOf(bundle: ScenarioBundle): Scenario {
  const files = decodeFiles(bundle);
  mountFiles(files); // node:fs in the page's bundle (../shims/fs.ts)
  const byPath = new Map(Object.entries(files).map(([p, b]) => [resolve(BUNDLE_DIR, p), b]));
  const readFile = (p: string): string => {
    const b = byPath.get(resolve(BUNDLE_DIR, p));
    if (!b) throw new Error(`${p} is not in the scenario bundle`);
    return Buffer.from(b).toString('utf8');
  };
  return parseScenario(bundle.yaml, bundle.file, BUNDLE_DIR, readFile);
}

class WebSession implements WebSessionApi {
  readonly session: DebugSession;
  readonly repl: DebugRepl;
  private readonly log = new FrameLog();
  private readonly traceHash: string;
  private last: StopView;

  constructor(
    readonly scenario: Scenario,
    private readonly bundle: ScenarioBundle,
    guests: PreparedGuests | undefined,
    private readonly threaded: ThreadedReplay | null = null,
  ) {
    let lookahead: SimInstance | null = null;
    this.session = new DebugSession(scenario, {
      seed: bundle.seed,
      until: bundle.until,
      guests,
      // A threaded run (`qnxemu web` recorded it): its guests are replayed from what they sent the main thread.
      ...(threaded ? { recording: threaded.guests, threaded } : {}),
      onInstance: (inst, role) => (role === 'lookahead' ? (lookahead = inst) : this.log.attach(inst)),
    });
    const tl = this.session.timeline;
    const la = lookahead as SimInstance | null;
    this.traceHash = la && tl?.complete ? la.a.sim.tracer.digest() : `unknown: the lookahead stopped at its cap of ${tl?.horizon?.limit ?? 0} records`;
    this.repl = new DebugRepl(this.session);
    this.last = this.view(stateStop(this.session, 'stopped at power-on'));
    if (bundle.failure) this.runUntil(bundle.failure.t);
  }

  private view(st: Parameters<typeof stopView>[2]): StopView {
    this.last = stopView(this.session, this.repl, st);
    return this.last;
  }

  info(): SessionInfo {
    const s = this.session;
    return {
      scenario: this.scenario.name,
      file: this.bundle.file,
      seed: s.seed,
      until: s.until,
      traceHash: this.traceHash,
      events: s.timeline?.events ?? 0,
      records: s.timeline?.records.length ?? 0,
      failure: this.bundle.failure ?? null,
      threads: this.threaded?.threads ?? null,
    };
  }

  topology(): TopologyView {
    return topologyView(this.scenario);
  }

  current(): StopView {
    return this.last;
  }
  step(n = 1): StopView {
    return this.view(this.session.step(n));
  }
  back(n = 1): StopView {
    return this.view(this.session.back(n));
  }
  continue(): StopView {
    return this.view(this.session.continue());
  }
  next(): StopView {
    return this.view(this.session.next());
  }
  runUntil(t: number): StopView {
    return this.view(this.session.untilTime(t));
  }
  restart(): StopView {
    return this.view(this.session.restart());
  }

  command(line: string): string[] {
    const before = this.session.executed;
    const cursor = this.session.cursor;
    const out = this.repl.execute(line);
    // A command that moved the session (continue, step, back…): the page's current stop follows it.
    if (this.session.executed !== before || this.session.cursor !== cursor) this.last = { ...this.view(stateStop(this.session, null)), reason: 'command', lines: out };
    return out;
  }

  addBreakpoint(spec: string): { id: number; text: string } | { error: string } {
    const out = this.repl.execute(`break ${spec}`);
    if (out[0]?.startsWith('error: ')) return { error: out.join('\n').slice('error: '.length) };
    const bp = this.session.breaks.all().at(-1)!;
    return { id: bp.id, text: out.join('\n') };
  }
  deleteBreakpoint(id: number): boolean {
    return !(this.repl.execute(`delete ${id}`)[0] ?? '').startsWith('error: ');
  }
  breakpoints(): { id: number; text: string }[] {
    return this.session.breaks.all().map((b) => ({ id: b.id, text: b.text }));
  }

  records(from: number, count: number): RecordView[] {
    const recs = this.session.records;
    const start = Math.max(0, from);
    return recs.slice(start, Math.max(start, start + count)).map((r, i) => recordView(r, start + i));
  }
  recordCount(): number {
    return this.session.records.length;
  }

  path(pkt: number): PathView {
    return pathView(this.session, pkt);
  }

  packet(pkt: number): PacketView {
    const s = this.session;
    const info = s.packets.info(pkt, s.executed);
    const bytes = s.packets.bytes(pkt, s.executed);
    return { pkt, summary: summarize(info), layers: packetLayers(info), hex: bytes ? hexDump(bytes, '') : [] };
  }

  focusPacket(): number {
    return this.session.currentPkt;
  }

  nic(name: string): NicView {
    const node = name.split('.')[0] ?? '';
    // A replayed guest's NIC models stayed in its thread in the recorded run: say what the page can do instead.
    if (this.threaded && this.session.inst.isRemoteGuest(node))
      throw new WebSessionError(
        `${node} is a Linux guest that ran in a worker thread in the run this page replays: its NIC models stayed there (its records, console and frames are here); ` +
          'to see its registers, open the page with qnxemu web --no-threads (the single-threaded engine\'s run: another run)',
      );
    const nic = resolveNic(this.session.inst, name);
    if (typeof nic === 'string') throw new WebSessionError(nic);
    return { name: nic.name, model: nic.model, link: nic.link, mac: macText(nic.mac), inspection: nic.device.inspect() };
  }

  interrupts(node: string): string[] {
    const spec = this.scenario.nodes.find((n) => n.name === node);
    // A guest's 8259/IOAPIC are v86's, not traced (the REPL says the same when asked to break on them).
    if (spec?.kind === 'guest') return [`${node} is a Linux guest (v86): its interrupt controller is v86's and is not traced; its NICs' interrupt outputs are (break probe nic/irq on ${node})`];
    const out = this.repl.execute(`show pic ${node}`);
    if (spec?.interruptController === 'ioapic') out.push(...this.repl.execute(`show ioapic ${node}`));
    return out;
  }

  consoles(): Record<string, string[]> {
    const out: Record<string, string[]> = Object.fromEntries(this.scenario.nodes.map((n) => [n.name, [] as string[]]));
    for (const r of this.session.records) if (r.layer === 'console') (out[r.node] ??= []).push(String(r.f?.['text'] ?? ''));
    return out;
  }

  counters(): CountersView {
    const links: CountersView['links'] = Object.fromEntries(this.scenario.links.map((l) => [l.name, { frames: 0, bytes: 0 }]));
    for (const f of this.log.frames) {
      const c = (links[f.link] ??= { frames: 0, bytes: 0 });
      c.frames++;
      c.bytes += f.len;
    }
    const ports = this.log.ports();
    const nics: CountersView['nics'] = {};
    for (const [name, nic] of this.session.inst.nics) {
      const c: Record<string, number> = {};
      for (const k of nic.device.inspect().counters) c[k.name] = k.value;
      c['link-tx-frames'] = ports.get(name)?.tx ?? 0;
      c['link-rx-frames'] = ports.get(name)?.rx ?? 0;
      nics[name] = c;
    }
    // A threaded run's guests ran elsewhere (their NIC models are not here): what their ports carried is.
    for (const [name, p] of ports) nics[name] ??= { 'link-tx-frames': p.tx, 'link-rx-frames': p.rx };
    return { links, nics };
  }

  frames(link: string, filter?: string): FrameView[] | { error: string } {
    if (!this.scenario.links.some((l) => l.name === link)) return { error: `no link '${link}' (links: ${this.scenario.links.map((l) => l.name).join(', ')})` };
    let f: ReturnType<typeof parseFilter> | null = null;
    if (filter !== undefined && filter.trim() !== '') {
      try {
        f = parseFilter(filter);
      } catch (e) {
        if (e instanceof FilterError) return { error: `${e.message}\n${e.pointer()}` };
        throw e;
      }
    }
    const wired = this.log.linktypes.get(link) === 1;
    const s = this.session;
    const out: FrameView[] = [];
    for (const fr of this.log.of(link)) {
      // Wired frames are decoded from their bytes; a radiotap record through what is known of its packet.
      const info = wired ? decodeFrame(fr.pkt, fr.bytes) : s.packets.info(fr.pkt, fr.ev);
      if (f && !matches(f, { ...info, pkt: fr.pkt })) continue;
      out.push({ pkt: fr.pkt, t: fr.t, link, len: fr.len, summary: wired ? summarize(info) : `802.11, ${fr.len} bytes${fr.pkt > 0 ? `: ${summarize(info)}` : ''}` });
    }
    return out;
  }

  pcap(link?: string): Uint8Array {
    return this.log.pcap(link);
  }
}

export interface OpenOptions {
  /**
   * The v86 instances of the scenario's guest nodes (called only when it has some). Default: prepareGuests's own,
   * which builds the guest image with the host's tools (Node only; the page's bundle has no builder and says so):
   * the page passes guest-files.ts pageGuests.
   */
  guests?: (scenario: Scenario) => Promise<PreparedGuests>;
}

/** Open a session on a bundle (power-on, or stopped at the failure's time for an artifacts bundle). */
export async function openSession(bundle: ScenarioBundle, opts: OpenOptions = {}): Promise<WebSessionApi> {
  const scenario = scenarioOf(bundle);
  // A threaded run's recording stands in for the guests: no v86 runs in the page (threaded-bundle.ts).
  if (bundle.threaded) return new WebSession(scenario, bundle, undefined, threadedReplay(bundle.threaded, scenario));
  const guests = scenario.nodes.some((n) => n.kind === 'guest') ? await (opts.guests ?? ((s) => prepareGuests(s)))(scenario) : undefined;
  return new WebSession(scenario, bundle, guests);
}

/** The bundle's recording, checked against the scenario's guests (one line if it is not theirs). */
function threadedReplay(b: ThreadedBundle, scenario: Scenario): ThreadedReplay {
  const replay = decodeThreaded(b);
  const want = scenario.nodes.filter((n) => n.kind === 'guest').map((n) => n.name);
  const got = replay.guests.map((g) => g.name);
  if (want.join(',') !== got.join(','))
    throw new WebSessionError(`the bundle's threaded run recorded guests ${got.join(', ') || 'none'}, but the scenario's guests are ${want.join(', ') || 'none'}: make the bundle again with qnxemu web`);
  return replay;
}

export { viewOf };
