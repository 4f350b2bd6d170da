import { bitNames, RegisterTable, type RegisterDef, type UnmappedAccess } from '../../emulator/machine/bus/register-table';

/** A byte register backed by a variable, with a log of reads and writes. */
function cell(offset: number, name: string, access: RegisterDef['access'], log: string[], init = 0): RegisterDef & { value: number } {
  const c = {
    offset, name, width: 1 as const, access, value: init,
    ...(access !== 'wo' ? { read: () => (log.push(`r ${name}`), c.value) } : {}),
    ...(access === 'rw' || access === 'w1c' || access === 'wo' ? { write: (v: number) => (log.push(`w ${name} ${v}`), (c.value = v)) } : {}),
    ...(access === 'wo' ? { peek: () => c.value } : {}),
  };
  return c;
}

describe('RegisterTable validation', () => {
  const ok = (defs: RegisterDef[], span = 16) => new RegisterTable('dev', defs, { span });
  const nop = (): number => 0;
  const set = (): void => {};

  test('a read-only and a write-only register may share an offset (DP8390 page 0 CLDA0/PSTART)', () => {
    const t = ok([
      { offset: 1, name: 'CLDA0', width: 1, access: 'ro', read: nop },
      { offset: 1, name: 'PSTART', width: 1, access: 'wo', write: set },
    ]);
    expect(t.reader(1)!.name).toBe('CLDA0');
    expect(t.writer(1)!.name).toBe('PSTART');
    expect(t.registerNames).toEqual(['CLDA0', 'PSTART']);
  });

  test('two readers or two writers of one byte are refused, also when widths overlap partly', () => {
    expect(() => ok([
      { offset: 1, name: 'A', width: 1, access: 'rw', read: nop, write: set },
      { offset: 1, name: 'B', width: 1, access: 'ro', read: nop },
    ])).toThrow(/B and A are both read at 0x1/);
    expect(() => ok([
      { offset: 1, name: 'A', width: 1, access: 'rw', read: nop, write: set },
      { offset: 1, name: 'B', width: 1, access: 'wo', write: set },
    ])).toThrow(/B and A are both written at 0x1/);
    expect(() => ok([
      { offset: 4, name: 'W', width: 4, access: 'ro', read: nop },
      { offset: 6, name: 'H', width: 2, access: 'ro', read: nop },
    ])).toThrow(/H and W are both read at 0x6/);
  });

  test('names unique, widths 1/2/4, natural alignment, inside the window', () => {
    expect(() => ok([
      { offset: 0, name: 'X', width: 1, access: 'ro', read: nop },
      { offset: 1, name: 'X', width: 1, access: 'ro', read: nop },
    ])).toThrow(/name X used twice/);
    expect(() => ok([{ offset: 0, name: 'X', width: 3 as 1, access: 'ro', read: nop }])).toThrow(/width 3 is not 1, 2 or 4/);
    expect(() => ok([{ offset: 2, name: 'X', width: 4, access: 'ro', read: nop }])).toThrow(/not aligned to its width 4/);
    expect(() => ok([{ offset: 16, name: 'X', width: 1, access: 'ro', read: nop }])).toThrow(/outside the 16-byte window/);
    expect(() => ok([{ offset: 12, name: 'X', width: 8 as 4, access: 'ro', read: nop }])).toThrow(/width 8/);
    expect(() => ok([{ offset: 0, name: '', width: 1, access: 'ro', read: nop }])).toThrow(/has no name/);
  });

  test('access agrees with the functions given; read side effects need a peek; reset fits the width', () => {
    expect(() => ok([{ offset: 0, name: 'X', width: 1, access: 'ro', read: nop, write: set }])).toThrow(/access 'ro' must not have a write/);
    expect(() => ok([{ offset: 0, name: 'X', width: 1, access: 'wo', read: nop, write: set }])).toThrow(/access 'wo' must not have a read/);
    expect(() => ok([{ offset: 0, name: 'X', width: 1, access: 'rw', read: nop }])).toThrow(/access 'rw' needs a write/);
    expect(() => ok([{ offset: 0, name: 'X', width: 1, access: 'w1c', write: set }])).toThrow(/access 'w1c' needs a read/);
    expect(() => ok([{ offset: 0, name: 'X', width: 1, access: 'rc', read: nop }])).toThrow(/read-to-clear register must say what its read does/);
    expect(() => ok([{ offset: 0, name: 'X', width: 1, access: 'rc', readEffect: 'clears', read: nop }])).toThrow(/needs a peek/);
    expect(() => ok([{ offset: 0, name: 'X', width: 1, access: 'ro', readEffect: 'pops', read: nop }])).toThrow(/needs a peek/);
    expect(() => ok([{ offset: 0, name: 'X', width: 1, access: 'ro', reset: 0x100, read: nop }])).toThrow(/reset value 256 does not fit 1 byte/);
    expect(() => ok([{ offset: 0, name: 'X', width: 2, access: 'ro', reset: 0xffff, read: nop }])).not.toThrow();
    expect(() => new RegisterTable('dev', [], { span: 0 })).toThrow(/span 0/);
    expect(() => new RegisterTable('dev', [{ offset: 0, name: 'X', width: 2, access: 'ro', read: nop }], { span: 4, wide: 'split' })).toThrow(/byte-wide registers only/);
  });
});

describe('RegisterTable dispatch', () => {
  test('reads and writes reach the register at the offset, masked to its width, with hooks around them', () => {
    const log: string[] = [];
    const a = cell(0, 'A', 'rw', log, 0x1234);
    const t = new RegisterTable('dev', [a], {
      span: 4,
      onRead: (r, v) => log.push(`hook-read ${r.name} ${v}`),
      onWrite: (r, v) => log.push(`hook-write ${r.name} ${v}`),
    });
    expect(t.read(0, 1)).toBe(0x34);
    t.write(0, 1, 0x1ff);
    expect(a.value).toBe(0xff);
    expect(log).toEqual(['r A', 'hook-read A 52', 'hook-write A 255', 'w A 255']);
  });

  test('unknown offsets read open bus and writes are dropped, reported, never thrown', () => {
    const log: string[] = [];
    const misses: UnmappedAccess[] = [];
    const t = new RegisterTable('dev', [cell(0, 'RO', 'ro', log, 7), cell(1, 'WO', 'wo', log)], { span: 8, unmapped: (m) => misses.push(m) });
    expect(t.read(5, 1)).toBe(0xff);
    expect(t.read(4, 4)).toBe(0xffffffff);
    expect(t.read(1, 1)).toBe(0xff); // a write-only register has no read side
    t.write(0, 1, 3); // a read-only register takes no write
    t.write(9, 2, 0xabcd);
    expect(misses.map((m) => [m.dir, m.offset, m.size, m.value, m.other?.name])).toEqual([
      ['read', 5, 1, undefined, undefined],
      ['read', 4, 4, undefined, undefined],
      ['read', 1, 1, undefined, 'WO'],
      ['write', 0, 1, 3, 'RO'],
      ['write', 9, 2, 0xabcd, undefined],
    ]);
    expect(log).toEqual([]);
  });

  test("'reject': an access of another width is unmapped (the I/O APIC takes dwords only)", () => {
    const log: string[] = [];
    const misses: string[] = [];
    const t = new RegisterTable('dev', [{ offset: 0, name: 'D', width: 4, access: 'rw', read: () => 0x11223344, write: (v) => log.push(`w ${v}`) }], {
      span: 4,
      unmapped: (m) => misses.push(`${m.dir} ${m.size}`),
    });
    expect(t.read(0, 4)).toBe(0x11223344);
    expect(t.read(0, 1)).toBe(0xff);
    t.write(0, 2, 5);
    expect(misses).toEqual(['read 1', 'write 2']);
    expect(log).toEqual([]);
  });

  test("'split': a wide access is byte cycles at consecutive offsets (an 8-bit ISA device)", () => {
    const log: string[] = [];
    const misses: number[] = [];
    const t = new RegisterTable('dev', [cell(0, 'L', 'rw', log, 0x11), cell(1, 'H', 'rw', log, 0x22)], {
      span: 2,
      wide: 'split',
      unmapped: (m) => misses.push(m.offset),
    });
    expect(t.read(0, 2)).toBe(0x2211);
    expect(t.read(1, 2)).toBe(0xff22);
    t.write(0, 4, 0xddccbbaa);
    expect(log).toEqual(['r L', 'r H', 'r H', 'w L 170', 'w H 187']);
    expect(misses).toEqual([2, 2, 3]);
  });

  test('peekValue: peek when given, read for registers without read effects, nothing for write-only ones without peek', () => {
    let count = 5;
    const rc: RegisterDef = { offset: 0, name: 'CNT', width: 1, access: 'rc', readEffect: 'clears', read: () => { const v = count; count = 0; return v; }, peek: () => count };
    const plain: RegisterDef = { offset: 1, name: 'P', width: 1, access: 'ro', read: () => 9 };
    const wo: RegisterDef = { offset: 2, name: 'W', width: 1, access: 'wo', write: () => {} };
    expect(RegisterTable.peekValue(rc)).toBe(5);
    expect(count).toBe(5);
    expect(RegisterTable.peekValue(plain)).toBe(9);
    expect(RegisterTable.peekValue(wo)).toBeUndefined();
  });

  test('bitNames names set bits and shows multi-bit fields', () => {
    expect(bitNames(0x22, { STP: 1, STA: 2, TXP: 4, RD: 0x38, PS: 0xc0 })).toEqual(['STA', 'RD=4', 'PS=0']);
    expect(bitNames(0x81, undefined)).toEqual([]);
  });
});
