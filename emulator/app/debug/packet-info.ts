/**
 * What the debugger knows about one packet: decoded from its frame bytes (zero-copy views from
 * stack/net/wire), or pieced together from trace-record fields when no bytes were seen (a saved trace, or a
 * packet still inside a stack). `complete` says the information came from bytes: a missing field then means
 * "not present", not "unknown".
 */
import type { TraceRecord } from '../../machine/sim/trace';
import { ArpOp, ArpPacket, ArpRepr } from '../../../stack/net/wire/arp';
import { ipToString, macToString } from '../../../stack/net/wire/addr';
import { EtherType, EthernetFrame, EthernetRepr } from '../../../stack/net/wire/ethernet';
import { IcmpPacket, IcmpRepr } from '../../../stack/net/wire/icmp';
import { IpProto, Ipv4Packet, type Ipv4Check } from '../../../stack/net/wire/ipv4';
import { UdpPacket, UdpRepr } from '../../../stack/net/wire/udp';
import { WireError } from '../../../stack/net/wire/view';
import { ICMP_TYPES } from './filter';

export interface PacketInfo {
  pkt: number;
  complete: boolean;
  bytes: Uint8Array | null;
  len?: number;
  ethSrc?: Uint8Array;
  ethDst?: Uint8Array;
  ethertype?: number;
  ipSrc?: number;
  ipDst?: number;
  ipProto?: number;
  ipTtl?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  icmpSeq?: number;
  sport?: number;
  dport?: number;
  arpOp?: number;
  arpSpa?: number;
  arpTpa?: number;
  /** From bytes: the first check of the stack's wire library the frame fails ("IPv4: bad header checksum"). */
  malformed?: string;
}

/** IPv4 checks whose failure still leaves the fixed header readable (past the header-length checks). */
const IPV4_HEADER_READABLE: readonly Ipv4Check[] = ['badsum', 'badlen', 'tooshort'];

/**
 * Decode an Ethernet frame (no FCS) with the stack's validators (stack/net/wire). Never throws: a frame
 * that fails a check decodes as far as its headers can be read, and `malformed` says which check failed.
 */
export function decodeFrame(pkt: number, bytes: Uint8Array): PacketInfo {
  const info: PacketInfo = { pkt, complete: true, bytes, len: bytes.length };
  const bad = (layer: string, e: WireError): void => {
    info.malformed ??= `${layer}: ${e.reason}`;
  };
  const frame = new EthernetFrame(bytes);
  const eth = EthernetRepr.parse(frame);
  if (eth instanceof WireError) {
    bad('Ethernet', eth);
    return info;
  }
  info.ethDst = eth.dst;
  info.ethSrc = eth.src;
  info.ethertype = eth.ethertype;
  const payload = frame.payload;
  if (info.ethertype === EtherType.IPv4) {
    const ip = new Ipv4Packet(payload);
    const ipBad = ip.check({ version: true, checksum: true });
    if (ipBad) bad('IPv4', ipBad);
    if (ipBad && !IPV4_HEADER_READABLE.includes(ipBad.check)) return info;
    info.ipSrc = ip.src;
    info.ipDst = ip.dst;
    info.ipProto = ip.protocol;
    info.ipTtl = ip.ttl;
    if (ip.fragOffset !== 0) return info;
    // What the frame holds of the payload the total length announces.
    const l4 = payload.subarray(ip.headerLen, Math.max(ip.headerLen, Math.min(payload.length, ip.totalLen)));
    if (ip.protocol === IpProto.ICMP) {
      const ic = new IcmpPacket(l4);
      const r = IcmpRepr.parse(ic);
      if (r instanceof WireError) bad('ICMP', r);
      if (r instanceof WireError && r.check === 'tooshort') return info;
      info.icmpType = ic.type;
      info.icmpCode = ic.code;
      info.icmpId = ic.ident;
      info.icmpSeq = ic.seq;
    } else if (ip.protocol === IpProto.UDP) {
      const u = new UdpPacket(l4);
      const r = UdpRepr.parse(u, ip.src, ip.dst);
      if (r instanceof WireError) bad('UDP', r);
      if (r instanceof WireError && r.check === 'hdrops') return info;
      info.sport = u.srcPort;
      info.dport = u.dstPort;
    }
  } else if (info.ethertype === EtherType.ARP) {
    const a = new ArpPacket(payload);
    const r = ArpRepr.parse(a);
    if (r instanceof WireError) bad('ARP', r);
    if (r instanceof WireError && r.check !== 'badop') return info;
    info.arpOp = a.oper;
    info.arpSpa = a.spa;
    info.arpTpa = a.tpa;
  }
  return info;
}

function ipOf(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}
function portOf(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^\d+\.\d+\.\d+\.\d+\.(\d+)$/.exec(text);
  return m ? Number(m[1]) : undefined;
}
function macOf(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text)) return undefined;
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

/**
 * Learn what a trace record says about its packet (stack probes name addresses and protocols; see
 * docs/formats/trace.md). Only fills fields still unknown.
 */
export function learnFromRecord(info: PacketInfo, rec: TraceRecord): void {
  const f = rec.f ?? {};
  const set = <K extends keyof PacketInfo>(k: K, v: PacketInfo[K] | undefined): void => {
    if (v !== undefined && info[k] === undefined) info[k] = v;
  };
  switch (rec.layer) {
    case 'ip':
      if (rec.probe === 'output' || rec.probe === 'input') {
        set('ethertype', EtherType.IPv4);
        set('ipSrc', ipOf(f['src']));
        set('ipDst', ipOf(f['dst']));
        if (typeof f['proto'] === 'number') set('ipProto', f['proto']);
      } else if (rec.probe === 'forward' || rec.probe === 'raw-output') {
        set('ethertype', EtherType.IPv4);
        set('ipDst', ipOf(f['dst']));
      }
      break;
    case 'icmp': {
      const m = /^(.*)-(in|out)$/.exec(rec.probe);
      if (!m) break;
      set('ethertype', EtherType.IPv4);
      set('ipProto', IpProto.ICMP);
      const t = ICMP_TYPES[m[1]!] ?? (/^type-(\d+)$/.test(m[1]!) ? Number(m[1]!.slice(5)) : undefined);
      set('icmpType', t);
      if (typeof f['code'] === 'number') set('icmpCode', f['code']);
      if (m[2] === 'in') set('ipSrc', ipOf(f['src']));
      else set('ipDst', ipOf(f['dst']));
      break;
    }
    case 'udp':
      if (rec.probe === 'input' || rec.probe === 'output') {
        set('ethertype', EtherType.IPv4);
        set('ipProto', IpProto.UDP);
        set('ipSrc', ipOf(f['src']));
        set('ipDst', ipOf(f['dst']));
        set('sport', portOf(f['src']));
        set('dport', portOf(f['dst']));
      }
      break;
    case 'arp':
      if (rec.probe === 'request') {
        set('ethertype', EtherType.ARP);
        set('arpOp', ArpOp.Request);
        set('arpSpa', ipOf(f['sip']));
        set('arpTpa', ipOf(f['tip']));
      } else if (rec.probe === 'reply') {
        set('ethertype', EtherType.ARP);
        set('arpOp', ArpOp.Reply);
        set('arpSpa', ipOf(f['ip']));
        set('arpTpa', ipOf(f['to']));
      } else if (rec.probe === 'resolved') {
        set('ethertype', EtherType.ARP);
      } else if (rec.probe === 'resolve') {
        set('ethDst', macOf(f['mac']));
      }
      break;
    case 'socket':
      if (rec.probe === 'send') set('ipDst', ipOf(f['to']));
      break;
  }
}

const ARP_OPS: Record<number, string> = { [ArpOp.Request]: 'Request', [ArpOp.Reply]: 'Reply' };

/** A one-line tcpdump-like summary. */
export function summarize(i: PacketInfo): string {
  const parts: string[] = [];
  if (i.ethSrc && i.ethDst) parts.push(`${macToString(i.ethSrc)} > ${macToString(i.ethDst)}`);
  else if (i.ethDst) parts.push(`> ${macToString(i.ethDst)}`);
  if (i.ethertype === EtherType.ARP) {
    const op = i.arpOp !== undefined ? ARP_OPS[i.arpOp] ?? `op ${i.arpOp}` : '?';
    const who = i.arpOp === ArpOp.Reply && i.arpSpa !== undefined ? `${ipToString(i.arpSpa)} is-at ${i.ethSrc ? macToString(i.ethSrc) : '?'}` : '';
    const has = i.arpOp === ArpOp.Request && i.arpTpa !== undefined ? `who-has ${ipToString(i.arpTpa)} tell ${i.arpSpa !== undefined ? ipToString(i.arpSpa) : '?'}` : '';
    parts.push(`ARP, ${op}${has || who ? ' ' + (has || who) : ''}`);
  } else if (i.ethertype === EtherType.IPv4 || i.ipProto !== undefined) {
    const src = i.ipSrc !== undefined ? ipToString(i.ipSrc) + (i.sport !== undefined ? `.${i.sport}` : '') : '?';
    const dst = i.ipDst !== undefined ? ipToString(i.ipDst) + (i.dport !== undefined ? `.${i.dport}` : '') : '?';
    let l4 = i.ipProto !== undefined ? `proto ${i.ipProto}` : 'IPv4';
    if (i.ipProto === IpProto.ICMP) {
      const name = Object.entries(ICMP_TYPES).find(([, v]) => v === i.icmpType)?.[0] ?? (i.icmpType !== undefined ? `type ${i.icmpType}` : '');
      l4 = `ICMP ${name}`.trim();
      if (i.icmpId !== undefined && (i.icmpType === 0 || i.icmpType === 8)) l4 += `, id ${i.icmpId}, seq ${i.icmpSeq}`;
    } else if (i.ipProto === IpProto.UDP) {
      l4 = 'UDP';
    }
    parts.push(`IPv4 ${src} > ${dst}: ${l4}`);
  } else if (i.ethertype !== undefined) {
    parts.push(`ethertype 0x${i.ethertype.toString(16).padStart(4, '0')}`);
  }
  if (i.len !== undefined) parts.push(`length ${i.len}`);
  if (i.malformed) parts.push(`malformed: ${i.malformed}`);
  if (!i.complete) parts.push('(from trace fields; bytes not seen)');
  return parts.join(', ') || '(nothing known)';
}

/** tcpdump -xx style hex dump. */
export function hexDump(bytes: Uint8Array, indent = '  '): string[] {
  const out: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    let hex = '';
    for (let i = 0; i < 16; i += 2) {
      if (i < row.length) hex += (row[i]!.toString(16).padStart(2, '0') + (i + 1 < row.length ? row[i + 1]!.toString(16).padStart(2, '0') : '  ')) + ' ';
      else hex += '     ';
    }
    let ascii = '';
    for (const b of row) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    out.push(`${indent}0x${off.toString(16).padStart(4, '0')}:  ${hex} ${ascii}`);
  }
  return out;
}
