/**
 * Receive-path edges of the BCM5701 model (design §1.11) that the data-path tests leave open: what the return BD
 * says about frames that are not IPv4 TCP/UDP, the status block's standard-ring consumer, the receive-list
 * placement counters, a driver too slow to post buffers (the FIFO in the mbuf pool, rxbds_empty, mbuf-pool-full,
 * rx_discards), the receive blocks stopped, a full return ring, the MAC's receive checks (receiver off, runts,
 * MAC control, the length limit), and the internal DMA engine's descriptor clipping. Each test builds its own chip, opened by the tg3 sequences of tg3.ts.
 */
import { Host, MAC, MS, US } from './fixture';
import { ethFrame, PARTNER_MAC, udpFrame } from './partner';
import { linkedTg3 } from './linked';

const linked = linkedTg3;

/** The low dword of a statistics counter at SRAM `off`, read through the BAR window as bge_stats_update does. */
const stat = (h: Host, off: number): number => h.sramR(off + 4, 'bge-win');

/** An IPv4 frame to us with protocol `proto` and `len` payload bytes, IP header checksum correct. */
function ipv4(proto: number, len: number): Uint8Array {
  const f = udpFrame(MAC, PARTNER_MAC, len);
  f[14 + 9] = proto;
  f[14 + 10] = f[14 + 11] = 0;
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += (f[i]! << 8) | f[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  f[14 + 10] = (~s >> 8) & 0xff;
  f[14 + 11] = ~s & 0xff;
  return f;
}

describe('return BD checksum report', () => {
  test('IP_CSUM only for IPv4 EtherType frames, TCPUDP_CSUM only for TCP/UDP, IS_TCP only for TCP', () => {
    const { t, partner } = linked();
    // ARP (EtherType 0x0806, hardware type 1): no IPv4 header at all.
    const arp = ethFrame(MAC, PARTNER_MAC, 0x0806, Uint8Array.of(0, 1, 8, 0, 6, 4, 0, 1, ...new Array<number>(38).fill(0)));
    // A frame of another EtherType whose payload happens to look like an IPv4 header (0x45 …): the chip
    // parses IPv4 only after EtherType 0x0800 (or 0x8100 + 0x0800), so it must not report an IP checksum.
    const lookalike = ipv4(17, 40);
    lookalike[12] = 0x88;
    lookalike[13] = 0xb5;
    partner.send(arp);
    partner.send(lookalike);
    partner.send(ipv4(1, 40)); // ICMP: IP header summed, no TCP/UDP sum
    partner.send(udpFrame(MAC, PARTNER_MAC, 40)); // UDP: TCPUDP_CSUM, but not IS_TCP
    t.run(MS);
    expect(t.received.length).toBe(4);
    const [a, l, icmp, udp] = t.received;
    // FreeBSD bge_rxcsum marks a frame CSUM_IP_CHECKED on RXBDFLAG_IP_CSUM and valid only if the sum is 0xffff:
    // an IP_CSUM flag on ARP would make the stack see a bad IP checksum. tg3/bge take TCPUDP_CSUM's sum as
    // the L4 checksum (CHECKSUM_UNNECESSARY / CSUM_DATA_VALID).
    expect(a!.flags & 0x7000).toBe(0);
    expect(a!.csum).toBe(0);
    expect(l!.flags & 0x7000).toBe(0);
    expect(l!.csum).toBe(0);
    expect(icmp!.flags & 0x7000).toBe(0x1000);
    expect(icmp!.csum).toBe(0xffff0000); // IP header sum good, no L4 sum
    expect(udp!.flags & 0x7000).toBe(0x3000);
  });
});

describe('placement bookkeeping', () => {
  test('status block rx_consumer counts the standard BDs used; COS_rx_packets counts placed frames', () => {
    const { h, t, partner } = linked({ verbose: true });
    for (let i = 0; i < 3; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 100, i));
    t.run(MS);
    expect(t.received.length).toBe(3);
    // tg3.h struct tg3_hw_status idx[0].rx_consumer (offset 0x0a): the next standard-ring BD the chip will use;
    // three frames took BDs 0, 1, 2.
    h.wr(0x3c00, h.r(0x3c00) | 0x8); // HOSTCC_MODE.NOW: a fresh status block
    h.delay(50 * US);
    expect(t.statusBlock().rxCons).toBe(3);
    // Receive-list placement statistics (tg3_hw_stats COS_rx_packets, SRAM 0x800; tg3 enabled RCVLPC stats).
    expect(stat(h, 0x800)).toBe(3);
    // --verbose-trace shows each placement: the next std BD, the return-ring slot and the length with FCS.
    const placed = h.traced('rx-place').map((r) => [r.f!['std'], r.f!['ret'], r.f!['len']]);
    expect(placed).toEqual([[1, 0, 146], [2, 1, 146], [3, 2, 146]]);
  });
});

describe('a driver too slow to post buffers', () => {
  test('frames wait in the mbuf pool (rxbds_empty once), then mbuf-pool-full drops; a reset empties the FIFO', () => {
    const { h, t, partner } = linked();
    // tg3 posted RX_PENDING = 200 standard buffers and programmed BUFMGR_MB_POOL_SIZE = 0x18000: 768 mbufs of
    // 128 bytes. Nobody services the interrupt: 300 maximum-size frames (1518 bytes with FCS, 12 mbufs each).
    for (let i = 0; i < 300; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 1472, i));
    h.delay(300 * 13 * US);
    // 200 frames found a BD; the next 64 fill the pool (64 × 12 = 768 mbufs) and wait; 36 are dropped.
    expect(t.statusBlock().retProd).toBe(200);
    expect(h.traced('rx-wait', 'no-std-bd').length).toBe(1); // once per waiting head frame
    expect(stat(h, 0x898)).toBe(1); // rxbds_empty
    expect(h.traced('rx-reject', 'mbuf-pool-full').length).toBe(36);
    expect(stat(h, 0x8a0)).toBe(36); // rx_discards: tg3_get_stats64 adds it to rx_missed_errors
    // ifconfig down: tg3_close halts and resets the chip; the 64 frames still in the pool are lost, and the trace
    // says so (docs/drops.md counts rx-reject by reason).
    t.close();
    expect(h.traced('rx-reject', 'reset').length).toBe(64);
  });
});

describe('receive blocks stopped', () => {
  test('RCVLPC disabled (tg3_abort_hw stops it first): frames wait in the chip until it is enabled again', () => {
    const { h, t, partner } = linked({ verbose: true });
    h.wr(0x2000, h.r(0x2000) & ~2); // RCVLPC_MODE.ENABLE off, as tg3_stop_block does
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    t.run(MS);
    // The MAC took the frame into the pool, but the receive list placement engine is stopped: no return BD.
    expect(h.traced('rx-accept').length).toBe(1);
    expect(t.received.length).toBe(0);
    expect(t.statusBlock().retProd).toBe(0);
    expect(h.traced('rx-wait', 'rcvlpc').length).toBeGreaterThan(0); // --verbose-trace says which block
    h.wr(0x2000, 2);
    t.run(MS);
    expect(t.received.length).toBe(1);
  });
});

describe('return ring full', () => {
  test('the chip leaves one of the 1024 return slots empty and waits for the consumer mailbox 0x284', () => {
    const { h, t, partner } = linked({ verbose: true });
    // A driver that keeps re-posting standard buffers (mailbox 0x26c) but never advances the return-ring consumer.
    for (let i = 0; i < 1100; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 18, i));
    for (let step = 0; step < 60; step++) {
      h.delay(50 * US);
      h.w(0x26c, (t.statusBlock().retProd + 400) % 512);
    }
    // Producer == consumer means "empty" to tg3_rx (`while (sw_idx != hw_idx)`): the chip stops at 1023.
    expect(t.statusBlock().retProd).toBe(1023);
    expect(h.traced('rx-wait', 'return-ring-full').length).toBeGreaterThan(0);
    expect(h.traced('rx-reject').length).toBe(0); // nothing lost: the rest waits in the pool
    h.w(0x284, 1023);
    h.delay(MS);
    expect(t.statusBlock().retProd).toBe(1100 - 1024);
  });
});

/** An 802.3x PAUSE frame (Annex 31B): reserved multicast DA, EtherType 0x8808, opcode 1, pause_time. */
function pause(quanta: number): Uint8Array {
  const p = new Uint8Array(46);
  p[1] = 0x01;
  p[2] = quanta >> 8;
  p[3] = quanta & 0xff;
  return ethFrame([0x01, 0x80, 0xc2, 0x00, 0x00, 0x01], PARTNER_MAC, 0x8808, p);
}

describe('MAC receive checks', () => {
  test('receiver off: MAC_RX_MODE.ENABLE and MAC_MODE.RDE each drop frames with their reason', () => {
    const { h, t, partner } = linked();
    h.wr(0x468, h.r(0x468) & ~0x2); // tg3_close clears RX_MODE_ENABLE first
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    t.run(MS);
    h.wr(0x468, h.r(0x468) | 0x2);
    h.wr(0x400, h.r(0x400) & ~0x400000); // MAC_MODE_RDE_ENABLE, which tg3_reset_hw sets
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    t.run(MS);
    expect(h.traced('rx-reject').map((r) => r.f!['reason'])).toEqual(['rx-disabled', 'rde-disabled']);
    expect(t.received.length).toBe(0);
    h.wr(0x400, h.r(0x400) | 0x400000);
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    // Another station's unicast address matches none of the four MAC_ADDR slots tg3 filled with ours.
    partner.send(udpFrame([0x00, 0x10, 0x18, 0x01, 0x57, 0x02], PARTNER_MAC, 100));
    t.run(MS);
    expect(t.received.length).toBe(1);
    expect(h.traced('rx-reject').at(-1)!.f!['reason']).toBe('address');
  });

  test('runts: a bad FCS makes a fragment, a good one an undersize packet (tg3_hw_stats)', () => {
    const { h, t, partner } = linked();
    const runt = ethFrame(MAC, PARTNER_MAC, 0x88b5, new Uint8Array(20)); // 34 bytes + FCS < 64
    partner.send(runt, 0, true);
    partner.send(runt);
    partner.send(runt);
    t.run(MS);
    expect(h.traced('rx-reject', 'runt').length).toBe(3);
    expect(stat(h, 0x410)).toBe(1); // rx_fragments
    expect(stat(h, 0x470)).toBe(2); // rx_undersize_packets
  });

  test('PAUSE frames: counted as MAC control, XOFF entered with RX flow control, not delivered', () => {
    const { h, t, partner } = linked();
    // The partner advertised symmetric PAUSE, so tg3_setup_flow_control set MAC_RX_MODE.FLOW_CTRL_ENABLE.
    expect(h.r(0x468) & 0x4).toBe(0x4);
    partner.send(pause(0x100));
    partner.send(pause(0));
    t.run(MS);
    expect(t.received.length).toBe(0);
    expect(h.traced('rx-reject', 'mac-control').length).toBe(2);
    expect(stat(h, 0x450)).toBe(2); // rx_mac_ctrl_rcvd
    expect(stat(h, 0x448)).toBe(1); // rx_xoff_pause_rcvd
    expect(stat(h, 0x440)).toBe(1); // rx_xon_pause_rcvd
    expect(stat(h, 0x458)).toBe(1); // rx_xoff_entered: only the non-zero pause_time holds the transmitter
  });

  test('maximum length: 1518 bytes untagged, 1522 tagged (IEEE 802.3 maxFrameSize), or MAC_RX_MTU_SIZE if larger', () => {
    const { h, t, partner } = linked();
    /** A frame to us of `wire` bytes with FCS, with or without an 802.1Q tag. */
    const frame = (wire: number, tagged: boolean): Uint8Array => {
      const f = ethFrame(MAC, PARTNER_MAC, tagged ? 0x8100 : 0x88b5, new Uint8Array(wire - 4 - 14));
      if (tagged) f.set([0x00, 0x05, 0x88, 0xb5], 14);
      return f;
    };
    // tg3 programs MAC_RX_MTU_SIZE = 1522 (mtu + ETH_HLEN + 8): a full-size tagged frame is exactly at the limit.
    partner.send(frame(1522, true));
    partner.send(frame(1523, true));
    t.run(MS);
    expect(t.received.length).toBe(1);
    expect(h.traced('rx-reject', 'giant').length).toBe(1);
    // A driver that leaves the register at 1518: tagged frames still get their four bytes, untagged ones do not.
    h.wr(0x43c, 1518);
    partner.send(frame(1522, true));
    partner.send(frame(1519, false));
    partner.send(frame(1518, false));
    t.run(MS);
    expect(t.received.length).toBe(3);
    expect(h.traced('rx-reject', 'giant').length).toBe(2);
    expect(stat(h, 0x460)).toBe(2); // rx_frame_too_long_errors
  });
});

describe('internal DMA engine (tg3_do_test_dma path)', () => {
  test('a descriptor reaching past the 128 KiB SRAM is clipped and traced; FTQ control registers read back', () => {
    const h = new Host();
    h.delay(2 * MS);
    const buf = h.alloc(0x2000);
    h.wr(0x4800, 2); // RDMAC enabled, as tg3_do_test_dma does before enqueueing
    // tg3_internal_buffer_desc at SRAM 0x2000: host address, NIC mbuf 0x1f000, cqid_sqid 0x0d02 | len 0x2000.
    [0, buf, 0x1f000, ((0x0d02 << 16) | 0x2000) >>> 0, 5].forEach((w, i) => h.sramW(0x2000 + 4 * i, w, 'bge-cfg'));
    h.w(0x5c28, 0x2000); // FTQ DMA_HIGH_READ
    h.delay(MS);
    // Only the 4 KiB up to the end of SRAM can move; the trace (not verbose) says what was cut.
    const clip = h.traced('ftq-clipped');
    expect(clip.map((r) => [r.f!['desc'], r.f!['mbuf'], r.f!['len'], r.f!['fit']])).toEqual([[0x2000, 0x1f000, 0x2000, 0x1000]]);
    expect(h.traced('ftq-dma').map((r) => r.f!['len'])).toEqual([0x1000]);
    expect(h.r(0x5cd8) & 0xffff).toBe(0x2000); // completion still reaches RCVBD_COMP
    // On a 5701 tg3 reads back every register write (tg3_write_flush_reg32): the FTQ control words are plain
    // read/write registers (FTQ_RESET clears them).
    expect(h.wr(0x5c20, 0x00010003)).toBe(0x00010003);
    h.wr(0x5c00, 0xffffffff);
    h.wr(0x5c00, 0);
    expect(h.r(0x5c20)).toBe(0);
  });
});
