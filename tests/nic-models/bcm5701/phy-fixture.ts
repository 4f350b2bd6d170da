/**
 * The BCM5701 PHY and MDIO engine on their own, driven the way tg3 drives them: each PHY access is one MI_COM
 * transaction polled every 10 µs until START/BUSY clears, then 5 µs and a final read (`__tg3_readphy`,
 * `__tg3_writephy`); time advances as the driver waits.
 */
import type { Medium } from '../../../emulator/machine/net/link';
import { Bcm5701Phy } from '../../../nic-models/bcm5701/phy-bcm5701';
import { MdioEngine, MI_COM } from '../../../nic-models/bcm5701/mii';
import { rig, Station, type Rig } from '../../net/helpers';

export interface PhyRig {
  r: Rig;
  phy: Bcm5701Phy;
  mdio: MdioEngine;
  /** MAC_STATUS bits the engine raised, with times. */
  completions: number[];
  linkAttentions: number[];
  /** The chip's attachment (a CsmaCdMac carrying the PHY's endpoint), once connected. */
  station: Station | null;
  connect(medium: Medium, name?: string): Station;
  /** One tg3-style PHY read at MII address `addr` (default the PHY's): the value and when the driver had it. */
  readphy(reg: number, addr?: number): number;
  writephy(reg: number, value: number, addr?: number): void;
  /** Advance virtual time by `ns`. */
  wait(ns: number): void;
  readonly now: number;
}

export function phyRig(seed = 1, timeScale = 0.001): PhyRig {
  const r = rig(seed);
  const ctx = r.ctx('nic0', 'alpha');
  const phy = new Bcm5701Phy(ctx, { timeScale });
  const completions: number[] = [];
  const linkAttentions: number[] = [];
  const mdio = new MdioEngine(ctx, phy, {
    miCompletion: () => completions.push(r.sim.queue.now),
    linkStateChanged: () => linkAttentions.push(r.sim.queue.now),
  });
  const wait = (ns: number) => {
    r.sim.queue.runUntil(r.sim.queue.now + ns);
  };
  const transact = (frame: number): number => {
    mdio.writeCom(frame);
    let v = mdio.readCom(); // tw32_f reads back
    for (let loops = 5000; loops > 0; loops--) {
      wait(10_000);
      v = mdio.readCom();
      if (!(v & MI_COM.START)) {
        wait(5_000);
        return mdio.readCom();
      }
    }
    throw new Error('PHY transaction timed out');
  };
  const x: PhyRig = {
    r,
    phy,
    mdio,
    completions,
    linkAttentions,
    station: null,
    connect(medium, name = 'nic0') {
      const st = new Station(r, name, medium, { fullDuplex: true, autoneg: phy.endpoint });
      x.station = st;
      return st;
    },
    readphy: (reg, addr = phy.address) => transact((addr << 21) | (reg << 16) | MI_COM.CMD_READ | MI_COM.START) & 0xffff,
    writephy: (reg, value, addr = phy.address) => {
      transact((addr << 21) | (reg << 16) | (value & 0xffff) | MI_COM.CMD_WRITE | MI_COM.START);
    },
    wait,
    get now() {
      return r.sim.queue.now;
    },
  };
  return x;
}
