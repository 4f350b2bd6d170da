/**
 * The BCM5701 PHY negotiating against the partners a scenario can give it, through the registers the drivers
 * read: tg3's open sequence against a switch at full time scale, NetBSD brgphy's forced MASTER, parallel
 * detection of a DP8390's 10BASE-T, forced modes, a 10/100-only advertisement.
 */
import { Cable } from '../../../emulator/machine/net/cable';
import { Switch } from '../../../emulator/machine/net/switch';
import { AN_TIMES } from '../../../emulator/machine/net/link-segment';
import { ADVERTISE, AUX_STAT, BMCR, BMSR, CTRL1000, EXPANSION, STAT1000 } from '../../../nic-models/bcm5701/autoneg';
import { Bcm5701Phy, ISTAT, MII } from '../../../nic-models/bcm5701/phy-bcm5701';
import { AnReplica, Station } from '../../net/helpers';
import { phyRig } from './phy-fixture';

/** tg3_phy_reset (BMCR reset, poll), tg3_phy_autoneg_cfg, BMCR = ANENABLE | ANRESTART (tg3_phy_copper_begin). */
function tg3Open(x: ReturnType<typeof phyRig>, ctrl1000 = 0x0300): number {
  x.writephy(MII.BMCR, BMCR.RESET);
  while (x.readphy(MII.BMCR) & BMCR.RESET);
  x.writephy(MII.ADVERTISE, ADVERTISE.CSMA | 0x01e0 | ADVERTISE.PAUSE_CAP); // 0x05e1
  x.writephy(MII.CTRL1000, ctrl1000);
  x.writephy(MII.BMCR, BMCR.ANENABLE | BMCR.ANRESTART);
  return x.completions.at(-1)!; // the restart took effect at the end of that write frame
}

describe('the PHY against a gigabit switch', () => {
  test('tg3 open: 1000 Mb/s full duplex 2–3 s after the restart, the switch MASTER, PAUSE both ways', () => {
    const x = phyRig(12, 1);
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    x.wait(3_000_000_000); // power-on negotiation
    const replica = new AnReplica(12, 'sw0.p0');
    const boot = replica.timeline(0, AN_TIMES.nextPages, AN_TIMES.linkUp1000).up;
    expect(x.r.find('autoneg', 'link-up')[0]!.t).toBe(boot);
    const restart = tg3Open(x);
    replica.draw(AN_TIMES.breakLink); // BMCR.RESET: the PHY goes silent
    replica.draw(AN_TIMES.breakLink); // the reset ends: negotiation restarts
    const want = replica.timeline(restart, AN_TIMES.nextPages, AN_TIMES.linkUp1000);
    expect(x.phy.link.up).toBe(false);
    x.wait(3_000_000_000);
    const ups = x.r.find('autoneg', 'link-up');
    expect(ups.map((u) => u.t)).toEqual([boot, want.up]);
    expect(want.up - restart).toBeGreaterThanOrEqual(1_950_000_000);
    expect(want.up - restart).toBeLessThanOrEqual(2_850_000_000);
    // What tg3_setup_copper_phy reads: BMSR twice, AUX_STAT, BMCR, ADVERTISE/CTRL1000, STAT1000, LPA
    x.readphy(MII.BMSR);
    expect(x.readphy(MII.BMSR)).toBe(0x7949 | BMSR.ANEGCOMPLETE | BMSR.LSTATUS);
    const aux = x.readphy(MII.AUX_STAT);
    expect(aux & AUX_STAT.SPDMASK).toBe(0x0700); // MII_TG3_AUX_STAT_1000FULL
    expect(aux & (AUX_STAT.PRR | AUX_STAT.PRT | AUX_STAT.LINK | AUX_STAT.ACOMP)).toBe(AUX_STAT.PRR | AUX_STAT.PRT | AUX_STAT.LINK | AUX_STAT.ACOMP);
    expect(x.readphy(MII.STAT1000)).toBe(STAT1000.FULL | STAT1000.HALF | STAT1000.LOCALRXOK | STAT1000.REMRXOK); // we are slave
    // the switch's base page: every 10/100 mode, PAUSE, acknowledge, next page (1000BASE-T), selector
    expect(x.readphy(MII.LPA)).toBe(0x01e0 | ADVERTISE.PAUSE_CAP | ADVERTISE.LPACK | ADVERTISE.NPAGE | ADVERTISE.CSMA);
    expect(x.readphy(MII.EXPANSION)).toBe(EXPANSION.NWAY | EXPANSION.LCWP | EXPANSION.ENABLENPAGE | EXPANSION.NPCAPABLE);
    expect(x.readphy(MII.EXPANSION) & EXPANSION.LCWP).toBe(0); // page-received clears on read
    expect(x.phy.link).toEqual({ up: true, speedMbps: 1000, fullDuplex: true, pauseTx: true, pauseRx: true });
    expect(sw.portInfo('nic0')).toMatchObject({ up: true, speedMbps: 1000, fullDuplex: true });
  });

  test('NetBSD brgphy on a 5701 forces MASTER (CTRL1000 0x1b00): against a switch it is MASTER', () => {
    const x = phyRig(3);
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    tg3Open(x, CTRL1000.FULL | CTRL1000.HALF | CTRL1000.AS_MASTER | CTRL1000.ENABLE_MASTER);
    x.wait(4_000_000);
    expect(x.readphy(MII.STAT1000) & STAT1000.MSRES).toBe(STAT1000.MSRES);
    expect(x.r.find('autoneg', 'link-up').at(-1)!.f!.master).toBe(1); // end 1, the station
  });

  test('a 10/100-only advertisement (CTRL1000 = 0): 100 Mb/s full duplex; STAT1000 still shows the partner', () => {
    const x = phyRig(4);
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    tg3Open(x, 0);
    x.wait(4_000_000);
    expect(x.readphy(MII.AUX_STAT) & AUX_STAT.SPDMASK).toBe(0x0500);
    expect(x.readphy(MII.STAT1000)).toBe(STAT1000.FULL | STAT1000.HALF);
    expect(sw.portInfo('nic0').speedMbps).toBe(100);
  });

  test('forced 100 full (ANENABLE off): the switch parallel-detects half duplex, a duplex mismatch', () => {
    const x = phyRig(5);
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    x.writephy(MII.BMCR, BMCR.SPEED100 | BMCR.FULLDPLX);
    x.wait(4_000_000);
    x.readphy(MII.BMSR);
    expect(x.readphy(MII.BMSR) & (BMSR.LSTATUS | BMSR.ANEGCOMPLETE)).toBe(BMSR.LSTATUS);
    expect(x.readphy(MII.AUX_STAT) & AUX_STAT.SPDMASK).toBe(0x0500);
    expect(sw.portInfo('nic0')).toMatchObject({ speedMbps: 100, fullDuplex: false });
    expect(x.r.find('autoneg', 'link-up').at(-1)!.f).toMatchObject({ mode: '100H', mismatch: true });
  });
});

describe('the PHY against other partners', () => {
  test('a DP8390 (10BASE-T link pulses only): parallel detection, 10 Mb/s half duplex, LPA shows only 10BASE-T', () => {
    const x = phyRig(6);
    const cable = new Cable(x.r.ctx('c0'));
    const ne = new Station(x.r, 'ne', cable);
    x.connect(cable);
    x.wait(4_000_000);
    const up = new AnReplica(6, 'c0', 0.001).timeline(0, AN_TIMES.parallel, AN_TIMES.linkUp10).up;
    expect(x.r.find('autoneg', 'link-up').map((u) => u.t)).toEqual([up]);
    expect(ne.mac.port!.linkUp()).toBe(true);
    expect(x.readphy(MII.LPA)).toBe(ADVERTISE.HALF10);
    expect(x.readphy(MII.EXPANSION) & (EXPANSION.NWAY | EXPANSION.LCWP)).toBe(0);
    expect(x.readphy(MII.AUX_STAT)).toBe(0x0100 | AUX_STAT.LINK | AUX_STAT.ACOMP | AUX_STAT.AN_ACK);
    expect(x.phy.link).toMatchObject({ up: true, speedMbps: 10, fullDuplex: false });
  });

  test('two PHYs that both force MASTER never link: MASTER-SLAVE fault in STAT1000, no HCD in ISTAT', () => {
    const x = phyRig(7);
    const cable = new Cable(x.r.ctx('c0'));
    const other = new Bcm5701Phy(x.r.ctx('nic1', 'beta'), { timeScale: 0.001 });
    other.write(MII.CTRL1000, 0x1b00);
    x.phy.write(MII.CTRL1000, 0x1b00);
    x.connect(cable);
    new Station(x.r, 'nic1', cable, { fullDuplex: true, autoneg: other.endpoint });
    x.wait(4_000_000);
    expect(x.phy.link.up).toBe(false);
    expect(x.readphy(MII.STAT1000) & STAT1000.MSFAIL).toBe(STAT1000.MSFAIL);
    expect(x.readphy(MII.ISTAT) & ISTAT.NO_HDC).toBe(ISTAT.NO_HDC);
    expect(x.r.find('autoneg', 'fault').map((f) => f.f!.fault)).toContain('ms-fault');
  });

  test('two PHYs with tg3 settings on a crossover cable: 1000 Mb/s, one MASTER by seed', () => {
    const x = phyRig(8);
    const cable = new Cable(x.r.ctx('c0'));
    const other = new Bcm5701Phy(x.r.ctx('nic1', 'beta'), { timeScale: 0.001 });
    x.connect(cable);
    new Station(x.r, 'nic1', cable, { fullDuplex: true, autoneg: other.endpoint });
    x.wait(4_000_000);
    expect([x.phy.link.speedMbps, other.link.speedMbps]).toEqual([1000, 1000]);
    const ms = [x.phy.peek(MII.STAT1000) & STAT1000.MSRES, other.peek(MII.STAT1000) & STAT1000.MSRES];
    expect(ms.filter((m) => m !== 0)).toHaveLength(1);
  });
});

describe('bad driver input', () => {
  test('advertising nothing: no link, the fault traced and retried; even at a 1e-12 time scale no spin', () => {
    const x = phyRig(9, 1e-12);
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    x.writephy(MII.ADVERTISE, 0);
    x.writephy(MII.CTRL1000, 0);
    x.writephy(MII.BMCR, BMCR.ANENABLE | BMCR.ANRESTART);
    const before = x.r.sim.queue.executed;
    const t0 = x.now;
    x.wait(1_000_000); // 1 ms: a failed attempt is an exchange and a retry wait, each at least 1 µs
    const faults = x.r.find('autoneg', 'fault').filter((f) => f.t > t0);
    expect(faults.length).toBeGreaterThan(10);
    expect(faults.length).toBeLessThanOrEqual(1_000_000 / 2_000);
    expect(x.r.sim.queue.executed - before).toBeLessThan(20_000);
    expect(x.phy.link.up).toBe(false);
    expect(x.readphy(MII.ISTAT) & ISTAT.NO_HDC).toBe(ISTAT.NO_HDC);
    // garbage in every register: no exception
    for (let reg = 0; reg < 32; reg++) if (reg !== MII.BMCR) x.phy.write(reg, 0xffff);
    x.phy.write(MII.BMCR, 0x7fff & ~BMCR.RESET);
    x.wait(1_000_000);
    for (let reg = 0; reg < 32; reg++) x.phy.read(reg);
  });
});
