/**
 * The BCM5701's versioned snapshot (STYLE.md §8): every register value, the SRAM, the EEPROM image and state
 * machine, the boot code, interrupt, host-coalescing, FTQ, send and receive state with the frames in their
 * FIFOs and on the wire, statistics, the PHY and MDIO engine, the MAC, and every pending owned event at its
 * absolute time. `loadBcm5701` restores into a freshly built chip of the same configuration and reschedules.
 */
import { b64ToBytes, bytesToB64, readState, stateVersions } from '../../emulator/machine/sim/snapshot';
import type { CsmaMacState } from '../common/csma-mac';
import type { Bcm5701Core } from './core';
import type { EepromState } from './eeprom';
import type { FtqState } from './ftq';
import type { HostCoalState } from './host-coal';
import type { IrqState } from './irq';
import type { ReceiveState } from './receive';
import type { SendState } from './send';

export const BCM5701_STATE = stateVersions('BCM5701', 1);

export interface Bcm5701State {
  v: 1;
  regs: [number, number][];
  sram: string;
  pmcsr: number;
  eeprom: EepromState;
  boot: { romFail: boolean; done: number };
  irq: IrqState;
  hc: HostCoalState;
  ftq: FtqState;
  send: SendState;
  recv: ReceiveState;
  stats: [number, number][];
  phy: { v: number };
  mac: CsmaMacState;
  timer: { written: number; since: number };
  busFreeAt: number;
  macAttn: boolean;
  xoffSent: boolean;
}

export function saveBcm5701(c: Bcm5701Core): Bcm5701State {
  return {
    v: 1,
    regs: c.f.save(),
    sram: bytesToB64(c.sram.bytes),
    pmcsr: c.config.pmcsr,
    eeprom: c.eeprom.saveState(),
    boot: c.boot.saveState(),
    irq: c.irq.saveState(),
    hc: c.hc.saveState(),
    ftq: c.ftq.saveState(),
    send: c.send.saveState(),
    recv: c.recv.saveState(),
    stats: c.stats.nonZero(),
    phy: c.phy.saveState(),
    mac: c.mac.saveState(),
    timer: { written: c.timer.written, since: c.timer.since },
    busFreeAt: c.busFreeAt,
    macAttn: c.macAttn,
    xoffSent: c.flow.xoffSent,
  };
}

export function loadBcm5701(c: Bcm5701Core, saved: { v: number }): void {
  const s = readState<Bcm5701State>(c.ctx.name, BCM5701_STATE, saved);
  c.f.load(s.regs);
  c.filterChanged();
  b64ToBytes(s.sram, c.sram.bytes);
  c.config.pmcsr = s.pmcsr;
  c.eeprom.loadState(s.eeprom);
  c.boot.loadState(s.boot);
  c.hc.loadState(s.hc);
  c.ftq.loadState(s.ftq);
  c.send.loadState(s.send);
  c.recv.loadState(s.recv);
  c.stats.load(s.stats);
  c.updateStatEnables();
  c.phy.loadState(s.phy);
  c.mac.loadState(s.mac, c.send.outcome);
  c.timer.written = s.timer.written;
  c.timer.since = s.timer.since;
  c.busFreeAt = s.busFreeAt;
  c.macAttn = s.macAttn;
  c.flow.xoffSent = s.xoffSent;
  c.irq.loadState(s.irq);
}
