/**
 * TCP over IPv6 (tcp6_input / ip6_output, RFC 8200 §8.1 pseudo-header) between two v6 stacks on a link:
 * a connection to the peer's link-local address (scope = the interface), MSS 1440 (1500 - 40 - 20), a
 * transfer, and a RST for a closed port; addresses as netstat shows them.
 */
import { sockaddrIn6 } from '../../stack/include/netinet/in';
import { AF_INET6, SOCK_STREAM } from '../../stack/include/sys/socket';
import type { Socket } from '../../stack/net/socket';
import { makeStack6, run, MS, S } from './ip6-harness';
import { stateOf, tcb } from './tcp-peer';

const LL_A = new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x50, 0xc2, 0xff, 0xfe, 0, 0, 0x01]); // fe80::250:c2ff:fe00:1
const LL_B = new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x50, 0xc2, 0xff, 0xfe, 0, 0, 0x02]); // fe80::250:c2ff:fe00:2

describe('TCP over IPv6', () => {
  it('connects to a link-local address, negotiates MSS 1440, moves 50 000 bytes, closes', () => {
    const a = makeStack6('00:50:c2:00:00:01', 11);
    const b = makeStack6('00:50:c2:00:00:02', 22);
    run([a, b], 3 * S);
    const lis = b.s.sockets.create(AF_INET6, SOCK_STREAM, 0) as Socket;
    expect(b.s.sockets.bindAddr(lis, sockaddrIn6(new Uint8Array(16), 6000))).toBe(0);
    expect(b.s.sockets.listen(lis, 5)).toBe(0);
    const cli = a.s.sockets.create(AF_INET6, SOCK_STREAM, 0) as Socket;
    expect(typeof cli).toBe('object');
    expect(a.s.sockets.connectStream(cli, sockaddrIn6(LL_B, 6000, a.s.ip6!.indexOf(a.en0)))).toBe(0);
    run([a, b], a.env.t + 50 * MS);
    expect(stateOf(cli)).toBe('ESTABLISHED');
    const srv = b.s.sockets.accept(lis) as Socket;
    expect(typeof srv).toBe('object');
    expect(tcb(cli).maxseg).toBe(1440);
    const pcb = b.s.tcp.pcbs().find((x) => x.so === srv)!;
    expect(pcb.local).toEqual(sockaddrIn6(LL_B, 6000));
    expect(pcb.foreign).toEqual(sockaddrIn6(LL_A, cli.lport));
    const data = new Uint8Array(50000).map((_, i) => (i * 13) & 0xff);
    let sent = 0;
    const got: Uint8Array[] = [];
    let n = 0;
    for (let i = 0; i < 200 && n < data.length; i++) {
      if (sent < data.length) {
        const k = a.s.sockets.sendStream(cli, data.subarray(sent), 1);
        if (k > 0) sent += k;
      }
      run([a, b], a.env.t + 10 * MS);
      const r = b.s.sockets.receiveStream(srv, 1 << 20, false);
      if (typeof r === 'object') {
        got.push(r.data);
        n += r.data.length;
      }
    }
    expect(Buffer.concat(got).equals(Buffer.from(data))).toBe(true);
    expect(b.s.tcp.stats.rcvbadsum).toBe(0);
    a.s.sockets.close(cli);
    b.s.sockets.close(srv);
    run([a, b], a.env.t + 100 * MS);
    expect(stateOf(cli)).toBe('TIME_WAIT');
  });

  it('a SYN to a closed port is refused with RST over IPv6', () => {
    const a = makeStack6('00:50:c2:00:00:01', 11);
    const b = makeStack6('00:50:c2:00:00:02', 22);
    run([a, b], 3 * S);
    const cli = a.s.sockets.create(AF_INET6, SOCK_STREAM, 0) as Socket;
    a.s.sockets.connectStream(cli, sockaddrIn6(LL_B, 6001, a.s.ip6!.indexOf(a.en0)));
    run([a, b], a.env.t + 50 * MS);
    expect(stateOf(cli)).toBe('CLOSED');
    expect(cli.error).toBe(261); // ECONNREFUSED
    expect(b.s.tcp.stats.noport).toBe(1);
  });

  it('Packet Too Big (RFC 8201) through tcp6_ctlinput: t_maxseg 1280 - 60 = 1220 and the data goes again', () => {
    const a = makeStack6('00:50:c2:00:00:01', 11);
    const b = makeStack6('00:50:c2:00:00:02', 22);
    run([a, b], 3 * S);
    const lis = b.s.sockets.create(AF_INET6, SOCK_STREAM, 0) as Socket;
    b.s.sockets.bindAddr(lis, sockaddrIn6(new Uint8Array(16), 6000));
    b.s.sockets.listen(lis, 5);
    const cli = a.s.sockets.create(AF_INET6, SOCK_STREAM, 0) as Socket;
    a.s.sockets.connectStream(cli, sockaddrIn6(LL_B, 6000, a.s.ip6!.indexOf(a.en0)));
    run([a, b], a.env.t + 50 * MS);
    a.sent.length = 0;
    a.s.sockets.sendStream(cli, new Uint8Array(1428), 1);
    const [frame] = a.en0.snd.splice(0);
    const quoted = frame!.data.subarray(14);
    expect(quoted[6]).toBe(6);
    // As ICMPv6 input hands it over (icmp6.ctlsw): the quoted packet's addresses and its TCP header onward.
    a.s.ip6!.icmp6.ctlsw.get(6)!({ type: 2, code: 0, param: 1280, src: quoted.subarray(8, 24), dst: quoted.subarray(24, 40), upper: quoted.subarray(40) });
    expect(tcb(cli).maxseg).toBe(1220);
    // Resent from snd_una in segments of 1220 less the 12-byte timestamp option.
    const again = a.en0.snd.splice(0).map((m) => m.data.length - 14 - 40 - 32);
    expect(again).toEqual([1208, 220]);
  });
});
