import { Priority, SimEvent, Simulation, componentContext } from '../../emulator/machine/sim';
import { Wire } from '../../emulator/machine/bus/wire';
import { frameWireTimeNs, type Frame, type Medium, type NetPort, type NetPortListener } from '../../emulator/machine/net/link';
import { b64ToBytes, bytesToB64 } from '../../emulator/machine/sim/snapshot';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';
import { Rtl8029Pci } from '../../nic-models/ne2000/rtl8029-pci';
import type { Dp8390State } from '../../nic-models/ne2000/dp8390-core';
import { MAC_A, MAC_B, TestBus, makeFrame } from './helpers';
import { LinuxDriver } from './linux-driver';

/** A snapshot-able full-duplex point-to-point wire for the run-N/restore/run-N test. */
class TestWire implements Medium {
  readonly name = 'wire';
  private ends: NetPortListener[] = [];
  private sending: (Frame | null)[] = [null, null];
  private flying: { at: number; to: number; frame: Frame }[] = [];
  private readonly txEv: SimEvent[];
  private readonly arriveEv: SimEvent;
  constructor(private readonly sim: Simulation) {
    this.txEv = [0, 1].map((i) => new SimEvent(`wire.tx${i}`, () => this.txEnd(i), Priority.Wire));
    this.arriveEv = new SimEvent('wire.arrive', () => this.arrive(), Priority.Wire);
  }
  attach(l: NetPortListener): NetPort {
    const i = this.ends.length;
    this.ends.push(l);
    return { bitRate: 10_000_000, fullDuplex: true, carrier: () => false, linkUp: () => true, transmit: (f) => this.transmit(i, f) };
  }
  tap(): void {}
  private transmit(i: number, f: Frame): void {
    this.sending[i] = f;
    this.sim.queue.scheduleIn(this.txEv[i]!, frameWireTimeNs(f.data.length, 10_000_000));
  }
  private txEnd(i: number): void {
    const f = this.sending[i]!;
    this.sending[i] = null;
    this.flying.push({ at: this.sim.queue.now + 100, to: 1 - i, frame: f });
    if (!this.arriveEv.scheduled) this.sim.queue.schedule(this.arriveEv, this.flying[0]!.at);
    this.ends[i]!.transmitDone();
  }
  private arrive(): void {
    const x = this.flying.shift()!;
    if (this.flying[0]) this.sim.queue.schedule(this.arriveEv, this.flying[0].at);
    this.ends[x.to]!.frameReceived(x.frame);
  }
  saveState() {
    const enc = (f: Frame) => ({ data: bytesToB64(f.data), pktId: f.pktId });
    return {
      sending: this.sending.map((f) => (f ? enc(f) : null)),
      tx: this.txEv.map((e) => e.when),
      flying: this.flying.map((x) => ({ at: x.at, to: x.to, frame: enc(x.frame) })),
      arrive: this.arriveEv.when,
    };
  }
  loadState(s: ReturnType<TestWire['saveState']>): void {
    const dec = (f: { data: string; pktId: number }): Frame => ({ data: b64ToBytes(f.data), pktId: f.pktId });
    this.sending = s.sending.map((f) => (f ? dec(f) : null));
    this.flying = s.flying.map((x) => ({ at: x.at, to: x.to, frame: dec(x.frame) }));
    s.tx.forEach((t, i) => t >= 0 && this.sim.queue.schedule(this.txEv[i]!, t));
    if (s.arrive >= 0) this.sim.queue.schedule(this.arriveEv, s.arrive);
  }
}

/** An interrupt-driven traffic generator: sends `total` frames to `dst`, drains receptions. */
class TestDriver {
  sent = 0;
  received: number[] = [];
  readonly drv: LinuxDriver;
  private readonly isrEv: SimEvent;
  constructor(private readonly sim: Simulation, bus: TestBus, line: Wire, readonly mac: number[], readonly dst: number[], readonly total: number) {
    this.drv = new LinuxDriver(bus, 'word');
    this.isrEv = new SimEvent(`drv.${mac[5]}`, () => this.isr(), Priority.Cpu);
    line.onChange((lvl) => lvl && !this.isrEv.scheduled && sim.queue.scheduleIn(this.isrEv, 5000));
  }
  start(): void {
    this.drv.open(this.mac);
    this.sendNext();
  }
  private sendNext(): void {
    if (this.sent >= this.total) return;
    const f = makeFrame(this.dst, this.mac, 60 + ((this.sent * 397) % 1400), this.sent);
    this.sent++;
    this.drv.upload(0x40, f);
    this.drv.trigger(0x40, f.length);
  }
  private isr(): void {
    const isr = this.drv.ack(0xff);
    if (isr & 0x05) this.received.push(...this.drv.receive().frames.map((f) => f.length));
    if (isr & 0x0a) this.sendNext();
  }
  saveState() {
    return { sent: this.sent, received: [...this.received], isr: this.isrEv.when };
  }
  loadState(s: ReturnType<TestDriver['saveState']>): void {
    this.sent = s.sent;
    this.received = [...s.received];
    this.sim.queue.deschedule(this.isrEv);
    if (s.isr >= 0) this.sim.queue.schedule(this.isrEv, s.isr);
  }
}

function world(seed: number, start: boolean) {
  const sim = new Simulation(seed);
  const wire = new TestWire(sim);
  const a = new Ne2000Isa(componentContext(sim, 'alpha', 'alpha.en0'), { mac: MAC_A });
  const b = new Rtl8029Pci(componentContext(sim, 'beta', 'beta.en0'), { mac: MAC_B });
  const la = new Wire('irqA');
  const lb = new Wire('irqB');
  const da = new TestDriver(sim, new TestBus(a), la, MAC_A, MAC_B, 12);
  const db = new TestDriver(sim, new TestBus(b.spec.bars[0]!.handler), lb, MAC_B, MAC_A, 9);
  a.attachIrq(la);
  b.attachIntx(lb);
  a.connect(wire);
  b.connect(wire);
  if (start) {
    da.start();
    db.start();
  }
  const save = () => ({ t: sim.queue.now, a: a.saveState(), b: b.saveState(), wire: wire.saveState(), da: da.saveState(), db: db.saveState() });
  const load = (s: ReturnType<typeof save>): void => {
    sim.queue.setNow(s.t);
    a.loadState(s.a);
    b.loadState(s.b);
    wire.loadState(s.wire);
    da.loadState(s.da);
    db.loadState(s.db);
  };
  return { sim, a, b, save, load, da, db };
}

describe('snapshots', () => {
  test('save → load into a fresh instance → save is deep-equal (mid-transmission, with pending events)', () => {
    const w = world(61, true);
    for (const n of [1, 3, 7, 20]) {
      w.sim.queue.runUntilIdle(n);
      const s = w.save();
      const f = world(61, false);
      f.load(JSON.parse(JSON.stringify(s)));
      expect(f.save()).toEqual(s);
      expect(f.sim.queue.list().map((e) => [e.name, e.when])).toEqual(w.sim.queue.list().map((e) => [e.name, e.when]));
    }
  });

  test('the RTL8029 page-3 state survives', () => {
    const sim = new Simulation(1);
    const p = new Rtl8029Pci(componentContext(sim, 'x', 'x.en0'), { mac: MAC_B });
    const bus = new TestBus(p.spec.bars[0]!.handler);
    bus.outb(0, 0xe0);
    bus.outb(1, 0xc0);
    bus.outb(6, 0x40);
    const s: Dp8390State = p.saveState();
    const q = new Rtl8029Pci(componentContext(new Simulation(1), 'x', 'x.en0'), { mac: MAC_B });
    q.loadState(s);
    expect(q.core.rtl!.fullDuplex).toBe(true);
    expect(q.saveState()).toEqual(s);
  });

  test('run 2N events equals run N, save, restore into fresh objects, run N', () => {
    const ref = world(62, true);
    const total = ref.sim.queue.runUntilIdle(100_000);
    expect(ref.sim.queue.pending).toBe(0);
    expect(ref.da.received.length).toBe(9);
    expect(ref.db.received.length).toBe(12);
    const final = ref.save();
    for (const n of [Math.floor(total / 3), Math.floor(total / 2), total - 5]) {
      const first = world(62, true);
      first.sim.queue.runUntilIdle(n);
      const mid = JSON.parse(JSON.stringify(first.save()));
      const second = world(62, false);
      second.load(mid);
      const rest = second.sim.queue.runUntilIdle(100_000);
      expect(rest).toBe(total - n);
      expect(second.save()).toEqual(final);
    }
  });
});
