/**
 * The serial EEPROM behind GRC_EEPROM_ADDR (0x6838) / GRC_EEPROM_DATA (0x683c): its image (design §1.8.1,
 * the layout tg3 and bge read) and the chip's EEPROM state machine (§1.8.3).
 *
 * GRC_EEPROM_DATA holds the four bytes at `a = ADDR & ~3` with byte a in bits 7:0 — tg3 swab32s it into a
 * big-endian word (`tg3_nvram_read_using_eeprom`), bge shifts out byte `addr % 4` (`bge_eeprom_getbyte`).
 * Addresses wrap at the part size, as a 24Cxx does: that is how `tg3_get_eeprom_size` finds the size.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { b64ToBytes, bytesToB64 } from '../../emulator/machine/sim/snapshot';
import { crc32 } from './checksum';
import { EEPROM_ADDR_BITS as EA } from './regs';
import { EEPROM_WRITE_CYCLE_NS, eepromOpNs } from './timing';

/** TG3_EEPROM_MAGIC, big-endian at byte 0. */
export const EEPROM_MAGIC = 0x669955aa;
/** Byte offsets in the image (tg3.h TG3_NVM_*, if_bgereg.h BGE_EE_*). */
export const EE = { CRC0: 0x10, MAC: 0x7e, BCVER: 0x94, HWCFG: 0xc8, CRC1: 0xfc, VPD: 0x100, MFG_START: 0x74 } as const;
/** HWCFG (NIC_SRAM_DATA_CFG): LED mode PHY_1 (0x4), copper (0x10); no WOL/ASF/write protect. */
export const DEFAULT_HWCFG = 0x00000014;
export const HWCFG_EEPROM_WP = 0x100;

export interface EepromImageOptions {
  mac: ArrayLike<number>;
  /** Part size in bytes: a power of two, 512–65536 (default 1024, design §1.8.2). */
  size?: number;
  hwcfg?: number;
  /** VPD part number (tg3 prints "Tigon3 [partno(…) rev 0105]"). */
  partNumber?: string;
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0) & 0x7f);

/** Build the EEPROM image: header with CRC, MAC, boot-code version, HWCFG, manufacturing CRC, VPD. */
export function buildEepromImage(o: EepromImageOptions): Uint8Array {
  const size = o.size ?? 1024;
  const img = new Uint8Array(size).fill(0xff);
  img.fill(0, 0, 0x200);
  const put32be = (off: number, v: number): void => {
    img[off] = v >>> 24;
    img[off + 1] = (v >>> 16) & 0xff;
    img[off + 2] = (v >>> 8) & 0xff;
    img[off + 3] = v & 0xff;
  };
  const put32le = (off: number, v: number): void => {
    for (let i = 0; i < 4; i++) img[off + i] = (v >>> (8 * i)) & 0xff;
  };
  put32be(0, EEPROM_MAGIC);
  // 0x04 boot code start, 0x08 length, 0x0c offset: 0 (tg3_read_bc_ver falls back to the version at 0x94).
  put32le(EE.CRC0, crc32(img, 0, 0x10));
  for (let i = 0; i < 6; i++) img[EE.MAC + i] = (o.mac[i] ?? 0) & 0xff;
  put32be(EE.BCVER, 0x00000224); // major 2 (0x96), minor 0x24 = 36 → "v2.36" (tg3_read_bc_ver)
  put32be(EE.HWCFG, o.hwcfg ?? DEFAULT_HWCFG);
  put32le(EE.CRC1, crc32(img, EE.MFG_START, EE.CRC1)); // tg3_test_nvram: CRC over 0x74..0xfb
  const id = ascii('Broadcom NetXtreme Gigabit Ethernet');
  const pn = ascii(o.partNumber ?? 'BCM95701A5');
  const ro = [0x50, 0x4e, pn.length, ...pn, 0x45, 0x43, 2, ...ascii('B5'), 0x52, 0x56, 1, 0];
  const vpd = [0x82, id.length & 0xff, id.length >>> 8, ...id, 0x90, ro.length & 0xff, ro.length >>> 8, ...ro];
  // RV: the byte that makes the sum of every VPD byte up to and including it zero (PCI 2.2 §6.3.2.2).
  let sum = 0;
  for (let i = 0; i < vpd.length - 1; i++) sum += vpd[i]!;
  vpd[vpd.length - 1] = (0x100 - (sum & 0xff)) & 0xff;
  vpd.push(0x78);
  img.set(vpd, EE.VPD);
  return img;
}

/** Does the image pass what the boot code checks: the magic and the header CRC *(I)*. */
export function eepromImageValid(img: Uint8Array): boolean {
  if (img.length < 0x14) return false;
  const magic = ((img[0]! << 24) | (img[1]! << 16) | (img[2]! << 8) | img[3]!) >>> 0;
  const crc = (img[0x10]! | (img[0x11]! << 8) | (img[0x12]! << 16) | (img[0x13]! << 24)) >>> 0;
  return magic === EEPROM_MAGIC && crc === crc32(img, 0, 0x10);
}

export interface EepromState {
  image: string;
  addr: number;
  data: number;
  busy: boolean;
  op: { a: number; read: boolean; devid: number } | null;
  done: number;
}

/**
 * The EEPROM state machine. A write with START latches address (dword aligned), direction and device, clears
 * COMPLETE (tg3 keeps the old COMPLETE bit in the value it writes with START; bge writes DONE with START) and
 * runs the serial transaction for `eepromOpNs(CLKPERD)`; FSM_RESET aborts it and self-clears. Reads of both
 * registers are side-effect free.
 */
export class Eeprom {
  image: Uint8Array;
  private addr = 0x00600000;
  private data = 0;
  private op: { a: number; read: boolean; devid: number } | null = null;
  private readonly done: SimEvent;

  constructor(
    private readonly ctx: ComponentContext,
    image: Uint8Array,
    private readonly writeProtected: () => boolean,
    private readonly trace: (probe: string, f: Record<string, number | string | boolean>) => void,
  ) {
    this.image = image;
    this.done = new SimEvent(`${ctx.name}.eepromDone`, () => this.complete(), Priority.Device);
  }

  readAddr(): number {
    return (this.addr | (this.op ? EA.START : 0)) >>> 0;
  }

  readData(): number {
    return this.data;
  }

  writeData(v: number): void {
    this.data = v >>> 0;
  }

  writeAddr(v: number): void {
    if (v & EA.FSM_RESET) {
      if (this.op) this.trace('eeprom-abort', { a: this.op.a });
      this.ctx.queue.deschedule(this.done);
      this.op = null;
      this.addr = v & EA.CLKPERD;
      return;
    }
    if (!(v & EA.START)) {
      // COMPLETE is write-1-to-clear; the other fields are stored.
      const complete = this.addr & EA.COMPLETE & ~v;
      this.addr = ((v & ~(EA.COMPLETE | EA.START | EA.FSM_RESET)) | complete) >>> 0;
      return;
    }
    if (this.op) {
      this.trace('eeprom-busy', { value: v >>> 0 });
      return;
    }
    this.addr = (v & ~(EA.COMPLETE | EA.START | EA.FSM_RESET)) >>> 0;
    const read = (v & EA.READ) !== 0;
    this.op = { a: v & 0xfffc, read, devid: (v & EA.DEVID) >>> 26 };
    const clk = (v & EA.CLKPERD) >>> 16;
    this.ctx.queue.scheduleIn(this.done, eepromOpNs(clk) + (read ? 0 : EEPROM_WRITE_CYCLE_NS));
  }

  /** RST# or a core reset: the state machine goes idle; the part keeps its contents. */
  reset(): void {
    this.ctx.queue.deschedule(this.done);
    this.op = null;
    this.addr = 0x00600000;
    this.data = 0;
  }

  private complete(): void {
    const op = this.op;
    this.op = null;
    if (!op) return;
    const size = this.image.length;
    const a = op.a % size;
    if (op.devid !== 0) {
      // No part answers this device select: the data lines float high *(I)*.
      if (op.read) this.data = 0xffffffff;
    } else if (op.read) {
      const b = this.image;
      this.data = (b[a]! | (b[(a + 1) % size]! << 8) | (b[(a + 2) % size]! << 16) | (b[(a + 3) % size]! << 24)) >>> 0;
    } else if (this.writeProtected()) {
      this.trace('eeprom-write-protected', { a });
    } else {
      for (let i = 0; i < 4; i++) this.image[(a + i) % size] = (this.data >>> (8 * i)) & 0xff;
    }
    this.addr = (this.addr | EA.COMPLETE) >>> 0;
    if (this.ctx.tracer.verbose) this.trace('eeprom', { op: op.read ? 'read' : 'write', a, data: this.data });
  }

  saveState(): EepromState {
    return { image: bytesToB64(this.image), addr: this.addr, data: this.data, busy: this.op !== null, op: this.op, done: this.done.when };
  }

  loadState(s: EepromState): void {
    this.image = b64ToBytes(s.image);
    this.addr = s.addr >>> 0;
    this.data = s.data >>> 0;
    this.op = s.op;
    this.ctx.queue.deschedule(this.done);
    if (s.done >= 0) this.ctx.queue.schedule(this.done, s.done);
  }
}
