/**
 * The MAC block 0x400–0x7ff (design §1.4.2): MAC_MODE (port mode, duplex, statistics enables and clears, the
 * DMA enables of the data path), MAC_STATUS/MAC_EVENT (attention), station addresses and the multicast hash,
 * transmit and receive modes, receive rules (stored; both drivers program them disabled). The MII management
 * registers (MI_COM, MI_STAT, MI_MODE, AUTO_POLL_STATUS) belong to the MDIO engine (mii.ts) and are delegated.
 */
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import { computed, stored, type RegFile } from './reg-file';
import {
  MAC, MAC_MODE_BITS as MM, MAC_MODE_SELF_CLEAR, MAC_STATUS_BITS, MAC_STATUS_W1C, RX_MODE_BITS, RX_STATUS_BITS,
  TX_MODE_BITS, TX_STATUS_BITS,
} from './regs';

/** The MII management registers as the MDIO engine answers them. */
export interface MiRegisters {
  readCom(): number;
  writeCom(v: number): void;
  readStat(): number;
  writeStat(v: number): void;
  readMode(): number;
  writeMode(v: number): void;
  readAutoPollStatus(): number;
  writeAutoPollStatus(v: number): void;
}

export interface MacHooks {
  readonly mi: MiRegisters;
  /** MAC_MODE written (old value given): statistics enables/clears, port mode, data-path enables. */
  macModeChanged(v: number, old: number, reset: boolean): void;
  /** MAC_STATUS / MAC_EVENT changed: re-evaluate MAC attention. */
  attentionChanged(): void;
  /** MAC_TX_MODE / MAC_RX_MODE written. */
  txModeChanged(v: number, reset: boolean): void;
  rxModeChanged(v: number, reset: boolean): void;
  /** A station address, hash or MAC_RX_MODE register changed: the receive filter is rebuilt. */
  filterChanged(): void;
  /** MAC_STATUS.MI_INTERRUPT: the PHY's interrupt output. */
  readonly phyInterrupt: () => boolean;
  /** MAC_TX_STATUS inputs: paused by a received PAUSE; PHY link up; MAC_RX_STATUS: we sent XOFF. */
  readonly txPaused: () => boolean;
  readonly linkUp: () => boolean;
  readonly remoteXoffed: () => boolean;
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

export const MAC_MI_STAT_RESET = 0;
export const MAC_MI_MODE_RESET = 0x000c0000;
/** MAC_RX_MTU_SIZE after reset: a standard frame with FCS *(I)*. */
export const RX_MTU_RESET = 1518;

export function macDefs(f: RegFile, h: MacHooks): RegisterDef[] {
  f.declare(MAC.MODE);
  f.declare(MAC.STATUS);
  f.declare(MAC.TX_MODE);
  f.declare(MAC.RX_MODE);
  f.declare(MAC.RX_STATUS);
  const ruleWarned = new Set<number>();
  const defs: RegisterDef[] = [
    {
      offset: MAC.MODE, name: 'MAC_MODE', width: 4, access: 'rw', bits: { ...MM, PORT_MODE: MM.PORT_MODE },
      read: () => f.get(MAC.MODE),
      write: (v) => {
        const old = f.get(MAC.MODE);
        f.set(MAC.MODE, v & ~MAC_MODE_SELF_CLEAR);
        h.macModeChanged(v, old, (v & MM.RESET) !== 0);
      },
    },
    {
      offset: MAC.STATUS, name: 'MAC_STATUS', width: 4, access: 'w1c', bits: MAC_STATUS_BITS,
      read: () => f.get(MAC.STATUS) | (h.phyInterrupt() ? MAC_STATUS_BITS.MI_INTERRUPT : 0),
      write: (v) => {
        f.set(MAC.STATUS, f.get(MAC.STATUS) & ~(v & MAC_STATUS_W1C));
        h.attentionChanged();
      },
    },
    stored(f, MAC.EVENT, 'MAC_EVENT', { bits: MAC_STATUS_BITS, after: () => h.attentionChanged() }),
    stored(f, MAC.LED_CTRL, 'MAC_LED_CTRL'),
  ];
  const filter = { after: () => h.filterChanged() };
  for (let n = 0; n < 4; n++) {
    defs.push(stored(f, MAC.ADDR_0_HIGH + 8 * n, `MAC_ADDR_${n}_HIGH`, { mask: 0xffff, ...filter }));
    defs.push(stored(f, MAC.ADDR_0_HIGH + 8 * n + 4, `MAC_ADDR_${n}_LOW`, filter));
  }
  defs.push(
    stored(f, MAC.ACPI_MBUF_PTR, 'MAC_ACPI_MBUF_PTR'),
    stored(f, MAC.ACPI_LEN_OFFSET, 'MAC_ACPI_LEN_OFFSET'),
    stored(f, MAC.TX_BACKOFF_SEED, 'MAC_TX_BACKOFF_SEED', { mask: 0x3ff }),
    stored(f, MAC.RX_MTU_SIZE, 'MAC_RX_MTU_SIZE', { mask: 0xffff, reset: RX_MTU_RESET }),
    stored(f, MAC.PCS_TEST, 'MAC_PCS_TEST'),
    stored(f, MAC.TX_AUTO_NEG, 'MAC_TX_AUTO_NEG'),
    computed(MAC.RX_AUTO_NEG, 'MAC_RX_AUTO_NEG', () => 0),
    { offset: MAC.MI_COM, name: 'MAC_MI_COM', width: 4, access: 'rw', bits: MI_COM_BITS, read: () => h.mi.readCom(), write: (v) => h.mi.writeCom(v) },
    { offset: MAC.MI_STAT, name: 'MAC_MI_STAT', width: 4, access: 'rw', bits: { LNKSTAT_ATTN_ENAB: 1, '10MBPS': 2 }, read: () => h.mi.readStat(), write: (v) => h.mi.writeStat(v) },
    { offset: MAC.MI_MODE, name: 'MAC_MI_MODE', width: 4, access: 'rw', reset: MAC_MI_MODE_RESET, bits: MI_MODE_BITS, read: () => h.mi.readMode(), write: (v) => h.mi.writeMode(v) },
    { offset: MAC.AUTO_POLL_STATUS, name: 'MAC_AUTO_POLL_STATUS', width: 4, access: 'w1c', bits: { ERROR: 1 }, read: () => h.mi.readAutoPollStatus(), write: (v) => h.mi.writeAutoPollStatus(v) },
    {
      offset: MAC.TX_MODE, name: 'MAC_TX_MODE', width: 4, access: 'rw', bits: TX_MODE_BITS,
      read: () => f.get(MAC.TX_MODE),
      write: (v) => {
        f.set(MAC.TX_MODE, v & ~TX_MODE_BITS.RESET);
        h.txModeChanged(v, (v & TX_MODE_BITS.RESET) !== 0);
      },
    },
    computed(MAC.TX_STATUS, 'MAC_TX_STATUS', () => (h.txPaused() ? TX_STATUS_BITS.XOFFED : 0) | (h.linkUp() ? TX_STATUS_BITS.LINK_UP : 0), TX_STATUS_BITS),
    stored(f, MAC.TX_LENGTHS, 'MAC_TX_LENGTHS', { reset: 0x2620 }),
    {
      offset: MAC.RX_MODE, name: 'MAC_RX_MODE', width: 4, access: 'rw', bits: RX_MODE_BITS,
      read: () => f.get(MAC.RX_MODE),
      write: (v) => {
        f.set(MAC.RX_MODE, v & ~RX_MODE_BITS.RESET);
        h.rxModeChanged(v, (v & RX_MODE_BITS.RESET) !== 0);
      },
    },
    {
      offset: MAC.RX_STATUS, name: 'MAC_RX_STATUS', width: 4, access: 'w1c', bits: RX_STATUS_BITS,
      read: () => (f.get(MAC.RX_STATUS) & ~RX_STATUS_BITS.REMOTE_TX_XOFFED) | (h.remoteXoffed() ? RX_STATUS_BITS.REMOTE_TX_XOFFED : 0),
      write: (v) => f.set(MAC.RX_STATUS, f.get(MAC.RX_STATUS) & ~(v & (RX_STATUS_BITS.XOFF_RCVD | RX_STATUS_BITS.XON_RCVD))),
    },
  );
  for (let i = 0; i < 4; i++) defs.push(stored(f, MAC.HASH_REG_0 + 4 * i, `MAC_HASH_REG_${i}`, filter));
  for (let n = 0; n < 16; n++) {
    const off = MAC.RCV_RULE_0 + 8 * n;
    defs.push(
      stored(f, off, `MAC_RCV_RULE_${n}`, {
        after: (v) => {
          // Receive rules are not evaluated: both drivers write them with the enable bit (31) clear.
          if (v & 0x80000000 && !ruleWarned.has(n)) {
            ruleWarned.add(n);
            h.trace('rx-rule-unsupported', { rule: n, value: v });
          }
        },
      }),
      stored(f, off + 4, `MAC_RCV_VALUE_${n}`),
    );
  }
  defs.push(stored(f, MAC.RCV_RULE_CFG, 'MAC_RCV_RULE_CFG'), stored(f, MAC.LOW_WMARK_MAX_RX_FRAME, 'MAC_LOW_WMARK_MAX_RX_FRAME'));
  return defs;
}

export const MI_COM_BITS = { DATA: 0xffff, REG_ADDR: 0x1f0000, PHY_ADDR: 0x3e00000, CMD_WRITE: 0x4000000, CMD_READ: 0x8000000, READ_FAILED: 0x10000000, START: 0x20000000 } as const;
export const MI_MODE_BITS = { CLK_10MHZ: 0x1, SHORT_PREAMBLE: 0x2, AUTO_POLL: 0x10, PHY_ADDR: 0x3e0, CLKCNT: 0x1f0000 } as const;
