/**
 * A real Linux guest (v86) drives a PCI function with a memory BAR and a bus-master copy engine
 * (mmio-test-device.ts) with `devmem` and sysfs: the BAR where SeaBIOS put it (design risk R9), accesses of
 * every width, the guest moving the BAR, a move over v86's frame buffer refused, memory decode and Bus Master
 * Enable honoured, DMA into and out of guest RAM (RAM the BIOS map reserves, so `devmem` may touch it)
 * and a master abort past the end of RAM. The guest's bus stall time must equal the sum of the PCI transactions
 * it made; a snapshot taken afterwards must replay to the same device state and trace, and continue alike.
 *
 * The guest boots once, built at the machine level (no scenario: the test device is not a NIC kind).
 */
import * as fs from 'node:fs';
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { RngFactory } from '../../emulator/machine/sim/rng';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { configCycleNs, pciAccessNs } from '../../emulator/machine/board/pci-bus';
import { pciBurstCycles, pciTransferTime } from '../../emulator/machine/board/dma';
import { GuestMachine, type GuestMachineState } from '../../emulator/machine/v86/guest-machine';
import { decodeAccess, GuestLog } from '../../emulator/machine/v86/guest-log';
import type { GuestClockState } from '../../emulator/machine/v86/guest-clock';
import { V86PciAttachment } from '../../emulator/machine/v86/v86-pci';
import { createV86, GUEST_EPOCH_MS, withHost, type V86Instance } from '../../emulator/machine/v86/v86-runtime';
import { ShellDriver } from '../../emulator/app/assembly/shell-driver';
import { GUEST_VGA_BYTES } from '../../emulator/app/assembly/guest-node';
import { ensureGuestImage, GUEST_PROMPT, guestCmdline } from '../../emulator/app/guest-image';
import { MmioTestDevice, TEST_DEV_TIMING } from './mmio-test-device';
import { MS, SEC } from './helpers';

const RAM = 128 * 1024 * 1024;
const SEED = 11;
/**
 * 64 KiB of RAM at 127 MiB that is not System RAM, so /dev/mem (STRICT_DEVMEM) lets devmem in: v86's SeaBIOS map
 * already reserves the top 16 MiB of a 128 MiB guest; `memmap=` makes sure of it should that change.
 */
const RESERVED = 0x07f00000;
const CMDLINE = guestCmdline({ hostname: 'mmio', extra: ['cryptomgr.notests', `memmap=64K$0x${RESERVED.toString(16)}`] });
const D = '/sys/bus/pci/devices/0000:00:06.0';
const cfgw = (bytes: string, bs: number, seek: number) => `printf '${bytes}' | dd of=$D/config bs=${bs} seek=${seek} count=1 conv=notrunc 2>/dev/null`;

/** Typed at the prompt one after the other, in both the recorded run and the replay (so both type alike). */
const COMMANDS = [
  `D=${D}; read B E F < $D/resource; echo "bar=$B"`,
  'cat /proc/iomem',
  'echo "id=$(devmem $B 32)"',
  'devmem $((B+4)) 32 0xcafef00d; echo "scratch=$(devmem $((B+4)) 32)"',
  `${cfgw('\\000\\000\\260\\375', 4, 4)}; echo "moved=$(devmem 0xfdb00000 32) old=$(devmem $B 32)"`,
  `${cfgw('\\000\\000\\000\\340', 4, 4)}; echo "lfb=$(devmem 0xe0000000 32) gone=$(devmem 0xfdb00000 32)"`,
  `${cfgw('\\000\\000\\260\\375', 4, 4)}; echo "back=$(devmem 0xfdb00000 32)"`,
  'devmem 0xfdb08000 16 0xbeef; devmem 0xfdb08002 8 0x5a; echo "w16=$(devmem 0xfdb08000 16) w32=$(devmem 0xfdb08000 32)"',
  `${cfgw('\\000\\000', 2, 2)}; echo "off=$(devmem 0xfdb00000 32)"; ${cfgw('\\002\\000', 2, 2)}; echo "on=$(devmem 0xfdb00000 32)"`,
  `M=${RESERVED}; devmem $M 32 0x04030201; devmem $((M+4)) 32 0x08070605; devmem $((M+8)) 32 0x0c0b0a09; devmem $((M+12)) 32 0x100f0e0d`,
  'devmem 0xfdb00010 32 $M; devmem 0xfdb00014 32 $((M+256)); devmem 0xfdb00018 32 16; devmem 0xfdb0001c 32 1; echo "nobme=$(devmem 0xfdb0001c 32) dst=$(devmem $((M+256)) 32)"',
  `${cfgw('\\006\\000', 2, 2)}; devmem 0xfdb0001c 32 1; echo "bme=$(devmem 0xfdb0001c 32) sum=$(devmem 0xfdb00020 32) dst=$(devmem $((M+256)) 32) $(devmem $((M+268)) 32)"`,
  'devmem 0xfdb00014 32 0x08000000; devmem 0xfdb0001c 32 1; echo "beyond=$(devmem 0xfdb0001c 32) status=$(dd if=$D/config bs=2 skip=3 count=1 2>/dev/null | od -An -tx2)"',
  'echo "acc=$(devmem 0xfdb00024 32)"',
];

interface World {
  sim: Simulation;
  machine: GuestMachine;
  dev: MmioTestDevice;
  att: V86PciAttachment;
  shell: ShellDriver;
  recs: TraceRecord[];
}

function world(source: { live: V86Instance } | { replay: GuestLog }): World {
  const sim = new Simulation(SEED);
  const recs: TraceRecord[] = [];
  sim.tracer.addSink((r) => recs.push(r));
  const ctx = (n: string) => componentContext(sim, 'g', `g.${n}`);
  const machine = new GuestMachine(ctx('v86'), sim.rngs.stream('g.v86'), { ramBytes: RAM, vgaBytes: GUEST_VGA_BYTES });
  const dev = new MmioTestDevice(ctx('nic0'));
  const att = new V86PciAttachment(machine, dev, 6, 'g.nic0');
  dev.attachDma(att.dma);
  const shell = new ShellDriver(ctx('console'), GUEST_PROMPT, { line: () => undefined }, (t) => machine.poke(() => machine.v86?.starter.serial0_send(t)), COMMANDS);
  machine.onSerial((t) => shell.output(t));
  if ('live' in source) machine.bind(source.live);
  else machine.startReplay(source.replay);
  machine.powerOn();
  return { sim, machine, dev, att, shell, recs };
}

async function newV86(): Promise<V86Instance> {
  const img = await ensureGuestImage({ log: () => undefined });
  const file = (f: string) => {
    const b = fs.readFileSync(f);
    return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  const rng = new RngFactory(SEED).stream('g.v86-construct');
  return createV86(
    {
      memory_size: RAM,
      vga_memory_size: GUEST_VGA_BYTES,
      bios: file(img.bios),
      vga_bios: file(img.vgaBios),
      bzimage: file(img.kernel),
      initrd: file(img.initrd),
      cmdline: CMDLINE,
      autostart: false,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      acpi: false,
      net_device: { type: 'none' },
    },
    { microtick: () => 0, dateNow: () => GUEST_EPOCH_MS, random: () => rng.float(), fillRandom: (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength).fill(0) },
  );
}

function runUntil(w: World, done: () => boolean, limit: number): boolean {
  const q = w.sim.queue;
  const end = q.now + limit;
  while (q.now < end && !done()) q.runUntil(Math.min(end, q.now + 10 * MS));
  return done();
}

/** The rest of the guest's console line after `key=` (last such line that is not the typed command). */
function val(w: World, key: string): string {
  const re = new RegExp(`(?:^|\\s)${key}=(.*)$`);
  const line = [...w.shell.lines].reverse().find((l) => re.test(l) && !l.includes('echo '));
  if (!line) throw new Error(`no ${key}= on the console: ${w.shell.lines.slice(-30).join(' | ')}`);
  return re.exec(line)![1]!;
}

let live: World;
let snap: { time: number; digest: string; machine: GuestMachineState; v86: ArrayBuffer; clockAtRestore: GuestClockState; dev: object };

beforeAll(async () => {
  live = world({ live: await newV86() });
  const ok = runUntil(live, () => live.shell.ready && live.shell.idle && live.shell.typed === COMMANDS.length, 60 * SEC);
  if (!ok) throw new Error(`guest did not finish: ${live.shell.lines.slice(-20).join(' | ')}`);
  live.sim.queue.runUntil(live.sim.queue.now + 10 * MS);
  const inst = live.machine.v86!;
  let clockAtRestore: GuestClockState | null = null;
  const v86 = withHost(live.machine.host, () => {
    const s = inst.machine.save_state();
    clockAtRestore = live.machine.clock.saveState();
    inst.machine.restore_state(s);
    return s;
  });
  snap = { time: live.sim.queue.now, digest: live.sim.tracer.digest(), machine: live.machine.saveState(), v86, clockAtRestore: clockAtRestore!, dev: live.dev.state() };
}, 180_000);

describe('a Linux guest on a memory BAR and a bus master', () => {
  test("the BAR is decoded where firmware put it, clear of v86's regions (R9), and reads back the device", () => {
    const maps = live.recs.filter((r) => r.layer === 'pci' && r.probe.startsWith('bar-'));
    const first = maps[0]!;
    expect(first.probe).toBe('bar-map');
    const base = first.f!['base'] as number;
    expect(val(live, 'bar')).toBe(`0x${base.toString(16).padStart(16, '0')}`);
    expect(live.shell.lines.some((l) => l.trim() === `${base.toString(16).padStart(8, '0')}-${(base + 0xffff).toString(16)} : 0000:00:06.0`)).toBe(true);
    // The RAM the DMA test uses is not System RAM (v86's BIOS map already reserves the top 16 MiB; memmap= makes sure).
    const reserved = live.shell.lines.map((l) => /^([0-9a-f]{8})-([0-9a-f]{8}) : Reserved$/.exec(l.trim())).filter((m) => m !== null);
    expect(reserved.some((m) => parseInt(m[1]!, 16) <= RESERVED && parseInt(m[2]!, 16) >= RESERVED + 0xffff)).toBe(true);
    // R9: SeaBIOS allocates downwards from 0xfec00000; the BAR lands in v86's VGA-ROM MiB, past the ROM.
    expect(base).toBe(0xfebe0000);
    expect(maps.filter((r) => r.probe === 'bar-conflict' && r.t < first.t)).toEqual([]);
    expect(val(live, 'id')).toBe('0x1B360005');
    expect(val(live, 'scratch')).toBe('0xCAFEF00D');
  });

  test('the guest moves the BAR; a move over the VGA frame buffer is refused; memory decode is honoured', () => {
    // The old place is v86's VGA-ROM MiB again, which reads 0 past the ROM image.
    expect(val(live, 'moved')).toBe('0x1B360005 old=0x00000000');
    expect(val(live, 'lfb')).not.toMatch(/^0x1B360005/);
    expect(val(live, 'gone')).toBe('0xFFFFFFFF');
    expect(val(live, 'back')).toBe('0x1B360005');
    expect(val(live, 'off')).toBe('0xFFFFFFFF');
    expect(val(live, 'on')).toBe('0x1B360005');
    const conflicts = live.recs.filter((r) => r.probe === 'bar-conflict').map((r) => [r.f!['base'], r.f!['holder']]);
    expect(conflicts).toEqual([[0xe0000000, 'vga-lfb']]);
  });

  test('16-bit and 8-bit accesses reach the device as byte accesses', () => {
    expect(val(live, 'w16')).toBe('0xBEEF w32=0x005ABEEF');
    const ram = live.dev.accesses.filter((a) => a.offset >= 0x8000);
    expect(ram.map((a) => `${a.write ? 'w' : 'r'}${a.size * 8} ${a.offset.toString(16)}`)).toEqual(['w8 8000', 'w8 8001', 'w8 8002', 'r8 8000', 'r8 8001', 'r32 8000']);
  });

  test('DMA: refused without Bus Master Enable, copies guest RAM with it, master-aborts past the end of RAM', () => {
    expect(val(live, 'nobme')).toBe('0x00000006 dst=0x00000000');
    expect(val(live, 'bme')).toBe('0x00000002 sum=0x00000088 dst=0x04030201 0x100F0E0D');
    expect(val(live, 'beyond')).toMatch(/^0x00000006 status=\s*2200/);
    const aborts = live.recs.filter((r) => r.probe === 'master-abort').map((r) => `${r.f!['op']} ${r.f!['reason']}`);
    expect(aborts).toEqual(['read bus-master-disabled', 'write bus-master-disabled', 'write beyond-ram']);
    for (const c of live.dev.copies) {
      if (c.aborted) continue;
      expect(c.readNs).toBe(pciTransferTime(c.start, pciBurstCycles(c.src, c.len)));
      expect(c.writeNs).toBe(pciTransferTime(c.start, pciBurstCycles(c.dst, c.len)));
    }
    // 16 aligned bytes: 2 arbitration + 1 address + 4 data phases = 7 clocks of 30 ns from the next clock edge.
    expect(pciBurstCycles(RESERVED, 16)).toBe(7);
  });

  test("the guest's bus stall time is exactly the PCI transactions it made (configuration and BAR)", () => {
    let expected = 0;
    let bar = 0;
    for (const q of live.machine.log.quanta) {
      for (let i = 0; i < q.ops.length; ) {
        const op = q.ops[i]!;
        if (typeof op === 'string') {
          i++;
          continue;
        }
        i += 2;
        if (op === -1) continue;
        const a = decodeAccess(op);
        if (a.target === 0) expected += configCycleNs('medium', a.write);
        else {
          bar++;
          expected += pciAccessNs(TEST_DEV_TIMING, 0, 'mem32', a.offset, a.size, a.write);
        }
      }
    }
    expect(bar).toBe(live.dev.accesses.length);
    expect(Number(val(live, 'acc'))).toBe(live.dev.accesses.length);
    expect(live.machine.clock.stallNs).toBe(expected);
  });

  test('a snapshot replays to the same device and trace, and continues exactly as the original', async () => {
    const r = world({ replay: GuestLog.load(snap.machine.log) });
    r.sim.queue.runUntil(snap.time);
    expect(r.machine.divergence).toBeNull();
    expect(r.sim.tracer.digest()).toBe(snap.digest);
    expect(r.dev.state()).toEqual(snap.dev);
    r.machine.takeOver(await newV86(), snap.v86, snap.machine, snap.clockAtRestore);
    const step = (w: World): string[] => {
      const from = w.shell.lines.length;
      w.shell.run('echo "after=$(devmem 0xfdb00004 32) $(devmem 0xfdb08000 32)"');
      if (!runUntil(w, () => w.shell.idle, 20 * SEC)) throw new Error('command did not finish');
      w.sim.queue.runUntil(w.sim.queue.now + 50 * MS);
      return w.shell.lines.slice(from);
    };
    const a = step(live);
    const b = step(r);
    expect(b).toEqual(a);
    expect(val(r, 'after')).toBe('0xCAFEF00D 0x005ABEEF');
    expect(r.sim.queue.now).toBe(live.sim.queue.now);
    expect(r.sim.tracer.digest()).toBe(live.sim.tracer.digest());
  });
});
