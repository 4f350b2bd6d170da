import { sockaddrIn } from '../../stack/include/netinet/in';
import { SEC } from '../../emulator/machine/sim/time';
import { Errno } from '../../stack/kernel/api';
import { IFF_RUNNING, IFF_UP } from '../../stack/net/if';
import { ARP_MAXTRIES } from '../../stack/net/arp';
import { AF_INET, SOCK_DGRAM } from '../../stack/include/sys/socket';
import type { Socket } from '../../stack/net/socket';
import { ArpPacket, ArpRepr, EthernetFrame, WireError, macToString, ipToString } from '../../stack/net/wire';
import { ARP_REPLY_TO_2, ARP_REQUEST, ARP_REPLY } from './fixtures';
import { fakeEther, ip, makeStack, rx, take, toHex } from './harness';

function udpSocket(s: ReturnType<typeof makeStack>['s']): Socket {
  const so = s.sockets.create(AF_INET, SOCK_DGRAM, 0);
  if (typeof so === 'number') throw new Error(`errno ${so}`);
  return so;
}

function arpOf(frame: Uint8Array) {
  const r = ArpRepr.parse(new ArpPacket(frame.subarray(14)));
  if (r instanceof WireError) throw new Error(r.reason);
  return r;
}

describe('ARP', () => {
  test('a miss sends a request and holds only the newest packet; the reply releases it', () => {
    const { s, en0, env } = makeStack();
    const so = udpSocket(s);
    expect(s.sockets.send(so, new Uint8Array([1]), sockaddrIn(ip('10.77.0.1'), 7), 11)).toBe(1);
    const out = take(en0);
    expect(out).toHaveLength(1);
    const req = arpOf(out[0]!.data);
    expect(macToString(new EthernetFrame(out[0]!.data).dst)).toBe('ff:ff:ff:ff:ff:ff');
    expect(req.op).toBe(1);
    expect(ipToString(req.spa)).toBe('10.77.0.2');
    expect(ipToString(req.tpa)).toBe('10.77.0.1');
    // Same second: no second request; the first packet is replaced by the second.
    expect(s.sockets.send(so, new Uint8Array([2]), sockaddrIn(ip('10.77.0.1'), 7), 12)).toBe(1);
    expect(take(en0)).toHaveLength(0);
    expect(s.stats.arp.dfrdropped).toBe(1);
    expect(env.traces.filter((t) => t.probe === 'hold').map((t) => t.pkt)).toEqual([11, 12]);
    // The captured reply from 10.77.0.1 resolves the entry and sends the held datagram.
    rx(s, en0, ARP_REPLY_TO_2);
    const sent = take(en0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.pktId).toBe(12);
    expect(macToString(new EthernetFrame(sent[0]!.data).dst)).toBe('00:50:c2:00:00:01');
    expect(s.arp.state(s.arp.lookup(ip('10.77.0.1'))!)).toBe('resolved');
    // Resolved: the next datagram goes straight out.
    s.sockets.send(so, new Uint8Array([3]), sockaddrIn(ip('10.77.0.1'), 7), 13);
    expect(take(en0).map((m) => m.pktId)).toEqual([13]);
  });

  test('retries once per second, then rejects for 20 s with EHOSTDOWN', () => {
    const { s, en0, env } = makeStack();
    const so = udpSocket(s);
    const to = sockaddrIn(ip('10.77.0.9'), 7);
    for (let i = 0; i < ARP_MAXTRIES; i++) {
      env.t = i * SEC;
      expect(s.sockets.send(so, new Uint8Array([i]), to, 100 + i)).toBe(1);
      expect(take(en0)).toHaveLength(1); // one request per second
    }
    env.t = ARP_MAXTRIES * SEC;
    expect(s.sockets.send(so, new Uint8Array([9]), to, 200)).toBe(1); // gives up: no request
    expect(take(en0)).toHaveLength(0);
    expect(s.arp.state(s.arp.lookup(to.addr)!)).toBe('reject');
    env.t = (ARP_MAXTRIES + 1) * SEC;
    expect(s.sockets.send(so, new Uint8Array([9]), to, 201)).toBe(-Errno.EHOSTDOWN);
    env.t = (ARP_MAXTRIES + 20) * SEC;
    expect(s.sockets.send(so, new Uint8Array([9]), to, 202)).toBe(1);
    expect(take(en0)).toHaveLength(1);
  });

  test('answers a request for our address and caches the asker', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    rx(s, en0, ARP_REQUEST); // captured: who-has 10.77.0.2 tell 10.77.0.1
    const out = take(en0);
    expect(out).toHaveLength(1);
    // Byte-identical to the reply Linux sent in the same capture.
    expect(toHex(out[0]!.data)).toBe(toHex(ARP_REPLY));
    expect(s.arp.state(s.arp.lookup(ip('10.77.0.1'))!)).toBe('resolved');
    expect(s.stats.arp.sndreply).toBe(1);
  });

  test('ignores requests for other addresses and does not cache their sender', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:03', '10.77.0.3');
    rx(s, en0, ARP_REQUEST);
    expect(take(en0)).toHaveLength(0);
    expect(s.arp.lookup(ip('10.77.0.1'))).toBeUndefined();
  });

  test('gratuitous ARP when an address is set on a running interface', () => {
    const { s } = makeStack();
    const en1 = fakeEther('en1', '00:50:c2:00:00:05');
    s.attachInterface(en1, 'ether');
    const ia = s.addAddress(en1, ip('192.168.1.5'), 0xffffff00);
    s.addressUp(en1, ia); // down: nothing
    expect(take(en1)).toHaveLength(0);
    en1.flags |= IFF_UP | IFF_RUNNING;
    s.addressUp(en1, ia);
    const g = take(en1);
    expect(g).toHaveLength(1);
    const r = arpOf(g[0]!.data);
    expect(r.spa).toBe(ip('192.168.1.5'));
    expect(r.tpa).toBe(ip('192.168.1.5'));
  });
});
