/**
 * tcpdump's printing context (netdissect_options in tcpdump 4.x: the -e -n -q -v -x -S flags) and the small
 * helpers every printer shares: big-endian field reads that report truncation, address and port text.
 */
import { PORT_NAMES } from '../../lib/pcap/services';
import { ipv6ToString } from '../../net/wire/addr6';

export interface Ndo {
  eflag: boolean;
  /** -n: 1, -nn: 2 (numeric ports and protocols too). */
  nflag: number;
  qflag: boolean;
  vflag: number;
  Sflag: boolean;
  /** tcp_seq_hash: the first sequence/ack numbers of each conversation, for relative numbers. */
  tcpSeq: Map<string, { seq: number; ack: number }>;
}

export function newNdo(): Ndo {
  return { eflag: false, nflag: 0, qflag: false, vflag: 0, Sflag: false, tcpSeq: new Map() };
}

export const be16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
export const be32 = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

export function ipaddrString(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

export function ip6addrString(b: Uint8Array, o: number): string {
  return ipv6ToString(b.slice(o, o + 16));
}

export function etheraddrString(b: Uint8Array, o: number): string {
  return Array.from(b.subarray(o, o + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** tcpport_string/udpport_string: the service name unless -nn. */
export function portString(ndo: Ndo, port: number): string {
  if (ndo.nflag >= 2) return String(port);
  return PORT_NAMES.get(port) ?? String(port);
}
