/**
 * devn-ne2000.so: the io-net flavour of the NE2000 driver, as a LegacyDriverModule. io-pkt cannot load it
 * directly; it loads devnp-shim.so, which emulates io-net (stack/drivers/shim) and hands this module an
 * IoNetSelf. Same register logic as devnp-ne2000 (the Dp8390 core), io-net conventions around it:
 *  - the NIC is initialised when the interface registers (io-net drivers were always running);
 *  - the driver owns an interrupt thread: InterruptAttachEvent, InterruptWait, handle, InterruptUnmask;
 *  - transmit requests arrive through tx_down and wait in a driver queue for a free on-card buffer;
 *    tx_done returns each npkt once its bytes are on the card;
 *  - received frames go up in freshly allocated npkts through tx_up.
 */
import { Errno, type Co, type ThreadCtx } from '../../kernel/api';
import type { LegacyDriverModule } from '../../io-pkt/driver-api';
import type { NicConfig, NicStats } from '../../net/hw-nicinfo';
import { LEGACY_TXQ_MAX } from '../costs';
import { Dp8390, type RxFilter, type TxFrame } from '../dp8390/dp8390';
import { NE2000_NPORTS } from '../dp8390/regs';
import type { IoNetDevctl, IoNetSelf, Npkt } from '../shim/ionet-api';
import { isaMedia, rtl8029Media, type Ne2000Media } from './media';
import { parseCNumber, parseNe2000Options, type Ne2000Options } from './options';
import { probeNe2000, type FoundCard } from './probe';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';
import { optionSeverity, probeNoteSeverity } from '../log-severity';

/** io-net drivers' default interrupt-thread priority (io-net's own default, like io-pkt's rx_prio). */
const DEFAULT_INTR_PRIORITY = 21;

class LegacyNe2000 {
  handle = -1;
  readonly core: Dp8390<Npkt>;
  private readonly txq: Npkt[] = [];
  private intrId = -1;
  private shutdown = false;
  private filter: RxFilter;
  /** What the driver determined of its medium (media.ts): read from page 3 on an RTL8029 at IFUP. */
  private media: Ne2000Media = isaMedia();
  readonly lladdr: Uint8Array;

  constructor(private readonly ion: IoNetSelf, readonly card: FoundCard, readonly opts: Ne2000Options) {
    this.lladdr = (opts.mac ?? card.promMac).slice();
    this.filter = { promiscuous: opts.promiscuous, allMulticast: false, multicast: [], noMulticast: opts.noMulticast };
    const self = this;
    this.core = new Dp8390(card.io, card.type, {
      dequeue: () => self.dequeue(),
      // io-net's npkt pool can run dry: the ring reader then drops the frame and counts rxFailedAllocs.
      allocRx: (len) => ion.alloc(len),
      deliver: (ctx, npkt, pktId) => self.deliver(ctx, npkt, pktId),
      setOactive: () => undefined,
      link: (up) => ion.linkState(self.handle, up),
      log: (text, severity) => ion.log(text, severity),
    });
  }

  /** The packet leaves the queue and its bytes are uploaded right after: io-net gets it back now. */
  private dequeue(): TxFrame | null {
    const npkt = this.txq.shift();
    if (!npkt) return null;
    this.ion.txDone(this.handle, npkt);
    return { data: npkt.data, pktId: npkt.pktId };
  }

  /** The frame is in an npkt from io-net's alloc: send it up. */
  private deliver(ctx: ThreadCtx, npkt: Npkt, pktId: number): void {
    npkt.pktId = pktId;
    this.ion.txUp(ctx, this.handle, npkt);
  }

  *txDown(ctx: ThreadCtx, npkt: Npkt): Co<number> {
    if (this.shutdown) return Errno.ENETDOWN;
    if (this.txq.length >= LEGACY_TXQ_MAX) return Errno.ENOBUFS;
    this.txq.push(npkt);
    if (this.core.running) yield* this.core.start(ctx);
    return 0;
  }

  getStats(): NicStats {
    return { ...this.core.stats };
  }

  getConfig(): NicConfig {
    return {
      description: this.card.description, mac: this.lladdr.slice(), permanentMac: this.card.promMac.slice(),
      mediaRateKbps: 10000, fullDuplex: this.media.fullDuplex,
      connector: this.media.connector, mtu: 1514, irq: [this.card.irq],
      ioPorts: [{ base: this.card.io.base, length: NE2000_NPORTS }], memWindows: [],
      promiscuous: this.filter.promiscuous, multicast: !this.filter.noMulticast,
    };
  }

  *devctl(ctx: ThreadCtx, req: IoNetDevctl): Co<number> {
    switch (req.dcmd) {
      case 'PROMISCUOUS':
        this.filter = { ...this.filter, promiscuous: req.on || this.opts.promiscuous };
        yield* this.core.setFilter(ctx, this.filter);
        return 0;
      case 'CHANGE_MCAST':
        this.filter = { ...this.filter, multicast: req.addrs, allMulticast: req.all };
        yield* this.core.setFilter(ctx, this.filter);
        return 0;
      case 'IFUP':
        if (!this.core.running) yield* this.core.init(ctx, this.lladdr, this.filter);
        if (this.card.busKind === 'pci') {
          const io = this.card.io;
          this.media = rtl8029Media(yield* this.core.withLock(ctx, () => io.rtl8029Media(ctx, true)));
        }
        return 0;
      case 'IFDOWN':
        yield* this.core.stop(ctx);
        return 0;
    }
  }

  /** The driver's interrupt thread (io-net style). */
  startInterruptThread(ctx: ThreadCtx): void {
    const self = this;
    const prio = parseCNumber(this.opts.raw.get('priority') ?? '') ?? DEFAULT_INTR_PRIORITY;
    ctx.ThreadCreate(`devn-ne2000 intr ${this.card.irq}`, prio, function* (tctx: ThreadCtx): Co<void> {
      const irq = self.card.irq;
      self.intrId = tctx.InterruptAttachEvent(irq, { notify: 'intr' });
      while (!self.shutdown) {
        yield* tctx.InterruptWait();
        if (self.shutdown) break;
        while (!(yield* self.core.intr(tctx))) {
          // more work than one pass allows: go round again (the line stays masked meanwhile)
        }
        tctx.InterruptUnmask(irq, self.intrId);
      }
    });
  }

  *shutdown1(ctx: ThreadCtx): Co<void> {
    yield* this.core.stop(ctx);
  }

  *shutdown2(ctx: ThreadCtx): Co<void> {
    this.shutdown = true;
    if (this.intrId >= 0) ctx.InterruptDetach(this.intrId);
    this.intrId = -1;
    for (const npkt of this.txq.splice(0)) this.ion.txDone(this.handle, npkt);
  }
}

function* init(ionet: unknown, options: string): Co<number> {
  const ion = ionet as IoNetSelf;
  const ctx = ion.ctx;
  const o = parseNe2000Options(options);
  for (const e of o.errors) ion.log(`devn-ne2000: ${e}`, optionSeverity(e));
  const probe = yield* probeNe2000(ctx, o);
  if (o.verbose || probe.cards.length === 0) for (const n of probe.notes) ion.log(`devn-ne2000: ${n}`, probeNoteSeverity(probe.cards.length));
  if (probe.badOptions) return Errno.EINVAL;
  let registered = 0;
  for (const card of probe.cards) {
    const drv = new LegacyNe2000(ion, card, o);
    drv.startInterruptThread(ctx);
    const handle = ion.reg({
      driver: 'devn-ne2000',
      lladdr: drv.lladdr,
      mtu: 1500,
      options: o.raw,
      funcs: {
        txDown: (c, npkt) => drv.txDown(c, npkt),
        devctl: (c, req) => drv.devctl(c, req),
        getStats: () => drv.getStats(),
        getConfig: () => drv.getConfig(),
        shutdown1: (c) => drv.shutdown1(c),
        shutdown2: (c) => drv.shutdown2(c),
      },
    });
    if (handle < 0) {
      ion.log(`devn-ne2000: registration with io-net failed (errno ${-handle})`, _SLOG_ERROR);
      yield* drv.shutdown2(ctx);
      continue;
    }
    drv.handle = handle;
    // io-net drivers start the NIC as soon as the interface is registered.
    yield* drv.devctl(ctx, { dcmd: 'IFUP' });
    registered++;
  }
  return registered > 0 ? 0 : Errno.ENODEV;
}

export const devnNe2000: LegacyDriverModule = {
  kind: 'io_net_dll_entry',
  init,
};
