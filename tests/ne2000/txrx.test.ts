import { cablePair } from './cable-pair';
import { frameWireTimeNs } from '../../emulator/machine/net/link';
import { CMD, ISR_, MAC_A, MAC_B, TSR_TPSR, makeFrame } from './helpers';
import { LinuxDriver } from './linux-driver';

function pair(seed = 11) {
  const { sim, a, b, da, db, trace } = cablePair(seed, { propagationNs: 50 });
  return { sim, a, b, da, db, trace };
}

describe('transmit (lib8390 ei_start_xmit) and receive (ei_receive) over a cable', () => {
  for (const len of [60, 1514]) {
    test(`${len}-byte frame: TXP stays set until done, exact wire timing, PTX and TSR`, () => {
      const { sim, a, b, da, db, trace } = pair();
      const data = makeFrame(MAC_B, MAC_A, len, 1);
      const pkt = sim.tracer.newPacketId();
      sim.tracer.provenance.tag(data, pkt);
      expect(da.upload(0x40, data)).toBe(true);
      const t0 = sim.queue.now;
      const crBefore = da.trigger(0x40, len);
      expect(crBefore & 0x04).toBe(0);
      expect(a.bus.inb(CMD) & 0x04).toBe(0x04);
      const fetch = 4 * 200; // FIFO threshold 8 bytes, word mode: 4 local-DMA cycles
      const wire = frameWireTimeNs(len, 10_000_000);
      expect(wire).toBe((8 + len + 4) * 800);
      sim.queue.runUntil(t0 + fetch + wire - 1);
      expect(a.bus.inb(CMD) & 0x04).toBe(0x04);
      a.bus.outb(CMD, 0x22); // writing TXP = 0 does not clear it
      expect(a.bus.inb(CMD) & 0x04).toBe(0x04);
      expect(a.bus.inb(ISR_) & 0x02).toBe(0);
      sim.queue.runUntil(t0 + fetch + wire);
      expect(a.bus.inb(CMD) & 0x04).toBe(0);
      expect(a.bus.inb(ISR_) & 0x02).toBe(0x02);
      expect(a.bus.inb(TSR_TPSR)).toBe(0x03); // PTX | ND
      expect(a.bus.inb(0x05)).toBe(0); // NCR
      expect(a.irq.edges[0]).toEqual({ t: t0 + fetch + wire, level: true });
      // receiver: last bit arrives after propagation, PRX after the FIFO drain (20 bytes, word mode: 2 µs)
      const rxAt = t0 + fetch + wire + 50 + 2000;
      sim.queue.runUntil(rxAt - 1);
      expect(b.irq.level).toBe(false);
      sim.queue.runUntil(rxAt);
      expect(b.irq.edges[0]).toEqual({ t: rxAt, level: true });
      const { frames, headers, errors } = db.receive();
      expect(errors).toEqual([]);
      expect(frames).toHaveLength(1);
      expect(Buffer.from(frames[0]!).equals(Buffer.from(data))).toBe(true);
      expect(headers[0]!.count).toBe(len + 4);
      expect(headers[0]!.next).toBe(0x4c + Math.ceil((len + 8) / 256));
      expect(headers[0]!.status).toBe(0x01);
      const probes = trace.filter((r) => r.layer === 'nic' && r.pkt === pkt).map((r) => r.probe);
      expect(probes).toEqual(['tx-start', 'tx-done', 'rx-accept', 'rx-ring']);
      const txs = trace.find((r) => r.probe === 'tx-start')!;
      expect(txs.f).toMatchObject({ page: 0x40, len });
      expect(trace.find((r) => r.probe === 'tx-done')!.f).toMatchObject({ tsr: 3, ncr: 0 });
      expect(trace.find((r) => r.probe === 'rx-ring')!.f).toMatchObject({ page: 0x4c, count: len + 4 });
    });
  }

  test('ring wrap: frames keep arriving across PSTOP and are read back in one remote read each', () => {
    const { sim, da, db, b } = pair(12);
    const got: Uint8Array[] = [];
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      const len = 600 + i * 37;
      const data = makeFrame(MAC_B, MAC_A, len, i);
      sent.push(data);
      da.upload(0x40, data);
      da.trigger(0x40, len);
      sim.queue.runUntilIdle(1000);
      da.ack(0xff);
      if (i % 3 === 2) {
        const r = db.receive();
        expect(r.errors).toEqual([]);
        got.push(...r.frames);
      }
    }
    const r = db.receive();
    got.push(...r.frames);
    expect(got.length).toBe(20);
    for (let i = 0; i < 20; i++) expect(Buffer.from(got[i]!).equals(Buffer.from(sent[i]!))).toBe(true);
    expect(b.core.receiver.inOverflow).toBe(false);
  });

  test('NetBSD-style ring init (BNRY = PSTART, CURR = PSTART+1) receives and wraps', () => {
    const { sim, a, b, da } = pair(13);
    const bb = b.bus;
    bb.outb(CMD, 0x21);
    bb.outb(0x0d, 0x02); // TCR LB0 during setup
    bb.outb(0x01, 0x4c);
    bb.outb(0x03, 0x4c);
    bb.outb(CMD, 0x61);
    bb.outb(0x07, 0x4d);
    bb.outb(CMD, 0x22);
    bb.outb(0x0f, 0x1f);
    bb.outb(0x0d, 0x00);
    const nb = new LinuxDriver(bb, 'word');
    let next = 0x4d;
    const got: Uint8Array[] = [];
    for (let i = 0; i < 12; i++) {
      const data = makeFrame(MAC_B, MAC_A, 1000 + i, i);
      da.upload(0x40, data);
      da.trigger(0x40, data.length);
      sim.queue.runUntilIdle(1000);
      // NetBSD dp8390_rint: read from its own next pointer until CURR
      while (next !== nb.curr()) {
        const h = nb.readHeader(next);
        const expectNext = next + Math.ceil((h.count + 4) / 256);
        expect(h.next).toBe(expectNext >= 0x80 ? expectNext - 0x34 : expectNext);
        got.push(nb.blockInput((next << 8) + 4, h.count - 4));
        next = h.next;
        bb.outb(0x03, next - 1 < 0x4c ? 0x7f : next - 1);
      }
      expect(Buffer.from(got[i]!).equals(Buffer.from(data))).toBe(true);
      da.ack(0xff);
    }
    expect(got).toHaveLength(12);
    expect(a.core.regs.tsr & 1).toBe(1);
  });
});
