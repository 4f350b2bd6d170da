/**
 * The link layers and the hex dumps of tcpdump 4.x: Ethernet (print-ether.c: with -e `src > dst, ethertype
 * IPv4 (0x0800), length 98: `, unknown types always with that header), ARP/RARP (print-arp.c: `ARP, Request
 * who-has 10.0.0.2 tell 10.0.0.1, length 28`), pflog (print-pflog.c: `rule 1/0(match): block in on en0: `
 * then the packet by its address family), and -x/-X (print-ascii.c hex_and_ascii_print_with_offset).
 */
import { DLT_EN10MB } from '../../include/net/bpf';
import { be16, be32, etheraddrString, ipaddrString, type Ndo } from './ndo';
import { ipPrint } from './print-ip';
import { ip6Print } from './print-ip6';

export const DLT_PFLOG = 117;
/** pcap_datalink_val_to_name / _description for the link types io-pkt's interfaces have. */
export const DLT_NAMES: Record<number, [string, string]> = {
  [DLT_EN10MB]: ['EN10MB', 'Ethernet'],
  [DLT_PFLOG]: ['PFLOG', 'OpenBSD pflog file'],
};

const ETHERTYPES: Record<number, string> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x8035: 'Reverse ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x888e: 'EAPOL', 0x88cc: 'LLDP',
};

function arpPrint(ndo: Ndo, b: Uint8Array, o: number, len: number): string {
  const pre = ndo.eflag ? '' : 'ARP, ';
  if (b.length - o < 8) return `${pre}[|ARP]`;
  const hrd = be16(b, o);
  const pro = be16(b, o + 2);
  const hln = b[o + 4]!;
  const pln = b[o + 5]!;
  const op = be16(b, o + 6);
  if (hrd !== 1 || pro !== 0x0800 || hln !== 6 || pln !== 4) {
    return `${pre}hardware type ${hrd === 1 ? 'Ethernet' : `Unknown Hardware (${hrd})`} (${hrd}), protocol type ${pro === 0x0800 ? 'IPv4' : `Unknown Protocol (0x${pro.toString(16).padStart(4, '0')})`} (0x${pro.toString(16).padStart(4, '0')}), length ${len}`;
  }
  if (b.length - o < 28) return `${pre}[|ARP]`;
  const sha = etheraddrString(b, o + 8);
  const spa = ipaddrString(b, o + 14);
  const tha = etheraddrString(b, o + 18);
  const tpa = ipaddrString(b, o + 24);
  const rarpPre = ndo.eflag ? '' : 'RARP, ';
  const v = ndo.vflag ? 'Ethernet (len 6), IPv4 (len 4), ' : '';
  switch (op) {
    case 1: {
      const known = b.subarray(o + 18, o + 24).some((x) => x !== 0);
      return `${pre}${v}Request who-has ${tpa}${known ? ` (${tha})` : ''} tell ${spa}, length ${len}`;
    }
    case 2: return `${pre}${v}Reply ${spa} is-at ${sha}, length ${len}`;
    case 3: return `${rarpPre}${v}Reverse Request who-is ${tha} tell ${sha}, length ${len}`;
    case 4: return `${rarpPre}${v}Reverse Reply ${tha} at ${tpa}, length ${len}`;
    default: return `${pre}Unknown (${op}), length ${len}`;
  }
}

/** ethertype_print for what follows a link header; null when the type is not one tcpdump decodes here. */
function ethertypePrint(ndo: Ndo, type: number, b: Uint8Array, o: number, len: number): string | null {
  switch (type) {
    case 0x0800: return ipPrint(ndo, b, o, len);
    case 0x86dd: return ip6Print(ndo, b, o, len);
    case 0x0806:
    case 0x8035: return arpPrint(ndo, b, o, len);
    default: return null;
  }
}

function etherHdr(ndo: Ndo, b: Uint8Array, type: number, length: number): string {
  const names = `${etheraddrString(b, 6)} > ${etheraddrString(b, 0)}`;
  if (type <= 1500) return `${names}, 802.3, length ${length}: `;
  const tname = ETHERTYPES[type] ?? 'Unknown';
  return ndo.qflag ? `${names}, ${tname}, length ${length}: ` : `${names}, ethertype ${tname} (0x${type.toString(16).padStart(4, '0')}), length ${length}: `;
}

/** ether_if_print: one line (without the timestamp) for an Ethernet frame of `wirelen` bytes on the wire. */
export function etherPrint(ndo: Ndo, b: Uint8Array, wirelen: number): string {
  if (b.length < 14) return '[|ether]';
  const type = be16(b, 12);
  const body = ethertypePrint(ndo, type, b, 14, wirelen - 14);
  if (ndo.eflag) return etherHdr(ndo, b, type, wirelen) + (body ?? (type <= 1500 ? 'LLC' : ''));
  if (body !== null) return body;
  return etherHdr(ndo, b, type, wirelen) + (type <= 1500 ? 'LLC' : '');
}

const PF_REASONS = ['match', 'bad-offset', 'fragment', 'short', 'normalize', 'memory', 'bad-timestamp', 'congestion', 'ip-option',
  'proto-cksum', 'state-mismatch', 'state-insert', 'state-limit', 'src-limit', 'synproxy'];
const PF_ACTIONS = ['pass', 'block', 'scrub', 'no-scrub', 'nat', 'no-nat', 'binat', 'no-binat', 'rdr', 'no-rdr'];
const PF_DIRS = ['in/out', 'in', 'out'];
const AF_INET = 2;
const AF_INET6 = 24;

/**
 * pflog_if_print: struct pfloghdr (length, af, action, reason, ifname[16], ruleset[16], rulenr, subrulenr, …,
 * dir). As tcpdump.org's printer, the rule part is printed with -e only (the link-layer header's place);
 * without -e the line is the packet's alone.
 */
export function pflogPrint(ndo: Ndo, b: Uint8Array, wirelen: number): string {
  if (b.length < 4 || b.length < b[0]!) return '[|pflog]';
  const hdrlen = (b[0]! + 3) & ~3;
  // Two generations of struct pfloghdr: OpenBSD 3.7's (NetBSD 4's pf, PFLOG_REAL_HDRLEN 45: dir at 44) and
  // OpenBSD 3.8's with uid/pid fields (61: dir at 60). The length byte says which one the kernel wrote.
  const dirOff = b[0]! >= 61 ? 60 : 44;
  if (b.length < dirOff + 1 || b.length < hdrlen) return '[|pflog]';
  const af = b[1]!;
  const action = b[2]!;
  const reason = b[3]!;
  const cstr = (o: number) => {
    const s = b.subarray(o, o + 16);
    const z = s.indexOf(0);
    return String.fromCharCode(...s.subarray(0, z < 0 ? 16 : z));
  };
  const rulenr = be32(b, 36);
  const subrulenr = be32(b, 40);
  const dir = b[dirOff]!;
  const inner = (): string => {
    if (af === AF_INET) return ipPrint(ndo, b, hdrlen, wirelen - hdrlen);
    if (af === AF_INET6) return ip6Print(ndo, b, hdrlen, wirelen - hdrlen);
    return `[af ${af}]`;
  };
  if (!ndo.eflag) return inner();
  let s = subrulenr === 0xffffffff ? `rule ${rulenr}/` : `rule ${rulenr}.${cstr(20)}.${subrulenr}/`;
  s += `${PF_REASONS[reason] !== undefined ? `${reason}(${PF_REASONS[reason]})` : `unkn(${reason})`}: `;
  s += `${PF_ACTIONS[action] ?? `unkn(${action})`} ${PF_DIRS[dir] ?? `unkn(${dir})`} on ${cstr(4)}: `;
  return s + inner();
}

/** The link-layer header length -x leaves out. */
export function linkHdrLen(dlt: number, b: Uint8Array): number {
  return dlt === DLT_PFLOG ? (((b[0] ?? 0) + 3) & ~3) : 14;
}

/** hex_and_ascii_print_with_offset (-X) / hex_print_with_offset (-x): `\t0x0000:  4500 0054 …` lines. */
export function hexDump(b: Uint8Array, ascii: boolean): string {
  let out = '';
  for (let off = 0; off < b.length; off += 16) {
    const row = b.subarray(off, off + 16);
    let hex = '';
    for (let i = 0; i < row.length; i += 2) hex += ` ${row[i]!.toString(16).padStart(2, '0')}${i + 1 < row.length ? row[i + 1]!.toString(16).padStart(2, '0') : ''}`;
    const text = ascii ? `  ${hex.padEnd(40)}  ${Array.from(row, (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('')}` : ` ${hex}`;
    out += `\n\t0x${off.toString(16).padStart(4, '0')}:${ascii ? text.slice(1) : text}`;
  }
  return out;
}
