import type { RegisterDef } from '../../emulator/machine/bus/register-table';

export interface Rtl8029ConfigState {
  cr9346: number;
  config2: number;
  config3: number;
  hltclk: number;
}

/** 9346CR EEM field (bits 7:6). */
const EEM_MASK = 0xc0;
const EEM_AUTOLOAD = 0x40;
const EEM_CONFIG_WRITE = 0xc0;
/** CONFIG3 bit 6: full duplex. */
export const CONFIG3_FUDUP = 0x40;
/** The modelled board's EEPROM value for CONFIG2: PL1:PL0 = 01 (10BaseT), no flow control, no boot ROM. */
export const RTL8029_EEPROM_CONFIG2 = 0x40;

/**
 * RTL8029AS page-3 registers (RTL8029AS datasheet p. 15; facts/ne2000.md §1): 9346CR, CONFIG0 (read-only,
 * BNC = 0: twisted pair), CONFIG2, CONFIG3, HLTCLK. CONFIG2/CONFIG3 take writes only while 9346CR.EEM = 11
 * ("config register write enable"); Linux ne2k-pci enables full duplex with CR 0xE0, 9346CR 0xC0,
 * CONFIG3 0x40, 9346CR 0x00, CR 0x20.
 *
 * Power-on values: the RTL8029AS loads CONFIG2 and CONFIG3 from its 93C46 at power-on (and on an auto-load
 * command or PCI RST#); the RTL8019AS datasheet section 6.1 describes the same for its CONFIG registers ("new
 * configuration is only valid temporarily and will be lost after an auto-load command, an active RSTDRV, or PC
 * power off"). So they are the board's EEPROM contents, given by the core's options: the modelled board is a
 * twisted-pair card whose EEPROM selects 10BaseT (CONFIG2 PL1:PL0 = 01, 0x40, no boot ROM, no flow control) —
 * the CONFIG2 value QEMU and bochs return — and CONFIG3.FUDUP as configured (QEMU always reports 0x40).
 *
 * CONFIG3.FUDUP (bit 6) selects full duplex: the core hands every change of it to the MAC, which makes the
 * medium renegotiate the port (`onDuplex`).
 *
 * Not modelled: the 93C46 EEPROM behind 9346CR bits 3:0 (EEDO reads 0) and its contents; EEM = 01
 * (auto-load) completes at once and reloads the power-on CONFIG values.
 */
export class Rtl8029Config {
  private cr9346 = 0;
  private config2: number;
  private config3: number;
  private hltclk = 0x52;

  constructor(
    private readonly initial: { config2: number; config3: number },
    /** CONFIG3.FUDUP changed (a write with config writes enabled, an auto-load): the new full-duplex choice. */
    private readonly onDuplex: (full: boolean) => void = () => undefined,
  ) {
    this.config2 = initial.config2;
    this.config3 = initial.config3;
  }

  /** Reload CONFIG2/CONFIG3 from the EEPROM (9346CR EEM = 01, PCI RST#). */
  autoLoad(): void {
    this.config2 = this.initial.config2;
    this.setConfig3(this.initial.config3);
  }

  private setConfig3(v: number): void {
    const was = this.fullDuplex;
    this.config3 = v;
    if (this.fullDuplex !== was) this.onDuplex(this.fullDuplex);
  }

  /** CONFIG3.FUDUP: the MAC is told to run full duplex. */
  get fullDuplex(): boolean {
    return (this.config3 & CONFIG3_FUDUP) !== 0;
  }

  private get writable(): boolean {
    return (this.cr9346 & EEM_MASK) === EEM_CONFIG_WRITE;
  }

  /** Page-3 table entries (merged into the core's page 3). */
  defs(onTrace: (what: string, v: number) => void): RegisterDef[] {
    return [
      {
        offset: 0x01,
        name: '9346CR',
        width: 1,
        access: 'rw',
        bits: { EEM: EEM_MASK, EECS: 0x08, EESK: 0x04, EEDI: 0x02, EEDO: 0x01 },
        read: () => this.cr9346,
        write: (v) => {
          if ((v & EEM_MASK) === EEM_AUTOLOAD) {
            this.autoLoad();
            this.cr9346 = v & ~EEM_MASK & 0xfe;
            return;
          }
          this.cr9346 = v & 0xfe;
        },
      },
      { offset: 0x03, name: 'CONFIG0', width: 1, access: 'ro', reset: 0x00, bits: { BNC: 0x04 }, read: () => 0x00 },
      {
        offset: 0x05,
        name: 'CONFIG2',
        width: 1,
        access: 'rw',
        bits: { PL: 0xc0, FCE: 0x20, PF: 0x10 },
        read: () => this.config2,
        write: (v) => (this.writable ? (this.config2 = v & 0xf0) : onTrace('CONFIG2 write-protected', v)),
      },
      {
        offset: 0x06,
        name: 'CONFIG3',
        width: 1,
        access: 'rw',
        bits: { FUDUP: CONFIG3_FUDUP, LEDS: 0x30, SLEEP: 0x04, PWRDN: 0x02 },
        read: () => this.config3,
        write: (v) => (this.writable ? this.setConfig3(v & 0x76) : onTrace('CONFIG3 write-protected', v)),
      },
      { offset: 0x09, name: 'HLTCLK', width: 1, access: 'rw', read: () => this.hltclk, write: (v) => (this.hltclk = v) },
    ];
  }

  saveState(): Rtl8029ConfigState {
    return { cr9346: this.cr9346, config2: this.config2, config3: this.config3, hltclk: this.hltclk };
  }

  loadState(s: Rtl8029ConfigState): void {
    this.cr9346 = s.cr9346 & 0xff;
    this.config2 = s.config2 & 0xff;
    this.config3 = s.config3 & 0xff;
    this.hltclk = s.hltclk & 0xff;
  }
}
