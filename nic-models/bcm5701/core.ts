/**
 * The BCM5701 chip, apart from its PCI binding (bcm5701-pci.ts): it builds and wires the register file and
 * tables, SRAM, EEPROM, boot code, interrupt output, host coalescing, the send and receive paths, the FTQ/DMA
 * engine, statistics, and the integrated PHY with its MDIO engine (phy-glue.ts); it owns the resets, the
 * bus-master DMA helper every transfer goes through, and the attention logic.
 *
 * Every descriptor, status block, statistics block and frame moves through the `DmaMemory` the host attached
 * (`attachDma`) and costs the PCI bus time it returns; transfers of one chip are serialised on its bus
 * (`busFreeAt`). Addresses at or above 4 GiB (addr_hi ≠ 0: no dual-address cycles on this board) master-abort.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { Time } from '../../emulator/machine/sim/time';
import { RegisterTable } from '../../emulator/machine/bus/register-table';
import type { DmaMemory, PciConfigAccess, PciSegmentView } from '../../emulator/machine/bus/types';
import type { Frame, Medium } from '../../emulator/machine/net/link';
import { CsmaCdMac, type TxOutcome } from '../common/csma-mac';
import { Bar0 } from './bar0';
import { BootCode } from './boot-code';
import { ConfigRegs } from './config-regs';
import { buildEepromImage, Eeprom, HWCFG_EEPROM_WP } from './eeprom';
import { FlowControl } from './flow-control';
import { Ftq } from './ftq';
import { GrcTimer } from './grc';
import { HostCoal } from './host-coal';
import { Bcm5701Irq } from './irq';
import { createPhyGlue, type PhyGlue, type PhyLink } from './phy-glue';
import { ReceivePath } from './receive';
import { buildRegisterDefs } from './register-map';
import { RegFile } from './reg-file';
import {
  BLOCK, CFG, CLOCK_CTRL_BITS, FLOW_ATTN_BITS, GRC, GRC_MODE_BITS, HOSTCC, MAC, MAC_ATTN_SOURCES, MAC_MODE_BITS,
  MAC_STATUS_BITS, MISC_HOST_CTRL_BITS, MODE_ENABLE, PORT_MODE, RCVDBDI_STATUS_BITS, RCVLPC_STATS_ENABLE, RCVLPC_STATSCTRL,
  SNDDATAI_STATSCTRL,
} from './regs';
import type { FilterConfig } from './rx-filter';
import { SendPath } from './send';
import { Sram } from './sram';
import { Stats } from './stats';
import { tickNs } from './timing';

export interface Bcm5701Options {
  mac: ArrayLike<number>;
  /** EEPROM part size (default 1 KiB). */
  eepromBytes?: number;
  /** Scale of PHY/autonegotiation times (tests use e.g. 0.001). */
  phyTimeScale?: number;
  /**
   * The slot before a host attaches one (`PciFunction.attachBus`, which then wins): 33 or 66 MHz, 32- or 64-bit,
   * as PCISTATE reports it. Default 33 MHz, 32 bits. The DmaMemory charges the bus time.
   */
  bus?: { mhz66: boolean; wide64: boolean };
}

/** PCI status: received master abort (PCI 3.0 §6.2.3). */
const PCI_STATUS_REC_MASTER_ABORT = 0x2000;
/** A master abort costs arbitration, address and five clocks of subtractive decode. */
const MASTER_ABORT_CLOCKS = 8;
/** PCI clock period by segment clock (PCI 3.0 §4.2.3.1, chapter 7). */
const PCI_PERIOD_NS = { 33: 30, 66: 15 } as const;

export class Bcm5701Core {
  readonly f = new RegFile();
  readonly sram = new Sram();
  readonly stats: Stats;
  readonly eeprom: Eeprom;
  readonly irq: Bcm5701Irq;
  readonly hc: HostCoal;
  readonly ftq: Ftq;
  readonly send: SendPath;
  readonly recv: ReceivePath;
  readonly boot: BootCode;
  readonly config: ConfigRegs;
  readonly table: RegisterTable;
  readonly bar0: Bar0;
  readonly mac: CsmaCdMac;
  readonly phy: PhyGlue;
  readonly timer = new GrcTimer();
  readonly macAddress: Uint8Array;
  /**
   * The slot as PCISTATE reports it: M66EN (the segment's clock; the 5701 is 66 MHz capable) and REQ64# at reset
   * (the slot's width; the 5701 is 64-bit). Read through `segment` once the host attached one.
   */
  readonly bus: { readonly mhz66: boolean; readonly wide64: boolean };
  /** The PCI segment the chip is plugged into (`PciFunction.attachBus`), or null before plug-in. */
  segment: PciSegmentView | null = null;
  cfg: PciConfigAccess | null = null;
  dmaMem: DmaMemory | null = null;
  busFreeAt: Time = 0;
  /** MAC attention as last evaluated (rising edges cause a status update). */
  macAttn = false;
  readonly flow: FlowControl;
  private lastPortModeOk = true;
  private filter: FilterConfig | null = null;

  constructor(readonly ctx: ComponentContext, opts: Bcm5701Options) {
    this.macAddress = Uint8Array.from(Array.from(opts.mac).slice(0, 6));
    if (this.macAddress.length !== 6) throw new Error(`${ctx.name}: MAC address needs 6 bytes`);
    const fixed = opts.bus ?? { mhz66: false, wide64: false };
    const slot = (): PciSegmentView | null => this.segment;
    this.bus = {
      get mhz66() {
        const s = slot();
        return s ? s.clockMhz === 66 : fixed.mhz66;
      },
      get wide64() {
        const s = slot();
        return s ? s.slotWidth === 64 : fixed.wide64;
      },
    };
    const tr = (probe: string, fl: Record<string, number | string | boolean>): void => this.trace(probe, 0, fl);
    this.stats = new Stats(this.sram);
    this.sram.hooks = {
      beforeRead: (addr, len) => {
        // Only once the driver has placed the block (tg3/bge: 0x300); before that the range is plain SRAM.
        const nic = this.f.get(HOSTCC.STATS_BLK_NIC_ADDR);
        if (nic !== 0 && addr + len > nic && addr < nic + 0x800) this.stats.materialise(nic);
      },
      outOfRange: (dir, addr) => {
        // The window base is a 32-bit register: report the address as the bus saw it (unsigned).
        this.f.set(BLOCK.MEMARB + 8, addr >>> 0);
        tr('sram-out-of-range', { dir, addr: addr >>> 0 });
      },
    };
    this.eeprom = new Eeprom(ctx, buildEepromImage({ mac: this.macAddress, size: opts.eepromBytes ?? 1024 }),
      () => (this.sram.read32(0xb58) & HWCFG_EEPROM_WP) !== 0, tr);
    this.irq = new Bcm5701Irq({
      maskPciInt: () => (this.f.get(CFG.MISC_HOST_CTRL) & MISC_HOST_CTRL_BITS.MASK_PCI_INT) !== 0,
      tagged: () => (this.f.get(CFG.MISC_HOST_CTRL) & MISC_HOST_CTRL_BITS.TAGGED_STATUS) !== 0,
      statusTag: () => this.hc.tag,
      maskChanged: () => this.hc.maskChanged(),
      counted: (raised) => this.stats.add(raised ? 'nic_irqs' : 'nic_avoided_irqs', 'hc'),
      trace: tr,
    });
    this.hc = new HostCoal(ctx, {
      f: this.f, sram: this.sram, stats: this.stats,
      wdmaEnabled: () => this.enabled(BLOCK.WDMAC),
      tickNs: () => tickNs((this.f.get(GRC.MISC_CFG) >>> 1) & 0x7f),
      masked: () => this.irq.masked,
      indices: () => ({ stdCons: this.recv.stdCons, retProd: this.recv.retProd, sendCompl: this.send.compl }),
      linkChg: () => (this.f.get(MAC.STATUS) & this.f.get(MAC.EVENT) & MAC_STATUS_BITS.LNKSTATE_CHANGED) !== 0,
      errorPending: () => this.errorPending(),
      grcMode: () => this.f.get(GRC.MODE),
      dma: (addr, buf) => this.dma('write', addr, buf).end,
      requestIrq: () => this.irq.request(),
      trace: tr,
    });
    this.ftq = new Ftq(ctx, {
      sram: this.sram,
      engineEnabled: (dir) => this.enabled(dir === 'read' ? BLOCK.RDMAC : BLOCK.WDMAC),
      mayMaster: () => this.mayMaster(),
      dma: (dir, addr, buf) => this.dma(dir, addr, buf).end,
      trace: tr,
    });
    this.send = new SendPath(this);
    this.recv = new ReceivePath(this);
    this.boot = new BootCode(ctx, { f: this.f, sram: this.sram, image: () => this.eeprom.image, macWritten: () => this.filterChanged(), trace: tr });
    this.phy = createPhyGlue(ctx, {
      setMacStatus: (bits) => {
        this.f.set(MAC.STATUS, this.f.get(MAC.STATUS) | bits);
        this.attentionChanged();
      },
      attentionChanged: () => this.attentionChanged(),
      linkChanged: (up) => this.linkChanged(up),
      trace: tr,
    }, { timeScale: opts.phyTimeScale ?? 1 });
    this.config = new ConfigRegs(this.f, {
      sram: this.sram,
      clearInt: () => this.irq.clearInt(),
      updateIrq: () => this.irq.updateIrq(),
      intAsserted: () => this.irq.asserted,
      coreReset: () => this.coreReset(),
      regRead: (off) => this.bar0.regRead(off),
      regWrite: (off, v) => this.bar0.regWrite(off, 4, v),
      bus: this.bus,
      trace: tr,
    });
    this.table = new RegisterTable('BCM5701', buildRegisterDefs(this), { span: 0x8000 });
    this.bar0 = new Bar0({
      table: this.table, f: this.f, sram: this.sram,
      cfg: () => this.cfg,
      cfgFallback: (off, size) => this.config.read(off, size, this.table),
      cfgFallbackWrite: (off, size, v) => this.config.write(off, size, v, this.table),
      d3: () => this.config.d3,
      verbose: () => ctx.tracer.verbose,
      trace: tr,
    });
    this.mac = new CsmaCdMac(ctx, (fr) => this.recv.fromWire(fr));
    this.flow = new FlowControl(this);
    this.mac.setAutoneg(this.phy.endpoint);
    this.powerOnReset();
  }

  /** Trace on layer "nic"; `verboseOnly` records (per frame, per register) only when the tracer is verbose. */
  trace(probe: string, pkt: number, fields: Record<string, number | string | boolean>, verboseOnly = false): void {
    if (verboseOnly && !this.ctx.tracer.verbose) return;
    this.ctx.tracer.emit(this.ctx.node, 'nic', probe, pkt, { nic: this.ctx.name, ...fields });
  }

  enabled(base: number): boolean {
    return (this.f.get(base) & MODE_ENABLE) !== 0;
  }

  connect(medium: Medium): void {
    this.mac.connect(medium);
  }

  // ---- bus-master DMA ----

  /** Bus Master Enable (PCI command bit 2) as the host left it. */
  mayMaster(): boolean {
    return this.cfg === null || (this.cfg.command & 0x4) !== 0;
  }

  /** One burst to or from host memory; returns when it ends and whether it was claimed. */
  dma(dir: 'read' | 'write', addr: number, buf: Uint8Array): { end: Time; ok: boolean } {
    const now = this.ctx.queue.now;
    const start = Math.max(now, this.busFreeAt);
    const mem = this.dmaMem;
    if (buf.length === 0) return { end: start, ok: true };
    let ns: number;
    let ok = true;
    if (!mem || !Number.isInteger(addr) || addr < 0 || addr + buf.length > 0x1_0000_0000) {
      // No dual-address cycles: nothing claims an address at or above 4 GiB.
      if (dir === 'read') buf.fill(0xff);
      this.cfg?.raiseStatus(PCI_STATUS_REC_MASTER_ABORT);
      this.trace('master-abort', 0, { dir, addr, len: buf.length, reason: mem ? 'above-4g' : 'no-bus' });
      ns = MASTER_ABORT_CLOCKS * PCI_PERIOD_NS[this.bus.mhz66 ? 66 : 33];
      ok = false;
    } else {
      const before = mem.aborts ?? 0;
      ns = dir === 'read' ? mem.read(addr, buf) : mem.write(addr, buf);
      if ((mem.aborts ?? 0) !== before) {
        ok = false;
        this.trace('master-abort', 0, { dir, addr, len: buf.length, reason: 'dma' });
      }
    }
    this.busFreeAt = start + ns;
    return { end: this.busFreeAt, ok };
  }

  /** Set an error/attention status bit (RDMAC/WDMAC MSTABORT, SNDBDI ERROR, …) and report it. */
  setStatus(off: number, bit: number, reason: string): void {
    const was = this.errorPending();
    this.f.set(off, this.f.get(off) | bit);
    this.trace('attention', 0, { reg: off, bit, reason });
    if (!was && this.errorPending()) this.hc.now('error', true);
  }

  /** Error attention sources with their enables (design §1.12.4). */
  errorPending(): boolean {
    const g = (o: number): number => this.f.get(o);
    return (g(BLOCK.RDMAC + 4) & 0x8 && g(BLOCK.RDMAC) & 0x8) !== 0
      || (g(BLOCK.WDMAC + 4) & 0x8 && g(BLOCK.WDMAC) & 0x8) !== 0
      || (g(BLOCK.SNDBDI + 4) & 0x4) !== 0 || (g(BLOCK.SNDBDS + 4) & 0x4) !== 0
      || (g(BLOCK.RCVDBDI + 4) & RCVDBDI_STATUS_BITS.INV_RING_SZ && g(BLOCK.RCVDBDI) & 0x10) !== 0
      || (g(HOSTCC.FLOW_ATTN) & ~FLOW_ATTN_BITS.MBUF_LWM) !== 0;
  }

  rcbMismatch(ring: string, maxlen: number): void {
    if (this.f.get(BLOCK.RCVDBDI + 4) & RCVDBDI_STATUS_BITS.INV_RING_SZ) return;
    this.trace('rcb-size-mismatch', 0, { ring, maxlen });
    this.setStatus(BLOCK.RCVDBDI + 4, RCVDBDI_STATUS_BITS.INV_RING_SZ, 'rcb-size-mismatch');
  }

  // ---- attention, link ----

  attentionChanged(): void {
    const st = this.f.get(MAC.STATUS) | (this.phy.interrupt() ? MAC_STATUS_BITS.MI_INTERRUPT : 0);
    const attn = (st & this.f.get(MAC.EVENT) & MAC_ATTN_SOURCES) !== 0;
    const rising = attn && !this.macAttn;
    this.macAttn = attn;
    if (rising) this.hc.now('mac-attn', (this.f.get(GRC.MODE) & GRC_MODE_BITS.IRQ_ON_MAC_ATTN) !== 0);
  }

  private linkChanged(up: boolean): void {
    this.trace('link', 0, { up, ...(up ? { speed: this.phy.link()?.speedMbps ?? 0, full: this.phy.link()?.fullDuplex ?? false } : {}) });
    this.send.kick();
  }

  /** The PHY's negotiated link, or null while it is down. */
  phyLink(): PhyLink | null {
    return this.phy.link();
  }

  portModeMatches(speedMbps: number): boolean {
    const pm = (this.f.get(MAC.MODE) & MAC_MODE_BITS.PORT_MODE) >>> 2;
    const ok = speedMbps === 1000 ? pm === PORT_MODE.GMII : pm === PORT_MODE.MII;
    if (ok !== this.lastPortModeOk) {
      this.lastPortModeOk = ok;
      if (!ok) this.trace('port-mode-mismatch', 0, { portMode: pm, speed: speedMbps });
    }
    return ok;
  }

  internalLoopback(): boolean {
    return (this.f.get(MAC.MODE) & MAC_MODE_BITS.PORT_INT_LPBACK) !== 0 || this.phy.loopback();
  }

  txClockDisabled(): boolean {
    return (this.f.get(CFG.CLOCK_CTRL) & (CLOCK_CTRL_BITS.TXCLK_DISABLE | CLOCK_CTRL_BITS.CORECLK_DISABLE)) !== 0;
  }

  rxClockDisabled(): boolean {
    return (this.f.get(CFG.CLOCK_CTRL) & (CLOCK_CTRL_BITS.RXCLK_DISABLE | CLOCK_CTRL_BITS.CORECLK_DISABLE)) !== 0;
  }

  extendedLength(): boolean {
    return this.phy.extendedLength();
  }

  phyCrcError(bad: boolean): void {
    if (bad) this.phy.crcError();
  }

  /** The receive filter as the registers set it, rebuilt after a write to them (not per frame). */
  filterConfig(): FilterConfig {
    return (this.filter ??= this.buildFilter());
  }

  filterChanged(): void {
    this.filter = null;
  }

  private buildFilter(): FilterConfig {
    const g = (o: number): number => this.f.get(o);
    return {
      promisc: (g(MAC.RX_MODE) & 0x100) !== 0,
      hash: [g(MAC.HASH_REG_0), g(MAC.HASH_REG_0 + 4), g(MAC.HASH_REG_0 + 8), g(MAC.HASH_REG_0 + 12)],
      addrs: [0, 1, 2, 3].map((n) => [g(MAC.ADDR_0_HIGH + 8 * n), g(MAC.ADDR_0_HIGH + 8 * n + 4)] as const),
    };
  }

  wireTransmit(frame: Frame, done: (o: TxOutcome) => void): void {
    this.mac.transmit(frame, done);
  }

  /** A PAUSE we honour (MAC_RX_MODE.FLOW_CTRL_ENABLE): hold the transmitter (flow-control.ts). */
  pauseReceived(quanta: number): void {
    this.flow.pauseReceived(quanta);
  }

  /** Free mbufs changed: XOFF/XON (flow-control.ts). */
  flowControl(): void {
    this.flow.update();
  }

  // ---- register side effects ----

  macModeChanged(v: number, old: number, reset: boolean): void {
    if (reset || v & MAC_MODE_BITS.RXSTAT_CLEAR) this.stats.clear('macRx');
    if (reset || v & MAC_MODE_BITS.TXSTAT_CLEAR) this.stats.clear('macTx');
    this.updateStatEnables();
    if ((v ^ old) & MAC_MODE_BITS.PORT_MODE) this.lastPortModeOk = true;
    this.send.kick();
    this.recv.kick();
  }

  blockModeChanged(base: number): void {
    this.updateStatEnables();
    if (base === BLOCK.RDMAC || base === BLOCK.WDMAC) this.ftq.kick();
    this.send.kick();
    this.recv.kick();
  }

  updateStatEnables(): void {
    const g = (o: number): number => this.f.get(o);
    this.stats.enabled = {
      macRx: (g(MAC.MODE) & MAC_MODE_BITS.RXSTAT_ENABLE) !== 0,
      macTx: (g(MAC.MODE) & MAC_MODE_BITS.TXSTAT_ENABLE) !== 0,
      rlp: (g(RCVLPC_STATSCTRL) & 1) !== 0 && (g(RCVLPC_STATS_ENABLE) & 1) !== 0,
      sdi: (g(SNDDATAI_STATSCTRL) & 1) !== 0,
      hc: true,
    };
  }

  // ---- resets (design §1.17) ----

  /**
   * Core reset (GRC_MISC_CFG bit 0, PCISTATE.FORCE_RESET, D3hot → D0): every block register to its reset value
   * except the kept ones, PCI command MEM/MASTER cleared ("GRC_MISC_CFG core clock reset will clear the memory
   * enable bit in PCI register 4", tg3_chip_reset), indices, FIFOs, coalescing, statistics and interrupt state
   * cleared; SRAM, EEPROM, PHY and link kept; then the boot code runs.
   */
  coreReset(): void {
    this.trace('reset', 0, { kind: 'core' });
    this.f.reset('core');
    const cfg = this.cfg;
    if (cfg) cfg.write(0x04, 2, cfg.command & ~0x7);
    this.resetParts();
    this.boot.start('core');
  }

  /** RST# / power-on: everything, SRAM zero-filled, the PHY reset and renegotiating; then the boot code. */
  powerOnReset(): void {
    this.f.reset('rst');
    this.sram.bytes.fill(0);
    this.config.pmcsr = 0;
    this.resetParts();
    this.phy.powerOn();
    this.boot.start('rst');
  }

  private resetParts(): void {
    this.irq.reset();
    this.hc.reset();
    this.send.reset();
    this.recv.reset();
    this.ftq.reset();
    this.eeprom.reset();
    this.phy.resetMdio();
    this.stats.clear();
    this.updateStatEnables();
    this.macAttn = false;
    this.filter = null;
    this.flow.xoffSent = false;
    this.lastPortModeOk = true;
    this.timer.written = 0;
    this.timer.since = this.ctx.queue.now;
  }
}
