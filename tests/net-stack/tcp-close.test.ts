/**
 * Closing a connection between two stacks (RFC 9293 §3.6): half-close in both orders (the side that shut
 * down writing keeps reading), simultaneous close through CLOSING on both sides, and TIME_WAIT only on the
 * side(s) that closed first, gone after 2·MSL.
 */
import { SHUT_WR } from '../../stack/include/sys/socket';
import { Pair, drain } from './tcp-pair';
import { stateOf } from './tcp-peer';

const bytes = (n: number, k = 1) => new Uint8Array(n).map((_, i) => (i * k) & 0xff);

describe('half-close', () => {
  it('the client shuts down writing first: the server reads EOF, still sends, then closes; TIME_WAIT on the client', () => {
    const p = new Pair();
    const { cli, srv } = p.connect();
    p.a.s.sockets.sendStream(cli, bytes(3000), 1);
    expect(p.a.s.sockets.shutdown(cli, SHUT_WR)).toBe(0);
    p.step(100e6);
    expect(drain(p.b, srv)).toEqual(bytes(3000));
    expect(p.b.s.sockets.receiveStream(srv, 10, false)).toEqual({ data: new Uint8Array(0), pktId: 0 });
    expect(stateOf(srv)).toBe('CLOSE_WAIT');
    expect(stateOf(cli)).toBe('FIN_WAIT_2');
    // Writing after SHUT_WR fails; the other direction still works.
    expect(p.a.s.sockets.sendStream(cli, bytes(1), 1)).toBe(-32);
    p.b.s.sockets.sendStream(srv, bytes(5000, 3), 2);
    p.step(100e6);
    expect(drain(p.a, cli)).toEqual(bytes(5000, 3));
    p.b.s.sockets.close(srv);
    p.step(100e6);
    expect(stateOf(cli)).toBe('TIME_WAIT');
    expect(p.b.s.tcp.cbs).toHaveLength(1); // the listener: the server's connection went LAST_ACK → CLOSED
    expect(p.a.s.sockets.receiveStream(cli, 10, false)).toEqual({ data: new Uint8Array(0), pktId: 0 });
    p.a.s.sockets.close(cli);
    p.step(61e9);
    expect(p.a.s.tcp.cbs).toHaveLength(0);
  });

  it('the server shuts down writing first: the client reads EOF and keeps sending; TIME_WAIT on the server', () => {
    const p = new Pair();
    const { cli, srv } = p.connect();
    expect(p.b.s.sockets.shutdown(srv, SHUT_WR)).toBe(0);
    p.step(100e6);
    expect(stateOf(cli)).toBe('CLOSE_WAIT');
    expect(stateOf(srv)).toBe('FIN_WAIT_2');
    expect(p.a.s.sockets.receiveStream(cli, 10, false)).toEqual({ data: new Uint8Array(0), pktId: 0 });
    p.a.s.sockets.sendStream(cli, bytes(20000, 5), 3);
    p.step(1e9);
    expect(drain(p.b, srv)).toEqual(bytes(20000, 5));
    p.a.s.sockets.close(cli);
    p.step(100e6);
    expect(stateOf(srv)).toBe('TIME_WAIT');
    expect(p.a.s.tcp.cbs).toHaveLength(0);
  });
});

describe('simultaneous close', () => {
  it('both FINs cross: FIN_WAIT_1 → CLOSING → TIME_WAIT on both sides, both gone 60 s later', () => {
    const p = new Pair();
    const { cli, srv } = p.connect();
    p.step(50e6);
    p.a.s.sockets.close(cli);
    p.b.s.sockets.close(srv);
    expect(stateOf(cli)).toBe('FIN_WAIT_1');
    expect(stateOf(srv)).toBe('FIN_WAIT_1');
    const states: string[] = [];
    p.step(10e6, () => {
      states.push(`${stateOf(cli)}/${stateOf(srv)}`);
      return false;
    });
    expect(states).toContain('CLOSING/CLOSING');
    expect(stateOf(cli)).toBe('TIME_WAIT');
    expect(stateOf(srv)).toBe('TIME_WAIT');
    // Each side's FIN, then its ACK of the other's FIN. As in BSD, that ACK goes out of tcp_output in
    // CLOSING, whose flags still hold FIN: it repeats the FIN (same sequence number) along with the ACK.
    const fins = p.segs.filter((s) => s.flags.includes('F'));
    expect(fins.map((s) => `${s.from} ${s.flags}`)).toEqual(['a F.', 'b F.', 'a F.', 'b F.']);
    expect(fins[2]!.seq).toBe(fins[0]!.seq);
    expect(fins[2]!.ack).toBe(fins[1]!.seq + 1);
    expect(fins[3]!.ack).toBe(fins[0]!.seq + 1);
    p.step(59e9);
    expect(stateOf(cli)).toBe('TIME_WAIT');
    p.step(1.5e9);
    expect(p.a.s.tcp.cbs).toHaveLength(0);
    expect(p.b.s.tcp.cbs.filter((t) => t.so === srv)).toHaveLength(0);
  });
});
