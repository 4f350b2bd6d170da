/**
 * ip_fragment (netinet/ip_output.c): cut a datagram too big for the link into fragments whose data lengths
 * are multiples of 8 bytes (RFC 791 section 3.2, "Fragmentation and reassembly"). Every fragment carries the
 * datagram's identification; the first keeps the whole header, the others only the options whose copied
 * flag is set (ip_optcopy); the fragment offset continues the original's (a fragment may be fragmented
 * again when forwarded) and MF is set on all but the last, which keeps the original's MF.
 */
import { Errno } from '../kernel/api';
import { ETHER_HDR_LEN } from './wire/ethernet';
import { IP_DF, IP_HDR_LEN, IP_MF, IP_OFFMASK, Ipv4Packet } from './wire/ipv4';

/** IPOPT_EOL / IPOPT_NOP and the copied flag of an option type (RFC 791 section 3.1). */
const IPOPT_EOL = 0;
const IPOPT_NOP = 1;
const IPOPT_COPIED = 0x80;

/**
 * ip_optcopy: the options of a first fragment that every later fragment repeats (copied flag set) and the NOPs
 * between them (NetBSD's ip_optcopy keeps them, so that an LSRR option stays aligned for multicast tunnels), padded with EOL to a multiple
 * of 4 bytes. Malformed option lists stop the copy where they go wrong (NetBSD panics under DIAGNOSTIC: ip_dooptions
 * should have refused them).
 */
export function ipOptCopy(options: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < options.length) {
    const type = options[i]!;
    if (type === IPOPT_EOL) break;
    if (type === IPOPT_NOP) {
      out.push(IPOPT_NOP);
      i++;
      continue;
    }
    if (i + 1 >= options.length) break;
    const len = options[i + 1]!;
    if (len < 2 || i + len > options.length) break;
    if ((type & IPOPT_COPIED) !== 0) for (let k = 0; k < len; k++) out.push(options[i + k]!);
    i += len;
  }
  while (out.length % 4 !== 0) out.push(IPOPT_EOL);
  return new Uint8Array(out);
}

/**
 * Fragment the datagram in `frame` (Ethernet headroom, then the IP header) for a link of `mtu` bytes.
 * Returns the fragments, each a frame with the same headroom and a complete header with its checksum,
 * or EMSGSIZE when DF is set or the MTU leaves less than 8 bytes of data per fragment.
 */
export function ipFragment(frame: Uint8Array, mtu: number): Uint8Array[] | number {
  const p = new Ipv4Packet(frame.subarray(ETHER_HDR_LEN));
  if (p.dontFrag) return Errno.EMSGSIZE;
  const hlen = p.headerLen;
  const total = p.totalLen;
  // Data per fragment: what the MTU leaves after the (first, largest) header, rounded down to 8 bytes.
  const len = (mtu - hlen) & ~7;
  if (len < 8) return Errno.EMSGSIZE;
  const payload = p.buf.subarray(hlen, total);
  const header = p.buf.subarray(0, hlen);
  const later = hlen > IP_HDR_LEN ? ipOptCopy(header.subarray(IP_HDR_LEN)) : new Uint8Array(0);
  const baseOff = p.flagsFrag & IP_OFFMASK;
  const origMf = p.moreFrags;
  const rsv = p.flagsFrag & ~(IP_OFFMASK | IP_MF | IP_DF); // the reserved bit travels along
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += len) {
    const n = Math.min(len, payload.length - off);
    const first = off === 0;
    const hl = first ? hlen : IP_HDR_LEN + later.length;
    const f = new Uint8Array(ETHER_HDR_LEN + hl + n);
    const q = new Ipv4Packet(f.subarray(ETHER_HDR_LEN));
    f.set(header.subarray(0, IP_HDR_LEN), ETHER_HDR_LEN);
    if (first) f.set(header.subarray(IP_HDR_LEN), ETHER_HDR_LEN + IP_HDR_LEN);
    else f.set(later, ETHER_HDR_LEN + IP_HDR_LEN);
    q.setVersionAndHeaderLen(hl);
    f.set(payload.subarray(off, off + n), ETHER_HDR_LEN + hl);
    const last = off + n >= payload.length;
    q.totalLen = hl + n;
    q.flagsFrag = rsv | (!last || origMf ? IP_MF : 0) | ((baseOff + (off >> 3)) & IP_OFFMASK);
    q.fillChecksum();
    out.push(f);
  }
  return out;
}
