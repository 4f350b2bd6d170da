import { Cable } from '../../../emulator/machine/net/cable';
import { StaticEndpoint } from '../../../emulator/machine/net/endpoints';
import { Switch } from '../../../emulator/machine/net/switch';
import { BMCR, BMSR } from '../../../nic-models/bcm5701/autoneg';
import { ISTAT, MII, PHY_RESET_NS, TEST1 } from '../../../nic-models/bcm5701/phy-bcm5701';
import { phyRig } from './phy-fixture';

/** A link partner on a cable: a PHY-like endpoint advertising everything. */
function partnered(seed = 1) {
  const x = phyRig(seed);
  const cable = new Cable(x.r.ctx('c0'));
  x.connect(cable);
  const partner = new StaticEndpoint({ pause: true }, { timeScale: 0.001 });
  cable.attach({ frameReceived: () => undefined, transmitDone: () => undefined, collision: () => undefined, autoneg: partner }, 'partner');
  return { ...x, cable, partner };
}

describe('BCM5701 PHY registers', () => {
  test('identity and reset values; tg3 recognises the ID as TG3_PHY_ID_BCM5701', () => {
    const x = phyRig();
    const id1 = x.readphy(MII.PHYSID1);
    const id2 = x.readphy(MII.PHYSID2);
    expect([id1, id2]).toEqual([0x0020, 0x6112]);
    const hwId = ((id1 << 10) | ((id2 & 0xfc00) << 16) | (id2 & 0x3ff)) >>> 0; // tg3_phy_probe
    expect((hwId & 0xfffffff0) >>> 0).toBe(0x60008110);
    expect(x.readphy(MII.BMCR)).toBe(0x1140);
    expect(x.readphy(MII.BMSR)).toBe(0x7949); // no link, no negotiation yet
    expect(x.readphy(MII.ADVERTISE)).toBe(0x01e1);
    expect(x.readphy(MII.CTRL1000)).toBe(0x0300);
    expect(x.readphy(MII.ESTATUS)).toBe(0x3000);
    expect(x.readphy(MII.IMASK)).toBe(0xffff);
    expect(x.readphy(MII.AUX_STAT)).toBe(0);
    expect(x.readphy(MII.LPA)).toBe(0);
  });

  test('BMCR reset: RESET reads back for 40 µs, then every register is at its reset value; writes meanwhile are lost', () => {
    const x = phyRig();
    x.writephy(MII.ADVERTISE, 0x05e1);
    x.writephy(MII.IMASK, 0xfffd);
    const t0 = x.now;
    x.phy.write(MII.BMCR, BMCR.RESET); // the register changes at the end of the write frame
    expect(x.phy.read(MII.BMCR) & BMCR.RESET).toBe(BMCR.RESET);
    x.phy.write(MII.ADVERTISE, 0x0021);
    expect(x.r.find('nic', 'phy-busy')).toHaveLength(1);
    x.wait(PHY_RESET_NS - 1);
    expect(x.phy.read(MII.BMCR) & BMCR.RESET).toBe(BMCR.RESET);
    x.wait(1);
    expect(x.now).toBe(t0 + PHY_RESET_NS);
    expect(x.phy.read(MII.BMCR)).toBe(0x1140);
    expect([x.phy.read(MII.ADVERTISE), x.phy.read(MII.IMASK)]).toEqual([0x01e1, 0xffff]);
    // tg3_bmcr_reset: write, then poll every 10 µs; it sees the bit clear on the first read after 40 µs
    x.writephy(MII.BMCR, BMCR.RESET);
    let polls = 0;
    while (x.readphy(MII.BMCR) & BMCR.RESET) polls++;
    expect(polls).toBe(1); // each read is a 25 µs frame plus 15 µs of polling: the second is past 40 µs
  });

  test('AUX_CTRL shadows: tg3 and brgphy read-modify-write sequences', () => {
    const x = phyRig();
    // tg3_phy_auxctl_read(MISC): select shadow 7 for reading, read it
    x.writephy(MII.AUX_CTRL, (7 << 12) | 7);
    const misc = x.readphy(MII.AUX_CTRL);
    expect(misc).toBe(0x0007);
    // tg3_phy_set_wirespeed: write back with WREN | WIRESPD_EN
    x.writephy(MII.AUX_CTRL, misc | 0x8000 | 0x10 | 7);
    x.writephy(MII.AUX_CTRL, (7 << 12) | 7);
    expect(x.readphy(MII.AUX_CTRL)).toBe(0x0017);
    // tg3_setup_copper_phy: auxctl_write(PWRCTL, 0) writes shadow 2 only
    x.writephy(MII.AUX_CTRL, 0x0002);
    // tg3_phy_toggle_auxctl_smdsp: read shadow 0 (reset 0x0400, TX_6DB), write it with SMDSP_ENA
    x.writephy(MII.AUX_CTRL, (0 << 12) | 7);
    expect(x.readphy(MII.AUX_CTRL)).toBe(0x0400);
    x.writephy(MII.AUX_CTRL, 0x0400 | 0x0800);
    x.writephy(MII.AUX_CTRL, (0 << 12) | 7);
    expect(x.readphy(MII.AUX_CTRL)).toBe(0x0c00);
    // brgphy_eth_wirespeed: 0x7007, read, | 0x8010, write
    x.writephy(MII.AUX_CTRL, 0x7007);
    const v = x.readphy(MII.AUX_CTRL);
    x.writephy(MII.AUX_CTRL, v | 0x8010);
    x.writephy(MII.AUX_CTRL, 0x7007);
    expect(x.readphy(MII.AUX_CTRL)).toBe(0x0017);
  });

  test('RXR counter (0x14): bad-FCS frames counted with TEST1.CRC_EN, cleared by each read (tg3_calc_crc_errors)', () => {
    const x = phyRig();
    x.phy.countCrcError();
    expect(x.readphy(MII.RXR_COUNTERS)).toBe(0);
    const t1 = x.readphy(MII.TEST1);
    x.writephy(MII.TEST1, t1 | TEST1.CRC_EN);
    for (let i = 0; i < 3; i++) x.phy.countCrcError();
    expect(x.readphy(MII.RXR_COUNTERS)).toBe(3);
    expect(x.readphy(MII.RXR_COUNTERS)).toBe(0);
    expect(x.phy.peek(MII.TEST1)).toBe(TEST1.CRC_EN);
  });

  test('link up: BMSR, AUX_STAT, ISTAT (clear on read), the interrupt output, the link callback', () => {
    const x = partnered();
    const links: boolean[] = [];
    const irq: boolean[] = [];
    x.phy.onLinkChange((l) => links.push(l.up));
    x.phy.onInterrupt((level) => irq.push(level));
    x.writephy(MII.IMASK, ~ISTAT.LNK_CHG & 0xffff); // tg3 with USE_MI_INTERRUPT
    x.wait(4_000_000);
    expect(links).toEqual([true]);
    expect(irq).toEqual([true]);
    expect(x.phy.link).toEqual({ up: true, speedMbps: 1000, fullDuplex: true, pauseTx: false, pauseRx: false });
    expect(x.readphy(MII.BMSR)).toBe(0x7949 | BMSR.ANEGCOMPLETE | BMSR.LSTATUS);
    expect(x.readphy(MII.ISTAT)).toBe(ISTAT.LNK_CHG | ISTAT.AN_PR);
    expect(irq).toEqual([true, false]);
    expect(x.readphy(MII.ISTAT)).toBe(0);
    expect(x.readphy(MII.AUX_STAT)).toBe(0x8000 | 0x4000 | 0x2000 | 0x0700 | 0x20 | 0x10 | 0x08 | 0x04);
  });

  test('BMSR link is latched low: a drop between two reads shows in the first read', () => {
    const x = partnered(2);
    x.wait(4_000_000);
    expect(x.readphy(MII.BMSR) & BMSR.LSTATUS).toBe(BMSR.LSTATUS);
    x.partner.restart(); // the partner renegotiates: down, then up again 2–3 ms later (time scale 0.001)
    x.wait(4_000_000);
    expect(x.phy.link.up).toBe(true);
    expect(x.readphy(MII.BMSR) & BMSR.LSTATUS).toBe(0);
    expect(x.readphy(MII.BMSR) & BMSR.LSTATUS).toBe(BMSR.LSTATUS);
    expect(x.readphy(MII.ISTAT) & ISTAT.LNK_CHG).toBe(ISTAT.LNK_CHG);
  });

  test('power-down (tg3_power_down_phy) drops the link at the partner at once; a reset brings it back', () => {
    const x = phyRig(3);
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    x.wait(4_000_000);
    expect(sw.portInfo('nic0')).toMatchObject({ up: true, speedMbps: 1000 });
    const bmcr = x.readphy(MII.BMCR);
    const t = x.now;
    x.writephy(MII.BMCR, bmcr | BMCR.PDOWN);
    const downAt = x.r.find('autoneg', 'link-down')[0]!.t;
    expect(downAt).toBeGreaterThan(t);
    expect(downAt).toBeLessThan(x.now); // at the end of the write frame
    expect(sw.portInfo('nic0').up).toBe(false);
    x.wait(10_000_000);
    expect(sw.portInfo('nic0').up).toBe(false);
    expect(x.readphy(MII.BMCR) & BMCR.PDOWN).toBe(BMCR.PDOWN); // management still answers
    x.writephy(MII.BMCR, BMCR.RESET); // tg3_phy_reset at the next open
    x.wait(4_000_000);
    expect(sw.portInfo('nic0').up).toBe(true);
  });

  test('loopback drops the wire link within one BMSR poll (brgphy_loop, tg3_phy_copper_begin forced mode)', () => {
    const x = partnered(4);
    x.wait(4_000_000);
    x.readphy(MII.BMSR);
    x.writephy(MII.BMCR, BMCR.LOOPBACK);
    expect(x.readphy(MII.BMSR) & BMSR.LSTATUS).toBe(0);
    expect(x.phy.loopback).toBe(true);
    expect(x.partner.link).toBeNull();
  });

  test('isolate keeps management and the wire; writes to read-only registers are traced', () => {
    const x = partnered(5);
    x.writephy(MII.BMCR, 0x1140 | BMCR.ISOLATE);
    x.wait(4_000_000);
    expect(x.phy.isolated).toBe(true);
    expect(x.phy.link.up).toBe(true);
    x.writephy(MII.BMSR, 0);
    x.writephy(MII.PHYSID1, 0);
    expect(x.r.find('nic', 'phy-ro-write').map((t) => t.f!.reg)).toEqual([MII.BMSR, MII.PHYSID1]);
  });
});
