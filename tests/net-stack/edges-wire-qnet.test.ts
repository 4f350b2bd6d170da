/**
 * Edges of the Qnet wire formats (stack/net/wire/qnet*.ts; docs/design/qnet-wire.md) that tests/qnet leaves
 * open: the 24-bit reserved field of a KIF Pulse in both byte orders, and an LR name without a NUL.
 */
import { QnetKifPacket, QnetKifRepr, type QnetKifRepr as KifRepr } from '../../stack/net/wire/qnet-kif';
import { QNET_LR_HDR_LEN, QnetLrPacket, QnetLrRepr, QnetLrType } from '../../stack/net/wire/qnet-lr';
import { WireError } from '../../stack/net/wire/view';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
function ok<T>(r: T | WireError): T {
  if (r instanceof WireError) throw new Error(`unexpected WireError ${r.check}: ${r.reason}`);
  return r;
}

describe('KIF Pulse: qnet6.kif.pulse.pulse.reserved is a u24 at offset 49 (qnet-wire.md §6)', () => {
  const pulse: KifRepr = {
    kind: 'pulse',
    values: {
      serverId: 3, clientHandle: 10, tid: 1, coid: 0x40000003, priority: 10, srcmsglen: 0, keydata: 0, srcnd: 1, dstmsglen: 0,
      vinfoZero: 0, pulseType: 0, pulseSubtype: 0, pulseCode: 5, pulseReserved: 0x030201, pulseValue: 0xdead, pulseScoid: 0, pulsePriority: 10,
    },
    data: new Uint8Array(0),
  };

  it.each([[true, '010203'], [false, '030201']])('is written and read in the LwL4 byte order (littleEndian %s)', (le, bytes) => {
    const b = new Uint8Array(QnetKifRepr.bufferLen(pulse));
    QnetKifRepr.emit(pulse, new QnetKifPacket(b, le));
    // code (i8) at 48, reserved (u24) at 49..51, value (u32) at 52: neighbours untouched.
    expect(hex(b.subarray(48, 56))).toBe('05' + bytes + (le ? 'adde0000' : '0000dead'));
    expect(ok(QnetKifRepr.parse(new QnetKifPacket(b, le)))).toEqual(pulse);
  });

  it('reads the reserved bytes a sender left there, next to a non-zero subtype', () => {
    const b = new Uint8Array(QnetKifRepr.bufferLen(pulse));
    const p = new QnetKifPacket(b, true);
    QnetKifRepr.emit({ ...pulse, values: { ...pulse.values, pulseSubtype: 0x7f00, pulseReserved: 0 } }, p);
    b.set([0xaa, 0xbb, 0xcc], 49);
    expect(p.get('pulse', 'pulseReserved')).toBe(0xccbbaa);
    expect(p.get('pulse', 'pulseSubtype')).toBe(0x7f00);
  });
});

describe('LR names and domains', () => {
  it('an item without a terminating NUL is read whole: its length bounds it (the dissector reads len bytes)', () => {
    const r = { type: QnetLrType.Request, srcName: 'alpha', srcDomain: 'qnet', srcMac: null, dstName: 'beta', dstDomain: 'qnet', dstMac: null };
    const b = new Uint8Array(QnetLrRepr.bufferLen(r));
    const p = new QnetLrPacket(b);
    QnetLrRepr.emit(r, p);
    // Our items carry their NUL inside the length ("alpha\0" = 6); another sender may leave it out.
    for (const k of ['srcName', 'dstDomain'] as const) {
      const { off, len } = p.item(k);
      expect(b[QNET_LR_HDR_LEN + off + len - 1]).toBe(0);
      p.setItem(k, off, len - 1);
    }
    expect(hex(p.itemBytes('srcName'))).toBe(hex(new TextEncoder().encode('alpha')));
    expect(ok(QnetLrRepr.parse(p))).toEqual(r);
  });
});
