/**
 * What the web page's UI (../ui) sees of a debugging session: plain data, computed in the browser by the same
 * debugger core as the REPL (emulator/app/debug: DebugSession, pathOf, the NIC models' inspect(), the filter
 * language, decodeFrame). The UI never reaches into the simulation; `WebSession` (session.ts) implements this.
 */
import type { NicInspection } from '../../../../nic-models/kind';
import type { ThreadedBundle } from './threaded-bundle';

/** A scenario and everything it reads, as one JSON document: what the page loads (bundle.json). */
export interface ScenarioBundle {
  format: 1;
  /** The scenario file's path as the user gave it (shown on the page, used in messages). */
  file: string;
  /** Its text. */
  yaml: string;
  /** Every other file the scenario reads (buildfiles), base64, by its path relative to the scenario's folder ("files/alpha.build"). */
  files: Record<string, string>;
  seed?: number;
  /** Run end, ns (overrides the scenario's). */
  until?: number;
  /**
   * The scenario's guests ran in worker threads (`qnxemu web` recorded that run, as `qnxemu run` makes it): the page
   * replays the run from this instead of running the guests (threaded-bundle.ts).
   */
  threaded?: ThreadedBundle;
  /** From `qnxemu test --artifacts`: open the session stopped here. */
  failure?: { t: number; expectation: string; message: string };
}

export interface RecordView {
  /** Index in the session's record list (stable across step/back: records are the run's, in order); -1 for a hop still to come. */
  index: number;
  t: number;
  /** Number of the event that emitted it. */
  ev: number;
  node: string;
  layer: string;
  probe: string;
  pkt: number;
  fields: Record<string, string | number | boolean>;
  direction: 'inbound' | 'outbound' | 'internal';
  /** One line, as the REPL prints it. */
  text: string;
}

export interface StopView {
  reason: string;
  message: string | null;
  /** Name of the last event run. */
  event: string | null;
  now: number;
  executed: number;
  cursor: RecordView | null;
  shown: RecordView[];
  /** Console lines printed while running to this stop. */
  console: RecordView[];
  /** What the REPL prints for this stop (DebugRepl.printStop), line by line. */
  lines: string[];
}

export interface HopView {
  /** 1-based, as `path` numbers hops; the page puts it in data-hop. */
  n: number;
  t: number;
  /** Latency from the previous hop and since the first, ns. */
  delta: number;
  total: number;
  /** Node name, or the link for wire/air records. */
  device: string;
  layer: string;
  probe: string;
  direction: 'inbound' | 'outbound' | 'internal';
  state: 'past' | 'cursor' | 'future';
  record: RecordView;
}

export interface PathView {
  pkt: number;
  summary: string;
  hops: HopView[];
  /** Lanes in display order: device then layer ("alpha/ip"), as the hops visit them. */
  lanes: string[];
  complete: boolean;
}

export interface PacketLayerView {
  /** "Ethernet II", "IPv4", "ICMP"… */
  name: string;
  fields: [string, string][];
}

export interface PacketView {
  pkt: number;
  summary: string;
  layers: PacketLayerView[];
  /** Hex dump lines (offset, bytes, ASCII), empty when no medium has carried the packet yet. */
  hex: string[];
}

export interface NicView {
  name: string;
  model: string;
  link: string;
  mac: string;
  inspection: NicInspection;
}

export interface TopologyView {
  nodes: { name: string; kind: 'qnx' | 'guest'; position: { x: number; y: number } | null; nics: { name: string; model: string; link: string; mac: string }[] }[];
  links: { name: string; kind: string; ports: string[] }[];
}

export interface CountersView {
  /** Per link: frames and bytes carried so far. */
  links: Record<string, { frames: number; bytes: number }>;
  /** Per NIC ("alpha.nic0"): the model's counters (inspect().counters) plus tx/rx frames seen on its port. */
  nics: Record<string, Record<string, number>>;
}

export interface FrameView {
  pkt: number;
  t: number;
  link: string;
  len: number;
  summary: string;
}

export interface SessionInfo {
  scenario: string;
  file: string;
  seed: number;
  until: number;
  /** The run's trace-hash (the whole run, from the lookahead: equals `qnxemu run`'s for the same scenario and seed). */
  traceHash: string;
  events: number;
  records: number;
  failure: ScenarioBundle['failure'] | null;
  /** The guests ran in this many worker threads in the recorded run the page replays (null: no threads). */
  threads: number | null;
}

/** The page's session. Every method is synchronous and deterministic; `open` (session.ts) builds one. */
export interface WebSessionApi {
  info(): SessionInfo;
  topology(): TopologyView;
  /** The stop the session is at (after open: power-on, or the failure's time for an artifacts bundle). */
  current(): StopView;
  step(n?: number): StopView;
  back(n?: number): StopView;
  continue(): StopView;
  /** Follow the focused packet to its next hop. */
  next(): StopView;
  runUntil(t: number): StopView;
  restart(): StopView;
  /** Any REPL command (the same interpreter as `qnxemu debug`): its output lines. */
  command(line: string): string[];
  /** Breakpoints in REPL syntax after `break ` ("probe ip/output if icmp"); error text on a bad one. */
  addBreakpoint(spec: string): { id: number; text: string } | { error: string };
  deleteBreakpoint(id: number): boolean;
  breakpoints(): { id: number; text: string }[];
  /** Records of the session's run so far, [from, from+count). */
  records(from: number, count: number): RecordView[];
  recordCount(): number;
  path(pkt: number): PathView;
  packet(pkt: number): PacketView;
  /** The packet `next`/`path` default to (0: none). */
  focusPacket(): number;
  /** A NIC by "alpha.nic0" or its interface name ("alpha.en0"), as `show nic` takes it; an unknown one throws (WebSessionError, one line). */
  nic(name: string): NicView;
  /** The node's interrupt controllers as `show pic`/`show ioapic` print them. */
  interrupts(node: string): string[];
  consoles(): Record<string, string[]>;
  counters(): CountersView;
  /** Frames carried so far on a link, optionally filtered with the filter language (error text on a bad filter). */
  frames(link: string, filter?: string): FrameView[] | { error: string };
  /** A pcap of every frame carried so far (all links, or one). */
  pcap(link?: string): Uint8Array;
}
