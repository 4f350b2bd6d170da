/**
 * Send-path edges of the BCM5701 model (design §1.10) the data-path tests leave open: send RCB 0 disabled or
 * sized wrongly, the standard frame-length limit (no EXTPKTLEN), each sending block stopped, the MAC transmit
 * counters by address class, master aborts on a buffer and on the BD ring itself, a core reset between two
 * opens, and the COAL_NOW BD flag. Each test builds its own chip, opened by the tg3 sequences of tg3.ts.
 */
import { Host, MAC, MS, US } from './fixture';
import { ethFrame, PARTNER_MAC, udpFrame } from './partner';
import { linkedTg3 } from './linked';
import { Tg3 } from './tg3';

const linked = linkedTg3;

/** The low dword of a statistics counter at SRAM `off`, read through the BAR window as bge_stats_update does. */
const stat = (h: Host, off: number): number => h.sramR(off + 4, 'bge-win');

/** A fresh status block (HOSTCC_MODE.NOW) and its send consumer, tx_consumer at offset 0x12. */
function txConsumer(h: Host, t: Tg3): number {
  h.wr(0x3c00, h.r(0x3c00) | 0x8);
  h.delay(50 * US);
  return t.statusBlock().txCons;
}

describe('send ring control block', () => {
  test('RCB 0 disabled (maxlen flag 0x2, as tg3_rings_reset leaves rings 1..15): nothing fetched until enabled', () => {
    const { h, t, partner } = linked();
    h.sramW(0x108, (512 << 16) | 0x2);
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.run(MS);
    expect(partner.got.length).toBe(0);
    expect(txConsumer(h, t)).toBe(0);
    expect(h.traced('tx-ring-disabled').map((r) => r.f!['maxlen'])).toEqual([(512 << 16) | 0x2]);
    h.sramW(0x108, 512 << 16);
    h.w(0x304, t.txProd); // the next producer write finds the ring enabled
    t.run(MS);
    expect(partner.got.length).toBe(1);
    expect(txConsumer(h, t)).toBe(1);
  });

  test('a send ring size other than the 5701\'s fixed 512 is traced once; the chip keeps using 512', () => {
    const { h, t, partner } = linked();
    h.sramW(0x108, 256 << 16);
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.run(MS);
    expect(partner.got.length).toBe(2);
    expect(h.traced('rcb-size-mismatch').map((r) => [r.f!['ring'], r.f!['maxlen']])).toEqual([['send', 256 << 16]]);
  });
});

describe('frame length on transmit', () => {
  test('without EXTPKTLEN: 1518 bytes with FCS, 1522 tagged; longer frames dropped and counted in tx_discards', () => {
    const { h, t, partner } = linked();
    // tg3_phy_reset sets AUX_CTRL EXTPKTLEN on jumbo-capable chips; a driver without jumbo frames leaves it off.
    t.writePhy(0x18, 0x0007);
    t.writePhy(0x18, t.readPhy(0x18) & ~0x4000);
    const body = (n: number, type = 0x88b5): Uint8Array => ethFrame(PARTNER_MAC, MAC, type, new Uint8Array(n - 14));
    const tagged = body(1518, 0x8100);
    tagged.set([0x00, 0x07, 0x88, 0xb5], 14);
    t.xmit(body(1515)); // 1519 with FCS: too long
    t.xmit(body(1514)); // 1518: the maximum
    t.xmit(body(1514), 0x40, 0x0007); // TXD_FLAG_VLAN: 1518 + tag = 1522, the tagged maximum
    t.xmit(tagged); // tagged by the host, 1522
    t.xmit(body(1518)); // untagged 1522: too long
    t.run(MS);
    expect(partner.got.map((g) => g.frame.data.length)).toEqual([1514, 1518, 1518]);
    expect(h.traced('tx-drop').map((r) => [r.f!['reason'], r.f!['len']])).toEqual([['oversize', 1515], ['oversize', 1518]]);
    expect(stat(h, 0x6f8)).toBe(2); // tx_discards
    expect(txConsumer(h, t)).toBe(5); // dropped frames' BDs complete like the others
  });
});

describe('sending blocks stopped', () => {
  test('each block tg3_abort_hw stops holds the frame (tx-wait names it); restarting it sends the frame', () => {
    const { h, t, partner } = linked();
    const blocks: [number, string][] = [
      [0x1400, 'sndbds'], [0x1800, 'sndbdi'], [0x4800, 'rdmac'], [0x6400, 'dmac'], [0x0c00, 'snddatai'], [0x1000, 'snddatac'], [0x1c00, 'sndbdc'],
    ];
    for (const [off, name] of blocks) {
      const mode = h.r(off);
      h.wr(off, mode & ~2);
      t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
      t.run(200 * US);
      expect([name, partner.got.length]).toEqual([name, 0]);
      expect(h.traced('tx-wait', name).length).toBe(1);
      h.wr(off, mode);
      t.run(200 * US);
      expect([name, partner.got.length]).toEqual([name, 1]);
      partner.got.length = 0;
    }
    // GRC_MODE.HOST_SENDBDS clear means the send BDs are in NIC memory, which the model does not implement: the
    // host ring is not read (tg3 and bge always set the bit).
    h.wr(0x6800, h.r(0x6800) & ~0x20000);
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.run(200 * US);
    expect(partner.got.length).toBe(0);
    expect(h.traced('tx-wait', 'nic-send-rings-unsupported').length).toBe(1);
    h.wr(0x6800, h.r(0x6800) | 0x20000);
    h.w(0x304, t.txProd);
    t.run(200 * US);
    expect(partner.got.length).toBe(1);
  });
});

describe('MAC transmit statistics', () => {
  test('unicast, multicast and broadcast frames count in their own tg3_hw_stats counters', () => {
    const { h, t, partner } = linked();
    t.xmit(udpFrame(PARTNER_MAC, MAC, 60));
    t.xmit(udpFrame([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01], MAC, 60));
    t.xmit(udpFrame([0x01, 0x00, 0x5e, 0x00, 0x00, 0x02], MAC, 60));
    t.xmit(udpFrame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], MAC, 60));
    t.run(MS);
    expect(partner.got.length).toBe(4);
    expect(stat(h, 0x6d8)).toBe(1); // tx_ucast_packets
    expect(stat(h, 0x6e0)).toBe(2); // tx_mcast_packets
    expect(stat(h, 0x6e8)).toBe(1); // tx_bcast_packets
  });
});

describe('master aborts on the send side', () => {
  test('a buffer nowhere counts tx_mac_errors/tx_errors; a BD ring nowhere sets RDMAC_STATUS.MSTABORT by itself', () => {
    const { h, t, partner } = linked();
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.run(MS);
    // A clean send leaves RDMAC_STATUS at 0: tg3_process_error would reset the chip on a non-zero value.
    expect(h.r(0x4804)).toBe(0);
    expect(t.errors).toBe(0);
    // A BD whose buffer lies beyond the board's 16 MiB of RAM: the gather is master-aborted.
    const bd = new Uint8Array(16);
    const dv = new DataView(bd.buffer);
    dv.setUint32(4, 0xfffff000, true);
    dv.setUint32(8, (100 << 16) | 0x4, true);
    h.memW(t.txRing + 16 * t.txProd, bd);
    t.txProd++;
    h.w(0x304, t.txProd);
    t.run(MS);
    expect(stat(h, 0x630)).toBe(1); // tx_mac_errors
    expect(stat(h, 0x700)).toBe(1); // tx_errors
    expect(h.r(0x4804) & 0x8).toBe(0x8);
    h.wr(0x4804, 0);
    // The send ring itself moved into nowhere (RCB 0 host address): the BD fetch is aborted, the BDs are
    // consumed as completed, nothing is sent, and MSTABORT is set by the fetch alone.
    h.sramW(0x104, 0xfffff000);
    const cons = txConsumer(h, t);
    t.txProd += 3;
    h.w(0x304, t.txProd);
    t.run(MS);
    expect(partner.got.length).toBe(1);
    expect(h.r(0x4804) & 0x8).toBe(0x8);
    expect(txConsumer(h, t)).toBe(cons + 3);
  });
});

describe('core reset between two opens', () => {
  test('tg3_open after frames were sent: send ring indices start again at 0', () => {
    const { h, t, partner } = linked();
    for (let i = 0; i < 5; i++) t.xmit(udpFrame(PARTNER_MAC, MAC, 100, i));
    t.run(MS);
    expect(txConsumer(h, t)).toBe(5);
    // tg3_reset_hw: chip reset, tg3_init_rings zeroes the ring and txProd, mailbox 0x304 = 0.
    t.open();
    t.run(10 * MS);
    // tg3_tx walks from its tx_cons (0 after the reopen) to the status block's tx_consumer and calls
    // tg3_tx_recover on a slot without an skb: a stale consumer of 5 would make it reset the chip again.
    expect(txConsumer(h, t)).toBe(0);
    partner.got.length = 0;
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100, 9));
    t.run(MS);
    expect(partner.got.length).toBe(1);
    expect(txConsumer(h, t)).toBe(1);
    expect(h.traced('tx-drop').length).toBe(0);
    expect(h.traced('tx-zero-length-bd').length).toBe(0); // no stale fetch position into the zeroed ring
  });
});

describe('COAL_NOW send BD flag', () => {
  test('a BD with COAL_NOW updates the status block at its completion, not after TXCOL_TICKS', () => {
    const { h, t } = linked();
    const updateAfter = (flags: number): number => {
      const t0 = h.now;
      const n = h.traced('status-update').length;
      t.xmit(udpFrame(PARTNER_MAC, MAC, 100), flags);
      t.run(200 * US);
      return h.traced('status-update')[n]!.t - t0;
    };
    // tg3 programs HOSTCC_TXCOL_TICKS = 72 (µs at the 1 µs tick of GRC_MISC_CFG prescaler 0x82) and
    // TXMAX_FRAMES = 53: one completed BD alone waits 72 µs for its status update.
    expect(updateAfter(0)).toBeGreaterThanOrEqual(72 * US);
    // TXD_FLAG_COAL_NOW (0x80): the update follows the BD fetch and the 100-byte gather, a few µs of PCI time.
    expect(updateAfter(0x80)).toBeLessThan(10 * US);
  });
});
