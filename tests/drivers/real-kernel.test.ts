/**
 * The drivers on the real kernel (stack/kernel/kernel.ts): a Board brought up by start-up with an NE2000 at
 * 0x300 / IRQ 5 behind the real 8259 pair, threads scheduled on a simulated CPU with the kernel's costs.
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { Board } from '../../emulator/machine/board/board';
import { Cable } from '../../emulator/machine/net/cable';
import { runStartup } from '../../firmware/startup';
import { Ne2000Isa } from '../../nic-models/ne2000';
import { Kernel } from '../../stack/kernel/kernel';
import type { Co, ThreadCtx } from '../../stack/kernel/api';
import { driverModules } from '../../stack/drivers';
import type { NativeDriverModule } from '../../stack/io-pkt/driver-api';
import type { Ifnet } from '../../stack/net/if';
import { KernelIoPkt } from './harness/kernel-iopkt';
import { frame, NIC_MAC, PEER_MAC, Peer } from './harness/rig';

function boot(module: string, options: string, rxFrames: number) {
  const sim = new Simulation(7);
  const board = new Board(componentContext(sim, 'alpha', 'alpha.board'), { ramBytes: 16 << 20, cpus: 1, interruptController: '8259' });
  const nic = new Ne2000Isa(componentContext(sim, 'alpha', 'alpha.ne0'), { mac: NIC_MAC });
  board.mapIsaDevice('ne0', 0x300, Ne2000Isa.PORTS, nic, nic.timing);
  nic.attachIrq(board.isaIrq(5));
  const syspage = runStartup(board.ports, { cpus: 1, ramBytes: 16 << 20, interruptController: '8259', isa: [{ name: 'ne2000', ioport: 0x300, irq: 5 }] });
  const cable = new Cable(componentContext(sim, '', 'cable0'));
  nic.connect(cable);
  const peer = new Peer();
  peer.port = cable.attach(peer, 'peer');
  const out: string[] = [];
  const result: { rc?: number; iopkt?: KernelIoPkt; ifp?: Ifnet } = {};
  const main = function* (ctx: ThreadCtx): Co<number> {
    const iopkt = new KernelIoPkt(ctx);
    result.iopkt = iopkt;
    result.rc = yield* (driverModules[module] as NativeDriverModule).drvrInit(iopkt, options);
    const ifp = iopkt.ifaces[0];
    if (!ifp) return 1;
    result.ifp = ifp;
    yield* ifp.ops.init(ifp);
    ifp.snd.push({ data: frame(PEER_MAC, NIC_MAC, 600, 1), pktId: 0 }, { data: frame(PEER_MAC, NIC_MAC, 1514, 2), pktId: 0 });
    yield* ifp.ops.start(ifp);
    for (let i = 0; i < rxFrames; i++) peer.send({ data: frame(NIC_MAC, PEER_MAC, 100 + 97 * i, i), pktId: 0 });
    const deadline = ctx.now() + 1_000_000_000;
    while ((iopkt.input.length < rxFrames || peer.received.length < 2) && ctx.now() < deadline) yield* ctx.sleep(1_000_000);
    return 0;
  };
  const k = new Kernel(componentContext(sim, 'alpha', 'alpha.procnto'), board.nodeBus(syspage), {
    cpus: 1, programs: new Map([['drvtest', main]]), console: (t) => out.push(t),
  });
  k.boot();
  k.spawn({ argv: ['drvtest'] });
  sim.queue.runUntil(3_000_000_000);
  return { sim, peer, result, out, k };
}

describe('NE2000 drivers on the real kernel and 8259 (edge-triggered ISA IRQ 5)', () => {
  test('devnp-ne2000: probe, transmit, receive 16 frames through InterruptAttachEvent', () => {
    const { peer, result, k } = boot('devnp-ne2000.so', 'ioport=0x300,irq=5', 16);
    expect(k.crashes).toEqual([]);
    expect(result.rc).toBe(0);
    expect(result.ifp!.name).toBe('en0');
    expect(peer.received.map((f) => f.data.length)).toEqual([600, 1514]);
    expect(result.iopkt!.input.map((x) => x.m.data.length)).toEqual(Array.from({ length: 16 }, (_, i) => 100 + 97 * i));
    expect(result.ifp!.data.ipackets).toBe(16);
    expect(result.ifp!.data.opackets).toBe(2);
  });

  test('devn-ne2000 through devnp-shim: its own interrupt thread serves the NIC', () => {
    const { peer, result, k } = boot('devnp-shim.so', '/lib/dll/devn-ne2000.so ioport=0x300,irq=5', 10);
    expect(k.crashes).toEqual([]);
    expect(result.rc).toBe(0);
    expect(result.ifp!.name).toBe('en0');
    expect(peer.received).toHaveLength(2);
    expect(result.iopkt!.input).toHaveLength(10);
  });
});
