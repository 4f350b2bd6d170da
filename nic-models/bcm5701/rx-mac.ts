/**
 * The MAC's receive checks at the end of a frame on the wire (design §1.11.2), in order; the first failing one
 * drops the frame with its reason: receiver off (MAC_RX_MODE.ENABLE, MAC_MODE.RDE, clocks, link, port mode),
 * length (runt < 64, giant > MAC_RX_MTU_SIZE, both with FCS), MAC control frames (PAUSE acted on with
 * MAC_RX_MODE.FLOW_CTRL_ENABLE, delivered only with KEEP_PAUSE/KEEP_MAC_CTRL), the address filter, and the
 * receive blocks being enabled. A frame with a bad FCS is counted and still handed up, marked in its return BD
 * (tg3_rx and bge_rxeof drop and recycle such buffers). MAC receive statistics are counted here.
 */
import type { Bcm5701Core } from './core';
import { addressClass, filterAccepts } from './rx-filter';
import type { RxFrame } from './receive';
import { MAC, MAC_MODE_BITS, RX_MODE_BITS, RX_STATUS_BITS } from './regs';

export interface RxVerdict {
  reject?: string;
}

const PAUSE_DA = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x01];

export function rxAccept(c: Bcm5701Core, f: RxFrame, alignment: boolean): RxVerdict {
  const reg = (o: number): number => c.f.get(o);
  const rxMode = reg(MAC.RX_MODE);
  const st = c.stats;
  if (!(rxMode & RX_MODE_BITS.ENABLE)) return { reject: 'rx-disabled' };
  if (!(reg(MAC.MODE) & MAC_MODE_BITS.RDE_ENABLE)) return { reject: 'rde-disabled' };
  if (c.rxClockDisabled()) return { reject: 'clock-disabled' };
  const link = c.phyLink();
  if (!link && !c.internalLoopback()) return { reject: 'no-link' };
  if (link && !c.internalLoopback() && !c.portModeMatches(link.speedMbps)) return { reject: 'port-mode-mismatch' };
  const wireLen = f.data.length + 4;
  if (wireLen < 64 && !(rxMode & RX_MODE_BITS.ACCEPT_RUNTS)) {
    st.add(f.badFcs ? 'rx_fragments' : 'rx_undersize_packets', 'macRx');
    return { reject: 'runt' };
  }
  const tagged = f.data.length >= 16 && f.data[12] === 0x81 && f.data[13] === 0x00;
  const mtu = reg(MAC.RX_MTU_SIZE) & 0xffff;
  if (wireLen > Math.max(mtu, tagged ? 1522 : 1518) && !(rxMode & RX_MODE_BITS.ACCEPT_OVERSIZED)) {
    st.add(f.badFcs ? 'rx_jabbers' : 'rx_frame_too_long_errors', 'macRx');
    return { reject: 'giant' };
  }
  st.add('rx_octets', 'macRx', wireLen);
  st.addRxSize(wireLen);
  if (f.badFcs) st.add(alignment ? 'rx_align_errors' : 'rx_fcs_errors', 'macRx');
  c.phyCrcError(f.badFcs);
  if (f.data.length >= 16 && f.data[12] === 0x88 && f.data[13] === 0x08) {
    const opcode = (f.data[14]! << 8) | f.data[15]!;
    st.add('rx_mac_ctrl_rcvd', 'macRx');
    const toUs = PAUSE_DA.every((b, i) => f.data[i] === b) || filterAccepts(f.data, 'ucast', c.filterConfig());
    if (opcode === 1 && toUs && !f.badFcs) {
      const quanta = (f.data[16]! << 8) | f.data[17]!;
      st.add(quanta === 0 ? 'rx_xon_pause_rcvd' : 'rx_xoff_pause_rcvd', 'macRx');
      c.f.set(MAC.RX_STATUS, c.f.get(MAC.RX_STATUS) | (quanta === 0 ? RX_STATUS_BITS.XON_RCVD : RX_STATUS_BITS.XOFF_RCVD));
      if (rxMode & RX_MODE_BITS.FLOW_CTRL_ENABLE) {
        if (quanta !== 0) st.add('rx_xoff_entered', 'macRx');
        c.pauseReceived(quanta);
      }
      if (!(rxMode & RX_MODE_BITS.KEEP_PAUSE)) return { reject: 'mac-control' };
    } else if (!(rxMode & RX_MODE_BITS.KEEP_MAC_CTRL)) {
      return { reject: 'mac-control' };
    }
  }
  const cls = addressClass(f.data);
  if (!filterAccepts(f.data, cls, c.filterConfig())) return { reject: 'address' };
  if (!f.badFcs) st.add(cls === 'bcast' ? 'rx_bcast_packets' : cls === 'mcast' ? 'rx_mcast_packets' : 'rx_ucast_packets', 'macRx');
  if (!c.enabled(0x4400)) return { reject: 'bufmgr-disabled' };
  return {};
}
