import { Switch } from '../../../emulator/machine/net/switch';
import { restoreParts, saveParts, type SnapshotPart } from '../../../emulator/machine/sim/snapshot';
import { AN_TIMES } from '../../../emulator/machine/net/link-segment';
import { AUTO_POLL_ERROR, MI_COM, MI_MODE, MI_STAT, mdioFrameNs } from '../../../nic-models/bcm5701/mii';
import { MII } from '../../../nic-models/bcm5701/phy-bcm5701';
import { AnReplica, type Station } from '../../net/helpers';
import { phyRig } from './phy-fixture';

/** One MDC period: 2 × (CLKCNT + 1) cycles of the 66 MHz core clock; 64 of them per frame with the preamble. */
const FRAME = Math.round((64 * 2 * (0x0c + 1) * 1e9) / 66e6);
const read = (addr: number, reg: number) => (addr << 21) | (reg << 16) | MI_COM.CMD_READ | MI_COM.START;

describe('MI_COM transactions', () => {
  test('a frame takes 64 MDC periods (25.2 µs with MAC_MI_MODE_BASE); START reads back until it ends', () => {
    expect(FRAME).toBe(25_212);
    expect(mdioFrameNs(MI_MODE.BASE)).toBe(FRAME);
    expect(mdioFrameNs(MI_MODE.BASE | MI_MODE.SHORT_PREAMBLE)).toBe(Math.round(FRAME / 2));
    const x = phyRig();
    const t0 = x.now;
    x.mdio.writeCom(read(1, MII.PHYSID1));
    expect(x.mdio.readCom()).toBe(read(1, MII.PHYSID1));
    expect(x.mdio.busy).toBe(true);
    x.wait(FRAME - 1);
    expect(x.mdio.readCom() & MI_COM.START).toBe(MI_COM.START);
    x.wait(1);
    expect(x.mdio.readCom()).toBe((read(1, MII.PHYSID1) & ~MI_COM.START) | 0x0020);
    expect(x.completions).toEqual([t0 + FRAME]);
  });

  test('tg3 polls every 10 µs: three polls, then 5 µs and the final read (45 µs per PHY read)', () => {
    const x = phyRig();
    const t0 = x.now;
    expect(x.readphy(MII.BMCR)).toBe(0x1140);
    expect(x.now - t0).toBe(3 * 10_000 + 5_000);
  });

  test('no PHY at another address: all ones and READ_FAILED (bge checks it; tg3 takes the 0xffff)', () => {
    const x = phyRig();
    x.mdio.writeCom(read(2, MII.PHYSID1));
    x.wait(FRAME);
    const v = x.mdio.readCom();
    expect(v & MI_COM.READ_FAILED).toBe(MI_COM.READ_FAILED);
    expect(v & 0xffff).toBe(0xffff);
    expect(x.readphy(MII.PHYSID1, 2)).toBe(0xffff);
    // a write to nobody changes nothing; the next read at address 1 clears READ_FAILED
    x.writephy(MII.ADVERTISE, 0, 2);
    expect(x.readphy(MII.ADVERTISE)).toBe(0x01e1);
    expect(x.mdio.readCom() & MI_COM.READ_FAILED).toBe(0);
  });

  test('a write lands at the end of its frame; a command while busy is lost and traced', () => {
    const x = phyRig();
    x.mdio.writeCom((1 << 21) | (MII.ADVERTISE << 16) | 0x05e1 | MI_COM.CMD_WRITE | MI_COM.START);
    x.wait(FRAME - 1);
    expect(x.phy.peek(MII.ADVERTISE)).toBe(0x01e1);
    x.mdio.writeCom(read(1, MII.BMSR));
    expect(x.r.find('nic', 'mi-busy')).toHaveLength(1);
    x.wait(1);
    expect(x.phy.peek(MII.ADVERTISE)).toBe(0x05e1);
    expect(x.mdio.busy).toBe(false);
    expect(x.completions).toHaveLength(1);
  });

  test('reads with side effects happen once per frame; MI_COM reads have none', () => {
    const x = phyRig();
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    x.wait(4_000_000);
    expect(x.phy.peek(MII.ISTAT)).not.toBe(0);
    x.mdio.writeCom(read(1, MII.ISTAT));
    x.wait(FRAME);
    const first = x.mdio.readCom() & 0xffff;
    expect(first).not.toBe(0);
    expect(x.mdio.readCom() & 0xffff).toBe(first); // reading MI_COM again does not re-read the PHY
    expect(x.phy.peek(MII.ISTAT)).toBe(0);
  });
});

describe('link attention', () => {
  test('auto-poll (bge on the 5700 family): MI_STAT follows the PHY at the next poll frame, with LNKSTATE_CHANGED', () => {
    const x = phyRig(6);
    const sw = new Switch(x.r.ctx('sw0'));
    x.mdio.writeMode(MI_MODE.BASE | MI_MODE.AUTO_POLL | (1 << MI_MODE.PHY_ADDR_SHIFT)); // 0x000c0030
    const since = x.now;
    x.connect(sw);
    x.wait(4_000_000);
    const up = new AnReplica(6, 'sw0.p0', 0.001).timeline(0, AN_TIMES.nextPages, AN_TIMES.linkUp1000).up;
    const seen = since + Math.ceil((up + 1 - since) / FRAME) * FRAME; // the first poll frame ending after the change
    expect(x.linkAttentions).toEqual([seen]);
    expect(x.mdio.readStat()).toBe(MI_STAT.LINK);
    // bge reads the PHY with auto-poll off; a host frame while polling waits for the poll frame on the bus
    const t = x.now;
    x.mdio.writeCom(read(1, MII.BMSR));
    x.wait(2 * FRAME);
    expect(x.completions).toEqual([since + Math.ceil((t - since) / FRAME) * FRAME + FRAME]);
    expect(x.mdio.readAutoPollStatus()).toBe(0);
  });

  test('auto-poll of an absent address latches AUTO_POLL_STATUS.ERROR and sees no link', () => {
    const x = phyRig();
    x.mdio.writeMode(MI_MODE.BASE | MI_MODE.AUTO_POLL | (5 << MI_MODE.PHY_ADDR_SHIFT));
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    x.wait(4_000_000);
    expect(x.mdio.readAutoPollStatus()).toBe(AUTO_POLL_ERROR);
    expect(x.mdio.readStat()).toBe(0);
    x.mdio.writeAutoPollStatus(AUTO_POLL_ERROR);
    expect(x.mdio.readAutoPollStatus()).toBe(0);
  });

  test('without auto-poll: MI_STAT.LNKSTAT_ATTN_ENAB (tg3_reset_hw) gives attention at once; without it none', () => {
    const x = phyRig(8);
    const sw = new Switch(x.r.ctx('sw0'));
    x.connect(sw);
    x.wait(4_000_000);
    expect(x.linkAttentions).toEqual([]);
    x.mdio.writeStat(MI_STAT.LNKSTAT_ATTN_ENAB);
    const t = x.now;
    sw.setLinkUp('nic0', false);
    expect(x.linkAttentions).toEqual([t]);
    expect(x.mdio.readStat()).toBe(0);
  });
});

describe('snapshots of the PHY and the MDIO engine', () => {
  test('mid-frame and mid-reset: save → load into a twin → save is identical, and the twin finishes the same way', () => {
    const build = () => {
      const x = phyRig(9);
      const sw = new Switch(x.r.ctx('sw0'));
      x.connect(sw);
      const parts = [
        ['phy', x.phy],
        ['mdio', x.mdio],
        ['sw0', sw],
        ['nic0', { saveState: () => ({ v: 1, s: x.station!.saveState() }), loadState: (s: { v: number }) => x.station!.loadState((s as never as { s: ReturnType<Station['saveState']> }).s) }],
      ] as [string, SnapshotPart][];
      return { x, sw, parts };
    };
    const a = build();
    a.x.wait(4_000_000);
    a.x.phy.write(MII.BMCR, 0x8000); // reset in progress …
    a.x.mdio.writeCom(read(1, MII.BMCR)); // … and a read frame on the bus
    a.x.wait(10_000);
    const snap = JSON.parse(JSON.stringify(saveParts(a.x.r.sim.queue, a.parts)));
    const b = build();
    restoreParts(b.x.r.sim.queue, b.parts, snap);
    expect(JSON.parse(JSON.stringify(saveParts(b.x.r.sim.queue, b.parts)))).toEqual(snap);
    a.x.wait(5_000_000);
    b.x.wait(5_000_000);
    expect(b.x.mdio.readCom()).toBe(a.x.mdio.readCom());
    expect(b.x.mdio.readCom() & 0xffff).toBe(0x9140); // read while the reset was still in progress
    expect(saveParts(b.x.r.sim.queue, b.parts)).toEqual(saveParts(a.x.r.sim.queue, a.parts));
    expect(b.sw.portInfo('nic0')).toEqual(a.sw.portInfo('nic0'));
    expect(b.x.phy.link).toEqual(a.x.phy.link);
  });
});
