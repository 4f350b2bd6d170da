import {
  BT_EPB, BT_IDB, BT_SHB, BYTE_ORDER_MAGIC, EPB_FLAGS, EPB_OUTBOUND, IF_DESCRIPTION, IF_NAME, IF_TSRESOL, OPT_COMMENT,
  encodeOptions, epbBlock, idbBlock, readBlocks, readEpb, readOptions, shbBlock,
} from '../../emulator/machine/net/pcapng';
import { BlockRing, parseRingSize } from '../../emulator/app/capture/ring';

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const text = (b: Uint8Array | string) => (typeof b === 'string' ? b : new TextDecoder().decode(b));

describe('pcapng options', () => {
  test('each option is code, length, value padded to 32 bits; the list ends with opt_endofopt', () => {
    // "pkt 7" is 5 bytes: 4 header + 5 value + 3 padding, then 4 bytes of opt_endofopt.
    const o = encodeOptions([{ code: OPT_COMMENT, value: 'pkt 7' }]);
    expect(Array.from(o)).toEqual([1, 0, 5, 0, 0x70, 0x6b, 0x74, 0x20, 0x37, 0, 0, 0, 0, 0, 0, 0]);
    // A value already a multiple of 4 gets no padding; an empty list no opt_endofopt either.
    expect(encodeOptions([{ code: OPT_COMMENT, value: 'abcd' }]).length).toBe(4 + 4 + 4);
    expect(encodeOptions([]).length).toBe(0);
  });

  test('odd-length and multi-byte UTF-8 comments round-trip', () => {
    for (const c of ['a', 'abc', 'pkt 12345', 'größe µs']) {
      const o = encodeOptions([{ code: OPT_COMMENT, value: c }]);
      expect(o.length % 4).toBe(0);
      expect(readOptions(o).map((x) => text(x.value))).toEqual([c]);
    }
  });
});

describe('pcapng blocks', () => {
  test('SHB: type, length at both ends, byte-order magic, version 1.0, section length -1', () => {
    const b = shbBlock('qnxemu');
    const v = view(b);
    // 8 header + 16 fixed + (4 + 8 "qnxemu" padded + 4 end) options + 4 trailer.
    expect(b.length).toBe(8 + 16 + 16 + 4);
    expect([v.getUint32(0, true), v.getUint32(4, true), v.getUint32(b.length - 4, true)]).toEqual([BT_SHB, 44, 44]);
    expect(v.getUint32(8, true)).toBe(BYTE_ORDER_MAGIC);
    expect([v.getUint16(12, true), v.getUint16(14, true)]).toEqual([1, 0]);
    expect(v.getBigInt64(16, true)).toBe(-1n);
  });

  test('IDB: link type, snaplen, if_name, if_description and if_tsresol = 9 (nanoseconds)', () => {
    const b = idbBlock({ linktype: 1, snaplen: 65535, name: 'hub0:alpha', description: 'a hub' });
    const { blocks, partial } = readBlocks(b);
    expect(partial).toBe(0);
    expect(blocks[0]!.type).toBe(BT_IDB);
    const v = view(blocks[0]!.body);
    expect([v.getUint16(0, true), v.getUint16(2, true), v.getUint32(4, true)]).toEqual([1, 0, 65535]);
    const opts = readOptions(blocks[0]!.body.subarray(8));
    expect(opts.map((o) => o.code)).toEqual([IF_NAME, IF_DESCRIPTION, IF_TSRESOL]);
    expect(text(opts[0]!.value)).toBe('hub0:alpha');
    expect(Array.from(opts[2]!.value as Uint8Array)).toEqual([9]);
    // 8 + 8 fixed + (4+12 "hub0:alpha") + (4+8 "a hub") + (4+4 tsresol) + 4 end + 4.
    expect(b.length).toBe(8 + 8 + 16 + 12 + 8 + 4 + 4);
  });

  test('EPB: 64-bit nanosecond stamp split high word first, data padded, comments and flags', () => {
    const t = 5 * 2 ** 32 + 1234; // past 2^32 ns (4.3 s): the high word counts
    const data = new Uint8Array(61).map((_, i) => i);
    const b = epbBlock({ interfaceId: 2, t, data, comments: ['pkt 42', 'from alpha.nic0'], direction: EPB_OUTBOUND });
    const v = view(b);
    expect(v.getUint32(0, true)).toBe(BT_EPB);
    expect(v.getUint32(4, true)).toBe(b.length);
    expect(b.length % 4).toBe(0);
    // 8 + 20 fixed + 64 (61 padded) + (4+8) + (4+16) + (4+4 flags) + 4 end + 4.
    expect(b.length).toBe(8 + 20 + 64 + 12 + 20 + 8 + 4 + 4);
    expect([v.getUint32(8, true), v.getUint32(12, true), v.getUint32(16, true), v.getUint32(20, true), v.getUint32(24, true)]).toEqual([2, 5, 1234, 61, 61]);
    expect(Array.from(b.subarray(28 + 61, 28 + 64))).toEqual([0, 0, 0]);
    const e = readEpb(readBlocks(b).blocks[0]!);
    expect(e.t).toBe(t);
    expect(Array.from(e.data)).toEqual(Array.from(data));
    expect(e.options.filter((o) => o.code === OPT_COMMENT).map((o) => text(o.value))).toEqual(['pkt 42', 'from alpha.nic0']);
    const flags = e.options.find((o) => o.code === EPB_FLAGS)!.value as Uint8Array;
    expect(view(flags).getUint32(0, true)).toBe(EPB_OUTBOUND);
  });

  test('snaplen cuts the captured bytes and keeps the original length', () => {
    const e = readEpb(readBlocks(epbBlock({ interfaceId: 0, t: 1, data: new Uint8Array(100), snaplen: 30 })).blocks[0]!);
    expect([e.data.length, e.origLen]).toEqual([30, 100]);
  });

  test('a bad time stamp is refused; a reader stops at a block cut short and refuses a bad length', () => {
    expect(() => epbBlock({ interfaceId: 0, t: -1, data: new Uint8Array(1) })).toThrow(RangeError);
    const two = new Uint8Array([...shbBlock('x'), ...epbBlock({ interfaceId: 0, t: 0, data: new Uint8Array(14) })]);
    const cut = readBlocks(two.subarray(0, two.length - 3));
    expect([cut.blocks.length, cut.partial]).toEqual([1, two.length - 3 - cut.blocks[0]!.length]);
    const bad = two.slice();
    view(bad).setUint32(4, 30, true);
    expect(() => readBlocks(bad)).toThrow(/bad total length 30/);
  });
});

describe('capture ring', () => {
  const blk = (n: number) => new Uint8Array(n).fill(n & 0xff);

  test('keeps the newest blocks whose sizes add up to at most the limit; headers always', () => {
    const r = new BlockRing(100);
    r.pushHeader(blk(8));
    for (const n of [40, 36, 44, 20, 32]) r.push(blk(n));
    // Newest first: 32 + 20 + 44 = 96 ≤ 100; adding 36 would make 132.
    expect([r.packets, r.bytes, r.total]).toEqual([3, 96, 5]);
    expect(Array.from(r.contents())).toEqual([...blk(8), ...blk(44), ...blk(20), ...blk(32)]);
  });

  test('a block larger than the ring is not kept', () => {
    const r = new BlockRing(16);
    r.push(blk(12));
    r.push(blk(20));
    expect([r.packets, r.bytes]).toEqual([0, 0]);
  });

  test('many blocks: the front is compacted and the last ones stay in order', () => {
    const r = new BlockRing(40);
    for (let i = 0; i < 5000; i++) r.push(Uint8Array.of(i & 0xff, 0, 0, 0));
    expect(r.packets).toBe(10);
    expect(Array.from(r.contents().filter((_, i) => i % 4 === 0))).toEqual([4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999].map((i) => i & 0xff));
  });

  test('sizes: bytes, K/M/G/T as powers of 1024, an optional B; 0 and junk are refused', () => {
    expect(parseRingSize('4096')).toBe(4096);
    expect(parseRingSize('20M')).toBe(20 * 1024 * 1024);
    expect(parseRingSize('20MB')).toBe(20 * 1024 * 1024);
    expect(parseRingSize('512k')).toBe(512 * 1024);
    expect(parseRingSize('0')).toMatch(/empty/);
    expect(parseRingSize('lots')).toMatch(/not a size/);
  });
});
