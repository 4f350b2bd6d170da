/**
 * A small in-memory WebSessionApi for the page's component tests ONLY (never shipped): two nodes on a hub and
 * one ping's records, a cursor that step/back/continue/next move over them, breakpoints on `probe L/P`.
 * It behaves like the contract in core/api.ts says, so the tests check what the page does with each answer;
 * the real session (core/session.ts) is checked against the REPL by tests/web-core and in tests/web-ui/real-session.
 */
import type { NicView, PathView, RecordView, StopView, TopologyView, WebSessionApi } from '../../emulator/app/web-page/core/api';

type Rec = Omit<RecordView, 'index' | 'text' | 'direction'> & { direction?: RecordView['direction'] };

const RECS: Rec[] = [
  { t: 1_000, ev: 1, node: 'alpha', layer: 'console', probe: 'line', pkt: 0, fields: { text: 'ping 10.0.0.2' } },
  { t: 2_000, ev: 2, node: 'alpha', layer: 'app', probe: 'send', pkt: 3, fields: { pid: 5, len: 64 } },
  { t: 2_000, ev: 2, node: 'alpha', layer: 'ip', probe: 'output', pkt: 3, fields: { src: '10.0.0.1', dst: '10.0.0.2' } },
  { t: 5_000, ev: 3, node: 'alpha', layer: 'nic', probe: 'tx-start', pkt: 3, fields: { nic: 'alpha.nic0', len: 98 } },
  { t: 9_000, ev: 4, node: '', layer: 'wire', probe: 'deliver', pkt: 3, fields: { port: 'beta.nic0' } },
  { t: 9_500, ev: 5, node: 'beta', layer: 'nic', probe: 'rx-accept', pkt: 3, fields: { nic: 'beta.nic0', len: 98 } },
  { t: 12_000, ev: 6, node: 'beta', layer: 'icmp', probe: 'echo-request-in', pkt: 3, fields: { src: '10.0.0.1' } },
  { t: 12_000, ev: 6, node: 'beta', layer: 'icmp', probe: 'echo-reply-out', pkt: 4, fields: { dst: '10.0.0.1' } },
  { t: 20_000, ev: 7, node: 'beta', layer: 'console', probe: 'line', pkt: 0, fields: { text: 'done' } },
];
const EVENTS = 7;

function device(r: Rec): string {
  return r.node || 'hub0';
}

export interface FakeLog {
  commands: string[];
}

export function fakeSession(opts: { failure?: { t: number; expectation: string; message: string }; threads?: number } = {}): WebSessionApi & { log: FakeLog } {
  const all: RecordView[] = RECS.map((r, index) => ({
    ...r,
    index,
    direction: r.direction ?? (/out|send|tx/.test(r.probe) ? 'outbound' : /in|rx|deliver|accept/.test(r.probe) ? 'inbound' : 'internal'),
    text: `${r.node || '(net)'} ${r.layer}/${r.probe}${r.pkt ? ` pkt ${r.pkt}` : ''}`,
  }));
  let executed = 0;
  let cursor = -1;
  let focus = 0;
  let nextBp = 1;
  const bps: { id: number; text: string; layer: string; probe: string }[] = [];
  const log: FakeLog = { commands: [] };
  const so_far = (): RecordView[] => all.filter((r) => r.ev <= executed);
  const now = (): number => so_far().at(-1)?.t ?? 0;
  const stop = (reason: string, message: string | null = null): StopView => {
    const c = cursor >= 0 ? all[cursor]! : null;
    if (c && c.pkt > 0) focus = c.pkt;
    return { reason, message, event: executed ? `ev${executed}` : null, now: now(), executed, cursor: c, shown: all.filter((r) => r.ev === executed), console: [], lines: [`${reason}${message ? ': ' + message : ''}`, ...(c ? [`=> ${c.text}`] : [])] };
  };
  const runEvent = (): RecordView | null => {
    executed++;
    const recs = all.filter((r) => r.ev === executed);
    cursor = recs[0]?.index ?? cursor;
    return recs.find((r) => bps.some((b) => b.layer === r.layer && b.probe === r.probe)) ?? null;
  };
  const step = (n = 1): StopView => {
    for (let i = 0; i < n; i++) {
      if (executed >= EVENTS) return stop('end');
      const hit = runEvent();
      if (hit) {
        cursor = hit.index;
        return stop('breakpoint', `breakpoint at ${hit.layer}/${hit.probe}`);
      }
    }
    return stop('step');
  };
  const path = (pkt: number): PathView => {
    const recs = all.filter((r) => r.pkt === pkt);
    const t0 = recs[0]?.t ?? 0;
    const lanes: string[] = [];
    const hops = recs.map((r, i) => {
      const lane = `${device(r)}/${r.layer}`;
      if (!lanes.includes(lane)) lanes.push(lane);
      const state: 'past' | 'cursor' | 'future' = r.index === cursor ? 'cursor' : r.ev <= executed ? 'past' : 'future';
      return { n: i + 1, t: r.t, delta: i ? r.t - recs[i - 1]!.t : 0, total: r.t - t0, device: device(r), layer: r.layer, probe: r.probe, direction: r.direction, state, record: r };
    });
    return { pkt, summary: `packet ${pkt}: IPv4 10.0.0.1 > 10.0.0.2: ICMP`, hops, lanes, complete: true };
  };
  const topology: TopologyView = {
    nodes: [
      { name: 'alpha', kind: 'qnx', position: null, nics: [{ name: 'alpha.nic0', model: 'ne2000-isa', link: 'hub0', mac: '00:00:e8:0a:00:01' }] },
      { name: 'beta', kind: 'qnx', position: null, nics: [{ name: 'beta.nic0', model: 'ne2000-isa', link: 'hub0', mac: '00:00:e8:0b:00:02' }] },
    ],
    links: [{ name: 'hub0', kind: 'hub', ports: ['alpha.nic0', 'beta.nic0'] }],
  };
  const nic = (name: string): NicView => {
    if (name !== 'alpha.nic0' && name !== 'beta.nic0') throw new Error(`no NIC ${name}`);
    return {
      name,
      model: 'ne2000-isa',
      link: 'hub0',
      mac: name.startsWith('alpha') ? '00:00:e8:0a:00:01' : '00:00:e8:0b:00:02',
      inspection: {
        summary: `running, page 0, events ${executed}`,
        registers: [{ group: 'page 0', regs: [{ name: 'CR', value: 0x22, width: 1, bits: ['STA', 'RD2'] }, { name: 'ISR', value: executed >= 5 && name.startsWith('beta') ? 1 : 0, width: 1 }] }],
        rings: [{ name: 'receive ring', summary: 'PSTART 0x46 PSTOP 0x80', entries: executed >= 5 && name.startsWith('beta') ? ['0x4c: status 0x01 len 98 pkt 3'] : [] }],
        counters: [{ name: 'CNTR0', value: 0 }],
      },
    };
  };
  const framesSoFar = () => (executed >= 4 ? [{ pkt: 3, t: 9_000, link: 'hub0', len: 98, summary: 'IPv4 10.0.0.1 > 10.0.0.2: ICMP echo-request' }] : []);
  return {
    log,
    info: () => ({ scenario: 'ping', file: 'docs/examples/ping.yaml', seed: 1, until: 30_000, traceHash: 'ab12cd34', events: EVENTS, records: all.length, failure: opts.failure ?? null, threads: opts.threads ?? null }),
    topology: () => topology,
    current: () => stop(executed ? 'step' : 'start'),
    step,
    back: (n = 1) => {
      const target = Math.max(0, executed - n);
      executed = 0;
      cursor = -1;
      while (executed < target) runEvent();
      return stop('back');
    },
    continue: () => {
      while (executed < EVENTS) {
        const hit = runEvent();
        if (hit) {
          cursor = hit.index;
          return stop('breakpoint', `breakpoint at ${hit.layer}/${hit.probe}`);
        }
      }
      return stop('end');
    },
    next: () => {
      const nxt = all.find((r) => r.index > cursor && r.pkt === focus && focus > 0);
      if (!nxt) return stop('no-hop', `packet ${focus} has no further hop`);
      while (executed < nxt.ev) runEvent();
      cursor = nxt.index;
      return stop('next');
    },
    runUntil: (t: number) => {
      while (executed < EVENTS && (all.find((r) => r.ev === executed + 1)?.t ?? Infinity) <= t) runEvent();
      return stop('until');
    },
    restart: () => {
      executed = 0;
      cursor = -1;
      return stop('start');
    },
    command: (line: string) => {
      log.commands.push(line);
      const [cmd, arg] = line.split(/\s+/);
      if (cmd === 'path' && arg) {
        focus = Number(arg);
        return [`packet ${arg}: path`];
      }
      if (cmd === 'step') {
        step(1);
        return [`stepped to event ${executed}`];
      }
      if (cmd === 'where') return [`at event ${executed}`];
      throw new Error(`unknown command "${cmd}"`);
    },
    addBreakpoint: (spec: string) => {
      const m = /^probe (\w+)\/([\w-]+)$/.exec(spec);
      if (!m) return { error: `error: bad breakpoint "${spec}"` };
      const b = { id: nextBp++, text: `probe ${m[1]}/${m[2]}`, layer: m[1]!, probe: m[2]! };
      bps.push(b);
      return { id: b.id, text: b.text };
    },
    deleteBreakpoint: (id: number) => {
      const i = bps.findIndex((b) => b.id === id);
      if (i >= 0) bps.splice(i, 1);
      return i >= 0;
    },
    breakpoints: () => bps.map((b) => ({ id: b.id, text: b.text })),
    records: (from: number, count: number) => so_far().slice(from, from + count),
    recordCount: () => so_far().length,
    path,
    packet: (pkt: number) => ({
      pkt,
      summary: `packet ${pkt}: ICMP echo-request`,
      layers: [
        { name: 'Ethernet II', fields: [['dst', '00:00:e8:0b:00:02']] },
        { name: 'IPv4', fields: [['src', '10.0.0.1'], ['dst', '10.0.0.2']] },
      ],
      hex: executed >= 4 ? ['0000  00 00 e8 0b 00 02  ......'] : [],
    }),
    focusPacket: () => focus,
    nic,
    interrupts: (node: string) => [`${node} 8259A master: IRR 00 ISR 00 IMR f8`],
    consoles: () => {
      const out: Record<string, string[]> = {};
      for (const r of so_far()) if (r.layer === 'console') (out[r.node] ??= []).push(String(r.fields['text']));
      return out;
    },
    counters: () => ({ links: { hub0: { frames: framesSoFar().length, bytes: framesSoFar().length * 98 } }, nics: { 'alpha.nic0': { 'link-tx-frames': framesSoFar().length, CNTR0: 0 }, 'beta.nic0': { 'link-tx-frames': 0, CNTR0: 0 } } }),
    frames: (link: string, filter?: string) => {
      if (filter === 'icmp and') return { error: 'error: bad filter at column 9: expected a primitive' };
      if (link !== 'hub0') return { error: `no link ${link}` };
      return filter && filter !== 'icmp' ? [] : framesSoFar();
    },
    pcap: () => new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]),
  };
}
