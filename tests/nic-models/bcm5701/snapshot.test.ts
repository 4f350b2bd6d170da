/**
 * BCM5701 snapshots (STYLE.md §9, design §6.1 item 14) with the generic harness: a chip opened by tg3 on a board,
 * cabled to a partner that sends frames at seeded random gaps, and an event-driven tagged-status driver that
 * services interrupts and sends frames of its own. Save → load into a twin → save is identical, and "run 2N"
 * equals "run N, save, restore, run N" at points with frames in the FIFOs, on the wire and in DMA. Plus states
 * during the boot code, an EEPROM read and an MDIO frame.
 */
import { SimEvent, Priority } from '../../../emulator/machine/sim';
import { b64ToBytes, bytesToB64, type SnapshotPart } from '../../../emulator/machine/sim/snapshot';
import type { Frame } from '../../../emulator/machine/net/link';
import { snapshotChecks, Traffic, type World } from '../../sim/snapshot-harness';
import { BAR, Host, MAC, MS, US } from './fixture';
import { attachPartner, cableWithPartner, PARTNER_MAC, udpFrame, type Partner } from './partner';
import { Tg3 } from './tg3';

/** The partner's transmit queue and what it has received, as a snapshot part. */
function partnerPart(p: Partner): SnapshotPart {
  const inner = p as unknown as { queue: Frame[]; sending: boolean };
  return {
    saveState: () => ({ v: 1, got: p.got.length, sending: inner.sending, queue: inner.queue.map((f) => ({ d: bytesToB64(f.data), id: f.pktId })) }) as { v: number },
    loadState: (s) => {
      const x = s as unknown as { got: number; sending: boolean; queue: { d: string; id: number }[] };
      inner.sending = x.sending;
      inner.queue = x.queue.map((f) => ({ data: b64ToBytes(f.d), pktId: f.id }));
      p.got.length = 0;
      for (let i = 0; i < x.got; i++) p.got.push({ t: 0, frame: { data: new Uint8Array(0), pktId: 0 } });
    },
  };
}

/** tg3's interrupt service and transmit, as events with untimed register accesses (inside an event no time may pass). */
class EventDriver implements SnapshotPart {
  private readonly ev: SimEvent;
  private s = { polls: 0, sent: 0, got: 0, lastTag: 0, txProd: 0, rxPtr: 0, stdProd: 0 };

  constructor(private readonly h: Host, private readonly t: Tg3, private readonly polls: number) {
    this.ev = new SimEvent('driver.poll', () => this.tick(), Priority.Cpu);
    this.s = { ...this.s, txProd: t.txProd, rxPtr: t.rxPtr, stdProd: t.stdProd, lastTag: t.lastTag };
  }

  private w(off: number, v: number): void {
    this.h.board.mmio.write(BAR + off, 4, v >>> 0);
  }

  start(): void {
    this.h.sim.queue.schedule(this.ev, this.h.now + 20 * US);
  }

  private tick(): void {
    const h = this.h;
    const t = this.t;
    const s = this.s;
    if (h.irq) {
      this.w(0x204, 1);
      const sb = new DataView(h.memR(t.status, 0x20).buffer);
      const retProd = sb.getUint16(0x10, true);
      while (s.rxPtr !== retProd) {
        const idx = h.mem32(t.retRing + 32 * s.rxPtr + 28) & 0xffff;
        const bd = new Uint8Array(32);
        const dv = new DataView(bd.buffer);
        dv.setUint32(4, t.rxBufs[idx]!, true);
        dv.setUint32(8, 1536, true);
        dv.setUint32(12, 4, true);
        dv.setUint32(28, 0x10000 | idx, true);
        h.memW(t.stdRing + 32 * s.stdProd, bd);
        s.stdProd = (s.stdProd + 1) % 512;
        s.rxPtr = (s.rxPtr + 1) % 1024;
        s.got++;
      }
      this.w(0x284, s.rxPtr);
      this.w(0x26c, s.stdProd);
      s.lastTag = sb.getUint32(4, true) & 0xff;
      this.w(0x204, s.lastTag << 24);
    }
    if (s.polls % 3 === 0 && s.sent < 60) {
      const f = udpFrame(PARTNER_MAC, MAC, 60 + 23 * (s.sent % 60), s.sent);
      const buf = t.txBuf + 2048 * s.txProd;
      h.memW(buf, f);
      const bd = new Uint8Array(16);
      const dv = new DataView(bd.buffer);
      dv.setUint32(4, buf, true);
      dv.setUint32(8, ((f.length << 16) | 0x4) >>> 0, true);
      h.memW(t.txRing + 16 * s.txProd, bd);
      s.txProd = (s.txProd + 1) % 512;
      this.w(0x304, s.txProd);
      s.sent++;
    }
    s.polls++;
    if (s.polls < this.polls) this.h.sim.queue.schedule(this.ev, this.h.now + 20 * US);
  }

  saveState(): { v: number } {
    return { v: 1, ...this.s, at: this.ev.when } as { v: number };
  }

  loadState(saved: { v: number }): void {
    const x = saved as unknown as typeof this.s & { at: number };
    this.s = { polls: x.polls, sent: x.sent, got: x.got, lastTag: x.lastTag, txProd: x.txProd, rxPtr: x.rxPtr, stdProd: x.stdProd };
    this.h.sim.queue.deschedule(this.ev);
    if (x.at >= 0) this.h.sim.queue.schedule(this.ev, x.at);
  }
}

function build(seed: number): World {
  const h = new Host({ seed });
  const { cable, partner } = cableWithPartner(h.sim);
  h.nic.connect(cable);
  attachPartner(cable, partner);
  h.delay(2 * MS);
  const t = new Tg3(h);
  t.probe();
  t.open();
  t.run(10 * MS);
  h.wr(0x3c28, 0); // no 1 s statistics timer: the workload must end by itself
  t.run(100 * US);
  const recs: World['recs'] = [];
  const frames: string[] = [];
  h.sim.tracer.addSink((r) => recs.push(r));
  cable.tap((f, from) => frames.push(`${h.now} ${from} ${f.pktId} ${Buffer.from(f.data).toString('hex')}`));
  const traffic = new Traffic(h.sim, 'traffic', 1, 80, 30 * US, (_i, k) => partner.send(udpFrame(MAC, PARTNER_MAC, 100 + 17 * (k % 80), k)));
  const driver = new EventDriver(h, t, 400);
  return {
    sim: h.sim,
    recs,
    frames,
    parts: [['nic', h.nic], ['board', h.board], ['cable', cable], ['partner', partnerPart(partner)], ['traffic', traffic], ['driver', driver]],
    start: () => {
      traffic.start();
      driver.start();
    },
    busy: () => h.core.send.fifoDepth > 0 || h.core.recv.fifoDepth > 0 || h.sim.queue.list().some((e) => /rxPlace|txFetch|hcDone/.test(e.name)),
    mustSee: ['nic/rx-accept', 'nic/tx-start', 'nic/status-update', 'nic/irq'],
  };
}

describe('BCM5701 snapshots', () => {
  snapshotChecks(build, { seed: 11, at: [1 / 4, 1 / 2, 3 / 4], minEvents: 1000 });

  test('states with the boot code, an EEPROM read and an MDIO frame pending round-trip', () => {
    const h = new Host();
    h.w(0x6838, 0x82600000 | 0x7c);
    h.w(0x44c, 0x28000000 | (1 << 21) | (2 << 16));
    const s1 = JSON.parse(JSON.stringify(h.nic.saveState()));
    const twin = new Host();
    twin.nic.loadState(s1);
    expect(JSON.parse(JSON.stringify(twin.nic.saveState()))).toEqual(s1);
    twin.delay(2 * MS);
    h.delay(2 * MS);
    expect(twin.r(0x683c)).toBe(h.r(0x683c));
    expect(twin.r(0x44c)).toBe(h.r(0x44c));
    expect(twin.sramR(0xb50)).toBe(0xb49a89ab);
  });
});
