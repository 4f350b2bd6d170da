/**
 * The pcap-filter(7) primitives (libpcap gencode.c): hosts and networks (IPv4 over IP/ARP/RARP, IPv6),
 * Ethernet addresses, ports and port ranges over TCP/UDP/SCTP with the IPv4 fragment check (IPv6 tested
 * first, as gen_ncode or's gen_port6 before gen_port), protocols (IPv6 also behind a fragment header),
 * protocol abbreviations, less/greater and broadcast/multicast. Each method keeps libpcap's function name
 * and its order of generation, which decides the order of the emitted blocks.
 */
import { BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LEN, DLT_EN10MB } from '../../include/net/bpf';
import { Block, PcapCompileError, genAnd, genNot, genOr } from './blocks';
import { ETHERTYPE_ARP, ETHERTYPE_IP, ETHERTYPE_IPV6, ETHERTYPE_REVARP, GenBase, IPPROTO, st, type Dir, type OffRel, type Proto } from './gencode-base';

export class GenPrims extends GenBase {
  /** gen_hostop: an IPv4 address (with mask) at src_off/dst_off of a `llProto` payload. */
  hostop(addr: number, mask: number, dir: Dir, llProto: number, srcOff: number, dstOff: number): Block {
    if (dir === 'and' || dir === 'or' || dir === 'default') {
      const b0 = this.hostop(addr, mask, 'src', llProto, srcOff, dstOff);
      const b1 = this.hostop(addr, mask, 'dst', llProto, srcOff, dstOff);
      if (dir === 'and') genAnd(b0, b1);
      else genOr(b0, b1);
      return b1;
    }
    const b0 = this.linktype(llProto);
    const b1 = this.mcmp('linkpl', dir === 'src' ? srcOff : dstOff, 4, addr, mask);
    genAnd(b0, b1);
    return b1;
  }

  /** gen_hostop6: the four words of an IPv6 address, last first ("this order is important"). */
  hostop6(a: number[], m: number[], dir: Dir): Block {
    if (dir === 'and' || dir === 'or' || dir === 'default') {
      const b0 = this.hostop6(a, m, 'src');
      const b1 = this.hostop6(a, m, 'dst');
      if (dir === 'and') genAnd(b0, b1);
      else genOr(b0, b1);
      return b1;
    }
    const off = dir === 'src' ? 8 : 24;
    const b1 = this.mcmp('linkpl', off + 12, 4, a[3]!, m[3]!);
    for (const i of [2, 1, 0]) {
      const b0 = this.mcmp('linkpl', off + 4 * i, 4, a[i]!, m[i]!);
      genAnd(b0, b1);
    }
    const b0 = this.linktype(ETHERTYPE_IPV6);
    genAnd(b0, b1);
    return b1;
  }

  /** gen_host: an IPv4 host or network under a protocol qualifier (default: ip, arp and rarp). */
  host(addr: number, mask: number, proto: Proto, dir: Dir): Block {
    switch (proto) {
      case 'default': {
        let b0 = this.host(addr, mask, 'ip', dir);
        const b1 = this.host(addr, mask, 'arp', dir);
        genOr(b0, b1);
        b0 = this.host(addr, mask, 'rarp', dir);
        genOr(b1, b0);
        return b0;
      }
      case 'ip': return this.hostop(addr, mask, dir, ETHERTYPE_IP, 12, 16);
      case 'arp': return this.hostop(addr, mask, dir, ETHERTYPE_ARP, 14, 24);
      case 'rarp': return this.hostop(addr, mask, dir, ETHERTYPE_REVARP, 14, 24);
      case 'link': throw new PcapCompileError('link-layer modifier applied to ip host');
      default: throw new PcapCompileError(`'${proto}' modifier applied to host`);
    }
  }

  host6(a: number[], m: number[], proto: Proto, dir: Dir): Block {
    if (proto !== 'default' && proto !== 'ip6') throw new PcapCompileError(`'${proto}' modifier applied to ip6 host`);
    return this.hostop6(a, m, dir);
  }

  /** gen_ehostop: a 6-byte MAC at 6 (source) or 0 (destination) via gen_bcmp (last word first). */
  ehostop(mac: Uint8Array, dir: Dir): Block {
    if (this.dlt !== DLT_EN10MB) throw new PcapCompileError('ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel');
    if (dir === 'and' || dir === 'or' || dir === 'default') {
      const b0 = this.ehostop(mac, 'src');
      const b1 = this.ehostop(mac, 'dst');
      if (dir === 'and') genAnd(b0, b1);
      else genOr(b0, b1);
      return b1;
    }
    const off = dir === 'src' ? 6 : 0;
    const w = this.cmp('linkhdr', off + 2, 4, ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0);
    const h = this.cmp('linkhdr', off, 2, (mac[0]! << 8) | mac[1]!);
    genAnd(w, h);
    return h;
  }

  private portBy(dir: Dir, atom: (off: number) => Block): Block {
    if (dir === 'src') return atom(0);
    if (dir === 'dst') return atom(2);
    const tmp = atom(0);
    const b1 = atom(2);
    if (dir === 'and') genAnd(tmp, b1);
    else genOr(tmp, b1);
    return b1;
  }

  /** gen_portrangeatom: lo <= field <= hi. */
  private rangeAtom(rel: OffRel, off: number, lo: number, hi: number): Block {
    const b1 = this.ncmp(rel, off, 2, 0xffffffff, BPF_JGE, false, lo);
    const b2 = this.ncmp(rel, off, 2, 0xffffffff, BPF_JGT, true, hi);
    genAnd(b1, b2);
    return b2;
  }

  /** gen_portop / gen_portrangeop over IPv4: protocol, first fragment, then the port fields. */
  private portop(lo: number, hi: number | null, ipProto: number, dir: Dir): Block {
    const tmp = this.cmp('linkpl', 9, 1, ipProto);
    const b0 = this.ipfrag();
    genAnd(tmp, b0);
    const b1 = this.portBy(dir, (o) => (hi === null ? this.cmp('tran4', o, 2, lo) : this.rangeAtom('tran4', o, lo, hi)));
    genAnd(b0, b1);
    return b1;
  }

  private portop6(lo: number, hi: number | null, ipProto: number, dir: Dir): Block {
    const tmp = this.cmp('linkpl', 6, 1, ipProto);
    const b1 = this.portBy(dir, (o) => (hi === null ? this.cmp('tran6', o, 2, lo) : this.rangeAtom('tran6', o, lo, hi)));
    genAnd(tmp, b1);
    return b1;
  }

  /** gen_port / gen_port6 (and the portrange forms): an undefined protocol means tcp, udp or sctp. */
  private portFamily(v6: boolean, lo: number, hi: number | null, ipProto: number | null, dir: Dir): Block {
    const op = (p: number) => (v6 ? this.portop6(lo, hi, p, dir) : this.portop(lo, hi, p, dir));
    const b0 = this.linktype(v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
    let b1: Block;
    if (ipProto !== null) b1 = op(ipProto);
    else {
      const tcp = op(IPPROTO.TCP);
      b1 = op(IPPROTO.UDP);
      genOr(tcp, b1);
      const sctp = op(IPPROTO.SCTP);
      genOr(sctp, b1);
    }
    genAnd(b0, b1);
    return b1;
  }

  /** `port`/`portrange` as gen_ncode/gen_scode build them: the IPv6 test or'ed before the IPv4 one. */
  port(lo: number, hi: number | null, proto: Proto, dir: Dir): Block {
    const ipProto = proto === 'tcp' ? IPPROTO.TCP : proto === 'udp' ? IPPROTO.UDP : proto === 'sctp' ? IPPROTO.SCTP : proto === 'default' ? null : -1;
    if (ipProto === -1) throw new PcapCompileError(`illegal qualifier of '${hi === null ? 'port' : 'portrange'}'`);
    const b = this.portFamily(false, lo, hi, ipProto, dir);
    genOr(this.portFamily(true, lo, hi, ipProto, dir), b);
    return b;
  }

  /** gen_proto: `proto N` under ip, ip6 (also behind a fragment header), both, or the link layer. */
  proto(v: number, proto: Proto): Block {
    switch (proto) {
      case 'default': {
        const b0 = this.proto(v, 'ip');
        const b1 = this.proto(v, 'ip6');
        genOr(b0, b1);
        return b1;
      }
      case 'ip': {
        const b0 = this.linktype(ETHERTYPE_IP);
        const b1 = this.cmp('linkpl', 9, 1, v);
        genAnd(b0, b1);
        return b1;
      }
      case 'ip6': {
        const b0 = this.linktype(ETHERTYPE_IPV6);
        let b2 = this.cmp('linkpl', 6, 1, IPPROTO.FRAGMENT);
        const b1 = this.cmp('linkpl', 40, 1, v);
        genAnd(b2, b1);
        b2 = this.cmp('linkpl', 6, 1, v);
        genOr(b2, b1);
        genAnd(b0, b1);
        return b1;
      }
      case 'link':
        return this.linktype(v);
      default:
        throw new PcapCompileError(`'${proto}' modifier applied to proto`);
    }
  }

  /** gen_proto_abbrev: the bare protocol keywords. */
  protoAbbrev(p: Proto): Block {
    switch (p) {
      case 'ip': return this.linktype(ETHERTYPE_IP);
      case 'ip6': return this.linktype(ETHERTYPE_IPV6);
      case 'arp': return this.linktype(ETHERTYPE_ARP);
      case 'rarp': return this.linktype(ETHERTYPE_REVARP);
      case 'tcp': return this.proto(IPPROTO.TCP, 'default');
      case 'udp': return this.proto(IPPROTO.UDP, 'default');
      case 'sctp': return this.proto(IPPROTO.SCTP, 'default');
      case 'icmp': return this.proto(IPPROTO.ICMP, 'ip');
      case 'igmp': return this.proto(IPPROTO.IGMP, 'ip');
      case 'icmp6': return this.proto(IPPROTO.ICMPV6, 'ip6');
      default: throw new PcapCompileError(`'${p}' is not a protocol abbreviation`);
    }
  }

  /** gen_len: ld #pktlen; jmp n (less = not greater-than, greater = greater-or-equal). */
  len(jmp: number, n: number): Block {
    const b = new Block(BPF_JMP | jmp | BPF_K, n);
    b.stmts = [st(BPF_LD | BPF_LEN)];
    if (jmp === BPF_JGT) genNot(b);
    return b;
  }

  /** gen_broadcast / gen_multicast. */
  cast(proto: Proto, multi: boolean): Block {
    if (proto === 'link' || (proto === 'default' && multi === false)) {
      if (this.dlt !== DLT_EN10MB) throw new PcapCompileError('not a broadcast link');
      if (!multi) return this.ehostop(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'dst');
    }
    if (multi && (proto === 'link' || proto === 'default')) {
      const b = new Block(BPF_JMP | BPF_JSET | BPF_K, 1);
      b.stmts = this.loadA('linkhdr', 0, 1);
      return b;
    }
    if (multi && proto === 'ip') {
      const b0 = this.linktype(ETHERTYPE_IP);
      const b1 = this.ncmp('linkpl', 16, 1, 0xffffffff, BPF_JGE, false, 224);
      genAnd(b0, b1);
      return b1;
    }
    if (multi && proto === 'ip6') {
      const b0 = this.linktype(ETHERTYPE_IPV6);
      const b1 = this.cmp('linkpl', 24, 1, 255);
      genAnd(b0, b1);
      return b1;
    }
    if (!multi && proto === 'ip') throw new PcapCompileError("netmask not known, so 'ip broadcast' not supported");
    throw new PcapCompileError(`only link-layer/IP ${multi ? 'multicast' : 'broadcast'} filters supported`);
  }

}
