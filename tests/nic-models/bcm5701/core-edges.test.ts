/**
 * Edges of the BCM5701 core (core.ts, irq.ts, boot-code.ts) the driver tests pass by: error attention from an
 * RCB of the wrong size, master aborts at and above 4 GiB, INTA# gating by MISC_HOST_CTRL.MASK_PCI_INT, interrupts
 * avoided while mailbox 0 masks them, MAC attention from the PHY's interrupt output and after a core reset, the
 * reset/boot records, verbose-only records, and state restored into a chip that is not plugged in yet.
 */
import type { IrqLine } from '../../../emulator/machine/bus/types';
import { componentContext, Simulation } from '../../../emulator/machine/sim';
import { Bcm5701Pci } from '../../../nic-models/bcm5701/bcm5701-pci';
import { Host, MAC, MS, US } from './fixture';
import { attachPartner, cableWithPartner, PARTNER_MAC, udpFrame } from './partner';
import { linkedTg3 } from './linked';

const linked = (verbose = false) => linkedTg3({ verbose });

/** A chip after its boot code with a partner on the cable and the link up (no driver has touched it). */
function bootedWithLink(): Host {
  const h = new Host();
  const { cable, partner } = cableWithPartner(h.sim);
  h.nic.connect(cable);
  attachPartner(cable, partner);
  h.delay(2 * MS);
  h.poll(() => h.r(0x460), 0x8, 0x8, 100 * US, 100, 'MAC_TX_STATUS.LINK_UP');
  return h;
}

/** Status block at `status`, WDMAC on, HOSTCC on (32-byte block): what a status update needs. */
function statusBlockOn(h: Host): number {
  const status = h.alloc(0x50, 64);
  h.w(0x3c38, 0);
  h.w(0x3c3c, status);
  h.w(0x4c00, 2);
  h.w(0x3c00, 0x102);
  return status;
}

describe('error attention and master aborts', () => {
  test('a 512-entry return ring (the 5705 size) on a 5701: rcb-size-mismatch, INV_RING_SZ, an ERROR update at once', () => {
    const { h, t, partner } = linked();
    // tg3 sizes the return ring by chip; 512 is TG3_RX_RCB_RING_SIZE of the 5705 family, the 5701 has 1024.
    h.sramW(0x208, 0x02000000);
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    h.delay(MS); // the driver does not service: the status block shows what the chip wrote
    expect(h.traced('rcb-size-mismatch').map((r) => [r.f!['ring'], r.f!['maxlen']])).toEqual([['return', 0x02000000]]);
    expect(h.r(0x2404) & 0x10).toBe(0x10); // RCVDBDI_STATUS.INV_RING_SZ
    // tg3 enables its attention (RCVDBDI_MODE 0x12): the error is reported by an update of its own, with ERROR.
    const errs = h.traced('status-update', 'error');
    expect(errs.length).toBe(1);
    expect(errs[0]!.f!['err']).toBe(true);
    expect(h.mem32(t.status) & 0x4).toBe(0x4);
  });

  test('status block DMA into nowhere: beyond RAM, ending at 4 GiB and above it master-abort with their reasons', () => {
    const h = new Host();
    h.delay(2 * MS);
    statusBlockOn(h);
    const cases: [number, number, number, string][] = [
      [0, 0xfffff000, 0xfffff000, 'dma'], // a single-address cycle nothing on the board claims
      [0, 0xffffffe0, 0xffffffe0, 'dma'], // its last byte is the last byte below 4 GiB: still single-address
      [1, 0x1000, 0x1_0000_1000, 'above-4g'], // addr_hi ≠ 0: no dual-address cycles on this board
    ];
    for (const [hi, lo, addr, reason] of cases) {
      h.w(0x3c38, hi);
      h.w(0x3c3c, lo);
      h.w(0x3c00, 0x10a); // NOW
      h.delay(20 * US);
      expect(h.traced('master-abort').at(-1)!.f).toMatchObject({ dir: 'write', addr, len: 32, reason });
    }
    // The board saw the two 32-bit cycles (and answered with a master abort), never the 64-bit one.
    const board = h.recs.filter((r) => r.layer === 'dma' && r.probe === 'master-abort').map((r) => r.f!['addr']);
    expect(board).toEqual([0xfffff000, 0xffffffe0]);
    expect(h.cr(0x06, 2) & 0x2000).toBe(0x2000); // received master abort
  });
});

describe('interrupts', () => {
  test('MISC_HOST_CTRL.MASK_PCI_INT holds INTA# low while the latch is set; PCISTATE.INT_NOT_ACTIVE follows', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.cw(0x68, 0x0105029a); // tg3_disable_ints: MASK_PCI_INT set
    h.w(0x6808, 0x4); // GRC_LOCAL_CTRL.SETINT
    expect(h.r(0x6808) & 0x1).toBe(0x1); // INT_ACTIVE: the latch is set
    expect(h.irq).toBe(false);
    expect(h.r(0x70) & 0x2).toBe(0x2);
    h.cw(0x68, 0x01050298); // tg3_enable_ints clears the mask
    expect(h.irq).toBe(true);
    expect(h.r(0x70) & 0x2).toBe(0);
    h.w(0x6808, 0x2); // CLEARINT
    expect(h.irq).toBe(false);
  });

  test('a request while mailbox 0 masks it counts nic_avoided_irqs, not nic_irqs (tg3 ethtool statistics)', () => {
    const h = new Host();
    h.delay(2 * MS);
    statusBlockOn(h);
    h.w(0x3c40, 0x300); // statistics block in SRAM at 0x300, read through the window as bge does
    const stat = (off: number): number => h.r(0x8000 + off + 4);
    h.w(0x204, 1); // the host is in its handler
    h.w(0x3c00, 0x10a);
    h.delay(20 * US);
    expect(h.irq).toBe(false);
    expect([stat(0x9a8), stat(0x9b0)]).toEqual([0, 1]); // nic_irqs, nic_avoided_irqs
    h.w(0x204, 0);
    h.w(0x3c00, 0x10a);
    h.delay(20 * US);
    expect(h.irq).toBe(true);
    expect([stat(0x9a8), stat(0x9b0)]).toEqual([1, 1]);
  });
});

describe('MAC attention', () => {
  test('the PHY interrupt output raises MAC attention by itself (MAC_EVENT.MI_INTERRUPT, bge on the 5700)', () => {
    const h = bootedWithLink();
    statusBlockOn(h);
    h.w(0x6800, 0x04000034); // GRC_MODE: little-endian host layout, interrupt on MAC attention
    h.miiW(0x1b, 0xfffd); // IMASK: link change unmasked (brgphy BRGPHY_MII_IMR)
    h.miiW(0, 0x1200); // restart negotiation: the link goes down
    h.miiR(0x1a); // ISTAT read clears it
    h.w(0x408, 0x00800000); // MAC_EVENT.MI_INTERRUPT
    const t0 = h.now;
    h.delay(20 * MS); // no MDIO access from here: only the PHY's interrupt output can report the link
    const upd = h.traced('status-update', 'mac-attn');
    expect(upd.length).toBe(1);
    expect(upd[0]!.t).toBeGreaterThan(t0 + MS); // at link up, negotiation takes milliseconds even scaled
    expect(h.r(0x404) & 0x00800000).toBe(0x00800000); // MAC_STATUS.MI_INTERRUPT
    expect(h.irq).toBe(true);
  });

  test('a core reset forgets the old attention: attention pending at re-enable updates the status block', () => {
    const h = bootedWithLink();
    h.miiW(0x1b, 0xfffd); // the link-up ISTAT bit is latched and now drives the PHY interrupt
    h.w(0x408, 0x00800000); // attention while host coalescing is off: nothing to update
    h.w(0x6804, 1); // core reset (tg3_chip_reset); the PHY and its pending interrupt survive it
    h.delay(2 * MS);
    h.cw(0x04, 0x0006, 2); // the driver restores the command register
    const status = statusBlockOn(h);
    h.w(0x408, 0x00800000);
    h.delay(20 * US);
    expect(h.traced('status-update').map((r) => r.f!['reason'])).toEqual(['mac-attn']);
    expect(h.mem32(status) & 0x1).toBe(0x1); // UPDATED
  });
});

describe('records', () => {
  test('a core reset traces reset, boot-start (kind core) and boot-done after BOOT_NS', () => {
    const h = new Host();
    h.delay(2 * MS);
    const n = h.recs.length;
    h.w(0x6804, 1);
    const t0 = h.now;
    h.delay(2 * MS);
    const after = h.recs.slice(n).filter((r) => r.layer === 'nic' && ['reset', 'boot-start', 'boot-done'].includes(r.probe));
    expect(after.map((r) => [r.probe, r.f!['kind'] ?? r.f!['romfail']])).toEqual([['reset', 'core'], ['boot-start', 'core'], ['boot-done', false]]);
    expect(after[2]!.t - t0).toBe(MS); // timing.ts BOOT_NS: 1 ms
  });

  test('per-frame records (rx-place, tx-fetch) appear only in a verbose trace', () => {
    for (const verbose of [false, true]) {
      const { h, t, partner } = linked(verbose);
      partner.echo = true;
      t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
      t.run(MS);
      expect(t.received.length).toBe(1);
      expect(h.traced('rx-accept').length).toBe(1);
      expect([h.traced('rx-place').length, h.traced('tx-fetch').length]).toEqual(verbose ? [1, 1] : [0, 0]);
    }
  });
});

describe('restored state', () => {
  test('a restored chip whose boot code had finished does not run it again', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.sramW(0xb50, 0x4b657654); // tg3_write_sig_pre_reset, no reset yet
    const s = JSON.parse(JSON.stringify(h.nic.saveState()));
    const twin = new Host(); // its own power-on boot code is pending
    twin.nic.loadState(s);
    twin.delay(3 * MS);
    expect(twin.sramR(0xb50)).toBe(0x4b657654);
    expect(twin.traced('boot-done')).toEqual([]);
  });

  test('INTA# restored into a chip not plugged in yet is driven when it is plugged in', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.w(0x6808, 0x4); // SETINT, unmasked: INTA# asserted
    expect(h.irq).toBe(true);
    const s = JSON.parse(JSON.stringify(h.nic.saveState()));
    const chip = new Bcm5701Pci(componentContext(new Simulation(1), 'n', 'n.nic0'), { mac: MAC });
    chip.loadState(s);
    const levels: boolean[] = [];
    chip.attachIntx({ set: (l: boolean) => void levels.push(l), level: false } as IrqLine);
    expect(levels).toEqual([true]);
  });
});
