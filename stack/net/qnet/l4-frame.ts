/**
 * Building the transport's LwL4 frames (pad + 36-byte header + body, stack/net/wire/qnet.ts; the field
 * meanings of docs/design/qnet-wire.md §2) and cutting a message into them at mtu_en.
 *
 * [ours]: the header's src_nd_for_dst is this node's ND for the peer and dst_nd_for_src the peer's ND for
 * this node as learned from its frames (0 until then); sconn is our session id, dconn the peer's; qos_type
 * and src_qos_idx name the frame's QoS stream (session.ts); with
 * do_crc=0 the CRC flag is clear and the field 0 (what real frames carry, qnet-wire.md §1.7), otherwise the
 * flag is set and the field filled. A message of n bytes becomes ceil(n / (mtu_en − 38)) frames (one for an
 * empty message), FIRST on the first, LAST on the last, `offset` = the piece's place in the message.
 */
import { QNET_L4_HDR_LEN, QnetL4Flag, QnetL4Packet, QnetL4Repr } from '../wire/qnet';
import type { TxFrame, TxMessage } from './session';

/** The header fields a sender chooses (the rest come from the session and the link): LwL4's, less byte order and payload. */
export type L4Header = Omit<QnetL4Repr, 'bigEndian' | 'payload'>;

/** The Ethernet payload of one LwL4 frame. */
export function buildL4(h: L4Header, body: Uint8Array, doCrc: boolean): Uint8Array {
  const r: QnetL4Repr = {
    bigEndian: false, ...h, srcNdForDst: h.srcNdForDst & 0xffff, dstNdForSrc: h.dstNdForSrc & 0xffff,
    flags: doCrc ? h.flags | QnetL4Flag.CRC : h.flags & ~QnetL4Flag.CRC, payload: body,
  };
  const buf = new Uint8Array(QnetL4Repr.bufferLen(r));
  const p = new QnetL4Packet(buf);
  QnetL4Repr.emit(r, p);
  if (!doCrc) p.crc = 0;
  return buf;
}

/** Largest body per frame at `mtuEn` (the pad and header count against it). */
export function maxBody(mtuEn: number): number {
  return Math.max(1, mtuEn - QNET_L4_HDR_LEN);
}

/** The frames of `msg`, unsequenced. */
export function fragment(msg: TxMessage, mtuEn: number): TxFrame[] {
  const per = maxBody(mtuEn);
  const n = Math.max(1, Math.ceil(msg.payload.length / per));
  const frames: TxFrame[] = [];
  for (let i = 0; i < n; i++) {
    const offset = i * per;
    const flags = (i === 0 ? QnetL4Flag.FIRST : 0) | (i === n - 1 ? QnetL4Flag.LAST : 0);
    frames.push({
      msg, stream: msg.stream, layer: msg.layer, flags, offset, body: msg.payload.subarray(offset, Math.min(msg.payload.length, offset + per)),
      seq: 0, link: null, sentAt: 0,
    });
  }
  return frames;
}
