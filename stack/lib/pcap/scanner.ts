/**
 * The lexer of pcap-filter(7) expressions (libpcap scanner.l): keywords, numbers (decimal, 0x hex, 0 octal),
 * dotted IPv4 hosts/networks (HID), IPv6 addresses (HID6), MAC addresses (EID), names (ID), operators, and
 * the predefined constants of the language (icmptype, icmp-echo, tcpflags, tcp-syn, …) as numbers.
 */
import { PcapCompileError } from './blocks';

export type Tok =
  | { t: 'kw'; v: string }
  | { t: 'num'; v: number }
  | { t: 'hid'; v: string }
  | { t: 'hid6'; v: string }
  | { t: 'eid'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

export const KEYWORDS = new Set([
  'dst', 'src', 'host', 'net', 'mask', 'port', 'portrange', 'proto', 'ether', 'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp',
  'sctp', 'icmp', 'icmp6', 'igmp', 'less', 'greater', 'broadcast', 'multicast', 'and', 'or', 'not', 'len', 'link',
  'gateway', 'protochain', 'vlan', 'mpls', 'inbound', 'outbound',
]);

/** The constants scanner.l turns into NUM (pcap-filter(7) "icmptype", "tcpflags" and their values). */
export const CONSTANTS: Record<string, number> = {
  icmptype: 0, icmpcode: 1, 'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5,
  'icmp-echo': 8, 'icmp-routeradvert': 9, 'icmp-routersolicit': 10, 'icmp-timxceed': 11, 'icmp-paramprob': 12,
  'icmp-tstamp': 13, 'icmp-tstampreply': 14, 'icmp-ireq': 15, 'icmp-ireqreply': 16, 'icmp-maskreq': 17, 'icmp-maskreply': 18,
  icmp6type: 0, icmp6code: 1, 'icmp6-destinationunreach': 1, 'icmp6-packettoobig': 2, 'icmp6-timeexceeded': 3,
  'icmp6-parameterproblem': 4, 'icmp6-echo': 128, 'icmp6-echoreply': 129, 'icmp6-multicastlistenerquery': 130,
  'icmp6-routersolicit': 133, 'icmp6-routeradvert': 134, 'icmp6-neighborsolicit': 135, 'icmp6-neighboradvert': 136,
  'icmp6-redirect': 137,
  tcpflags: 13, 'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08, 'tcp-ack': 0x10, 'tcp-urg': 0x20,
  'tcp-ece': 0x40, 'tcp-cwr': 0x80,
};

const OPS = ['&&', '||', '>=', '<=', '!=', '==', '<<', '>>', '(', ')', '[', ']', ':', '!', '=', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^'];

/** stoulen/strtoul with C prefixes, or null when the text is not one number that fits 32 bits. */
export function parseNumber(s: string): number | null {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) n = parseInt(s.slice(2), 16);
  else if (/^0[0-7]*$/.test(s)) n = parseInt(s, 8);
  else if (/^[1-9][0-9]*$/.test(s)) n = parseInt(s, 10);
  else return null;
  return n <= 0xffffffff ? n : null;
}

export function scan(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    // A word: letters, digits, and the characters names, addresses and constants are made of.
    const m = /^[A-Za-z0-9_][A-Za-z0-9_.:\-]*/.exec(text.slice(i)) ?? (c === ':' ? /^::[A-Za-z0-9_.:]*/.exec(text.slice(i)) : null);
    if (m) {
      let w = m[0];
      // A trailing ':' belongs to the index syntax (ip[8:1]), not to the word (unless it is IPv6 "::").
      while (w.endsWith(':') && !w.endsWith('::')) w = w.slice(0, -1);
      // An index with a size (ip[8:1]) is a number, ':' and a number.
      if (/^[0-9]+:[0-9]+$/.test(w)) w = w.slice(0, w.indexOf(':'));
      // '-' only joins names (icmp-echo); between numbers (portrange 1-2) it is an operator.
      if (/^[0-9]/.test(w) && w.includes('-') && !/^[0-9a-fA-F:]+$/.test(w)) w = w.slice(0, w.indexOf('-'));
      i += w.length;
      out.push(word(w));
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new PcapCompileError(`illegal character: '${c}'`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'end' });
  return out;
}

function word(w: string): Tok {
  const lw = w.toLowerCase();
  if (KEYWORDS.has(lw)) return { t: 'kw', v: lw };
  if (lw in CONSTANTS) return { t: 'num', v: CONSTANTS[lw]! };
  const n = parseNumber(w);
  if (n !== null) return { t: 'num', v: n };
  if (/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(w)) return { t: 'eid', v: w };
  if (/^[0-9]+(\.[0-9]+){1,3}$/.test(w)) return { t: 'hid', v: w };
  if (w.includes(':')) return { t: 'hid6', v: w };
  if (/^[0-9.]+$/.test(w)) throw new PcapCompileError(`illegal number '${w}'`);
  return { t: 'id', v: w };
}
