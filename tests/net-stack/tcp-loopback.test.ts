/** TCP to our own addresses through lo0 (looutput → ipintrq): 127.0.0.1 and the interface's address. */
import { sockaddrIn } from '../../stack/include/netinet/in';
import { AF_INET, SOCK_STREAM } from '../../stack/include/sys/socket';
import type { Socket } from '../../stack/net/socket';
import { INADDR_LOOPBACK } from '../../stack/net/wire/addr';
import { makeStack } from './harness';
import { stateOf, tcb } from './tcp-peer';

function pump(n: ReturnType<typeof makeStack>, until: number): void {
  for (;;) {
    while (n.s.drainLoopback()) n.env.flush();
    const next = n.s.callouts.next();
    if (next === null || next > until) break;
    n.env.t = Math.max(n.env.t, next);
    n.s.runTimers();
  }
  n.env.t = Math.max(n.env.t, until);
}

describe('TCP over lo0', () => {
  for (const [name, addr] of [['127.0.0.1', INADDR_LOOPBACK], ['10.77.0.2', 0x0a4d0002 /* en0's address, written out: parsing it is stack code */]] as const) {
    it(`connects to ${name}, moves 200 000 bytes both ways, closes`, () => {
      const n = makeStack();
      const { s } = n;
      const lis = s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
      s.sockets.bindAddr(lis, sockaddrIn(0, 7777));
      s.sockets.listen(lis, 5);
      const cli = s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
      expect(s.sockets.connectStream(cli, sockaddrIn(addr, 7777))).toBe(0);
      pump(n, 10e6);
      const srv = s.sockets.accept(lis) as Socket;
      expect(stateOf(cli)).toBe('ESTABLISHED');
      // lo0's MTU less 40 bytes of headers.
      expect(tcb(cli).maxseg).toBe(s.lo0.mtu - 40);
      const data = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
      for (const [from, to] of [[cli, srv], [srv, cli]] as const) {
        let sent = 0;
        const got: Uint8Array[] = [];
        let k = 0;
        for (let i = 0; i < 1000 && k < data.length; i++) {
          const w = s.sockets.sendStream(from, data.subarray(sent), 1);
          if (w > 0) sent += w;
          pump(n, n.env.t + 1e6);
          const r = s.sockets.receiveStream(to, 1 << 20, false);
          if (typeof r === 'object') {
            got.push(r.data);
            k += r.data.length;
          }
        }
        expect(Buffer.concat(got).equals(Buffer.from(data))).toBe(true);
      }
      s.sockets.close(cli);
      s.sockets.close(srv);
      pump(n, n.env.t + 1e9);
      expect(stateOf(cli)).toBe('TIME_WAIT');
      expect(n.en0.snd).toHaveLength(0); // nothing went to the Ethernet
    });
  }
});
