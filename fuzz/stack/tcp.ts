/**
 * `stack/tcp`: segments into tcp_input (netinet/tcp_input.c) from a peer that plays along far enough to reach
 * every state worth attacking: SYNs to a listener (SYN_RCVD, then ESTABLISHED on its ACK), a SYN-ACK to our own
 * active open (SYN_SENT → ESTABLISHED), in-order and out-of-order data, FINs; the peer reads our ISNs from the
 * segments we send (read-only). Targeted: short segments, bad data offsets, bad checksums, segments to closed
 * ports, old duplicates; conservation: every flag combination to each state, out-of-window segments, RST
 * spoofing, options with bad lengths (MSS, window scale, SACK, timestamps), random mutations.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { Ip6Nxt } from '../../stack/net/wire/ipv6';
import { EtherType } from '../../stack/net/wire/ethernet';
import { TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TH_URG, TcpPacket, TCPOPT_MAXSEG, TCPOPT_SACK, TCPOPT_SACK_PERMITTED, TCPOPT_TIMESTAMP, TCPOPT_WINDOW, type TcpOptions } from '../../stack/net/wire/tcp';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { Ipv4Packet, IpProto } from '../../stack/net/wire/ipv4';
import { TCPS_ESTABLISHED, TCPS_LISTEN } from '../../stack/net/tcp/fsm';
import { bytes, ipv4, ipv6, refillTcp4, tcp4, tcp6, toUs, toUs6, type SegSpec } from './build';
import type { FrameCase } from './check';
import { PEER, PEER6_GLOBAL, PEER_TCP_PORT, TCP_PORT, US, US6_GLOBAL, type StackRig } from './env';
import type { GenCtx, StackTargetSpec } from './episode';
import { pick, weighted, type CaseRow } from './mix';
import { drawAdvance, randomCase } from './mutate';

/** The peer's view of one connection. */
interface Conn {
  /** The peer's port; our side is TCP_PORT (passive) or the client's port (active). */
  pport: number;
  lport: number;
  /** Peer's next sequence number to send, and what it acknowledges of ours. */
  snd: number;
  ack: number;
  ourIss: number | null;
  established: boolean;
  active: boolean;
}

const SEG_ABOVE = ['tcp/input', 'tcp/state'];

function seg4(s: SegSpec): Uint8Array {
  return toUs(EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.TCP, payload: tcp4(PEER, US, s), id: 1 }));
}

function randomOptions(rng: Rng): TcpOptions {
  const o: TcpOptions = {};
  if (rng.chance(0.8)) o.mss = pick(rng, [536, 1460, 1400, 0, 1, 65535, 88]);
  if (rng.chance(0.5)) o.wscale = rng.below(16);
  if (rng.chance(0.5)) o.sackPermitted = true;
  if (rng.chance(0.5)) o.ts = { val: rng.u32(), ecr: 0 };
  return o;
}

/** Option bytes with a broken length: the kinds TCP parses, lengths 0, 1, off by one, past the header. */
function badOptionBytes(rng: Rng): Uint8Array {
  const kind = pick(rng, [TCPOPT_MAXSEG, TCPOPT_WINDOW, TCPOPT_SACK_PERMITTED, TCPOPT_TIMESTAMP, TCPOPT_SACK, 30, 254]);
  const len = pick(rng, [0, 1, 3, 5, 9, 11, 39, 40, 255]);
  const b = new Uint8Array(4 * (1 + rng.below(10)));
  b[0] = kind;
  b[1] = len;
  for (let i = 2; i < b.length; i++) b[i] = rng.chance(0.5) ? 1 : rng.u32() & 0xff;
  return b;
}

export function makeTcpGen(rig: StackRig, rng: Rng) {
  const conns = new Map<number, Conn>();
  const v6 = rig.s.ip6 !== null;
  let nextPort = 20000 + rng.below(20000);

  /** What the stack sent tells the peer our ISNs and how far it has acknowledged. */
  const learn = (g: GenCtx): void => {
    for (const m of g.lastSent) {
      const d = m.data;
      if (d.length < ETHER_HDR_LEN + 40 || d[12] !== 0x08 || d[13] !== 0x00) continue;
      const ip = new Ipv4Packet(d.subarray(ETHER_HDR_LEN));
      if (ip.protocol !== IpProto.TCP || ip.totalLen < ip.headerLen + 20) continue;
      const t = new TcpPacket(ip.payload);
      const c = conns.get(t.dstPort) ?? (t.srcPort !== TCP_PORT && t.dstPort === PEER_TCP_PORT ? newActive(t.srcPort) : undefined);
      if (!c) continue;
      if (t.flags & TH_RST) {
        conns.delete(c.pport);
        continue;
      }
      if (t.flags & TH_SYN) {
        c.ourIss = t.seq;
        c.ack = (t.seq + 1) >>> 0;
      }
    }
  };
  const newActive = (lport: number): Conn => {
    const c: Conn = { pport: PEER_TCP_PORT, lport, snd: rng.u32(), ack: 0, ourIss: null, established: false, active: true };
    conns.set(PEER_TCP_PORT, c);
    return c;
  };
  /** The peer keeps in step with the connection's real sequence state (a READ of the tcpcb, never a write). */
  const tcb = (c: Conn) => rig.s.tcp.cbs.find((t) => t.so.fport === c.pport && t.so.lport === c.lport && t.state !== TCPS_LISTEN);
  const sync = (c: Conn): void => {
    const tp = tcb(c);
    if (!tp) return;
    if (tp.state >= TCPS_ESTABLISHED) {
      c.snd = tp.rcv_nxt;
      c.ack = tp.snd_max;
    }
  };
  const live = (pred: (c: Conn) => boolean): Conn | undefined => {
    for (const c of conns.values()) sync(c);
    const xs = [...conns.values()].filter(pred);
    return xs.length ? pick(rng, xs) : undefined;
  };
  const segFor = (c: Conn, flags: number, extra: Partial<SegSpec> = {}): SegSpec => ({ sport: c.pport, dport: c.lport, seq: c.snd, ack: c.ack, flags, win: 8192 + rng.below(57000), ...extra });
  const valid = (label: string, s: SegSpec, g: GenCtx): FrameCase => ({ kind: 'valid', label: `tcp/${label}`, frame: seg4(s), adv: drawAdvance(g.rng) });

  const rows: CaseRow[] = [
    {
      w: 5, make: (g) => {
        learn(g);
        const pport = nextPort++;
        const c: Conn = { pport, lport: TCP_PORT, snd: g.rng.u32(), ack: 0, ourIss: null, established: false, active: false };
        conns.set(pport, c);
        if (conns.size > 12) conns.delete(conns.keys().next().value!);
        const s = segFor(c, TH_SYN, { ack: 0, opts: randomOptions(g.rng) });
        c.snd = (c.snd + 1) >>> 0;
        return valid('syn', s, g);
      },
    },
    {
      w: 6, make: (g) => {
        learn(g);
        const c = live((x) => x.ourIss !== null && !x.established);
        if (!c) return null;
        c.established = true;
        if (c.active) {
          const s = segFor(c, TH_SYN | TH_ACK, { opts: randomOptions(g.rng) });
          c.snd = (c.snd + 1) >>> 0;
          return valid('synack-to-our-syn', s, g);
        }
        return valid('handshake-ack', segFor(c, TH_ACK), g);
      },
    },
    {
      w: 10, make: (g) => {
        learn(g);
        const c = live((x) => x.established);
        if (!c) return null;
        const data = bytes(g.rng, 1 + g.rng.below(600));
        const ooo = g.rng.chance(0.25);
        const s = segFor(c, TH_ACK | (g.rng.chance(0.3) ? TH_PUSH : 0), { data, seq: ooo ? (c.snd + 1 + g.rng.below(3000)) >>> 0 : c.snd });
        if (!ooo) c.snd = (c.snd + data.length) >>> 0;
        return valid(ooo ? 'data-out-of-order' : 'data', s, g);
      },
    },
    {
      w: 2, make: (g) => {
        learn(g);
        const c = live((x) => x.established);
        if (!c) return null;
        const s = segFor(c, TH_FIN | TH_ACK);
        c.snd = (c.snd + 1) >>> 0;
        return valid('fin', s, g);
      },
    },
    // --- targeted ---
    {
      w: 2, make: (g) => {
        const t = tcp4(PEER, US, { sport: 1024 + g.rng.below(1000), dport: TCP_PORT, seq: g.rng.u32(), ack: 0, flags: TH_SYN });
        return { kind: 'targeted', label: 'tcp/short-header', frame: toUs(EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.TCP, payload: t.subarray(0, g.rng.below(20)) })), adv: drawAdvance(g.rng), expect: { 'tcp.rcvshort': 1 }, notReached: SEG_ABOVE };
      },
    },
    {
      w: 3, make: (g) => {
        const c = live(() => true);
        const t = tcp4(PEER, US, c ? segFor(c, TH_ACK, { data: bytes(g.rng, g.rng.below(40)) }) : { sport: 3333, dport: TCP_PORT, seq: 1, ack: 0, flags: TH_SYN });
        const bigger = g.rng.chance(0.5);
        const words = bigger ? Math.floor(t.length / 4) + 1 + g.rng.below(Math.max(1, 16 - Math.floor(t.length / 4) - 1)) : g.rng.below(5);
        if (words > 15) return null;
        t[12] = (words << 4) | (t[12]! & 0x0f);
        refillTcp4(t, PEER, US);
        return { kind: 'targeted', label: 'tcp/bad-offset', frame: toUs(EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.TCP, payload: t })), adv: drawAdvance(g.rng), expect: { 'tcp.rcvbadoff': 1 }, notReached: SEG_ABOVE };
      },
    },
    {
      w: 3, make: (g) => {
        const c = live(() => true);
        const t = tcp4(PEER, US, c ? segFor(c, TH_ACK, { data: bytes(g.rng, g.rng.below(100)) }) : { sport: 3334, dport: TCP_PORT, seq: 1, ack: 0, flags: TH_SYN });
        t[16] = t[16]! ^ (1 + g.rng.below(255));
        return { kind: 'targeted', label: 'tcp/badsum', frame: toUs(EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.TCP, payload: t })), adv: drawAdvance(g.rng), expect: { 'tcp.rcvbadsum': 1 }, notReached: SEG_ABOVE };
      },
    },
    {
      w: 2, make: (g) => ({
        kind: 'targeted', label: 'tcp/closed-port', adv: drawAdvance(g.rng), expect: { 'tcp.noport': 1 }, notReached: ['tcp/state'],
        frame: seg4({ sport: 1024 + g.rng.below(1000), dport: pick(g.rng, [81, 22, 443, 8080]), seq: g.rng.u32(), ack: g.rng.u32(), flags: pick(g.rng, [TH_SYN, TH_ACK, TH_SYN | TH_ACK, TH_FIN, 0, TH_PUSH | TH_ACK]) }),
      }),
    },
    {
      w: 2, make: (g) => {
        learn(g);
        const c = live((x) => x.established && (tcb(x)?.state ?? 0) === TCPS_ESTABLISHED);
        if (!c) return null;
        // Old duplicate data entirely before rcv_nxt (and no FIN): tcp_input's "todrop > tlen" → rcvduppack.
        const data = bytes(g.rng, 1 + g.rng.below(100));
        const s = segFor(c, TH_ACK, { data, seq: (c.snd - data.length - 1 - g.rng.below(1000)) >>> 0 });
        return { kind: 'targeted', label: 'tcp/old-duplicate', frame: seg4(s), adv: g.rng.below(1_000_000), expect: { 'tcp.rcvduppack': 1 }, notReached: [] };
      },
    },
    // --- conservation: every flag combination to every state, window edges, spoofed RSTs, bad option lengths ---
    {
      w: 8, make: (g) => {
        const c = live(() => true);
        const flags = g.rng.below(256) & (g.rng.chance(0.7) ? 0x3f : 0xff);
        const base = c ? segFor(c, flags) : { sport: 5000 + g.rng.below(10), dport: TCP_PORT, seq: g.rng.u32(), ack: g.rng.u32(), flags };
        const shift = pick(g.rng, [0, 0, 1, -1, 65535, 0x80000000, g.rng.u32()]);
        const s: SegSpec = { ...base, seq: (base.seq + shift) >>> 0, ack: g.rng.chance(0.3) ? g.rng.u32() : base.ack, urg: flags & TH_URG ? g.rng.below(70000) : 0, data: g.rng.chance(0.4) ? bytes(g.rng, g.rng.below(300)) : new Uint8Array(0) };
        return { kind: 'random', label: `tcp/flags-${flags.toString(16)}`, frame: seg4(s), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: 3, make: (g) => {
        const c = live((x) => x.established);
        if (!c) return null;
        const s = segFor(c, TH_RST | (g.rng.chance(0.5) ? TH_ACK : 0), { seq: (c.snd + pick(g.rng, [1, 100, 70000, -5, 0x40000000])) >>> 0 });
        return { kind: 'random', label: 'tcp/rst-spoof', frame: seg4(s), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: 3, make: (g) => {
        const c = live(() => true);
        const base = c ? segFor(c, pick(g.rng, [TH_SYN, TH_ACK, TH_SYN | TH_ACK])) : { sport: 6000 + g.rng.below(10), dport: TCP_PORT, seq: g.rng.u32(), ack: 0, flags: TH_SYN };
        const t = tcp4(PEER, US, base);
        const opt = badOptionBytes(g.rng);
        const out = new Uint8Array(t.length + opt.length);
        out.set(t.subarray(0, 20));
        out.set(opt, 20);
        out.set(t.subarray(20), 20 + opt.length);
        out[12] = ((5 + opt.length / 4) << 4) | (out[12]! & 0x0f);
        refillTcp4(out, PEER, US);
        return { kind: 'random', label: 'tcp/bad-option-length', frame: toUs(EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.TCP, payload: out })), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: v6 ? 3 : 0, make: (g) => {
        const s: SegSpec = { sport: 7000 + g.rng.below(50), dport: TCP_PORT, seq: g.rng.u32(), ack: g.rng.u32(), flags: pick(g.rng, [TH_SYN, TH_ACK, TH_RST, TH_SYN | TH_ACK]), opts: randomOptions(g.rng) };
        return { kind: 'valid', label: 'tcp/ipv6-segment', frame: toUs6(ipv6({ src: PEER6_GLOBAL, dst: US6_GLOBAL, nxt: Ip6Nxt.TCP, payload: tcp6(PEER6_GLOBAL, US6_GLOBAL, s) }), US6_GLOBAL), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: 8, make: (g) => {
        const c = live(() => true);
        return randomCase(g.rng, 'tcp', seg4(c ? segFor(c, TH_ACK, { data: bytes(g.rng, g.rng.below(64)) }) : { sport: 4444, dport: TCP_PORT, seq: 1, ack: 0, flags: TH_SYN, opts: randomOptions(g.rng) }), drawAdvance(g.rng), 80);
      },
    },
  ];
  return weighted(rows);
}

export const tcpSpec: StackTargetSpec = {
  name: 'stack/tcp',
  description: 'malformed and hostile TCP segments to LISTEN, SYN_SENT, SYN_RCVD and ESTABLISHED sockets (offsets, checksums, flags, windows, RSTs, options)',
  defaultInputs: 250_000,
  quickInputs: 3_000,
  episodeFrames: 400,
  rig: (rng) => ({ inet6: rng.chance(0.2) }),
  makeGen: makeTcpGen,
};
