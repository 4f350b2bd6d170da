/**
 * tg3_close and reopen (design §2.1.7, §6.2 item 5): every block stops at its first poll, the chip resets, the
 * ASF status mailbox answers at once, clocks go off (frames are then neither sent nor received), the PHY powers
 * down and the partner sees the link go; reopening resets the PHY (PDOWN clears) and the link returns. Also:
 * PCI power management (D3hot stops BAR decoding; D3hot → D0 resets the core) and the MAC port mode check.
 */
import { Host, MAC, MS, US } from './fixture';
import { attachPartner, cableWithPartner, PARTNER_MAC, udpFrame } from './partner';
import { Tg3 } from './tg3';

function opened(scale = 0.001): { h: Host; t: Tg3; partner: ReturnType<typeof cableWithPartner>['partner'] } {
  const h = new Host({ phyTimeScale: scale });
  const { cable, partner } = cableWithPartner(h.sim, undefined, scale);
  h.nic.connect(cable);
  attachPartner(cable, partner);
  h.delay(2 * MS);
  const t = new Tg3(h);
  t.probe();
  t.open();
  t.run(10 * MS * Math.max(1, scale / 0.001));
  if (!t.linkUp) throw new Error('no link');
  return { h, t, partner };
}

describe('tg3 close and reopen', () => {
  test('close: no stop poll needs a retry; PHY powered down → partner link down; frames stop', () => {
    const { h, t, partner } = opened();
    const downs = partner.autoneg.events.filter((e) => e.what === 'down').length;
    expect(t.close()).toBe(0);
    h.delay(MS);
    expect(partner.autoneg.events.filter((e) => e.what === 'down').length).toBe(downs + 1);
    expect(partner.autoneg.link).toBeNull();
    expect(h.core.phy.link()).toBeNull();
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    h.delay(MS);
    expect(h.traced('rx-accept').length).toBe(0);
  });

  test('reopen: clocks back, PHY reset clears power-down, link again, traffic flows', () => {
    const { h, t, partner } = opened();
    t.close();
    h.delay(MS);
    t.open();
    t.run(10 * MS);
    expect(t.linkUp).toBe(true);
    partner.echo = true;
    t.xmit(udpFrame(PARTNER_MAC, MAC, 200));
    t.run(MS);
    expect(t.received.length).toBe(1);
  });
});

describe('link flap', () => {
  test('the partner renegotiates: LINK_CHG down then up, tg3 follows both through its interrupt', () => {
    // Negotiation times at 1/100 (a 1000BASE-T link takes tens of ms): longer than tg3's 100 × BMSR poll.
    const { h, t, partner } = opened(0.01);
    const ups = h.traced('link').filter((r) => r.f!['up'] === true).length;
    partner.autoneg.restart();
    t.run(200 * US);
    expect(t.linkUp).toBe(false);
    expect(h.r(0x3c28)).toBe(0); // statistics DMA off while down (tg3_setup_phy)
    t.run(100 * MS);
    expect(t.linkUp).toBe(true);
    expect(h.traced('link').filter((r) => r.f!['up'] === true).length).toBe(ups + 1);
    expect(h.traced('status-update').filter((r) => r.f!['reason'] === 'mac-attn').length).toBeGreaterThanOrEqual(2);
  });
});

describe('power management and port mode', () => {
  test('D3hot: the BAR reads all ones; back to D0 the core resets and the boot code runs', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.w(0x3c08, 99);
    h.cw(0x4c, 0x0003, 2);
    expect(h.cr(0x4c, 2) & 3).toBe(3);
    expect(h.r(0x3c08)).toBe(0xffffffff);
    h.cw(0x4c, 0x0000, 2);
    h.cw(0x04, 0x6, 2);
    expect(h.r(0x3c08)).toBe(0);
    expect(h.traced('reset').map((r) => r.f!['kind'])).toEqual(['core']);
  });

  test('MAC port mode MII on a 1000 Mb/s link: frames are neither sent nor received (traced once)', () => {
    const { h, t, partner } = opened();
    h.wr(0x400, (h.r(0x400) & ~0xc) | 0x4);
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    t.run(MS);
    expect(partner.got.length).toBe(0);
    expect(h.traced('tx-drop', 'port-mode-mismatch').length).toBe(1);
    expect(h.traced('rx-reject', 'port-mode-mismatch').length).toBe(1);
    expect(h.traced('port-mode-mismatch').length).toBe(1);
    void US;
  });
});
