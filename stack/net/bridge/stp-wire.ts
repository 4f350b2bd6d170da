/**
 * 802.1D spanning-tree frames as bridgestp.c (NetBSD 1.x, in QNX's hc stacks) sends and parses them: LLC
 * (DSAP/SSAP 0x42, UI) after an 802.3 length field, to the bridge group address 01:80:c2:00:00:00; a
 * configuration BPDU (35 bytes: protocol 0, version 0, type 0, flags TC/TCA, root id, root path cost, bridge id,
 * port id, message age, max age, hello time, forward delay, times in 1/256 s) or a topology change notification
 * (4 bytes, type 0x80).
 */
import { ETHER_HDR_LEN } from '../wire/ethernet';

/** bstp_etheraddr: the Bridge Group Address. */
export const BSTP_ETHERADDR: Readonly<Uint8Array> = new Uint8Array([0x01, 0x80, 0xc2, 0x00, 0x00, 0x00]);

export const BSTP_MSGTYPE_CFG = 0x00;
export const BSTP_MSGTYPE_TCN = 0x80;
export const BSTP_FLAG_TC = 0x01;
export const BSTP_FLAG_TCA = 0x80;
/** LLC header (3) + configuration BPDU (35) / TCN BPDU (4). */
export const LLC_LEN = 3;
export const BSTP_CFG_LEN = 35;
export const BSTP_TCN_LEN = 4;

/** struct bstp_config_unit (cu_*), ids as 64-bit bigints (priority << 48 | MAC). */
export interface BstpConfigUnit {
  rootId: bigint;
  rootPathCost: number;
  bridgeId: bigint;
  portId: number;
  messageAge: number;
  maxAge: number;
  helloTime: number;
  forwardDelay: number;
  topologyChange: boolean;
  topologyChangeAck: boolean;
}

export type Bpdu = { type: 'cfg'; cu: BstpConfigUnit } | { type: 'tcn' };

function putId(b: DataView, off: number, id: bigint): void {
  b.setBigUint64(off, id);
}

/** bstp_send_config_bpdu / bstp_transmit_tcn: the whole frame, source `src`. */
export function buildBpdu(srcMac: Uint8Array, bpdu: Bpdu): Uint8Array {
  const body = bpdu.type === 'cfg' ? BSTP_CFG_LEN : BSTP_TCN_LEN;
  // 52 or 21 bytes: bstp_send_config_bpdu / bstp_transmit_tcn do not pad; the driver pads runts on the wire.
  const len = ETHER_HDR_LEN + LLC_LEN + body;
  const f = new Uint8Array(len);
  const v = new DataView(f.buffer);
  f.set(BSTP_ETHERADDR, 0);
  f.set(srcMac.subarray(0, 6), 6);
  v.setUint16(12, LLC_LEN + body); // 802.3 length
  f[14] = 0x42; // LLC_8021D_LSAP
  f[15] = 0x42;
  f[16] = 0x03; // LLC_UI
  const o = ETHER_HDR_LEN + LLC_LEN;
  v.setUint16(o, 0); // protocol identifier
  f[o + 2] = 0; // version
  if (bpdu.type === 'tcn') {
    f[o + 3] = BSTP_MSGTYPE_TCN;
    return f;
  }
  const cu = bpdu.cu;
  f[o + 3] = BSTP_MSGTYPE_CFG;
  f[o + 4] = (cu.topologyChange ? BSTP_FLAG_TC : 0) | (cu.topologyChangeAck ? BSTP_FLAG_TCA : 0);
  putId(v, o + 5, cu.rootId);
  v.setUint32(o + 13, cu.rootPathCost);
  putId(v, o + 17, cu.bridgeId);
  v.setUint16(o + 25, cu.portId);
  v.setUint16(o + 27, cu.messageAge);
  v.setUint16(o + 29, cu.maxAge);
  v.setUint16(o + 31, cu.helloTime);
  v.setUint16(o + 33, cu.forwardDelay);
  return f;
}

/** bstp_input's checks: LLC 0x42/0x42/UI, protocol 0, a known type and its length. A reason string on failure. */
export function parseBpdu(frame: Uint8Array): Bpdu | string {
  if (frame.length < ETHER_HDR_LEN + LLC_LEN + BSTP_TCN_LEN) return 'runt BPDU';
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  // The 802.3 length field: shorter than a TCN BPDU (LLC + 4) is dropped; bytes past it are trimmed (m_adj).
  const len = v.getUint16(12);
  if (len < LLC_LEN + BSTP_TCN_LEN) return `802.3 length ${len} shorter than a BPDU`;
  if (frame[14] !== 0x42 || frame[15] !== 0x42 || frame[16] !== 0x03) return 'not an 802.1D LLC frame';
  const o = ETHER_HDR_LEN + LLC_LEN;
  if (v.getUint16(o) !== 0) return 'BPDU protocol identifier not 0';
  const type = frame[o + 3];
  if (frame[o + 2] !== 0) return `BPDU protocol version ${frame[o + 2]} not 0`;
  if (type === BSTP_MSGTYPE_TCN) return { type: 'tcn' };
  if (type !== BSTP_MSGTYPE_CFG) return `unknown BPDU type 0x${type!.toString(16)}`;
  if (frame.length < o + BSTP_CFG_LEN || len < LLC_LEN + BSTP_CFG_LEN) return 'short configuration BPDU';
  const flags = frame[o + 4]!;
  return {
    type: 'cfg',
    cu: {
      topologyChange: (flags & BSTP_FLAG_TC) !== 0, topologyChangeAck: (flags & BSTP_FLAG_TCA) !== 0,
      rootId: v.getBigUint64(o + 5), rootPathCost: v.getUint32(o + 13), bridgeId: v.getBigUint64(o + 17), portId: v.getUint16(o + 25),
      messageAge: v.getUint16(o + 27), maxAge: v.getUint16(o + 29), helloTime: v.getUint16(o + 31), forwardDelay: v.getUint16(o + 33),
    },
  };
}
