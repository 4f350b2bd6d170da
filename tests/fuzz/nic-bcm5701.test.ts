/**
 * The nic/bcm5701 fuzz target (fuzz/nic/bcm5701.ts, docs/fuzzing.md): its bring-up reaches the running state a
 * driver reaches (link up, frames out and in, status block updates, interrupts), a short pass has no failure,
 * every corpus vector (QEMU NIC CVEs) runs clean, the committed reproducers of the bugs it found replay clean,
 * its own invariants bite when the chip's state lies, and the DMA invariant (harness-dma.ts, bcm5701-dma.ts) bites
 * when the chip reads past its send ring.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../emulator/machine/sim/rng';
import { bcm5701Model, bcm5701Target } from '../../fuzz/nic/bcm5701';
import { BCM5701_CORPUS } from '../../fuzz/nic/bcm5701-corpus';
import { bcm5701Check } from '../../fuzz/nic/bcm5701-check';
import { LAYOUT, peekCore, run, sendFrameOps, serviceOps } from '../../fuzz/nic/bcm5701-driver';
import { toUs } from '../../fuzz/nic/bcm5701-hostile';
import { FuzzRig, RIG_MAC } from '../../fuzz/nic/harness-rig';
import type { NicOp } from '../../fuzz/nic/harness';
import { nicTarget } from '../../fuzz/nic/harness';
import { DmaWatch } from '../../fuzz/nic/harness-dma';
import { bcm5701Dma } from '../../fuzz/nic/bcm5701-dma';
import { bcm5701Kind } from '../../nic-models/bcm5701';
import type { Bcm5701Pci } from '../../nic-models/bcm5701/bcm5701-pci';
import type { Bcm5701Core } from '../../nic-models/bcm5701/core';
import { TX_FETCH_MAX_BDS } from '../../nic-models/bcm5701/timing';
import type { NicKind, PciNicKind } from '../../nic-models/kind';

const SEED = 14;

function broughtUp(seed: number): { rig: FuzzRig; rng: Rng } {
  const rig = new FuzzRig(bcm5701Model.kind, seed, bcm5701Model.fields);
  const rng = new Rng(seed, 'bring-up');
  apply(rig, bcm5701Model.bringUp(rng, rig));
  return { rig, rng };
}

function apply(rig: FuzzRig, ops: NicOp[]): void {
  for (const op of ops) {
    rig.apply(op);
    const bad = bcm5701Check(rig);
    if (bad) throw new Error(`${JSON.stringify(op)}: ${bad}`);
  }
}

test('the bring-up reaches the running state; frames go out and come in; the interrupt is serviced', () => {
  for (const seed of [1, 2, 3]) {
    const { rig, rng } = broughtUp(seed);
    expect(rig.device.inspect().summary).toMatch(/^running, link 1000 Mb\/s full/);
    const c = peekCore(rig)!;
    const tag0 = c.hc.tag;
    expect(tag0).toBeGreaterThan(0); // HOSTCC NOW at the end of bge_init updated the status block
    for (let k = 0; k < 4; k++) apply(rig, [...sendFrameOps(rng, rig, RIG_MAC), toUs(rng, 100), run(500_000), ...serviceOps(rig)]);
    expect(rig.txCount).toBe(4);
    expect(c.send.compl).toBe(4);
    expect(c.recv.retProd).toBe(4);
    expect(c.recv.retCons).toBeGreaterThanOrEqual(3);
    // The frame is in the buffer of the first posted BD (at +2, as bge aligns it), with its FCS behind it.
    expect(Array.from(rig.ram.subarray(LAYOUT.rxBufs + 2, LAYOUT.rxBufs + 8))).toEqual(Array.from(RIG_MAC));
    expect(c.hc.tag).toBeGreaterThan(tag0);
  }
});

test('a short pass (four episodes of 2000 ops after the corpus, each from a fresh bring-up) has no failure', () => {
  let inputs = 0;
  for (let e = BCM5701_CORPUS.length; e < BCM5701_CORPUS.length + 4; e++) {
    const r = bcm5701Target.episode(SEED, e, 2000);
    expect(r.failure).toBeNull();
    inputs += r.inputs;
  }
  expect(inputs).toBe(4 * 2000);
});

test.each(BCM5701_CORPUS.map((v, i) => [i, v.name] as const))('corpus %i (%s) runs clean', (i) => {
  const v = BCM5701_CORPUS[i]!;
  const r = bcm5701Target.episode(SEED, i, v.ops.length + 300);
  expect(r.failure).toBeNull();
  expect(r.inputs).toBe(v.ops.length + 300);
});

test('the CVE-2015-7504 vector: a frame that fills its buffer exactly is cut at the buffer, nothing written past it', () => {
  const v = BCM5701_CORPUS.find((x) => x.name.startsWith('CVE-2015-7504'))!;
  const rig = new FuzzRig(bcm5701Model.kind, 5, bcm5701Model.fields);
  apply(rig, v.ops);
  // BD 0 posted 1514 bytes at rxBufs: the 1514-byte frame fills it; its 4 FCS bytes are not written behind it.
  const after = rig.ram.subarray(LAYOUT.rxBufs + 1514, LAYOUT.rxBufs + 1518);
  expect(Array.from(after)).toEqual([0, 0, 0, 0]);
  // The return BD says so: length 1514 with ERROR and NO_RESOURCES.
  const rb = new DataView(rig.ram.buffer, LAYOUT.retRing, 32);
  expect(rb.getUint32(8, true) & 0xffff).toBe(1514);
  expect(rb.getUint32(12, true) & 0x400).toBe(0x400);
  expect(rb.getUint32(20, true) & 0x800000).toBe(0x800000);
});

test('the reproducers of the bugs this target found replay clean', () => {
  const dir = join(__dirname, '../../fuzz/reproducers');
  const files = readdirSync(dir).filter((f) => f.startsWith('nic-bcm5701-'));
  expect(files.length).toBeGreaterThanOrEqual(2);
  for (const f of files) {
    const rep = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { target: string; input: unknown };
    expect(rep.target).toBe('nic/bcm5701');
    expect(bcm5701Target.replay(rep.input)).toBeNull();
  }
});

test('the invariants bite: a lying interrupt line, an index outside its ring, a consumer past the producer', () => {
  const { rig } = broughtUp(4);
  const c = peekCore(rig)!;
  expect(bcm5701Check(rig)).toBeNull();
  // The latch changed without driving INTA# (a model that forgot updateIrq).
  c.irq.latch = !c.irq.latch;
  expect(bcm5701Check(rig)).toMatch(/^INTA# (asserted|low) but latch (true|false) and MASK_PCI_INT false$/);
  c.irq.updateIrq();
  expect(bcm5701Check(rig)).toBeNull();
  // The wire disagreeing with the chip (an interrupt line that lies).
  const line = rig as unknown as { irq: { set(level: boolean): void } };
  line.irq.set(!c.irq.asserted);
  expect(bcm5701Check(rig)).toMatch(/^the INTA# wire is/);
  line.irq.set(c.irq.asserted);
  expect(bcm5701Check(rig)).toBeNull();
  // An index the ring cannot hold.
  c.send.cons = 600;
  expect(bcm5701Check(rig)).toBe('send fetch index 600 outside [0, 512)');
  c.send.cons = c.send.prod;
  expect(bcm5701Check(rig)).toBeNull();
  // The chip fetching past the producer.
  c.send.cons = (c.send.prod + 5) % 512;
  expect(bcm5701Check(rig)).toMatch(/^send ring: the chip fetched 5 BDs from \d+ but the producer is \d+$/);
});

/**
 * The send-BD fetch no longer stopping at the ring's end (send.ts clamps a fetch at SEND_RING_SIZE − cons): planted
 * by wrapping the chip's bus-master path, so that the fetch the model clamps goes out as the unclamped burst —
 * min(producer distance, TX_FETCH_MAX_BDS) BDs from the fetch index, past the last entry into the memory after the
 * ring. Nothing in the ring indices or the interrupt line changes; only the DMA invariant can see it.
 */
function fetchPastRingEnd(core: Bcm5701Core): void {
  const dma = core.dma.bind(core);
  core.dma = (dir, addr, buf) => {
    const s = core.send;
    const base = core.sram.read32(0x100) * 0x1_0000_0000 + core.sram.read32(0x104);
    const unclamped = Math.min((s.prod - s.cons + 512) % 512, TX_FETCH_MAX_BDS);
    if (dir === 'read' && addr === base + 16 * s.cons && buf.length === 16 * (512 - s.cons) && unclamped > 512 - s.cons) {
      const burst = new Uint8Array(16 * unclamped);
      const r = dma('read', addr, burst);
      buf.set(burst.subarray(0, buf.length));
      return r;
    }
    return dma(dir, addr, buf);
  };
}

const plantedKind: NicKind = {
  ...bcm5701Kind,
  create: ((ctx: Parameters<PciNicKind['create']>[0], cfg: Parameters<PciNicKind['create']>[1]) => {
    const d = bcm5701Kind.create(ctx, cfg) as Bcm5701Pci;
    fetchPastRingEnd(d.core);
    return d;
  }) as PciNicKind['create'],
} as NicKind;

test('the DMA invariant bites: a send-BD fetch running past the ring end is caught, replays and shrinks', () => {
  const target = nicTarget({ ...bcm5701Model, kind: plantedKind }, { default: 1, quick: 1 });
  let failure: { line: string; input: unknown } | null = null;
  for (let e = BCM5701_CORPUS.length; e < BCM5701_CORPUS.length + 30 && !failure; e++) {
    const r = target.episode(SEED, e, 4000);
    if (r.failure !== null) failure = { line: r.failure, input: r.input };
  }
  expect(failure).not.toBeNull();
  const { line, input } = failure!;
  // The burst starts inside the send ring and runs past its end: the nearest region named is the ring itself.
  expect(line).toMatch(/^op \d+ \(.*\): DMA read of \d+ bytes at 0x[0-9a-f]+ outside what the driver gave the chip \(nearest: send ring 0x[0-9a-f]+–0x[0-9a-f]+, overlapping it\)$/);
  // The reproducer's input redoes it (through JSON, as the file holds it); the shrunk input still fails the same way.
  const saved = JSON.parse(JSON.stringify(input)) as unknown;
  expect(target.replay(saved)).toBe(line);
  const small = target.shrink!(saved, line);
  expect((small.input as { ops: unknown[] }).ops.length).toBeLessThan((saved as { ops: unknown[] }).ops.length);
  expect(small.failure).toMatch(/DMA read of/);
  expect(target.replay(small.input)).toMatch(/DMA read of \d+ bytes at 0x[0-9a-f]+ outside what the driver gave the chip \(nearest: send ring/);
  // The unplanted chip runs the same input clean.
  expect(bcm5701Target.replay(saved)).toBeNull();
});

test('the DMA invariant: every transfer of a bring-up and traffic lies in a region the driver named', () => {
  const rig = new FuzzRig(bcm5701Model.kind, 6, bcm5701Model.fields);
  const watch = new DmaWatch(rig, bcm5701Dma, rig.tap!);
  const rng = new Rng(6, 'bring-up');
  const ops = [...bcm5701Model.bringUp(rng, rig)];
  for (const op of ops) {
    rig.apply(op);
    expect(watch.take()).toBeNull();
  }
  for (let k = 0; k < 3; k++) {
    for (const op of [...sendFrameOps(rng, rig, RIG_MAC), toUs(rng, 200), run(500_000), ...serviceOps(rig)]) {
      rig.apply(op);
      expect(watch.take()).toBeNull();
    }
  }
  expect(rig.tap!.transfers).toBeGreaterThan(10);
  // The layout the bring-up gave: rings, blocks and the posted buffers are covered, the gap after the send ring is not.
  const g = watch.given;
  expect(g.covers(LAYOUT.sendRing, 512 * 16)).toBe(true);
  expect(g.covers(LAYOUT.stdRing, 512 * 32)).toBe(true);
  expect(g.covers(LAYOUT.retRing, 1024 * 32)).toBe(true);
  expect(g.covers(LAYOUT.rxBufs + 2, 1536)).toBe(true);
  expect(g.covers(LAYOUT.sendRing + 512 * 16, 16)).toBe(false);
  // A transfer the chip makes where nothing was named is a failure line naming it and the nearest region.
  peekCore(rig)!.dma('read', LAYOUT.sendRing + 512 * 16, new Uint8Array(16));
  expect(watch.take()).toBe('DMA read of 16 bytes at 0x12000 outside what the driver gave the chip (nearest: send ring 0x10000–0x11fff, just past its end)');
});
