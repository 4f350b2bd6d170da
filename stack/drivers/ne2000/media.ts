/**
 * What the NE2000 drivers know of their medium (ifconfig's media line, nicinfo's "Current Operation Rate" and
 * "Active Interface Type").
 *
 * - ISA NE2000 / NE1000: the DP8390 has no register that tells the connector or the link; the board's jumpers
 *   choose it (NetBSD ne(4): "media selection must be performed either via card jumper settings or by
 *   vendor-supplied configuration programs"). The driver assumes twisted pair at half duplex, as QNX's nicinfo
 *   shows for these boards, and says so here rather than the utility printing a constant.
 * - RTL8029AS: page 3 tells. CONFIG0.BNC set means the coax port is active (10Base2); otherwise twisted pair, with
 *   CONFIG3.FUDUP for full duplex (NetBSD rtl80x9_mediastatus).
 */
import type { NicConnector } from '../../net/hw-nicinfo';

export interface Ne2000Media {
  /** ifmedia subtype name: "10baseT", "10base2". */
  subtype: string;
  fullDuplex: boolean;
  connector: NicConnector;
}

/** The ISA boards: nothing to read, the driver's assumption. */
export function isaMedia(): Ne2000Media {
  return { subtype: '10baseT', fullDuplex: false, connector: 'UTP' };
}

/** The RTL8029's media as read from page 3 (Ne2000Io.rtl8029Media). */
export function rtl8029Media(read: { subtype: string; fullDuplex: boolean }): Ne2000Media {
  return { ...read, connector: read.subtype === '10base2' ? 'BNC' : 'UTP' };
}
