/**
 * IPv4 and ICMP as tcpdump 4.x prints them (print-ip.c ip_print, print-icmp.c icmp_print, print-igmp.c):
 * `IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64`; with -v the header line
 * `IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 84)` first; non-first fragments
 * print only the protocol; bad lengths and truncation print tcpdump's markers instead of failing.
 */
import { be16, be32, ipaddrString, portString, type Ndo } from './ndo';
import { cksumOver, tcpPrint, udpPrint } from './print-tcp';

const IPPROTO_NAMES: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 103: 'PIM', 112: 'VRRP', 132: 'SCTP' };
const PROTO_LOWER: Record<number, string> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 41: 'ipv6', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 112: 'vrrp', 132: 'sctp' };

const UNREACH: Record<number, string> = {
  0: 'net %s unreachable', 1: 'host %s unreachable', 5: '%s unreachable - source route failed', 6: 'net %s unreachable - unknown',
  7: 'host %s unreachable - unknown', 8: '%s unreachable - source host isolated', 9: 'net %s unreachable - admin prohibited',
  10: 'host %s unreachable - admin prohibited', 11: 'net %s unreachable - tos prohibited', 12: 'host %s unreachable - tos prohibited',
  13: 'host %s unreachable - admin prohibited filter', 14: 'host %s unreachable - host precedence violation',
  15: 'host %s unreachable - precedence cutoff',
};
const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply', 3: 'unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request', 9: 'router advertisement',
  10: 'router solicitation', 11: 'time exceeded', 12: 'parameter problem', 13: 'time stamp request', 14: 'time stamp reply',
  15: 'information request', 16: 'information reply', 17: 'address mask request', 18: 'address mask reply',
};

function icmpPrint(ndo: Ndo, b: Uint8Array, o: number, len: number): string {
  if (b.length - o < 4) return '[|icmp]';
  const type = b[o]!;
  const code = b[o + 1]!;
  let s: string;
  switch (type) {
    case 0:
    case 8:
      s = b.length - o < 8 ? `${ICMP_TYPES[type]} [|icmp]` : `${ICMP_TYPES[type]}, id ${be16(b, o + 4)}, seq ${be16(b, o + 6)}`;
      break;
    case 3: {
      // The quoted datagram names the unreachable host (and port for udp/tcp).
      const q = o + 8;
      if (b.length < q + 20) {
        s = 'unreachable [|icmp]';
        break;
      }
      const dst = ipaddrString(b, q + 16);
      const qp = b[q + 9]!;
      const qhl = (b[q]! & 0xf) * 4;
      if (code === 2) s = `${dst} protocol ${qp} unreachable`;
      else if (code === 3) {
        const port = b.length >= q + qhl + 4 ? be16(b, q + qhl + 2) : 0;
        s = qp === 6 ? `${dst} tcp port ${portString(ndo, port)} unreachable` : qp === 17 ? `${dst} udp port ${portString(ndo, port)} unreachable`
          : `${dst} protocol ${qp} port ${port} unreachable`;
      } else if (code === 4) {
        const mtu = be16(b, o + 6);
        s = mtu ? `${dst} unreachable - need to frag (mtu ${mtu})` : `${dst} unreachable - need to frag`;
      } else s = (UNREACH[code] ?? `${dst} unreachable - #${code}`).replace('%s', dst);
      break;
    }
    case 5:
      s = b.length - o < 28 ? 'redirect [|icmp]' : `redirect ${ipaddrString(b, o + 24)} to ${code === 0 ? 'net' : 'host'} ${ipaddrString(b, o + 4)}`;
      break;
    case 11:
      s = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
      break;
    case 12:
      s = code === 0 ? `parameter problem - octet ${b[o + 4] ?? 0}` : `parameter problem code ${code}`;
      break;
    default:
      s = ICMP_TYPES[type] ?? `type-#${type}`;
  }
  return `ICMP ${s}, length ${len}`;
}

function igmpPrint(b: Uint8Array, o: number, len: number): string {
  if (b.length - o < 8) return '[|igmp]';
  const type = b[o]!;
  const group = ipaddrString(b, o + 4);
  switch (type) {
    case 0x11: return len === 8 && b[o + 1] === 0 ? `igmp query v1` : `igmp query v${len > 8 ? 3 : 2}${group === '0.0.0.0' ? '' : ` [gaddr ${group}]`}`;
    case 0x12: return `igmp v1 report ${group}`;
    case 0x16: return `igmp v2 report ${group}`;
    case 0x17: return `igmp leave ${group}`;
    case 0x22: return 'igmp v3 report';
    default: return `igmp-${type}`;
  }
}

/** ip_print: `wirelen` is what the link layer says the datagram may span (for the truncation check). */
export function ipPrint(ndo: Ndo, b: Uint8Array, o: number, wirelen: number): string {
  const prefix = ndo.eflag ? '' : 'IP ';
  if (b.length - o < 20) return `${prefix}[|ip]`;
  const v = b[o]! >> 4;
  if (v !== 4) return v === 6 ? 'IP6, wrong link-layer encapsulation' : `IP${v} `;
  const hlen = (b[o]! & 0xf) * 4;
  const len = be16(b, o + 2);
  if (hlen < 20) return `${prefix}bad-hlen ${hlen}`;
  if (len < hlen) return `${prefix}bad-len ${len}`;
  let s = prefix;
  if (wirelen < len) s += `truncated-ip - ${len - wirelen} bytes missing! `;
  const off = be16(b, o + 6);
  const proto = b[o + 9]!;
  if (ndo.vflag) {
    const frag = [[0x8000, 'rsvd'], [0x4000, 'DF'], [0x2000, '+']].filter(([bit]) => off & (bit as number)).map(([, n]) => n).join('') || 'none';
    s += `(tos 0x${b[o + 1]!.toString(16)}`;
    if (b[o + 8]! >= 1) s += `, ttl ${b[o + 8]}`;
    s += `, id ${be16(b, o + 4)}, offset ${(off & 0x1fff) * 8}, flags [${frag}], proto ${IPPROTO_NAMES[proto] ?? 'unknown'} (${proto}), length ${len}`;
    if (hlen > 20) s += ', options (...)';
    if (o + hlen <= b.length && ipCksum(b, o, hlen) !== 0) s += `, bad cksum ${be16(b, o + 10).toString(16)}!`;
    s += ')\n    ';
  }
  const src = ipaddrString(b, o + 12);
  const dst = ipaddrString(b, o + 16);
  const plen = Math.min(len, wirelen) - hlen;
  const p = o + hlen;
  if ((off & 0x1fff) !== 0) return `${s}${src} > ${dst}: ip-proto-${proto}`;
  switch (proto) {
    case 1: return `${s}${src} > ${dst}: ${icmpPrint(ndo, b, p, plen)}`;
    case 6: {
      // The pseudo header (source, destination, zero, protocol, TCP length) for -v's checksum check.
      const pseudo = cksumOver(b, o + 12, 8, 6 + plen);
      return s + tcpPrint(ndo, b, p, plen, src, dst, pseudo);
    }
    case 17: return s + udpPrint(ndo, b, p, plen, src, dst);
    case 2: return `${s}${src} > ${dst}: ${igmpPrint(b, p, plen)}`;
    default: return `${s}${src} > ${dst}: ${PROTO_LOWER[proto] ?? `ip-proto-${proto}`} ${plen}`;
  }
}

function ipCksum(b: Uint8Array, o: number, hlen: number): number {
  let sum = 0;
  for (let i = 0; i < hlen; i += 2) sum += be16(b, o + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export { be32 };
