/**
 * Two NetStacks joined back to back for TCP tests: a frame pump takes what each fake interface queued, delivers
 * it to the other after a fixed one-way delay (optionally dropping frames with a seeded loss pattern), and
 * advances both FakeEnvs to the next frame arrival or callout deadline, running the stacks' timers.
 */
import { AF_INET, SOCK_STREAM } from '../../stack/include/sys/socket';
import { sockaddrIn } from '../../stack/include/netinet/in';
import type { Socket } from '../../stack/net/socket';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { Ipv4Packet } from '../../stack/net/wire/ipv4';
import { TcpPacket, TcpRepr, tcpFlagsString } from '../../stack/net/wire/tcp';
import { WireError } from '../../stack/net/wire/view';
import { ip, makeStack } from './harness';

export type Node = ReturnType<typeof makeStack>;

/** A TCP segment seen on the wire (after the pump's loss decision). */
export interface WireSeg {
  t: number;
  from: 'a' | 'b';
  flags: string;
  seq: number;
  ack: number;
  len: number;
  win: number;
  dropped: boolean;
  repr: TcpRepr;
}

export class Pair {
  readonly a: Node;
  readonly b: Node;
  now = 0;
  readonly segs: WireSeg[] = [];
  private inflight: { t: number; seq: number; to: Node; frame: Uint8Array; pktId: number }[] = [];
  private n = 0;
  /** Decide to drop a frame (called for every frame in send order); default: none. */
  loss: (frame: Uint8Array, from: 'a' | 'b') => boolean = () => false;

  constructor(readonly delayNs = 1_000_000) {
    this.a = makeStack('00:50:c2:00:00:01', '10.77.0.1');
    this.b = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    this.b.env.seed = 0x1234567;
  }

  get A(): number { return ip('10.77.0.1'); }
  get B(): number { return ip('10.77.0.2'); }

  /** Move queued frames onto the wire and run deferred wakeups; returns true if anything moved. */
  private collect(): boolean {
    let moved = false;
    for (const [from, src, dst] of [['a', this.a, this.b], ['b', this.b, this.a]] as const) {
      src.env.flush();
      for (const m of src.en0.snd.splice(0)) {
        moved = true;
        const frame = m.data.slice();
        const drop = this.loss(frame, from);
        this.record(frame, from, drop);
        if (!drop) this.inflight.push({ t: this.now + this.delayNs, seq: this.n++, to: dst, frame, pktId: m.pktId });
      }
    }
    return moved;
  }

  private record(frame: Uint8Array, from: 'a' | 'b', dropped: boolean): void {
    if (frame.length < ETHER_HDR_LEN + 20 || frame[12] !== 0x08 || frame[13] !== 0x00) return;
    const ipp = new Ipv4Packet(frame.subarray(ETHER_HDR_LEN));
    if (ipp.protocol !== 6) return;
    const r = TcpRepr.parse(new TcpPacket(ipp.payload), 0, { verifyChecksum: false });
    if (r instanceof WireError) return;
    this.segs.push({ t: this.now, from, flags: tcpFlagsString(r.flags), seq: r.seq, ack: r.ack, len: r.payload.length, win: r.window, dropped, repr: r });
  }

  /** Run until `until` ns of virtual time, or until `done()` holds after a step. */
  run(until: number, done: () => boolean = () => false): void {
    for (let guard = 0; guard < 10_000_000; guard++) {
      while (this.collect()) { /* drain */ }
      if (done()) return;
      const times = [this.inflight[0]?.t, this.a.s.callouts.next(), this.b.s.callouts.next()].filter((x): x is number => x !== undefined && x !== null);
      if (times.length === 0) return;
      const t = Math.min(...times);
      if (t > until) {
        this.setTime(until);
        return;
      }
      this.setTime(t);
      this.inflight.sort((x, y) => x.t - y.t || x.seq - y.seq);
      while (this.inflight.length > 0 && this.inflight[0]!.t <= t) {
        const f = this.inflight.shift()!;
        f.to.s.input(f.to.en0, { data: f.frame, pktId: f.pktId });
        f.to.s.drainLoopback();
      }
      this.a.s.runTimers();
      this.b.s.runTimers();
    }
    throw new Error('pump did not settle');
  }

  private setTime(t: number): void {
    this.now = Math.max(this.now, t);
    this.a.env.t = this.now;
    this.b.env.t = this.now;
  }

  /** Run for `ns` more. */
  step(ns: number, done?: () => boolean): void {
    this.run(this.now + ns, done);
  }

  /** A listener on b:port and a connected socket on a; returns [client, server child]. */
  connect(port = 5001, opts: { backlog?: number } = {}): { cli: Socket; srv: Socket; lis: Socket } {
    const lis = this.b.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    expectOk(this.b.s.sockets.bindAddr(lis, sockaddrIn(0, port)));
    expectOk(this.b.s.sockets.listen(lis, opts.backlog ?? 5));
    const cli = this.a.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    expectOk(this.a.s.sockets.connectStream(cli, sockaddrIn(this.B, port)));
    this.step(1_000_000_000, () => cli.isConnected && lis.q.length > 0);
    const srv = this.b.s.sockets.accept(lis);
    if (typeof srv === 'number') throw new Error(`accept: ${srv}`);
    return { cli, srv, lis };
  }

  /** Data segments on the wire from one side (not counting pure ACKs/control). */
  dataSegs(from: 'a' | 'b'): WireSeg[] {
    return this.segs.filter((s) => s.from === from && s.len > 0);
  }
}

export function expectOk(e: number): void {
  if (e !== 0) throw new Error(`errno ${e}`);
}

/** Read everything so_rcv holds. */
export function drain(n: Node, so: Socket): Uint8Array {
  const r = n.s.sockets.receiveStream(so, 1 << 30, false);
  return typeof r === 'number' ? new Uint8Array(0) : r.data;
}

/**
 * Connect a → b and move `data` in 4096-byte writes as a's send window allows, reading b's so_rcv as it fills,
 * until b has all of it (or 10 000 steps of 10 ms): the two sockets and what b received.
 */
export function pumpStream(p: Pair, data: Uint8Array): { cli: Socket; srv: Socket; got: Uint8Array } {
  const { cli, srv } = p.connect();
  const n = data.length;
  let sent = 0;
  const parts: Uint8Array[] = [];
  let got = 0;
  const app = (): boolean => {
    while (sent < n) {
      const k = p.a.s.sockets.sendStream(cli, data.subarray(sent, sent + 4096), 1);
      if (k <= 0) break;
      sent += k;
    }
    const d = drain(p.b, srv);
    if (d.length) {
      parts.push(d);
      got += d.length;
    }
    return got === n;
  };
  for (let i = 0; i < 10000 && !app(); i++) p.step(10_000_000, app);
  return { cli, srv, got: Buffer.concat(parts) };
}
