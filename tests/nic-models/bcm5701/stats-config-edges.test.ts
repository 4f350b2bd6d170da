/**
 * Edges of the statistics block (stats.ts; tg3.h `struct tg3_hw_stats`, SRAM 0x300–0xaff as {high, low} dwords):
 * the half-duplex collision counters (tx_collisions, tx_single/mult_collisions, tx_collide_2times …
 * tx_collide_15times, tx_excessive_collisions) on a wire that collides a planned number of attempts, the scope of
 * each CLEAR (MAC_MODE RXSTAT/TXSTAT_CLEAR, RCVLPC_STATSCTRL and SNDDATAI_STATSCTRL bit 2, tg3.h
 * `RCVLPC_STATSCTRL_CLEAR`, `SNDDATAI_SCTRL_CLEAR`), the SRAM copy of a cleared counter, and counters past 2^32.
 */
import { componentContext, Priority, SimEvent, type Simulation } from '../../../emulator/machine/sim';
import { Mode } from '../../../emulator/machine/net/autoneg';
import { StaticEndpoint } from '../../../emulator/machine/net/endpoints';
import { frameWireTimeNs, type Medium, type NetPort, type NetPortListener } from '../../../emulator/machine/net/link';
import { LinkSegment } from '../../../emulator/machine/net/link-segment';
import { Sram } from '../../../nic-models/bcm5701/sram';
import { STAT, Stats } from '../../../nic-models/bcm5701/stats';
import { Host, MAC, MS } from './fixture';
import { attachPartner, cableWithPartner, PARTNER_MAC, udpFrame } from './partner';
import { Tg3 } from './tg3';

/**
 * A 10BASE-T repeater port whose wire collides the first `plan[k]` attempts of the k-th frame the chip sends
 * (at most 16: the MAC gives a frame up after its 16th collision), 10 µs into each attempt — well inside the
 * 51.2 µs slot, so no late collision — and carries the attempt after that. No carrier from anyone else, so no
 * deferral. The chip's PHY parallel-detects the port's link pulses: 10 Mb/s half duplex.
 */
class CollidingWire implements Medium {
  readonly name = 'wire0';
  constructor(private readonly sim: Simulation, private readonly plan: readonly number[]) {}

  attach(l: NetPortListener, name: string): NetPort {
    const q = this.sim.queue;
    const seg = new LinkSegment(componentContext(this.sim, '', `${this.name}.${name}`), { up: () => l.linkChanged?.(true), down: () => l.linkChanged?.(false) });
    seg.attach(0, new StaticEndpoint({ modes: Mode.T10H, autoneg: false }, { timeScale: 0.001 }));
    seg.attach(1, l.autoneg!);
    const collide = new SimEvent(`${this.name}.collide`, () => l.collision(), Priority.Wire);
    const done = new SimEvent(`${this.name}.done`, () => l.transmitDone(), Priority.Wire);
    let frame = 0;
    let tries = 0;
    return {
      bitRate: 10_000_000,
      fullDuplex: false,
      carrier: () => false,
      linkUp: () => seg.up,
      transmit: (f) => {
        tries++;
        if (tries <= Math.min(16, this.plan[frame] ?? 0)) {
          q.scheduleIn(collide, 10_000);
          if (tries === 16) [frame, tries] = [frame + 1, 0];
          return;
        }
        [frame, tries] = [frame + 1, 0];
        q.scheduleIn(done, frameWireTimeNs(f.data.length, 10_000_000));
      },
    };
  }

  tap(): void {}
}

/** tg3 probe and open; the link up and tg3's MAC set for it. */
function opened(h: Host): Tg3 {
  h.delay(2 * MS);
  const t = new Tg3(h);
  t.probe();
  t.open();
  t.run(10 * MS);
  if (!t.linkUp) throw new Error('no link');
  return t;
}

/** A counter's low dword as bge_stats_update reads it, through the SRAM window. */
const stat = (h: Host, off: number): number => h.sramR(off + 4, 'bge-win');

describe('collision statistics (half duplex)', () => {
  test('frames that collided 0, 1, 2, 15 and 16 times: every collision counter as 802.3/RFC 2665 define them', () => {
    const plan = [0, 1, 2, 15, 16];
    const h = new Host({ medium: (sim) => new CollidingWire(sim, plan) });
    const t = opened(h);
    expect(h.r(0x400) & 0x2).toBe(0x2); // tg3_setup_copper_phy: MAC_MODE_HALF_DUPLEX at 10 half
    for (let i = 0; i < plan.length; i++) t.xmit(udpFrame(PARTNER_MAC, MAC, 100, i));
    h.delay(2000 * MS); // 16 attempts with truncated binary exponential backoff take well under 1 s each
    expect(h.traced('tx-done').length).toBe(4);
    expect(stat(h, STAT.tx_collisions)).toBe(0 + 1 + 2 + 15 + 16); // etherStatsCollisions: every collision
    expect(stat(h, STAT.tx_single_collisions)).toBe(1); // sent after exactly one
    expect(stat(h, STAT.tx_mult_collisions)).toBe(2); // sent after more than one (2 and 15)
    // tx_collide_2times … tx_collide_15times: the histogram of sent frames by collisions, 8 bytes apart
    const histogram = Array.from({ length: 14 }, (_, k) => stat(h, STAT.tx_collide_2times + 8 * k));
    expect(histogram).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(stat(h, STAT.tx_excessive_collisions)).toBe(1); // given up after 16
    expect(stat(h, STAT.tx_errors)).toBe(1);
    expect(stat(h, STAT.tx_ucast_packets)).toBe(4); // the aborted frame was not sent
  });
});

describe('CLEAR clears its own group only', () => {
  function traffic(): { h: Host; t: Tg3 } {
    const h = new Host();
    const { cable, partner } = cableWithPartner(h.sim);
    h.nic.connect(cable);
    attachPartner(cable, partner);
    const t = opened(h);
    partner.echo = true;
    for (let i = 0; i < 5; i++) t.xmit(udpFrame(PARTNER_MAC, MAC, 100, i));
    t.run(MS);
    return { h, t };
  }
  /** One counter of each group: MAC RX, MAC TX, receive list placement, send data initiator. */
  const groups = (h: Host) => ({
    rx: stat(h, STAT.rx_ucast_packets),
    tx: stat(h, STAT.tx_ucast_packets),
    rlp: stat(h, STAT.COS_rx_packets),
    sdi: stat(h, STAT.COS_out_packets),
  });

  test('MAC_MODE TXSTAT_CLEAR: the MAC TX counters, in SRAM too; RXSTAT_CLEAR: the MAC RX counters', () => {
    const { h } = traffic();
    expect(groups(h)).toEqual({ rx: 5, tx: 5, rlp: 5, sdi: 5 }); // the SRAM copy now holds 5 for each
    h.wr(0x400, h.r(0x400) | 0x8000);
    expect(groups(h)).toEqual({ rx: 5, tx: 0, rlp: 5, sdi: 5 }); // a cleared counter reads 0, not its old copy
    h.wr(0x400, h.r(0x400) | 0x1000);
    expect(groups(h)).toEqual({ rx: 0, tx: 0, rlp: 5, sdi: 5 });
  });

  test('RCVLPC_STATSCTRL CLEAR: the receive-list-placement counters; SNDDATAI_STATSCTRL CLEAR: the send-data ones', () => {
    const { h } = traffic();
    expect(groups(h)).toEqual({ rx: 5, tx: 5, rlp: 5, sdi: 5 });
    h.wr(0x2014, 0x1 | 0x4); // ENABLE | CLEAR
    expect(groups(h)).toEqual({ rx: 5, tx: 5, rlp: 0, sdi: 5 });
    h.wr(0x0c08, 0x3 | 0x4); // ENABLE | FASTUPD | CLEAR
    expect(groups(h)).toEqual({ rx: 5, tx: 5, rlp: 0, sdi: 0 });
    expect(h.r(0x2014)).toBe(0x1); // CLEAR acts once and reads back 0
  });
});

describe('64-bit counters', () => {
  test('past 2^32 a counter needs its high dword (tg3 get_stat64); cleared, both dwords read 0', () => {
    const sram = new Sram();
    const st = new Stats(sram);
    st.enabled = { ...st.enabled, macTx: true };
    st.add('tx_octets', 'macTx', 2 ** 32 + 7); // 4 GiB sent: a day of a busy gigabit link
    st.materialise(0x300);
    expect([sram.read32(STAT.tx_octets), sram.read32(STAT.tx_octets + 4)]).toEqual([1, 7]);
    st.clear('macTx');
    st.add('tx_octets', 'macTx', 2 ** 32); // high 1, low 0 ...
    st.materialise(0x300);
    expect([sram.read32(STAT.tx_octets), sram.read32(STAT.tx_octets + 4)]).toEqual([1, 0]);
    st.clear('macTx'); // ... then cleared: the low dword is already 0, the high one must still be rewritten
    st.materialise(0x300);
    expect([sram.read32(STAT.tx_octets), sram.read32(STAT.tx_octets + 4)]).toEqual([0, 0]);
  });
});
