/**
 * The nic/rt2560 fuzz target (fuzz/nic/rt2560.ts, docs/fuzzing.md): its bring-up reaches the running state a
 * driver reaches (awake, tuned, receiving from the peer station, transmitting to it, interrupts), a short pass
 * has no failure, every corpus vector (QEMU NIC CVEs) runs clean, the committed reproducers of the bugs it found
 * replay clean, and its own invariants bite when the chip's state lies.
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
