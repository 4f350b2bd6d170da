/**
 * Linux tg3 on the model (design §6.2 items 1–4): the probe (tg3_init_one: invariants, EEPROM size probe, PHY
 * probe and reset, VPD, device address), open (tg3_reset_hw), the link coming up at 1000 Mb/s full duplex against
 * an auto-negotiating partner with the LINK_CHG status update and interrupt, and frames both ways.
 */
import { Host, MAC, MS, US } from './fixture';
import { cabled } from './linked';
import { PARTNER_MAC, udpFrame, type Partner } from './partner';
import { Tg3 } from './tg3';

function openWithPartner(seed = 1): { h: Host; t: Tg3; partner: Partner } {
  const h = new Host({ seed });
  const partner = cabled(h);
  const t = new Tg3(h);
  t.probe();
  t.open();
  return { h, t, partner };
}

describe('tg3 probe and open', () => {
  test('probe: every check tg3_init_one makes passes; PHY left advertising 0x05e1/0x0300 with AN restarted', () => {
    const h = new Host();
    h.delay(2 * MS);
    const t = new Tg3(h);
    t.probe();
    expect(h.cr(0x68)).toBe(0x0105029a);
    expect(h.core.phy.peek(4)).toBe(0x05e1);
    expect(h.core.phy.peek(9)).toBe(0x0300);
    expect(h.core.phy.peek(0)! & 0x1000).toBe(0x1000);
    expect(h.traced('reg-unmapped')).toEqual([]);
  });

  test('open: first NOW interrupts; link comes up at 1000 full, LINK_CHG update, GMII mode', () => {
    const { h, t } = openWithPartner();
    // tg3_enable_ints wrote HOSTCC NOW: a status update, interrupt asserted. The PHY reset and the
    // re-advertisement in tg3_setup_copper_phy took the link down while interrupts were off: that attention made
    // update 1 (LINK_CHG, interrupt avoided: mailbox 0 masked); NOW made update 2.
    h.delay(10 * US);
    expect(h.irq).toBe(true);
    expect(t.statusBlock()).toMatchObject({ tag: 2, status: 0x3 });
    expect(h.traced('status-update').map((r) => r.f!['reason'])).toEqual(['mac-attn', 'now']);
    expect(t.interrupt()).toBe(true);
    expect(h.irq).toBe(false);
    // Negotiation with the partner (times scaled by 0.001): the link-change attention interrupts.
    t.run(10 * MS);
    expect(t.linkUp).toBe(true);
    expect(h.r(0x400)).toBe(0x00e04c08);
    expect(h.r(0x3c28)).toBe(1000000);
    expect(h.core.phy.link()).toMatchObject({ speedMbps: 1000, fullDuplex: true });
    expect(h.traced('status-update').some((r) => r.f!['reason'] === 'mac-attn')).toBe(true);
    expect(h.r(0x468) & 0x4).toBe(0x4); // flow control on for RX: both ends advertise PAUSE
  });

  test('frames both ways: tx completes BDs, the partner gets them with a valid FCS; echoes land in the return ring', () => {
    const { t, partner } = openWithPartner();
    t.run(10 * MS);
    partner.echo = true;
    const frames = [60, 100, 1514].map((n, i) => udpFrame(PARTNER_MAC, MAC, n - 42, i));
    for (const f of frames) t.xmit(f);
    t.run(2 * MS);
    expect(partner.got.map((g) => g.frame.data.length)).toEqual([60, 100, 1514]);
    expect(t.txCons).toBe(3);
    expect(t.received.map((r) => r.data.length)).toEqual([60, 100, 1514]);
    expect(t.received.every((r) => r.err === 0 && r.flags & 0x1000)).toBe(true);
    expect(t.received[2]!.data.subarray(14)).toEqual(frames[2]!.subarray(14));
  });
});
