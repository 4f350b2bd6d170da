/**
 * A scripted TCP peer for state-by-state tests (the smoltcp style): one NetStack (10.77.0.2) whose segments
 * the test reads off the fake interface, and hand-built segments from 10.77.0.1 fed to it. Time advances
 * through the stack's callouts so timer-driven segments appear at their virtual times.
 */
import { sockaddrIn } from '../../stack/include/netinet/in';
import { AF_INET, SOCK_STREAM } from '../../stack/include/sys/socket';
import type { Socket } from '../../stack/net/socket';
import type { TcpCb } from '../../stack/net/tcp/tcpcb';
import { tcpStateName } from '../../stack/net/tcp/fsm';
import { Ip } from '../../stack/net/ip';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { IpProto, Ipv4Packet, Ipv4Repr } from '../../stack/net/wire/ipv4';
import { TcpPacket, TcpRepr, tcpPseudoSum4, type TcpOptions } from '../../stack/net/wire/tcp';
import { WireError } from '../../stack/net/wire/view';
import { ARP_REQUEST } from './fixtures';
import { ip, makeStack, rx } from './harness';

export const US = ip('10.77.0.2');
export const PEER = ip('10.77.0.1');
const US_MAC = [0x00, 0x50, 0xc2, 0x00, 0x00, 0x02];
const PEER_MAC = [0x00, 0x50, 0xc2, 0x00, 0x00, 0x01];

export interface SegSpec {
  sport?: number;
  dport?: number;
  seq: number;
  ack?: number;
  flags: number;
  win?: number;
  opts?: TcpOptions;
  data?: Uint8Array;
}

/** A frame from the peer to us carrying `s`. */
export function peerFrame(s: SegSpec, src = PEER, dst = US): Uint8Array {
  const r: TcpRepr = {
    srcPort: s.sport ?? 40000, dstPort: s.dport ?? 80, seq: s.seq >>> 0, ack: (s.ack ?? 0) >>> 0, flags: s.flags,
    window: s.win ?? 65535, urgent: 0, options: s.opts ?? {}, payload: s.data ?? new Uint8Array(0),
  };
  const len = TcpRepr.bufferLen(r);
  const frame = Ip.alloc(len);
  frame.set(US_MAC, 0);
  frame.set(PEER_MAC, 6);
  frame[12] = 0x08;
  frame[13] = 0x00;
  TcpRepr.emit(r, new TcpPacket(frame.subarray(Ip.PAYLOAD_OFF)), tcpPseudoSum4(src, dst, len));
  Ipv4Repr.emit({ src, dst, protocol: IpProto.TCP, ttl: 64, tos: 0, ident: 1, dontFrag: true, moreFrags: false, fragOffset: 0, optionsLen: 0, payloadLen: len },
    new Ipv4Packet(frame.subarray(ETHER_HDR_LEN)));
  return frame;
}

export class Peer {
  readonly n = makeStack();
  private pkt = 1;

  constructor() {
    // Learn the peer's MAC from its ARP request so our segments go out at once.
    rx(this.n.s, this.n.en0, ARP_REQUEST);
    this.n.en0.snd.length = 0;
  }

  get s() { return this.n.s; }
  get env() { return this.n.env; }

  send(spec: SegSpec): void {
    rx(this.n.s, this.n.en0, peerFrame(spec), this.pkt++);
    this.n.env.flush();
  }

  /** Segments we sent since the last call (checksums verified). */
  out(): TcpRepr[] {
    const res: TcpRepr[] = [];
    for (const m of this.n.en0.snd.splice(0)) {
      const ipp = new Ipv4Packet(m.data.subarray(ETHER_HDR_LEN));
      if (ipp.protocol !== IpProto.TCP) continue;
      const seg = ipp.payload;
      const r = TcpRepr.parse(new TcpPacket(seg), tcpPseudoSum4(ipp.src, ipp.dst, seg.length));
      if (r instanceof WireError) throw new Error(r.reason);
      res.push(r);
    }
    return res;
  }

  /** Advance virtual time to `t` ns, running callouts as they fall due. */
  advanceTo(t: number): void {
    const env = this.n.env;
    for (;;) {
      const next = this.n.s.callouts.next();
      if (next === null || next > t) break;
      env.t = Math.max(env.t, next);
      this.n.s.runTimers();
      env.flush();
    }
    env.t = Math.max(env.t, t);
  }

  /** Advance until we send something (or `limit` ns pass): the time and the segments. */
  advanceUntilOutput(limit: number): { t: number; segs: TcpRepr[] } {
    const env = this.n.env;
    const end = env.t + limit;
    for (;;) {
      if (this.n.en0.snd.length > 0) return { t: env.t, segs: this.out() };
      const next = this.n.s.callouts.next();
      if (next === null || next > end) {
        env.t = end;
        return { t: env.t, segs: [] };
      }
      env.t = Math.max(env.t, next);
      this.n.s.runTimers();
      env.flush();
    }
  }

  listen(port = 80, backlog = 5): Socket {
    const so = this.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    expect(this.s.sockets.bindAddr(so, sockaddrIn(0, port))).toBe(0);
    expect(this.s.sockets.listen(so, backlog)).toBe(0);
    return so;
  }

  connect(port = 40000, lport = 0): Socket {
    const so = this.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    if (lport) expect(this.s.sockets.bindAddr(so, sockaddrIn(0, lport))).toBe(0);
    expect(this.s.sockets.connectStream(so, sockaddrIn(PEER, port))).toBe(0);
    this.env.flush();
    return so;
  }
}

export function tcb(so: Socket): TcpCb {
  return so.pcb as TcpCb;
}

export function stateOf(so: Socket): string {
  const tp = so.pcb as TcpCb | null;
  return tp ? tcpStateName(tp.state) : 'CLOSED';
}
