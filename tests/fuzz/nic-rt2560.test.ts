/**
 * The nic/rt2560 fuzz target (fuzz/nic/rt2560.ts, docs/fuzzing.md): its bring-up reaches the running state a
 * driver reaches (awake, tuned, receiving from the peer station, transmitting to it, interrupts), a short pass
 * has no failure, every corpus vector (QEMU NIC CVEs) runs clean, the committed reproducers of the bugs it found
 * replay clean, its own invariants bite when the chip's state lies, and the DMA invariant (harness-dma.ts,
 * rt2560-dma.ts) bites when the chip writes past a buffer; the NE2000 family has no host DMA to check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../emulator/machine/sim/rng';
import { CSR } from '../../nic-models/rt2560/regs';
import { rt2560Model, rt2560Target } from '../../fuzz/nic/rt2560';
import { RT2560_CORPUS } from '../../fuzz/nic/rt2560-corpus';
import { rt2560Check } from '../../fuzz/nic/rt2560-check';
import { LAYOUT, peekCore, ringsOf, run, sendFrameOps, serviceOps } from '../../fuzz/nic/rt2560-driver';
import { FuzzRig, RIG_MAC } from '../../fuzz/nic/harness-rig';
import { bytesToHex } from '../../fuzz/nic/hex';
import type { NicOp } from '../../fuzz/nic/harness';
import { nicTarget } from '../../fuzz/nic/harness';
import { DmaWatch, NO_HOST_DMA } from '../../fuzz/nic/harness-dma';
import { rt2560Dma } from '../../fuzz/nic/rt2560-dma';
import { ne2000Model } from '../../fuzz/nic/ne2000';
import { rt2560Kind } from '../../nic-models/rt2560';
import type { Rt2560Pci } from '../../nic-models/rt2560/rt2560-pci';
import type { Rt2560Core } from '../../nic-models/rt2560/core';
import { le32, rxGeometry } from '../../nic-models/rt2560/rings';
import { ne2000IsaKind, rtl8029Kind } from '../../nic-models/ne2000';
import type { NicKind, PciNicKind } from '../../nic-models/kind';

const SEED = 14;

function apply(rig: FuzzRig, ops: NicOp[]): void {
  for (const op of ops) {
    rig.apply(op);
    const bad = rt2560Check(rig);
    if (bad) throw new Error(`${JSON.stringify(op)}: ${bad}`);
  }
}

function broughtUp(seed: number): { rig: FuzzRig; rng: Rng } {
  const rig = new FuzzRig(rt2560Model.kind, seed, rt2560Model.fields ?? {});
  const rng = new Rng(seed, 'bring-up');
  apply(rig, rt2560Model.bringUp(rng, rig));
  return { rig, rng };
}

test('the bring-up reaches the running state; frames come from the peer and go to it; the interrupt is serviced', () => {
  for (const seed of [1, 2, 3, 4]) {
    const { rig, rng } = broughtUp(seed);
    const c = peekCore(rig)!;
    expect(c.awake).toBe(true);
    expect(c.dcf.channel).not.toBeNull();
    expect(c.rx.enabled).toBe(true);
    // A data frame from the peer to the card: acknowledged by the auto-responder, placed in RX descriptor 0.
    const f = new Uint8Array(60).fill(0x77);
    f.set([0x08, 0x02, 0, 0, ...RIG_MAC, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
    apply(rig, [{ op: 'rx', hex: bytesToHex(f) }, run(2_000_000)]);
    const g = ringsOf(rig);
    const w0 = new DataView(rig.ram.buffer, LAYOUT.rx, 4).getUint32(0, true);
    expect(w0 & 1).toBe(0);
    expect((w0 >>> 16) & 0xfff).toBe(60);
    expect(Array.from(rig.ram.subarray(LAYOUT.rxBufs, LAYOUT.rxBufs + 60))).toEqual(Array.from(f));
    expect(c.rx.idx).toBe(1);
    expect(c.counters.acksSent).toBe(1);
    expect(rig.irqLevel).toBe(true); // RXDONE unmasked by both drivers
    apply(rig, serviceOps(rig));
    expect(rig.irqLevel).toBe(false);
    expect(g.rx).toBe(32);
    // The peer station tuned to the card's channel when it sent; now the card's frames reach it.
    for (let k = 0; k < 3; k++) apply(rig, [...sendFrameOps(rng, rig, RIG_MAC), run(3_000_000)]);
    expect(rig.txCount).toBeGreaterThanOrEqual(3);
  }
});

test('a short pass (four episodes of 2000 ops after the corpus, each from a fresh bring-up) has no failure', () => {
  let inputs = 0;
  for (let e = RT2560_CORPUS.length; e < RT2560_CORPUS.length + 4; e++) {
    const r = rt2560Target.episode(SEED, e, 2000);
    expect(r.failure).toBeNull();
    inputs += r.inputs;
  }
  expect(inputs).toBe(4 * 2000);
});

test.each(RT2560_CORPUS.map((v, i) => [i, v.name] as const))('corpus %i (%s) runs clean', (i) => {
  const v = RT2560_CORPUS[i]!;
  const r = rt2560Target.episode(SEED, i, v.ops.length + 300);
  expect(r.failure).toBeNull();
  expect(r.inputs).toBe(v.ops.length + 300);
});

test('the CVE-2016-6834 vector: a ring of zero-length descriptors completes with FAIL_INVALID, nothing on the air', () => {
  const v = RT2560_CORPUS.find((x) => x.name.startsWith('CVE-2016-6834'))!;
  const rig = new FuzzRig(rt2560Model.kind, 5, {});
  apply(rig, v.ops);
  const c = peekCore(rig)!;
  const stride = c.get(CSR.TXCSR2) & 0xff;
  const count = (c.get(CSR.TXCSR2) >>> 8) & 0xff;
  for (let i = 0; i < count; i++) {
    const w0 = new DataView(rig.ram.buffer, LAYOUT.tx + i * stride, 4).getUint32(0, true);
    expect(w0 & 1).toBe(0);
    expect((w0 >>> 2) & 7).toBe(3);
  }
  expect(rig.txCount).toBe(0);
  expect(c.tx.idx.tx).toBe(0); // a whole turn of the ring
});

test('the reproducers of the bugs this target found replay clean', () => {
  const dir = join(__dirname, '../../fuzz/reproducers');
  const files = readdirSync(dir).filter((f) => f.startsWith('nic-rt2560-'));
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const f of files) {
    const rep = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { target: string; input: unknown };
    expect(rep.target).toBe('nic/rt2560');
    expect(rt2560Target.replay(rep.input)).toBeNull();
  }
});

test('the invariants bite: a source latched without the line, a ring index outside its ring', () => {
  const { rig } = broughtUp(5);
  const c = peekCore(rig)!;
  expect(rt2560Check(rig)).toBeNull();
  // RXDONE latched in CSR7 and unmasked, but the model did not drive INTA# (no updateIrq).
  c.set(CSR.CSR7, c.get(CSR.CSR7) | 0x40);
  expect(rt2560Check(rig)).toMatch(/^INTA# low but CSR7 0x40 & ~CSR8 0x[0-9a-f]+ says asserted$/);
  c.updateIrq();
  expect(rt2560Check(rig)).toBeNull();
  c.rx.idx = 32;
  expect(rt2560Check(rig)).toBe("rx index 32 outside its ring's 32 entries");
  c.rx.idx = 0;
  c.tx.idx.prio = 40;
  expect(rt2560Check(rig)).toMatch(/^prio ring index 40 outside its (16|32) entries$/);
});

/**
 * A receive DMA that stores the frame's 4-byte FCS behind it (the CVE-2015-7504 shape: the chip writes one word past
 * a buffer the frame fills exactly): planted by wrapping the chip's bus-master path — the write that follows an RX
 * descriptor fetch (rx.ts: descriptor, then the frame to W1) carries 4 bytes more. The RT2560 keeps no buffer
 * length in its descriptors, so no index or interrupt invariant sees it; the buffer the driver gave (CSR9
 * MAX_FRAME_UNIT × 128) does.
 */
function storesFcs(core: Rt2560Core): void {
  const dma = core.dma.bind(core);
  let buffer = -1;
  core.dma = (dir, addr, buf) => {
    if (dir === 'write' && addr === buffer) {
      buffer = -1;
      const withFcs = new Uint8Array(buf.length + 4);
      withFcs.set(buf);
      return dma('write', addr, withFcs);
    }
    const r = dma(dir, addr, buf);
    const g = rxGeometry((o) => core.get(o));
    buffer = dir === 'read' && buf.length === 8 && addr >= g.base && addr < g.base + g.count * g.stride ? le32(buf, 4) : -1;
    return r;
  };
}

const plantedKind: NicKind = {
  ...rt2560Kind,
  create: ((ctx: Parameters<PciNicKind['create']>[0], cfg: Parameters<PciNicKind['create']>[1]) => {
    const d = rt2560Kind.create(ctx, cfg) as Rt2560Pci;
    storesFcs(d.core);
    return d;
  }) as PciNicKind['create'],
} as NicKind;

test('the DMA invariant bites: a receive DMA writing past the buffer the driver gave is caught, replays and shrinks', () => {
  const target = nicTarget({ ...rt2560Model, kind: plantedKind }, { default: 1, quick: 1 });
  let failure: { line: string; input: unknown } | null = null;
  for (let e = 0; e < 30 && !failure; e++) {
    const r = target.episode(SEED, e, 4000);
    if (r.failure !== null) failure = { line: r.failure, input: r.input };
  }
  expect(failure).not.toBeNull();
  const { line, input } = failure!;
  expect(line).toMatch(/^op \d+ \(.*\): DMA write of \d+ bytes at 0x[0-9a-f]+ outside what the driver gave the chip \(nearest: rx descriptor \d+'s buffer 0x[0-9a-f]+–0x[0-9a-f]+, overlapping it\)$/);
  const saved = JSON.parse(JSON.stringify(input)) as unknown;
  expect(target.replay(saved)).toBe(line);
  const small = target.shrink!(saved, line);
  expect(small.failure).toMatch(/DMA write of/);
  expect(target.replay(small.input)).toBe(small.failure);
  expect(rt2560Target.replay(saved)).toBeNull();
});

test('the DMA invariant: the rings, one-shot descriptors and buffers the driver named are given, nothing else', () => {
  const rig = new FuzzRig(rt2560Model.kind, 7, rt2560Model.fields ?? {});
  const watch = new DmaWatch(rig, rt2560Dma, rig.tap!);
  const rng = new Rng(7, 'bring-up');
  const f = new Uint8Array(60).fill(0x77);
  f.set([0x08, 0x02, 0, 0, ...RIG_MAC, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
  for (const op of [...rt2560Model.bringUp(rng, rig), { op: 'rx', hex: bytesToHex(f) } as NicOp, run(2_000_000), ...sendFrameOps(rng, rig, RIG_MAC), run(3_000_000)]) {
    rig.apply(op);
    expect(watch.take()).toBeNull();
  }
  expect(rig.tap!.transfers).toBeGreaterThan(3);
  const g = ringsOf(rig);
  expect(watch.given.covers(LAYOUT.rx, g.rx * g.stride)).toBe(true);
  expect(watch.given.covers(LAYOUT.prio, g.prio * g.stride)).toBe(true);
  expect(watch.given.covers(LAYOUT.rxBufs, 60)).toBe(true);
  expect(watch.given.covers(LAYOUT.rx + g.rx * g.stride, 4)).toBe(false);
  // A one-shot kick names its descriptor; a transfer nowhere named fails.
  rig.apply({ op: 'wr', space: 'mem', bar: 0, off: CSR.SECCSR1, size: 4, value: 0x7000 | 3 });
  expect(watch.take()).toBeNull();
  expect(watch.given.covers(0x7000, 40)).toBe(true);
  peekCore(rig)!.dma('write', 0x6000, new Uint8Array(4));
  expect(watch.take()).toMatch(/^DMA write of 4 bytes at 0x6000 outside what the driver gave the chip \(nearest: one-shot cipher descriptor 0x7000–0x7027, 4092 bytes before it\)$/);
});

test('the NE2000 family masters no bus: its rigs have no bus master and the model gives no host region', () => {
  for (const kind of [ne2000IsaKind, rtl8029Kind]) {
    const rig = new FuzzRig(kind, 1, {});
    expect(rig.tap).toBeNull();
  }
  expect(ne2000Model(rtl8029Kind, true).dma).toBe(NO_HOST_DMA);
  const given: number[] = [];
  NO_HOST_DMA.named(new FuzzRig(rtl8029Kind, 1, {}), (a) => given.push(a));
  expect(given).toEqual([]);
});

test('found by the DMA invariant: the cipher engine reads no more of a ring descriptor than TXCSR2/RXCSR1 make it', () => {
  // nic-rt2560-s14-e24.json: RXCSR1 = two 16-byte descriptors at 0, then SECCSR0 KICK. The decrypt walk read
  // W0–W9 (40 bytes) of entry 0, past the 32-byte ring; now it reads the 16 bytes the descriptor has.
  const rig = new FuzzRig(rt2560Model.kind, 1, {});
  const watch = new DmaWatch(rig, rt2560Dma, rig.tap!);
  const reads: number[] = [];
  const c = peekCore(rig)!;
  const dma = c.dma.bind(c);
  c.dma = (dir, addr, buf) => (reads.push(buf.length), dma(dir, addr, buf));
  for (const op of [{ op: 'wr', space: 'mem', bar: 0, off: CSR.RXCSR1, size: 4, value: 16 | (2 << 8) }, { op: 'wr', space: 'mem', bar: 0, off: CSR.SECCSR0, size: 4, value: 1 }] as NicOp[]) {
    rig.apply(op);
    expect(watch.take(op)).toBeNull();
  }
  expect(reads).toEqual([16]);
  // Both reproducers (the decrypt walk over the RX ring, the encrypt walk over a TX ring of 16-byte entries) replay clean.
  for (const f of ['nic-rt2560-s14-e24.json', 'nic-rt2560-s14-e79.json']) {
    const rep = JSON.parse(readFileSync(join(__dirname, '../../fuzz/reproducers', f), 'utf8')) as { failure: string; input: unknown };
    expect(rep.failure).toMatch(/DMA read of 40 bytes at 0x[0-9a-f]+ outside what the driver gave the chip \(nearest: (rx|tx) ring/);
    expect(rt2560Target.replay(rep.input)).toBeNull();
  }
});
