/**
 * devnp-ral against the RT2560 model at register level, after NetBSD rt2560.c: attach (PCI, BAR0, CSR0, the MAC
 * from CSR3/CSR4, the 93C66 EEPROM bit-banged through CSR21), the refusal by an io-pkt without 802.11, and
 * rt2560_init's register sequence (rings in their order, the default MAC registers, reset, BBP defaults, the
 * RF2525 channel words, the receive filter, interrupts). Expected values are computed here from the driver's
 * published constants and the chip's EEPROM image.
 */
import { driverModules } from '../../../stack/drivers';
import type { NativeDriverModule } from '../../../stack/io-pkt/driver-api';
import { Errno } from '../../../stack/kernel/api';
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../../../stack/net/if';
import { Simulation } from '../../../emulator/machine/sim/simulation';
import { ieee80211_ic_of } from '../../../stack/net80211/ieee80211';
import {
  RT2560_BBPCSR, RT2560_CSR1, RT2560_CSR21, RT2560_CSR3, RT2560_CSR4, RT2560_CSR7, RT2560_CSR8, RT2560_DEF_BBP, RT2560_DEF_MAC,
  RT2560_RF2525_HI_R2, RT2560_RF2525_R2, RT2560_RFCSR, RT2560_RXCSR0, RT2560_RXCSR1, RT2560_RXCSR2, RT2560_TXCSR2, RT2560_TXCSR3,
  RT2560_TXCSR4, RT2560_TXCSR5, RT2560_TXCSR6,
} from '../../../stack/drivers/ral/regs';
import type { RalSoftc } from '../../../stack/drivers/ral/softc';
import { MAC_AP, makeAir, makeStation, runUntil, type MmioAccess, type Station } from './harness';

const ral = driverModules['devnp-ral.so'] as NativeDriverModule;

function attach(st: Station, opts = ''): Ifnet {
  expect(st.iopkt.call(ral.drvrInit(st.iopkt, opts))).toBe(0);
  return st.iopkt.ifaces[0]!;
}

const writes = (m: MmioAccess[], off: number) => m.filter((a) => a.dir === 'w' && a.off === off).map((a) => a.value);
const reads = (m: MmioAccess[], off: number) => m.filter((a) => a.dir === 'r' && a.off === off).length;

describe('devnp-ral attach', () => {
  test('finds the RT2560, reads the MAC from CSR3/CSR4 and the EEPROM through CSR21, attaches ral0', () => {
    const sim = new Simulation(1);
    const st = makeStation(sim, 'ap', MAC_AP, null);
    const ifp = attach(st);
    expect(ifp.name).toBe('ral0');
    expect(Array.from(ifp.lladdr)).toEqual(MAC_AP);
    expect(reads(st.mmio, RT2560_CSR3)).toBe(1);
    expect(reads(st.mmio, RT2560_CSR4)).toBe(1);
    // rt2560_read_eeprom: CONFIG0, 16 BBP words, 7 TX power words. Each rt2560_eeprom_read drives the pins
    // 4 (select) + 2·3 (start bit, READ opcode 10) + 2·8 (93C66 address) + 1 + 2·16 (data) + 1 + 3 (deselect)
    // times and reads CSR21 once for the 93C46 strap and once per data bit.
    const words = 1 + 16 + 7;
    expect(writes(st.mmio, RT2560_CSR21)).toHaveLength(words * (4 + 6 + 16 + 1 + 32 + 1 + 3));
    expect(reads(st.mmio, RT2560_CSR21)).toBe(words * (1 + 16));
    const sc = ifp.softc as RalSoftc;
    const core = st.nic.core;
    expect(sc.rfRev).toBe(core.eepromWord(0x10) >>> 11);
    expect(sc.txpow).toEqual(Array.from({ length: 14 }, (_, i) => core.eepromTxPower(i + 1)));
    expect(st.iopkt.logs).toEqual([
      'ral0: 802.11 address 00:0c:43:25:60:01',
      'ral0: MAC/BBP RT2560 (rev 0x04), RF RT2525',
      'ral0: 11b rates: 1Mbps 2Mbps 5.5Mbps 11Mbps',
      'ral0: 11g rates: 1Mbps 2Mbps 5.5Mbps 11Mbps 6Mbps 9Mbps 12Mbps 18Mbps 24Mbps 36Mbps 48Mbps 54Mbps',
    ]);
    const ic = ieee80211_ic_of(ifp)!;
    expect(ic.channels.filter((c) => c).map((c) => c!.ieee)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(ifp.ops.config(ifp)).toMatchObject({ description: 'Ralink RT2560 802.11b/g Wireless LAN', irq: [st.irq] });
    // Nothing was sent to the BBP or RF at attach (the chip is still asleep).
    expect(writes(st.mmio, RT2560_BBPCSR)).toHaveLength(0);
    expect(writes(st.mmio, RT2560_RFCSR)).toHaveLength(0);
  });

  test('io-pkt without 802.11: ieee80211_ifattach fails and the interface goes away', () => {
    const sim = new Simulation(1);
    const st = makeStation(sim, 'ap', MAC_AP, null);
    st.iopkt.wireless = false;
    expect(st.iopkt.call(ral.drvrInit(st.iopkt, ''))).toBe(Errno.ENOTSUP);
    expect(st.iopkt.ifaces).toHaveLength(0);
  });

  test('no RT2560 at the asked index or id: ENODEV', () => {
    const sim = new Simulation(1);
    const st = makeStation(sim, 'ap', MAC_AP, null);
    expect(st.iopkt.call(ral.drvrInit(st.iopkt, 'pci=1'))).toBe(Errno.ENODEV);
    expect(st.iopkt.call(ral.drvrInit(st.iopkt, 'did=0x0301'))).toBe(Errno.ENODEV);
    expect(st.iopkt.ifaces).toHaveLength(0);
    expect(st.iopkt.logs.some((l) => l.includes('no PCI device 1814:0301'))).toBe(true);
  });
});

describe('rt2560_init at register level', () => {
  test('rings, MAC defaults, reset, BBP, RF2525 channel words, filter, interrupts; then scanning', () => {
    const sim = new Simulation(1);
    const air = makeAir(sim, 6);
    const st = makeStation(sim, 'sta', MAC_AP, air);
    const ifp = attach(st);
    const sc = ifp.softc as RalSoftc;
    st.mmio.length = 0;
    ifp.flags |= IFF_UP;
    expect(st.iopkt.call(ifp.ops.init(ifp))).toBe(0);
    expect(ifp.flags & IFF_RUNNING).toBeTruthy();
    const m = st.mmio.filter((a) => a.dir === 'w');
    const at = (off: number, value?: number) => m.findIndex((a) => a.off === off && (value === undefined || a.value === value));
    // "rings _must_ be initialized in this _exact_ order": TXCSR2, TX, PRIO, ATIM, BEACON, then RX.
    const order = [RT2560_TXCSR2, RT2560_TXCSR3, RT2560_TXCSR5, RT2560_TXCSR4, RT2560_TXCSR6, RT2560_RXCSR1, RT2560_RXCSR2].map((o) => at(o));
    expect(order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1]!))).toBe(true);
    expect(writes(m, RT2560_TXCSR2)[0]).toBe(((16 << 24) | (4 << 16) | (48 << 8) | 48) >>> 0);
    expect(writes(m, RT2560_RXCSR1)[0]).toBe((32 << 8) | 48);
    expect(writes(m, RT2560_TXCSR3)[0]).toBe(sc.txq.physaddr);
    expect(writes(m, RT2560_TXCSR5)[0]).toBe(sc.prioq.physaddr);
    expect(writes(m, RT2560_RXCSR2)[0]).toBe(sc.rxq.physaddr);
    // The default MAC registers in the reference order, right after the rings.
    const defStart = at(RT2560_RXCSR2) + 1;
    expect(m.slice(defStart, defStart + RT2560_DEF_MAC.length).map((a) => [a.off, a.value])).toEqual(RT2560_DEF_MAC.map(([r, v]) => [r, v >>> 0]));
    // Station address, then reset (RESET_ASIC then HOST_READY) before the BBP.
    expect(writes(m, RT2560_CSR3).at(-1)).toBe((MAC_AP[0]! | (MAC_AP[1]! << 8) | (MAC_AP[2]! << 16) | (MAC_AP[3]! << 24)) >>> 0);
    expect(writes(m, RT2560_CSR4).at(-1)).toBe(MAC_AP[4]! | (MAC_AP[5]! << 8));
    const ready = at(RT2560_CSR1, 4);
    expect(ready).toBeGreaterThan(at(RT2560_CSR1, 1));
    // The BBP defaults (WRITE | BUSY | reg << 8 | value), in order, after HOST_READY.
    const bbpWrites = m.slice(ready).filter((a) => a.off === RT2560_BBPCSR && a.value & (1 << 16)).map((a) => a.value);
    const def = RT2560_DEF_BBP.map(([r, v]) => (1 << 16) | (1 << 15) | (r << 8) | v);
    expect(bbpWrites.slice(0, def.length)).toEqual(def);
    // Channel 1 (ic_ibss_chan) on the RF2525: the "half band higher" words, then the channel's own, each R1–R4
    // as BUSY | 20 bits | value << 2 | register, then autotune off on R1 and R3.
    const power = Math.min(st.nic.core.eepromTxPower(1), 31);
    const rf = (reg: number, v: number) => ((1 << 31) | (20 << 24) | (v << 2) | reg) >>> 0;
    const tune = (r2: number) => [rf(0, 0x08808), rf(2, r2), rf(1, (power << 7) | 0x18044), rf(3, 0x00286)];
    expect(writes(m, RT2560_RFCSR).slice(0, 10)).toEqual([
      ...tune(RT2560_RF2525_HI_R2[0]!), ...tune(RT2560_RF2525_R2[0]!), rf(0, 0x08808 & ~0x08000), rf(1, ((power << 7) | 0x18044) & ~0x40),
    ]);
    // A station's filter: drop PHY/CRC errors, control, bad version, ToDS, not to me; RX on (no DISABLE_RX).
    expect(writes(m, RT2560_RXCSR0).at(-1)).toBe(0x7e);
    expect(writes(m, RT2560_CSR7).at(-1)).toBe(0xffffffff);
    expect(writes(m, RT2560_CSR8).at(-1)).toBe(0xfffffe14);
    // Scanning: each channel tuned in turn (the last R2 word is the channel's), a probe request on each.
    runUntil(sim, () => false, 1_100_000_000);
    const r2 = writes(st.mmio, RT2560_RFCSR).filter((v) => (v & 3) === 2).map((v) => (v >>> 2) & 0xfffff);
    // Every rt2560_set_chan writes two R2 words on the RF2525: the "high" one, then the channel's.
    expect(r2.filter((_, i) => i % 2 === 0)).toEqual(r2.filter((_, i) => i % 2 === 1).map((v) => RT2560_RF2525_HI_R2[RT2560_RF2525_R2.indexOf(v)]));
    const lo = r2.filter((_, i) => i % 2 === 1).map((v) => RT2560_RF2525_R2.indexOf(v) + 1);
    // rt2560_init's default channel, then the scan's hops from channel 1 up (each hop tunes once).
    expect(lo.filter((c, i) => i === 0 || c !== lo[i - 1]).slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
