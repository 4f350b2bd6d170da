/** icmp_error (what is sent, what never is, rate limit), need-fragment when forwarding, and path MTU discovery. */
import { Errno } from '../../stack/kernel/api';
import { Ip } from '../../stack/net/ip';
import { ICMP_REDIRTIMEOUT_NS, IP_MTUDISC_TIMEOUT_NS } from '../../stack/net/icmp-route';
import { RTF } from '../../stack/net/route';
import { EthernetFrame, IcmpPacket, IcmpType, IcmpUnreachCode, IpProto, Ipv4Packet, parseMac } from '../../stack/net/wire';
import { forwardingRouter, ipFrame, primeArp, udpFrame } from './frag-util';
import { ip, makeStack, rx, take, toHex } from './harness';

function ipOf(frame: Uint8Array): Ipv4Packet {
  return new Ipv4Packet(frame.subarray(14));
}

const router = forwardingRouter;

function icmpOut(frames: { data: Uint8Array }[]): IcmpPacket[] {
  return frames.map((m) => ipOf(m.data)).filter((p) => p.protocol === IpProto.ICMP).map((p) => new IcmpPacket(p.payload));
}

describe('icmp_error', () => {
  test('forwarding a DF datagram too big for the next hop: need-fragment with the next-hop MTU (RFC 1191)', () => {
    const { s, en0, en1 } = router(576);
    rx(s, en0, udpFrame(1000, { dst: '10.88.0.9', df: true }));
    expect(take(en1)).toHaveLength(0);
    const [icp] = icmpOut(take(en0));
    expect(icp).toBeDefined();
    expect([icp!.type, icp!.code]).toEqual([IcmpType.Unreach, IcmpUnreachCode.NeedFrag]);
    expect(icp!.rest & 0xffff).toBe(576); // icmp_nextmtu
    expect(s.stats.ip.cantfrag).toBe(1);
    expect(icp!.verifyChecksum()).toBe(true);
  });

  test('forwarding without DF: fragmented to the next hop MTU, TTL decremented in every fragment', () => {
    const { s, en0, en1 } = router(576);
    rx(s, en0, udpFrame(1000, { dst: '10.88.0.9', ttl: 9 }));
    const out = take(en1).map((m) => ipOf(m.data));
    expect(out.map((p) => p.totalLen)).toEqual([572, 476]); // 1008 bytes: 552 + 456
    expect(out.every((p) => p.ttl === 8 && p.verifyChecksum())).toBe(true);
    expect([s.stats.ip.forward, s.stats.ip.fragmented, s.stats.ip.ofragments]).toEqual([1, 1, 2]);
    expect(take(en0)).toHaveLength(0);
  });

  test('never about a broadcast, a multicast, a non-initial fragment, an ICMP error or a non-unicast source', () => {
    const { s, en0, env } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    primeArp(s, en0);
    take(en0);
    const toClosed = (edit: (f: Uint8Array, p: Ipv4Packet) => void): Uint8Array => {
      const f = udpFrame(20, { dport: 9 });
      edit(f, ipOf(f));
      ipOf(f).fillChecksum();
      f[40] = 0; // no UDP checksum: the addresses it would cover were changed
      f[41] = 0;
      return f;
    };
    rx(s, en0, toClosed(() => undefined)); // the control: port unreachable
    expect(icmpOut(take(en0)).map((i) => [i.type, i.code])).toEqual([[IcmpType.Unreach, IcmpUnreachCode.Port]]);
    rx(s, en0, toClosed((_f, p) => { p.dst = ip('10.77.0.255'); })); // directed broadcast
    rx(s, en0, toClosed((f) => { new EthernetFrame(f).setDst(parseMac('ff:ff:ff:ff:ff:ff')!); })); // link broadcast
    rx(s, en0, toClosed((_f, p) => { p.src = ip('10.77.0.255'); })); // broadcast source
    rx(s, en0, toClosed((_f, p) => { p.src = 0; })); // no source
    // ICMP error about an ICMP error: a protocol-unreachable-provoking datagram that is an ICMP unreachable.
    const err = udpFrame(20);
    const ep = ipOf(err);
    ep.protocol = IpProto.ICMP;
    err[34] = IcmpType.Unreach;
    ep.fillChecksum();
    const ic = new IcmpPacket(ep.payload);
    ic.fillChecksum();
    rx(s, en0, err);
    expect(take(en0)).toHaveLength(0);
    expect(s.stats.icmp.oldicmp).toBe(0); // an ICMP error delivered to ICMP is not answered at all
    expect(s.stats.udp.noport + s.stats.udp.noportbcast).toBe(5);
    // Asked directly: a later fragment and a datagram to a group are not answered either.
    const frag = udpFrame(20);
    ipOf(frag).flagsFrag = 0x2001;
    const mc = udpFrame(20, { dst: '224.1.2.3' });
    s.icmp.error(en0, { data: frag, pktId: 50 }, frag.subarray(14), IcmpType.Unreach, IcmpUnreachCode.Port);
    s.icmp.error(en0, { data: mc, pktId: 51 }, mc.subarray(14), IcmpType.Unreach, IcmpUnreachCode.Port);
    expect(take(en0)).toHaveLength(0);
    const why = env.traces.filter((t) => t.probe === 'error-suppressed').map((t) => t.f?.reason);
    // (The two broadcasts never reached icmp_error: udp_input drops them as noportbcast.)
    expect(why).toEqual(['source names no single host', 'source names no single host', 'not the first fragment', 'datagram was broadcast or multicast']);
    expect(s.stats.udp.noportbcast).toBe(2);
  });

  test('rate limit: errppslimit errors per second, the rest counted in toofreq', () => {
    const { s, en0, env } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    primeArp(s, en0);
    take(en0);
    s.icmp.errppslimit = 3;
    for (let i = 0; i < 5; i++) rx(s, en0, udpFrame(10, { dport: 9, ident: i }));
    expect(take(en0)).toHaveLength(3);
    expect(s.stats.icmp.toofreq).toBe(2);
    env.t = 1_000_000_000;
    rx(s, en0, udpFrame(10, { dport: 9, ident: 9 }));
    expect(take(en0)).toHaveLength(1);
  });

  test('redirect when forwarding back out the arrival interface to a gateway on the sender\'s subnet', () => {
    const { s, en0 } = router(1500);
    s.ip.sendRedirects = true; // net.inet.ip.redirect=1 (off by default)
    s.arp.addPermanent(en0, ip('10.77.0.254'), parseMac('00:50:c2:00:00:fe')!);
    expect(s.routes.addStatic(ip('10.99.0.0'), 0xffff0000, ip('10.77.0.254'))).toBe(0);
    // Static routes do redirect (only dynamic/modified ones are exempt, as in ip_forward).
    rx(s, en0, udpFrame(100, { dst: '10.99.1.1' }));
    const out = take(en0);
    const fwd = out.map((m) => ipOf(m.data)).filter((p) => p.protocol === IpProto.UDP);
    expect(fwd).toHaveLength(1);
    const [redir] = icmpOut(out);
    expect([redir!.type, redir!.code]).toEqual([IcmpType.Redirect, 1]);
    expect(redir!.rest >>> 0).toBe(ip('10.77.0.254'));
    expect(s.stats.ip.redirectsent).toBe(1);
  });
});

describe('redirects received (rtredirect)', () => {
  function redirectFrame(from: string, dst: string, gateway: string): Uint8Array {
    const quote = udpFrame(20, { src: '10.77.0.2', dst }).subarray(14, 14 + 28);
    const icp = new IcmpPacket(new Uint8Array(8 + 28));
    icp.type = IcmpType.Redirect;
    icp.code = 1;
    icp.rest = ip(gateway);
    icp.buf.set(quote, 8);
    icp.fillChecksum();
    return ipFrame(IpProto.ICMP, icp.buf, { src: from });
  }

  test('from our router: a dynamic host route through the new gateway, gone after icmp_redirtimeout', () => {
    const { s, en0, env } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    expect(s.routes.addStatic(0, 0, ip('10.77.0.1'))).toBe(0);
    rx(s, en0, redirectFrame('10.77.0.9', '10.88.0.9', '10.77.0.254')); // not our router for it: refused
    expect(s.routes.find(ip('10.88.0.9'), 0xffffffff)).toBeUndefined();
    rx(s, en0, redirectFrame('10.77.0.1', '10.88.0.9', '10.99.0.1')); // gateway not on a connected net
    expect(s.routes.find(ip('10.88.0.9'), 0xffffffff)).toBeUndefined();
    rx(s, en0, redirectFrame('10.77.0.1', '10.88.0.9', '10.77.0.254'));
    const rt = s.routes.find(ip('10.88.0.9'), 0xffffffff)!;
    expect(rt.gateway).toBe(ip('10.77.0.254'));
    expect(rt.flags & (RTF.HOST | RTF.DYNAMIC | RTF.GATEWAY)).toBe(RTF.HOST | RTF.DYNAMIC | RTF.GATEWAY);
    const choice = s.ip.route(ip('10.88.0.9'));
    expect(typeof choice !== 'number' && choice.nexthop).toBe(ip('10.77.0.254'));
    expect(env.traces.filter((t) => t.probe === 'redirect-refused').map((t) => t.f?.reason)).toEqual([
      'not from our router for the destination', 'gateway not on a connected network',
    ]);
    env.t = ICMP_REDIRTIMEOUT_NS;
    s.runTimers();
    expect(s.routes.find(ip('10.88.0.9'), 0xffffffff)).toBeUndefined();
  });

  test('a router (forwarding on) does not follow redirects', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:02', '10.77.0.2', { forward: true });
    expect(s.routes.addStatic(0, 0, ip('10.77.0.1'))).toBe(0);
    rx(s, en0, redirectFrame('10.77.0.1', '10.88.0.9', '10.77.0.254'));
    expect(s.routes.find(ip('10.88.0.9'), 0xffffffff)).toBeUndefined();
  });
});

describe('path MTU discovery (icmp_mtudisc)', () => {
  /** A need-fragment error from router 10.77.0.1 about a datagram we sent to `dst`. */
  function needFrag(dst: string, mtu: number, quotedLen: number): Uint8Array {
    const quote = udpFrame(quotedLen - 28, { src: '10.77.0.2', dst }).subarray(14, 14 + 28);
    const icp = new IcmpPacket(new Uint8Array(8 + 28));
    icp.type = IcmpType.Unreach;
    icp.code = IcmpUnreachCode.NeedFrag;
    icp.rest = mtu & 0xffff;
    icp.buf.set(quote, 8);
    icp.fillChecksum();
    return ipFrame(IpProto.ICMP, icp.buf);
  }

  function host() {
    const st = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    primeArp(st.s, st.en0);
    take(st.en0);
    expect(st.s.routes.addStatic(ip('10.88.0.0'), 0xffffff00, ip('10.77.0.1'))).toBe(0);
    return st;
  }

  test('a host route is cloned with the lower MTU; later datagrams are cut to it; it expires after 10 minutes', () => {
    const { s, en0, env } = host();
    rx(s, en0, needFrag('10.88.0.9', 576, 1028));
    const rt = s.routes.find(ip('10.88.0.9'), 0xffffffff)!;
    expect(rt).toBeDefined();
    expect(rt.flags & (RTF.HOST | RTF.DYNAMIC | RTF.GATEWAY)).toBe(RTF.HOST | RTF.DYNAMIC | RTF.GATEWAY);
    expect([rt.mtu, rt.gateway, rt.expire]).toEqual([576, ip('10.77.0.1'), IP_MTUDISC_TIMEOUT_NS]);
    expect(s.stats.icmp.pmtuchg).toBe(1);
    const frame = Ip.alloc(1000);
    expect(s.ip.output(frame, { src: 0, dst: ip('10.88.0.9'), protocol: 253, ttl: 64, tos: 0 }, 3)).toBe(0);
    expect(take(en0).map((m) => ipOf(m.data).totalLen)).toEqual([572, 468]);
    // With DF (what TCP sends) the caller learns EMSGSIZE and must use smaller segments.
    expect(s.ip.output(Ip.alloc(1000), { src: 0, dst: ip('10.88.0.9'), protocol: 253, ttl: 64, tos: 0, df: true }, 4)).toBe(Errno.EMSGSIZE);
    // Another destination behind the same gateway keeps the interface MTU.
    expect(s.ip.output(Ip.alloc(1000), { src: 0, dst: ip('10.88.0.10'), protocol: 253, ttl: 64, tos: 0 }, 5)).toBe(0);
    expect(take(en0)).toHaveLength(1);
    env.t = IP_MTUDISC_TIMEOUT_NS;
    s.runTimers();
    expect(s.routes.find(ip('10.88.0.9'), 0xffffffff)).toBeUndefined();
  });

  test('a static host route keeps itself and only forgets the MTU; no MTU in the error: the RFC 1191 plateau', () => {
    const { s, en0, env } = host();
    expect(s.routes.addStatic(ip('10.88.0.9'), 0xffffffff, ip('10.77.0.1'), { host: true })).toBe(0);
    rx(s, en0, needFrag('10.88.0.9', 0, 1400)); // plateau below 1400: 1006
    const rt = s.routes.find(ip('10.88.0.9'), 0xffffffff)!;
    expect(rt.mtu).toBe(1006);
    rx(s, en0, needFrag('10.88.0.9', 1200, 1006)); // a higher MTU never raises it
    expect(rt.mtu).toBe(1006);
    rx(s, en0, needFrag('10.88.0.9', 100, 1006)); // below 296: not believed
    expect(rt.mtu).toBe(1006);
    env.t = IP_MTUDISC_TIMEOUT_NS;
    s.runTimers();
    expect(s.routes.find(ip('10.88.0.9'), 0xffffffff)).toBe(rt);
    expect(rt.mtu).toBe(0);
    expect(toHex(new Uint8Array([rt.flags & RTF.STATIC ? 1 : 0]))).toBe('01');
  });
});
