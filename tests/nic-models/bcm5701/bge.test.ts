/**
 * NetBSD bge on the model (design §6.2 item 6): attach (chip id, ROMFAIL, firmware handshake through config
 * cycles, HK MAC from SRAM), init (block init polls satisfied at once, the first interrupt from COAL_NOW), the
 * non-tagged interrupt protocol (UPDATED / INT_NOT_ACTIVE, ack with 1, re-enable with 0), link change through
 * auto-poll + MI_STAT + MAC_STATUS, frames both ways, and bge_stop with every block stop satisfied.
 */
import { Host, MAC, MS, US } from './fixture';
import { cabled } from './linked';
import { PARTNER_MAC, udpFrame, type Partner } from './partner';
import { Bge } from './bge';

/** Zero the IP header checksum and put the (uncomplemented) pseudo-header sum in the UDP checksum field. */
function withPseudoHeader(f: Uint8Array): Uint8Array {
  f[24] = f[25] = 0;
  const w = (o: number): number => (f[o]! << 8) | f[o + 1]!;
  let s = w(26) + w(28) + w(30) + w(32) + 17 + w(38);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  f[40] = s >> 8;
  f[41] = s & 0xff;
  return f;
}

function up(seed = 1): { h: Host; b: Bge; partner: Partner } {
  const h = new Host({ seed });
  const partner = cabled(h);
  const b = new Bge(h);
  b.attach();
  b.init();
  return { h, b, partner };
}

describe('bge', () => {
  test('attach: chip 0x0105, conventional PCI, MAC from the HK mailbox, brgphy found', () => {
    const h = new Host();
    h.delay(2 * MS);
    const b = new Bge(h);
    b.attach();
    expect(b.mac).toEqual(MAC);
    expect(h.cr(0x68) & 0xffff).toBe(0x8a); // CLEAR_INT acts and reads 0
    expect(h.traced('reg-unmapped')).toEqual([]);
  });

  test('init: COAL_NOW interrupts; the ISR acks; link comes up through auto-poll and LINK_CHG', () => {
    const { h, b } = up();
    h.delay(20 * US);
    expect(h.irq).toBe(true);
    expect(h.mem32(b.status) & 1).toBe(1);
    expect(b.intr()).toBe(true);
    expect(h.irq).toBe(false);
    // A spurious call (shared line, nothing new): UPDATED clear and INT_NOT_ACTIVE set.
    expect(b.intr()).toBe(false);
    b.run(10 * MS);
    expect(b.link).toBe(true);
    expect(h.r(0x400) & 0xc).toBe(0x8); // GMII
    expect(h.r(0x450) & 1).toBe(1); // MI_STAT link as auto-poll sees it
    expect(h.traced('status-update').some((r) => r.f!['reason'] === 'mac-attn')).toBe(true);
  });

  test('frames both ways with checksum offload flags as bge sets them', () => {
    const { b, partner } = up();
    b.run(10 * MS);
    partner.echo = true;
    // NetBSD's UDP output with M_CSUM_UDPv4 leaves the pseudo-header sum in the checksum field (GRC_MODE
    // NO_TX_PHDR_CSUM, which bge sets) and 0 in the IP header checksum.
    for (let i = 0; i < 10; i++) b.start(withPseudoHeader(udpFrame(PARTNER_MAC, MAC, 200 + i, i)), 0x2 | 0x1);
    b.run(3 * MS);
    expect(partner.got.length).toBe(10);
    expect(b.txCons).toBe(10);
    expect(b.received.length).toBe(10);
    expect(b.received.every((r) => r.flags & 0x1000 && r.csum >>> 16 === 0xffff && (r.csum & 0xffff) === 0xffff)).toBe(true);
  });

  test('stop: every block stops at the first poll; the reset completes the handshake', () => {
    const { h, b } = up();
    b.run(10 * MS);
    const t0 = h.now;
    b.stop();
    expect(h.now - t0).toBeLessThan(5 * MS);
    expect(h.r(0x3c00) & 2).toBe(0);
    expect(h.irq).toBe(false);
  });
});
