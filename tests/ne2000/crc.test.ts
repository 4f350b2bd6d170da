/**
 * Known-answer vectors for the DP8390's two uses of CRC-32 (nic-models/ne2000/crc.ts), checked against published
 * values and against a bit-serial reference written from the datasheet's description, not against the model's
 * own table-driven code.
 */
import { fcs32, multicastHashIndex } from '../../nic-models/ne2000/crc';

/**
 * DP8390D datasheet, "Multicast Address Registers": the destination address goes through the CRC generator (the
 * IEEE 802.3 polynomial 0x04C11DB7, register preset to all ones, each byte least significant bit first, as on
 * the wire); the six most significant bits of the register (before the final inversion) select one of the 64
 * MAR bits. Bit-serial, MSB-first register, as the hardware shifts it.
 */
function datasheetHashIndex(addr: readonly number[]): number {
  let crc = 0xffffffff;
  for (const byte of addr) {
    for (let i = 0; i < 8; i++) {
      const feedback = (crc >>> 31) ^ ((byte >> i) & 1);
      crc = (crc << 1) >>> 0;
      if (feedback) crc = (crc ^ 0x04c11db7) >>> 0;
    }
  }
  return crc >>> 26;
}

describe('multicast hash index (top 6 bits of the CRC of the destination address)', () => {
  const vectors: [number[], number][] = [
    [[0x01, 0x00, 0x5e, 0x00, 0x00, 0x01], 31], // IPv4 all-hosts 224.0.0.1
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 63], // broadcast
    [[0x33, 0x33, 0x00, 0x00, 0x00, 0x01], 62], // IPv6 all-nodes ff02::1
  ];
  for (const [addr, idx] of vectors) {
    const name = addr.map((b) => b.toString(16).padStart(2, '0')).join(':');
    test(`${name} → ${idx}`, () => {
      expect(datasheetHashIndex(addr)).toBe(idx);
      expect(multicastHashIndex(Uint8Array.from(addr))).toBe(idx);
    });
  }

  test('the model agrees with the bit-serial rule over a spread of group addresses, at any offset', () => {
    for (let n = 0; n < 256; n++) {
      const addr = [0x01, 0x00, 0x5e, n & 0x7f, (n * 37) & 0xff, (n * 101) & 0xff];
      const buf = Uint8Array.from([0xaa, 0xbb, ...addr]);
      expect(multicastHashIndex(buf, 2)).toBe(datasheetHashIndex(addr));
    }
  });
});

describe('frame check sequence', () => {
  test('CRC-32 check value: "123456789" → 0xCBF43926 (the CRC catalogue\'s CRC-32/ISO-HDLC, as IEEE 802.3 uses it)', () => {
    expect(fcs32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  test('data followed by its FCS (least significant byte first) leaves the 802.3 residue: CRC 0x2144DF1C', () => {
    const data = new TextEncoder().encode('123456789');
    const framed = new Uint8Array(13);
    framed.set(data);
    new DataView(framed.buffer).setUint32(9, fcs32(data), true);
    expect(Array.from(framed.subarray(9))).toEqual([0x26, 0x39, 0xf4, 0xcb]);
    expect(fcs32(framed)).toBe(0x2144df1c); // complement of the residue 0xDEBB20E3
  });

  test('the range form covers only [start, end)', () => {
    const buf = new TextEncoder().encode('xx123456789yy');
    expect(fcs32(buf, 2, 11)).toBe(0xcbf43926);
    expect(fcs32(buf, 5, 5)).toBe(0);
  });
});
