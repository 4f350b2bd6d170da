/**
 * The RT2560 chip apart from its PCI binding (rt2560-pci.ts): the CSR file and its register table (csr.ts), the
 * interrupt output (CSR7 source, CSR8 mask, INTx while CSR7 & ~CSR8), the 93C66 EEPROM on CSR21, the BBP and RF
 * serial interfaces, the PWRCSR1 power states, the TSF timer and beacon generator (tsf.ts), the transmit rings
 * (tx.ts), the receive ring (rx.ts), the cipher engine's walks with AES-CCM (cipher.ts), and the MAC's channel
 * access (dcf.ts).
 *
 * Every descriptor and frame moves through the `DmaMemory` the host attached (`attachDma`) and costs the PCI time
 * it returns; the chip's transfers are serialised on its bus (`busFreeAt`). Without Bus Master Enable the chip
 * cannot master: the transfer is traced as a master abort and reads all ones.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Time } from '../../emulator/machine/sim/time';
import { RegisterTable } from '../../emulator/machine/bus/register-table';
import type { DmaMemory, IrqLine, PciConfigAccess } from '../../emulator/machine/bus/types';
import type { Position, WirelessMedium } from '../../emulator/machine/net/wireless/radio';
import { BbpRf } from './bbp-rf';
import { CipherEngine } from './cipher';
import { CSR_SPAN, csrDefs, CSR_RESET } from './csr';
import { Dcf } from './dcf';
import { buildEepromImage, Eeprom93c66, imageMac } from './eeprom';
import { ASIC_REVISION, CSR, EEPROM_WORD, INT_ALL, PWRCSR1_BITS as P, RF_TYPE } from './regs';
import { RxEngine } from './rx';
import { POWER_TRANSITION_NS } from './timing';
import { Tsf } from './tsf';
import { TxEngine } from './tx';

export interface Rt2560Options {
  mac: ArrayLike<number>;
  /** TX power per channel in the EEPROM (dBm, default 18). */
  txPowerDbm?: number;
}

/** PCI status: received master abort (PCI 3.0 §6.2.3). */
const PCI_STATUS_REC_MASTER_ABORT = 0x2000;
/** A master abort: arbitration, address and five clocks of subtractive decode at 33 MHz. */
const MASTER_ABORT_NS = 8 * 30;

export type TraceValue = number | string | boolean;

export class Rt2560Core {
  /** The CSR file: plain storage for every register without behaviour (and the stored part of those with). */
  readonly r = new Uint32Array(CSR_SPAN >> 2);
  readonly eeprom: Eeprom93c66;
  readonly bbprf: BbpRf;
  readonly table: RegisterTable;
  readonly tsf: Tsf;
  readonly dcf: Dcf;
  readonly tx: TxEngine;
  readonly rx: RxEngine;
  readonly cipher: CipherEngine;
  readonly macAddress: Uint8Array;
  readonly rfType: number;
  cfg: PciConfigAccess | null = null;
  dmaMem: DmaMemory | null = null;
  busFreeAt: Time = 0;
  private line: IrqLine | null = null;
  /** PWRCSR1 current BBP and RF power states (0 deep sleep … 3 awake) and the pending transition. */
  bbpState = 0;
  rfState = 0;
  desiredState = 0;
  /** The states the pending transition (powerEv) moves to. */
  pendingPower = { bbp: 0, rf: 0 };
  readonly powerEv: SimEvent;
  /** Counters kept beside the clear-on-read CNT registers (inspect). */
  readonly counters = {
    txFrames: 0, txRetries: 0, txFailed: 0, rxFrames: 0, rxDropped: 0, acksSent: 0, beacons: 0,
    cipherEncrypted: 0, cipherDecrypted: 0, cipherIcvErrors: 0, cipherInvalid: 0,
  };

  constructor(readonly ctx: ComponentContext, opts: Rt2560Options) {
    this.macAddress = Uint8Array.from(Array.from(opts.mac).slice(0, 6));
    if (this.macAddress.length !== 6) throw new Error(`${ctx.name}: MAC address needs 6 bytes`);
    this.rfType = RF_TYPE.RF2525;
    this.eeprom = new Eeprom93c66(buildEepromImage({ mac: this.macAddress, rfType: this.rfType, ...(opts.txPowerDbm !== undefined ? { txPower: opts.txPowerDbm } : {}) }));
    this.eeprom.onProgram = (op, addr) => this.trace('eeprom-program', { op, addr });
    this.bbprf = new BbpRf(ctx, this.rfType, {
      tune: (ch) => this.dcf.tune(ch),
      txPower: (dbm) => this.dcf.setTxPower(dbm),
      trace: (p, f) => this.trace(p, f),
    });
    this.powerEv = new SimEvent(`${ctx.name}.power`, () => this.powerSettled(), Priority.Device);
    this.tsf = new Tsf(this);
    this.dcf = new Dcf(this);
    this.cipher = new CipherEngine(this);
    this.tx = new TxEngine(this);
    this.rx = new RxEngine(this);
    this.table = new RegisterTable('RT2560', csrDefs(this), {
      span: CSR_SPAN,
      unmapped: (a) => this.trace('reg-unmapped', { dir: a.dir, off: a.offset, size: a.size, ...(a.value !== undefined ? { value: a.value >>> 0 } : {}) }),
    });
    this.powerOnReset();
  }

  /** Trace on layer "nic". */
  trace(probe: string, fields: Record<string, TraceValue>, pkt = 0): void {
    this.ctx.tracer.emit(this.ctx.node, 'nic', probe, pkt, { nic: this.ctx.name, ...fields });
  }

  get(off: number): number {
    return this.r[off >> 2]!;
  }

  set(off: number, v: number): void {
    this.r[off >> 2] = v >>> 0;
  }

  get now(): Time {
    return this.ctx.queue.now;
  }

  // ---- reset ----

  /** PCI RST#: every register to its reset value, EEPROM interface idle, BBP in reset, radio asleep. */
  powerOnReset(): void {
    this.r.fill(0);
    for (const [off, v] of CSR_RESET) this.set(off, v);
    this.set(CSR.CSR0, ASIC_REVISION);
    // BSD/QNX read the MAC from CSR3/CSR4 at attach (NetBSD rt2560_get_macaddr): the chip loads it from the EEPROM.
    const mac = imageMac(this.eeprom.words);
    this.set(CSR.CSR3, (mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24)) >>> 0);
    this.set(CSR.CSR4, mac[4]! | (mac[5]! << 8));
    this.eeprom.powerOn();
    this.bbprf.resetBbp();
    this.ctx.queue.deschedule(this.powerEv);
    this.bbpState = this.rfState = this.desiredState = 0;
    this.tsf.reset();
    this.tx.reset();
    this.rx.reset();
    this.cipher.reset();
    this.dcf.reset();
    this.updateIrq();
  }

  /**
   * CSR1.SOFT_RESET: the MAC's engines stop and go back to entry 0 of every ring; the CSR file keeps its values
   * (rt2500pci programs the ring bases before the soft reset of rt2500pci_init_registers) *(I)*.
   */
  softReset(): void {
    this.trace('reset', { kind: 'soft' });
    this.tx.reset();
    this.rx.reset();
    this.cipher.reset();
    this.dcf.reset();
    this.bbprf.resetBbp();
  }

  /** The EEPROM's word (the kind's description and the tests read the image, not the pins). */
  eepromWord(w: number): number {
    return this.eeprom.words[w & 0xff]!;
  }

  /** TX power from the EEPROM for a channel (words 0x23–0x29, two channels per word, low byte first). */
  eepromTxPower(channel: number): number {
    const w = this.eepromWord(EEPROM_WORD.TXPOWER_START + ((channel - 1) >> 1));
    return (channel - 1) & 1 ? w >>> 8 : w & 0xff;
  }

  // ---- interrupts (CSR7/CSR8) ----

  attachIrq(line: IrqLine): void {
    this.line = line;
    this.updateIrq();
  }

  /** Latch interrupt sources in CSR7 (they latch while masked *(I)*). */
  raise(bits: number): void {
    this.set(CSR.CSR7, this.get(CSR.CSR7) | bits);
    this.updateIrq();
  }

  get irqAsserted(): boolean {
    return (this.get(CSR.CSR7) & ~this.get(CSR.CSR8) & INT_ALL) !== 0;
  }

  updateIrq(): void {
    const level = this.irqAsserted;
    if (this.line && this.line.level !== level) {
      this.line.set(level);
      this.trace('irq', { level, csr7: this.get(CSR.CSR7) });
    }
  }

  // ---- power states (PWRCSR1) ----

  /**
   * PWRCSR1 written with SET_STATE: the BBP and RF move to the desired state after POWER_TRANSITION_NS
   * (rt2500pci_set_state polls BBP_CURR_STATE/RF_CURR_STATE every 10 ms, 100 times).
   */
  setPowerState(v: number): void {
    if (!(v & P.SET_STATE)) return;
    const bbp = (v & P.BBP_DESIRE_STATE) >>> 1;
    const rf = (v & P.RF_DESIRE_STATE) >>> 3;
    const want = Math.min(bbp, rf);
    if (this.powerEv.scheduled && want === this.desiredState) return;
    this.desiredState = want;
    if (this.bbpState === bbp && this.rfState === rf) return;
    this.ctx.queue.deschedule(this.powerEv);
    this.ctx.queue.schedule(this.powerEv, this.now + POWER_TRANSITION_NS);
    this.pendingPower = { bbp, rf };
  }

  private powerSettled(): void {
    this.bbpState = this.pendingPower.bbp;
    this.rfState = this.pendingPower.rf;
    this.trace('power-state', { bbp: this.bbpState, rf: this.rfState });
    this.dcf.radioPowered(this.awake);
  }

  get awake(): boolean {
    return this.rfState === 3;
  }

  pwrcsr1(): number {
    const v = this.get(CSR.PWRCSR1) & ~(P.BBP_CURR_STATE | P.RF_CURR_STATE);
    return (v | (this.bbpState << 5) | (this.rfState << 7)) >>> 0;
  }

  // ---- bus-master DMA ----

  /** Bus Master Enable (PCI command bit 2) as the host left it. */
  mayMaster(): boolean {
    return this.cfg === null || (this.cfg.command & 0x4) !== 0;
  }

  /** One burst to or from host memory at the chip's next free bus slot; returns when it ends and whether it was claimed. */
  dma(dir: 'read' | 'write', addr: number, buf: Uint8Array): { end: Time; ok: boolean } {
    const start = Math.max(this.now, this.busFreeAt);
    const mem = this.dmaMem;
    if (buf.length === 0) return { end: start, ok: true };
    let ns: number;
    let ok = true;
    if (!mem || !this.mayMaster() || !Number.isInteger(addr) || addr < 0 || addr + buf.length > 0x1_0000_0000) {
      if (dir === 'read') buf.fill(0xff);
      this.cfg?.raiseStatus(PCI_STATUS_REC_MASTER_ABORT);
      this.trace('master-abort', { dir, addr, len: buf.length, reason: !mem ? 'no-bus' : !this.mayMaster() ? 'bus-master-off' : 'range' });
      ns = MASTER_ABORT_NS;
      ok = false;
    } else {
      const before = mem.aborts ?? 0;
      ns = dir === 'read' ? mem.read(addr, buf) : mem.write(addr, buf);
      if ((mem.aborts ?? 0) !== before) {
        ok = false;
        this.trace('master-abort', { dir, addr, len: buf.length, reason: 'dma' });
      }
    }
    this.busFreeAt = start + ns;
    return { end: this.busFreeAt, ok };
  }

  // ---- the air ----

  connectRadio(medium: WirelessMedium, position: () => Position): void {
    this.dcf.connect(medium, position);
  }

  /** Whether the MAC address in CSR3/CSR4 matches `b` at `off`. */
  isOwnAddress(b: Uint8Array, off: number): boolean {
    const lo = this.get(CSR.CSR3);
    const hi = this.get(CSR.CSR4);
    for (let i = 0; i < 6; i++) {
      const want = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
      if (b[off + i] !== want) return false;
    }
    return true;
  }

  /** Whether the BSSID in CSR5/CSR6 matches `b` at `off`. */
  isBssid(b: Uint8Array, off: number): boolean {
    const lo = this.get(CSR.CSR5);
    const hi = this.get(CSR.CSR6);
    for (let i = 0; i < 6; i++) {
      const want = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
      if (b[off + i] !== want) return false;
    }
    return true;
  }
}
