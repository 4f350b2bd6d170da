/**
 * Edges of host coalescing, statistics, flow control and the block enables (host-coal.ts, core.ts,
 * register-map.ts): HOSTCC stopped or reset mid-stream, the status block's standard-ring consumer, the
 * coalescing tick right after a reset, XOFF/XON with MAC_RX_STATUS.REMOTE_TX_XOFFED, statistics clears per group,
 * MAC_TX_STATUS.LINK_UP, and a frame waiting for a receive block's enable.
 */
import { Host, MAC, MS, US } from './fixture';
import { cabled, linkedTg3 } from './linked';
import { PARTNER_MAC, udpFrame } from './partner';

const linked = linkedTg3;

/** A 64-bit statistics counter (low dword) through the SRAM window, as bge_stats_update reads it. */
const stat = (h: Host, off: number): number => h.r(0x8000 + off + 4);

describe('host coalescing', () => {
  test('HOSTCC stopped: the pending statistics DMA is cancelled, host memory is left alone', () => {
    const h = new Host();
    h.delay(2 * MS);
    const stats = h.alloc(0x800, 64);
    h.w(0x4c00, 2);
    h.w(0x3c34, stats);
    h.w(0x3c40, 0x300);
    h.w(0x3c28, 100); // STAT_COAL_TICKS: every 100 µs
    h.w(0x3c00, 0x102);
    h.delay(350 * US);
    expect(h.traced('stats-dma').length).toBe(3);
    h.w(0x3c00, 0); // tg3_abort_hw / bge_stop stop HOSTCC before freeing the statistics block
    h.setMem32(stats, 0xdeadbeef); // the memory is the host's again
    h.delay(MS);
    expect(h.traced('stats-dma').length).toBe(3);
    expect(h.mem32(stats)).toBe(0xdeadbeef);
  });

  test('HOSTCC_MODE.RESET clears the frame counts: RXMAX_FRAMES counts from the reset', () => {
    const { h, t, partner } = linked();
    h.wr(0x3c08, 0); // RXCOL_TICKS 0: only the frame count triggers an rx update
    h.wr(0x3c10, 3); // RXMAX_FRAMES
    const updates = (): number => h.traced('status-update', undefined).filter((r) => r.f!['reason'] === 'rx-max').length;
    for (let i = 0; i < 2; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 80, i));
    h.delay(200 * US);
    expect(updates()).toBe(0);
    h.w(0x3c00, 0x703); // RESET with ENABLE kept: the block restarts
    partner.send(udpFrame(MAC, PARTNER_MAC, 80, 2));
    h.delay(200 * US);
    expect(updates()).toBe(0); // one frame since the reset
    for (let i = 3; i < 5; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 80, i));
    h.delay(200 * US);
    expect(updates()).toBe(1);
    // The status block reports the standard-ring consumer (rx_consumer, u16 LE at 0x0a): five BDs used.
    expect(t.statusBlock().rxCons).toBe(5);
    expect(h.r(0x3c54)).toBe(5); // HOSTCC_STD_CON_IDX as last reported
  });

  test('after RST# the rx tick runs RXCOL_TICKS from the first frame, HOSTCC never stopped first', () => {
    const h = new Host();
    const partner = cabled(h);
    h.poll(() => h.r(0x460), 0x8, 0x8, 100 * US, 100, 'MAC_TX_STATUS.LINK_UP');
    // A minimal receive bring-up (bge_blockinit's order, without its HOSTCC stop): nothing updates the status
    // block before the first frame.
    const status = h.alloc(0x50, 64);
    const std = h.alloc(512 * 32);
    const ret = h.alloc(1024 * 32);
    for (let i = 0; i < 8; i++) {
      const bd = new Uint8Array(32);
      const dv = new DataView(bd.buffer);
      dv.setUint32(4, h.alloc(2048, 64), true);
      dv.setUint32(8, 1536, true);
      dv.setUint32(12, 0x4, true); // END
      dv.setUint32(28, i, true);
      h.memW(std + 32 * i, bd);
    }
    for (const [o, v] of [[0x4408, 0x8000], [0x440c, 0x18000], [0x4400, 2], [0x2450, 0], [0x2454, std], [0x2458, 1536 << 16], [0x245c, 0x6000], [0x2c18, 1]] as const) h.w(o, v);
    for (const [a, v] of [[0x200, 0], [0x204, ret], [0x208, 1024 << 16], [0x20c, 0]] as const) h.sramW(a, v);
    for (const [o, v] of [[0x3c38, 0], [0x3c3c, status], [0x3c08, 150], [0x3c10, 64], [0x3c00, 0x102]] as const) h.w(o, v);
    for (const o of [0x4c00, 0x6400, 0x2000, 0x2400, 0x2c00, 0x2800, 0x3000, 0x3400]) h.w(o, 2);
    h.w(0x400, 0x00400008); // MAC_MODE: RDE, GMII
    h.w(0x468, 2); // MAC_RX_MODE.ENABLE
    h.w(0x26c, 8);
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    h.delay(MS);
    const upd = h.traced('status-update');
    expect(upd.map((r) => r.f!['reason'])).toEqual(['rx-tick']);
    // Host coalescing counts the frame when its return BD is written; the tick is 150 × 1 µs from then.
    const placed = h.traced('rx-accept')[0]!.t;
    expect(upd[0]!.t - placed).toBeGreaterThanOrEqual(150 * US);
    expect(upd[0]!.t - placed).toBeLessThan(160 * US);
    expect(new DataView(h.memR(status, 0x20).buffer).getUint16(0x10, true)).toBe(1);
  });
});

describe('flow control', () => {
  test('a receive FIFO over MB_MACRX_LOW_WATER sends XOFF (REMOTE_TX_XOFFED, MBUF_LWM); draining it sends XON', () => {
    const { h, t, partner } = linked();
    expect(h.r(0x45c) & 0x10).toBe(0x10); // tg3_setup_flow_control: the partner advertises PAUSE
    // Full-size frames while the driver does not service: 200 posted BDs fill, then the FIFO.
    for (let i = 0; i < 300; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 1472, i));
    h.delay(5 * MS);
    const pauses = () => partner.got.filter((g) => g.frame.data[12] === 0x88 && g.frame.data[13] === 0x08);
    expect(h.traced('pause-sent').map((r) => r.f!['quanta'])).toEqual([0xffff]);
    const xoff = pauses()[0]!.frame.data;
    expect([...xoff.subarray(0, 6)]).toEqual([0x01, 0x80, 0xc2, 0x00, 0x00, 0x01]);
    expect((xoff[16]! << 8) | xoff[17]!).toBe(0xffff);
    expect(h.r(0x46c) & 0x1).toBe(0x1); // MAC_RX_STATUS.REMOTE_TX_XOFFED (bge_watchdog looks at it)
    expect(h.r(0x3c48) & 0x40).toBe(0x40); // HOSTCC_FLOW_ATTN.MBUF_LWM
    t.run(30 * MS);
    expect(h.traced('pause-sent').map((r) => r.f!['quanta'])).toEqual([0xffff, 0]);
    expect(pauses().length).toBe(2);
    expect(h.r(0x46c) & 0x1).toBe(0);
  });
});

describe('statistics and MAC status', () => {
  test('MAC_MODE.TXSTAT_CLEAR and RCVLPC_STATSCTRL.CLEAR clear their own counters only', () => {
    const { h, t, partner } = linked();
    partner.echo = true;
    for (let i = 0; i < 3; i++) t.xmit(udpFrame(PARTNER_MAC, MAC, 100, i));
    t.run(MS);
    expect(t.received.length).toBe(3);
    // tx_ucast_packets, rx_ucast_packets, COS_rx_packets (receive list placement)
    expect([stat(h, 0x6d8), stat(h, 0x418), stat(h, 0x800)]).toEqual([3, 3, 3]);
    h.wr(0x400, h.r(0x400) | 0x8000); // TXSTAT_CLEAR
    expect([stat(h, 0x6d8), stat(h, 0x418), stat(h, 0x800)]).toEqual([0, 3, 3]);
    h.wr(0x2014, 0x5); // RCVLPC_STATSCTRL: ENABLE | CLEAR
    expect([stat(h, 0x6d8), stat(h, 0x418), stat(h, 0x800)]).toEqual([0, 3, 0]);
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100, 3));
    t.run(MS);
    expect([stat(h, 0x6d8), stat(h, 0x418), stat(h, 0x800)]).toEqual([1, 4, 1]); // still counting
  });

  test('MAC_TX_STATUS.LINK_UP follows the PHY link', () => {
    const { h, t } = linked();
    expect(h.r(0x460) & 0x8).toBe(0x8);
    t.writePhy(0, 0x0800); // BMCR power down: the link drops
    h.delay(MS);
    expect(h.r(0x460) & 0x8).toBe(0);
  });

  test('a frame waiting for a stopped receive block is placed when the block is enabled again', () => {
    const { h, t, partner } = linked();
    h.wr(0x2c00, 0); // RCVBDI stopped (tg3_stop_block)
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    t.run(MS);
    expect(t.received.length).toBe(0);
    expect(h.nic.inspect().summary).toMatch(/rx fifo 1$/);
    h.w(0x2c00, 6); // enabled again; no other register is touched
    t.run(MS);
    expect(t.received.length).toBe(1);
  });
});
