/**
 * The serial EEPROM (design §1.8, §6.1 item 6): the image (magic, CRCs checked with zlib's CRC-32, MAC, boot-code
 * version, HWCFG, VPD with its RV checksum) and the state machine behind GRC_EEPROM_ADDR/DATA as tg3 and bge
 * drive it: completion time from CLKPERD, START clears COMPLETE, wrap at the part size (tg3_get_eeprom_size),
 * FSM_RESET aborts, a START while busy is ignored, device select ≠ 0, writes, and a blank image → ROMFAIL.
 */
import { crc32 as zcrc } from 'node:zlib';
import { buildEepromImage } from '../../../nic-models/bcm5701/eeprom';
import { eepromOpNs } from '../../../nic-models/bcm5701/timing';
import { Host, MAC, MS, US } from './fixture';

const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const le32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

describe('EEPROM image', () => {
  // A function, not a constant: built inside each test (tests/helpers/shared-run.ts says why).
  const image = () => buildEepromImage({ mac: MAC });

  test('header, CRCs (tg3_test_nvram), MAC, version, HWCFG', () => {
    const img = image();
    expect(img.length).toBe(1024);
    expect(be32(img, 0)).toBe(0x669955aa);
    expect(le32(img, 0x10)).toBe(zcrc(img.subarray(0, 0x10)));
    expect(le32(img, 0xfc)).toBe(zcrc(img.subarray(0x74, 0xfc)));
    expect([...img.subarray(0x7e, 0x84)]).toEqual(MAC);
    expect(img[0x96]).toBe(2);
    expect(img[0x97]).toBe(36); // "v2.36"
    expect(be32(img, 0xc8)).toBe(0x14);
    expect(img[0x200]).toBe(0xff);
  });

  test('VPD: ID string, read-only section with PN BCM95701A5, RV checksum, end tag', () => {
    const img = image();
    const v = img.subarray(0x100, 0x200);
    expect(v[0]).toBe(0x82);
    const idLen = v[1]! | (v[2]! << 8);
    expect(Buffer.from(v.subarray(3, 3 + idLen)).toString()).toBe('Broadcom NetXtreme Gigabit Ethernet');
    let o = 3 + idLen;
    expect(v[o]).toBe(0x90);
    const roLen = v[o + 1]! | (v[o + 2]! << 8);
    const ro = v.subarray(o + 3, o + 3 + roLen);
    expect(Buffer.from(ro.subarray(0, 2)).toString()).toBe('PN');
    expect(Buffer.from(ro.subarray(3, 3 + ro[2]!)).toString()).toBe('BCM95701A5');
    // RV is last: the sum of every byte from the start through the checksum is 0 mod 256.
    let sum = 0;
    for (let i = 0; i < o + 3 + roLen; i++) sum += v[i]!;
    expect(sum & 0xff).toBe(0);
    o += 3 + roLen;
    expect(v[o]).toBe(0x78);
  });
});

describe('EEPROM state machine', () => {
  test('tg3 reads: size probe wraps at 1 KiB; one read takes 75 SCL clocks at CLKPERD 0x60', () => {
    const h = new Host();
    h.wr(0x6838, 0x20600000); // tg3_nvram_init: FSM_RESET | CLKPERD 0x60
    expect(h.eeR(0x000)).toBe(0x669955aa);
    const sizes = [0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400].map((a) => h.eeR(a));
    expect(sizes.slice(0, 6).every((v) => v !== 0x669955aa)).toBe(true);
    expect(sizes[6]).toBe(0x669955aa);
    expect(h.eeR(0x94)).toBe(0x00000224);
    // Timing: START, then COMPLETE after eepromOpNs(0x60) = 75 × 2 × 96 core clocks of 1/66 µs.
    expect(eepromOpNs(0x60)).toBe(218182);
    h.w(0x6838, 0x80000000 | 0x02000000 | 0x00600000 | 0x7c);
    const t0 = h.now;
    expect(h.r(0x6838) & 0x40000000).toBe(0); // START cleared the old COMPLETE
    while (!(h.r(0x6838) & 0x40000000)) h.delay(US);
    expect(h.now - t0).toBeGreaterThanOrEqual(eepromOpNs(0x60));
    expect(h.now - t0).toBeLessThan(eepromOpNs(0x60) + 2 * US);
  });

  test('bge reads bytes (byte address, dword-aligned by the chip), same bytes as tg3', () => {
    const h = new Host();
    const bytes = [0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83].map((a) => h.eeR(a, 'bge'));
    expect(bytes).toEqual(MAC);
    expect(h.eeR(0x7c) >>> 0 & 0xffff).toBe(0x0010);
  });

  test('FSM_RESET aborts, a START while busy is ignored (traced), another device reads all ones', () => {
    const h = new Host();
    h.w(0x6838, 0x80000000 | 0x02000000 | 0x00600000 | 0x0);
    h.w(0x6838, 0x80000000 | 0x02000000 | 0x00600000 | 0x4);
    expect(h.traced('eeprom-busy').length).toBe(1);
    h.w(0x6838, 0x20600000);
    h.delay(MS);
    expect(h.r(0x6838) & 0x42000000).toBe(0); // aborted: neither busy nor complete
    h.w(0x6838, 0x80000000 | 0x02000000 | 0x00600000 | (1 << 26));
    h.delay(MS);
    expect(h.r(0x683c)).toBe(0xffffffff);
  });

  test('write: data then START without READ; completes after the write cycle; read back', () => {
    const h = new Host();
    h.w(0x683c, 0x44332211);
    h.w(0x6838, h.r(0x6838) | 0x40000000); // W1C COMPLETE as tg3's write path does
    h.w(0x6838, 0x02000000 | 0x00600000 | 0x300);
    h.delay(5 * MS);
    h.poll(() => h.r(0x6838), 0x40000000, 0x40000000, MS, 10, 'eeprom write');
    expect(h.eeR(0x300)).toBe(0x11223344);
    expect(h.core.eeprom.image[0x300]).toBe(0x11);
  });

  test('a blank image fails boot-code validation: ROMFAIL, handshake still answered', () => {
    const h = new Host();
    h.core.eeprom.image.fill(0xff);
    h.w(0x6804, 1);
    h.delay(2 * MS);
    h.cw(0x04, 0x6, 2);
    expect(h.r(0x5000) & 0x40).toBe(0x40);
    expect(h.sramR(0xb50)).toBe(0xb49a89ab);
    expect(h.core.boot.romFail).toBe(true);
  });
});
