/**
 * The page's session (emulator/app/web-page/core/session.ts) against the CLI and the REPL: a bundle made by
 * bundleScenario opens with the trace-hash `qnxemu run` prints, and step/back/next/path/packet/nic/interrupts/
 * consoles/frames/pcap answer what `qnxemu debug`'s interpreter shows for the same state; per-NIC counters
 * equal what `qnxemu run`'s pcap and trace records say.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleScenario, checkBundle, BundleError } from '../../emulator/app/web-page/core/bundle';
import { openSession, scenarioOf } from '../../emulator/app/web-page/core/session';
import type { WebSessionApi } from '../../emulator/app/web-page/core/api';
import { DebugSession } from '../../emulator/app/debug/session';
import { DebugRepl } from '../../emulator/app/debug/commands';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { pcapExtent } from '../../emulator/machine/net/pcap';

function cliHash(file: string): string {
  const out = execFileSync('node', ['dist/qnxemu.js', 'run', file], { encoding: 'utf8' });
  const m = /^trace-hash ([0-9a-f]{64})$/m.exec(out);
  if (!m) throw new Error(`no trace-hash in: ${out}`);
  return m[1]!;
}

describe('trace-hash equals `qnxemu run`', () => {
  // pf-firewall.yaml is not here: its udpsink needs `qnxemu run`'s end-of-run work, which the debugger's run (REPL and page alike) does not do.
  for (const f of ['docs/examples/ping.yaml', 'docs/examples/files.yaml', 'docs/examples/qnet.yaml']) {
    test(f, async () => {
      const s = await openSession(bundleScenario(f));
      expect(s.info().traceHash).toBe(cliHash(f));
    });
  }
  test('another seed: the bundle carries it, and the hash follows it', async () => {
    const s = await openSession(bundleScenario('docs/examples/ping.yaml', { seed: 7 }));
    expect(s.info().seed).toBe(7);
    const out = execFileSync('node', ['dist/qnxemu.js', 'run', 'docs/examples/ping.yaml', '--seed', '7'], { encoding: 'utf8' });
    expect(out).toContain(`trace-hash ${s.info().traceHash}`);
  });
});

describe('the session answers what the REPL shows', () => {
  let web: WebSessionApi;
  let repl: DebugRepl;
  beforeAll(async () => {
    web = await openSession(bundleScenario('docs/examples/ping.yaml'));
    repl = new DebugRepl(new DebugSession(loadScenarioFile('docs/examples/ping.yaml')));
  });

  test('power-on', () => {
    const c = web.current();
    expect(c.executed).toBe(0);
    expect(c.cursor).toBeNull();
    expect(web.info().scenario).toBe('ping');
    expect(web.topology().links.map((l) => l.name)).toEqual(['hub0']);
    expect(web.topology().nodes.map((n) => n.nics[0]!.name)).toEqual(['alpha.nic0', 'beta.nic0']);
  });

  test('a breakpoint in REPL syntax, continue: the same stop as the REPL', () => {
    const spec = 'probe nic/rx-accept on beta if icmp echo-request';
    const bp = web.addBreakpoint(spec);
    expect(bp).toEqual({ id: 1, text: expect.stringContaining('breakpoint 1: probe nic/rx-accept on beta') });
    expect(repl.execute(`break ${spec}`)[0]).toBe('breakpoint 1: ' + spec);
    const stop = web.continue();
    const lines = repl.execute('continue');
    expect(stop.lines).toEqual(lines);
    expect(stop.reason).toBe('breakpoint');
    expect(stop.cursor?.layer).toBe('nic');
    expect(stop.cursor?.probe).toBe('rx-accept');
    expect(stop.cursor?.node).toBe('beta');
    expect(web.records(stop.cursor!.index, 1)[0]!.text).toBe(stop.cursor!.text);
    expect(web.breakpoints()).toEqual([{ id: 1, text: spec }]);
  });

  test('path: the hops of `path`, in order, with the cursor', () => {
    const pkt = web.focusPacket();
    expect(pkt).toBeGreaterThan(0);
    const p = web.path(pkt);
    const printed = repl.execute('path');
    expect(printed[0]).toBe(`packet ${pkt}: ${p.summary}`);
    expect(printed[1]).toContain(`path: ${p.hops.length} hops`);
    expect(p.hops.map((h) => h.n)).toEqual(p.hops.map((_, i) => i + 1));
    // Each table row names the hop's number, device, layer and probe.
    p.hops.forEach((h, i) => expect(printed[3 + i]).toMatch(new RegExp(`^.{0,4}\\s*${h.n}\\s.*\\b${h.device}\\s+${h.layer}\\s+\\S+\\s+${h.probe}\\b`)));
    expect(p.hops.filter((h) => h.state === 'cursor')).toHaveLength(1);
    expect(p.hops.at(-1)!.total).toBe(p.hops.at(-1)!.t - p.hops[0]!.t);
    expect(p.lanes[0]).toBe('alpha/app');
    // A hop that has happened points at the session's record; one still to come has no index yet.
    for (const h of p.hops) {
      if (h.state === 'future') expect(h.record.index).toBe(-1);
      else expect(web.records(h.record.index, 1)[0]).toEqual(h.record);
    }
    expect(p.hops.some((h) => h.state === 'future')).toBe(true);
    expect(p.complete).toBe(true);
  });

  test('packet: the decoded layers and the hex dump of `show packet`', () => {
    const pkt = web.focusPacket();
    const v = web.packet(pkt);
    const shown = repl.execute(`show packet ${pkt}`);
    expect(shown[0]).toBe(`packet ${pkt}: ${v.summary}`);
    expect(v.layers.map((l) => l.name)).toEqual(['Ethernet II', 'IPv4', 'ICMP']);
    expect(v.layers[1]!.fields).toEqual(expect.arrayContaining([['source', '10.0.0.1'], ['destination', '10.0.0.2'], ['protocol', '1 (ICMP)']]));
    expect(v.layers[2]!.fields[0]).toEqual(['type', '8 (echo-request)']);
    expect(shown.slice(-v.hex.length)).toEqual(v.hex.map((l) => `  ${l}`));
  });

  test('nic, interrupts: the model inspect() and `show pic` of this state', () => {
    const n = web.nic('beta.nic0');
    expect(n.model).toBe('rtl8029');
    expect(n.mac).toBe('00:00:e8:0b:00:02');
    const shown = repl.execute('show nic beta.nic0');
    for (const g of n.inspection.registers) expect(shown).toContain(`  ${g.group}:`);
    expect(shown[0]).toContain(n.inspection.summary);
    expect(web.interrupts('beta')).toEqual(repl.execute('show pic beta'));
    expect(() => web.nic('gamma.nic0')).toThrow(/gamma/);
  });

  test('next and step follow the REPL', () => {
    expect(web.next().lines).toEqual(repl.execute('next'));
    expect(web.step(3).lines).toEqual(repl.execute('step 3'));
  });

  test('back: the same state as the REPL after `back`', () => {
    const before = web.current().executed;
    const b = web.back(2);
    expect(b.lines).toEqual(repl.execute('back 2'));
    expect(b.executed).toBe(before - 2);
    expect(web.path(web.focusPacket()).hops.some((h) => h.state === 'future')).toBe(true);
  });

  test('consoles, frames, counters and pcap of the run so far', () => {
    const end = web.continue();
    expect(web.deleteBreakpoint(1)).toBe(true);
    expect(web.deleteBreakpoint(1)).toBe(false);
    const done = web.continue();
    expect(done.reason).toBe('end');
    expect(end.executed).toBeLessThan(done.executed);
    const con = web.consoles();
    expect(con['alpha']!.join('\n')).toMatch(/packet loss/);
    expect(Object.keys(con)).toEqual(['alpha', 'beta']);
    const frames = web.frames('hub0');
    if ('error' in frames) throw new Error(frames.error);
    const requests = web.frames('hub0', 'icmp echo-request');
    if ('error' in requests) throw new Error(requests.error);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((f) => f.summary.includes('echo-request'))).toBe(true);
    expect(frames.length).toBeGreaterThan(requests.length);
    const bad = web.frames('hub0', 'icmp and');
    expect(bad).toEqual({ error: expect.stringMatching(/^bad filter at column 9/) });
    expect(web.frames('nolink')).toEqual({ error: expect.stringContaining("no link 'nolink'") });
    const c = web.counters();
    expect(c.links['hub0']).toEqual({ frames: frames.length, bytes: frames.reduce((a, f) => a + f.len, 0) });
    expect(c.nics['alpha.nic0']!['link-tx-frames']! + c.nics['beta.nic0']!['link-tx-frames']!).toBe(frames.length);
    // Two ports on a hub: every frame one sends, the other receives.
    expect(c.nics['alpha.nic0']!['link-rx-frames']! + c.nics['beta.nic0']!['link-rx-frames']!).toBe(frames.length);
    const pcap = web.pcap();
    expect(pcapExtent(pcap)).toEqual({ records: frames.length, whole: pcap.length, partial: 0 });
    expect(Buffer.from(web.pcap('hub0')).equals(Buffer.from(pcap))).toBe(true);
  });

  test('a command through the REPL interpreter moves the page too', () => {
    const out = web.command('restart');
    expect(out).toEqual(['restarted: the run is at its beginning']);
    expect(web.current().executed).toBe(0);
    expect(web.command('nonsense')).toEqual(["error: unknown command 'nonsense' (help lists commands)"]);
    expect(web.addBreakpoint('probe nosuch')).toEqual({ error: expect.any(String) });
  });
});

/** The records of a `qnxemu run --trace` file (JSON lines). */
function traceRecords(file: string): { layer: string; probe: string; f?: Record<string, unknown> }[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** The frames of a pcap (after the global header, each record's header gives its captured length). */
function pcapFrames(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const len = b.readUInt32LE(o + 8);
    out.push(b.subarray(o + 16, o + 16 + len));
    o += 16 + len;
  }
  return out;
}

describe('captures equal `qnxemu run --pcap`', () => {
  const run = (file: string, extra: string[]): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webcore-pcap-'));
    // Exit status 1 when expectations fail (a shortened run): the captures are written all the same.
    const args = extra.map((a) => (a === 'trace.jsonl' ? path.join(dir, a) : a));
    const r = spawnSync('node', ['dist/qnxemu.js', 'run', file, '--pcap', dir, ...args], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^pcap /m);
    return dir;
  };
  test('ping.yaml: hub0, byte for byte; per-NIC tx/rx as the pcap and the records of `qnxemu run` say', async () => {
    const s = await openSession(bundleScenario('docs/examples/ping.yaml'));
    s.continue();
    const dir = run('docs/examples/ping.yaml', ['--trace', 'trace.jsonl']);
    const pcap = fs.readFileSync(path.join(dir, 'hub0.pcap'));
    expect(Buffer.from(s.pcap('hub0')).equals(pcap)).toBe(true);
    // tx: the frames of the pcap with alpha's source address; rx: the hub's `wire deliver` records to its port.
    const alphaMac = Buffer.from([0x00, 0x00, 0xe8, 0x0a, 0x00, 0x01]);
    const sources = pcapFrames(pcap).map((f) => f.subarray(6, 12));
    const recs = traceRecords(path.join(dir, 'trace.jsonl'));
    const delivered = (to: string): number => recs.filter((r) => r.layer === 'wire' && r.probe === 'deliver' && r.f?.['to'] === to).length;
    const c = s.counters().nics;
    expect(c['alpha.nic0']!['link-tx-frames']).toBe(sources.filter((m) => m.equals(alphaMac)).length);
    expect(c['alpha.nic0']!['link-rx-frames']).toBe(delivered('alpha.nic0'));
    expect(c['beta.nic0']!['link-rx-frames']).toBe(delivered('beta.nic0'));
    // A hub hands every frame to the other port: each side received what the other sent.
    expect(c['alpha.nic0']!['link-rx-frames']).toBe(c['beta.nic0']!['link-tx-frames']);
    expect(c['alpha.nic0']!['link-tx-frames']).toBeGreaterThan(0);
  });
  test('wifi-ap-sta.yaml to 2 s: the air as radiotap, byte for byte; frames and counters agree', async () => {
    const s = await openSession(bundleScenario('docs/examples/wifi-ap-sta.yaml', { until: 2_000_000_000 }));
    s.continue();
    const dir = run('docs/examples/wifi-ap-sta.yaml', ['--until', '2s', '--trace', 'trace.jsonl']);
    const pcap = s.pcap('air0');
    expect(new DataView(pcap.buffer, pcap.byteOffset).getUint32(20, true)).toBe(127); // LINKTYPE_IEEE802_11_RADIOTAP
    expect(Buffer.from(pcap).equals(fs.readFileSync(path.join(dir, 'air0.pcap')))).toBe(true);
    const frames = s.frames('air0');
    if ('error' in frames) throw new Error(frames.error);
    expect(frames.length).toBeGreaterThan(0);
    expect(pcapExtent(pcap)!.records).toBe(frames.length);
    expect(s.counters().links['air0']!.frames).toBe(frames.length);
    expect(frames.every((f) => f.summary.startsWith('802.11, '))).toBe(true);
    // Every PPDU is attributed to the radio that sent it (the AP beacons), as the run's `air tx-start` records
    // say; rx: the PPDUs each radio decoded intact (`air rx-end ok`).
    const c = s.counters();
    const recs = traceRecords(path.join(dir, 'trace.jsonl')).filter((r) => r.layer === 'air');
    const sent = (radio: string): number => recs.filter((r) => r.probe === 'tx-start' && r.f?.['radio'] === radio).length;
    const received = (radio: string): number => recs.filter((r) => r.probe === 'rx-end' && r.f?.['ok'] === true && r.f?.['radio'] === radio).length;
    expect(c.nics['ap.nic0']!['link-tx-frames']).toBeGreaterThan(0);
    expect(c.nics['ap.nic0']!['link-tx-frames']).toBe(sent('ap.nic0'));
    expect(c.nics['sta.nic0']!['link-tx-frames']).toBe(sent('sta.nic0'));
    expect(c.nics['ap.nic0']!['link-rx-frames']).toBe(received('ap.nic0'));
    expect(c.nics['sta.nic0']!['link-rx-frames']).toBe(received('sta.nic0'));
    expect(c.nics['sta.nic0']!['link-rx-frames']).toBeGreaterThan(0);
    expect(c.nics['ap.nic0']!['link-tx-frames']! + c.nics['sta.nic0']!['link-tx-frames']!).toBe(frames.length);
  });
});

describe('bundles', () => {
  test('until: the bundle\'s run end replaces the scenario\'s', async () => {
    const s = await openSession(bundleScenario('docs/examples/ping.yaml', { until: 1_200_000_000 }));
    expect(s.info().until).toBe(1_200_000_000);
    const end = s.continue();
    expect(end.reason).toBe('end');
    expect(end.now).toBeLessThanOrEqual(1_200_000_000);
    expect(end.lines.at(-1)).toBe('end of the run: no event left before the time limit 1.200000000');
    expect(end.console.map((r) => r.fields['text'])).toEqual(['PING 10.0.0.2 (10.0.0.2): 56 data bytes', expect.stringMatching(/^64 bytes from 10\.0\.0\.2: icmp_seq=0/)]);
  });

  test('a failure bundle opens stopped at the failure time', async () => {
    const b = { ...bundleScenario('docs/examples/ping.yaml'), failure: { t: 1_500_000_000, expectation: 'x', message: 'y' } };
    const s = await openSession(checkBundle(JSON.parse(JSON.stringify(b))));
    expect(s.current().reason).toBe('until');
    expect(s.current().now).toBeLessThanOrEqual(1_500_000_000);
    expect(s.current().executed).toBeGreaterThan(0);
    expect(s.info().failure).toEqual(b.failure);
  });

  test('files the loader reads are in the bundle, relative to the scenario', () => {
    expect(Object.keys(bundleScenario('docs/examples/files.yaml').files)).toEqual(['files/alpha.build']);
    const pf = bundleScenario('docs/examples/pf-firewall.yaml');
    expect(Object.keys(pf.files).sort()).toEqual(expect.arrayContaining(['pf-firewall/fw.build']));
    expect(scenarioOf(pf).nodes.map((n) => n.name)).toEqual(loadScenarioFile('docs/examples/pf-firewall.yaml').nodes.map((n) => n.name));
  });

  test('checkBundle: one line naming the field', () => {
    const b = bundleScenario('docs/examples/ping.yaml');
    expect(checkBundle(JSON.parse(JSON.stringify(b)))).toEqual(b);
    expect(() => checkBundle({ ...b, format: 2 })).toThrow(new BundleError('format: must be 1 (the bundle format this build reads)'));
    expect(() => checkBundle({ ...b, files: { 'a.build': 'not base64!' } })).toThrow(/^files\.a\.build: must match pattern/);
    expect(() => checkBundle({ ...b, extra: 1 })).toThrow("bundle: unknown field 'extra'");
    expect(() => checkBundle({ ...b, seed: -1 })).toThrow(/^seed: must be >= 0$/);
    expect(() => checkBundle(null)).toThrow(/^bundle: must be object$/);
  });

  test('a file missing from the bundle is one clear error', async () => {
    const b = bundleScenario('docs/examples/files.yaml');
    await expect(openSession({ ...b, files: {} })).rejects.toThrow(/cannot read buildfile \/bundle\/files\/alpha\.build: .*not in the scenario bundle/);
  });

  test('guest nodes: the instances come from OpenOptions.guests (the page: the served image), and its failure is the error', async () => {
    const guest = bundleScenario('docs/examples/guest-ne2k-pci.yaml');
    const asked: string[] = [];
    const guests = async (sc: { nodes: { name: string }[] }) => {
      asked.push(...sc.nodes.map((n) => n.name));
      throw new Error('cannot load ./guest/bzImage (HTTP 404)');
    };
    await expect(openSession(guest, { guests })).rejects.toThrow(/^cannot load \.\/guest\/bzImage \(HTTP 404\)$/);
    expect(asked).toEqual(['alpha', 'linux1']);
    // A scenario without guests never asks.
    await openSession(bundleScenario('docs/examples/ping.yaml', { until: 1_000_000 }), { guests });
    expect(asked).toEqual(['alpha', 'linux1']);
  });
});
