/**
 * REP OUTSW/INSW on the NE2000's data port served as one batch (stack/kernel/string-io.ts, RemoteDma.writeQuiet/
 * readQuiet), with a thread's CPU pieces run inline (cpuPieces.inline, EventQueue.advanceTo), against the
 * reference path with one deferred write per word and a CPU event per piece (both false), on the real board and
 * model:
 * - a hostile driver writing more words than RBCR (the DMA completes mid-string, RDC interrupts, the rest are
 *   idle-channel writes traced one by one) and reading more than RBCR, with higher-priority threads that wake
 *   mid-string and read CRDA (the remote DMA address) through the ports;
 * - the saturated ping flood (scripts/scenarios/bench-flood.yaml for 1 s): same trace hash, same pcaps;
 * - floods both ways, so the peer's frames arrive while a driver is inside out16s (interrupts taken mid-string
 *   counted in both runs): same trace hash, same pcaps;
 * - --verbose-trace: every data-port access is a record at its own time, so nothing is batched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { Board } from '../../emulator/machine/board/board';
import { runStartup } from '../../firmware/startup';
import { Kernel } from '../../stack/kernel/kernel';
import { cpuPieces, Scheduler, type Cpu } from '../../stack/kernel/scheduler';
import { OutsBatch, stringIo } from '../../stack/kernel/string-io';
import type { ProgramMain } from '../../stack/kernel/api';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';
import { runScenario } from '../../emulator/app/assembly/run';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { parseScenarioText } from '../../emulator/app/testing/api';
import type { Scenario } from '../../emulator/app/scenario/types';
import { tmpdir } from '../system/helpers';

const REPO = path.resolve(__dirname, '../..');
const BASE = 0x300;

/** Batching on or off; CPU pieces run inline (cpuPieces.inline) with batching unless told otherwise. */
function withBatch<T>(batch: boolean, f: () => T, inline = batch): T {
  const saved = stringIo.batch;
  const savedInline = cpuPieces.inline;
  stringIo.batch = batch;
  cpuPieces.inline = inline;
  try {
    return f();
  } finally {
    stringIo.batch = saved;
    cpuPieces.inline = savedInline;
  }
}

/** Counts interrupts taken while the CPU's thread is inside a REP OUTS (some words done, some not). */
function countMidString<T>(f: () => T): { result: T; mid: number } {
  const orig = Scheduler.prototype.enterInterrupt;
  let mid = 0;
  Scheduler.prototype.enterInterrupt = function (this: Scheduler, cpu: Cpu): void {
    const a = cpu.thread?.seg.actions.find((x) => x instanceof OutsBatch);
    if (a instanceof OutsBatch && a.transferred > 0 && !a.done) mid++;
    orig.call(this, cpu);
  };
  try {
    return { result: f(), mid };
  } finally {
    Scheduler.prototype.enterInterrupt = orig;
  }
}

interface Hostile {
  log: string[];
  trace: string[];
  ram: number[];
  events: number;
}

/**
 * One node, an ISA NE2000 at 0x300/IRQ 5 (not on any wire). `drv` writes 300 words with RBCR = 200 bytes, then
 * reads 80 words with RBCR = 100; its ISR logs ISR and CRDA. A `peek` thread (priority 30) sleeps `first` ns,
 * then `n` times reads CRDA through the ports and sleeps `step` ns (each wake-up is a timer interrupt and a
 * preemption of the driver).
 */
function hostile(batch: boolean, peeks: [number, number, number] | null, verbose = false, inline = batch): Hostile {
  return withBatch(batch, () => {
    const sim = new Simulation(1);
    sim.tracer.verbose = verbose;
    const trace: string[] = [];
    sim.tracer.addSink((rec) => trace.push(JSON.stringify(rec)));
    const board = new Board(componentContext(sim, 'n', 'n.board'), { ramBytes: 16 << 20, cpus: 1, interruptController: '8259' });
    const nic = new Ne2000Isa(componentContext(sim, 'n', 'n.en0'), { mac: [0, 0x50, 0xc2, 0, 0, 1] });
    board.mapIsaDevice('n.en0', BASE, nic.ports, nic.window, nic.timing);
    nic.attachIrq(board.isaIrq(5));
    const syspage = runStartup(board.ports, { cpus: 1, ramBytes: 16 << 20, interruptController: '8259', isa: [{ name: 'ne', ioport: BASE, irq: 5 }] });
    const log: string[] = [];
    const crda = function* (ctx: Parameters<ProgramMain>[0]) {
      const lo = yield* ctx.in8(BASE + 0x08);
      const hi = yield* ctx.in8(BASE + 0x09);
      return (hi << 8) | lo;
    };
    const drv: ProgramMain = function* (ctx) {
      ctx.InterruptAttach(5, (io) => {
        const isr = io.in8(BASE + 0x07);
        io.out8(BASE + 0x07, isr);
        const c = io.in8(BASE + 0x08) | (io.in8(BASE + 0x09) << 8);
        log.push(`isr@${ctx.now()} isr=${isr.toString(16)} crda=${c.toString(16)}`);
        return null;
      });
      ctx.out8(BASE + 0x0e, 0x49); // DCR: word transfers, normal operation, FIFO threshold
      ctx.out8(BASE + 0x0f, 0x40); // IMR: RDC
      ctx.out8(BASE + 0x0a, 200);
      ctx.out8(BASE + 0x0b, 0);
      ctx.out8(BASE + 0x08, 0x00);
      ctx.out8(BASE + 0x09, 0x40);
      ctx.out8(BASE + 0x00, 0x12); // remote write, start
      const data = new Uint8Array(600);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
      ctx.out16s(BASE + 0x10, data); // 100 words fill RBCR, 200 more find the channel idle
      ctx.out8(BASE + 0x0a, 100);
      ctx.out8(BASE + 0x0b, 0);
      ctx.out8(BASE + 0x08, 0x00);
      ctx.out8(BASE + 0x09, 0x40);
      ctx.out8(BASE + 0x00, 0x0a); // remote read
      const back = new Uint8Array(160);
      yield* ctx.in16s(BASE + 0x10, back); // 50 words, then 30 idle reads
      log.push(`read@${ctx.now()} ${Array.from(back.subarray(96, 104)).join(',')}`);
      log.push(`crda@${ctx.now()} ${(yield* crda(ctx)).toString(16)}`);
      return 0;
    };
    const peek: ProgramMain = function* (ctx, argv) {
      const [first, step, n] = argv.slice(1).map(Number) as [number, number, number];
      yield* ctx.sleep(first);
      for (let i = 0; i < n; i++) {
        log.push(`peek@${ctx.now()} crda=${(yield* crda(ctx)).toString(16)}`);
        yield* ctx.sleep(step);
      }
      return 0;
    };
    const k = new Kernel(componentContext(sim, 'n', 'n.procnto'), board.nodeBus(syspage), {
      cpus: 1,
      programs: new Map([['drv', drv], ['peek', peek]]),
      console: (t) => log.push(t),
    });
    k.boot();
    k.spawn({ argv: ['drv'], priority: 10 });
    if (peeks) k.spawn({ argv: ['peek', ...peeks.map(String)], priority: 30 });
    sim.queue.runUntil(50_000_000);
    return { log, trace, ram: Array.from(nic.core.mem.ram.subarray(0, 210)), events: sim.queue.executed };
  }, inline);
}

describe('NE2000 string I/O as one batch', () => {
  test('more words than RBCR: RDC mid-string, idle writes and reads one by one, CRDA read mid-string: as per word', () => {
    // Peeks every 9.001 µs from about 1.3 ms to 2.4 ms; the string runs from about 1.5 to 1.9 ms.
    const peeks: [number, number, number] = [200_000, 9_001, 120];
    const { result: ref, mid: refMid } = countMidString(() => hostile(false, peeks));
    const { result: got, mid } = countMidString(() => hostile(true, peeks));
    expect(mid).toBe(refMid);
    expect(refMid).toBeGreaterThan(10); // the peeks' timer interrupts and RDC's came inside out16s
    expect(got.log).toEqual(ref.log);
    expect(got.trace).toEqual(ref.trace);
    expect(got.ram).toEqual(ref.ram);
    // The model did what the datasheet says: 200 bytes stored, RDC raised at the 100th word, 200 idle writes
    // and 30 idle reads traced, each at its own cycle (1.26 µs apart on this ISA bus).
    expect(ref.ram.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, i) => (i * 7 + 3) & 0xff));
    expect(ref.ram.slice(200)).toEqual(new Array(10).fill(0));
    const idle = ref.trace.filter((l) => l.includes('"dma-idle"'));
    expect(idle.filter((l) => l.includes('"write"')).length).toBe(200);
    expect(idle.filter((l) => l.includes('"read"')).length).toBe(30);
    // The string waited while the RDC interrupt (raised by the 100th word) was handled: the 101st word came
    // later than one cycle after it.
    const rdc = JSON.parse(ref.trace.find((l) => l.includes('"probe":"irq"'))!).t as number;
    const firstIdle = JSON.parse(idle[0]!).t as number;
    expect(firstIdle).toBeGreaterThan(rdc + 1260);
    expect(ref.log.some((l) => l.startsWith('isr@') && l.includes('isr=40'))).toBe(true);
    // A peek preempted the driver mid-string and saw a CRDA between the first and the last stored word.
    const mids = ref.log.filter((l) => l.startsWith('peek@')).map((l) => parseInt(l.split('crda=')[1]!, 16));
    expect(mids.some((c) => c > 0x4000 && c < 0x40c8)).toBe(true);
    expect(got.events).toBeLessThan(ref.events);
  });

  test('with --verbose-trace every data-port access is traced at its own time: the same records either way', () => {
    const ref = hostile(false, [300_000, 50_000, 5], true);
    const got = hostile(true, [300_000, 50_000, 5], true);
    expect(got.trace).toEqual(ref.trace);
    // No batch under --verbose-trace: the same events as with batching off and CPU pieces inline alike.
    expect(got.events).toBe(hostile(false, [300_000, 50_000, 5], true, true).events);
    expect(ref.trace.filter((l) => l.includes('"data-write"')).length).toBe(300);
  });

  test('the ping flood: same trace hash and pcaps, far fewer events', () => {
    const sc = loadScenarioFile(path.join(REPO, 'scripts/scenarios/bench-flood.yaml'));
    const ref = flood(sc, false, 1_000_000_000);
    const got = flood(sc, true, 1_000_000_000);
    expect(got.hash).toBe(ref.hash);
    expect(got.pcaps).toEqual(ref.pcaps);
    expect(ref.pcaps.length).toBeGreaterThan(0);
    expect(got.events * 3).toBeLessThan(ref.events);
  });

  test('floods both ways: the peer\'s frames arrive while a driver is inside out16s; same hash and pcaps', () => {
    const sc = parseScenarioText(BOTH_WAYS);
    const ref = flood(sc, false, 800_000_000);
    const got = flood(sc, true, 800_000_000);
    expect(got.hash).toBe(ref.hash);
    expect(got.pcaps).toEqual(ref.pcaps);
    expect(got.mid).toBe(ref.mid);
    expect(ref.mid).toBeGreaterThan(100);
  });
});

describe('docs/examples with NE2000s: the same run with and without batching', () => {
  for (const name of ['ping', 'rx-burst', 'link-faults', 'tcpdump']) {
    test(name, () => {
      const sc = loadScenarioFile(path.join(REPO, `docs/examples/${name}.yaml`));
      const ref = flood(sc, false, sc.until);
      const got = flood(sc, true, sc.until);
      expect(got.hash).toBe(ref.hash);
      expect(got.pcaps).toEqual(ref.pcaps);
      expect(got.events).toBeLessThan(ref.events);
    });
  }
});

/** alpha (ISA NE2000) and beta (RTL8029) flood-ping each other on a hub. */
const BOTH_WAYS = `
name: flood-both-ways
seed: 1
until: 1s
nodes:
  alpha:
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:0a:00:01", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000 ioport=0x300,irq=5
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
      sleep 0.5
      ping -f -q -c 1000000 -s 1400 10.0.0.2
  beta:
    nics: [{ model: rtl8029, mac: "00:00:e8:0b:00:02", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.2/24 up
      sleep 0.5
      ping -f -q -c 1000000 -s 1000 10.0.0.1
links:
  hub0: { type: hub }
`;

/** Run `sc` to `until` with or without batching: trace hash, events, pcaps, interrupts taken inside out16s. */
function flood(sc: Scenario, batch: boolean, until: number) {
  const dir = tmpdir(`string-io-flood-${batch}`);
  const { result, mid } = countMidString(() => withBatch(batch, () => runScenario(sc, { until, pcapDir: dir })));
  return { hash: result.traceHash, events: result.events, mid, pcaps: result.pcaps.map((p) => fs.readFileSync(p).toString('base64')) };
}
