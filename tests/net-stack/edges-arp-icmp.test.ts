/**
 * Edges of ARP (in_arpinput's reply record, the state after arpt_down), icmp_input's code checks, icmp_error on
 * a truncated ICMP datagram, and path MTU discovery lowering a learnt MTU again.
 */
import { sockaddrIn } from '../../stack/include/netinet/in';
import { AF_INET, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { SEC } from '../../emulator/machine/sim/time';
import { ARP_MAXTRIES, ARPT_DOWN_S } from '../../stack/net/arp';
import type { Ifnet } from '../../stack/net/if';
import { Ip } from '../../stack/net/ip';
import type { Socket } from '../../stack/net/socket';
import type { NetStack } from '../../stack/net/stack';
import { IcmpPacket, IcmpType, IcmpUnreachCode, IpProto, Ipv4Packet } from '../../stack/net/wire';
import { ARP_REQUEST } from './fixtures';
import { forwardingRouter, ipFrame, primeArp, udpFrame } from './frag-util';
import { ip, makeStack, rx, take } from './harness';

const ipOf = (f: Uint8Array): Ipv4Packet => new Ipv4Packet(f.subarray(14));

/** An ICMP error from 10.77.0.1 quoting the first 28 bytes of a UDP datagram 10.77.0.2 → `dst`. */
function icmpError(type: number, code: number, rest: number, dst: string, quotedLen = 100): Uint8Array {
  const quote = udpFrame(quotedLen - 28, { src: '10.77.0.2', dst }).subarray(14, 14 + 28);
  const body = new Uint8Array(8 + 28);
  const icp = new IcmpPacket(body);
  icp.type = type;
  icp.code = code;
  icp.rest = rest;
  body.set(quote, 8);
  icp.fillChecksum();
  return ipFrame(IpProto.ICMP, body);
}

function udpSocket(s: NetStack): Socket {
  return s.sockets.create(AF_INET, SOCK_DGRAM, 0) as Socket;
}

describe('ARP edges', () => {
  test('a request for us is answered and traced with the interface, our address, the asker and the request packet', () => {
    const { s, en0, env } = makeStack();
    rx(s, en0, ARP_REQUEST, 31);
    const [out] = take(en0);
    const rec = env.traces.find((t) => t.layer === 'arp' && t.probe === 'reply')!;
    // The reply's own packet id, and reqPkt linking it to the request a trace reader follows.
    expect(rec.pkt).toBe(out!.pktId);
    expect(rec.f).toEqual({ if: 'en0', ip: '10.77.0.2', to: '10.77.0.1', reqPkt: 31 });
  });

  test('a rejected entry is reject for arpt_down seconds only; then incomplete again, and the next send asks', () => {
    const { s, en0, env } = makeStack();
    const so = udpSocket(s);
    const to = sockaddrIn(ip('10.77.0.9'), 7);
    for (let i = 0; i <= ARP_MAXTRIES; i++) {
      env.t = i * SEC;
      s.sockets.send(so, new Uint8Array([i]), to, 100 + i);
    }
    take(en0);
    const e = s.arp.lookup(to.addr)!;
    env.t = (ARP_MAXTRIES + ARPT_DOWN_S - 1) * SEC;
    expect(s.arp.state(e)).toBe('reject'); // arp -a: the host is down; netstat -r: RTF_REJECT
    // arpt_down over: arpresolve asks again at the next packet, so arp -a must not go on saying reject.
    env.t = (ARP_MAXTRIES + ARPT_DOWN_S) * SEC;
    expect(s.arp.state(e)).toBe('incomplete');
    expect(s.sockets.send(so, new Uint8Array([9]), to, 200)).toBe(1);
    expect(take(en0)).toHaveLength(1);
  });
});

describe('icmp_input code checks', () => {
  test('a source quench with code 0 is passed on; with another code it is badcode (icmp_input "goto badcode")', () => {
    const { s, en0, env } = makeStack();
    primeArp(s, en0);
    rx(s, en0, icmpError(IcmpType.SourceQuench, 0, 0, '10.77.0.1'), 5);
    expect(s.stats.icmp.badcode).toBe(0);
    rx(s, en0, icmpError(IcmpType.SourceQuench, 1, 0, '10.77.0.1'), 6);
    expect(s.stats.icmp.badcode).toBe(1);
    expect(env.traces.filter((t) => t.probe === 'badcode').map((t) => [t.pkt, t.f?.type, t.f?.code])).toEqual([[6, 4, 1]]);
    expect(s.stats.icmp.inhist[IcmpType.SourceQuench]).toBe(2);
  });
});

describe('icmp_error about an ICMP datagram', () => {
  const router = () => forwardingRouter();
  const errorsOut = (en0: Ifnet) => take(en0).map((m) => ipOf(m.data)).filter((p) => p.protocol === IpProto.ICMP)
    .map((p) => new IcmpPacket(p.payload).type);

  test('an ICMP error is never answered; a datagram too short to show its ICMP type (< 8 bytes) is', () => {
    const { s, en0, en1 } = router();
    // TTL 1 through a router: time exceeded is due (RFC 792), except about an ICMP error (RFC 1122 3.2.2).
    const unreach = new Uint8Array(8);
    unreach[0] = IcmpType.Unreach;
    rx(s, en0, ipFrame(IpProto.ICMP, unreach, { dst: '10.88.0.9', ttl: 1 }));
    expect(errorsOut(en0)).toEqual([]);
    expect(s.stats.icmp.oldicmp).toBe(1);
    // icmp_error looks at the type only when ICMP_MINLEN bytes follow the header: 4 bytes are not a known error.
    rx(s, en0, ipFrame(IpProto.ICMP, new Uint8Array([IcmpType.Unreach, 1, 0, 0]), { dst: '10.88.0.9', ttl: 1 }));
    expect(errorsOut(en0)).toEqual([IcmpType.TimeExceeded]);
    expect(s.stats.icmp.oldicmp).toBe(1);
    expect(take(en1)).toHaveLength(0);
  });
});

describe('icmp_mtudisc', () => {
  test('a later need-fragment with a lower MTU lowers the learnt MTU again; a higher one does not raise it', () => {
    const { s, en0 } = makeStack();
    primeArp(s, en0);
    take(en0);
    expect(s.routes.addStatic(ip('10.88.0.0'), 0xffffff00, ip('10.77.0.1'))).toBe(0);
    rx(s, en0, icmpError(IcmpType.Unreach, IcmpUnreachCode.NeedFrag, 1006, '10.88.0.9', 1400));
    const rt = s.routes.find(ip('10.88.0.9'), 0xffffffff)!;
    expect(rt.mtu).toBe(1006);
    // NetBSD icmp_mtudisc: rmx_mtu is replaced when it is 0 or above the new MTU (RFC 1191: each smaller hop).
    rx(s, en0, icmpError(IcmpType.Unreach, IcmpUnreachCode.NeedFrag, 576, '10.88.0.9', 1006));
    expect(rt.mtu).toBe(576);
    rx(s, en0, icmpError(IcmpType.Unreach, IcmpUnreachCode.NeedFrag, 1006, '10.88.0.9', 576));
    expect(rt.mtu).toBe(576);
    expect(s.stats.icmp.pmtuchg).toBe(2);
    // Datagrams to it are now cut to 576 bytes.
    expect(s.ip.output(Ip.alloc(1000), { src: 0, dst: ip('10.88.0.9'), protocol: 253, ttl: 64, tos: 0 }, 3)).toBe(0);
    expect(take(en0).map((m) => ipOf(m.data).totalLen)).toEqual([572, 468]);
  });
});
