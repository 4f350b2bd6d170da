/**
 * `--capture-filter <expr>`: the debugger's packet filter language (emulator/app/debug/filter.ts, docs/debugger.md)
 * decided on each captured frame's bytes (filter-eval.ts with a complete PacketInfo: every primitive is known).
 *
 * Wired frames are Ethernet (no FCS) and decode as the debugger decodes them. An 802.11 MPDU is decided on the
 * Ethernet frame it carries: a data frame that is not protected, with an RFC 1042 LLC/SNAP header (AA AA 03
 * 00 00 00, then the EtherType: IEEE 802.11-2016 annex "Frame conversion"), becomes destination, source (from
 * the To DS / From DS address table, 802.11-2016 9.3.2.1), EtherType and payload. Any other MPDU (management,
 * control, protected data) has no Ethernet view: only `pkt N`, `len` and their negations decide it.
 */
import { FilterError, parseFilter, type FilterNode } from '../debug/filter';
import { matches } from '../debug/filter-eval';
import { decodeFrame, type PacketInfo } from '../debug/packet-info';

export { FilterError };

/** Parse `--capture-filter`; a FilterError carries the 1-based column of the offending token. */
export function parseCaptureFilter(text: string): FilterNode {
  return parseFilter(text);
}

/** 00:00:e8:0a:00:01 */
export function macText(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

const FC_TYPE_DATA = 2;
const RFC1042 = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00];

/** 802.11 addresses of an MPDU: Address 1 (receiver) always, Address 2 (transmitter) when the frame has one. */
export function wifiAddresses(mpdu: Uint8Array): { ra: Uint8Array | null; ta: Uint8Array | null } {
  const type = (mpdu[0]! >> 2) & 3;
  const subtype = (mpdu[0]! >> 4) & 0xf;
  const ra = mpdu.length >= 10 ? mpdu.subarray(4, 10) : null;
  // Control frames CTS (12) and ACK (13) carry Address 1 only (802.11-2016 9.3.1).
  const raOnly = type === 1 && (subtype === 12 || subtype === 13);
  const ta = !raOnly && mpdu.length >= 16 ? mpdu.subarray(10, 16) : null;
  return { ra, ta };
}

/** The Ethernet frame an unprotected 802.11 data MPDU with LLC/SNAP carries, or null. */
export function wifiToEthernet(mpdu: Uint8Array): Uint8Array | null {
  if (mpdu.length < 24) return null;
  const fc0 = mpdu[0]!;
  const fc1 = mpdu[1]!;
  if (((fc0 >> 2) & 3) !== FC_TYPE_DATA || (fc1 & 0x40) !== 0) return null;
  const toDs = (fc1 & 1) !== 0;
  const fromDs = (fc1 & 2) !== 0;
  const a = (n: number): Uint8Array => mpdu.subarray(4 + 6 * (n - 1), 10 + 6 * (n - 1));
  let hdr = 24;
  if (toDs && fromDs) hdr += 6;
  const qos = ((fc0 >> 4) & 0x8) !== 0;
  if (qos) hdr += 2;
  if ((((fc0 >> 4) & 0xf) & 0x4) !== 0) return null; // a null (no data) subtype carries no frame
  if (mpdu.length < hdr + 8 || !RFC1042.every((b, i) => mpdu[hdr + i] === b)) return null;
  const da = toDs ? a(3) : a(1);
  const sa = !fromDs ? a(2) : toDs ? mpdu.subarray(24, 30) : a(3);
  const payload = mpdu.subarray(hdr + 6);
  const eth = new Uint8Array(12 + payload.length);
  eth.set(da, 0);
  eth.set(sa, 6);
  eth.set(payload, 12);
  return eth;
}

/** What the filter sees of an Ethernet frame (`wireless` false) or an 802.11 MPDU without FCS (`wireless` true). */
export function captureInfo(pkt: number, data: Uint8Array, wireless: boolean): PacketInfo {
  if (!wireless) return decodeFrame(pkt, data);
  const eth = wifiToEthernet(data);
  if (eth) return { ...decodeFrame(pkt, eth), len: data.length };
  return { pkt, complete: true, bytes: null, len: data.length };
}

/** Does the frame pass the filter? (Null filter: every frame.) */
export function passes(filter: FilterNode | null, pkt: number, data: Uint8Array, wireless: boolean): boolean {
  return filter === null || matches(filter, captureInfo(pkt, data, wireless));
}
