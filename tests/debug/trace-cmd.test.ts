import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runScenario } from '../../emulator/app/assembly/run';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { parseTrace, selectRecords, TraceFileError } from '../../emulator/app/debug/trace-file';
import { parseFilter } from '../../emulator/app/debug/filter';
import { REPO, qnxemu, tmpdir } from './cli-helpers';

const dir = tmpdir('trace');
const file = path.join(dir, 'ping.jsonl');
runScenario(loadScenarioFile(path.join(REPO, 'docs/examples/ping.yaml')), { traceFile: file });
const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
const recs: TraceRecord[] = lines.map((l) => JSON.parse(l) as TraceRecord);

/** Packet ids that the stack's own records say are ICMP / ARP. */
const icmpPkts = new Set(recs.filter((r) => r.layer === 'icmp' || (r.layer === 'ip' && r.f?.['proto'] === 1)).map((r) => r.pkt));
const arpPkts = new Set(recs.filter((r) => r.layer === 'arp' && (r.probe === 'request' || r.probe === 'reply')).map((r) => r.pkt));

function json(args: string[]): TraceRecord[] {
  const r = qnxemu(['trace', file, '--format', 'json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TraceRecord);
}

describe('qnxemu trace', () => {
  test('without criteria it prints every record; json output is the records as written', () => {
    const r = qnxemu(['trace', file, '--format', 'json']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(lines);
  });

  test('--filter selects the records of matching packets, from what the records say', () => {
    expect(icmpPkts.size).toBe(4); // two echo requests, two replies
    const icmp = json(['--filter', 'icmp and host 10.0.0.2']);
    expect(new Set(icmp.map((r) => r.pkt))).toEqual(icmpPkts);
    expect(icmp).toEqual(recs.filter((r) => icmpPkts.has(r.pkt)));
    // Every hop of those packets is there, app/send to the other node's ICMP included.
    expect(icmp.filter((r) => r.probe === 'tx-start' && r.layer === 'nic').length).toBe(4);
    expect(icmp.some((r) => r.layer === 'app' && r.probe === 'send')).toBe(true);

    const requests = json(['--filter', 'icmp echo-request']);
    expect(new Set(requests.map((r) => r.pkt)).size).toBe(2);
    expect(requests.every((r) => recs.some((x) => x.pkt === r.pkt && x.probe === 'echo-request-in'))).toBe(true);

    expect(new Set(json(['--filter', 'arp']).map((r) => r.pkt))).toEqual(arpPkts);
    expect(json(['--filter', 'not arp and not icmp'])).toEqual([]);
    expect(json(['--filter', 'udp'])).toEqual([]);
  });

  test('--node, --layer (layer or layer/probe), --pkt, --from/--to', () => {
    expect(json(['--node', 'beta', '--layer', 'nic'])).toEqual(recs.filter((r) => r.node === 'beta' && r.layer === 'nic'));
    expect(json(['--layer', 'nic/rx-accept,wire/deliver'])).toEqual(recs.filter((r) => ['nic/rx-accept', 'wire/deliver'].includes(`${r.layer}/${r.probe}`)));
    expect(json(['--node', '-'])).toEqual(recs.filter((r) => r.node === ''));
    const pkt = [...icmpPkts][0]!;
    expect(json(['--pkt', String(pkt)])).toEqual(lines.filter((l) => l.includes(`"pkt":${pkt},`)).map((l) => JSON.parse(l)));
    const window = json(['--from', '1.1s', '--to', '1107900000']);
    expect(window.length).toBeGreaterThan(10);
    expect(window).toEqual(recs.filter((r) => r.t >= 1_100_000_000 && r.t <= 1_107_900_000));
    expect(json(['--from', '1.107816519', '--to', '1.107816519'])).toEqual(recs.filter((r) => r.t === 1_107_816_519));
  });

  test('text format: time, node, layer/probe, packet, fields', () => {
    const r = qnxemu(['trace', file, '--layer', 'nic/tx-start', '--node', 'alpha']);
    expect(r.status).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out.length).toBe(recs.filter((x) => x.node === 'alpha' && x.layer === 'nic' && x.probe === 'tx-start').length);
    expect(out[0]).toMatch(/^ +0\.\d{9} {2}alpha {2}nic\/tx-start +pkt \d+ +nic=alpha\.nic0 page=\d+ len=\d+$/);
  });

  test('errors: a bad filter names the column; a malformed trace names the line', () => {
    const bad = qnxemu(['trace', file, '--filter', 'icmp and hots 1.2.3.4']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("qnxemu: --filter: bad filter at column 10: unknown primitive 'hots' (expected icmp, icmp6, arp, udp, tcp, ip, ip6, ether, host, src, dst, port, pkt, len, …)\n  icmp and hots 1.2.3.4\n           ^\n");
    const broken = path.join(dir, 'broken.jsonl');
    fs.writeFileSync(broken, `${lines[0]}\n${lines[1]}\n{"t":1,"node":\n`);
    const b = qnxemu(['trace', broken]);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(new RegExp(`^qnxemu: ${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: not JSON`));
    expect(qnxemu(['trace', path.join(dir, 'none.jsonl')]).stderr).toMatch(/^qnxemu: .*cannot read trace/);
  });

  test('the library: parseTrace checks records, selectRecords combines criteria', () => {
    expect(() => parseTrace('{"t":1}\n')).toThrow(TraceFileError);
    expect(() => parseTrace('{"t":1,"node":"a","layer":"x","probe":"y","pkt":0,"f":[1]}')).toThrow(/line 1: field f must be an object/);
    const parsed = parseTrace(lines.join('\n') + '\n');
    const sel = selectRecords(parsed, { filter: parseFilter('icmp echo-reply'), nodes: ['alpha'], layers: ['app'] });
    expect(sel.map((l) => `${l.rec.layer}/${l.rec.probe}`)).toEqual(['app/recv', 'app/recv']);
  });
});
