/**
 * A fake io-pkt implementing the driver side of stack/io-pkt/driver-api.ts for driver tests: dev_attach makes
 * plain Ifnets (lan=/unit=/name= honoured), ifInput records frames, interrupt_entry_init runs the handler in
 * an "io-pkt" thread whenever the (level) line is asserted and not masked, callouts are periodic events.
 */
import { SimEvent } from '../../../emulator/machine/sim/event';
import { Priority } from '../../../emulator/machine/sim/priority';
import { Errno, KernelError, type Co, type ThreadCtx } from '../../../stack/kernel/api';
import type { DriverOptions, IoPkt } from '../../../stack/io-pkt/driver-api';
import { IFF_BROADCAST, IFF_MULTICAST, IFF_SIMPLEX, type Ifnet, type IfnetOps } from '../../../stack/net/if';
import type { Mbuf } from '../../../stack/net/mbuf';
import type { MiniKernel, MiniThread } from './mini-kernel';

interface Entry {
  irq: number;
  func: (wctx: ThreadCtx) => Co<boolean>;
  enable: (wctx: ThreadCtx) => void;
  busy: boolean;
  removed: boolean;
  runs: number;
}

export class FakeIoPkt implements IoPkt {
  readonly stack: MiniThread;
  readonly intrThread: MiniThread;
  readonly ifaces: Ifnet[] = [];
  readonly input: { ifp: Ifnet; m: Mbuf; t: number }[] = [];
  readonly links: { name: string; up: boolean }[] = [];
  readonly logs: string[] = [];
  readonly entries: Entry[] = [];
  private ev = 0;
  /** While paused no interrupt handler starts (a test stand-in for a busy or starved io-pkt thread). */
  paused = false;

  constructor(readonly k: MiniKernel) {
    this.stack = k.thread('io-pkt stack');
    this.intrThread = k.thread('io-pkt intr');
    for (const [irq, w] of k.irqWires) w.onChange((level) => level && this.kick(irq));
  }

  get ctx(): ThreadCtx {
    return this.stack.ctx;
  }

  devAttach(basename: string, options: DriverOptions, ops: IfnetOps, lladdr: Uint8Array, softc: unknown): Ifnet {
    const base = options.get('name') ?? basename;
    const asked = options.get('lan') ?? options.get('unit');
    let unit = asked !== undefined ? Number(asked) : 0;
    const taken = (u: number) => this.ifaces.some((i) => i.name === `${base}${u}`);
    if (asked !== undefined && taken(unit)) throw new KernelError(Errno.EALREADY, 'dev_attach');
    while (taken(unit)) unit++;
    const ifp: Ifnet = {
      name: `${base}${unit}`, unit, driver: basename, flags: IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST, mtu: 1500,
      lladdr, media: { subtype: 'none', fullDuplex: false, linkUp: false }, snd: [], sndMax: 50,
      data: { ipackets: 0, ierrors: 0, opackets: 0, oerrors: 0, collisions: 0, ibytes: 0, obytes: 0, imcasts: 0, omcasts: 0, iqdrops: 0, noproto: 0 },
      multicast: [], ops, softc,
    };
    this.ifaces.push(ifp);
    return ifp;
  }

  devDetach(ifp: Ifnet): void {
    const i = this.ifaces.indexOf(ifp);
    if (i >= 0) this.ifaces.splice(i, 1);
  }

  interruptEntryInit(irq: number, func: (wctx: ThreadCtx) => Co<boolean>, enable: (wctx: ThreadCtx) => void): number {
    this.entries.push({ irq, func, enable, busy: false, removed: false, runs: 0 });
    const id = this.entries.length - 1;
    this.kick(irq);
    return id;
  }

  interruptEntryRemove(id: number): void {
    const e = this.entries[id];
    if (e) e.removed = true;
  }

  /** The line is asserted: run each idle, attached handler (the ISR masks the source while it runs). */
  private kick(irq: number): void {
    if (this.paused || !this.k.irqWires.get(irq)?.level) return;
    for (const e of this.entries) {
      if (e.irq !== irq || e.busy || e.removed) continue;
      e.busy = true;
      const self = this;
      const ctx = this.intrThread.ctx;
      this.later(0, () => {
        this.k.run(this.intrThread, (function* (): Co<void> {
          e.runs++;
          while (!(yield* e.func(ctx))) {
            // requeued: io-pkt calls the handler again
          }
          e.enable(ctx);
          e.busy = false;
          self.later(0, () => self.kick(irq));
        })());
      });
    }
  }

  resume(): void {
    this.paused = false;
    for (const irq of this.k.irqWires.keys()) this.kick(irq);
  }

  ifInput(_ctx: ThreadCtx, ifp: Ifnet, m: Mbuf): void {
    this.input.push({ ifp, m, t: this.k.sim.queue.now });
  }

  linkState(ifp: Ifnet, up: boolean): void {
    this.links.push({ name: ifp.name, up });
  }

  callout(periodNs: number, fn: (ctx: ThreadCtx) => Co<void>): () => void {
    let cancelled = false;
    const ev = new SimEvent(`callout.${this.ev++}`, () => {
      if (cancelled) return;
      this.k.run(this.stack, fn(this.stack.ctx));
      if (!cancelled) this.k.sim.queue.scheduleIn(ev, periodNs);
    }, Priority.OsTimer);
    this.k.sim.queue.scheduleIn(ev, periodNs);
    return () => {
      cancelled = true;
      this.k.sim.queue.deschedule(ev);
    };
  }

  log(text: string): void {
    this.logs.push(text);
  }

  private later(ns: number, fn: () => void): void {
    this.k.sim.queue.scheduleIn(new SimEvent(`iopkt.${this.ev++}`, fn, Priority.Cpu), ns);
  }

  /** Run an ifnet op (or any generator) in the stack thread to completion. */
  call<T>(gen: Co<T>): T {
    return this.k.finish(this.k.run(this.stack, gen));
  }

  /** Queue frames on if_snd and call if_start, as ether_output does. */
  send(ifp: Ifnet, frames: Mbuf[]): void {
    ifp.snd.push(...frames);
    this.call(ifp.ops.start(ifp));
  }
}
