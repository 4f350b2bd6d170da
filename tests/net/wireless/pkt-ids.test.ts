/**
 * Issues 18 and 16 on the air: a ping between two simulated QNX nodes with RT2560s keeps one packet id from the
 * sender's socket through its TX ring, every air record, the receiver's RX ring and up its stack — in the clear
 * (docs/examples/wifi-ap-sta.yaml) and with WPA2 CCMP on the chips' cipher engines (docs/examples/wifi-wpa2.yaml
 * without its Linux guest). The debugger's `path` of that packet crosses the air (emulator/app/debug/path.ts) and a
 * pcapng capture of the link (`--capture air0`, docs/capture.md) gives the frames `pkt N` comments that tshark
 * shows in frame.comment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Capture } from '../../../emulator/app/capture/capture';
import { resolveTaps } from '../../../emulator/app/capture/taps';
import { runScenarioChecked } from '../../../emulator/app/testing/api';
import { parseScenario } from '../../../emulator/app/scenario/load';
import { DebugSession } from '../../../emulator/app/debug/session';
import { DebugRepl } from '../../../emulator/app/debug/commands';
import { formatPath, pathOf } from '../../../emulator/app/debug/path';
import { BT_EPB, OPT_COMMENT, readBlocks, readEpb } from '../../../emulator/machine/net/pcapng';
import type { TraceRecord } from '../../../emulator/machine/sim/trace';
import { example, REPO, tmpdir } from '../../system/helpers';
import { sharedRun } from '../../helpers/shared-run';

jest.setTimeout(300_000);

/** The first ping of wifi-ap-sta.yaml leaves the station at 5.5 s; its reply is back well before 6 s. */
const UNTIL = 6_000_000_000;

type Rec = TraceRecord;
const parse = (lines: string[]): Rec[] => lines.map((l) => JSON.parse(l) as Rec);
const where = (r: Rec): string => `${r.node || String(r.f?.['link'])} ${r.layer}/${r.probe}${r.layer === 'air' ? `@${String(r.f?.['radio'])}` : ''}`;

/** `expected` occur in this order among the records' `where` strings (others may lie between). */
function expectInOrder(got: string[], expected: string[]): void {
  let at = -1;
  for (const e of expected) {
    const i = got.indexOf(e, at + 1);
    expect({ hop: e, found: i > at }).toEqual({ hop: e, found: true });
    at = i;
  }
}

/** The first echo request `from` sends to `dst` (its ip/output record) and the reply to it (icmp/echo-reply-out). */
function firstPing(recs: Rec[], from: string, dst: string): { req: number; rep: number } {
  const out = recs.find((r) => r.node === from && r.layer === 'ip' && r.probe === 'output' && r.f?.['dst'] === dst && r.f?.['proto'] === 1)!;
  const reply = recs.find((r) => r.layer === 'icmp' && r.probe === 'echo-reply-out' && r.f?.['reqPkt'] === out.pkt)!;
  return { req: out.pkt, rep: reply.pkt };
}

describe('a ping over wifi-ap-sta.yaml keeps its packet id across the air', () => {
  const ping = sharedRun(() => {
    const s = example('wifi-ap-sta.yaml');
    const chunks: Uint8Array[] = [];
    const cap = new Capture({ taps: resolveTaps(['air0'], s), filter: null }, (b) => chunks.push(b));
    const { run } = runScenarioChecked({ ...s, until: UNTIL }, { keepTrace: true, onNetwork: (n, sim) => cap.attach(n, sim.queue) });
    const recs = parse(run.trace);
    const { req, rep } = firstPing(recs, 'sta', '10.0.2.1');
    return { chunks, recs, req, rep };
  });

  test('the echo request: socket and ip on the station, its RT2560, the air, the AP’s RT2560, driver, ip and icmp', () => {
    const { recs, req } = ping();
    expect(req).toBeGreaterThan(0);
    const hops = recs.filter((r) => r.pkt === req).map(where);
    expectInOrder(hops, [
      'sta socket/send', 'sta ip/output', 'sta ieee80211/encap', 'sta driver/tx', 'sta nic/tx-start',
      'air0 air/tx-start@sta.nic0', 'air0 air/rx-end@ap.nic0', 'ap nic/rx-accept', 'ap driver/rx', 'ap ifnet/input',
      'ap ip/input', 'ap icmp/echo-request-in',
    ]);
    // The sender's chip: the ACK for it came back and the descriptor completed (records about this packet).
    expectInOrder(hops, ['sta nic/tx-start', 'sta nic/ack-received', 'sta nic/tx-done', 'sta driver/tx-done']);
  });

  test('the echo reply comes back the same way under its own id, to the station’s socket', () => {
    const { recs, req, rep } = ping();
    expect(rep).toBeGreaterThan(req);
    expectInOrder(recs.filter((r) => r.pkt === rep).map(where), [
      'ap icmp/echo-reply-out', 'ap ip/output', 'ap driver/tx', 'ap nic/tx-start', 'air0 air/tx-start@ap.nic0',
      'air0 air/rx-end@sta.nic0', 'sta nic/rx-accept', 'sta driver/rx', 'sta ip/input', 'sta icmp/echo-reply-in', 'sta socket/deliver',
    ]);
  });

  test('every data frame the QNX nodes send is on the air under an id; only the chips’ own ACKs are 0', () => {
    const { recs } = ping();
    const air = recs.filter((r) => r.layer === 'air' && r.probe === 'tx-start');
    const zero = air.filter((r) => r.pkt === 0);
    expect(air.length - zero.length).toBeGreaterThan(50);
    // Unlabelled: the ACKs the auto-responders send (10 bytes), nothing else.
    expect(zero.map((r) => r.f?.['len'])).toEqual(zero.map(() => 10));
    // And every nic/tx-start has the id of the air/tx-start that follows it at the same instant.
    const nicTx = recs.filter((r) => r.layer === 'nic' && r.probe === 'tx-start');
    for (const n of nicTx) {
      const a = air.find((r) => r.t === n.t && r.f?.['radio'] === n.f?.['nic'])!;
      expect([n.f?.['nic'], a.pkt]).toEqual([n.f?.['nic'], n.pkt]);
    }
  });

  test('the pcapng capture of air0 carries `pkt N` comments: the ids of the air records, read back by tshark', () => {
    const { chunks, recs, req, rep } = ping();
    const bytes = Buffer.concat(chunks);
    const epb = readBlocks(bytes).blocks.filter((b) => b.type === BT_EPB).map((b) => readEpb(b).options.filter((o) => o.code === OPT_COMMENT).map((o) => new TextDecoder().decode(o.value as Uint8Array)).join(','));
    const air = recs.filter((r) => r.layer === 'air' && r.probe === 'tx-start');
    expect(epb).toEqual(air.map((r) => (r.pkt > 0 ? `pkt ${r.pkt},from ${String(r.f?.['radio'])}` : `from ${String(r.f?.['radio'])}`)));
    expect(epb).toContain(`pkt ${req},from sta.nic0`);
    expect(epb).toContain(`pkt ${rep},from ap.nic0`);
    const file = path.join(tmpdir('pkt-ids'), 'air0.pcapng');
    fs.writeFileSync(file, bytes);
    const t = spawnSync('/usr/bin/tshark', ['-r', file, '-Y', 'icmp', '-T', 'fields', '-e', 'frame.comment', '-e', 'icmp.type'], { encoding: 'utf8' });
    expect(t.status).toBe(0);
    const rows = t.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.slice(0, 2)).toEqual([[`pkt ${req},from sta.nic0`, '8'], [`pkt ${rep},from ap.nic0`, '0']]);
  });
});

describe('the debugger’s path of a ping over the air', () => {
  test('path crosses the air: sta -> air0 -> ap, with the air hops between the two RT2560s', () => {
    const s = new DebugSession(example('wifi-ap-sta.yaml'), { until: UNTIL });
    const repl = new DebugRepl(s);
    repl.execute('break probe ip/output if icmp echo-request and dst host 10.0.2.1');
    repl.execute('continue');
    const c = s.cursorRecord!;
    expect(c).toMatchObject({ node: 'sta', layer: 'ip', probe: 'output' });
    const p = pathOf(s, s.currentPkt);
    const hops = p.hops.map((h) => `${h.device} ${h.rec.layer}/${h.rec.probe}`);
    expectInOrder(hops, ['sta ip/output', 'sta nic/tx-start', 'air0 air/tx-start', 'air0 air/rx-end', 'ap nic/rx-accept', 'ap ip/input', 'ap icmp/echo-request-in']);
    const text = formatPath(s, p);
    expect(text[1]).toMatch(/^path: \d+ hops through sta -> air0 -> ap, /);
  });
});

describe('WPA2 with CCMP on the RT2560 engines (wifi-wpa2.yaml without its guest)', () => {
  const ping = sharedRun(() => {
    const dir = path.join(REPO, 'docs/examples');
    const text = fs.readFileSync(path.join(dir, 'wifi-wpa2.yaml'), 'utf8');
    // The two QNX nodes and the link; the first station ping at 8.5 s; no expectations (they name the guest).
    const nodes = text.slice(text.indexOf('nodes:'), text.indexOf('  linux1:'));
    const scenario = parseScenario(`name: wpa2-pkt\nseed: 1\nuntil: 9s\n${nodes}links:\n  air0: { type: wireless, channel: 6 }\nactions:\n  - { at: 8500ms, node: sta, command: "ping -c 1 10.0.2.1" }\n`, 'wpa2-pkt.yaml', dir);
    const { run } = runScenarioChecked(scenario, { keepTrace: true });
    const recs = parse(run.trace);
    const { req, rep } = firstPing(recs, 'sta', '10.0.2.1');
    return { recs, req, rep };
  });

  test('the request: plaintext to the engine, ciphertext on the air, decrypted at the AP, all one id', () => {
    const { recs, req } = ping();
    expect(req).toBeGreaterThan(0);
    expectInOrder(recs.filter((r) => r.pkt === req).map(where), [
      'sta socket/send', 'sta ip/output', 'sta ieee80211/ccmp-encap', 'sta nic/cipher-encrypt', 'sta driver/tx', 'sta nic/tx-start',
      'air0 air/tx-start@sta.nic0', 'air0 air/rx-end@ap.nic0', 'ap nic/rx-accept', 'ap driver/rx', 'ap nic/cipher-decrypt',
      'ap ifnet/input', 'ap ip/input', 'ap icmp/echo-request-in',
    ]);
    // On the air the frame is protected (the Protected bit of a 132-byte MPDU: 116 + CCMP header and MIC).
    const onAir = recs.find((r) => r.pkt === req && r.layer === 'air' && r.probe === 'tx-start')!;
    expect(onAir.f?.['len']).toBe(recs.find((r) => r.pkt === req && r.probe === 'encap')!.f!['len'] as number + 16);
  });

  test('the reply back to the station’s socket under its own id', () => {
    const { recs, rep } = ping();
    expectInOrder(recs.filter((r) => r.pkt === rep).map(where), [
      'ap icmp/echo-reply-out', 'ap nic/cipher-encrypt', 'ap nic/tx-start', 'air0 air/tx-start@ap.nic0', 'air0 air/rx-end@sta.nic0',
      'sta nic/rx-accept', 'sta nic/cipher-decrypt', 'sta ip/input', 'sta icmp/echo-reply-in', 'sta socket/deliver',
    ]);
  });

  test('the 4-way handshake’s EAPOL frames: the sender’s write, the air, the peer’s BPF read, one id each', () => {
    const { recs } = ping();
    // hostapd and wpa_supplicant write EAPOL-Key frames on a BPF descriptor (app/send) and read them from one
    // (bpf/capture, dir in) before the first ping: messages 1 to 4.
    const writes = recs.filter((r) => r.layer === 'app' && r.probe === 'send' && r.t < 8_000_000_000 && (r.node === 'ap' || r.node === 'sta'));
    expect(writes.length).toBeGreaterThanOrEqual(4);
    for (const w of writes.slice(0, 4)) {
      const peer = w.node === 'ap' ? 'sta' : 'ap';
      const hops = recs.filter((r) => r.pkt === w.pkt).map(where);
      expect(w.pkt).toBeGreaterThan(0);
      expectInOrder(hops, [
        `${w.node} app/send`, `${w.node} driver/tx`, `${w.node} nic/tx-start`, `air0 air/tx-start@${w.node}.nic0`,
        `air0 air/rx-end@${peer}.nic0`, `${peer} nic/rx-accept`, `${peer} driver/rx`, `${peer} bpf/capture`,
      ]);
    }
  });
});
