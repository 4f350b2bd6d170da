import type { Frame } from '../../emulator/machine/net/link';
import { acceptAddress, receiveStatus } from './address-filter';
import type { ChipServices } from './chip';
import { fcs32 } from './crc';
import { ISR, RSR, TSR } from './regs';

/**
 * DP8390 loopback (TCR LB1..LB0; datasheet section 12 "Loopback Diagnostics"; National AN-937 "Loopback
 * Diagnostics Using the DP8390/901/902/905"):
 * - 00 normal operation;
 * - 01 mode 1, through the NIC: the serializer feeds the deserializer, nothing reaches the wire and the
 *   receiver hears nothing from it;
 * - 10 mode 2, through the ENDEC (the DP8391 SNI's LPBK): as mode 1 for the wire and the receiver;
 * - 11 mode 3, external, through the transceiver: the frame goes to the medium under CSMA/CD ("the network will
 *   not be disturbed by the loopback packet") and comes back through the transceiver; the receiver is exposed to
 *   the other stations' traffic as well (AN-937: "the contents of both the receive portion of the FIFO and the
 *   Receive Status Register [may] be corrupted by any other packet on the network").
 *
 * In every mode the local DMA does not store the looped-back packet (AN-937 section 4: "the DMA does not store
 * the loopback packet in memory"): the receiver checks its address and CRC and shows the result in RSR, the last
 * bytes in the FIFO, ISR.RXE on a CRC error — never ISR.PRX ("the Packet Received bit remains 0 for all loopback
 * modes"), never the ring, CURR or BNRY. The transmitter and receiver share the CRC logic: when the NIC appends
 * the CRC (TCR.CRC = 0) the receiver reports a CRC error for a frame whose address matches (AN-937 section 5:
 * TCR 02H, RSR 02H, ISR 06H); with TCR.CRC = 1 it checks the CRC the software put at the end of the buffer.
 * A frame whose address does not match leaves RSR as it was ("CRC errors should not be detected for a
 * non-matching physical address").
 *
 * The NE2000 boards have no loopback plug: in mode 3 other stations receive the frame as an ordinary frame.
 */
export type LoopbackMode = 0 | 1 | 2 | 3;

export function loopbackMode(tcr: number): LoopbackMode {
  return ((tcr >> 1) & 3) as LoopbackMode;
}

/** A frame on its way round a loopback path. */
export interface LoopedFrame {
  /** What the medium carries (mode 3) or would carry: the data without the FCS. */
  readonly frame: Frame;
  /** The bytes as serialized, FCS included (what passes the receive FIFO). */
  readonly wire: Uint8Array;
  /** The transmitter generated the FCS (TCR.CRC = 0): the shared CRC logic then flags it as an error. */
  readonly nicCrc: boolean;
  readonly mode: 1 | 2 | 3;
}

/** `data` followed by its FCS, least significant byte first (inverted when `badFcs`), as it goes on the wire. */
export function serialize(data: Uint8Array, badFcs = false): Uint8Array {
  let fcs = fcs32(data);
  if (badFcs) fcs = ~fcs >>> 0;
  const out = new Uint8Array(data.length + 4);
  out.set(data);
  out[data.length] = fcs & 0xff;
  out[data.length + 1] = (fcs >>> 8) & 0xff;
  out[data.length + 2] = (fcs >>> 16) & 0xff;
  out[data.length + 3] = fcs >>> 24;
  return out;
}

/**
 * TSR after a mode-1 or mode-2 loopback transmission. AN-937 section 5: mode 1 gives 51H (PTX, CRS and CDH:
 * carrier sense and collision inputs are ignored once the NIC has the "network", so CRS lost and CD heartbeat
 * are always reported); datasheet section 12, mode 2: 43H (PTX, ND, CDH; CRS comes from the ENDEC and stays).
 * A FIFO underrun replaces PTX with FU. `ndAlways`: the RTL8029's TSR bit 1 always reads 1.
 */
export function loopbackTsr(mode: 1 | 2, underrun: boolean, ndAlways: boolean): number {
  let tsr = underrun ? TSR.FU : TSR.PTX;
  tsr |= TSR.CDH;
  if (mode === 1) tsr |= TSR.CRS;
  if (mode === 2 || ndAlways) tsr |= TSR.ND;
  return tsr;
}

/**
 * The receiver's half of loopback: address and CRC check, RSR, FIFO, ISR.RXE and the tally counters — nothing
 * stored. `wire` is the serialized frame (FCS included); `nicCrc` says the transmitter generated that FCS.
 * Traced as `rx-loopback`.
 */
export function checkLoopback(chip: ChipServices, frame: Frame, wire: Uint8Array, nicCrc: boolean): void {
  const { regs, counters } = chip;
  const data = frame.data;
  const kind = data.length >= 6 ? acceptAddress(data, regs) : null;
  if (kind === null) {
    chip.trace('rx-loopback', frame.pktId, { len: data.length, match: false });
    return;
  }
  const crcBad = nicCrc || frame.badFcs === true;
  const fae = frame.alignmentError === true;
  let status = receiveStatus(kind, crcBad, fae, counters);
  if (!crcBad && !fae) status |= RSR.PRX;
  regs.rsr = status;
  regs.setFifo(wire);
  chip.trace('rx-loopback', frame.pktId, { len: data.length, match: true, status });
  if (crcBad || fae) chip.raise(ISR.RXE);
}
