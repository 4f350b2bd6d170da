/**
 * The GRC (general resources) block 0x6800–0x6bff (design §1.4.6): GRC_MODE (byte order, send BDs in host
 * memory, pseudo-header checksum conventions, which attentions interrupt), GRC_MISC_CFG (core clock reset,
 * timer prescaler), GRC_LOCAL_CTRL (interrupt set/clear, GPIOs, auto SEEPROM), the free-running timer and the
 * serial EEPROM interface (eeprom.ts).
 */
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import { stored, type RegFile } from './reg-file';
import type { Eeprom } from './eeprom';
import {
  EEPROM_ADDR_BITS, GRC, GRC_LOCAL_CTRL_BITS as L, GRC_MISC_CFG_BITS, GRC_MODE_BITS, GRC_MODE_LE_HOST_SWAP,
  GRC_MODE_SWAP_MASK,
} from './regs';

export interface GrcHooks {
  readonly eeprom: Eeprom;
  /** GRC_MISC_CFG.CORECLK_RESET written 1: the core reset (core.ts). */
  coreReset(): void;
  /** The interrupt latch (irq.ts). */
  readonly intActive: () => boolean;
  setInt(): void;
  clearInt(): void;
  /** Virtual time now (GRC_TIMER). */
  readonly now: () => number;
  /** GRC_MODE changed (send path: HOST_SENDBDS; checksum conventions; interrupts on attention). */
  modeChanged(value: number): void;
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

/** GPIO input pins read back the output when the pin is driven, else the board's pull-up (1) *(I)*. */
function gpioInputs(v: number): number {
  const pin = (oe: number, out: number, inp: number): number => ((v & oe ? v & out : 1) ? inp : 0);
  return pin(L.GPIO_OE0, L.GPIO_OUTPUT0, L.GPIO_INPUT0) | pin(L.GPIO_OE1, L.GPIO_OUTPUT1, L.GPIO_INPUT1)
    | pin(L.GPIO_OE2, L.GPIO_OUTPUT2, L.GPIO_INPUT2) | pin(L.GPIO_OE3, L.GPIO_OUTPUT3, L.GPIO_INPUT3);
}
const GPIO_INPUTS = L.GPIO_INPUT0 | L.GPIO_INPUT1 | L.GPIO_INPUT2 | L.GPIO_INPUT3;
const LOCAL_ACTIONS = L.INT_ACTIVE | L.CLEARINT | L.SETINT;

/** GRC_MISC_CFG after RST# and a core reset: prescaler 65 (1 µs ticks) *(I)*; BOARD_ID 0 (a 5701). */
export const GRC_MISC_CFG_RESET = 0x82;

export class GrcTimer {
  /** Value written last, and when. */
  written = 0;
  since = 0;
}

export function grcDefs(f: RegFile, h: GrcHooks, timer: GrcTimer): RegisterDef[] {
  f.declare(GRC.MISC_CFG, GRC_MISC_CFG_RESET);
  f.declare(GRC.LOCAL_CTRL, 0);
  let swapWarned = false;
  return [
    stored(f, GRC.MODE, 'GRC_MODE', {
      bits: GRC_MODE_BITS,
      after: (v) => {
        if ((v & GRC_MODE_SWAP_MASK) !== GRC_MODE_LE_HOST_SWAP && !swapWarned) {
          // Only the little-endian host layout both x86 drivers select (0x34) is implemented (design R7).
          swapWarned = true;
          h.trace('unsupported-swap', { reg: 'GRC_MODE', value: v });
        }
        if (v & GRC_MODE_BITS.NIC_SEND_RINGS_4X) h.trace('unsupported', { what: '4x-nic-send-rings', value: v });
        h.modeChanged(v);
      },
    }),
    {
      offset: GRC.MISC_CFG, name: 'GRC_MISC_CFG', width: 4, access: 'rw', reset: GRC_MISC_CFG_RESET, bits: GRC_MISC_CFG_BITS,
      read: () => f.get(GRC.MISC_CFG) & ~(GRC_MISC_CFG_BITS.CORECLK_RESET | GRC_MISC_CFG_BITS.BOARD_ID),
      write: (v) => {
        // tg3_chip_reset / bge_reset: bit 0 resets the core, this register included (the other bits written
        // with it are lost; both drivers program the prescaler again afterwards).
        if (v & GRC_MISC_CFG_BITS.CORECLK_RESET) return h.coreReset();
        f.set(GRC.MISC_CFG, v & ~(GRC_MISC_CFG_BITS.CORECLK_RESET | GRC_MISC_CFG_BITS.BOARD_ID));
      },
    },
    {
      offset: GRC.LOCAL_CTRL, name: 'GRC_LOCAL_CTRL', width: 4, access: 'rw', bits: L,
      read: () => (f.get(GRC.LOCAL_CTRL) & ~(LOCAL_ACTIONS | GPIO_INPUTS)) | (h.intActive() ? L.INT_ACTIVE : 0) | gpioInputs(f.get(GRC.LOCAL_CTRL)),
      write: (v) => {
        f.set(GRC.LOCAL_CTRL, v & ~(LOCAL_ACTIONS | GPIO_INPUTS));
        if (v & L.CLEARINT) h.clearInt();
        if (v & L.SETINT) h.setInt();
      },
    },
    {
      offset: GRC.TIMER, name: 'GRC_TIMER', width: 4, access: 'rw',
      read: () => (timer.written + Math.floor((h.now() - timer.since) / 1000)) >>> 0,
      write: (v) => {
        timer.written = v >>> 0;
        timer.since = h.now();
      },
    },
    stored(f, GRC.RX_CPU_EVENT, 'GRC_RX_CPU_EVENT'),
    stored(f, GRC.MEM_POWER_UP, 'GRC_MEM_POWER_UP'),
    {
      offset: GRC.EEPROM_ADDR, name: 'GRC_EEPROM_ADDR', width: 4, access: 'rw', reset: 0x00600000, bits: EEPROM_ADDR_BITS,
      read: () => h.eeprom.readAddr(),
      write: (v) => h.eeprom.writeAddr(v),
    },
    {
      offset: GRC.EEPROM_DATA, name: 'GRC_EEPROM_DATA', width: 4, access: 'rw',
      read: () => h.eeprom.readData(),
      write: (v) => h.eeprom.writeData(v),
    },
    stored(f, GRC.EEPROM_CTRL, 'GRC_EEPROM_CTRL'),
    stored(f, GRC.MDI_CTRL, 'GRC_MDI_CTRL'),
    stored(f, GRC.SEEPROM_DELAY, 'GRC_SEEPROM_DELAY'),
  ];
}
