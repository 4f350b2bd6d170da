import type { RegisterDef } from './regs';

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

/**
 * RTL8029AS page-3 registers (RTL8029AS datasheet p. 15; facts/ne2000.md §1): 9346CR, CONFIG0 (read-only,
 * BNC = 0: twisted pair), CONFIG2, CONFIG3, HLTCLK. CONFIG2/CONFIG3 take writes only while 9346CR.EEM = 11
 * ("config register write enable"); Linux ne2k-pci enables full duplex with CR 0xE0, 9346CR 0xC0,
 * CONFIG3 0x40, 9346CR 0x00, CR 0x20.
 *
 * Not modelled: the 93C46 EEPROM behind 9346CR bits 3:0 (EEDO reads 0) and its contents; EEM = 01
 * (auto-load) completes at once and reloads the power-on CONFIG values.
 */
export class Rtl8029Config {
  private cr9346 = 0;
  private config2: number;
  private config3: number;
  private hltclk = 0x52;

  constructor(private readonly initial: { config2: number; config3: number }) {
    this.config2 = initial.config2;
    this.config3 = initial.config3;
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
        read: () => this.cr9346,
        write: (v) => {
          if ((v & EEM_MASK) === EEM_AUTOLOAD) {
            this.config2 = this.initial.config2;
            this.config3 = this.initial.config3;
            this.cr9346 = v & ~EEM_MASK & 0xfe;
            return;
          }
          this.cr9346 = v & 0xfe;
        },
      },
      { offset: 0x03, name: 'CONFIG0', read: () => 0x00 },
      {
        offset: 0x05,
        name: 'CONFIG2',
        read: () => this.config2,
        write: (v) => (this.writable ? (this.config2 = v & 0xf0) : onTrace('CONFIG2 write-protected', v)),
      },
      {
        offset: 0x06,
        name: 'CONFIG3',
        read: () => this.config3,
        write: (v) => (this.writable ? (this.config3 = v & 0x76) : onTrace('CONFIG3 write-protected', v)),
      },
      { offset: 0x09, name: 'HLTCLK', read: () => this.hltclk, write: (v) => (this.hltclk = v) },
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
