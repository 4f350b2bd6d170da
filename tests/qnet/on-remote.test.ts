/**
 * `on -n node command` over lsm-qnet.so with its real transport and KIF (three nodes on one hub): the
 * command runs on the named node, its output streams back to alpha while it still runs, on exits with its
 * status; errors; slay of `on` ends the remote child (vdetach); and tshark's qnet6 dissector decodes the
 * _PROC_SPAWN / _PROC_WAIT MsgSends the codec emits (stack/net/qnet/iomsg-proc.ts) without [Malformed].
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapFileWriter } from '../../emulator/machine/net/pcap';
import type { Message, ProgramMain } from '../../stack/kernel/api';
import { lsmQnet } from '../../stack/io-pkt/lsm-qnet';
import { IoCodecError, decodeIoMsg, encodeIoMsg, ioReplyMax } from '../../stack/net/qnet/iomsg';
import { makeNode, newSim, type TestNode } from '../io-pkt/rig';
import type { Simulation } from '../../emulator/machine/sim/simulation';
import { sharedRun } from '../helpers/shared-run';
import { hub } from './lsm-rig';
import { runExample, tshark, tsharkFields } from './scenario-run';
import { ALPHA, BETA, VINFO, emitKif, emitL4, ethernetFrame, l4 } from './wire-fixtures';

const MS = 1_000_000;

/** Prints its node and the time, sleeps 200 ms, prints again, exits with argv[1]. */
const talker: ProgramMain = function* (ctx, argv) {
  ctx.print(`first on ${ctx.confstr('_CS_HOSTNAME') ?? '?'} at ${ctx.now()}\n`);
  yield* ctx.sleep(200 * MS);
  ctx.print(`second at ${ctx.now()}\n`);
  return Number(argv[1] ?? 0);
};
const forever: ProgramMain = function* (ctx) {
  ctx.print('forever started\n');
  for (;;) yield* ctx.sleep(1000 * MS);
};

/** A node whose console lines are recorded with the time they appear. */
function node(sim: Simulation, name: string, macBase: number, log: { t: number; text: string }[] | null): TestNode {
  const n = makeNode(sim, name, { macBase, extraModules: { 'lsm-qnet.so': lsmQnet }, programs: { talker, forever } });
  if (log) {
    const push = n.out.push.bind(n.out);
    n.out.push = (...items: string[]): number => {
      for (const text of items) log.push({ t: sim.queue.now, text });
      return push(...items);
    };
  }
  return n;
}

function three(log: { t: number; text: string }[] | null = null) {
  const sim = newSim(7);
  const a = node(sim, 'alpha', 1, log);
  const b = node(sim, 'beta', 2, null);
  const g = node(sim, 'gamma', 3, null);
  hub([a.nics[0]!, b.nics[0]!, g.nics[0]!]);
  g.run(['hostname gamma', 'io-pkt-v4 -dfake -pqnet']);
  b.run(['hostname beta', 'sleep 0.1', 'io-pkt-v4 -dfake -pqnet']);
  a.run(['hostname alpha', 'sleep 0.2', 'io-pkt-v4 -dfake -pqnet']);
  return { sim, a, b, g };
}

describe('on -n node over Qnet', () => {
  test("the command runs on beta; its first line reaches alpha before it prints the second; on's status is its", () => {
    const log: { t: number; text: string }[] = [];
    const { sim, a, b, g } = three(log);
    a.run(['sleep 0.5', 'on -n beta talker 5', 'echo status=$?', 'on -f gamma talker 0', 'echo status=$?']);
    sim.queue.runUntil(4_000 * MS);
    for (const n of [a, b, g]) expect(n.k.crashes).toEqual([]);
    const out = a.console();
    expect(out).toMatch(/^first on beta at \d+\nsecond at \d+\nstatus=5\nfirst on gamma at \d+\nsecond at \d+\nstatus=0\n$/);
    // Nothing of it on beta's or gamma's console: the output went to the session.
    expect(b.console()).not.toContain('first');
    expect(g.console()).not.toContain('first');
    const first = log.find((l) => l.text.startsWith('first on beta'))!;
    const printed1 = Number(/at (\d+)/.exec(first.text)![1]);
    const printed2 = Number(/second at (\d+)/.exec(out)![1]);
    // beta printed the second line 200 ms after the first (its sleep, plus the µs of its nanosleep and
    // timer kernel calls); alpha had the first line well before.
    expect(printed2 - printed1).toBeGreaterThanOrEqual(200 * MS);
    expect(printed2 - printed1).toBeLessThan(200 * MS + 10_000);
    expect(first.t).toBeGreaterThan(printed1); // it crossed the wire
    expect(first.t).toBeLessThan(printed2);
    const second = log.find((l) => l.text.startsWith('second'))!;
    expect(second.t).toBeGreaterThan(printed2);
  });

  test('unknown command on beta, a node nobody knows: on.c error lines and statuses', () => {
    const { sim, a } = three();
    a.run(['sleep 0.5', 'on -n beta nosuch', 'echo status=$?', 'on -n nobody talker', 'echo status=$?']);
    sim.queue.runUntil(8_000 * MS);
    expect(a.k.crashes).toEqual([]);
    expect(a.console()).toBe('on: No such file or directory (nosuch)\nstatus=2\non: Invalid node "nobody" (No such file or directory).\nstatus=1\n');
  });

  test('slay on (on alpha): the connection goes (KIF disconnect) and beta\'s procnto kills the child', () => {
    const { sim, a, b } = three();
    a.run(['sleep 0.5', 'on -n beta forever']);
    sim.queue.runUntil(1_000 * MS);
    expect(b.k.processes.map((p) => p.name)).toContain('forever');
    expect(a.console()).toBe('forever started\n');
    a.run(['slay on']);
    sim.queue.runUntil(2_000 * MS);
    expect(a.k.processes.map((p) => p.name)).not.toContain('on');
    expect(b.k.processes.map((p) => p.name)).not.toContain('forever');
    for (const n of [a, b]) expect(n.k.crashes).toEqual([]);
  });
});

describe('the _PROC_SPAWN codec', () => {
  const startMsg: Message = { type: '_PROC_SPAWN', subtype: 'start', argv: ['ls', '/dev'], prio: 12 };
  const waitMsg: Message = { type: '_PROC_SPAWN', subtype: 'wait', pid: 4103 };
  const bytes = (m: Message): Uint8Array => {
    const b = encodeIoMsg(m);
    if (b instanceof IoCodecError) throw new Error(b.reason);
    return b;
  };

  test('round trip; truncated or unterminated argv is EINVAL', () => {
    const s = bytes(startMsg);
    // 16-byte head + "ls\0" + "/dev\0" = 24 bytes.
    expect(s.length).toBe(24);
    expect(Array.from(s.subarray(0, 8))).toEqual([0x10, 0, 0, 0, 2, 0, 12, 0]);
    expect(decodeIoMsg(s)).toEqual({ ...startMsg, bytes: 24 });
    expect(decodeIoMsg(bytes(waitMsg))).toEqual({ ...waitMsg, bytes: 12 });
    expect(decodeIoMsg(s.subarray(0, 22))).toBeInstanceOf(IoCodecError);
    const noNul = s.slice();
    noNul[23] = 0x41;
    expect((decodeIoMsg(noNul) as IoCodecError).reason).toContain('does not end in a NUL');
    expect((encodeIoMsg({ type: '_PROC_SPAWN', subtype: 'start', argv: [] }) as IoCodecError).errno).toBeGreaterThan(0);
  });

  test('tshark shows the MsgSends with their type and nothing malformed', () => {
    const frames = [startMsg, waitMsg].map((m, i) => {
      const data = bytes(m);
      const values = { serverId: 3, clientHandle: 40 + i, ...VINFO, srcmsglen: data.length, dstmsglen: ioReplyMax(m) };
      return ethernetFrame(BETA, ALPHA, emitL4(l4({ seq: 1 + i, payload: emitKif({ kind: 'msgSend', values, data }) })));
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnet-on-'));
    const file = path.join(dir, 'spawn.pcap');
    const w = new PcapFileWriter(file);
    frames.forEach((f, i) => w.writeRecord(1_000_000 * (i + 1), f));
    w.close();
    const out = tshark(['-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', 'qnet6.kif.msgsend.msg.type', '-e', '_ws.col.Info']);
    expect(out.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['0x0010', '0x0011']);
    expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert']).trim()).toBe('');
  });
});

describe('docs/examples/qnet.yaml: on -n gamma uname -sn', () => {
  const run = sharedRun(() => runExample('qnet.yaml'));

  test("alpha prints gamma's uname; the spawn and wait went to gamma as KIF MsgSends tshark names", () => {
    const x = run();
    expect(x.r.failures).toEqual([]);
    const on = x.lines('alpha').filter((l) => l.t >= 4_800 * MS);
    expect(on.map((l) => l.text)).toEqual(['# on -n gamma uname -sn', 'QNX gamma']);
    expect(x.r.consoles.get('gamma') ?? '').not.toContain('QNX gamma');
    // The MsgSends carrying _PROC_SPAWN (0x10) and _PROC_WAIT (0x11), alpha → gamma, after 4.8 s.
    const rows = tsharkFields(x.pcap('hub0'), 'qnet6.kif.msgsend.msg.type == 0x0010 || qnet6.kif.msgsend.msg.type == 0x0011', ['eth.src', 'eth.dst', 'qnet6.kif.msgsend.msg.type']);
    expect(rows).toEqual([['00:00:e8:0a:00:01', '00:00:e8:0c:00:03', '0x0010'], ['00:00:e8:0a:00:01', '00:00:e8:0c:00:03', '0x0011']]);
  });
});
