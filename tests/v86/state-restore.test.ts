/**
 * emulator/machine/v86/v86-state.ts against v86's own restore_state, on a real v86 (no boot: the BIOS and the start of
 * the kernel, a few hundred quanta). One state saved from instance A is restored into two fresh instances, B with v86's
 * `restore_state` (the whole ArrayBuffer), C with `restoreV86State` from the state cut in odd-sized parts (so page runs
 * and small buffers straddle parts). Before restoring, both get junk in a page that is zero in the state, and C's
 * guest RAM is compared with B's and A's; their whole wasm memories (the core outside RAM too) and what they save
 * again must be byte for byte the same.
 */
import { scenarioOf } from '../guest/helpers';
import { prepareGuests } from '../../emulator/app/assembly/guest-node';
import { withHost, type V86Host, type V86Instance } from '../../emulator/machine/v86/v86-runtime';
import { PartedBytes, restoreV86State } from '../../emulator/machine/v86/v86-state';

const scenario = scenarioOf(
  `name: v86-state
nodes:
  g:
    kind: guest
    nics: [{ model: rtl8029, mac: "52:54:00:00:00:03", link: hub0 }]
links:
  hub0: { type: hub }
`,
  'v86-state',
);

/** A host whose clock moves 0.01 ms per read (v86 runs its timers off it), the same for every instance. */
function host(): V86Host {
  let ms = 0;
  return { microtick: () => (ms += 0.01), dateNow: () => 1_700_000_000_000, random: () => 0.25, fillRandom: (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength).fill(7) };
}

function cut(state: ArrayBuffer, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < state.byteLength; at += size) parts.push(new Uint8Array(state, at, Math.min(size, state.byteLength - at)));
  return parts;
}

let a: V86Instance;
let b: V86Instance;
let c: V86Instance;
let state: ArrayBuffer;
let junkPage = -1;

beforeAll(async () => {
  const prepared = await prepareGuests(scenario, { count: 3 });
  [a, b, c] = [prepared.take('g'), prepared.take('g'), prepared.take('g')];
  const h = host();
  withHost(h, () => {
    for (let i = 0; i < 150; i++) {
      a.machine.cpu.main_loop();
      a.finishJit();
    }
  });
  state = withHost(host(), () => a.machine.save_state());
  const ram = a.machine.cpu.mem8;
  // A page that is zero in the state but will not be in the instances restored into (junk written first).
  for (let p = 0x200; p < ram.length >>> 12 && junkPage < 0; p++) if (ram.subarray(p << 12, (p + 1) << 12).every((x) => x === 0)) junkPage = p;
  for (const inst of [b, c]) inst.machine.cpu.mem8.fill(0xaa, junkPage << 12, (junkPage + 1) << 12);
  withHost(host(), () => b.machine.restore_state(state));
  withHost(host(), () => restoreV86State(c.machine.cpu, new PartedBytes(cut(state, 1024 * 1024 + 13))));
}, 120_000);

test('the guest RAM is the saved one, and the same as v86 restore_state leaves it', () => {
  expect(junkPage).toBeGreaterThan(0);
  const ram = (i: V86Instance): Buffer => Buffer.from(i.machine.cpu.mem8.buffer, i.machine.cpu.mem8.byteOffset, i.machine.cpu.mem8.byteLength);
  expect(ram(c).subarray(junkPage << 12, (junkPage + 1) << 12).every((x) => x === 0)).toBe(true);
  expect(ram(c).equals(ram(a))).toBe(true);
  expect(ram(c).equals(ram(b))).toBe(true);
});

test('the whole wasm memory and the state saved again equal those of v86 restore_state', () => {
  const mem = (i: V86Instance): Buffer => Buffer.from(i.machine.cpu.wasm_memory.buffer);
  expect(mem(c).equals(mem(b))).toBe(true);
  const again = (i: V86Instance): Buffer => Buffer.from(withHost(host(), () => i.machine.save_state()));
  expect(again(c).equals(again(b))).toBe(true);
});

test('unpack_memory is v86 own again afterwards, and a broken state is refused', () => {
  expect(Object.prototype.hasOwnProperty.call(c.machine.cpu, 'unpack_memory')).toBe(false);
  const bad = new Uint8Array(state.slice(0, 64));
  bad[4] = 5; // version 5
  expect(() => restoreV86State(c.machine.cpu, new PartedBytes([bad]))).toThrow(/^v86 state: version 5, this v86 reads 6$/);
  expect(() => restoreV86State(c.machine.cpu, new PartedBytes(cut(state, 4096).slice(0, -1)))).toThrow(/^v86 state: the header says \d+ bytes, there are \d+$/);
});

test('PartedBytes copies across part boundaries', () => {
  const bytes = new PartedBytes([Uint8Array.of(1, 2, 3), Uint8Array.of(), Uint8Array.of(4, 5), Uint8Array.of(6)]);
  expect(bytes.length).toBe(6);
  const out = new Uint8Array(6);
  bytes.copyTo(out, 1, 2, 4);
  expect([...out]).toEqual([0, 3, 4, 5, 6, 0]);
  expect([...new Uint8Array(bytes.slice(0, 6))]).toEqual([1, 2, 3, 4, 5, 6]);
  expect(() => bytes.copyTo(out, 0, 4, 3)).toThrow(/past its end/);
});
