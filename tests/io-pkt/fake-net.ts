/**
 * A test-only network for io-pkt: a fake NIC per node reached through a test transport (no registers), a
 * fake driver module that attaches one interface per fake NIC and takes its interrupts the io-pkt way, and
 * a wire with a fixed latency between two NICs. Interrupts go through the node's FakeBus (8259 INTR +
 * INTA vector), so the kernel's interrupt path and io-pkt's pulse-driven threads are exercised.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { EventQueue } from '../../emulator/machine/sim/event-queue';
import type { Co, ThreadCtx } from '../../stack/kernel/api';
import { Errno } from '../../stack/kernel/api';
import { nicPriorityOption, type IoPkt, type LegacyDriverModule, type NativeDriverModule } from '../../stack/io-pkt/driver-api';
import type { NicConfig, NicStats } from '../../stack/net/hw-nicinfo';
import { IFF_RUNNING, type Ifnet, type IfnetOps } from '../../stack/net/if';
import type { IoNetDriverFuncs, IoNetSelf, Npkt } from '../../stack/drivers/shim/ionet-api';
import type { FakeBus } from '../kernel/helpers';

export interface WireFrame {
  data: Uint8Array;
  pktId: number;
  t: number;
}

export class FakeNic {
  /** Attached by a driver instance already (each drvrInit takes NICs not yet attached). */
  attached = false;
  readonly rx: WireFrame[] = [];
  readonly sent: WireFrame[] = [];
  peer: FakeNic | null = null;
  latencyNs = 50_000;
  /** Receive ring: frames arriving while it holds this many are dropped (rxMissed), as a NIC out of descriptors. */
  rxRing = 256;
  rxMissed = 0;
  private pending = false;
  private seq = 0;
  rxFrames = 0;
  txFrames = 0;
  txBytes = 0;
  rxBytes = 0;

  constructor(readonly name: string, readonly mac: Uint8Array, readonly bus: FakeBus, readonly irq: number, private readonly queue: EventQueue) {}

  transmit(data: Uint8Array, pktId: number): void {
    const f = { data: data.slice(), pktId, t: this.queue.now };
    this.sent.push(f);
    this.txFrames++;
    this.txBytes += data.length;
    const peer = this.peer;
    if (!peer) return;
    const ev = new SimEvent(`${this.name}.wire${this.seq++}`, () => peer.receive(f), Priority.Wire);
    this.queue.scheduleIn(ev, this.latencyNs);
  }

  receive(f: WireFrame): void {
    if (this.rx.length >= this.rxRing) {
      this.rxMissed++;
      return;
    }
    this.rx.push({ ...f, t: this.queue.now });
    if (!this.pending) {
      this.pending = true;
      this.bus.interrupt(0x30 + this.irq);
    }
  }

  /**
   * The source was serviced and io-pkt re-enables it (interrupt entry `enable`): the NIC may interrupt again, at
   * once if frames arrived meanwhile (a level-triggered line, masked while a thread services it).
   */
  ack(): void {
    this.pending = false;
    if (this.rx.length > 0) {
      this.pending = true;
      this.bus.interrupt(0x30 + this.irq);
    }
  }
}

export function connect(a: FakeNic, b: FakeNic, latencyNs = 50_000): void {
  a.peer = b;
  b.peer = a;
  a.latencyNs = latencyNs;
  b.latencyNs = latencyNs;
}

function zeroStats(): NicStats {
  return {
    txOk: 0, txBytes: 0, rxOk: 0, rxBytes: 0, txSingleCollisions: 0, txMultiCollisions: 0, txExcessiveCollisions: 0,
    txDeferred: 0, txLateCollisions: 0, txCarrierLost: 0, txUnderruns: 0, rxCrcErrors: 0, rxAlignErrors: 0, rxMissed: 0,
    rxOverruns: 0, rxRunts: 0, txBroadcast: 0, txMulticast: 0, rxBroadcast: 0, rxMulticast: 0,
    txFailedAllocs: 0, rxFailedAllocs: 0,
  };
}

interface Softc {
  nic: FakeNic;
  iopkt: IoPkt;
}

const ops: IfnetOps = {
  *init(ifp: Ifnet): Co<number> {
    ifp.flags |= IFF_RUNNING;
    ifp.media = { subtype: '10baseT', fullDuplex: false, linkUp: true };
    return 0;
  },
  /** Drain if_snd on the calling io-pkt thread (the stack context's, or one forwarding without it). */
  *start(ifp: Ifnet, ctx: ThreadCtx = (ifp.softc as Softc).iopkt.ctx): Co<void> {
    const sc = ifp.softc as Softc;
    while (ifp.snd.length > 0) {
      const m = ifp.snd.shift()!;
      yield* ctx.work(2_000 + m.data.length * 2);
      sc.nic.transmit(m.data, m.pktId);
      ifp.data.opackets++;
    }
  },
  *stop(ifp: Ifnet): Co<void> {
    ifp.flags &= ~IFF_RUNNING;
  },
  *detach(ifp: Ifnet): Co<number> {
    const sc = ifp.softc as Softc;
    sc.nic.attached = false;
    sc.iopkt.devDetach(ifp);
    return 0;
  },
  config(ifp: Ifnet): NicConfig {
    const sc = ifp.softc as Softc;
    return {
      description: 'Fake Ethernet Controller', mac: ifp.lladdr.slice(), permanentMac: sc.nic.mac.slice(), mediaRateKbps: 10000,
      fullDuplex: false, connector: 'UTP', mtu: 1514, irq: [sc.nic.irq], ioPorts: [{ base: 0x300, length: 32 }], memWindows: [], promiscuous: false,
      multicast: true,
    };
  },
  stats(ifp: Ifnet): NicStats {
    const sc = ifp.softc as Softc;
    return { ...zeroStats(), txOk: sc.nic.txFrames, txBytes: sc.nic.txBytes, rxOk: sc.nic.rxFrames, rxBytes: sc.nic.rxBytes };
  },
};

/**
 * devnp-fake.so: attaches the NICs in `nics` not attached yet (option `count=N` limits how many), base name
 * "en"; `priority=N` is the receive thread priority (nic_parse_options); the other options go to dev_attach
 * (lan=/unit=/name=).
 */
export function fakeDriver(nics: () => FakeNic[], opts: { noDetach?: boolean } = {}): NativeDriverModule {
  const theOps: IfnetOps = opts.noDetach ? { ...ops, detach: undefined } : ops;
  return {
    kind: 'iopkt_drvr_entry',
    version: 1,
    type: 'general',
    *drvrInit(iopkt: IoPkt, options: string): Co<number> {
      const map = new Map<string, string>();
      for (const p of options.split(',')) {
        if (!p) continue;
        const eq = p.indexOf('=');
        map.set(eq < 0 ? p : p.slice(0, eq), eq < 0 ? '' : p.slice(eq + 1));
      }
      const count = map.has('count') ? Number(map.get('count')) : Infinity;
      map.delete('count');
      const prio = nicPriorityOption(map.get('priority'));
      map.delete('priority');
      const list = nics().filter((n) => !n.attached).slice(0, count);
      if (list.length === 0) return Errno.ENODEV;
      for (const nic of list) {
        const sc: Softc = { nic, iopkt };
        const ifp = iopkt.devAttach('en', new Map(map), theOps, nic.mac, sc);
        nic.attached = true;
        iopkt.interruptEntryInit(
          nic.irq,
          function* (wctx: ThreadCtx): Co<boolean> {
            // The frames received by now (a ring's producer index read once, as bge_rxeof does); later ones raise
            // the interrupt again when the source is re-enabled.
            for (let n = nic.rx.length; n > 0 && nic.rx.length > 0; n--) {
              const f = nic.rx.shift()!;
              yield* wctx.work(3_000 + f.data.length * 2);
              nic.rxFrames++;
              nic.rxBytes += f.data.length;
              ifp.data.ipackets++;
              iopkt.ifInput(wctx, ifp, { data: f.data, pktId: f.pktId });
            }
            return true;
          },
          () => nic.ack(),
          prio,
        );
      }
      return 0;
    },
  };
}

/**
 * devn-oldfake.so, a legacy io-net driver: registers one interface per NIC not attached yet (transmit only)
 * through the io-net emulation devnp-shim.so gives it; with no NIC left it fails with ENODEV.
 */
export function fakeLegacy(nics: () => FakeNic[]): LegacyDriverModule {
  return {
    kind: 'io_net_dll_entry',
    *init(ionet: unknown, options: string): Co<number> {
      const ion = ionet as IoNetSelf;
      const list = nics().filter((n) => !n.attached);
      if (list.length === 0) return Errno.ENODEV;
      for (const nic of list) {
        const map = new Map<string, string>();
        for (const p of options.split(',')) if (p) map.set(p.split('=')[0]!, p.split('=')[1] ?? '');
        let handle = -1;
        const funcs: IoNetDriverFuncs = {
          *txDown(_ctx: ThreadCtx, npkt: Npkt): Co<number> {
            nic.transmit(npkt.data, npkt.pktId);
            ion.txDone(handle, npkt);
            return 0;
          },
          *devctl(): Co<number> {
            return 0;
          },
          getStats: () => ({ ...zeroStats(), txOk: nic.txFrames, txBytes: nic.txBytes }),
          getConfig: () => ({
            description: 'Old Fake Ethernet', mac: nic.mac.slice(), permanentMac: nic.mac.slice(), mediaRateKbps: 10000, fullDuplex: false,
            connector: 'UTP', mtu: 1514, irq: [nic.irq], ioPorts: [], memWindows: [], promiscuous: false, multicast: true,
          }),
          *shutdown1(): Co<void> {
            nic.attached = false;
          },
          *shutdown2(): Co<void> {},
        };
        handle = ion.reg({ driver: 'devn-oldfake', lladdr: nic.mac, mtu: 1500, options: map, funcs });
        if (handle < 0) return -handle;
        nic.attached = true;
      }
      return 0;
    },
  };
}
