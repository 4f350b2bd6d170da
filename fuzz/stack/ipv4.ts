/**
 * `stack/ipv4`: malformed IPv4 at ip_input (netinet/ip_input.c), ip_reass (ip_reass.c), ip_forward and
 * ip_dooptions. Valid frames keep state reachable (echo requests answered, UDP delivered, fragmented datagrams
 * in reassembly, forwarding when the episode's stack forwards); targeted mutations carry the ipstat counter
 * NetBSD bumps (IPV4_CASES, docs/fuzzing.md's table); random mutations check conservation.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { EtherType, IpProto, bytes, icmp4, ipv4, toUs, udp4, type Ip4Spec } from './build';
import type { FrameCase } from './check';
import { BCAST, FAR, PEER, UDP_PORT, US, type StackRig } from './env';
import type { GenCtx, StackTargetSpec } from './episode';
import { pick, weighted, type CaseRow } from './mix';
import { drawAdvance, randomCase } from './mutate';
import { IP_MAXFRAGPACKETS } from '../../stack/net/ip-reass';
import { ipOptionCases } from './ipv4-options';

const ECHO = 8;
/** Layers a datagram dropped by ip_input must not reach. */
const ABOVE_IP = ['ip/input', 'udp/input', 'tcp/input', 'icmp/echo-in', 'ip/frag-queued', 'ip/forward'];
const ABOVE_HDR = ['udp/input', 'tcp/input', 'icmp/echo-in', 'ip/frag-queued', 'ip/forward'];

/** A fragmented datagram the peer is sending piece by piece. */
interface Datagram {
  id: number;
  body: Uint8Array;
  /** Fragment boundaries (bytes, multiples of 8). */
  cuts: number[];
  sent: Set<number>;
  started: number;
}

export function ip4Frame(s: Ip4Spec): Uint8Array {
  return toUs(EtherType.IPv4, ipv4(s));
}

function echo(rng: Rng, dst = US): Ip4Spec {
  const data = bytes(rng, rng.below(64));
  return { src: PEER, dst, proto: IpProto.ICMP, payload: icmp4(ECHO, 0, rng.u32(), data), id: rng.u32() & 0xffff };
}

function udpTo(rng: Rng, dport = UDP_PORT, dst = US): Ip4Spec {
  return { src: PEER, dst, proto: IpProto.UDP, payload: udp4(PEER, dst, 1024 + rng.below(60000), dport, bytes(rng, rng.below(128))), id: rng.u32() & 0xffff };
}

/** A valid datagram (echo or UDP) as a packet, to mutate. */
function validPacket(rng: Rng): Uint8Array {
  return ipv4(rng.chance(0.5) ? echo(rng) : udpTo(rng));
}

/** Rewrite header bytes and (optionally) refill the header checksum, so only the intended check fails. */
function edit(pkt: Uint8Array, f: (b: Uint8Array, dv: DataView) => void, refill = true): Uint8Array {
  const b = pkt.slice();
  const dv = new DataView(b.buffer);
  f(b, dv);
  if (refill) {
    const hl = Math.min((b[0]! & 15) * 4, b.length);
    if (hl >= 20) {
      dv.setUint16(10, 0);
      let sum = 0;
      for (let i = 0; i + 1 < hl; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      dv.setUint16(10, ~sum & 0xffff);
    }
  }
  return b;
}

function targeted(label: string, pkt: Uint8Array, expect: Record<string, number>, notReached: readonly string[], adv: number): FrameCase {
  return { kind: 'targeted', label: `ipv4/${label}`, frame: toUs(EtherType.IPv4, pkt), adv, expect, notReached };
}

export function makeIpv4Gen(rig: StackRig, rng: Rng) {
  const forwarding = rig.s.ip.forwarding;
  const dgrams: Datagram[] = [];
  let nextId = 0x4000 + rng.below(0x1000);
  const flood = rng.chance(0.05); // an episode that fills the reassembly table
  const holds = (d: Datagram, k: number): boolean => {
    const q = rig.s.ip.reass['queues'].get(`${PEER}/${US}/${d.id}/${IpProto.UDP}`);
    const off = d.cuts[k]!;
    const end = d.cuts[k + 1] ?? d.body.length;
    return q !== undefined && q.frags.some((f) => f.off <= off && f.off + f.data.length >= end);
  };

  const newDatagram = (g: GenCtx): Datagram => {
    const body = udp4(PEER, US, 2000 + rng.below(1000), UDP_PORT, bytes(rng, 16 + rng.below(600)));
    const cuts = [0];
    while (cuts.at(-1)! + 8 < body.length && cuts.length < 8) cuts.push(cuts.at(-1)! + 8 * (1 + rng.below(Math.max(1, Math.floor((body.length - cuts.at(-1)!) / 8)))));
    const d = { id: nextId++ & 0xffff, body, cuts: cuts.filter((c) => c < body.length), sent: new Set<number>(), started: g.rig.env.t };
    dgrams.push(d);
    if (dgrams.length > 6) dgrams.shift();
    return d;
  };
  const fragOf = (d: Datagram, k: number): Ip4Spec => {
    const off = d.cuts[k]!;
    const end = d.cuts[k + 1] ?? d.body.length;
    return { src: PEER, dst: US, proto: IpProto.UDP, payload: d.body.subarray(off, end), id: d.id, off, mf: k + 1 < d.cuts.length };
  };

  const rows: CaseRow[] = [
    // --- valid: state the stack must reach ---
    { w: 8, make: (g) => ({ kind: 'valid', label: 'ipv4/echo', frame: ip4Frame(echo(g.rng)), adv: drawAdvance(g.rng) }) },
    { w: 6, make: (g) => ({ kind: 'valid', label: 'ipv4/udp', frame: ip4Frame(udpTo(g.rng)), adv: drawAdvance(g.rng) }) },
    { w: 2, make: (g) => ({ kind: 'valid', label: 'ipv4/udp-closed-port', frame: ip4Frame(udpTo(g.rng, 9 + g.rng.below(5))), adv: drawAdvance(g.rng) }) },
    {
      w: flood ? 400 : 10, make: (g) => {
        const live = dgrams.filter((d) => d.sent.size < d.cuts.length && g.rig.env.t - d.started < 25e9);
        const d = live.length > 0 && g.rng.chance(0.7) && !flood ? pick(g.rng, live) : newDatagram(g);
        const left = d.cuts.map((_, k) => k).filter((k) => !d.sent.has(k));
        const k = flood ? 0 : pick(g.rng, left);
        d.sent.add(k);
        return { kind: 'valid', label: 'ipv4/fragment', frame: ip4Frame(fragOf(d, k)), adv: flood ? g.rng.below(1_000_000) : g.rng.below(50_000_000) };
      },
    },
    // --- targeted: ip_input's header checks in NetBSD's order ---
    { w: 2, make: (g) => targeted('toosmall', validPacket(g.rng).subarray(0, g.rng.below(20)), { 'ip.toosmall': 1 }, ABOVE_IP, drawAdvance(g.rng)) },
    {
      w: 2, make: (g) => {
        const v = pick(g.rng, [0, 1, 2, 3, 5, 6, 7, 9, 15]);
        return targeted('badvers', edit(validPacket(g.rng), (b) => { b[0] = (v << 4) | (b[0]! & 15); }), { 'ip.badvers': 1 }, ABOVE_IP, drawAdvance(g.rng));
      },
    },
    {
      w: 2, make: (g) => {
        const ihl = g.rng.below(5);
        return targeted('badhlen-small', edit(validPacket(g.rng), (b) => { b[0] = 0x40 | ihl; }, false), { 'ip.badhlen': 1 }, ABOVE_IP, drawAdvance(g.rng));
      },
    },
    {
      w: 1, make: (g) => {
        const p = ipv4({ ...echo(g.rng), payload: icmp4(ECHO, 0, 0, new Uint8Array(0)) }); // 28 bytes
        return targeted('badhlen-past-buffer', edit(p, (b) => { b[0] = 0x40 | (8 + g.rng.below(8)); }, false), { 'ip.badhlen': 1 }, ABOVE_IP, drawAdvance(g.rng));
      },
    },
    {
      w: 3, make: (g) => targeted('badsum', edit(validPacket(g.rng), (b) => { b[10] = b[10]! ^ (1 + g.rng.below(255)); }, false), { 'ip.badsum': 1 }, ABOVE_IP, drawAdvance(g.rng)),
    },
    {
      w: 2, make: (g) => targeted('badlen', edit(validPacket(g.rng), (_b, dv) => { dv.setUint16(2, g.rng.below(20)); }), { 'ip.badlen': 1 }, ABOVE_IP, drawAdvance(g.rng)),
    },
    {
      w: 2, make: (g) => {
        const p = validPacket(g.rng);
        return targeted('tooshort', edit(p, (_b, dv) => { dv.setUint16(2, p.length + 1 + g.rng.below(2000)); }), { 'ip.tooshort': 1 }, ABOVE_IP, drawAdvance(g.rng));
      },
    },
    // --- targeted: delivery decisions ---
    {
      w: 1, make: (g) => {
        const grp = (0xef000000 | (g.rng.u32() & 0xffffff)) >>> 0; // 239/8, never joined here
        const mac = Uint8Array.of(1, 0, 0x5e, (grp >>> 16) & 0x7f, (grp >>> 8) & 0xff, grp & 0xff);
        return { kind: 'targeted', label: 'ipv4/notmember', frame: toUs(EtherType.IPv4, ipv4(udpTo(g.rng, UDP_PORT, grp)), mac), adv: drawAdvance(g.rng), expect: { 'ip.notmember': 1 }, notReached: ABOVE_HDR };
      },
    },
    {
      w: 2, make: (g) => forwarding
        ? null
        : targeted('not-for-us', ipv4(udpTo(g.rng, UDP_PORT, FAR)), { 'ip.cantforward': 1 }, ABOVE_HDR, drawAdvance(g.rng)),
    },
    {
      w: 2, make: (g) => !forwarding
        ? null
        : targeted('ttl-exceeded', ipv4({ ...udpTo(g.rng, UDP_PORT, FAR), ttl: g.rng.below(2) }), { 'ip.cantforward': 1, 'ip.forward': 0 }, ['udp/input', 'ip/forward'], drawAdvance(g.rng)),
    },
    { w: 2, make: (g) => !forwarding ? null : { kind: 'valid', label: 'ipv4/forward', frame: ip4Frame(udpTo(g.rng, 53, FAR)), adv: drawAdvance(g.rng) } },
    {
      w: 1, make: (g) => targeted('noproto', ipv4({ src: PEER, dst: US, proto: pick(g.rng, [253, 254, 143, 99]), payload: bytes(g.rng, g.rng.below(40)) }), { 'ip.noproto': 1 }, ['udp/input', 'tcp/input'], drawAdvance(g.rng)),
    },
    { w: 1, make: (g) => ({ kind: 'valid', label: 'ipv4/udp-broadcast', frame: toUs(EtherType.IPv4, ipv4(udpTo(g.rng, UDP_PORT, BCAST)), Uint8Array.of(255, 255, 255, 255, 255, 255)), adv: drawAdvance(g.rng) }) },
    // --- targeted: fragments (ip_reass_packet / ip_reass) ---
    {
      w: 2, make: (g) => {
        const len = 1 + g.rng.below(40);
        const n = len % 8 === 0 ? len + 1 : len;
        const pl = bytes(g.rng, n);
        return targeted('mf-odd-length', ipv4({ src: PEER, dst: US, proto: IpProto.UDP, payload: pl, id: g.rng.u32() & 0xffff, mf: true, off: 8 * g.rng.below(100) }), { 'ip.badfrags': 1 }, ['ip/frag-queued', 'udp/input'], drawAdvance(g.rng));
      },
    },
    {
      w: 2, make: (g) => targeted('frag-past-65535', ipv4({ src: PEER, dst: US, proto: IpProto.UDP, payload: bytes(g.rng, 16 + 8 * g.rng.below(8)), id: g.rng.u32() & 0xffff, off: 65528 - 8 * g.rng.below(2) }), { 'ip.toolong': 1 }, ['ip/frag-queued', 'udp/input'], drawAdvance(g.rng)),
    },
    {
      w: 3, make: (g) => {
        // A piece the reassembly queue holds right now (peeked, read-only), sent again whole.
        const d = dgrams.find((x) => [...x.sent].some((k) => holds(x, k)));
        if (!d) return null;
        const k = pick(g.rng, [...d.sent].filter((j) => holds(d, j)));
        const q = rig.s.ip.reass['queues'].get(`${PEER}/${US}/${d.id}/${IpProto.UDP}`);
        if (!q || q.timer.when <= g.rig.env.t + 1_000_000) return null; // it must outlive the frame's time advance
        return targeted('duplicate-fragment', ipv4(fragOf(d, k)), { 'ip.fragdropped': 1, 'ip.reassembled': 0 }, ['udp/input'], g.rng.below(1_000_000));
      },
    },
    {
      w: flood ? 60 : 2, make: (g) => {
        if (rig.s.ip.reass.npackets < IP_MAXFRAGPACKETS) return null;
        return targeted('reass-table-full', ipv4({ src: PEER, dst: US, proto: IpProto.UDP, payload: bytes(g.rng, 8), id: nextId++ & 0xffff, mf: true }), { 'ip.fragdropped': 1 }, ['ip/frag-queued'], 0);
      },
    },
    ...ipOptionCases(forwarding),
    // --- random mutations ---
    { w: 14, make: (g) => randomCase(g.rng, 'ipv4', toUs(EtherType.IPv4, validPacket(g.rng)), drawAdvance(g.rng)) },
    {
      w: 4, make: (g) => {
        const d = dgrams.at(-1) ?? newDatagram(g);
        return randomCase(g.rng, 'ipv4-frag', ip4Frame(fragOf(d, g.rng.below(d.cuts.length))), g.rng.below(10_000_000), 40);
      },
    },
  ];
  return weighted(rows);
}

export const ipv4Spec: StackTargetSpec = {
  name: 'stack/ipv4',
  description: 'malformed IPv4 (header checks, options, fragments, forwarding) into ip_input/ip_reass/ip_forward; each drop in its ipstat counter',
  defaultInputs: 300_000,
  quickInputs: 3_000,
  episodeFrames: 400,
  rig: (rng) => ({ forward: rng.chance(0.3) }),
  makeGen: makeIpv4Gen,
};


