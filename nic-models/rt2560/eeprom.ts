/**
 * The RT2560's serial EEPROM: a 93C66 (256 × 16 bits, 8 address bits; CSR21.TYPE_93C46 strap = 0, so
 * rt2500pci_validate_eeprom uses PCI_EEPROM_WIDTH_93C66 and NetBSD rt2560_eeprom_read clocks 8 address bits),
 * bit-banged by the host through CSR21: CS, SK (DATA_CLOCK), DI (DATA_IN) driven by the host, DO (DATA_OUT)
 * read back from the part.
 *
 * Microwire protocol (93C46/56/66 datasheets, e.g. Microchip DS21749): with CS high, DI is sampled on each rising
 * SK edge. Zeros before the first 1 are ignored (rt2500pci and NetBSD both clock one 0 first); the 1 is the start
 * bit, then two opcode bits and the address. READ (10): after the last address bit the part drives a dummy 0 on
 * DO, then shifts out D15…D0, one bit per rising edge, continuing into the next word (sequential read). EWEN
 * (00 11xxxxxx) and EWDS (00 00xxxxxx) gate WRITE (01 + 16 data bits), ERASE (11), WRAL (00 01) and ERAL (00 10);
 * the part powers up write-disabled. A programming cycle completes when CS falls (self-timed cycles are not
 * modelled: DO reads READY (1) at once between commands). CS low resets the interface; DO then floats and reads
 0 *(I)*.
 */
import { EEPROM_WORD, RF_TYPE } from './regs';

export const EEPROM_WORDS = 256;
const ADDR_BITS = 8;

export interface EepromImageOptions {
  mac: ArrayLike<number>;
  /** RF chip type in EEPROM_ANTENNA (default RF2525, the chip the channel tables of the model decode). */
  rfType?: number;
  /** TX power per 2.4 GHz channel 1–14, in the unit rt2500pci and NetBSD program into RF R3 (dBm; default 18). */
  txPower?: number;
}

/**
 * A valid image (rt2500pci_validate_eeprom / rt2500pci_init_eeprom, NetBSD rt2560_read_eeprom): MAC in words 2–4
 * little-endian; ANTENNA 0x10: two antennas, TX and RX default antenna A, LED mode 0, RF type in bits 15:11; NIC
 * 0x11: DYN_BBP_TUNE = 1 (no link tuner); no BBP overrides (0xffff, skipped); TX power per channel (words
 * 0x23–0x29, two channels a word); the RSSI calibration offset 121 in word 0x3e. Everything else erased (0xffff).
 */
export function buildEepromImage(o: EepromImageOptions): Uint16Array {
  const w = new Uint16Array(EEPROM_WORDS).fill(0xffff);
  const mac = Array.from(o.mac);
  w[0] = 0x2560; // *(I)* an ID word no driver reads
  for (let i = 0; i < 3; i++) w[EEPROM_WORD.MAC_ADDR_0 + i] = ((mac[2 * i] ?? 0) & 0xff) | (((mac[2 * i + 1] ?? 0) & 0xff) << 8);
  const rf = o.rfType ?? RF_TYPE.RF2525;
  w[EEPROM_WORD.ANTENNA] = ((rf & 0x1f) << 11) | (1 << 4) | (1 << 2) | 2;
  w[EEPROM_WORD.NIC] = 0x0002;
  w[EEPROM_WORD.GEOGRAPHY] = 0x0000;
  const p = (o.txPower ?? 18) & 0xff;
  for (let i = 0; i < 7; i++) w[EEPROM_WORD.TXPOWER_START + i] = p | (p << 8);
  w[EEPROM_WORD.CALIBRATE_OFFSET] = 121;
  return w;
}

type Phase = 'idle' | 'opcode' | 'address' | 'read' | 'data' | 'done';

export interface Eeprom93c66State {
  words: number[];
  cs: boolean;
  sk: boolean;
  phase: Phase;
  bits: number;
  shift: number;
  opcode: number;
  addr: number;
  dout: boolean;
  writeEnabled: boolean;
}

export class Eeprom93c66 {
  readonly words: Uint16Array;
  private cs = false;
  private sk = false;
  private phase: Phase = 'idle';
  private bits = 0;
  private shift = 0;
  private opcode = 0;
  private addr = 0;
  private dout = false;
  private writeEnabled = false;
  /** Called for programming operations (the model traces them). */
  onProgram: ((op: string, addr: number) => void) | null = null;

  constructor(image: Uint16Array) {
    this.words = Uint16Array.from(image.subarray(0, EEPROM_WORDS));
  }

  /** DO as the CSR21 DATA_OUT bit reads it. */
  get dataOut(): boolean {
    return this.cs && this.dout;
  }

  /** The host drives CS, SK and DI (a CSR21 write). */
  pins(cs: boolean, sk: boolean, di: boolean): void {
    if (!cs) {
      if (this.cs) this.deselect();
      this.cs = false;
      this.sk = sk;
      return;
    }
    if (!this.cs) this.reset();
    this.cs = true;
    const rising = sk && !this.sk;
    this.sk = sk;
    if (rising) this.clock(di);
  }

  /** Power-on: interface idle, writes disabled. */
  powerOn(): void {
    this.cs = false;
    this.sk = false;
    this.writeEnabled = false;
    this.reset();
  }

  private reset(): void {
    this.phase = 'idle';
    this.bits = 0;
    this.shift = 0;
    // Between commands DO shows READY/BUSY once CS is high; programming cycles complete at once, so READY.
    this.dout = true;
  }

  private clock(di: boolean): void {
    const bit = di ? 1 : 0;
    switch (this.phase) {
      case 'idle':
        if (bit) this.next('opcode');
        return;
      case 'opcode':
        this.shift = (this.shift << 1) | bit;
        if (++this.bits === 2) {
          this.opcode = this.shift;
          this.next('address');
        }
        return;
      case 'address':
        this.shift = (this.shift << 1) | bit;
        if (++this.bits === ADDR_BITS) {
          this.addr = this.shift & (EEPROM_WORDS - 1);
          this.addressed();
        }
        return;
      case 'read':
        // Each rising edge shifts out the next data bit, MSB first, running on into the next word.
        this.dout = ((this.words[this.addr]! >>> (15 - this.bits)) & 1) === 1;
        if (++this.bits === 16) {
          this.bits = 0;
          this.addr = (this.addr + 1) % EEPROM_WORDS;
        }
        return;
      case 'data':
        this.shift = ((this.shift << 1) | bit) & 0xffff;
        if (++this.bits === 16) this.phase = 'done';
        return;
      case 'done':
        return;
    }
  }

  private next(phase: Phase): void {
    this.phase = phase;
    this.bits = 0;
    this.shift = 0;
  }

  private addressed(): void {
    switch (this.opcode) {
      case 0b10: // READ: a dummy 0 precedes D15.
        this.dout = false;
        this.next('read');
        return;
      case 0b01: // WRITE: 16 data bits follow.
      case 0b00: // EWEN / EWDS / WRAL / ERAL by the two top address bits; WRAL takes data.
        if (this.opcode === 0b01 || this.addr >>> 6 === 0b01) this.next('data');
        else this.phase = 'done';
        return;
      default: // ERASE
        this.phase = 'done';
    }
  }

  /** CS falling ends a command: programming operations take effect (when enabled). */
  private deselect(): void {
    if (this.phase === 'done' || this.phase === 'data') {
      const complete = this.phase === 'done';
      const sub = this.addr >>> 6;
      if (this.opcode === 0b00 && sub === 0b11) this.writeEnabled = true;
      else if (this.opcode === 0b00 && sub === 0b00) this.writeEnabled = false;
      else if (complete && this.writeEnabled) this.program(sub);
      else this.onProgram?.(this.writeEnabled ? 'incomplete' : 'write-disabled', this.addr);
    }
    this.reset();
  }

  private program(sub: number): void {
    if (this.opcode === 0b01) this.words[this.addr] = this.shift;
    else if (this.opcode === 0b11) this.words[this.addr] = 0xffff;
    else if (sub === 0b01) this.words.fill(this.shift);
    else if (sub === 0b10) this.words.fill(0xffff);
    this.onProgram?.(this.opcode === 0b01 ? 'write' : this.opcode === 0b11 ? 'erase' : sub === 0b01 ? 'wral' : 'eral', this.addr);
  }

  saveState(): Eeprom93c66State {
    return {
      words: Array.from(this.words), cs: this.cs, sk: this.sk, phase: this.phase, bits: this.bits, shift: this.shift,
      opcode: this.opcode, addr: this.addr, dout: this.dout, writeEnabled: this.writeEnabled,
    };
  }

  loadState(s: Eeprom93c66State): void {
    this.words.set(s.words.slice(0, EEPROM_WORDS));
    ({ cs: this.cs, sk: this.sk, phase: this.phase, bits: this.bits, shift: this.shift, opcode: this.opcode, addr: this.addr, dout: this.dout, writeEnabled: this.writeEnabled } = s);
  }
}

/** The MAC address in an image (words 2–4), as the chip preloads it into CSR3/CSR4 at reset. */
export function imageMac(words: Uint16Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) out.push(words[EEPROM_WORD.MAC_ADDR_0 + i]! & 0xff, words[EEPROM_WORD.MAC_ADDR_0 + i]! >>> 8);
  return out;
}
