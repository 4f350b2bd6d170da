import type { ConfigCycles } from './port-io';
import {
  PCI_BAR0, PCI_CLASS_REV, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PCI_DEVICE_ID, PCI_HEADER_MULTI_FUNCTION,
  PCI_HEADER_TYPE, PCI_INTERRUPT_PIN, PCI_VENDOR_ID,
} from '../emulator/machine/bus/pci-header';

/** A BAR as found by sizing (before assignment). */
export interface SizedBar {
  index: number;
  kind: 'io' | 'mem32';
  size: number;
  /** Memory BAR types 10b (64-bit): the next BAR is the upper half, assigned 0 (everything lives below 4 GiB). */
  is64: boolean;
}

/** One function found on bus 0. */
export interface FoundFunction {
  device: number;
  func: number;
  vendorId: number;
  deviceId: number;
  classCode: number;
  revision: number;
  headerType: number;
  /** INTx pin from 0x3D (0 = none, 1 = INTA#). */
  interruptPin: number;
  bars: SizedBar[];
}

const COMMAND_DECODE = PCI_COMMAND_IO | PCI_COMMAND_MEMORY;

/**
 * Walk bus 0 the way a BIOS does: for each device number read the vendor ID of function 0 (0xFFFF = nothing
 * answered), then functions 1–7 only when header type bit 7 (multi-function) is set. BARs of type-0
 * headers are sized with decode disabled (so a half-written BAR never claims a window).
 */
export function enumerateBus0(cfg: ConfigCycles): FoundFunction[] {
  const found: FoundFunction[] = [];
  for (let dev = 0; dev < 32; dev++) {
    if (cfg.read16(dev, 0, PCI_VENDOR_ID) === 0xffff) continue;
    const functions = cfg.read8(dev, 0, PCI_HEADER_TYPE) & PCI_HEADER_MULTI_FUNCTION ? 8 : 1;
    for (let fn = 0; fn < functions; fn++) {
      const vendorId = cfg.read16(dev, fn, PCI_VENDOR_ID);
      if (vendorId === 0xffff) continue;
      const classRev = cfg.read32(dev, fn, PCI_CLASS_REV);
      const headerType = cfg.read8(dev, fn, PCI_HEADER_TYPE) & 0x7f;
      found.push({
        device: dev,
        func: fn,
        vendorId,
        deviceId: cfg.read16(dev, fn, PCI_DEVICE_ID),
        classCode: classRev >>> 8,
        revision: classRev & 0xff,
        headerType,
        interruptPin: cfg.read8(dev, fn, PCI_INTERRUPT_PIN),
        bars: headerType === 0 ? sizeBars(cfg, dev, fn) : [],
      });
    }
  }
  return found;
}

/**
 * Size BARs (PCI 3.0 §6.2.5.1): save, write all ones, read back, restore. The read-back has zeros in the
 * low bits the device decodes; size = two's complement of the address mask. An I/O BAR may implement only
 * the low 16 address bits (upper half reads 0); those are treated as all ones before negating.
 */
function sizeBars(cfg: ConfigCycles, dev: number, fn: number): SizedBar[] {
  const bars: SizedBar[] = [];
  const command = cfg.read16(dev, fn, PCI_COMMAND);
  cfg.write16(dev, fn, PCI_COMMAND, command & ~COMMAND_DECODE);
  for (let i = 0; i < 6; i++) {
    const reg = PCI_BAR0 + 4 * i;
    const saved = cfg.read32(dev, fn, reg);
    cfg.write32(dev, fn, reg, 0xffff_ffff);
    const mask = cfg.read32(dev, fn, reg);
    cfg.write32(dev, fn, reg, saved);
    if (mask === 0 || mask === 0xffff_ffff) continue; // unimplemented (or a broken device that decodes nothing)
    if (mask & 1) {
      let m = (mask & ~0x3) >>> 0;
      if ((m & 0xffff_0000) === 0) m = (m | 0xffff_0000) >>> 0;
      bars.push({ index: i, kind: 'io', size: (~m + 1) >>> 0, is64: false });
    } else {
      const is64 = ((mask >>> 1) & 0x3) === 0x2;
      bars.push({ index: i, kind: 'mem32', size: (~(mask & ~0xf) + 1) >>> 0, is64 });
      if (is64) i++; // the upper half is not a BAR of its own
    }
  }
  cfg.write16(dev, fn, PCI_COMMAND, command);
  return bars;
}
