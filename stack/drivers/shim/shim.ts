/**
 * devnp-shim.so: runs a legacy io-net driver (devn-*.so) inside io-pkt. io-pkt loads it when a module exports
 * io_net_dll_entry and passes the option string "<path> <driver options>" (facts/io-pkt.md §1). The shim loads
 * the legacy module, gives it an io-net emulation (IoNetSelf), and turns each interface the driver registers
 * into an io-pkt ifnet named `enN` (shim interfaces are always `en`, whatever `name=` io-net would have taken).
 *
 * Frames cross between npkt and mbuf by copy. `shimrxcopy` (shim option, removed before the driver sees its
 * options) selects the receive path:
 *  - `shimrxcopy=1` (default): the received npkt's bytes are copied into a fresh mbuf (copy cost charged) and the
 *    npkt is freed at once — the driver may recycle its buffers immediately;
 *  - `shimrxcopy=0`: the mbuf borrows the npkt's buffer (no copy, only the per-packet cost); correct for drivers
 *    that allocate a new npkt per received frame, as devn-ne2000 does.
 * Transmit always copies the mbuf into an npkt (the driver keeps npkts queued after if_start returns).
 *
 * Detach (`ifconfig enN destroy`, or `umount /dev/io-net/enN` handled by io-pkt) calls the driver's
 * shutdown1/shutdown2 and deregisters the interface.
 */
import { Errno, KernelError, type Co, type ThreadCtx } from '../../kernel/api';
import type { IoPkt, LoadableModule, NativeDriverModule } from '../../io-pkt/driver-api';
import type { NicConfig, NicStats } from '../../net/hw-nicinfo';
import { IFF_ALLMULTI, IFF_PROMISC, IFF_RUNNING, type Ifnet, type IfnetOps } from '../../net/if';
import { SHIM_COPY_PER_BYTE_NS, SHIM_PER_PACKET_NS } from '../costs';
import type { IoNetRegistrant, IoNetSelf, Npkt } from './ionet-api';
import { _SLOG_ERROR, type SlogSeverity } from '../../io-pkt/driver-api';

/** Base name of every shim interface. */
export const SHIM_IF_BASENAME = 'en';

export type ModuleResolver = (name: string) => LoadableModule | undefined;

interface ShimIface {
  handle: number;
  reg: IoNetRegistrant;
  ifp: Ifnet;
  iopkt: IoPkt;
  /** Transmit npkts handed to the driver and not yet returned with tx_done. */
  inflight: number;
  owner: IoNetSelf;
}

/** Split "<path> <opts>" and take the shim's own options out of the driver's. */
export function splitShimOptions(options: string): { path: string; driverOptions: string; rxCopy: boolean } {
  const t = options.trim();
  const sp = t.search(/\s/);
  const path = sp < 0 ? t : t.slice(0, sp);
  const rest = sp < 0 ? '' : t.slice(sp).trim();
  let rxCopy = true;
  const kept: string[] = [];
  for (const part of rest.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (p === 'shimrxcopy' || p.startsWith('shimrxcopy=')) {
      rxCopy = p === 'shimrxcopy' || p.slice('shimrxcopy='.length) !== '0';
    } else {
      kept.push(p);
    }
  }
  return { path, driverOptions: kept.join(','), rxCopy };
}

const shimOps: IfnetOps = {
  *init(ifp: Ifnet): Co<number> {
    const s = ifp.softc as ShimIface;
    const ctx = s.iopkt.ctx;
    const rc = yield* s.reg.funcs.devctl(ctx, { dcmd: 'IFUP' });
    if (rc !== 0) return rc;
    yield* pushFilter(s);
    ifp.flags |= IFF_RUNNING;
    ifp.media = { ...ifp.media, linkUp: true };
    s.iopkt.linkState(ifp, true);
    return 0;
  },
  /** if_start on the calling io-pkt thread: the stack context's, or a thread forwarding without it. */
  *start(ifp: Ifnet, ctx: ThreadCtx = (ifp.softc as ShimIface).iopkt.ctx): Co<void> {
    const s = ifp.softc as ShimIface;
    if (!(ifp.flags & IFF_RUNNING)) return;
    for (;;) {
      const m = ifp.snd[0];
      if (!m) return;
      ctx.charge(SHIM_PER_PACKET_NS + SHIM_COPY_PER_BYTE_NS * m.data.length);
      const npkt: Npkt = { data: m.data.slice(), pktId: m.pktId, flags: 0, iface: s.handle };
      const rc = yield* s.reg.funcs.txDown(ctx, npkt);
      if (rc === Errno.ENOBUFS) return; // the driver's queue is full: the frame stays at the head of if_snd
      ifp.snd.shift();
      s.inflight++;
      if (rc !== 0) {
        s.inflight--;
        ifp.data.oerrors++;
      }
    }
  },
  *stop(ifp: Ifnet): Co<void> {
    const s = ifp.softc as ShimIface;
    yield* s.reg.funcs.devctl(s.iopkt.ctx, { dcmd: 'IFDOWN' });
    ifp.flags &= ~IFF_RUNNING;
  },
  *setFilter(ifp: Ifnet): Co<void> {
    yield* pushFilter(ifp.softc as ShimIface);
  },
  *detach(ifp: Ifnet): Co<number> {
    const s = ifp.softc as ShimIface;
    const ctx = s.iopkt.ctx;
    yield* s.reg.funcs.shutdown1(ctx);
    yield* s.reg.funcs.shutdown2(ctx);
    ifp.flags &= ~IFF_RUNNING;
    s.owner.dereg(s.handle);
    s.iopkt.devDetach(ifp);
    return 0;
  },
  config(ifp: Ifnet): NicConfig {
    const c = (ifp.softc as ShimIface).reg.funcs.getConfig();
    return { ...c, mac: ifp.lladdr.slice(), promiscuous: (ifp.flags & IFF_PROMISC) !== 0 };
  },
  stats(ifp: Ifnet): NicStats {
    return (ifp.softc as ShimIface).reg.funcs.getStats();
  },
};

function* pushFilter(s: ShimIface): Co<void> {
  const ctx = s.iopkt.ctx;
  const f = s.ifp.flags;
  yield* s.reg.funcs.devctl(ctx, { dcmd: 'PROMISCUOUS', on: (f & IFF_PROMISC) !== 0 });
  yield* s.reg.funcs.devctl(ctx, { dcmd: 'CHANGE_MCAST', addrs: s.ifp.multicast, all: (f & IFF_ALLMULTI) !== 0 });
}

/** The io-net emulation one shim instance gives its legacy driver. */
class IoNetEmulation implements IoNetSelf {
  readonly ifaces: (ShimIface | null)[] = [];
  allocated = 0;
  freed = 0;

  constructor(private readonly iopkt: IoPkt, private readonly rxCopy: boolean) {}

  get ctx() {
    return this.iopkt.ctx;
  }

  reg(reg: IoNetRegistrant): number {
    const handle = this.ifaces.length;
    // ifp is filled right below: dev_attach needs the softc first.
    const s = { handle, reg, iopkt: this.iopkt, inflight: 0, owner: this } as unknown as ShimIface;
    try {
      s.ifp = this.iopkt.devAttach(SHIM_IF_BASENAME, reg.options, shimOps, reg.lladdr.slice(), s);
    } catch (e) {
      return -(e instanceof KernelError ? e.errno : Errno.EINVAL);
    }
    s.ifp.media = { subtype: '10baseT', fullDuplex: false, linkUp: false };
    this.ifaces.push(s);
    return handle;
  }

  dereg(handle: number): void {
    if (this.ifaces[handle]) this.ifaces[handle] = null;
  }

  alloc(size: number): Npkt | null {
    this.allocated++;
    return { data: new Uint8Array(size), pktId: 0, flags: 0, iface: -1 };
  }

  free(_npkt: Npkt): void {
    this.freed++;
  }

  txUp(ctx: ThreadCtx, handle: number, npkt: Npkt): void {
    const s = this.ifaces[handle];
    if (!s) {
      this.free(npkt);
      return;
    }
    ctx.charge(SHIM_PER_PACKET_NS + (this.rxCopy ? SHIM_COPY_PER_BYTE_NS * npkt.data.length : 0));
    const data = this.rxCopy ? npkt.data.slice() : npkt.data;
    this.iopkt.ifInput(ctx, s.ifp, { data, pktId: npkt.pktId, rcvif: s.ifp });
    this.free(npkt);
  }

  txDone(handle: number, npkt: Npkt): void {
    const s = this.ifaces[handle];
    if (s && s.inflight > 0) s.inflight--;
    this.free(npkt);
  }

  linkState(handle: number, up: boolean): void {
    const s = this.ifaces[handle];
    if (!s) return;
    s.ifp.media = { ...s.ifp.media, linkUp: up };
    this.iopkt.linkState(s.ifp, up);
  }

  log(text: string, severity?: SlogSeverity): void {
    this.iopkt.log(text, severity);
  }
}

/** devnp-shim.so, resolving the legacy module by file name through `resolve` (the dll table). */
export function createShim(resolve: ModuleResolver): NativeDriverModule {
  return {
    kind: 'iopkt_drvr_entry',
    version: 1,
    type: 'general',
    *drvrInit(iopkt: IoPkt, options: string): Co<number> {
      const { path, driverOptions, rxCopy } = splitShimOptions(options);
      const file = path.slice(path.lastIndexOf('/') + 1);
      const mod = file === '' ? undefined : resolve(file);
      if (!mod || mod.kind !== 'io_net_dll_entry') {
        iopkt.log(`devnp-shim: ${path || '(no driver)'}: not an io-net driver`, _SLOG_ERROR);
        return Errno.ENOENT;
      }
      const ion = new IoNetEmulation(iopkt, rxCopy);
      const rc = yield* mod.init(ion, driverOptions);
      if (rc !== 0) return rc;
      return ion.ifaces.some((s) => s !== null) ? 0 : Errno.ENODEV;
    },
  };
}
