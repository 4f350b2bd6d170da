import type { ChipRegs } from './chip';
import { multicastHashIndex } from './crc';
import type { TallyCounters } from './counters';
import { RCR, RSR } from './regs';

export type AddressKind = 'unicast' | 'multicast' | 'broadcast';

/**
 * Destination address recognition (DP8390 datasheet, "Address Recognition Logic" and RCR):
 * - a physical (individual) address is accepted if it equals PAR0–5, or always with RCR.PRO;
 * - the broadcast address is accepted with RCR.AB;
 * - any group address (broadcast included) is accepted with RCR.AM when its hash bit is set in MAR0–7
 *   (index = top 6 bits of the CRC, MAR[index >> 3] bit index & 7).
 * PRO covers physical addresses only: group addresses still need AB or AM (Linux sets AB|AM|PRO and an
 * all-ones MAR for promiscuous mode).
 * Returns what was accepted, or null if the frame is to be ignored.
 */
export function acceptAddress(data: Uint8Array, regs: ChipRegs): AddressKind | null {
  const rcr = regs.rcr;
  if ((data[0]! & 1) === 0) {
    if (rcr & RCR.PRO) return 'unicast';
    for (let i = 0; i < 6; i++) if (data[i] !== regs.par[i]) return null;
    return 'unicast';
  }
  let broadcast = true;
  for (let i = 0; i < 6; i++) if (data[i] !== 0xff) broadcast = false;
  if (broadcast && rcr & RCR.AB) return 'broadcast';
  if (rcr & RCR.AM) {
    const idx = multicastHashIndex(data, 0);
    if (regs.mar[idx >> 3]! & (1 << (idx & 7))) return broadcast ? 'broadcast' : 'multicast';
  }
  return null;
}

/**
 * Receive status of an address-accepted frame (datasheet RSR): PHY for a group address, CRC and FAE counted in
 * CNTR1/CNTR0 when set; PRX is the caller's (a good frame that is also stored). Returns RSR without PRX.
 */
export function receiveStatus(kind: AddressKind, crcBad: boolean, fae: boolean, counters: TallyCounters): number {
  let status = kind === 'unicast' ? 0 : RSR.PHY;
  if (crcBad) {
    status |= RSR.CRC;
    counters.bump(1);
  }
  if (fae) {
    status |= RSR.FAE;
    counters.bump(0);
  }
  return status;
}
