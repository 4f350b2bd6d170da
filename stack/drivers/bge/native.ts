/**
 * devnp-bge.so: the Broadcom BCM57xx driver of the simulated io-pkt, with NetBSD if_bge.c's structure (the
 * lineage of QNX's devnp-bge), for the BCM5701 B5 on conventional PCI. It reaches the chip only through PCI
 * configuration cycles, BAR0 MMIO, DMA memory it allocated and the chip's INTx line.
 *
 * drvr_init finds each 14e4:1645 function (`pci=`, `vid=`, `did=` honoured) and runs bge_attach on it:
 * memory and bus-master enable, BAR0, chip id, MI mode, ROMFAIL, the EEPROM engine reset, bge_reset (the boot
 * code handshake through the indirect path), the hardware config word, bge_chipinit, the station address
 * (SRAM, else EEPROM), the ring memory, the PHY (brgphy at MII address 1), dev_attach as `bge<unit>`, and the
 * interrupt. `ifconfig bge0 destroy` runs bge_detach: stop, PHY powered down, interrupt and interface removed;
 * io-pkt unloads the module with its last interface.
 */
import { macToString } from '../../net/wire/addr';
import { Errno, KernelError, type Co, type ThreadCtx } from '../../kernel/api';
import { _SLOG_ERROR, _SLOG_INFO, nicPriorityOption, type IoPkt, type NativeDriverModule } from '../../io-pkt/driver-api';
import { optionSeverity } from '../log-severity';
import { pci_enumerate, type PciDevice } from '../../lib/pci';
import type { NicConfig, NicStats } from '../../net/hw-nicinfo';
import {
  IFCAP_CSUM_IPv4_Rx, IFCAP_CSUM_IPv4_Tx, IFCAP_CSUM_TCPv4_Rx, IFCAP_CSUM_TCPv4_Tx, IFCAP_CSUM_UDPv4_Rx,
  IFCAP_CSUM_UDPv4_Tx, IFF_PROMISC, IFF_RUNNING, type Ifnet, type IfnetOps,
} from '../../net/if';
import { BGE_PHY_ADDR } from './blockinit';
import { miiAttachBrgphy } from './brgphy';
import { BgeCsr, DELAY } from './csr';
import { bgeGetEaddr, bgeReadEeprom } from './eeprom';
import { bgeIfflagsCb, bgeInit, bgeStop, selectedMedia } from './init';
import { bgeIntr } from './intr';
import { bgeMiiHost, bgeMiibusWritereg } from './mii';
import { BMCR_PDOWN, MII_BMCR, mediaName } from './mii-bus';
import { parseBgeOptions, type BgeOptions } from './options';
import {
  BGE_CHIPID_BCM5701_B5, BGE_EE_ADDR, BGE_EE_HWCFG_OFFSET, BGE_EEADDR_RESET, BGE_EEHALFCLK, BGE_HALFCLK_384SCL,
  BGE_HWCFG_MEDIA, BGE_MEDIA_FIBER, BGE_MI_MODE, BGE_MIMODE_BASE, BGE_MIMODE_PHYADDR, BGE_MISC_LOCAL_CTL,
  BGE_MLC_AUTO_EEPROM, BGE_MODE_CTL, BGE_MODECTL_STACKUP, BGE_OTHER_PRODUCTS, BGE_PCI_CMD, BGE_PCI_MISC_CTL,
  BGE_PCI_PCISTATE, BGE_PCIMISCCTL_ASICREV_SHIFT, BGE_PCISTATE_PCI_BUSMODE, BGE_RXCPU_MODE, BGE_RXCPUMODE_ROMFAIL,
  BGE_SRAM_DATA_CFG, BGE_SRAM_DATA_SIG, BGE_SRAM_DATA_SIG_MAGIC, PCIM_CMD_BUSMASTEREN, PCIM_CMD_MEMEN,
} from './regs';
import { bgeChipinit, bgeReset } from './reset';
import { bgeStart } from './rings';
import { BgeRingMem, BgeSoftc } from './softc';
import { bgeNicStats, bgeReadAllStats } from './stats';

export const BGE_IF_BASENAME = 'bge';
export const BGE_DESCRIPTION = 'Broadcom BCM5701 Gigabit Ethernet';

/** bge_revisions: the chip ids this driver names. */
function revisionName(chipid: number): string {
  if (chipid === BGE_CHIPID_BCM5701_B5) return 'BCM5701 B5';
  if (chipid >>> 12 === 0) return `BCM5701 ${String.fromCharCode(0x41 + ((chipid >>> 8) & 0xf))}${chipid & 0xff}`;
  return `unknown ASIC (0x${chipid.toString(16)})`;
}

function softcOf(ifp: Ifnet): BgeSoftc {
  return ifp.softc as BgeSoftc;
}

const ops: IfnetOps = {
  *init(ifp: Ifnet): Co<number> {
    const sc = softcOf(ifp);
    return yield* sc.withLock(sc.iopkt.ctx, () => bgeInit(sc.iopkt.ctx, sc));
  },
  /** if_start on the calling io-pkt thread: the stack context's, or a thread forwarding without it. */
  *start(ifp: Ifnet, ctx: ThreadCtx = softcOf(ifp).iopkt.ctx): Co<void> {
    const sc = softcOf(ifp);
    if ((ifp.flags & IFF_RUNNING) === 0) return;
    yield* sc.withLock(ctx, function* (): Co<void> {
      bgeStart(ctx, sc);
    });
  },
  *stop(ifp: Ifnet, disable: boolean): Co<void> {
    const sc = softcOf(ifp);
    yield* sc.withLock(sc.iopkt.ctx, () => bgeStop(sc.iopkt.ctx, sc, disable));
  },
  *setFilter(ifp: Ifnet): Co<void> {
    const sc = softcOf(ifp);
    if ((ifp.flags & IFF_RUNNING) === 0) return;
    yield* sc.withLock(sc.iopkt.ctx, () => bgeIfflagsCb(sc.iopkt.ctx, sc));
  },
  *detach(ifp: Ifnet): Co<number> {
    return yield* bgeDetach(softcOf(ifp));
  },
  config(ifp: Ifnet): NicConfig {
    return bgeNicConfig(softcOf(ifp), ifp);
  },
  stats(ifp: Ifnet): NicStats {
    return bgeNicStats(softcOf(ifp));
  },
  *refreshStats(ifp: Ifnet): Co<void> {
    const sc = softcOf(ifp);
    if ((ifp.flags & IFF_RUNNING) === 0) return;
    yield* sc.withLock(sc.iopkt.ctx, () => bgeReadAllStats(sc.iopkt.ctx, sc));
  },
};

/** nic_config_t for nicinfo. */
export function bgeNicConfig(sc: BgeSoftc, ifp: Ifnet): NicConfig {
  const m = sc.mii.mediaActive;
  const rate = m.subtype === '1000baseT' ? 1_000_000 : m.subtype === '100baseTX' || m.subtype === '100baseT4' ? 100_000 : m.subtype === '10baseT' ? 10_000 : 0;
  return {
    description: BGE_DESCRIPTION,
    mac: ifp.lladdr.slice(),
    permanentMac: sc.eaddr.slice(),
    mediaRateKbps: rate,
    fullDuplex: m.fdx,
    connector: 'MII',
    phyAddress: BGE_PHY_ADDR,
    mtu: ifp.mtu + 14,
    irq: [sc.irq],
    ioPorts: [],
    memWindows: [{ base: sc.csr.base, length: sc.bar0Size }],
    promiscuous: sc.opts.promiscuous || (ifp.flags & IFF_PROMISC) !== 0,
    multicast: !sc.opts.noMulticast,
  };
}

/** bge_attach for one function. Returns the softc with its interface, or an errno. */
function* bgeAttach(iopkt: IoPkt, dev: PciDevice, o: BgeOptions): Co<BgeSoftc | number> {
  const ctx = iopkt.ctx;
  const where = `pci ${dev.bus}:${dev.dev}.${dev.fn}`;
  const bar = dev.bars.find((b) => b.index === 0 && (b.kind === 'mem32' || b.kind === 'mem64') && b.base !== 0);
  if (!bar) {
    iopkt.log(`bge: ${where}: can't find mem space`, _SLOG_ERROR);
    return Errno.ENXIO;
  }
  const csr = new BgeCsr(dev, bar.base);
  const sc = new BgeSoftc(iopkt, dev, csr, bar.size, o, bgeMiiHost);
  // Memory space and bus mastering on (the command/status dword is written back as read).
  const command = yield* csr.cfgRead(ctx, BGE_PCI_CMD);
  csr.cfgWrite(ctx, BGE_PCI_CMD, command | PCIM_CMD_MEMEN | PCIM_CMD_BUSMASTEREN);
  if (((yield* csr.cfgRead(ctx, BGE_PCI_CMD)) & PCIM_CMD_MEMEN) === 0) {
    iopkt.log(`bge: ${where}: failed to enable memory mapping!`, _SLOG_ERROR);
    return Errno.ENXIO;
  }
  sc.chipid = (yield* csr.cfgRead(ctx, BGE_PCI_MISC_CTL)) >>> BGE_PCIMISCCTL_ASICREV_SHIFT;
  sc.pcix = ((yield* csr.cfgRead(ctx, BGE_PCI_PCISTATE)) & BGE_PCISTATE_PCI_BUSMODE) === 0;
  sc.irq = o.irq ?? dev.irq;
  if (sc.irq === 0 || sc.irq === 0xff) {
    iopkt.log(`bge: ${where}: no interrupt routed`, _SLOG_ERROR);
    return Errno.ENXIO;
  }
  csr.write(ctx, BGE_MI_MODE, BGE_MIMODE_PHYADDR(BGE_PHY_ADDR) | BGE_MIMODE_BASE);
  if ((yield* csr.read(ctx, BGE_RXCPU_MODE)) & BGE_RXCPUMODE_ROMFAIL) sc.noEeprom = true;
  // Reset the EEPROM engine before the chip reset; auto-access mode.
  csr.write(ctx, BGE_EE_ADDR, BGE_EEADDR_RESET | BGE_EEHALFCLK(BGE_HALFCLK_384SCL));
  yield* DELAY(ctx, 1000);
  yield* csr.setBit(ctx, BGE_MISC_LOCAL_CTL, BGE_MLC_AUTO_EEPROM);
  if (!(yield* bgeReset(ctx, sc))) iopkt.log(`bge: ${where}: chip reset failed`, _SLOG_ERROR);
  // The hardware config word: from SRAM when the boot code signed it, else from the EEPROM.
  if ((yield* csr.readmemInd(ctx, BGE_SRAM_DATA_SIG)) === BGE_SRAM_DATA_SIG_MAGIC) {
    sc.hwcfg = yield* csr.readmemInd(ctx, BGE_SRAM_DATA_CFG);
  } else if (!sc.noEeprom) {
    const b = yield* bgeReadEeprom(ctx, sc, BGE_EE_HWCFG_OFFSET, 4);
    if (b) sc.hwcfg = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }
  if ((sc.hwcfg & BGE_HWCFG_MEDIA) === BGE_MEDIA_FIBER) {
    iopkt.log(`bge: ${where}: 1000BASE-X (TBI) boards are not supported by this driver`, _SLOG_ERROR);
    return Errno.ENODEV;
  }
  if (yield* bgeChipinit(ctx, sc)) {
    iopkt.log(`bge: ${where}: chip initialization failed`, _SLOG_ERROR);
    return Errno.ENXIO;
  }
  const eaddr = yield* bgeGetEaddr(ctx, sc);
  if (!eaddr) {
    iopkt.log(`bge: ${where}: failed to read station address`, _SLOG_ERROR);
    return Errno.ENXIO;
  }
  sc.eaddr.set(eaddr);
  try {
    sc.mem = BgeRingMem.alloc(ctx);
  } catch (e) {
    iopkt.log(`bge: ${where}: can't alloc rx buffers`, _SLOG_ERROR);
    return e instanceof KernelError ? e.errno : Errno.ENOMEM;
  }
  ctx.bus.memWrite(sc.mem.ringData, new Uint8Array(BgeRingMem.RING_DATA_BYTES));
  // The PHY, with the firmware told the stack is not up yet.
  yield* csr.clrBit(ctx, BGE_MODE_CTL, BGE_MODECTL_STACKUP);
  selectedMedia(sc);
  const phy = yield* miiAttachBrgphy(ctx, sc.mii, BGE_PHY_ADDR);
  let ifp: Ifnet;
  try {
    ifp = iopkt.devAttach(BGE_IF_BASENAME, o.raw, ops, (o.mac ?? sc.eaddr).slice(), sc);
  } catch (e) {
    iopkt.log(`bge: dev_attach failed: ${e instanceof KernelError ? e.message : String(e)}`, _SLOG_ERROR);
    return e instanceof KernelError ? e.errno : Errno.EINVAL;
  }
  sc.ifp = ifp;
  ifp.mtu = o.mtu;
  if (o.checksumOffload) {
    ifp.capabilities = IFCAP_CSUM_IPv4_Tx | IFCAP_CSUM_IPv4_Rx | IFCAP_CSUM_TCPv4_Tx | IFCAP_CSUM_TCPv4_Rx |
      IFCAP_CSUM_UDPv4_Tx | IFCAP_CSUM_UDPv4_Rx;
    ifp.capenable = ifp.capabilities;
  }
  iopkt.log(`${ifp.name}: ${BGE_DESCRIPTION}, ASIC ${revisionName(sc.chipid)} (0x${sc.chipid.toString(16)}), Ethernet address ${macToString(sc.eaddr)}`, _SLOG_INFO);
  if (typeof phy === 'string') iopkt.log(`${ifp.name}: no PHY found! (${phy})`, _SLOG_ERROR);
  else iopkt.log(`brgphy${ifp.unit} at ${ifp.name} phy ${phy.phy}: ${phy.name}, rev. ${phy.rev}`, _SLOG_INFO);
  if (o.verbose) {
    iopkt.log(`${ifp.name}: ${where}, mem 0x${bar.base.toString(16)}-0x${(bar.base + bar.size - 1).toString(16)}, irq ${sc.irq}, ` +
      `HW config 0x${sc.hwcfg.toString(16).padStart(8, '0')}, media ${mediaName(sc.mii.selected)}`, _SLOG_INFO);
  }
  sc.intrId = iopkt.interruptEntryInit(sc.irq, (wctx: ThreadCtx) => bgeIntr(wctx, sc), () => undefined, nicPriorityOption(o.raw.get('priority')));
  return sc;
}

/** bge_detach: stop, power the PHY down, give back the interrupt, remove the interface. */
function* bgeDetach(sc: BgeSoftc): Co<number> {
  const ifp = sc.ifp;
  if (!ifp) return 0;
  const ctx = sc.iopkt.ctx;
  yield* sc.withLock(ctx, function* (): Co<void> {
    yield* bgeStop(ctx, sc, true);
    for (const phy of sc.mii.phys) yield* bgeMiibusWritereg(ctx, sc, phy.phy, MII_BMCR, BMCR_PDOWN);
    sc.detached = true;
  });
  if (sc.intrId >= 0) sc.iopkt.interruptEntryRemove(sc.intrId);
  sc.intrId = -1;
  sc.iopkt.devDetach(ifp);
  sc.iopkt.log(`${ifp.name}: detached`, _SLOG_INFO);
  sc.ifp = null;
  return 0;
}

function* drvrInit(iopkt: IoPkt, options: string): Co<number> {
  const ctx = iopkt.ctx;
  const o = parseBgeOptions(options);
  for (const e of o.errors) iopkt.log(`devnp-bge: ${e}`, optionSeverity(e));
  const all = yield* pci_enumerate(ctx);
  const found = all.filter((d) => d.vendorId === o.vid && d.deviceId === o.did);
  const candidates = o.pci !== undefined ? found.slice(o.pci, o.pci + 1) : found;
  if (candidates.length === 0) {
    for (const d of all) {
      const name = d.vendorId === 0x14e4 ? BGE_OTHER_PRODUCTS[d.deviceId] : undefined;
      if (name) iopkt.log(`devnp-bge: pci ${d.bus}:${d.dev}.${d.fn}: Broadcom ${name} (14e4:${d.deviceId.toString(16)}) is not supported by this driver`, _SLOG_ERROR);
    }
    iopkt.log(`devnp-bge: no PCI device ${o.vid.toString(16).padStart(4, '0')}:${o.did.toString(16).padStart(4, '0')}${o.pci !== undefined ? ` at index ${o.pci}` : ''}`, _SLOG_ERROR);
    return Errno.ENODEV;
  }
  let attached = 0;
  let lastError: number = Errno.ENODEV;
  for (const dev of candidates) {
    const r = yield* bgeAttach(iopkt, dev, o);
    if (typeof r === 'number') lastError = r;
    else attached++;
  }
  return attached > 0 ? 0 : lastError;
}

export const devnpBge: NativeDriverModule = {
  kind: 'iopkt_drvr_entry',
  version: 1,
  type: 'general',
  drvrInit,
};
