import type { ComponentContext } from '../sim/context';
import type { RegisterHandler } from '../bus/types';
import { RegisterTable, type RegisterDef } from '../bus/register-table';
import { readState, stateVersions, type Snapshottable } from '../sim/snapshot';
import { REDIR } from '../bus/pc-platform';

/**
 * An I/O APIC after the Intel 82093AA datasheet (order no. 290566), with the directed EOI register of the
 * version 0x20 parts (ICH-era chipsets). MMIO: IOREGSEL at 0x00, IOWIN at 0x10, EOI at 0x40, 32-bit accesses
 * only. Indirect registers: IOAPICID (0), IOAPICVER (1), IOAPICARB (2), redirection table at 0x10 + 2n.
 *
 * `setIrq(pin, level)` gives the electrical level of a pin; INTPOL = 1 (active low) inverts it, so the board
 * must drive idle active-low lines (PCI INTx#) high. Delivery is synchronous through `deliver(dest, vector)`.
 * Only fixed and lowest-priority delivery are modelled (both go to the destination); SMI, NMI, INIT and
 * ExtINT entries are traced and not delivered.
 */

export const IOAPIC_VERSION = 0x20;
export const IOAPIC_STATE_VERSION = 1;
export const IOAPIC_STATE = stateVersions('I/O APIC', IOAPIC_STATE_VERSION);

/** Redirection entry bits, low dword: emulator/machine/bus/pc-platform.ts (shared with the kernel's callouts). */
export { REDIR };
/** Bits software may write in the low dword (DELIVS and Remote IRR are read only). */
const LO_WRITABLE = REDIR.VECTOR | REDIR.DELMOD | REDIR.DESTMOD | REDIR.INTPOL | REDIR.TRIGGER_LEVEL | REDIR.MASK;
/** High dword: destination field, bits 63:56. */
const HI_WRITABLE = 0xff00_0000;
const DELMOD_NAMES: readonly string[] = ['fixed', 'lowest', 'smi', 'rsvd3', 'nmi', 'init', 'rsvd6', 'extint'];
/** Redeliveries allowed within one call before we call it an interrupt storm and stop (never hang). */
const STORM_LIMIT = 10_000;

export interface IoApicState {
  v: number;
  ioregsel: number;
  id: number;
  arb: number;
  lo: number[];
  hi: number[];
  lines: boolean[];
}

export class IoApic implements Snapshottable<IoApicState> {
  readonly mmio: RegisterHandler;
  private ioregsel = 0;
  /** IOAPICID (bits 27:24). */
  private id = 0;
  /** IOAPICARB (bits 27:24), loaded from the ID whenever the ID is written (82093AA 3.2.3). */
  private arb = 0;
  private readonly lo: number[];
  private readonly hi: number[];
  private readonly lines: boolean[];
  /** The direct registers (82093AA "Memory Mapped Registers"), for the bus and a debugger. */
  readonly table: RegisterTable;
  /** Pins waiting for (re)delivery while a delivery is in progress (keeps EOI-from-deliver non-recursive). */
  private pending: number[] = [];
  private delivering = false;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly deliverFn: (destApicId: number, vector: number) => void,
    readonly pins = 24,
  ) {
    if (!Number.isInteger(pins) || pins < 1 || pins > 120) {
      throw new RangeError(`${ctx.name}: I/O APIC pin count ${pins} outside 1..120`);
    }
    // 82093AA reset: every entry masked, the rest undefined (we use 0).
    this.lo = new Array<number>(pins).fill(REDIR.MASK);
    this.hi = new Array<number>(pins).fill(0);
    this.lines = new Array<boolean>(pins).fill(false);
    const regs: RegisterDef[] = [
      {
        offset: 0x00, name: 'IOREGSEL', width: 4, access: 'rw', reset: 0,
        read: () => this.ioregsel, write: (v) => (this.ioregsel = v & 0xff),
      },
      {
        offset: 0x10, name: 'IOWIN', width: 4, access: 'rw',
        read: () => this.readIndirect(this.ioregsel), write: (v) => this.writeIndirect(this.ioregsel, v),
      },
      // ICH-era parts: "EOI Register" (write only): a vector written here acts as a directed EOI.
      { offset: 0x40, name: 'EOI', width: 4, access: 'wo', write: (v) => this.eoi(v & 0xff) },
    ];
    const tracer = ctx.tracer;
    // 82093AA: "These registers must be accessed as 32-bit (Dword) quantities"; anything else is open bus.
    this.table = new RegisterTable('I/O APIC', regs, {
      span: 0x44,
      wide: 'reject',
      onRead: (reg, value) => {
        if (tracer.verbose) tracer.emit(ctx.node, 'irq', 'reg-read', 0, { reg: this.regName(reg), value });
      },
      onWrite: (reg, value) => {
        if (tracer.verbose) tracer.emit(ctx.node, 'irq', 'reg-write', 0, { reg: this.regName(reg), value });
      },
      unmapped: (a) => {
        const f = { dev: 'ioapic', dir: a.dir, offset: a.offset, size: a.size };
        tracer.emit(ctx.node, 'irq', 'bad-access', 0, a.value === undefined ? f : { ...f, value: a.value });
      },
    });
    const table = this.table;
    this.mmio = {
      read: (offset, size) => table.read(offset, size),
      write: (offset, size, value) => table.write(offset, size, value),
    };
  }

  private regName(reg: RegisterDef): string {
    return reg.offset === 0x10 ? `IOWIN[0x${this.ioregsel.toString(16).padStart(2, '0')}]` : reg.name;
  }

  private readIndirect(index: number): number {
    if (index === 0) return (this.id << 24) >>> 0;
    if (index === 1) return ((this.pins - 1) << 16) | IOAPIC_VERSION;
    if (index === 2) return (this.arb << 24) >>> 0;
    const pin = (index - 0x10) >> 1;
    if (index >= 0x10 && pin < this.pins) return (index & 1 ? this.hi[pin]! : this.lo[pin]!) >>> 0;
    return 0; // reserved registers read as zero
  }

  private writeIndirect(index: number, value: number): void {
    if (index === 0) {
      this.id = (value >>> 24) & 0x0f;
      this.arb = this.id;
      return;
    }
    const pin = (index - 0x10) >> 1;
    if (index < 0x10 || pin >= this.pins) {
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'ignored-write', 0, { dev: 'ioapic', index, value });
      return;
    }
    if (index & 1) {
      this.hi[pin] = (value & HI_WRITABLE) >>> 0;
      return;
    }
    let lo = (value & LO_WRITABLE) | (this.lo[pin]! & REDIR.REMOTE_IRR);
    // Remote IRR means nothing for edge entries; switching to edge clears it. Linux relies on this to clear
    // a stuck Remote IRR on I/O APICs without the EOI register (mask, set edge, restore level).
    if (!(lo & REDIR.TRIGGER_LEVEL)) lo &= ~REDIR.REMOTE_IRR;
    this.lo[pin] = lo >>> 0;
    this.evaluateLevel(pin);
  }

  private asserted(pin: number): boolean {
    return this.lines[pin]! !== ((this.lo[pin]! & REDIR.INTPOL) !== 0);
  }

  /** Electrical level of input `pin`. */
  setIrq(pin: number, level: boolean): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= this.pins) {
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'bad-input', 0, { dev: 'ioapic', irq: pin, level });
      return;
    }
    if (this.lines[pin] === level) return;
    this.lines[pin] = level;
    if (!this.asserted(pin)) return;
    const lo = this.lo[pin]!;
    this.ctx.tracer.emit(this.ctx.node, 'irq', 'raise', 0, { irq: pin, vector: lo & REDIR.VECTOR });
    if (lo & REDIR.TRIGGER_LEVEL) this.evaluateLevel(pin);
    else if (!(lo & REDIR.MASK)) this.deliver(pin); // a masked edge latches nothing
  }

  /** Local APIC EOI broadcast: clears Remote IRR of level entries with this vector; redelivers if still asserted. */
  eoi(vector: number): void {
    for (let pin = 0; pin < this.pins; pin++) {
      const lo = this.lo[pin]!;
      if (!(lo & REDIR.TRIGGER_LEVEL) || !(lo & REDIR.REMOTE_IRR) || (lo & REDIR.VECTOR) !== (vector & 0xff)) continue;
      this.lo[pin] = (lo & ~REDIR.REMOTE_IRR) >>> 0;
      this.evaluateLevel(pin);
    }
  }

  /** A level entry delivers while asserted, unmasked and not awaiting EOI. */
  private evaluateLevel(pin: number): void {
    const lo = this.lo[pin]!;
    if (!(lo & REDIR.TRIGGER_LEVEL) || lo & (REDIR.MASK | REDIR.REMOTE_IRR) || !this.asserted(pin)) return;
    this.deliver(pin);
  }

  /** Send the entry's message. Re-entrant calls (an EOI from inside `deliver`) are queued, not recursed. */
  private deliver(pin: number): void {
    this.pending.push(pin);
    if (this.delivering) return;
    this.delivering = true;
    try {
      let count = 0;
      for (let p = this.pending.shift(); p !== undefined; p = this.pending.shift()) {
        if (++count > STORM_LIMIT) {
          this.ctx.tracer.emit(this.ctx.node, 'irq', 'storm', 0, { dev: 'ioapic', irq: p, dropped: this.pending.length + 1 });
          this.pending = [];
          break;
        }
        this.send(p);
      }
    } finally {
      this.delivering = false;
    }
  }

  private send(pin: number): void {
    const lo = this.lo[pin]!;
    const level = (lo & REDIR.TRIGGER_LEVEL) !== 0;
    // A queued delivery may have been overtaken (masked, already delivered, line dropped): look again.
    if (lo & REDIR.MASK) return;
    if (level && (lo & REDIR.REMOTE_IRR || !this.asserted(pin))) return;
    const vector = lo & REDIR.VECTOR;
    const mode = (lo & REDIR.DELMOD) >> 8;
    if (mode > 1) {
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'unsupported-delivery', 0, { irq: pin, mode: DELMOD_NAMES[mode] ?? '?', vector });
      return;
    }
    const destField = this.hi[pin]! >>> 24;
    let dest = destField;
    if (lo & REDIR.DESTMOD) {
      // Logical (flat) destination: a CPU bitmap; we deliver to the lowest CPU named.
      if (destField === 0) {
        this.ctx.tracer.emit(this.ctx.node, 'irq', 'no-destination', 0, { irq: pin, vector });
        return;
      }
      dest = 31 - Math.clz32(destField & -destField);
    }
    if (level) this.lo[pin] = (lo | REDIR.REMOTE_IRR) >>> 0;
    this.ctx.tracer.emit(this.ctx.node, 'irq', 'deliver', 0, { irq: pin, vector, dest });
    this.deliverFn(dest, vector);
  }

  saveState(): IoApicState {
    return {
      v: IOAPIC_STATE_VERSION,
      ioregsel: this.ioregsel,
      id: this.id,
      arb: this.arb,
      lo: [...this.lo],
      hi: [...this.hi],
      lines: [...this.lines],
    };
  }

  loadState(saved: IoApicState): void {
    const s = readState<IoApicState>(this.ctx.name, IOAPIC_STATE, saved);
    if (s.lo.length !== this.pins || s.hi.length !== this.pins || s.lines.length !== this.pins) {
      throw new Error(`${this.ctx.name}: snapshot has ${s.lo.length} pins, this I/O APIC has ${this.pins}`);
    }
    this.ioregsel = s.ioregsel & 0xff;
    this.id = s.id & 0x0f;
    this.arb = s.arb & 0x0f;
    for (let i = 0; i < this.pins; i++) {
      this.lo[i] = (s.lo[i]! & (LO_WRITABLE | REDIR.REMOTE_IRR)) >>> 0;
      this.hi[i] = (s.hi[i]! & HI_WRITABLE) >>> 0;
      this.lines[i] = s.lines[i] === true;
    }
    this.pending = [];
  }

  /** ID, version and every pin that is unmasked, asserted or awaiting EOI, for a debugger. */
  describe(): string {
    const out = [`ioapic id=${this.id} ver=0x${IOAPIC_VERSION.toString(16)} pins=${this.pins} ioregsel=0x${this.ioregsel.toString(16)}`];
    for (let pin = 0; pin < this.pins; pin++) {
      const lo = this.lo[pin]!;
      if (lo & REDIR.MASK && !this.lines[pin] && !(lo & REDIR.REMOTE_IRR)) continue;
      const flags = [
        `vec=0x${(lo & REDIR.VECTOR).toString(16).padStart(2, '0')}`,
        DELMOD_NAMES[(lo & REDIR.DELMOD) >> 8] ?? '?',
        lo & REDIR.DESTMOD ? 'logical' : 'physical',
        `dest=0x${(this.hi[pin]! >>> 24).toString(16)}`,
        lo & REDIR.TRIGGER_LEVEL ? 'level' : 'edge',
        lo & REDIR.INTPOL ? 'active-low' : 'active-high',
        lo & REDIR.MASK ? 'masked' : '',
        lo & REDIR.REMOTE_IRR ? 'remote-irr' : '',
        `line=${this.lines[pin] ? 1 : 0}${this.asserted(pin) ? '(asserted)' : ''}`,
      ].filter((f) => f !== '');
      out.push(`  pin ${pin}: ${flags.join(' ')}`);
    }
    return out.join('\n');
  }
}
