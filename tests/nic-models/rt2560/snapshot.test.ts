/**
 * RT2560 snapshots with the generic harness (STYLE.md §9): two chips opened as rt2500pci opens them, on one medium,
 * sending each other acknowledged frames at seeded random gaps (contention, backoff, ACKs, collisions and retries
 * happen). Save → load into a twin → save is identical, and "run 2N" equals "run N, save, restore, run N" at points
 * with a frame in DMA, in contention, on the air or waiting for its ACK. Plus a state with BBP/RF/power/EEPROM
 * transactions pending.
 */
import type { SnapshotPart } from '../../../emulator/machine/sim/snapshot';
import { snapshotChecks, Traffic, type World } from '../../sim/snapshot-harness';
import { Bed, frame, MAC_A, MAC_B, US } from './fixture';
import { CSR } from '../../../nic-models/rt2560/regs';

function build(seed: number): World {
  const bed = new Bed({ seed, ramBytes: 2 * 1024 * 1024, chips: [{ mac: MAC_A, pos: { x: 0, y: 0, z: 0 } }, { mac: MAC_B, pos: { x: 15, y: 0, z: 0 } }], air: {} });
  const [a, b] = [bed.chips[0]!, bed.chips[1]!];
  a.open({ style: 'linux' });
  b.open({ style: 'linux' });
  const recs: World['recs'] = [];
  const frames: string[] = [];
  bed.sim.tracer.addSink((r) => recs.push(r));
  bed.air!.tap((tx) => frames.push(`${bed.now} ${tx.from} ${tx.ppdu ? Buffer.from(tx.ppdu.mpdu).toString('hex') : 'noise'}`));
  const macs = [MAC_A, MAC_B];
  const traffic = new Traffic(bed.sim, 'traffic', 2, 40, 400 * US, (i, k) => {
    const from = bed.chips[i]!;
    // Queue without the driver's bus time (inside an event no time may pass): descriptor and kick.
    const body = Array.from({ length: 20 + (k % 7) * 30 }, (_, j) => (j + k) & 0xff);
    from.send('prio', frame(0x08, macs[1 - i]!, macs[i]!, macs[i]!, body), { ack: true, rate: k % 3 === 0 ? 11 : 54, kick: false });
    bed.board.mmio.write(from.bar + CSR.TXCSR0, 4, 4);
  });
  const testSide: SnapshotPart = {
    saveState: () => ({ v: 1, heap: bed.heap, cur: bed.chips.map((c) => ({ ...c.cur })) }) as { v: number },
    loadState: (s) => {
      const x = s as unknown as { heap: number; cur: { tx: number; prio: number; rx: number }[] };
      bed.heap = x.heap;
      x.cur.forEach((cur, i) => Object.assign(bed.chips[i]!.cur, cur));
    },
  };
  return {
    sim: bed.sim,
    recs,
    frames,
    parts: [['ral0', a.nic], ['ral1', b.nic], ['board', bed.board], ['air', bed.air!], ['traffic', traffic], ['test', testSide]],
    start: () => traffic.start(),
    busy: () => a.core.tx.job !== null || b.core.tx.job !== null,
    mustSee: ['nic/rx-accept', 'nic/ack-received', 'nic/tx-done', 'nic/auto-response'],
  };
}

describe('RT2560 snapshots', () => {
  snapshotChecks(build, { seed: 5, at: [1 / 4, 1 / 2, 3 / 4], minEvents: 300 });

  test('BBP, RF and power transitions pending round-trip', () => {
    const bed = new Bed();
    const c = bed.chips[0]!;
    c.w(CSR.PWRCSR1, 0x1f);
    c.w(CSR.BBPCSR, 0x18000 | (17 << 8) | 0x40);
    c.w(CSR.RFCSR, (0x80000000 | (20 << 24) | 0x1234) >>> 0);
    c.w(CSR.CSR21, 0x4);
    const s1 = JSON.parse(JSON.stringify(c.nic.saveState()));
    const twin = new Bed();
    twin.chips[0]!.nic.loadState(s1);
    expect(JSON.parse(JSON.stringify(twin.chips[0]!.nic.saveState()))).toEqual(s1);
  });
});
