/**
 * What the chip core needs from its integrated PHY and MDIO engine (phy-bcm5701.ts, mii.ts, autoneg.ts): the MII
 * management registers the MAC table delegates to, the negotiated link, the PHY interrupt output, loopback and
 * isolation, the extended-packet-length bit, the receive CRC error counter, the auto-negotiation endpoint the medium
 * negotiates with, resets and snapshot. `createPhyGlue` builds the PHY at MII address 1 and its MDIO engine and
 * adapts them, so the core depends on this one small interface.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { AutonegEndpoint } from '../../emulator/machine/net/link-segment';
import type { MiRegisters } from './mac-regs';
import { MdioEngine } from './mii';
import { Bcm5701Phy } from './phy-bcm5701';
import { MAC_STATUS_BITS, PHY_ADDR } from './regs';

/** The link as the PHY resolved it (speed, duplex, pause). */
export interface PhyLink {
  readonly speedMbps: 10 | 100 | 1000;
  readonly fullDuplex: boolean;
  readonly pauseTx: boolean;
  readonly pauseRx: boolean;
}

export interface PhyGlue {
  readonly mi: MiRegisters;
  readonly endpoint: AutonegEndpoint;
  /** The link while it is up, else null. */
  link(): PhyLink | null;
  /** The PHY's interrupt output (ISTAT & ~IMASK) → MAC_STATUS.MI_INTERRUPT. */
  interrupt(): boolean;
  /** BMCR loopback: transmitted frames return to the MAC, nothing goes on the wire. */
  loopback(): boolean;
  /** AUX_CTRL EXTPKTLEN: frames longer than 1518 bytes may pass. */
  extendedLength(): boolean;
  /** A frame with a bad FCS arrived (RXR_COUNTERS with TEST1.CRC_EN). */
  crcError(): void;
  /** Core reset: the MDIO engine's registers (MI_MODE, MI_STAT) reset; the PHY keeps its state and link. */
  resetMdio(): void;
  /** RST#: the PHY resets too and renegotiates. */
  powerOn(): void;
  /** A PHY register without side effects (inspect), or undefined. */
  peek(reg: number): number | undefined;
  saveState(): { v: number };
  loadState(s: { v: number }): void;
}

export interface PhyGlueHooks {
  /** OR bits into MAC_STATUS (MI_COMPLETION, LNKSTATE_CHANGED) and re-evaluate attention. */
  setMacStatus(bits: number): void;
  /** The PHY interrupt output may have changed. */
  attentionChanged(): void;
  /** The PHY's link went up or down. */
  linkChanged(up: boolean): void;
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

export function createPhyGlue(ctx: ComponentContext, h: PhyGlueHooks, opts: { timeScale: number }): PhyGlue {
  const phy = new Bcm5701Phy(ctx, { address: PHY_ADDR, timeScale: opts.timeScale });
  const mdio = new MdioEngine(ctx, phy, {
    miCompletion: () => h.setMacStatus(MAC_STATUS_BITS.MI_COMPLETION),
    linkStateChanged: () => h.setMacStatus(MAC_STATUS_BITS.LNKSTATE_CHANGED),
  });
  phy.onLinkChange((l) => h.linkChanged(l.up));
  phy.onInterrupt(() => h.attentionChanged());
  return {
    mi: mdio,
    endpoint: phy.endpoint,
    link: () => {
      const l = phy.link;
      return l.up && !phy.isolated ? l : null;
    },
    interrupt: () => phy.interrupt,
    loopback: () => phy.loopback,
    extendedLength: () => phy.extendedPacketLength,
    crcError: () => phy.countCrcError(),
    resetMdio: () => mdio.reset(),
    powerOn: () => {
      mdio.reset();
      phy.powerOnReset();
    },
    peek: (reg) => phy.peek(reg),
    saveState: () => ({ v: 1, phy: phy.saveState(), mdio: mdio.saveState() }) as { v: number },
    loadState: (s) => {
      const x = s as unknown as { phy: { v: number }; mdio: { v: number } };
      phy.loadState(x.phy);
      mdio.loadState(x.mdio);
    },
  };
}
