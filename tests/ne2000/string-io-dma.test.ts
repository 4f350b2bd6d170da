/**
 * The NE2000 data port's burst accesses (Ne2000Window.writeQuiet/readQuiet → RemoteDma.writeQuiet/readQuiet)
 * against one `write`/`read` per access: for seeded random set-ups (byte and word mode, 8/16/32-bit host
 * accesses, odd and even RSAR and RBCR, the PSTOP wrap, addresses outside RAM, an idle channel, Send Packet),
 * "burst as far as the device allows, then one by one" leaves the chip in exactly the state, with exactly the
 * trace records, of "one by one" throughout, and a burst never does the access that completes the DMA.
 */
import { Simulation, componentContext } from '../../emulator/machine/sim';
import type { AccessSize } from '../../emulator/machine/bus/types';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';

const DATA = 0x10;

/** A small seeded generator (the test's own; no Math.random). */
function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

interface Setup {
  word: boolean;
  size: AccessSize;
  rsar: number;
  rbcr: number;
  pstart: number;
  pstop: number;
  /** 1 read, 2 write, 3 send packet, 0 none (idle channel). */
  rd: number;
  accesses: number;
}

function chip(s: Setup) {
  const sim = new Simulation(1);
  const trace: string[] = [];
  sim.tracer.addSink((rec) => trace.push(JSON.stringify(rec)));
  const nic = new Ne2000Isa(componentContext(sim, 'n', 'n.en0'), { mac: [0, 0x50, 0xc2, 0, 0, 9] });
  const w = nic.window;
  for (let i = 0; i < nic.core.mem.ram.length; i++) nic.core.mem.ram[i] = (i * 13 + 5) & 0xff;
  w.write(0x0e, 1, s.word ? 0x49 : 0x48); // DCR
  w.write(0x0f, 1, 0x40); // IMR: RDC
  w.write(0x01, 1, s.pstart);
  w.write(0x02, 1, s.pstop);
  w.write(0x03, 1, s.pstart); // BNRY (Send Packet reads its header there)
  w.write(0x0a, 1, s.rbcr & 0xff);
  w.write(0x0b, 1, s.rbcr >> 8);
  w.write(0x08, 1, s.rsar & 0xff);
  w.write(0x09, 1, s.rsar >> 8);
  if (s.rd !== 0) w.write(0x00, 1, 0x02 | (s.rd << 3));
  return { nic, w, trace };
}

function random(r: (n: number) => number): Setup {
  const pstart = 0x40 + r(8);
  const pstop = pstart + 2 + r(6);
  const rsar = r(4) === 0 ? r(0x10000) : ((pstop - 1) << 8) + 0xf0 + r(16) - r(2) * 0x300;
  return {
    word: r(4) !== 0,
    size: ([1, 2, 2, 2, 4] as const)[r(5)]!,
    rsar: rsar & 0xffff,
    rbcr: r(3) === 0 ? r(8) : r(700),
    pstart,
    pstop,
    rd: [0, 1, 2, 2, 3][r(5)]!,
    accesses: r(400),
  };
}

function outcome(c: ReturnType<typeof chip>, got: number[]) {
  return { state: c.nic.core.saveState(), trace: c.trace, got };
}

describe('NE2000 data port bursts', () => {
  test('seeded set-ups: burst then one by one == one by one; the access that ends the DMA is never in a burst', () => {
    const r = lcg(15);
    let bursts = 0;
    for (let round = 0; round < 150; round++) {
      const s = random(r);
      const src = new Uint8Array(s.accesses * s.size).map((_, i) => (i * 29 + round) & 0xff);
      const write = s.rd === 2 || (s.rd === 0 && round % 2 === 0);

      const ref = chip(s);
      const refGot: number[] = [];
      for (let i = 0; i < s.accesses; i++) {
        if (write) {
          let v = 0;
          for (let b = 0; b < s.size; b++) v += src[i * s.size + b]! * 2 ** (8 * b);
          ref.w.write(DATA, s.size, v);
        } else refGot.push(ref.w.read(DATA, s.size));
      }

      const got = chip(s);
      const gotGot: number[] = [];
      const dst = new Uint8Array(s.accesses * s.size);
      let i = 0;
      while (i < s.accesses) {
        const irqBefore = got.nic.core.irqAsserted;
        const traced = got.trace.length;
        const k = write ? got.w.writeQuiet(DATA, s.size, src, i * s.size, s.accesses - i) : got.w.readQuiet(DATA, s.size, dst, i * s.size, s.accesses - i);
        // Quiet: no record, no change of the interrupt line, and the DMA still running afterwards.
        if (got.trace.length !== traced || got.nic.core.irqAsserted !== irqBefore || (k > 0 && got.nic.core.remote.mode === 'idle')) {
          throw new Error(`round ${round}: a burst of ${k} had an effect (${JSON.stringify(s)})`);
        }
        bursts += k;
        for (let j = i; j < i + k && !write; j++) {
          let v = 0;
          for (let b = 0; b < s.size; b++) v += dst[j * s.size + b]! * 2 ** (8 * b);
          gotGot.push(v);
        }
        i += k;
        if (i >= s.accesses) break;
        if (write) {
          let v = 0;
          for (let b = 0; b < s.size; b++) v += src[i * s.size + b]! * 2 ** (8 * b);
          got.w.write(DATA, s.size, v);
        } else gotGot.push(got.w.read(DATA, s.size));
        i++;
      }
      expect({ round, ...outcome(got, gotGot) }).toEqual({ round, ...outcome(ref, refGot) });
    }
    expect(bursts).toBeGreaterThan(5000);
  });

  test('a register offset, or a traced (verbose) data port, is never served as a burst', () => {
    const c = chip({ word: true, size: 2, rsar: 0x4000, rbcr: 100, pstart: 0x46, pstop: 0x80, rd: 2, accesses: 0 });
    const src = new Uint8Array(20);
    expect(c.w.writeQuiet(0x07, 2, src, 0, 10)).toBe(0);
    expect(c.w.writeQuiet(0x18, 2, src, 0, 10)).toBe(0);
    c.nic.core.ctx.tracer.verbose = true;
    expect(c.w.writeQuiet(DATA, 2, src, 0, 10)).toBe(0);
    c.nic.core.ctx.tracer.verbose = false;
    expect(c.w.writeQuiet(DATA + 3, 2, src, 0, 10)).toBe(10); // 0x11–0x17 alias the data port
    expect(c.nic.core.remote.count).toBe(80);
    // 40 words left: 39 quiet, the 40th raises RDC.
    expect(c.w.writeQuiet(DATA, 2, new Uint8Array(100), 0, 50)).toBe(39);
    expect(c.nic.core.remote.count).toBe(2);
  });
});
