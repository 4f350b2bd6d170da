/**
 * The io-pkt side of the driver contract (driver-api.ts IoPkt), one instance per loaded module so the
 * stack knows which module made each device: dev_attach naming (lan=/unit=/name=, lowest free unit,
 * EALREADY), interrupt_entry_init, if_input, callouts and logging. It remembers what one drvr_init attached
 * (interfaces, interrupt entries, callouts) so that a failed init leaves nothing half-attached (`unwind`).
 */
import { pull } from 'lodash';
import { Errno, KernelError, type Co, type ThreadCtx } from '../kernel/api';
import type { DriverOptions, IoPkt, SlogSeverity } from './driver-api';
import { IFF_BROADCAST, IFF_MULTICAST, IFF_SIMPLEX, newIfData, type Ifnet, type IfnetOps } from '../net/if';
import type { Mbuf } from '../net/mbuf';
import type { IoPktProcess } from './process';
import type { Ieee80211Host } from '../net80211/var';
import type { CryptoFramework } from '../crypto/api';

/** NetBSD IFQ_MAXLEN: default if_snd length. */
export const IFQ_MAXLEN = 256;

function parseUnit(v: string): number | null {
  const t = v.trim();
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^0[0-7]*$/.test(t)) n = parseInt(t, 8);
  else if (/^[0-9]+$/.test(t)) n = parseInt(t, 10);
  else return null;
  return n;
}

/** "devnp-ne2000.so" → "ne2000"; "/lib/dll/devn-ne2000.so" → "ne2000"; "devnp-shim.so" → "shim". */
export function moduleBaseName(file: string): string {
  const b = file.slice(file.lastIndexOf('/') + 1);
  return b.replace(/^(devnp-|devn-|lsm-)/, '').replace(/\.so(\.\d+)*$/, '');
}

export class DriverHost implements IoPkt {
  /** What this module's init attached and has not detached since: undone by `unwind` when the init fails. */
  private readonly attachedIfs: Ifnet[] = [];
  private readonly attachedIntrs: number[] = [];
  private readonly callouts: (() => void)[] = [];

  constructor(private readonly p: IoPktProcess, readonly module: string) {}

  get ctx(): ThreadCtx {
    return this.p.ctx;
  }

  devAttach(basename: string, options: DriverOptions, ops: IfnetOps, lladdr: Uint8Array, softc: unknown): Ifnet {
    let base = basename;
    let unit = -1;
    for (const key of ['lan', 'unit']) {
      const v = options.get(key);
      if (v === undefined) continue;
      options.delete(key);
      const n = parseUnit(v);
      if (n !== null) unit = n;
    }
    const nm = options.get('name');
    const shim = moduleBaseName(this.module) === 'shim';
    if (nm !== undefined) {
      options.delete('name');
      // Legacy (shim) interfaces are always enN, whatever name= says.
      if (nm !== '' && !shim) base = nm;
    }
    const taken = (u: number) => this.p.devices.some((d) => d.base === base && d.unit === u);
    if (unit < 0) {
      unit = 0;
      while (taken(unit)) unit++;
    } else if (taken(unit)) {
      throw new KernelError(Errno.EALREADY, `dev_attach ${base}${unit}`);
    }
    const ifp: Ifnet = {
      name: `${base}${unit}`,
      unit,
      driver: moduleBaseName(this.module),
      flags: IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST,
      mtu: 1500,
      lladdr: lladdr.slice(0, 6),
      media: { subtype: 'none', fullDuplex: false, linkUp: false },
      snd: [],
      sndMax: IFQ_MAXLEN,
      data: newIfData(),
      multicast: [],
      ops,
      softc,
    };
    this.p.devices.push({ base, unit, module: this.module, ifp });
    this.attachedIfs.push(ifp);
    this.p.stack.attachInterface(ifp, 'ether');
    this.p.main.trace('ifnet', 'attach', 0, { if: ifp.name, driver: ifp.driver });
    if (ifp.driver === 'shim') this.ctx.pathAttach(`${this.p.cl.tcpip.prefix}/dev/io-net/${ifp.name}`, this.p.chid);
    return ifp;
  }

  devDetach(ifp: Ifnet): void {
    pull(this.attachedIfs, ifp);
    const i = this.p.devices.findIndex((d) => d.ifp === ifp);
    if (i >= 0) this.p.devices.splice(i, 1);
    this.p.stack.detachInterface(ifp);
    this.p.main.trace('ifnet', 'detach', 0, { if: ifp.name });
    if (ifp.driver === 'shim') this.ctx.pathDetach(`${this.p.cl.tcpip.prefix}/dev/io-net/${ifp.name}`);
    // dlclose when the module's last device is gone.
    if (!this.p.devices.some((d) => d.module === this.module)) this.p.loaded.delete(this.module);
  }

  interruptEntryInit(irq: number, func: (wctx: ThreadCtx) => Co<boolean>, enable: (wctx: ThreadCtx) => void, prio?: number): number {
    const id = this.p.attachInterrupt(irq, func, enable, prio);
    this.attachedIntrs.push(id);
    return id;
  }

  interruptEntryRemove(id: number): void {
    pull(this.attachedIntrs, id);
    this.p.detachInterrupt(id);
  }

  ifInput(ctx: ThreadCtx, ifp: Ifnet, m: Mbuf): void {
    this.p.enqueueRx(ctx, ifp, m);
  }

  linkState(ifp: Ifnet, up: boolean): void {
    if (ifp.media.linkUp !== up) ifp.media = { ...ifp.media, linkUp: up };
    this.p.main.trace('ifnet', 'link', 0, { if: ifp.name, up });
  }

  callout(periodNs: number, fn: (ctx: ThreadCtx) => Co<void>): () => void {
    const cancel = this.p.addDriverCallout(periodNs, fn);
    this.callouts.push(cancel);
    return cancel;
  }

  log(text: string, severity?: SlogSeverity): void {
    this.p.driverLog(text, severity);
  }

  ieee80211Host(ifp: Ifnet): Ieee80211Host | null {
    return this.p.ieee80211Host(ifp);
  }

  crypto(): CryptoFramework | null {
    return this.p.crypto;
  }

  /**
   * After a failed drvr_init/lsm_init: a NetBSD attach routine that fails part-way gives back what it took
   * (the interrupt, the ifnet) before returning the error, and io-pkt then dlcloses the module. A driver that
   * returned an error with an interface still attached would leave it in `ifconfig -a` with nothing behind
   * it; remove it here (and its interrupt entries and callouts). Returns the interfaces detached.
   */
  unwind(): string[] {
    for (const cancel of this.callouts.splice(0)) cancel();
    for (const id of this.attachedIntrs.splice(0)) this.p.detachInterrupt(id);
    const names: string[] = [];
    for (const ifp of [...this.attachedIfs]) {
      names.push(ifp.name);
      this.devDetach(ifp);
    }
    return names;
  }
}
