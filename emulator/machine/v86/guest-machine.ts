import type { ComponentContext } from '../sim/context';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import type { Rng } from '../sim/rng';
import type { Time } from '../sim/time';
import { checkVersion } from '../sim/snapshot';
import type { AccessSize, RegisterHandler } from '../bus/types';
import { GuestClock, type GuestClockState } from './guest-clock';
import { accessCode, decodeAccess, GuestLog, type GuestLogState } from './guest-log';
import { GUEST_EPOCH_MS, withHost, type V86Host, type V86Instance } from './v86-runtime';
import { PartedBytes, restoreV86State } from './v86-state';
import type { V86Cpu } from './v86-types';

/** Something plugged into the guest that must be (re)connected when a v86 instance is bound. */
export interface GuestAttachment {
  bind(cpu: V86Cpu): void;
}

export type GuestMode = 'detached' | 'live' | 'replay';

/**
 * The guest's physical address map as configured when its v86 was created: RAM from 0, v86's VGA linear frame
 * buffer at 0xe0000000 (`vgaBytes`, v86 rounds `vga_memory_size` up to a power of two of at least 256 KiB).
 * Known without a CPU, so a replay makes the same decisions (BAR placement, DMA range) as the recorded run.
 */
export interface GuestLayout {
  ramBytes: number;
  vgaBytes: number;
}

/** What `createGuestV86` configures (emulator/app/assembly/guest-node.ts): 128 MiB, a 2 MiB VGA. */
export const DEFAULT_GUEST_LAYOUT: GuestLayout = { ramBytes: 128 * 1024 * 1024, vgaBytes: 2 * 1024 * 1024 };

export interface GuestMachineState {
  v: 1;
  pokes: number;
  poweredOn: boolean;
  clock: GuestClockState;
  rng: [number, number, number, number];
  log: GuestLogState;
}

/**
 * Halted, with a timer v86 reports as due now but that has not fired yet (its PIT fires one input-clock tick,
 * 838 ns, after the count reaches zero; its RTC compares whole milliseconds): look again this much later
 * rather than spinning in nanosecond steps.
 */
export const IDLE_RETRY_NS = 1000;

/** Log op: the queue caught up to the guest's time (value) before the next op (`sync`). */
const SYNC = -1;
/**
 * Log op (pairs: STAMP, time): the CPU's clock at the console text that follows. In a worker thread the serial port
 * does not catch up (serialOut), so its text is stamped with the CPU's clock; the stamp lets a replay give the text
 * the same time (a single-threaded run catches up instead: SYNC).
 */
const STAMP = -2;

/** Byte offsets of v86 CPU fields in wasm memory (src/rust/cpu/global_pointers.rs). */
const IN_HLT = 616;
const INSTRUCTION_COUNTER = 664;

/**
 * A v86 CPU on the simulation's event queue (docs/guest-time-model.md).
 *
 * The CPU runs in quanta: one `cpu.main_loop()` per `<node>.v86.cpu` event. v86 returns after about 1 ms of
 * guest time, or when the guest halts, with the time to its next timer deadline; the next quantum is scheduled
 * at the guest's clock (busy) or at that deadline (halted, the time in between skipped as idle). Inside a
 * quantum, before each access to our devices and each serial byte, the queue catches up to the guest's clock
 * (`sync`). An interrupt or serial input ("a poke") that ends a halt moves the quantum to the current time.
 *
 * Modes: `live` runs v86; `replay` rebuilds the world from a log of what the guest did (guest-log.ts) while
 * no CPU runs, up to a snapshot point where a restored v86 takes over; `detached` has no CPU at all.
 */
export class GuestMachine {
  readonly clock: GuestClock;
  /** What the guest did since power-on (appended in live mode; becomes part of snapshots). */
  log = new GuestLog();
  private replaying: GuestLog | null = null;
  private instance: V86Instance | null = null;
  private readonly quantumEv: SimEvent;
  private readonly targets: RegisterHandler[] = [];
  private readonly attachments: GuestAttachment[] = [];
  private readonly serialListeners: ((text: string) => void)[] = [];
  private ops: (number | string)[] | null = null;
  private syncing = false;
  /** Pokes that arrived while the queue caught up inside a quantum, applied when the quantum ends. */
  private deferred: (() => void)[] = [];
  private pokes = 0;
  private poweredOn = false;
  private counterView: Uint32Array | null = null;
  private hltView: Uint8Array | null = null;
  readonly host: V86Host;
  /** Quanta run (live or replayed) since this object was built. */
  quanta = 0;
  /** Replay met a read whose value differs from the log (the rebuilt world is not the recorded one). */
  divergence: string | null = null;
  /** A replayed quantum runs (its ops are applied), and the CPU clock of the last STAMP in it (-1: none yet). */
  private replayActive = false;
  private replayStamp: Time = -1;
  /** The CPU clock of the last STAMP recorded in this quantum (-1: none). */
  private lastStamp: Time = -1;
  /**
   * Called at every clock read of the CPU (in a worker thread: lets the main thread know how far the guest is while
   * its CPU runs, emulator/machine/parallel/guest-gate.ts `poll`), with the CPU's clock just read when the read
   * comes from inside a quantum, else undefined. Passing the clock saves the watcher reading it again: v86 reads
   * its clock tens of millions of times per run.
   */
  clockWatch: ((cpu: Time | undefined) => void) | null = null;

  constructor(
    readonly ctx: ComponentContext,
    private readonly rng: Rng,
    readonly layout: GuestLayout = DEFAULT_GUEST_LAYOUT,
  ) {
    this.clock = new GuestClock(() => this.counter());
    this.quantumEv = new SimEvent(`${ctx.name}.cpu`, () => this.quantum(), Priority.Cpu);
    this.host = {
      microtick: () => {
        const t = this.clock.readNs();
        if (this.clockWatch !== null) this.clockWatch(this.ops !== null ? t : undefined);
        return t / 1e6;
      },
      dateNow: () => GUEST_EPOCH_MS + Math.floor(this.clock.now() / 1e6),
      random: () => this.rng.float(),
      fillRandom: (view) => {
        const b = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        for (let i = 0; i < b.length; i++) b[i] = this.rng.u32() & 0xff;
      },
    };
  }

  get mode(): GuestMode {
    return this.instance ? 'live' : this.replaying ? 'replay' : 'detached';
  }

  get cpu(): V86Cpu | null {
    return this.instance?.machine.cpu ?? null;
  }

  get v86(): V86Instance | null {
    return this.instance;
  }

  /** Register window the guest can access; returns its id in the log. */
  addTarget(handler: RegisterHandler): number {
    this.targets.push(handler);
    return this.targets.length - 1;
  }

  addAttachment(a: GuestAttachment): void {
    this.attachments.push(a);
    if (this.instance) a.bind(this.instance.machine.cpu);
  }

  /** Serial output of the guest (console text, in the order produced; called inside quanta). */
  onSerial(fn: (text: string) => void): void {
    this.serialListeners.push(fn);
  }

  /** Bind a freshly created v86 instance (cold boot). */
  bind(instance: V86Instance): void {
    if (this.instance) throw new Error(`${this.ctx.name}: already has a CPU`);
    const ram = instance.machine.cpu.memory_size[0];
    if (ram !== this.layout.ramBytes) throw new Error(`${this.ctx.name}: v86 has ${ram} bytes of RAM, the node's layout says ${this.layout.ramBytes}`);
    this.instance = instance;
    instance.starter.add_listener('serial0-output-byte', (b: number) => this.serialOut(String.fromCharCode(b & 0xff)));
    for (const a of this.attachments) a.bind(instance.machine.cpu);
  }

  /** Rebuild from `log` instead of running a CPU (until `takeOver`). */
  startReplay(log: GuestLog): void {
    if (this.instance) throw new Error(`${this.ctx.name}: cannot replay with a CPU bound`);
    this.replaying = log;
  }

  /** Power on: the first quantum runs now. */
  powerOn(): void {
    this.poweredOn = true;
    if (this.instance) this.clock.powerOn(this.ctx.queue.now);
    this.ctx.tracer.emit(this.ctx.node, 'guest', 'power-on', 0);
    this.ctx.queue.schedule(this.quantumEv, this.ctx.queue.now);
  }

  /** Guest time (ns); equals queue time while halted, runs ahead by at most one quantum while busy. */
  get guestTime(): Time {
    if (this.instance) return this.clock.now();
    return this.replayActive ? Math.max(this.ctx.queue.now, this.replayStamp) : this.ctx.queue.now;
  }

  /** The CPU is inside a quantum (its clock may be ahead of the queue). */
  get inQuantum(): boolean {
    return this.ops !== null || this.replayActive;
  }

  get halted(): boolean {
    return this.instance ? this.hlt() !== 0 : true;
  }

  /**
   * An input of the guest changes from outside its CPU (an interrupt line, serial input): apply it in the
   * pinned scope; if it ended a halt, the CPU's next quantum moves to now.
   */
  poke(apply: () => void): void {
    const n = this.pokes++;
    const q = this.ctx.queue;
    if (this.replaying && !this.instance) {
      const w = this.replaying.wakeAt(n);
      if (w) q.reschedule(this.quantumEv, w.at);
      return;
    }
    if (!this.instance) return;
    if (this.syncing) {
      // Events run while the queue catches up to the guest (`sync`) are inside one of the guest's I/O
      // instructions, possibly a `rep ins/outs`: v86 must not take an interrupt there. Apply at quantum end.
      this.deferred.push(apply);
      return;
    }
    if (this.ops) {
      withHost(this.host, apply); // during a quantum (the guest's own register access changed a line)
      return;
    }
    const wasHalted = this.hlt() !== 0;
    withHost(this.host, () => {
      if (wasHalted) this.clock.skipTo(q.now);
      apply();
    });
    if (wasHalted && this.hlt() === 0 && this.quantumEv.scheduled) {
      const at = Math.max(q.now, this.clock.now());
      if (this.quantumEv.when > at) {
        q.reschedule(this.quantumEv, at);
        this.log.wakes.push({ poke: n, at });
      }
    }
  }

  /**
   * The guest is about to touch the world (a register of one of our devices, its serial port) from inside a
   * quantum, where its clock runs ahead of the queue: first let the rest of the simulation catch up to the
   * guest's time (a nested `runUntil`), so the access happens at the right time and interrupts raised
   * meanwhile are already pending. Recorded in the log so a replay catches up at the same points.
   */
  sync(): void {
    const ops = this.ops;
    if (!ops || this.syncing) return;
    const q = this.ctx.queue;
    const g = this.clock.now();
    if (g <= q.now) {
      // In a worker thread the queue may be at g while a message of time g can still come: wait for it too.
      if (q.gate) this.catchUp(g);
      return;
    }
    ops.push(SYNC, g);
    this.catchUp(g);
  }

  /** The guest runs in a worker thread (or hosted on the main thread) under a gate: the threaded engine. */
  get threaded(): boolean {
    return this.ctx.queue.gate !== null;
  }

  private catchUp(t: Time): void {
    this.syncing = true;
    try {
      this.ctx.queue.runUntil(t);
    } finally {
      this.syncing = false;
    }
  }

  /**
   * The guest's CPU waits `ns` for a bus cycle to one of our devices (port windows and config hooks call this
   * before the access): guest time moves on by that much. Replay needs nothing: its times come from the log.
   */
  stall(ns: Time): void {
    if (this.instance && this.ops) this.clock.stall(ns);
  }

  /** A guest register access through window `target` (port windows and config hooks call this). */
  record(target: number, offset: number, size: AccessSize, write: boolean, value: number): void {
    this.ops?.push(accessCode(target, offset, size, write), value);
  }

  /** During a replay: the bytes the next bus-master read got in the recorded run. */
  replayDma(): Uint8Array | undefined {
    return this.replaying?.nextDma();
  }

  /** Save what a restore needs besides v86's own state. */
  saveState(): GuestMachineState {
    return { v: 1, pokes: this.pokes, poweredOn: this.poweredOn, clock: this.clock.saveState(), rng: this.rng.state(), log: this.log.saveState() };
  }

  /**
   * End of a replay: a restored v86 instance takes over at the current time. The replay must have consumed
   * the whole log and seen the same number of pokes; the log continues (a later snapshot holds everything).
   *
   * `clockAtRestore` is this guest's clock as it was when the snapshotting run restored its own v86 from the
   * snapshot bytes (snapshot.ts): v86 re-bases its TSC on the clock while restoring (and reads it doing so),
   * so the restore here starts from the same clock and both runs come out with the same TSC and clock.
   *
   * `v86State` is v86's `save_state()` bytes, whole or in parts as a snapshot file holds them (v86-state.ts restores
   * them without joining: the parts of a file are not copied into one buffer first).
   */
  takeOver(instance: V86Instance, v86State: ArrayBuffer | readonly Uint8Array[], s: GuestMachineState, clockAtRestore: GuestClockState): void {
    checkVersion(`${this.ctx.name} guest`, s, 1);
    const log = this.replaying;
    if (!log) throw new Error(`${this.ctx.name}: takeOver without replay`);
    if (!log.exhausted) throw new Error(`${this.ctx.name}: replay stopped at ${log.position}`);
    if (this.pokes !== s.pokes) throw new Error(`${this.ctx.name}: replay saw ${this.pokes} pokes, the snapshot ${s.pokes}`);
    if (this.divergence) throw new Error(`${this.ctx.name}: replay diverged: ${this.divergence}`);
    this.replaying = null;
    this.bind(instance);
    this.counterView = null;
    this.hltView = null;
    this.clock.loadState(clockAtRestore);
    const bytes = new PartedBytes(v86State instanceof ArrayBuffer ? [new Uint8Array(v86State)] : v86State);
    withHost(this.host, () => restoreV86State(instance.machine.cpu, bytes));
    const got = this.clock.saveState();
    if (got.reads !== s.clock.reads || got.instructions !== s.clock.instructions)
      throw new Error(`${this.ctx.name}: restoring v86 read its clock ${got.reads - clockAtRestore.reads} times, the snapshot ${s.clock.reads - clockAtRestore.reads}`);
    this.clock.loadState(s.clock);
    this.rng.setState(s.rng);
    this.log = log;
  }

  private quantum(): void {
    this.quanta++;
    if (this.instance) this.liveQuantum(this.instance.machine.cpu);
    else if (this.replaying) this.replayQuantum(this.replaying);
  }

  private liveQuantum(cpu: V86Cpu): void {
    const q = this.ctx.queue;
    this.ops = [];
    this.lastStamp = -1;
    let t = 0;
    withHost(this.host, () => {
      this.clock.skipTo(q.now);
      t = cpu.main_loop();
      this.instance?.finishJit();
      for (const apply of this.deferred.splice(0)) apply();
    });
    const g = this.clock.now();
    let next: Time;
    if (this.hlt() !== 0) {
      const wait = Number.isFinite(t) && t > 0 ? Math.ceil(t * 1e6) : IDLE_RETRY_NS;
      next = Math.max(q.now, g) + wait;
    } else {
      next = Math.max(q.now + 1, g);
    }
    this.log.quanta.push({ ops: this.ops, next });
    this.ops = null;
    q.schedule(this.quantumEv, next);
  }

  private replayQuantum(log: GuestLog): void {
    const qn = log.nextQuantum();
    if (!qn) {
      this.divergence ??= `quantum at ${this.ctx.queue.now} beyond the end of the log`;
      return;
    }
    const ops = qn.ops;
    this.replayActive = true;
    this.replayStamp = -1;
    try {
      this.replayOps(ops);
    } finally {
      this.replayActive = false;
    }
    this.ctx.queue.schedule(this.quantumEv, qn.next);
  }

  private replayOps(ops: readonly (number | string)[]): void {
    for (let i = 0; i < ops.length; ) {
      const op = ops[i]!;
      if (typeof op === 'string') {
        this.deliverSerial(op);
        i++;
        continue;
      }
      const value = ops[i + 1] as number;
      i += 2;
      if (op === SYNC) {
        // The CPU's clock while it waits for the catch-up is the catch-up's time, as in the live quantum: in a worker
        // that is the own time the others wait for (without it the guest reported the last stamp's time while it
        // waited, and a main-thread event between the two waited for it in turn, for good).
        this.replayStamp = value;
        this.catchUp(value);
        continue;
      }
      if (op === STAMP) {
        this.replayStamp = value;
        continue;
      }
      const a = decodeAccess(op);
      const target = this.targets[a.target];
      if (!target) {
        this.divergence ??= `no register window ${a.target}`;
        continue;
      }
      if (a.write) target.write(a.offset, a.size, value);
      else {
        const got = target.read(a.offset, a.size);
        if (got !== value) this.divergence ??= `read of window ${a.target} +${a.offset} gave ${got}, log has ${value} (t=${this.ctx.queue.now})`;
      }
    }
  }

  private serialOut(ch: string): void {
    // In a worker thread the serial port reads nothing of the world, so it does not wait for it; the console
    // stamps its lines with the CPU's clock instead (guest-node.ts). It is a moment to say how far the CPU is.
    const ops = this.ops;
    if (!this.ctx.queue.gate) this.sync();
    else {
      this.clockWatch?.(undefined);
      const g = this.clock.now();
      if (ops && g !== this.lastStamp) {
        this.lastStamp = g;
        ops.push(STAMP, g);
      }
    }
    if (ops) {
      const last = ops.length - 1;
      // Access values are numbers, so a string at the end is a text op: extend it.
      if (last >= 0 && typeof ops[last] === 'string') ops[last] = (ops[last] as string) + ch;
      else ops.push(ch);
    }
    this.deliverSerial(ch);
  }

  private deliverSerial(text: string): void {
    for (const l of this.serialListeners) l(text);
  }

  /**
   * v86's retired-instruction counter, read through a view of its wasm memory. The view is kept while it is
   * attached: a grown memory detaches the old buffer, and a view of a detached buffer has length 0 (checking that
   * is cheap; WebAssembly.Memory's `buffer` getter, read per call, was ≈1.5 % of a guest run: v86 reads its
   * clock tens of millions of times). A new instance resets the views (takeOver).
   */
  private counter(): number {
    let v = this.counterView;
    if (v === null || v.length === 0) {
      const inst = this.instance;
      if (!inst) return 0;
      v = this.counterView = new Uint32Array(inst.machine.cpu.wasm_memory.buffer, INSTRUCTION_COUNTER, 1);
    }
    return v[0]!;
  }

  private hlt(): number {
    let v = this.hltView;
    if (v === null || v.length === 0) {
      const inst = this.instance;
      if (!inst) return 1;
      v = this.hltView = new Uint8Array(inst.machine.cpu.wasm_memory.buffer, IN_HLT, 1);
    }
    return v[0]!;
  }
}
