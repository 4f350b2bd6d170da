/**
 * A packet decoded by layer for the page's bytes panel: the fields the debugger already knows about the packet
 * (PacketInfo, emulator/app/debug/packet-info.ts — decoded from its frame with the stack's wire library, or
 * pieced together from trace fields), grouped per protocol layer with their values as text. Nothing is decoded
 * here: this only arranges what `show packet` summarises on one line.
 */
import type { PacketInfo } from '../../debug/packet-info';
import { ICMP6_TYPES, ICMP_TYPES } from '../../debug/filter';
import { ipToString, macToString } from '../../../../stack/net/wire/addr';
import { ipv6ToString } from '../../../../stack/net/wire/addr6';
import { EtherType } from '../../../../stack/net/wire/ethernet';
import { IpProto } from '../../../../stack/net/wire/ipv4';
import { Ip6Nxt } from '../../../../stack/net/wire/ipv6';
import { ArpOp } from '../../../../stack/net/wire/arp';
import { TH_ACK, TH_CWR, TH_ECE, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TH_URG } from '../../../../stack/net/wire/tcp';
import type { PacketLayerView } from './api';

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, '0')}`;

const ETHERTYPES: Record<number, string> = { [EtherType.IPv4]: 'IPv4', [EtherType.ARP]: 'ARP', [EtherType.IPv6]: 'IPv6' };
const IP_PROTOS: Record<number, string> = { [IpProto.ICMP]: 'ICMP', [IpProto.TCP]: 'TCP', [IpProto.UDP]: 'UDP', [Ip6Nxt.ICMPV6]: 'ICMPv6' };
const TCP_FLAGS: [number, string][] = [[TH_FIN, 'FIN'], [TH_SYN, 'SYN'], [TH_RST, 'RST'], [TH_PUSH, 'PSH'], [TH_ACK, 'ACK'], [TH_URG, 'URG'], [TH_ECE, 'ECE'], [TH_CWR, 'CWR']];

const nameOf = (table: Record<string, number>, v: number): string => Object.entries(table).find(([, x]) => x === v)?.[0] ?? `type ${v}`;

/** Add `[name, text]` when the value is known. */
function put<T>(fields: [string, string][], name: string, v: T | undefined, text: (v: T) => string = String): void {
  if (v !== undefined) fields.push([name, text(v)]);
}

function layer(name: string, fields: [string, string][], out: PacketLayerView[]): void {
  if (fields.length > 0) out.push({ name, fields });
}

export function packetLayers(i: PacketInfo): PacketLayerView[] {
  const out: PacketLayerView[] = [];
  const eth: [string, string][] = [];
  put(eth, 'destination', i.ethDst, macToString);
  put(eth, 'source', i.ethSrc, macToString);
  put(eth, 'type', i.ethertype, (t) => `${hex(t, 4)}${ETHERTYPES[t] ? ` (${ETHERTYPES[t]})` : ''}`);
  put(eth, 'frame length', i.len, (n) => `${n} bytes`);
  layer('Ethernet II', eth, out);

  if (i.ethertype === EtherType.ARP || i.arpOp !== undefined) {
    const arp: [string, string][] = [];
    put(arp, 'operation', i.arpOp, (op) => (op === ArpOp.Request ? 'request (1)' : op === ArpOp.Reply ? 'reply (2)' : String(op)));
    put(arp, 'sender IP', i.arpSpa, ipToString);
    put(arp, 'target IP', i.arpTpa, ipToString);
    layer('ARP', arp, out);
  }
  if (i.ipSrc !== undefined || i.ipDst !== undefined || (i.ethertype === EtherType.IPv4 && i.ipProto !== undefined)) {
    const ip: [string, string][] = [];
    put(ip, 'source', i.ipSrc, ipToString);
    put(ip, 'destination', i.ipDst, ipToString);
    put(ip, 'protocol', i.ipProto, (p) => `${p}${IP_PROTOS[p] ? ` (${IP_PROTOS[p]})` : ''}`);
    put(ip, 'TTL', i.ipTtl);
    layer('IPv4', ip, out);
  }
  if (i.ip6Src || i.ip6Dst) {
    const ip6: [string, string][] = [];
    put(ip6, 'source', i.ip6Src, ipv6ToString);
    put(ip6, 'destination', i.ip6Dst, ipv6ToString);
    put(ip6, 'next header', i.ip6Nxt, (p) => `${p}${IP_PROTOS[p] ? ` (${IP_PROTOS[p]})` : ''}`);
    put(ip6, 'hop limit', i.ip6Hlim);
    layer('IPv6', ip6, out);
  }
  if (i.icmpType !== undefined && i.ip6Nxt === undefined) {
    const icmp: [string, string][] = [];
    put(icmp, 'type', i.icmpType, (t) => `${t} (${nameOf(ICMP_TYPES, t)})`);
    put(icmp, 'code', i.icmpCode);
    put(icmp, 'identifier', i.icmpId);
    put(icmp, 'sequence', i.icmpSeq);
    layer('ICMP', icmp, out);
  }
  if (i.icmp6Type !== undefined) {
    const icmp6: [string, string][] = [];
    put(icmp6, 'type', i.icmp6Type, (t) => `${t} (${nameOf(ICMP6_TYPES, t)})`);
    put(icmp6, 'code', i.icmp6Code);
    put(icmp6, 'identifier', i.icmpId);
    put(icmp6, 'sequence', i.icmpSeq);
    layer('ICMPv6', icmp6, out);
  }
  const l4 = i.ipProto ?? i.ip6Nxt;
  if (l4 === IpProto.TCP) {
    const tcp: [string, string][] = [];
    put(tcp, 'source port', i.sport);
    put(tcp, 'destination port', i.dport);
    put(tcp, 'sequence', i.tcpSeq);
    put(tcp, 'acknowledgment', i.tcpAck);
    put(tcp, 'flags', i.tcpFlags, (f) => `${hex(f, 2)} (${TCP_FLAGS.filter(([b]) => (f & b) !== 0).map(([, n]) => n).join(' ') || 'none'})`);
    put(tcp, 'window', i.tcpWin);
    put(tcp, 'payload', i.tcpLen, (n) => `${n} bytes`);
    layer('TCP', tcp, out);
  } else if (l4 === IpProto.UDP) {
    const udp: [string, string][] = [];
    put(udp, 'source port', i.sport);
    put(udp, 'destination port', i.dport);
    layer('UDP', udp, out);
  }
  if (i.malformed) out.push({ name: 'Malformed', fields: [['first failed check', i.malformed]] });
  if (!i.complete) out.push({ name: 'Known from trace fields', fields: [['note', 'no frame bytes seen for this packet yet: fields come from trace records']] });
  return out;
}
