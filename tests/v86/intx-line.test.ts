/**
 * The v86 adapter's interrupt lines (emulator/machine/v86/guest-irq.ts) without booting: v86's interrupt
 * controller must see each device's current level, whatever order the adapter's pokes are applied in.
 *
 * The case that matters: inside a quantum, the guest reads a register; the queue catches up to the guest's
 * time first (`GuestMachine.sync`) and a frame arrives meanwhile, raising the line — that change is held until
 * the quantum ends (v86 must not take an interrupt inside an I/O instruction). Later in the same quantum the
 * driver clears the cause (write-1-to-clear), lowering the line, and that change is applied at once. When the
 * held change carried the level it was queued with ("raise"), it was applied after the lower and left v86's
 * input high behind a device that was low: on a level-triggered PCI input an interrupt storm (Linux's 8390
 * driver found ISR = 0 100 000 times and disabled IRQ 10), on an edge-triggered ISA input a phantom edge and
 * the next real one lost. tests/guest/ne2k-pci-irq.test.ts is the same with Linux and the RTL8029 model.
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Time } from '../../emulator/machine/sim/time';
import type { AccessSize, IrqLine, PciFunction, PciFunctionSpec, RegisterHandler } from '../../emulator/machine/bus/types';
import { GuestMachine } from '../../emulator/machine/v86/guest-machine';
import { V86PciAttachment } from '../../emulator/machine/v86/v86-pci';
import { V86IsaAttachment } from '../../emulator/machine/v86/v86-isa';
import type { V86Cpu } from '../../emulator/machine/v86/v86-types';
import { configWrite, fakeCpu, fakeInstance, via } from '../guest/fake-v86';

const RAM = 16 * 1024 * 1024;
const LAYOUT = { ramBytes: RAM, vgaBytes: 2 * 1024 * 1024 };
const US = 1000;
const BAR = 0xfea00000;
const ISA_PORT = 0x300;
/** Byte offsets of v86 CPU fields in wasm memory (as guest-machine.ts reads them). */
const IN_HLT = 616;
const INSTRUCTION_COUNTER = 664;

/**
 * A device with a DP8390-like interrupt: ISR at 0 (read; write 1 to clear), IMR at 4; its output is
 * (ISR & IMR) != 0. `arriveAt(t)` sets ISR bit 0 at t (a received frame).
 */
class IrqTestDevice implements PciFunction {
  isr = 0;
  imr = 1;
  line: IrqLine | null = null;
  readonly handler: RegisterHandler = {
    read: (o: number, _s: AccessSize) => (o === 0 ? this.isr : this.imr),
    write: (o: number, _s: AccessSize, v: number) => {
      if (o === 0) this.isr &= ~v;
      else this.imr = v;
      this.update();
    },
  };
  readonly spec: PciFunctionSpec = { vendorId: 0x1b36, deviceId: 0x0005, revision: 0, classCode: 0x00ff00, interruptPin: 1, bars: [{ kind: 'mem32', size: 0x10000, handler: this.handler }] };
  private readonly arrival: SimEvent;

  constructor(private readonly sim: Simulation) {
    this.arrival = new SimEvent('dev.arrival', () => {
      this.isr |= 1;
      this.update();
    }, Priority.Device);
  }

  attachIntx(line: IrqLine): void {
    this.line = line;
    this.update();
  }

  arriveAt(t: Time): void {
    this.sim.queue.schedule(this.arrival, t);
  }

  get level(): boolean {
    return (this.isr & this.imr) !== 0;
  }

  update(): void {
    this.line?.set(this.level);
  }
}

/** A fake CPU whose quanta run scripted bodies; each body is one `main_loop` (then the guest halts). */
function scripted(c: V86Cpu): { bodies: (() => void)[]; run: (ns: number) => void; halt: () => void } {
  const buf = c.wasm_memory.buffer;
  const counter = new Uint32Array(buf, INSTRUCTION_COUNTER, 1);
  const hlt = new Uint8Array(buf, IN_HLT, 1);
  const bodies: (() => void)[] = [];
  (c as unknown as { main_loop: () => number }).main_loop = () => {
    const b = bodies.shift();
    if (b) {
      hlt[0] = 0;
      b();
    } else hlt[0] = 1;
    return 1; // ms to the next timer
  };
  return {
    bodies,
    run: (ns) => {
      counter[0] = counter[0]! + ns; // 1 ns per instruction
    },
    halt: () => {
      hlt[0] = 1;
    },
  };
}

interface Input {
  /** v86's input as driven (its PIC's irq_value for that IRQ). */
  high: boolean;
  calls: string[];
}

function pciSetup() {
  const sim = new Simulation(1);
  const machine = new GuestMachine(componentContext(sim, 'g', 'g.v86'), sim.rngs.stream('g.v86'), LAYOUT);
  const dev = new IrqTestDevice(sim);
  const att = new V86PciAttachment(machine, dev, 6, 'g.nic0');
  const f = fakeCpu(RAM);
  const input: Input = { high: false, calls: [] };
  const pci = f.cpu.devices.pci as unknown as { raise_irq: (id: number) => void; lower_irq: (id: number) => void };
  pci.raise_irq = (id) => {
    expect(id).toBe(6 << 3);
    input.high = true;
    input.calls.push(`raise@${sim.queue.now}`);
  };
  pci.lower_irq = (id) => {
    expect(id).toBe(6 << 3);
    input.high = false;
    input.calls.push(`lower@${sim.queue.now}`);
  };
  machine.bind(fakeInstance(f.cpu));
  configWrite(f.cpu, 6, 0x10, 4, BAR);
  configWrite(f.cpu, 6, 0x04, 2, 0x0002);
  const s = scripted(f.cpu);
  const c = f.cpu;
  return { sim, machine, dev, att, input, s, readIsr: () => via.r32(c, BAR), clearIsr: (v: number) => via.w32(c, BAR, v) };
}

describe('PCI INTx through the v86 adapter (level-triggered)', () => {
  test('a rise the driver clears later in the quantum that saw it never reaches v86, and v86 is not left high', () => {
    const { sim, machine, dev, att, input, s, readIsr, clearIsr } = pciSetup();
    dev.arriveAt(5 * US);
    let seen = -1;
    s.bodies.push(() => {
      s.run(10 * US);
      seen = readIsr(); // the queue catches up to 10 µs: the frame arrives inside this read
      expect(dev.level).toBe(true);
      expect(input.high).toBe(false); // held until the quantum ends
      clearIsr(seen); // ISR write-1-to-clear: the device's line falls
      expect(dev.level).toBe(false);
    });
    machine.powerOn();
    sim.queue.runUntil(0);
    expect(seen).toBe(1);
    expect(att.intx.level).toBe(false);
    expect(input.high).toBe(false);
    expect(att.intx.input).toBe(false);
    expect(input.calls).toEqual([]);
  });

  test('a rise still there at the end of the quantum reaches v86 then; the later clear lowers it at once', () => {
    const { sim, machine, dev, input, s, readIsr, clearIsr } = pciSetup();
    dev.arriveAt(5 * US);
    s.bodies.push(() => {
      s.run(10 * US);
      expect(readIsr()).toBe(1);
      expect(input.high).toBe(false);
    });
    machine.powerOn();
    sim.queue.runUntil(0);
    expect(input.high).toBe(true);
    expect(input.calls).toEqual([`raise@${sim.queue.now}`]); // at the quantum's end (the queue caught up to the read)
    s.bodies.push(() => {
      s.run(1 * US);
      clearIsr(1);
      expect(input.high).toBe(false);
    });
    sim.queue.runUntil(20 * US);
    expect(input.calls.length).toBe(2);
    expect(input.calls[1]).toMatch(/^lower@/);
    expect(input.high).toBe(dev.level);
  });

  test('several rises and falls inside one catch-up, then a clear: v86 ends at the device level with balanced calls', () => {
    const { sim, machine, dev, input, s, readIsr, clearIsr } = pciSetup();
    // While the queue catches up: a frame (rise), the mask dropped by an event (fall), another frame (rise).
    const maskOff = new SimEvent('mask', () => {
      dev.imr = 0;
      dev.update();
    }, Priority.Device);
    const maskOn = new SimEvent('mask-on', () => {
      dev.imr = 1;
      dev.update();
    }, Priority.Device);
    dev.arriveAt(2 * US);
    sim.queue.schedule(maskOff, 3 * US);
    sim.queue.schedule(maskOn, 4 * US);
    s.bodies.push(() => {
      s.run(10 * US);
      readIsr();
      clearIsr(1);
    });
    machine.powerOn();
    sim.queue.runUntil(0);
    expect(dev.level).toBe(false);
    expect(input.high).toBe(false);
    expect(input.calls).toEqual([]);
    // The next frame raises it again and it reaches v86 (the line was not stuck on either side).
    dev.arriveAt(50 * US);
    sim.queue.runUntil(60 * US);
    expect(input.high).toBe(true);
    expect(input.calls).toEqual([`raise@${50 * US}`]);
  });

  test('a change while the guest is halted reaches v86 at its own time', () => {
    const { sim, machine, dev, input, s } = pciSetup();
    s.halt();
    machine.powerOn();
    dev.arriveAt(50 * US);
    sim.queue.runUntil(60 * US);
    expect(input.calls).toEqual([`raise@${50 * US}`]);
    expect(input.high).toBe(true);
  });
});

describe('ISA IRQ through the v86 adapter (edge-triggered 8259 input)', () => {
  test('a rise cleared in the same quantum leaves no phantom edge, and the next rise is a fresh edge', () => {
    const sim = new Simulation(1);
    const machine = new GuestMachine(componentContext(sim, 'g', 'g.v86'), sim.rngs.stream('g.v86'), LAYOUT);
    const dev = new IrqTestDevice(sim);
    const att = new V86IsaAttachment(machine, dev.handler, ISA_PORT, 8, 5, 'g.ne0', { width: () => 8, waitStates: () => 0 });
    dev.attachIntx(att.irqLine);
    const f = fakeCpu(RAM);
    // v86's 8259 input in edge mode: a request is latched when the input rises (pic.rs set_irq with ELCR clear).
    const pic = { value: false, edges: [] as Time[] };
    const cpu = f.cpu as unknown as { device_raise_irq: (i: number) => void; device_lower_irq: (i: number) => void };
    cpu.device_raise_irq = (i) => {
      expect(i).toBe(5);
      if (!pic.value) pic.edges.push(sim.queue.now);
      pic.value = true;
    };
    cpu.device_lower_irq = (i) => {
      expect(i).toBe(5);
      pic.value = false;
    };
    machine.bind(fakeInstance(f.cpu));
    const s = scripted(f.cpu);
    const port = f.cpu.io.ports[ISA_PORT]!;
    dev.arriveAt(5 * US);
    s.bodies.push(() => {
      s.run(10 * US);
      const v = port.read8.call(port.device);
      expect(v).toBe(1);
      port.write8.call(port.device, v);
    });
    machine.powerOn();
    sim.queue.runUntil(0);
    expect(pic).toEqual({ value: false, edges: [] });
    dev.arriveAt(50 * US);
    sim.queue.runUntil(60 * US);
    expect(pic).toEqual({ value: true, edges: [50 * US] });
  });
});
