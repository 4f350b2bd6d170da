/**
 * Test assembly for devnp-ral without the whole QNX kernel: per station a Board brought up by firmware start-up
 * with an RT2560 in a PCI slot (DMA and config access from the board, as node assembly does), the drivers' mini
 * kernel with a physical-memory allocator, and a fake io-pkt that also plays the hc variants' 802.11 host
 * (callouts, if_start kicks and the receive hand-off run in its stack thread). Stations stand at positions in
 * one WirelessChannel.
 */
import { Simulation } from '../../../emulator/machine/sim/simulation';
import { componentContext } from '../../../emulator/machine/sim/context';
import { SimEvent } from '../../../emulator/machine/sim/event';
import { Priority } from '../../../emulator/machine/sim/priority';
import { Wire } from '../../../emulator/machine/bus/wire';
import type { AccessSize, IrqLine, PciFunction } from '../../../emulator/machine/bus/types';
import type { SystemPage } from '../../../emulator/machine/bus/node-bus';
import { Board } from '../../../emulator/machine/board/board';
import { WirelessChannel } from '../../../emulator/machine/net/wireless/medium';
import type { Position } from '../../../emulator/machine/net/wireless/radio';
import { runStartup } from '../../../firmware/startup';
import { Rt2560Pci } from '../../../nic-models/rt2560/rt2560-pci';
import { Errno, KernelError, type Co, type ThreadCtx } from '../../../stack/kernel/api';
import type { Ifnet } from '../../../stack/net/if';
import type { Mbuf } from '../../../stack/net/mbuf';
import { ieee80211_ic_of, ieee80211_rx_dispatch } from '../../../stack/net80211/ieee80211';
import type { Ieee80211Host } from '../../../stack/net80211/var';
import { MiniKernel } from '../harness/mini-kernel';
import { FakeIoPkt } from '../harness/fake-iopkt';

export const MAC_AP = [0x00, 0x0c, 0x43, 0x25, 0x60, 0x01];
export const MAC_STA = [0x00, 0x0c, 0x43, 0x25, 0x60, 0x02];

function tee(a: IrqLine, b: IrqLine): IrqLine {
  return {
    get level() {
      return a.level;
    },
    set(level: boolean) {
      a.set(level);
      b.set(level);
    },
  };
}

/** The fake io-pkt with the hc variants' 802.11 side: frames from a wireless driver go to net80211. */
export class WifiFakeIoPkt extends FakeIoPkt {
  /** Frames net80211 decapsulated (what ether_input would get). */
  readonly ether: { ifp: Ifnet; m: Mbuf; t: number }[] = [];
  /** When false the host refuses 802.11 (io-pkt-v4). */
  wireless = true;
  private n = 0;

  ieee80211Host(_ifp: Ifnet): Ieee80211Host | null {
    if (!this.wireless) return null;
    const self = this;
    const k = this.k;
    return {
      get ctx() {
        return self.stack.ctx;
      },
      now: () => k.sim.queue.now,
      charge: (ns) => self.stack.ctx.charge(ns),
      trace: (layer, probe, pkt, f) => self.stack.ctx.trace(layer, probe, pkt, f),
      newPktId: () => 0,
      log: (text) => self.logs.push(text),
      timeout: (delayNs, name, fn) => {
        let cancelled = false;
        const ev = new SimEvent(`${name}.${self.n++}`, () => {
          if (!cancelled) k.run(self.stack, fn(self.stack.ctx));
        }, Priority.OsTimer);
        k.sim.queue.scheduleIn(ev, Math.max(1, delayNs));
        return () => {
          cancelled = true;
          k.sim.queue.deschedule(ev);
        };
      },
      kick: (ifp) => {
        k.later(0, () => k.run(self.stack, ifp.ops.start(ifp)));
      },
      etherInput: (ifp, m) => {
        self.ether.push({ ifp, m, t: k.sim.queue.now });
      },
      linkState: (ifp, up) => self.linkState(ifp, up),
    };
  }

  override ifInput(ctx: ThreadCtx, ifp: Ifnet, m: Mbuf): void {
    super.ifInput(ctx, ifp, m);
    const ic = ieee80211_ic_of(ifp);
    if (ic) this.k.later(0, () => this.k.run(this.stack, ieee80211_rx_dispatch(ic, m)));
  }
}

export interface Station {
  name: string;
  board: Board;
  syspage: SystemPage;
  nic: Rt2560Pci;
  k: MiniKernel;
  iopkt: WifiFakeIoPkt;
  irq: number;
  bar0: number;
  pos: Position;
  /** Every BAR0 access, in order. */
  mmio: MmioAccess[];
}

export interface MmioAccess {
  t: number;
  dir: 'r' | 'w';
  off: number;
  value: number;
}

/** A node: board, RT2560 in a PCI slot, start-up, mini kernel with allocPhys, fake io-pkt; on `air` at `pos`. */
export function makeStation(sim: Simulation, name: string, mac: number[], air: WirelessChannel | null, pos: Position = { x: 0, y: 0, z: 0 }): Station {
  const ramBytes = 32 << 20;
  const board = new Board(componentContext(sim, name, `${name}.board`), { ramBytes, cpus: 1, interruptController: '8259' });
  const nic = new Rt2560Pci(componentContext(sim, name, `${name}.ral0`), { mac });
  const tap = new Wire(`${name}.inta`);
  // A tap on BAR0 (what a PCI analyser on the slot would see): every register access the driver makes. The
  // wrapper also tees INTA# to the mini kernel; configuration space is the board's, built from the spec.
  const mmio: MmioAccess[] = [];
  const bar = nic.spec.bars[0]!;
  const handler = bar.handler;
  const tapped = {
    read: (off: number, size: AccessSize) => {
      const value = handler.read(off, size);
      mmio.push({ t: sim.queue.now, dir: 'r', off, value: value >>> 0 });
      return value;
    },
    write: (off: number, size: AccessSize, value: number) => {
      mmio.push({ t: sim.queue.now, dir: 'w', off, value: value >>> 0 });
      handler.write(off, size, value);
    },
  };
  const fn: PciFunction = {
    spec: { ...nic.spec, bars: [{ ...bar, handler: tapped }] },
    attachIntx: (line) => nic.attachIntx(tee(line, tap)),
    attachConfig: (c) => nic.attachConfig(c),
    reset: () => nic.reset(),
  };
  const { dma } = board.addPciDevice(fn);
  nic.attachDma(dma);
  const syspage = runStartup(board.ports, { cpus: 1, ramBytes, interruptController: '8259' });
  const info = syspage.pci.find((d) => d.vendorId === 0x1814)!;
  const irq = info.irq;
  const k = new MiniKernel(sim, board.nodeBus(syspage), new Map([[irq, tap]]), name);
  const iopkt = new WifiFakeIoPkt(k);
  let next = syspage.freeMemBase;
  for (const ctx of [iopkt.ctx, iopkt.intrThread.ctx]) {
    Object.assign(ctx, {
      allocPhys(bytes: number, align = 4096): number {
        const base = Math.ceil(next / align) * align;
        if (base + bytes > syspage.freeMemEnd) throw new KernelError(Errno.ENOMEM, `allocPhys(${bytes})`);
        next = base + bytes;
        return base;
      },
    });
  }
  const st: Station = { name, board, syspage, nic, k, iopkt, irq, bar0: info.bars[0]!.base, pos, mmio };
  if (air) nic.connectRadio(air, () => st.pos);
  return st;
}

/** A wireless channel named air0 on `channel`. */
export function makeAir(sim: Simulation, channel = 6): WirelessChannel {
  return new WirelessChannel(componentContext(sim, '', 'air0'), { channel });
}

/** Run until `cond` holds or `limitNs` of virtual time passes. */
export function runUntil(sim: Simulation, cond: () => boolean, limitNs = 5_000_000_000): boolean {
  const end = sim.queue.now + limitNs;
  while (!cond()) {
    const t = sim.queue.peekTime();
    if (t === null || t > end) return cond();
    sim.queue.step();
  }
  return true;
}

/** Run a generator in the station's stack thread to completion. */
export function call<T>(st: Station, gen: Co<T>): T {
  return st.iopkt.call(gen);
}
