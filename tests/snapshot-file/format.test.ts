/**
 * Snapshot files (emulator/app/assembly/snapshot-file.ts, docs/formats/snapshot.md): what is written is read back
 * the same with either codec, v86 state cut in parts and joined again; and every damaged or foreign file is one
 * SnapshotFileError line (signature, format version, qnxemu version, truncation, a flipped byte, extra bytes).
 */
import { version } from '../../package.json';
import type { Scenario } from '../../emulator/app/scenario/types';
import type { SimSnapshot } from '../../emulator/app/assembly/snapshot';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeSnapshotFile, encodeSnapshotFile, readSnapshotFileAsync, scenarioHash, SnapshotFileError, V86_PART_BYTES, type SnapshotCodec } from '../../emulator/app/assembly/snapshot-file';
import type { GuestMachineState } from '../../emulator/machine/v86/guest-machine';
import type { GuestClockState } from '../../emulator/machine/v86/guest-clock';

const scenario = { name: 'fmt', file: '/x/fmt.yaml', dir: '/x', seed: 7, until: 5e9, nodes: [], links: [] } as unknown as Scenario;

const clock: GuestClockState = { v: 2, start: 0, instructions: 5, reads: 3, idle: 0, nsPerInstruction: 1, rateFrom: 0, rateBase: 0, stall: 0 } as GuestClockState;

/** v86 bytes over two parts (pseudo-random so they do not compress to nothing, with a run of zeros). */
function v86Bytes(n: number): ArrayBuffer {
  const b = new Uint8Array(n);
  let x = 1;
  for (let i = 0; i < n; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  b.fill(0, 1000, 300_000);
  return b.buffer;
}

function snapshot(): SimSnapshot {
  const machine = { v: 1, pokes: 4, poweredOn: true, clock, rng: [1, 2, 3, 4], log: { v: 2, quanta: [{ ops: [1, 2, 'x'], next: 9 }], wakes: [], dma: [] } } as unknown as GuestMachineState;
  return {
    v: 1,
    scenario: 'fmt',
    seed: 7,
    verbose: false,
    time: 2_000_000_000,
    traceDigest: 'ab'.repeat(32),
    traceCount: 12,
    events: ['alpha.tick@2000000100', 'run.until@5000000000'],
    guests: [{ name: 'linux1', machine, v86: v86Bytes(V86_PART_BYTES + 12_345), clockAtRestore: clock }],
  };
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SnapshotFileError);
    expect((e as Error).message).not.toMatch(/\n/);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe.each<SnapshotCodec>(['deflate', 'brotli'])('%s', (codec) => {
  test('round trip: header, meta at once, v86 bytes once decompressed', async () => {
    const snap = snapshot();
    const bytes = encodeSnapshotFile(snap, scenario, codec);
    const loaded = decodeSnapshotFile(bytes);
    expect(loaded.header).toMatchObject({ qnxemu: version, codec, seed: 7, time: 2e9, guests: ['linux1'], scenario: { name: 'fmt', hash: scenarioHash(scenario) } });
    expect(loaded.header.parts.map((p) => p.name)).toEqual(['meta', 'v86:linux1:0', 'v86:linux1:1']);
    expect(loaded.snapshot.events).toEqual(snap.events);
    expect(loaded.snapshot.guests[0]!.machine).toEqual(snap.guests[0]!.machine);
    const full = await loaded.withV86;
    expect(Buffer.from(full.guests[0]!.v86).equals(Buffer.from(snap.guests[0]!.v86))).toBe(true);
    expect({ ...full, guests: [] }).toEqual({ ...snap, guests: [] });
    // What a restore uses: the same bytes as the parts, not joined (GuestMachine.takeOver reads them in place).
    const parts = await loaded.v86Parts;
    expect(parts.map((ps) => ps.map((p) => p.byteLength))).toEqual([[V86_PART_BYTES, 12_345]]);
    expect(Buffer.concat(parts[0]!).equals(Buffer.from(snap.guests[0]!.v86))).toBe(true);
  });

  test('a flipped byte in a v86 part is refused when its bytes are wanted', async () => {
    const bytes = encodeSnapshotFile(snapshot(), scenario, codec);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x40;
    await expect(decodeSnapshotFile(bytes).withV86).rejects.toThrow(/^corrupt: part v86:linux1:1 does not match its SHA-256$/);
    await expect(decodeSnapshotFile(bytes).v86Parts).rejects.toThrow(/^corrupt: part v86:linux1:1 does not match its SHA-256$/);
  });
});

test('readSnapshotFileAsync: the file as readSnapshotFile reads it; an unreadable one is one SnapshotFileError line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapfmt-'));
  try {
    const file = path.join(dir, 's.snap');
    fs.writeFileSync(file, encodeSnapshotFile(snapshot(), scenario));
    const loaded = await readSnapshotFileAsync(file);
    expect(loaded.snapshot.events).toEqual(snapshot().events);
    expect(Buffer.concat((await loaded.v86Parts)[0]!).equals(Buffer.from(snapshot().guests[0]!.v86))).toBe(true);
    await expect(readSnapshotFileAsync(path.join(dir, 'none.snap'))).rejects.toThrow(new SnapshotFileError('cannot read it: no such file'));
    await expect(readSnapshotFileAsync(dir)).rejects.toThrow(new SnapshotFileError('cannot read it: is a folder'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('refused files', () => {
  const good = (): Buffer => encodeSnapshotFile(snapshot(), scenario);
  test('not a snapshot', () => {
    expect(errorOf(() => decodeSnapshotFile(Buffer.from('name: x\nnodes: {}\n')))).toBe('not a qnxemu snapshot file (no QNXESNAP signature)');
  });
  test('another format version', () => {
    const b = good();
    b.writeUInt32LE(2, 8);
    expect(errorOf(() => decodeSnapshotFile(b))).toBe(`snapshot format version 2; this qnxemu (${version}) reads version 1`);
  });
  test('another qnxemu version', () => {
    const b = good();
    const len = b.readUInt32LE(12);
    const head = b.toString('utf8', 16, 16 + len).replace(`"qnxemu":"${version}"`, `"qnxemu":"${version.replace(/.$/, '9')}"`);
    const other = Buffer.concat([b.subarray(0, 16), Buffer.from(head), b.subarray(16 + len)]);
    other.writeUInt32LE(Buffer.byteLength(head), 12);
    expect(errorOf(() => decodeSnapshotFile(other))).toMatch(/^written by qnxemu \S+; this is qnxemu \S+ \(a snapshot is replayed/);
  });
  test('truncated, anywhere', () => {
    const b = good();
    expect(errorOf(() => decodeSnapshotFile(b.subarray(0, 10)))).toBe('not a qnxemu snapshot file (no QNXESNAP signature)');
    expect(errorOf(() => decodeSnapshotFile(b.subarray(0, 40)))).toMatch(/^truncated: the header needs \d+ bytes/);
    expect(errorOf(() => decodeSnapshotFile(b.subarray(0, b.length - 1)))).toMatch(/^truncated: the header describes \d+ bytes, the file has \d+$/);
  });
  test('extra bytes, a damaged header, a damaged meta part', () => {
    expect(errorOf(() => decodeSnapshotFile(Buffer.concat([good(), Buffer.from('x')])))).toMatch(/^corrupt: the header describes/);
    const h = good();
    h[16] = 0x5d; // ']' for the header's opening brace
    expect(errorOf(() => decodeSnapshotFile(h))).toBe('corrupt: the header is not valid JSON');
    const f = good();
    f.write('"qnxemX"', 17, 'latin1'); // the header's first key, "qnxemu", renamed
    expect(errorOf(() => decodeSnapshotFile(f))).toBe('corrupt: the header lacks its fields');
    const m = good();
    const metaAt = 16 + m.readUInt32LE(12);
    m[metaAt + 5] = m[metaAt + 5]! ^ 1;
    expect(errorOf(() => decodeSnapshotFile(m))).toBe('corrupt: part meta does not match its SHA-256');
  });
});

test("the scenario's hash ignores where it lives, its seed and its end; not its content", () => {
  const moved = { ...scenario, file: '/y/f.yaml', dir: '/y', seed: 9, until: 1 } as Scenario;
  expect(scenarioHash(moved)).toBe(scenarioHash(scenario));
  expect(scenarioHash({ ...scenario, name: 'other' })).not.toBe(scenarioHash(scenario));
});
