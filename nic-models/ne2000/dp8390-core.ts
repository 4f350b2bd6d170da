import type { ComponentContext } from '../../emulator/machine/sim/context';
import { b64ToBytes, bytesToB64, readState, stateVersions, type Snapshottable } from '../../emulator/machine/sim/snapshot';
import type { TraceFields } from '../../emulator/machine/sim/trace';
import type { IrqLine } from '../../emulator/machine/bus/types';
import type { Medium } from '../../emulator/machine/net/link';
import { CsmaCdMac, type CsmaMacState } from '../common/csma-mac';
import { BufferMemory, type Ne2000Variant } from './buffer-memory';
import { ChipRegs, type ChipServices } from './chip';
import { TallyCounters, type CounterState } from './counters';
import { Receiver, type ReceiverState } from './receive';
import { buildPages, RTL8029_CHIP_ID } from './register-pages';
import { CR, ISR, TCR } from './regs';
import type { RegisterDef, RegisterTable, RegisterTableOptions, UnmappedAccess } from '../../emulator/machine/bus/register-table';
import { RemoteDma, type RemoteDmaState } from './remote-dma';
import { CONFIG3_FUDUP, RTL8029_EEPROM_CONFIG2, Rtl8029Config, type Rtl8029ConfigState } from './rtl8029-config';
import { Transmitter, type TransmitterState } from './transmit';

export interface Dp8390Options {
  /** Station address (from configuration), stored in the PROM. PAR0–5 are the driver's to program. */
  mac: ArrayLike<number>;
  /** Board/chip variant: buffer-memory map, RTL8029 extensions. Default 'ne2000'. */
  variant?: Ne2000Variant;
  /** RTL8029 power-on CONFIG3.FUDUP (full duplex). Default false. */
  fullDuplex?: boolean;
}

export const DP8390_STATE = stateVersions('DP8390 core', 1);

export interface Dp8390State {
  v: 1;
  regs: {
    cr: number; isr: number; imr: number; dcr: number; tcr: number; rcr: number;
    pstart: number; pstop: number; bnry: number; curr: number; tpsr: number; tbcr: number;
    rsr: number; tsr: number; ncr: number; par: number[]; mar: number[];
    clda: number; rnpp: number; lnpp: number; ac: number; fifo: number[]; fifoIdx: number;
  };
  irq: boolean;
  stopPending: boolean;
  ram: string;
  remote: RemoteDmaState;
  counters: CounterState;
  rx: ReceiverState;
  tx: TransmitterState;
  mac: CsmaMacState;
  rtl: Rtl8029ConfigState | null;
}

/**
 * The DP8390 network interface controller with the buffer memory of an NE2000-class board: registers (four
 * pages, as tables), remote DMA, receive ring, transmitter, tally counters and one level interrupt output
 * (ISR & IMR & 0x7F ≠ 0). It knows nothing of ISA or PCI: a binding maps its 16 registers and the board's
 * data/reset ports into a register window (ne2000-window.ts).
 *
 * CR (datasheet section 10.1): STP stops the chip — ISR.RST is set at once, or when the transmission in
 * progress ends; a command with STA (and not STP) starts it and clears RST; a write with neither leaves the
 * chip as it was (Linux writes 0x20/0x22 style values freely). TXP is honoured only while running and reads 1
 * until the transmission completes. RD goes to the remote DMA (001 read, 010 write, 011 send packet, 1xx abort)
 * and reads back as written. RST never drives the interrupt line and ISR writes cannot clear it.
 */
export class Dp8390Core implements ChipServices, Snapshottable<Dp8390State> {
  readonly regs = new ChipRegs();
  readonly mem: BufferMemory;
  readonly counters: TallyCounters;
  readonly remote: RemoteDma;
  readonly receiver: Receiver;
  readonly transmitter: Transmitter;
  readonly mac: CsmaCdMac;
  readonly variant: Ne2000Variant;
  readonly rtl: Rtl8029Config | null;
  /** The four register pages (register-pages.ts), CR at 0x00 on each; a debugger reads them through `peek`. */
  readonly pages: readonly RegisterTable[];
  private line: IrqLine | null = null;
  private irqLevel = false;
  private stopPending = false;

  constructor(readonly ctx: ComponentContext, opts: Dp8390Options) {
    this.variant = opts.variant ?? 'ne2000';
    const mac = Uint8Array.from(Array.from(opts.mac).slice(0, 6));
    if (mac.length !== 6) throw new Error(`${ctx.name}: MAC address needs 6 bytes`);
    this.mem = new BufferMemory(this.variant, mac);
    this.counters = new TallyCounters(() => this.raise(ISR.CNT));
    const regs = this.regs;
    const self = this;
    this.remote = new RemoteDma({
      mem: this.mem,
      get pstart() { return regs.pstart; },
      get pstop() { return regs.pstop; },
      get bnry() { return regs.bnry; },
      get wordMode() { return regs.wordMode; },
      remoteDone: () => self.raise(ISR.RDC),
      sendPacketDone: (next) => {
        regs.bnry = next;
        regs.rnpp = next;
      },
      idleAccess: (dir) => self.trace('dma-idle', 0, { dir }),
    });
    this.receiver = new Receiver(this);
    regs.onBoundaryMoved = () => this.receiver.boundaryMoved();
    this.mac = new CsmaCdMac(ctx, (f) => this.receiver.fromWire(f));
    // Between a TXP and the frame reaching the MAC (the local DMA), the carrier will be read: not quiet.
    this.mac.sourceQuiet = () => !this.transmitter.active;
    this.transmitter = new Transmitter(this, this.mac, {
      loopback: (looped) => this.receiver.fromLoopback(looped),
      idle: () => this.txIdle(),
    });
    this.rtl = this.variant === 'rtl8029'
      ? new Rtl8029Config({ config2: RTL8029_EEPROM_CONFIG2, config3: opts.fullDuplex ? CONFIG3_FUDUP : 0 }, (full) => this.duplexSelected(full))
      : null;
    this.transmitter.ndAlways = this.rtl !== null;
    const page3 = this.rtl ? this.rtl.defs((what, v) => this.trace('reg-ignored', 0, { what, value: v })) : [];
    this.pages = buildPages(
      {
        regs,
        remote: this.remote,
        counters: this.counters,
        readCr: () => (regs.cr & ~CR.TXP) | (this.transmitter.active ? CR.TXP : 0),
        writeCr: (v) => this.writeCr(v),
        hooks: (page) => this.regTrace(page),
        writeIsr: (v) => {
          regs.isr &= ~(v & 0x7f);
          this.updateIrq();
        },
        writeImr: (v) => {
          regs.imr = v & 0x7f;
          this.updateIrq();
        },
        chipId: this.rtl ? RTL8029_CHIP_ID : undefined,
        rcrReadOnes: this.rtl ? 0xc0 : 0,
      },
      page3,
    );
    this.resetState();
    this.updateIrq();
  }

  /** The interrupt output (the binding connects it to an ISA IRQ or PCI INTA#). */
  attachIrq(line: IrqLine): void {
    this.line = line;
    line.set(this.irqLevel);
  }

  /** Attach the MAC to a medium (cable, hub, switch port). */
  connect(medium: Medium): void {
    this.mac.connect(medium);
  }

  get page(): number {
    return (this.regs.cr >> 6) & 3;
  }

  /** Read one of the 16 chip registers (offset 0x00–0x0F on the current page). */
  readReg(offset: number): number {
    return this.pages[this.page]!.read(offset & 0x0f, 1);
  }

  writeReg(offset: number, value: number): void {
    this.pages[this.page]!.write(offset & 0x0f, 1, value & 0xff);
  }

  /** Register-level trace records of page `page` (verbose only), and writes nothing takes (always). */
  private regTrace(page: number): Pick<RegisterTableOptions, 'onRead' | 'onWrite' | 'unmapped'> {
    const verbose = (): boolean => this.ctx.tracer.verbose;
    return {
      onRead: (reg: RegisterDef, value: number) => {
        if (verbose()) this.trace('reg-read', 0, { page, off: reg.offset, reg: reg.name, value });
      },
      onWrite: (reg: RegisterDef, value: number) => {
        if (verbose()) this.trace('reg-write', 0, { page, off: reg.offset, reg: reg.name, value });
      },
      unmapped: (a: UnmappedAccess) => {
        const off = a.offset;
        if (a.dir === 'read') {
          if (verbose()) this.trace('reg-read', 0, { page, off, reg: 'reserved', value: 0xff });
          return;
        }
        const reg = a.other?.name ?? 'reserved';
        const value = a.value ?? 0;
        if (verbose()) this.trace('reg-write', 0, { page, off, reg, value });
        this.trace('reg-ignored', 0, { page, off, reg, value });
      },
    };
  }

  /** The board's data port: one host access of `size` bytes through the remote DMA. */
  dataRead(size: 1 | 2 | 4): number {
    return this.remote.read(size);
  }

  dataWrite(size: 1 | 2 | 4, value: number): void {
    this.remote.write(size, value);
  }

  /**
   * Whether the next data-port access of `size` in this direction is detached from everything the rest of the
   * simulation does (RegisterHandler.detached): quiet (it only moves data and the remote DMA's counters: no RDC, no
   * trace record, no interrupt), and it touches only buffer memory that no event can write or read — not a page the
   * receiver could still store a frame into (from CURR up to, not including, BNRY, round the ring; the whole ring
   * when they are equal; refused outright while the ring is not valid), and for a write no byte of a transmission
   * whose packet the local DMA has not taken yet (Transmitter.sourcePending). Every state this reads only changes by
   * the host's own accesses except CURR, which a stored frame moves on towards BNRY: the free pages only shrink, so
   * the answer holds until the host's next access that is not detached.
   */
  dataDetached(write: boolean, size: 1 | 2 | 4): boolean {
    const { pstart, pstop, curr } = this.regs;
    if (pstart >= pstop || curr < pstart || curr >= pstop) return false;
    if (write && this.transmitter.sourcePending) return false;
    return this.remote.nextPagesAll(write ? 'write' : 'read', size, this.unstorable);
  }

  /** A page the receiver cannot store a frame into (dataDetached); one function, not one per data-port access. */
  private readonly unstorable = (page: number): boolean => {
    const { pstart, pstop, curr, bnry } = this.regs;
    if (page < pstart || page >= pstop) return true;
    const ring = pstop - pstart;
    const free = bnry >= pstart && bnry < pstop ? (bnry - curr + ring) % ring : 0;
    return free !== 0 && (page - curr + ring) % ring >= free;
  };

  /**
   * Whether a byte access to register `off` (0x00–0x0F, of the current page) is detached (RegisterHandler.detached):
   * it reads or sets state only the host moves, which no event of the chip or frame from the wire reads or changes.
   * - Page 0 writes of RSAR0/1 and RBCR0/1: only the remote DMA's next command takes them.
   * - Page 0 writes of TPSR and TBCR0/1: the transmitter reads them when it takes a packet; detached unless a
   *   started transmission has yet to (Transmitter.sourcePending).
   * - Page 0 reads of BNRY and CRDA0/1: only the host (and a Send Packet it started) moves them.
   * - CR writes to the running chip that neither stop it nor transmit, with no stop pending: they select a page and
   *   start a remote read or write with a byte count above zero, abort one, or leave it (RD = 0); not Send Packet
   *   (it reads the ring), not a remote DMA that completes at once (RDC). The interrupt line cannot change: ISR and
   *   IMR stay as they are.
   * Everything else is not (ISR, IMR, CURR, PSTART/PSTOP, RCR, TCR, DCR, the counters, TSR, CR reads: events read or
   * change them, or they drive the interrupt line).
   */
  regDetached(off: number, write: boolean, value: number): boolean {
    if (off === 0x00) return write && this.crDetached(value);
    if (this.page !== 0) return false;
    if (!write) return off === 0x03 || off === 0x08 || off === 0x09;
    if (off >= 0x08 && off <= 0x0b) return true;
    if (off >= 0x04 && off <= 0x06) return !this.transmitter.sourcePending;
    return false;
  }

  private crDetached(v: number): boolean {
    if (this.regs.stopped || this.stopPending || (v & (CR.STP | CR.TXP)) !== 0) return false;
    const rd = (v >> 3) & 7;
    if (rd === 3) return false;
    return !((rd === 1 || rd === 2) && this.remote.count === 0);
  }

  /** String I/O on the data port as one batch: the quiet accesses only (RemoteDma.writeQuiet/readQuiet). */
  dataWriteQuiet(size: 1 | 2 | 4, src: Uint8Array, start: number, count: number): number {
    return this.remote.writeQuiet(size, src, start, count);
  }
  dataReadQuiet(size: 1 | 2 | 4, dst: Uint8Array, start: number, count: number): number {
    return this.remote.readQuiet(size, dst, start, count);
  }

  private writeCr(v: number): void {
    const r = this.regs;
    const wasStopped = r.stopped;
    let runBits = r.cr & (CR.STA | CR.STP);
    if (v & CR.STP) runBits = v & (CR.STA | CR.STP);
    else if (v & CR.STA) runBits = CR.STA;
    r.cr = (v & (CR.PS_MASK | CR.RD_MASK)) | runBits;
    if (v & CR.STP) {
      this.receiver.endOverflow();
      if (this.transmitter.active) this.stopPending = true;
      else r.isr |= ISR.RST;
    } else if (v & CR.STA) {
      // Leaving the stopped state clears RST. A Start command to a running chip (Linux and NetBSD write STA with
      // every page switch) leaves a receive overflow's RST alone: that clears when packets are removed.
      if (wasStopped) r.isr &= ~ISR.RST;
      this.stopPending = false;
      if (wasStopped) this.trace('start', 0);
    }
    this.remote.command((v >> 3) & 7);
    if (v & CR.TXP) {
      if (r.stopped) this.trace('tx-ignored', 0, { reason: 'stopped' });
      else this.transmitter.command();
    }
    this.updateIrq();
  }

  private txIdle(): void {
    if (this.stopPending && this.regs.stopped) this.regs.isr |= ISR.RST;
    this.stopPending = false;
  }

  /**
   * The RESET pin (the NE2000 reset port, PCI RST#, power-on). Datasheet "Initialization Procedures": CR = 0x21
   * (STP, RD = abort, page 0), ISR = RST, IMR = 0, DCR = LAS, TCR loopback bits cleared. Other registers and
   * buffer RAM keep their contents. A transmission already on the wire finishes but reports nothing.
   */
  hardwareReset(): void {
    this.resetState();
    this.trace('reset', 0);
    this.updateIrq();
  }

  private resetState(): void {
    const r = this.regs;
    r.cr = CR.STP | CR.RD_ABORT;
    r.isr = ISR.RST;
    r.imr = 0;
    r.dcr = 0x04;
    r.tcr &= ~TCR.LB_MASK;
    this.stopPending = false;
    this.remote.reset();
    this.transmitter.reset();
    this.receiver.reset();
    // Power-on and every reset: tell the medium what the MAC can do. The DP8390 is a half-duplex MAC; an RTL8029
    // runs full duplex when CONFIG3.FUDUP is set (its EEPROM's value at power-on).
    this.mac.setFullDuplexCapable(this.rtl?.fullDuplex ?? false);
  }

  /** RTL8029 CONFIG3.FUDUP changed: the medium renegotiates the port (a cable or switch port goes full duplex). */
  private duplexSelected(full: boolean): void {
    this.trace('duplex', 0, { full });
    this.mac.setFullDuplexCapable(full);
  }

  /** ChipServices: OR bits into ISR and re-evaluate the line. */
  raise(bits: number): void {
    this.regs.isr |= bits;
    this.updateIrq();
  }

  /** The one place the interrupt output is driven: level = ISR & IMR & 0x7F (RST excluded). */
  updateIrq(): void {
    const level = (this.regs.isr & this.regs.imr & 0x7f) !== 0;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.trace('irq', 0, { isr: this.regs.isr });
    this.line?.set(level);
  }

  get irqAsserted(): boolean {
    return this.irqLevel;
  }

  trace(probe: string, pkt: number, fields?: TraceFields): void {
    this.ctx.tracer.emit(this.ctx.node, 'nic', probe, pkt, fields ? { nic: this.ctx.name, ...fields } : { nic: this.ctx.name });
  }

  saveState(): Dp8390State {
    const r = this.regs;
    return {
      v: 1,
      regs: {
        cr: r.cr, isr: r.isr, imr: r.imr, dcr: r.dcr, tcr: r.tcr, rcr: r.rcr,
        pstart: r.pstart, pstop: r.pstop, bnry: r.bnry, curr: r.curr, tpsr: r.tpsr, tbcr: r.tbcr,
        rsr: r.rsr, tsr: r.tsr, ncr: r.ncr, par: Array.from(r.par), mar: Array.from(r.mar),
        clda: r.clda, rnpp: r.rnpp, lnpp: r.lnpp, ac: r.ac, fifo: Array.from(r.fifo), fifoIdx: r.fifoIdx,
      },
      irq: this.irqLevel,
      stopPending: this.stopPending,
      ram: bytesToB64(this.mem.ram),
      remote: this.remote.saveState(),
      counters: this.counters.saveState(),
      rx: this.receiver.saveState(),
      tx: this.transmitter.saveState(),
      mac: this.mac.saveState(),
      rtl: this.rtl ? this.rtl.saveState() : null,
    };
  }

  /** Restore into a freshly built core (same options); pending events are rescheduled at their saved times. */
  loadState(saved: Dp8390State): void {
    const s = readState<Dp8390State>(this.ctx.name, DP8390_STATE, saved);
    const r = this.regs;
    const g = s.regs;
    // Restoring BNRY is not the host removing packets: the receiver's overflow hook stays out of it.
    const boundaryHook = r.onBoundaryMoved;
    r.onBoundaryMoved = null;
    Object.assign(r, {
      cr: g.cr, isr: g.isr, imr: g.imr, dcr: g.dcr, tcr: g.tcr, rcr: g.rcr,
      pstart: g.pstart, pstop: g.pstop, bnry: g.bnry, curr: g.curr, tpsr: g.tpsr, tbcr: g.tbcr,
      rsr: g.rsr, tsr: g.tsr, ncr: g.ncr, clda: g.clda, rnpp: g.rnpp, lnpp: g.lnpp, ac: g.ac, fifoIdx: g.fifoIdx,
    });
    r.onBoundaryMoved = boundaryHook;
    r.par.set(g.par.slice(0, 6));
    r.mar.set(g.mar.slice(0, 8));
    r.fifo.set(g.fifo.slice(0, 8));
    this.stopPending = s.stopPending;
    b64ToBytes(s.ram, this.mem.ram);
    this.remote.loadState(s.remote);
    this.counters.loadState(s.counters);
    this.receiver.loadState(s.rx);
    this.transmitter.loadState(s.tx);
    this.mac.loadState(s.mac, this.transmitter.outcome);
    if (this.rtl && s.rtl) this.rtl.loadState(s.rtl);
    this.irqLevel = s.irq;
    this.line?.set(s.irq);
  }
}
