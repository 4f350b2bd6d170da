/**
 * The v86 adapter's memory side without booting: memory BARs in v86's 128 KiB memory map (mmio-window.ts),
 * BAR placement and refusal (v86-pci.ts, mem-claims.ts), and bus-master DMA into guest RAM (guest-dma.ts), on a
 * stand-in CPU built like v86's own (fake-v86.ts).
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { pciAccessNs, POSTED_WRITE_NS } from '../../emulator/machine/board/pci-bus';
import { PCI_ADDRESS_CYCLES, PCI_ARBITRATION_CYCLES, PCI_MASTER_ABORT_CYCLES, pciBurstCycles, pciTransferTime } from '../../emulator/machine/board/dma';
import { PCI_STATUS_REC_MASTER_ABORT } from '../../emulator/machine/board/pci-config';
import { GuestMachine } from '../../emulator/machine/v86/guest-machine';
import { accessCode, decodeAccess, GuestLog } from '../../emulator/machine/v86/guest-log';
import { V86MmioWindow } from '../../emulator/machine/v86/mmio-window';
import { memoryBarConflict, MemoryClaims } from '../../emulator/machine/v86/mem-claims';
import { V86PciAttachment } from '../../emulator/machine/v86/v86-pci';
import type { AccessSize, RegisterHandler } from '../../emulator/machine/bus/types';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { configRead, configWrite, fakeCpu, fakeInstance, via } from './fake-v86';
import { MmioTestDevice, REG, TEST_DEV_ID, TEST_DEV_TIMING } from './mmio-test-device';

const RAM = 16 * 1024 * 1024;
const LAYOUT = { ramBytes: RAM, vgaBytes: 2 * 1024 * 1024 };

function recorder(): { handler: RegisterHandler; log: string[] } {
  const log: string[] = [];
  return {
    log,
    handler: {
      read: (o: number, s: AccessSize) => {
        log.push(`r${s * 8} ${o.toString(16)}`);
        return s === 4 ? 0xa1b2c3d4 : s === 2 ? 0xc3d4 : 0xd0 | (o & 0xf);
      },
      write: (o: number, s: AccessSize, v: number) => void log.push(`w${s * 8} ${o.toString(16)}=${v.toString(16)}`),
    },
  };
}

const timing = { cycleNs: (o: number, s: AccessSize, w: boolean) => pciAccessNs(TEST_DEV_TIMING, 0, 'mem32', o, s, w) };

describe('V86MmioWindow in v86 128 KiB memory map', () => {
  test('routes its 64 KiB, leaves the rest of the block to what v86 had there, and restores it on unmap', () => {
    const f = fakeCpu(RAM);
    const c = f.cpu;
    const block = 0xfea00000 >>> 17;
    const before = [c.memory_map_read8[block], c.memory_map_write8[block], c.memory_map_read32[block], c.memory_map_write32[block]];
    const { handler, log } = recorder();
    const w = new V86MmioWindow(c, 0x10000, handler, 'dev BAR0', timing);
    w.map(0xfea10000);
    expect(via.r32(c, 0xfea10004) >>> 0).toBe(0xa1b2c3d4);
    via.w32(c, 0xfea10008, -2); // v86 passes int32
    expect(via.r8(c, 0xfea10003)).toBe(0xd3);
    expect(log).toEqual(['r32 4', 'w32 8=fffffffe', 'r8 3']);
    // The other 64 KiB of the block still reach v86's "unmapped" handler.
    expect(via.r8(c, 0xfea00010)).toBe(0xff);
    expect(via.r32(c, 0xfea0fffc) >>> 0).toBe(0xffffffff);
    expect(f.unmapped).toEqual(['r8 fea00010', 'r8 fea0fffc', 'r8 fea0fffd', 'r8 fea0fffe', 'r8 fea0ffff']);
    w.unmap();
    expect([c.memory_map_read8[block], c.memory_map_write8[block], c.memory_map_read32[block], c.memory_map_write32[block]]).toEqual(before);
    expect(w.mappedAt).toBeNull();
  });

  test('16-bit and unaligned or straddling 32-bit accesses arrive as byte accesses, each through whatever holds the byte', () => {
    const f = fakeCpu(RAM);
    const c = f.cpu;
    const { handler, log } = recorder();
    const w = new V86MmioWindow(c, 0x10000, handler, 'dev BAR0', timing);
    w.map(0xfea00000);
    expect(via.r16(c, 0xfea08000)).toBe(0xd1d0);
    via.w16(c, 0xfea08000, 0xbeef);
    expect(via.r32(c, 0xfea00002) >>> 0).toBe(0xd5d4d3d2);
    expect(log).toEqual(['r8 8000', 'r8 8001', 'w8 8000=ef', 'w8 8001=be', 'r8 2', 'r8 3', 'r8 4', 'r8 5']);
    log.length = 0;
    // The last dword before the window's end, shifted by two: two bytes ours, two bytes v86's.
    expect(via.r32(c, 0xfea0fffe) >>> 0).toBe(0xffffdfde);
    expect(log).toEqual(['r8 fffe', 'r8 ffff']);
    expect(f.unmapped).toEqual(['r8 fea10000', 'r8 fea10001']);
  });

  test('two windows share a block; the block is handed back only when both left', () => {
    const f = fakeCpu(RAM);
    const c = f.cpu;
    const block = 0xfea00000 >>> 17;
    const saved = c.memory_map_read8[block];
    const a = recorder();
    const b = recorder();
    const wa = new V86MmioWindow(c, 0x10000, a.handler, 'a', timing);
    const wb = new V86MmioWindow(c, 0x10000, b.handler, 'b', timing);
    wa.map(0xfea00000);
    wb.map(0xfea10000);
    via.r32(c, 0xfea00000);
    via.r32(c, 0xfea10000);
    expect([a.log, b.log]).toEqual([['r32 0'], ['r32 0']]);
    wa.unmap();
    expect(c.memory_map_read8[block]).not.toBe(saved);
    expect(via.r8(c, 0xfea00000)).toBe(0xff); // a's range went back to v86
    wa.map(0xfd000000); // moved elsewhere: another block
    via.r32(c, 0xfd000010);
    expect(a.log).toEqual(['r32 0', 'r32 10']);
    wb.unmap();
    expect(c.memory_map_read8[block]).toBe(saved);
  });

  test('each access stalls the CPU for its PCI transaction (reads wait, memory writes are posted), then syncs, then reaches the device', () => {
    const f = fakeCpu(RAM);
    const c = f.cpu;
    const order: string[] = [];
    const handler: RegisterHandler = {
      read: (o, s) => (order.push(`dev r${s * 8} ${o.toString(16)}`), 0),
      write: (o, s) => void order.push(`dev w${s * 8} ${o.toString(16)}`),
    };
    const w = new V86MmioWindow(c, 0x10000, handler, 'dev', timing);
    w.stall = (ns) => order.push(`stall ${ns}`);
    w.sync = () => order.push('sync');
    w.hook = (wr, o, s, v) => order.push(`log ${wr ? 'w' : 'r'}${s * 8} ${o.toString(16)}=${v}`);
    w.map(0xfea00000);
    via.r32(c, 0xfea00204);
    via.w32(c, 0xfea08000, 7);
    // Register read: host request 2 + address 1 + DEVSEL medium 2 + 4 wait states + return 1 + turnaround 1 = 11 clocks.
    expect(pciAccessNs(TEST_DEV_TIMING, 0, 'mem32', 0x204, 4, false)).toBe(11 * 30);
    expect(POSTED_WRITE_NS).toBe(60);
    expect(order).toEqual(['stall 330', 'sync', 'dev r32 204', 'log r32 204=0', 'stall 60', 'sync', 'log w32 8000=7', 'dev w32 8000']);
  });
});

describe('memory BAR placement in a v86 guest', () => {
  test("v86's own ranges are refused: RAM, the VGA frame buffer, the VGA ROM, APICs and BIOS from 0xfec00000", () => {
    expect(memoryBarConflict(LAYOUT, 0x00f00000, 0x10000)).toEqual({ reason: 'v86-owned', holder: 'ram' });
    expect(memoryBarConflict(LAYOUT, 0xe01f0000, 0x10000)).toEqual({ reason: 'v86-owned', holder: 'vga-lfb' });
    expect(memoryBarConflict(LAYOUT, 0xe0200000, 0x10000)).toBeNull();
    expect(memoryBarConflict(LAYOUT, 0xfeaf0000, 0x10000)).toBeNull();
    expect(memoryBarConflict(LAYOUT, 0xfeb00000, 0x10000)).toEqual({ reason: 'v86-owned', holder: 'vga-rom' });
    // Where SeaBIOS puts a 64 KiB BAR: in v86's VGA-ROM MiB, past the ROM.
    expect(memoryBarConflict(LAYOUT, 0xfebe0000, 0x10000)).toBeNull();
    expect(memoryBarConflict(LAYOUT, 0xfebf0000, 0x20000)).toEqual({ reason: 'v86-owned', holder: 'apic-bios' });
    expect(memoryBarConflict(LAYOUT, 0xfff00000, 0x10000)).toEqual({ reason: 'v86-owned', holder: 'apic-bios' });
    const claims = new MemoryClaims();
    const a = {};
    claims.claim(a, 0, 0xfea00000, 0x10000, 'a BAR0');
    expect(claims.overlapping({}, 0, 0xfea08000, 0x1000)).toBe('a BAR0');
    expect(claims.overlapping(a, 0, 0xfea08000, 0x1000)).toBeNull(); // itself, moving
    expect(claims.overlapping({}, 0, 0xfea10000, 0x10000)).toBeNull();
  });

  function attached(): { sim: Simulation; machine: GuestMachine; dev: MmioTestDevice; att: V86PciAttachment; recs: TraceRecord[]; f: ReturnType<typeof fakeCpu> } {
    const sim = new Simulation(1);
    const recs: TraceRecord[] = [];
    sim.tracer.addSink((r) => recs.push(r));
    const machine = new GuestMachine(componentContext(sim, 'g', 'g.v86'), sim.rngs.stream('g.v86'), LAYOUT);
    const dev = new MmioTestDevice(componentContext(sim, 'g', 'g.nic0'));
    const att = new V86PciAttachment(machine, dev, 6, 'g.nic0');
    dev.attachDma(att.dma);
    const f = fakeCpu(RAM);
    machine.bind(fakeInstance(f.cpu));
    return { sim, machine, dev, att, recs, f };
  }

  test('decoded with command.MEMORY and a base, moved when the guest moves it, refused over the frame buffer', () => {
    const { att, recs, f } = attached();
    const c = f.cpu;
    const pci = (probe: string) => recs.filter((r) => r.layer === 'pci' && r.probe === probe).map((r) => `${r.f!['space']}:${(r.f!['base'] as number).toString(16)}${r.f!['holder'] ? ` ${String(r.f!['holder'])}` : ''}`);
    configWrite(c, 6, 0x10, 4, 0xfea00000);
    expect(via.r32(c, 0xfea00000) >>> 0).toBe(0xffffffff); // not decoded yet: memory space disabled
    configWrite(c, 6, 0x04, 2, 0x0002);
    expect(via.r32(c, 0xfea00000) >>> 0).toBe(TEST_DEV_ID);
    configWrite(c, 6, 0x10, 4, 0xfdb00000);
    expect(via.r32(c, 0xfea00000) >>> 0).toBe(0xffffffff);
    expect(via.r32(c, 0xfdb00000) >>> 0).toBe(TEST_DEV_ID);
    configWrite(c, 6, 0x10, 4, 0xe0000000);
    expect(via.r32(c, 0xfdb00000) >>> 0).toBe(0xffffffff);
    configWrite(c, 6, 0x10, 4, 0xfdb00000);
    configWrite(c, 6, 0x04, 2, 0x0000);
    expect(via.r32(c, 0xfdb00000) >>> 0).toBe(0xffffffff);
    expect(pci('bar-map')).toEqual(['mmio:fea00000', 'mmio:fdb00000', 'mmio:fdb00000']);
    expect(pci('bar-unmap')).toEqual(['mmio:fdb00000', 'mmio:fdb00000']);
    expect(pci('bar-conflict')).toEqual(['mmio:e0000000 vga-lfb']);
    expect(att.cs.barBase(0)).toBe(0xfdb00000);
  });

  test('a configuration read happens when the guest reads CONFIG_DATA, with its size; writing CONFIG_ADDRESS reads nothing', () => {
    const { dev, f } = attached();
    const reads: string[] = [];
    dev.configRead = (o, s) => {
      reads.push(`${o.toString(16)}/${s}`);
      return undefined;
    };
    expect(configRead(f.cpu, 6, 0x00, 4)).toBe(0x00051b36);
    expect(configRead(f.cpu, 6, 0x02, 2)).toBe(0x0005);
    expect(configRead(f.cpu, 6, 0x0b, 1)).toBe(0x00);
    configWrite(f.cpu, 6, 0x0c, 1, 0x10); // v86 ran pci_query for the address; no read follows
    expect(reads).toEqual(['0/4', '2/2', 'b/1']);
  });

  test('two functions asking for overlapping ranges: the second is refused until it moves', () => {
    const { sim, machine, recs, f } = attached();
    const dev2 = new MmioTestDevice(componentContext(sim, 'g', 'g.nic1'));
    new V86PciAttachment(machine, dev2, 8, 'g.nic1');
    const c = f.cpu;
    configWrite(c, 6, 0x10, 4, 0xfea00000);
    configWrite(c, 6, 0x04, 2, 0x0002);
    configWrite(c, 8, 0x10, 4, 0xfea00000);
    configWrite(c, 8, 0x04, 2, 0x0002);
    via.w32(c, 0xfea00004, 1);
    configWrite(c, 8, 0x10, 4, 0xfea10000);
    via.w32(c, 0xfea10004, 2);
    expect(recs.filter((r) => r.probe === 'bar-conflict').map((r) => [r.f!['dev'], r.f!['why'], r.f!['holder']])).toEqual([['g.nic1', 'overlap', 'g.nic0 BAR0']]);
    expect(via.r32(c, 0xfea00004)).toBe(1);
    expect(via.r32(c, 0xfea10004)).toBe(2);
  });
});

describe('bus-master DMA into guest RAM', () => {
  function setup(): ReturnType<typeof attachedDma> {
    return attachedDma();
  }
  function attachedDma() {
    const sim = new Simulation(1);
    const recs: TraceRecord[] = [];
    sim.tracer.addSink((r) => recs.push(r));
    const machine = new GuestMachine(componentContext(sim, 'g', 'g.v86'), sim.rngs.stream('g.v86'), LAYOUT);
    const dev = new MmioTestDevice(componentContext(sim, 'g', 'g.nic0'));
    const att = new V86PciAttachment(machine, dev, 6, 'g.nic0');
    const f = fakeCpu(RAM);
    machine.bind(fakeInstance(f.cpu));
    return { sim, machine, att, recs, f };
  }

  test('needs Bus Master Enable: without it nothing moves, reads are all ones, and it is traced and counted', () => {
    const { att, recs, f } = setup();
    f.cpu.mem8.set([1, 2, 3, 4], 0x1000);
    const buf = new Uint8Array(4);
    const ns = att.dma.read(0x1000, buf);
    expect(Array.from(buf)).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(att.dma.write(0x2000, Uint8Array.of(9))).toBe(ns);
    expect(f.cpu.mem8[0x2000]).toBe(0);
    expect(att.dma.aborts).toBe(2);
    expect(ns).toBe(pciTransferTime(0, PCI_ARBITRATION_CYCLES + PCI_ADDRESS_CYCLES + PCI_MASTER_ABORT_CYCLES));
    expect(recs.filter((r) => r.probe === 'master-abort').map((r) => r.f!['reason'])).toEqual(['bus-master-disabled', 'bus-master-disabled']);
    expect(att.cs.read(0x06, 2) & PCI_STATUS_REC_MASTER_ABORT).toBe(0);
  });

  test('with BME: bytes move, time is the PCI burst, written pages lose their compiled code, reads are logged', () => {
    const { sim, machine, att, f } = setup();
    configWrite(f.cpu, 6, 0x04, 2, 0x0006);
    sim.queue.runUntil(1000); // not on a PCI clock edge: the burst starts on the next one
    f.cpu.mem8.set([1, 2, 3, 4, 5, 6], 0x1001);
    const buf = new Uint8Array(6);
    const t = att.dma.read(0x1001, buf);
    expect(Array.from(buf)).toEqual([1, 2, 3, 4, 5, 6]);
    // 2 arbitration + 1 address + dwords touched by [0x1001, 0x1007) = 2 → 5 clocks, from the edge at 1020 ns.
    expect(pciBurstCycles(0x1001, 6)).toBe(5);
    expect(t).toBe(1020 + 5 * 30 - 1000);
    expect(att.dma.write(0x3ffe, Uint8Array.of(7, 8, 9, 10))).toBe(pciTransferTime(1000, pciBurstCycles(0x3ffe, 4)));
    expect(Array.from(f.cpu.mem8.subarray(0x3ffe, 0x4002))).toEqual([7, 8, 9, 10]);
    expect(f.dirtied).toEqual([[0x3ffe, 0x4002]]);
    expect(machine.log.dma.map((d) => Array.from(d))).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(att.dma.aborts).toBe(0);
  });

  test('past the end of RAM: the part inside moves, the rest reads all ones, Received Master Abort is set', () => {
    const { recs, att, f } = setup();
    configWrite(f.cpu, 6, 0x04, 2, 0x0006);
    f.cpu.mem8.set([0xaa, 0xbb], RAM - 2);
    const buf = new Uint8Array(4);
    att.dma.read(RAM - 2, buf);
    expect(Array.from(buf)).toEqual([0xaa, 0xbb, 0xff, 0xff]);
    att.dma.write(RAM - 1, Uint8Array.of(1, 2));
    expect(f.cpu.mem8[RAM - 1]).toBe(1);
    expect(att.dma.aborts).toBe(2);
    expect(att.cs.read(0x06, 2) & PCI_STATUS_REC_MASTER_ABORT).toBe(PCI_STATUS_REC_MASTER_ABORT);
    expect(recs.filter((r) => r.probe === 'master-abort').map((r) => r.f!['reason'])).toEqual(['beyond-ram', 'beyond-ram']);
  });

  test('in a replay the model gets the recorded bytes and writes go nowhere', () => {
    const sim = new Simulation(1);
    const machine = new GuestMachine(componentContext(sim, 'g', 'g.v86'), sim.rngs.stream('g.v86'), LAYOUT);
    const dev = new MmioTestDevice(componentContext(sim, 'g', 'g.nic0'));
    const att = new V86PciAttachment(machine, dev, 6, 'g.nic0');
    const log = new GuestLog();
    log.dma.push(Uint8Array.of(5, 6, 7));
    machine.startReplay(log);
    att.cs.write(0x04, 2, 0x0006);
    const buf = new Uint8Array(3);
    att.dma.read(0x5000, buf);
    expect(Array.from(buf)).toEqual([5, 6, 7]);
    expect(att.dma.write(0x5000, buf)).toBeGreaterThan(0);
    expect(log.exhausted).toBe(true);
  });
});

test('the device behind the window: copy engine and register file (used by the guest test)', () => {
  const sim = new Simulation(1);
  const dev = new MmioTestDevice(componentContext(sim, 'g', 'g.nic0'));
  const h = dev.spec.bars[0]!.handler;
  h.write(REG.SCRATCH, 4, 0x11223344);
  h.write(REG.SCRATCH + 1, 1, 0xaa);
  expect(h.read(REG.SCRATCH, 4)).toBe(0x1122aa44);
  expect(h.read(REG.SCRATCH + 2, 2)).toBe(0x1122);
  expect(h.read(REG.ACCESSES, 4)).toBe(5);
});

describe('the guest log with memory BARs', () => {
  test('access codes carry 16-bit offsets; a version-1 log (8-bit offsets) is re-encoded on load', () => {
    expect(decodeAccess(accessCode(3, 0xfffc, 4, true))).toEqual({ target: 3, offset: 0xfffc, size: 4, write: true });
    const v1code = 2 * 4096 + 0x10 * 16 + 1 * 2 + 1; // target 2, offset 0x10, size 1, write
    const l = GuestLog.load({ v: 1, quanta: [{ ops: ['text', v1code, 0x55, -1, 1234], next: 9 }], wakes: [], dma: [] } as { v: number });
    expect(l.quanta[0]!.ops).toEqual(['text', accessCode(2, 0x10, 1, true), 0x55, -1, 1234]);
    expect(l.saveState().v).toBe(2);
  });
});
