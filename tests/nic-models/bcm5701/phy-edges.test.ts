/**
 * Edges of the BCM5701 PHY and its auto-negotiation view (phy-bcm5701.ts, autoneg.ts) that the main PHY tests do
 * not reach: 10BASE-T-only advertisements, a partner without 10BASE-T, a partner forced to MASTER or SLAVE,
 * ISTAT's speed- and duplex-change bits (brgphyreg.h `BRGPHY_ISR_LSP_CHG`/`DUP_CHG`), the `phy-link` trace
 * record, the DSP address/data port tg3 uses (`tg3_phydsp_write`) and the DSP RAM across a snapshot.
 */
import { Cable } from '../../../emulator/machine/net/cable';
import { Mode } from '../../../emulator/machine/net/autoneg';
import { StaticEndpoint } from '../../../emulator/machine/net/endpoints';
import type { LinkAbilities } from '../../../emulator/machine/net/autoneg';
import { ADVERTISE, AUX_STAT, BMCR, STAT1000 } from '../../../nic-models/bcm5701/autoneg';
import { MI_STAT } from '../../../nic-models/bcm5701/mii';
import { ISTAT, MII } from '../../../nic-models/bcm5701/phy-bcm5701';
import { phyRig } from './phy-fixture';

/** The PHY cabled to a partner PHY with `abilities` (default: every mode, symmetric PAUSE). */
function partnered(seed: number, abilities: Partial<LinkAbilities> = { pause: true }) {
  const x = phyRig(seed);
  const cable = new Cable(x.r.ctx('c0'));
  x.connect(cable);
  const partner = new StaticEndpoint(abilities, { timeScale: 0.001 });
  cable.attach({ frameReceived: () => undefined, transmitDone: () => undefined, collision: () => undefined, autoneg: partner }, 'partner');
  return { ...x, partner };
}

/** tg3_phy_autoneg_cfg + tg3_phy_copper_begin: ADVERTISE, CTRL1000, then BMCR = ANENABLE | ANRESTART. */
function advertise(x: ReturnType<typeof phyRig>, adv: number, ctrl1000: number): void {
  x.writephy(MII.ADVERTISE, adv);
  x.writephy(MII.CTRL1000, ctrl1000);
  x.writephy(MII.BMCR, BMCR.ANENABLE | BMCR.ANRESTART);
}

describe('10BASE-T-only advertisements and the link-change bits of ISTAT', () => {
  test('10 full, then 10 half (ethtool speed 10 with autoneg): links at each; ISTAT tells a speed change from a duplex change', () => {
    const x = partnered(21);
    x.wait(4_000_000);
    expect(x.phy.link).toMatchObject({ up: true, speedMbps: 1000, fullDuplex: true });
    x.readphy(MII.ISTAT); // clear-on-read: start from nothing pending

    // ADVERTISE 10BASE-T full only, no 1000BASE-T: the only common mode is 10 full.
    advertise(x, ADVERTISE.CSMA | ADVERTISE.FULL10 | ADVERTISE.PAUSE_CAP, 0);
    x.wait(4_000_000);
    expect(x.phy.link).toMatchObject({ up: true, speedMbps: 10, fullDuplex: true });
    expect(x.readphy(MII.AUX_STAT) & AUX_STAT.SPDMASK).toBe(0x0200); // MII_TG3_AUX_STAT_10FULL
    // 1000 → 10, both full duplex: link change and speed change, no duplex change (BRGPHY_ISR_LSP_CHG)
    expect(x.readphy(MII.ISTAT)).toBe(ISTAT.LNK_CHG | ISTAT.LSP_CHG | ISTAT.AN_PR);
    // Without auto-poll MI_STAT follows the PHY's pins: link, and 10 Mb/s (bge `BGE_MISTS_10MBPS`)
    expect(x.mdio.readStat()).toBe(MI_STAT.LINK | MI_STAT.SPEED_10);

    // ADVERTISE 10BASE-T half only: 10 half.
    advertise(x, ADVERTISE.CSMA | ADVERTISE.HALF10, 0);
    x.wait(4_000_000);
    expect(x.phy.link).toMatchObject({ up: true, speedMbps: 10, fullDuplex: false });
    expect(x.readphy(MII.AUX_STAT) & AUX_STAT.SPDMASK).toBe(0x0100); // MII_TG3_AUX_STAT_10HALF
    // 10 full → 10 half: duplex change only (BRGPHY_ISR_DUP_CHG)
    expect(x.readphy(MII.ISTAT)).toBe(ISTAT.LNK_CHG | ISTAT.DUP_CHG | ISTAT.AN_PR);
    expect(x.mdio.readStat()).toBe(MI_STAT.LINK | MI_STAT.SPEED_10);
  });

  test('the phy-link trace record carries the resolved speed and duplex, and the drop', () => {
    const x = partnered(22);
    x.wait(4_000_000);
    advertise(x, ADVERTISE.CSMA | ADVERTISE.HALF100 | ADVERTISE.FULL100, 0);
    x.wait(4_000_000);
    expect(x.r.find('nic', 'phy-link').map((r) => r.f)).toEqual([
      { up: true, speed: 1000, duplex: 'full' },
      { up: false },
      { up: true, speed: 100, duplex: 'full' },
    ]);
  });
});

describe('what the partner offers, as LPA and STAT1000 show it', () => {
  test('a partner without 10BASE-T: LPA has no 10BASE-T bits (brgphy_status, tg3 flow control read LPA)', () => {
    const x = partnered(23, { modes: Mode.TX100F | Mode.T1000F });
    x.wait(4_000_000);
    expect(x.phy.link).toMatchObject({ up: true, speedMbps: 1000, fullDuplex: true });
    // Only 100BASE-TX full; no PAUSE; acknowledge, next page (it offers 1000BASE-T) and the 802.3 selector.
    expect(x.readphy(MII.LPA)).toBe(ADVERTISE.FULL100 | ADVERTISE.LPACK | ADVERTISE.NPAGE | ADVERTISE.CSMA);
    expect(x.readphy(MII.STAT1000) & (STAT1000.FULL | STAT1000.HALF)).toBe(STAT1000.FULL);
  });

  test('a partner forced to SLAVE makes the PHY (MASTER-SLAVE automatic, tg3 CTRL1000 0x0300) MASTER, and vice versa', () => {
    // 802.3 40.5.2: a manual setting at one end decides; the automatic end takes the other role.
    for (const [ms, master] of [['slave', true], ['master', false]] as const) {
      const x = partnered(24, { ms });
      x.wait(4_000_000);
      expect(x.phy.link).toMatchObject({ up: true, speedMbps: 1000 });
      expect({ ms, msres: x.readphy(MII.STAT1000) & STAT1000.MSRES }).toEqual({ ms, msres: master ? STAT1000.MSRES : 0 });
    }
  });
});

describe('the DSP port', () => {
  test('tg3_phydsp_write (DSP_ADDRESS, then DSP_RW_PORT) reaches the DSP only; AUX_CTRL keeps its shadow select', () => {
    const x = phyRig(25);
    // tg3_phy_reset's ADC_BUG sequence: two DSP writes
    for (const [addr, v] of [[0x201f, 0x2aaa], [0x000a, 0x0323]] as const) {
      x.writephy(MII.DSP_ADDRESS, addr);
      x.writephy(MII.DSP_RW_PORT, v);
    }
    expect(x.readphy(MII.DSP_ADDRESS)).toBe(0x000a);
    expect(x.readphy(MII.DSP_RW_PORT)).toBe(0x0323);
    x.writephy(MII.DSP_ADDRESS, 0x201f);
    expect(x.readphy(MII.DSP_RW_PORT)).toBe(0x2aaa);
    // AUX_CTRL still reads shadow 0 at its reset value (0x0400, TX_6DB): the DSP addresses selected nothing there.
    expect(x.readphy(MII.AUX_CTRL)).toBe(0x0400);
  });

  test('the DSP RAM survives save → load into a twin PHY', () => {
    const a = phyRig(26);
    a.writephy(MII.DSP_ADDRESS, 0x0f75);
    a.writephy(MII.DSP_RW_PORT, 0x1234);
    a.writephy(MII.DSP_ADDRESS, 0x0000);
    const saved = JSON.parse(JSON.stringify({ phy: a.phy.saveState(), mdio: a.mdio.saveState() }));
    const b = phyRig(26);
    b.phy.loadState(saved.phy);
    b.mdio.loadState(saved.mdio);
    b.writephy(MII.DSP_ADDRESS, 0x0f75);
    expect(b.readphy(MII.DSP_RW_PORT)).toBe(0x1234);
  });
});
