/**
 * The transmitter and 802.3x PAUSE (design §5.4) at the edges: a PAUSE looped back through the MAC with no link,
 * the transmit FIFO's share of the mbuf pool while the partner holds us off, and the pause timer's expiry —
 * which must send the waiting frame and nothing else (it shares its event with the no-END chain timeout).
 */
import { Host, MAC, MS, US } from './fixture';
import { ethFrame, PARTNER_MAC, udpFrame } from './partner';
import { linkedTg3 } from './linked';
import { Tg3 } from './tg3';

const linked = linkedTg3;

/** An 802.3x PAUSE frame (Annex 31B) from `src`: reserved multicast DA, EtherType 0x8808, opcode 1, pause_time. */
function pause(src: readonly number[], quanta: number): Uint8Array {
  const p = new Uint8Array(46);
  p[1] = 0x01;
  p[2] = quanta >> 8;
  p[3] = quanta & 0xff;
  return ethFrame([0x01, 0x80, 0xc2, 0x00, 0x00, 0x01], src, 0x8808, p);
}

/** A fresh status block (HOSTCC_MODE.NOW) and its send consumer. */
function txConsumer(h: Host, t: Tg3): number {
  h.wr(0x3c00, h.r(0x3c00) | 0x8);
  h.delay(50 * US);
  return t.statusBlock().txCons;
}

describe('PAUSE and the transmitter', () => {
  test('MAC loopback without a link: our own PAUSE holds the next frame for pause_time × 512 bit times at 1 Gb/s', () => {
    const h = new Host(); // no cable: the PHY never links
    h.delay(2 * MS);
    const t = new Tg3(h);
    t.probe();
    t.open();
    t.run(MS);
    expect(t.linkUp).toBe(false);
    h.wr(0x400, h.r(0x400) | 0x10); // MAC_MODE_PORT_INT_LPBACK (tg3_run_loopback)
    h.wr(0x468, 0x2 | 0x4); // RX_MODE ENABLE | FLOW_CTRL_ENABLE
    t.xmit(pause(MAC, 0x1000));
    t.xmit(udpFrame(MAC, MAC, 100));
    t.run(5 * MS);
    expect(t.received.length).toBe(1); // the PAUSE is consumed by the MAC, the data frame comes back
    const paused = h.traced('rx-reject', 'mac-control')[0]!.t;
    const back = h.traced('rx-accept')[0]!.t;
    // With no link the MAC clocks at its GMII rate: 0x1000 quanta × 512 bit times × 1 ns = 2.097152 ms, then the
    // 100 + 42 byte frame's own wire time (8 + 142 + 4 bytes × 8 ns).
    expect(back - paused).toBeGreaterThanOrEqual(0x1000 * 512);
    expect(back - paused).toBeLessThan(0x1000 * 512 + 5 * US);
  });

  test('while XOFFed the transmit FIFO takes at most half the mbuf pool: the consumer stops, then catches up', () => {
    const { h, t, partner } = linked();
    partner.send(pause(PARTNER_MAC, 0xffff)); // 33.55 ms at 1 Gb/s
    t.run(100 * US);
    // tg3's BUFMGR_MB_POOL_SIZE 0x18000 = 768 mbufs of 128 bytes; the FIFO may hold 384 *(I)*. Frames of 1514
    // bytes take 12 mbufs: after 33 (396 mbufs) the BD fetch stops. One producer write per frame, as tg3 does.
    for (let i = 0; i < 50; i++) {
      t.xmit(udpFrame(PARTNER_MAC, MAC, 1472, i));
      t.run(20 * US);
    }
    expect(partner.got.length).toBe(0);
    expect(txConsumer(h, t)).toBe(33);
    t.run(40 * MS); // the pause ends: the FIFO drains and the fetch resumes
    expect(partner.got.length).toBe(50);
    expect(txConsumer(h, t)).toBe(50);
  });

  test('pause expiry sends the waiting frame and reports no error', () => {
    const { h, t, partner } = linked();
    partner.send(pause(PARTNER_MAC, 0x100)); // 0x100 × 512 ns = 131.072 µs
    t.run(10 * US);
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.run(MS);
    const paused = h.traced('rx-reject', 'mac-control')[0]!.t;
    expect(partner.got.length).toBe(1);
    expect(partner.got[0]!.t - paused).toBeGreaterThanOrEqual(0x100 * 512);
    expect(h.traced('tx-drop')).toEqual([]);
    expect(h.r(0x1804) & 0x4).toBe(0); // SNDBDI_STATUS.ERROR: only for a chain without END
    expect(t.errors).toBe(0);
  });

  test('a partner holding us off for over a second: the expiry still only resumes (no chain was pending)', () => {
    const { h, t, partner } = linked();
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100, 1)); // the last BD fetch: 1 s later is the no-END timeout
    t.run(100 * US);
    partner.send(pause(PARTNER_MAC, 0xffff));
    h.delay(100 * US);
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100, 2), 0, 0, true);
    // A congested partner renewing XOFF every 30 ms (each 0xffff quanta = 33.55 ms) for 1.2 s.
    for (let i = 0; i < 40; i++) {
      h.delay(30 * MS);
      partner.send(pause(PARTNER_MAC, 0xffff));
    }
    expect(partner.got.length).toBe(1);
    t.run(40 * MS);
    expect(partner.got.length).toBe(2);
    expect(h.traced('tx-drop')).toEqual([]);
    expect(h.r(0x1804) & 0x4).toBe(0);
    expect(h.sramR(0x6f8 + 4, 'bge-win')).toBe(0); // tx_discards
  });
});
