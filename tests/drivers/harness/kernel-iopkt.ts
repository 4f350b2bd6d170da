/**
 * A small IoPkt for running the drivers on the real kernel (stack/kernel/kernel.ts) before io-pkt exists:
 * interrupt_entry_init is an io-pkt-style thread (InterruptAttachEvent, InterruptWait, call the handler until it
 * reports done, InterruptUnmask); callouts are sleeping threads; ifInput records frames.
 */
import type { Co, ThreadCtx } from '../../../stack/kernel/api';
import type { DriverOptions, IoPkt } from '../../../stack/io-pkt/driver-api';
import { IFF_BROADCAST, IFF_MULTICAST, IFF_SIMPLEX, type Ifnet, type IfnetOps } from '../../../stack/net/if';
import type { Mbuf } from '../../../stack/net/mbuf';

export class KernelIoPkt implements IoPkt {
  readonly ifaces: Ifnet[] = [];
  readonly input: { ifp: Ifnet; m: Mbuf; t: number }[] = [];
  readonly logs: string[] = [];
  private readonly removed = new Set<number>();
  private nextEntry = 0;

  constructor(readonly ctx: ThreadCtx) {}

  devAttach(basename: string, options: DriverOptions, ops: IfnetOps, lladdr: Uint8Array, softc: unknown): Ifnet {
    let unit = 0;
    while (this.ifaces.some((i) => i.unit === unit)) unit++;
    const ifp: Ifnet = {
      name: `${options.get('name') ?? basename}${unit}`, unit, driver: basename,
      flags: IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST, mtu: 1500, lladdr,
      media: { subtype: 'none', fullDuplex: false, linkUp: false }, snd: [], sndMax: 50,
      data: { ipackets: 0, ierrors: 0, opackets: 0, oerrors: 0, collisions: 0, ibytes: 0, obytes: 0, imcasts: 0, omcasts: 0, iqdrops: 0, noproto: 0 },
      multicast: [], ops, softc,
    };
    this.ifaces.push(ifp);
    return ifp;
  }

  devDetach(ifp: Ifnet): void {
    this.ifaces.splice(this.ifaces.indexOf(ifp), 1);
  }

  interruptEntryInit(irq: number, func: (wctx: ThreadCtx) => Co<boolean>, enable: (wctx: ThreadCtx) => void): number {
    const entry = this.nextEntry++;
    const removed = this.removed;
    this.ctx.ThreadCreate(`io-pkt intr ${irq}`, 21, function* (t: ThreadCtx): Co<void> {
      const id = t.InterruptAttachEvent(irq, { notify: 'intr' });
      for (;;) {
        yield* t.InterruptWait();
        if (removed.has(entry)) return;
        while (!(yield* func(t))) {
          // requeued
        }
        enable(t);
        t.InterruptUnmask(irq, id);
      }
    });
    return entry;
  }

  interruptEntryRemove(id: number): void {
    this.removed.add(id);
  }

  ifInput(_ctx: ThreadCtx, ifp: Ifnet, m: Mbuf): void {
    this.input.push({ ifp, m, t: this.ctx.now() });
  }

  linkState(): void {}

  callout(periodNs: number, fn: (ctx: ThreadCtx) => Co<void>): () => void {
    let cancelled = false;
    this.ctx.ThreadCreate('callout', 21, function* (t: ThreadCtx): Co<void> {
      for (;;) {
        yield* t.sleep(periodNs);
        if (cancelled) return;
        yield* fn(t);
      }
    });
    return () => {
      cancelled = true;
    };
  }

  log(text: string): void {
    this.logs.push(text);
  }
}
