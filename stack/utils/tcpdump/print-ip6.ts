/**
 * IPv6 and ICMPv6 as tcpdump 4.x prints them (print-ip6.c ip6_print, print-icmp6.c icmp6_print):
 * `IP6 fe80::1 > ff02::1: ICMP6, echo request, seq 1, length 64`, neighbour discovery
 * (`neighbor solicitation, who has X`, `neighbor advertisement, tgt is X`), MLD reports, and with -v the
 * `(hlim 64, next-header ICMPv6 (58) payload length: 64)` prefix. Fragment headers are walked: a first
 * fragment prints its transport, a later one `frag (off|len)` only.
 */
import { be16, be32, ip6addrString, type Ndo } from './ndo';
import { tcpPrint, udpPrint } from './print-tcp';

const ICMP6_TYPES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded in-transit', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement', 135: 'neighbor solicitation',
  136: 'neighbor advertisement', 137: 'redirect', 143: 'multicast listener report v2',
};
const NH_NAMES: Record<number, string> = { 0: 'Options', 6: 'TCP', 17: 'UDP', 44: 'Frag', 58: 'ICMPv6', 59: 'NONE' };

function icmp6Print(b: Uint8Array, o: number, len: number): string {
  if (b.length - o < 4) return 'ICMP6, [|icmp6]';
  const type = b[o]!;
  let s = `ICMP6, ${ICMP6_TYPES[type] ?? `unknown icmp6 type (${type})`}`;
  const need = (n: number) => b.length - o >= n;
  switch (type) {
    case 128: case 129:
      if (need(8)) s += `, id ${be16(b, o + 4)}, seq ${be16(b, o + 6)}`;
      break;
    case 135:
      if (need(24)) s += `, who has ${ip6addrString(b, o + 8)}`;
      break;
    case 136:
      if (need(24)) s += `, tgt is ${ip6addrString(b, o + 8)}`;
      break;
    case 130: case 131: case 132:
      if (need(24)) s += ` max resp delay: ${be16(b, o + 4)} addr: ${ip6addrString(b, o + 8)}`;
      break;
    case 2:
      if (need(8)) s += `, mtu ${be32(b, o + 4)}`;
      break;
  }
  return `${s}, length ${len}`;
}

export function ip6Print(ndo: Ndo, b: Uint8Array, o: number, wirelen: number): string {
  const prefix = ndo.eflag ? '' : 'IP6 ';
  if (b.length - o < 40) return `${prefix}[|ip6]`;
  const plen = be16(b, o + 4);
  let nh = b[o + 6]!;
  let s = prefix;
  if (ndo.vflag) {
    const flow = be32(b, o) & 0xfffff;
    const cls = (be16(b, o) >> 4) & 0xff;
    s += '(';
    if (cls) s += `class 0x${cls.toString(16)}, `;
    if (flow) s += `flowlabel 0x${flow.toString(16).padStart(5, '0')}, `;
    s += `hlim ${b[o + 7]}, next-header ${NH_NAMES[nh] ?? 'unknown'} (${nh}) payload length: ${plen}) `;
  }
  const src = ip6addrString(b, o + 8);
  const dst = ip6addrString(b, o + 24);
  let p = o + 40;
  let len = Math.min(plen, wirelen - 40);
  if (nh === 44) {
    if (b.length - p < 8) return `${s}${src} > ${dst}: [|frag]`;
    const offlg = be16(b, p + 2);
    s += `${src} > ${dst}: frag (0x${be32(b, p + 4).toString(16).padStart(8, '0')}:${offlg & 0xfff8}|${len - 8})`;
    if ((offlg & 0xfff8) !== 0) return s;
    nh = b[p]!;
    p += 8;
    len -= 8;
    s += ' ';
    return s + transport(ndo, b, p, len, nh, src, dst, false);
  }
  return s + transport(ndo, b, p, len, nh, src, dst, true);
}

function transport(ndo: Ndo, b: Uint8Array, p: number, len: number, nh: number, src: string, dst: string, addrs: boolean): string {
  const a = addrs ? `${src} > ${dst}: ` : '';
  switch (nh) {
    case 58: return a + icmp6Print(b, p, len);
    case 6: return tcpPrint(ndo, b, p, len, src, dst);
    case 17: return udpPrint(ndo, b, p, len, src, dst);
    case 59: return `${a}no next header`;
    default: return `${a}ip-proto-${nh} ${len}`;
  }
}
