/**
 * `drops` on the other chips (docs/drops.md "Other chips"): a BCM5701 and an RT2560 whose io-pkt receive thread is
 * starved by a priority-40 spin (tests/fixtures/drops/*-starved.yaml). The chips' own drops — the BCM5701's
 * receive mbuf pool full (ifInDiscards), the RT2560's RX ring without a free descriptor (CNT4) — are grouped with
 * the reason naming the thread, its priority, the blocker and the lateness, each computed here from the kernel's
 * records; the counts equal the chip's counters, nicinfo and the receiver's udpsink. A node with two NICs names
 * the interface of each (bge1, not just beta.nic1).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runTimeline, type TimelineRun } from '../../emulator/app/testing/execute';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { dropsOfFile } from '../../emulator/app/debug/drops/file-drops';
import type { DropReport } from '../../emulator/app/debug/drops/analyze';
import { DebugSession } from '../../emulator/app/debug/session';
import { DebugRepl } from '../../emulator/app/debug/commands';
import { durationText, timeText } from '../../emulator/app/debug/records';
import { REPO, tmpdir } from './cli-helpers';

const dir = tmpdir('drops-chips');

interface Run {
  res: TimelineRun;
  recs: TraceRecord[];
  rep: DropReport;
  file: string;
}

function run(fixture: string): Run {
  const scenario = path.join(REPO, 'tests/fixtures/drops', `${fixture}.yaml`);
  const file = path.join(dir, `${fixture}.jsonl`);
  const res = runTimeline(loadScenarioFile(scenario), { traceFile: file });
  const recs = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceRecord);
  return { res, recs, rep: dropsOfFile(file).report, file };
}

/** The last console line of `node` matching `re` (group 1 as a number). */
function counter(r: Run, node: string, re: RegExp): number {
  const m = [...(r.res.consoles.get(node) ?? '').matchAll(new RegExp(re.source, 'gm'))].at(-1);
  if (!m) throw new Error(`${node}: no line matches ${re}`);
  return Number(m[1]);
}

/**
 * The reason a starved receive thread gives, from the records: the kernel's starved/ran-late pair (the thread,
 * its priority, the interrupt and its time, the lateness = ran-late − starved) and the spin's spawn record (the
 * blocker, pid and priority); the spin ran until the thread got the CPU back (its exit is the ran-late instant).
 */
function expectedStarvation(r: Run, node: string, irq: number): string {
  const starved = r.recs.filter((x) => x.node === node && x.layer === 'kernel' && x.probe === 'starved');
  const late = r.recs.filter((x) => x.node === node && x.layer === 'kernel' && x.probe === 'ran-late');
  expect(starved).toHaveLength(1);
  expect(late).toHaveLength(1);
  const s = starved[0]!;
  expect(s.f!['irq']).toBe(irq);
  const io = r.recs.find((x) => x.node === node && x.probe === 'spawn' && x.f?.['pid'] === s.f!['pid'])!;
  expect(io.f!['name']).toBe('io-pkt-v4-hc');
  const spin = r.recs.find((x) => x.node === node && x.probe === 'spawn' && x.f?.['name'] === 'spin')!;
  const exit = r.recs.find((x) => x.node === node && x.probe === 'exit' && x.f?.['pid'] === spin.f!['pid'])!;
  expect(spin.f!['prio']).toBe(40);
  expect(exit.t).toBe(late[0]!.t);
  expect(late[0]!.f!['latency']).toBe(late[0]!.t - s.t);
  return `io-pkt-v4-hc thread ${String(s.f!['tid'])} (prio 21), made ready by irq ${irq} at ${timeText(s.t)}, ran ${durationText(late[0]!.t - s.t)} late behind spin (pid ${String(spin.f!['pid'])} tid 1 prio 40) on CPU 0`;
}

/** The NIC's interrupt as nicinfo shows it ("Hardware Interrupt ... 0xb"). */
function irqOf(r: Run, node: string): number {
  const m = /Hardware Interrupt \.+ 0x([0-9a-f]+)/.exec(r.res.consoles.get(node) ?? '');
  return parseInt(m![1]!, 16);
}

const count = (r: Run, pred: (x: TraceRecord) => boolean): number => r.recs.filter(pred).length;

describe('drops of a starved io-pkt on a BCM5701 and an RT2560', () => {
  test('BCM5701 (two NICs): mbuf-pool-full drops = ifInDiscards, nicinfo, udpsink; the reason names the spin', () => {
    const r = run('bcm5701-starved');
    const g = r.rep.groups.find((x) => x.record === 'nic/rx-reject' && x.cause === 'mbuf-pool-full')!;
    expect(g.node).toBe('beta');
    // beta has two BCM5701s: the group names the interface its driver made of the second one.
    expect(g.resource).toBe('beta.nic1 (bge1)');
    expect(g.why).toBe(`beta.nic1 (bge1) RX mbuf pool full (no buffer) (${g.count} frames): ${expectedStarvation(r, 'beta', irqOf(r, 'beta'))}`);
    // The chip's drops: one record per discarded frame (ifInDiscards). nicinfo's "Packets Dropped on receive" is
    // ifInDiscards + nicNoMoreRxBDs (devnp-bge), the latter counting the times a frame found no standard BD.
    const rejects = count(r, (x) => x.node === 'beta' && x.probe === 'rx-reject' && x.f?.['reason'] === 'mbuf-pool-full');
    const noBd = count(r, (x) => x.node === 'beta' && x.probe === 'rx-wait' && x.f?.['reason'] === 'no-std-bd');
    expect(g.count).toBe(rejects);
    expect(g.count).toBeGreaterThan(100);
    expect(noBd).toBeGreaterThan(0);
    expect(counter(r, 'beta', /Packets Dropped on receive \.+ (\d+)/)).toBe(g.count + noBd);
    // Every datagram udpsink missed is one of the drops on its way (the chip, the socket buffer, ARP's hold).
    const missing = counter(r, 'beta', /(\d+) missing$/);
    const onTheWay = r.rep.groups.filter((x) => x.pkts.length > 0 && (x.resource.startsWith('beta') || x.record === 'arp/hold-drop') && x.first > 3.5e9);
    expect(onTheWay.reduce((n, x) => n + x.count, 0)).toBe(missing);
    // The frames were lost while the thread was kept off the CPU.
    const s = r.recs.find((x) => x.probe === 'starved')!;
    const late = r.recs.find((x) => x.probe === 'ran-late')!;
    expect(g.first).toBeGreaterThan(s.t);
    expect(g.last).toBeLessThan(late.t);
    // The other NIC is named too (by elimination: two NICs, two interfaces), and no PAUSE frame is a drop.
    expect(r.rep.groups.find((x) => x.resource.startsWith('beta.nic0'))!.resource).toBe('beta.nic0 (bge0)');
    expect(r.rep.groups.some((x) => x.cause === 'mac-control')).toBe(false);
  });

  test('RT2560: no-descriptor drops = the chip\'s CNT4 (show nic) and udpsink\'s missing; the reason names the spin', () => {
    const r = run('rt2560-starved');
    const g = r.rep.groups.find((x) => x.record === 'nic/rx-drop' && x.cause === 'no-descriptor')!;
    expect(g.node).toBe('ap');
    expect(g.resource).toBe('ap.nic0 (ral0)');
    expect(g.why).toBe(`ap.nic0 (ral0) RX ring full (no free descriptor) (${g.count} frames): ${expectedStarvation(r, 'ap', irqOf(r, 'ap'))}`);
    expect(g.count).toBe(count(r, (x) => x.node === 'ap' && x.probe === 'rx-drop' && x.f?.['reason'] === 'no-descriptor'));
    expect(g.count).toBeGreaterThan(32);
    // The chip ACKed them (its auto-responder answers before the frame reaches the ring: nic-models/rt2560/dcf.ts
    // rxEnd), so the sender does not retry: they are lost.
    const missing = counter(r, 'ap', /(\d+) missing$/);
    const onTheWay = r.rep.groups.filter((x) => x.record === 'nic/rx-drop' || x.record === 'arp/hold-drop');
    expect(onTheWay.reduce((n, x) => n + x.count, 0)).toBe(missing);
    // CNT4, the chip's RX overflow counter: the driver reads (clears) it once at init, so it holds them all.
    const s = new DebugSession(loadScenarioFile(path.join(REPO, 'tests/fixtures/drops/rt2560-starved.yaml')), { lookahead: false });
    const repl = new DebugRepl(s);
    repl.execute('set console off');
    repl.execute('until 6.9s');
    const cnt4 = /CNT4=0x([0-9a-f]{8})/.exec(repl.execute('show nic ap.nic0').join('\n'));
    expect(parseInt(cnt4![1]!, 16)).toBe(g.count);
  });
});
