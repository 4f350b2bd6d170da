/**
 * Edges of the MII management interface (mii.ts) the main MDIO tests do not reach: the trace records of a lost or
 * malformed MI_COM command, MI_MODE written without auto-poll (tg3_reset_hw), auto-poll of an absent PHY, a link
 * change at the very end of a poll frame and during a host frame, and MI_STAT across a snapshot.
 *
 * Auto-poll timing as mii.ts has it: poll frames run back to back from the enable (or the end of a host frame),
 * one MDIO frame each (64 MDC periods of 2 × (CLKCNT + 1) core clocks at 66 MHz: 25 212 ns at MAC_MI_MODE_BASE);
 * a link change is seen by the first poll frame that ends after it.
 */
import { Switch } from '../../../emulator/machine/net/switch';
import { AUTO_POLL_ERROR, MI_COM, MI_MODE, MI_STAT } from '../../../nic-models/bcm5701/mii';
import { MII } from '../../../nic-models/bcm5701/phy-bcm5701';
import { phyRig } from './phy-fixture';

/** One MDIO frame at MI_MODE_BASE (CLKCNT 0x0c, full preamble): 64 × 2 × 13 / 66 MHz. */
const FRAME = Math.round((64 * 2 * (0x0c + 1) * 1e9) / 66e6);
const AUTO_POLL_PHY1 = MI_MODE.BASE | MI_MODE.AUTO_POLL | (1 << MI_MODE.PHY_ADDR_SHIFT); // bge: 0x000c0030
const read = (reg: number) => (1 << 21) | (reg << 16) | MI_COM.CMD_READ | MI_COM.START;

/** The PHY linked to a switch port at 1000 Mb/s. */
function linked(seed: number) {
  const x = phyRig(seed);
  const sw = new Switch(x.r.ctx('sw0'));
  x.connect(sw);
  x.wait(4_000_000);
  if (!x.phy.link.up) throw new Error('no link');
  return { x, sw };
}

describe('MI_COM commands the engine cannot run', () => {
  test('a command while a frame is on the bus is lost; its trace record has the value written', () => {
    const x = phyRig();
    x.mdio.writeCom(read(MII.BMSR));
    const second = (1 << 21) | (MII.ADVERTISE << 16) | 0x0021 | MI_COM.CMD_WRITE | MI_COM.START;
    x.mdio.writeCom(second);
    expect(x.r.find('nic', 'mi-busy').map((r) => r.f)).toEqual([{ value: second }]);
  });

  test('START with neither READ nor WRITE: a frame that does nothing, traced with the command; MI_COMPLETION still', () => {
    const x = phyRig();
    const bad = (1 << 21) | (MII.ADVERTISE << 16) | 0x0021 | MI_COM.START; // CMD bits 27:26 = 00
    const t0 = x.now;
    x.mdio.writeCom(bad);
    x.wait(FRAME);
    expect(x.r.find('nic', 'mi-bad-command').map((r) => r.f)).toEqual([{ value: bad }]);
    expect(x.completions).toEqual([t0 + FRAME]);
    expect(x.mdio.readCom()).toBe(bad & ~MI_COM.START);
    expect(x.phy.peek(MII.ADVERTISE)).toBe(0x01e1); // not written
  });
});

describe('auto-poll', () => {
  test('MI_MODE written with auto-poll off (tg3_reset_hw: MAC_MI_MODE_BASE) runs no poll frames', () => {
    const { x } = linked(31);
    x.mdio.writeMode(MI_MODE.BASE); // PHY address field 0: a poll would find nobody there
    x.wait(10 * FRAME);
    expect(x.mdio.readAutoPollStatus()).toBe(0);
    expect(x.linkAttentions).toEqual([]);
    expect(x.mdio.readStat()).toBe(MI_STAT.LINK); // the PHY's link pin
  });

  test('polling an absent address latches the error but reports no link change, before or after the link comes up', () => {
    const x = phyRig(32);
    x.mdio.writeMode(MI_MODE.BASE | MI_MODE.AUTO_POLL | (7 << MI_MODE.PHY_ADDR_SHIFT));
    x.wait(2 * FRAME);
    expect(x.mdio.readAutoPollStatus()).toBe(AUTO_POLL_ERROR);
    x.connect(new Switch(x.r.ctx('sw0')));
    x.wait(4_000_000);
    expect(x.phy.link.up).toBe(true);
    expect(x.linkAttentions).toEqual([]); // the link seen stays down: nothing changed
    expect(x.mdio.readStat()).toBe(0);
  });

  test('a link change at the instant a poll frame ends is seen by the next frame, one frame later', () => {
    const { x, sw } = linked(33);
    const since = x.now;
    x.mdio.writeMode(AUTO_POLL_PHY1);
    x.wait(FRAME); // the first poll frame sees the link up
    expect(x.linkAttentions).toEqual([since + FRAME]);
    x.wait(2 * FRAME); // now the third poll frame ends
    expect(x.now).toBe(since + 3 * FRAME);
    sw.setLinkUp('nic0', false); // the frame ending now read the PHY before the drop
    x.wait(2 * FRAME);
    expect(x.linkAttentions).toEqual([since + FRAME, since + 4 * FRAME]);
    expect(x.mdio.readStat()).toBe(0);
  });

  test('a link change during a host frame is seen by the first poll frame after it', () => {
    const { x, sw } = linked(34);
    const since = x.now;
    x.mdio.writeMode(AUTO_POLL_PHY1);
    x.wait(FRAME);
    expect(x.mdio.readStat()).toBe(MI_STAT.LINK);
    x.wait(FRAME / 2);
    x.mdio.writeCom(read(MII.BMSR)); // waits for the poll frame on the bus (ends at since + 2F), then one frame
    expect(x.mdio.busy).toBe(true);
    x.wait(FRAME);
    sw.setLinkUp('nic0', false); // the host frame is still on the bus
    expect(x.mdio.busy).toBe(true);
    x.wait(3 * FRAME);
    const hostEnd = since + 3 * FRAME;
    expect(x.completions).toEqual([hostEnd]);
    expect(x.linkAttentions).toEqual([since + FRAME, hostEnd + FRAME]);
    expect(x.mdio.readStat()).toBe(0);
  });

  test('MI_STAT as auto-poll last saw it survives save → load into a twin', () => {
    const { x } = linked(35);
    x.mdio.writeMode(AUTO_POLL_PHY1);
    x.wait(2 * FRAME);
    expect(x.mdio.readStat()).toBe(MI_STAT.LINK);
    const saved = JSON.parse(JSON.stringify({ phy: x.phy.saveState(), mdio: x.mdio.saveState() }));
    const y = phyRig(35);
    y.phy.loadState(saved.phy);
    y.mdio.loadState(saved.mdio);
    expect(y.mdio.readStat()).toBe(MI_STAT.LINK);
  });
});
