/**
 * devnp-ne2000.so: the native io-pkt NE2000 driver (NetBSD `ne`/`dp8390` lineage) as a NativeDriverModule.
 *
 * drvr_init parses the options, probes (ISA at `ioport=`, else PCI 10ec:8029), and dev_attaches each card
 * found. Interrupts go through io-pkt's interrupt_entry_init: the handler is the DP8390 interrupt loop; its
 * enable callback does nothing extra because io-pkt itself unmasks the line when the handler reports done.
 *
 * Interface name: QNX's documentation for the NE2000 shows `io-pkt-v4 -dne2000` followed by `ifconfig en0`,
 * so this driver attaches with the base name "en" (not NetBSD's "ne"): scripts written for QNX keep working.
 */
import { Errno, KernelError, type Co, type ThreadCtx } from '../../kernel/api';
import { _SLOG_ERROR, _SLOG_INFO, nicPriorityOption, type IoPkt, type NativeDriverModule, type SlogSeverity } from '../../io-pkt/driver-api';
import type { NicConfig, NicStats } from '../../net/hw-nicinfo';
import { IFF_ALLMULTI, IFF_OACTIVE, IFF_PROMISC, IFF_RUNNING, type Ifnet, type IfnetOps } from '../../net/if';
import { TX_WATCHDOG_NS } from '../costs';
import { Dp8390, type Dp8390Host, type RxBuffer, type RxFilter } from '../dp8390/dp8390';
import { NE2000_NPORTS } from '../dp8390/regs';
import { isaMedia, rtl8029Media, type Ne2000Media } from './media';
import { formatMac, parseNe2000Options, type Ne2000Options } from './options';
import { probeNe2000, type FoundCard } from './probe';
import { strerror } from '../../lib/errno';
import { optionSeverity, probeNoteSeverity } from '../log-severity';

/** Base name of devnp-ne2000 interfaces (see the file comment). */
export const NE2000_IF_BASENAME = 'en';

/** Per-card driver state (the softc). */
export class Ne2000Softc {
  ifp: Ifnet | null = null;
  intrId = -1;
  readonly core: Dp8390;
  /** What the driver determined of its medium (media.ts): read from page 3 on an RTL8029 at init. */
  media: Ne2000Media = isaMedia();
  private cancelWatchdog: (() => void) | null = null;
  private lastTxArm = 0;

  constructor(readonly iopkt: IoPkt, readonly card: FoundCard, readonly opts: Ne2000Options) {
    const self = this;
    const host: Dp8390Host = {
      dequeue: () => self.ifp?.snd.shift() ?? null,
      // m_getcl: io-pkt's clusters here are not a bounded pool, so this allocation does not fail; the ring
      // reader still counts a failure (rxFailedAllocs) for any host whose allocation can.
      allocRx: (len: number): RxBuffer => ({ data: new Uint8Array(len) }),
      deliver(ctx: ThreadCtx, buf: RxBuffer, pktId: number): void {
        const ifp = self.ifp;
        if (ifp) iopkt.ifInput(ctx, ifp, { data: buf.data, pktId, rcvif: ifp });
      },
      setOactive(on: boolean): void {
        if (!self.ifp) return;
        self.ifp.flags = on ? self.ifp.flags | IFF_OACTIVE : self.ifp.flags & ~IFF_OACTIVE;
      },
      link(up: boolean): void {
        if (!self.ifp) return;
        self.ifp.media = { ...self.ifp.media, linkUp: up };
        iopkt.linkState(self.ifp, up);
      },
      watchdog: (arm: boolean) => self.watchdog(arm),
      log: (text: string, severity?: SlogSeverity) => iopkt.log(text, severity),
    };
    this.core = new Dp8390(card.io, card.type, host);
  }

  /**
   * NetBSD's if_timer: 2 s after the last transmit command without a completion, reset. A 1 s callout runs
   * only while transmissions are outstanding, so an idle interface leaves no events in the queue.
   */
  private watchdog(arm: boolean): void {
    if (!arm) {
      const cancel = this.cancelWatchdog;
      this.cancelWatchdog = null;
      cancel?.();
      return;
    }
    this.lastTxArm = this.iopkt.ctx.now();
    if (this.cancelWatchdog) return;
    const self = this;
    this.cancelWatchdog = this.iopkt.callout(TX_WATCHDOG_NS / 2, function* (cctx: ThreadCtx): Co<void> {
      if (self.core.txPending > 0 && cctx.now() - self.lastTxArm >= TX_WATCHDOG_NS) {
        yield* self.core.watchdogTimeout(cctx);
      }
    });
  }

  filter(ifp: Ifnet): RxFilter {
    return {
      promiscuous: this.opts.promiscuous || (ifp.flags & IFF_PROMISC) !== 0,
      allMulticast: (ifp.flags & IFF_ALLMULTI) !== 0,
      multicast: ifp.multicast,
      noMulticast: this.opts.noMulticast,
    };
  }
}

function softcOf(ifp: Ifnet): Ne2000Softc {
  return ifp.softc as Ne2000Softc;
}

const ops: IfnetOps = {
  *init(ifp: Ifnet): Co<number> {
    const sc = softcOf(ifp);
    const ctx = sc.iopkt.ctx;
    yield* sc.core.init(ctx, ifp.lladdr, sc.filter(ifp));
    if (sc.card.busKind === 'pci') sc.media = rtl8029Media(yield* sc.core.withLock(ctx, () => sc.card.io.rtl8029Media(ctx, true)));
    ifp.flags |= IFF_RUNNING;
    ifp.media = { subtype: sc.media.subtype, fullDuplex: sc.media.fullDuplex, linkUp: sc.core.linkUp };
    sc.iopkt.linkState(ifp, sc.core.linkUp);
    return 0;
  },
  /** if_start on the calling io-pkt thread: the stack context's, or a thread forwarding without it. */
  *start(ifp: Ifnet, ctx: ThreadCtx = softcOf(ifp).iopkt.ctx): Co<void> {
    if ((ifp.flags & (IFF_RUNNING | IFF_OACTIVE)) !== IFF_RUNNING) return;
    yield* softcOf(ifp).core.start(ctx);
  },
  *stop(ifp: Ifnet, _disable: boolean): Co<void> {
    const sc = softcOf(ifp);
    yield* sc.core.stop(sc.iopkt.ctx);
    ifp.flags &= ~(IFF_RUNNING | IFF_OACTIVE);
  },
  *setFilter(ifp: Ifnet): Co<void> {
    const sc = softcOf(ifp);
    yield* sc.core.setFilter(sc.iopkt.ctx, sc.filter(ifp));
  },
  *detach(ifp: Ifnet): Co<number> {
    const sc = softcOf(ifp);
    yield* sc.core.stop(sc.iopkt.ctx);
    ifp.flags &= ~(IFF_RUNNING | IFF_OACTIVE);
    if (sc.intrId >= 0) sc.iopkt.interruptEntryRemove(sc.intrId);
    sc.intrId = -1;
    sc.iopkt.devDetach(ifp);
    sc.ifp = null;
    return 0;
  },
  config(ifp: Ifnet): NicConfig {
    return nicConfig(softcOf(ifp), ifp);
  },
  stats(ifp: Ifnet): NicStats {
    return { ...softcOf(ifp).core.stats };
  },
};

export function nicConfig(sc: Ne2000Softc, ifp: Ifnet): NicConfig {
  return {
    description: sc.card.description,
    mac: ifp.lladdr.slice(),
    permanentMac: sc.card.promMac.slice(),
    mediaRateKbps: 10000,
    fullDuplex: sc.media.fullDuplex,
    connector: sc.media.connector,
    mtu: ifp.mtu + 14,
    irq: [sc.card.irq],
    ioPorts: [{ base: sc.card.io.base, length: NE2000_NPORTS }],
    memWindows: [],
    promiscuous: sc.opts.promiscuous || (ifp.flags & IFF_PROMISC) !== 0,
    multicast: !sc.opts.noMulticast,
  };
}

function* drvrInit(iopkt: IoPkt, options: string): Co<number> {
  const ctx = iopkt.ctx;
  const o = parseNe2000Options(options);
  for (const e of o.errors) iopkt.log(`devnp-ne2000: ${e}`, optionSeverity(e));
  const probe = yield* probeNe2000(ctx, o);
  if (o.verbose || probe.cards.length === 0) for (const n of probe.notes) iopkt.log(`devnp-ne2000: ${n}`, probeNoteSeverity(probe.cards.length));
  if (probe.badOptions) return Errno.EINVAL;
  let attached = 0;
  let failure: number = Errno.ENODEV;
  for (const card of probe.cards) {
    const sc = new Ne2000Softc(iopkt, card, o);
    const lladdr = o.mac ?? card.promMac;
    let ifp: Ifnet;
    try {
      ifp = iopkt.devAttach(NE2000_IF_BASENAME, o.raw, ops, lladdr.slice(), sc);
    } catch (e) {
      iopkt.log(`devnp-ne2000: dev_attach failed: ${e instanceof KernelError ? e.message : String(e)}`, _SLOG_ERROR);
      continue;
    }
    sc.ifp = ifp;
    sc.core.counters = ifp.data;
    ifp.media = { subtype: sc.media.subtype, fullDuplex: false, linkUp: false };
    try {
      sc.intrId = iopkt.interruptEntryInit(
        card.irq,
        (wctx: ThreadCtx) => sc.core.intr(wctx),
        () => undefined,
        nicPriorityOption(o.raw.get('priority')),
      );
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      // The attach routine's error path: give the interface back before failing (no half-attached ifnet).
      // ne_isa_attach: aprint_error_dev(…, "couldn't establish interrupt handler") — an error.
      iopkt.log(`devnp-ne2000: ${ifp.name}: unable to attach irq ${card.irq}: ${strerror(e.errno)}`, _SLOG_ERROR);
      iopkt.devDetach(ifp);
      failure = e.errno;
      continue;
    }
    attached++;
    if (o.verbose) {
      iopkt.log(`${ifp.name}: ${card.description} at ioport 0x${card.io.base.toString(16)} irq ${card.irq}, ` +
        `${card.type.toUpperCase()}, MAC ${formatMac(lladdr)}`, _SLOG_INFO); // the attach banner (aprint_normal)
    }
  }
  return attached > 0 ? 0 : failure;
}

export const devnpNe2000: NativeDriverModule = {
  kind: 'iopkt_drvr_entry',
  version: 1,
  type: 'general',
  drvrInit,
};
