/**
 * `stack/ipv6` (io-pkt-v6-hc): malformed IPv6 into ip6_input and its extension-header walk (netinet6/ip6_input.c,
 * dest6.c, route6.c), frag6_input (frag6.c), icmp6_input (icmp6.c) and neighbour discovery (nd6_nbr.c,
 * nd6_rtr.c): short packets, wrong versions, payload lengths past the frame, hop-by-hop headers out of place,
 * options whose action bits say discard, long header chains, type 0 routing headers, unknown next headers,
 * fragments of bad length, overlapping (RFC 5722) and flooding, ICMPv6 with bad checksums, ND with a hop limit
 * other than 255 or options of length 0. Valid echo, UDP, NS/NA and fragmented datagrams keep state moving.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { IP6_MAXFRAGS } from '../../stack/net/ip6/frag6';
import { IN6ADDR_LINKLOCAL_ALLNODES, ipv6SolicitedNode, type Ipv6Addr } from '../../stack/net/wire/addr6';
import { Ip6Nxt } from '../../stack/net/wire/ipv6';
import { bytes, concat, fragHeader, icmp6, ipv6, optionsHeader, toUs6, udp6 } from './build';
import type { FrameCase } from './check';
import { PEER6_GLOBAL, PEER6_LL, PEER_MAC, UDP_PORT, US6_GLOBAL, US6_LL, type StackRig } from './env';
import type { StackTargetSpec } from './episode';
import { pick, weighted, type CaseRow } from './mix';
import { drawAdvance, randomCase } from './mutate';

const ECHO_REQUEST = 128;
const NS = 135;
const NA = 136;
const RA = 134;
const ABOVE = ['udp6/input', 'icmp6/input', 'ip6/fragment', 'ip6/reassembled'];

function frame6(src: Ipv6Addr, dst: Ipv6Addr, nxt: number, payload: Uint8Array, hlim = 64): Uint8Array {
  return toUs6(ipv6({ src, dst, nxt, payload, hlim }), dst);
}

function echo(rng: Rng, src = PEER6_GLOBAL, dst = US6_GLOBAL): Uint8Array {
  return icmp6(src, dst, ECHO_REQUEST, 0, concat(Uint8Array.of(0, 1, 0, rng.below(256)), bytes(rng, rng.below(64))));
}

/** An NS from the peer for `target` with its source link-layer address option (RFC 4861 §4.3). */
function nsBody(target: Ipv6Addr, opt = Uint8Array.of(1, 1, ...PEER_MAC)): Uint8Array {
  return concat(new Uint8Array(4), target, opt);
}

function targeted(label: string, f: Uint8Array, expect: Record<string, number>, notReached: readonly string[], rng: Rng): FrameCase {
  return { kind: 'targeted', label: `ipv6/${label}`, frame: f, adv: drawAdvance(rng), expect, notReached };
}

function validPkt(rng: Rng): { nxt: number; payload: Uint8Array } {
  return rng.chance(0.5)
    ? { nxt: Ip6Nxt.ICMPV6, payload: echo(rng) }
    : { nxt: Ip6Nxt.UDP, payload: udp6(PEER6_GLOBAL, US6_GLOBAL, 1024 + rng.below(60000), UDP_PORT, bytes(rng, rng.below(120))) };
}

export function makeIpv6Gen(rig: StackRig, rng: Rng) {
  let ident = rng.u32();
  const flood = rng.chance(0.05);
  const floodId = rng.u32();
  let floodOff = 8;
  const queue = (id: number) => rig.s.ip6!.frag6['queues'].get(`2001:db8::1 2001:db8::2 ${id}`);

  const rows: CaseRow[] = [
    // --- valid ---
    { w: 6, make: (g) => ({ kind: 'valid', label: 'ipv6/echo', frame: frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.ICMPV6, echo(g.rng)), adv: drawAdvance(g.rng) }) },
    { w: 5, make: (g) => ({ kind: 'valid', label: 'ipv6/udp', frame: frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.UDP, udp6(PEER6_GLOBAL, US6_GLOBAL, 5000, UDP_PORT, bytes(g.rng, g.rng.below(200)))), adv: drawAdvance(g.rng) }) },
    {
      w: 3, make: (g) => {
        const target = pick(g.rng, [US6_GLOBAL, US6_LL]);
        const dst = g.rng.chance(0.5) ? ipv6SolicitedNode(target) : target;
        return { kind: 'valid', label: 'ipv6/ns', frame: frame6(PEER6_LL, dst, Ip6Nxt.ICMPV6, icmp6(PEER6_LL, dst, NS, 0, nsBody(target)), 255), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: 2, make: (g) => {
        const body = concat(Uint8Array.of(0x60, 0, 0, 0), PEER6_GLOBAL, Uint8Array.of(2, 1, ...PEER_MAC));
        return { kind: 'valid', label: 'ipv6/na', frame: frame6(PEER6_LL, US6_LL, Ip6Nxt.ICMPV6, icmp6(PEER6_LL, US6_LL, NA, 0, body), 255), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: 3, make: (g) => {
        const p = validPkt(g.rng);
        const hdr = g.rng.chance(0.5) ? Ip6Nxt.HOPOPTS : Ip6Nxt.DSTOPTS;
        return { kind: 'valid', label: 'ipv6/options-padn', frame: frame6(PEER6_GLOBAL, US6_GLOBAL, hdr, concat(optionsHeader(p.nxt, new Uint8Array(g.rng.below(12))), p.payload)), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: flood ? 300 : 5, make: (g) => {
        // A UDP datagram in two fragments (second first half the time), or the flood: 8-byte pieces of one datagram.
        if (flood) {
          const f = concat(fragHeader(Ip6Nxt.UDP, floodOff, true, floodId), bytes(g.rng, 8));
          floodOff = (floodOff + 8) % 60000 || 8;
          return { kind: 'valid', label: 'ipv6/fragment-flood', frame: frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.FRAGMENT, f), adv: g.rng.below(100_000) };
        }
        const u = udp6(PEER6_GLOBAL, US6_GLOBAL, 6000, UDP_PORT, bytes(g.rng, 16 + 8 * g.rng.below(40)));
        const cut = 8 * (1 + g.rng.below(Math.floor(u.length / 8) - 1));
        const id = ident++ >>> 0;
        const a = concat(fragHeader(Ip6Nxt.UDP, 0, true, id), u.subarray(0, cut));
        const b = concat(fragHeader(Ip6Nxt.UDP, cut, false, id), u.subarray(cut));
        return { kind: 'valid', label: 'ipv6/fragment', frame: frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.FRAGMENT, g.rng.chance(0.5) ? a : b), adv: g.rng.below(50_000_000) };
      },
    },
    {
      w: flood ? 60 : 2, make: (g) => {
        if (rig.s.ip6!.frag6.nfrags < IP6_MAXFRAGS) return null;
        const f = concat(fragHeader(Ip6Nxt.UDP, 8 * (1 + g.rng.below(1000)), true, ident++ >>> 0), bytes(g.rng, 8));
        // No time passes first: a reassembly timeout in between would make room again.
        return { ...targeted('frag-table-full', frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.FRAGMENT, f), { 'ip6.fragdropped': 1 }, ['ip6/fragment', 'ip6/reassembled'], g.rng), adv: 0 };
      },
    },
    // --- targeted: ip6_input ---
    { w: 2, make: (g) => targeted('toosmall', toUs6(ipv6({ src: PEER6_GLOBAL, dst: US6_GLOBAL, nxt: 59, payload: new Uint8Array(0) }).subarray(0, g.rng.below(40)), US6_GLOBAL), { 'ip6.toosmall': 1 }, ABOVE, g.rng) },
    {
      w: 2, make: (g) => {
        const p = ipv6({ src: PEER6_GLOBAL, dst: US6_GLOBAL, ...validPkt(g.rng) });
        p[0] = (pick(g.rng, [4, 0, 5, 7, 15]) << 4) | (p[0]! & 15);
        return targeted('badvers', toUs6(p, US6_GLOBAL), { 'ip6.badvers': 1 }, ABOVE, g.rng);
      },
    },
    {
      w: 2, make: (g) => {
        const p = ipv6({ src: PEER6_GLOBAL, dst: US6_GLOBAL, ...validPkt(g.rng) });
        new DataView(p.buffer).setUint16(4, p.length - 40 + 1 + g.rng.below(3000));
        return targeted('payload-past-frame', toUs6(p, US6_GLOBAL), { 'ip6.tooshort': 1 }, ABOVE, g.rng);
      },
    },
    // --- targeted: extension headers ---
    {
      w: 2, make: (g) => {
        const p = validPkt(g.rng);
        const chain = concat(optionsHeader(Ip6Nxt.HOPOPTS, new Uint8Array(0)), optionsHeader(p.nxt, new Uint8Array(0)), p.payload);
        return targeted('hbh-not-first', frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.DSTOPTS, chain), { 'ip6.badoptions': 1 }, ABOVE, g.rng);
      },
    },
    {
      w: 2, make: (g) => {
        const p = validPkt(g.rng);
        const type = pick(g.rng, [0x40, 0x41, 0x7f, 0x80, 0x9e, 0xc2, 0xff]);
        const hdr = g.rng.chance(0.5) ? Ip6Nxt.HOPOPTS : Ip6Nxt.DSTOPTS;
        const chain = concat(optionsHeader(p.nxt, Uint8Array.of(type, 2, 0, 0)), p.payload);
        return targeted('option-action-discard', frame6(PEER6_GLOBAL, US6_GLOBAL, hdr, chain), { 'ip6.badoptions': 1 }, ABOVE, g.rng);
      },
    },
    {
      w: 2, make: (g) => {
        const p = validPkt(g.rng);
        const n = 50 + g.rng.below(10); // ip6_hdrnestlimit: 50 headers with the upper layer's
        const hdrs: Uint8Array[] = [];
        for (let k = 0; k < n; k++) hdrs.push(optionsHeader(k === n - 1 ? p.nxt : Ip6Nxt.DSTOPTS, new Uint8Array(0)));
        return targeted('long-chain', frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.DSTOPTS, concat(...hdrs, p.payload)), { 'ip6.toomanyhdr': 1 }, ABOVE, g.rng);
      },
    },
    {
      w: 2, make: (g) => {
        const p = validPkt(g.rng);
        const rh = concat(Uint8Array.of(p.nxt, 2, 0, 1 + g.rng.below(3), 0, 0, 0, 0), PEER6_GLOBAL);
        return targeted('routing-type0', frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.ROUTING, concat(rh, p.payload)), { 'ip6.badoptions': 1 }, ABOVE, g.rng);
      },
    },
    { w: 1, make: (g) => targeted('unknown-next-header', frame6(PEER6_GLOBAL, US6_GLOBAL, pick(g.rng, [253, 254, 143, 99]), bytes(g.rng, g.rng.below(40))), { 'icmp6.error': 1 }, ABOVE, g.rng) },
    // --- targeted: frag6_input ---
    {
      w: 2, make: (g) => {
        const len = 1 + g.rng.below(40);
        const f = concat(fragHeader(Ip6Nxt.UDP, 8 * g.rng.below(100), true, ident++ >>> 0), bytes(g.rng, len % 8 === 0 ? len + 3 : len));
        return targeted('frag-odd-length', frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.FRAGMENT, f), { 'ip6.fragdropped': 1 }, ['ip6/fragment', 'ip6/reassembled'], g.rng);
      },
    },
    {
      w: 2, make: (g) => {
        // RFC 5722: a fragment overlapping one already queued discards the whole datagram.
        const id = ident - 1;
        const q = queue(id);
        // (The queue must outlive the frame's time advance: its 60 s timer is read, never changed.)
        if (!q || q.frags.length === 0 || rig.s.ip6!.frag6.nfrags >= IP6_MAXFRAGS || q.timer.when <= rig.env.t + 1_000_000) return null;
        const f0 = q.frags[0]!;
        const f = concat(fragHeader(Ip6Nxt.UDP, f0.off, true, id), bytes(g.rng, 8));
        return { ...targeted('frag-overlap', frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.FRAGMENT, f), { 'ip6.fragdropped': q.frags.length + 1, 'ip6.reassembled': 0 }, ['udp6/input'], g.rng), adv: g.rng.below(1_000_000) };
      },
    },
    // --- targeted: icmp6_input and ND ---
    {
      w: 2, make: (g) => {
        const m = echo(g.rng);
        m[2] = m[2]! ^ (1 + g.rng.below(255));
        return targeted('icmp6-badsum', frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.ICMPV6, m), { 'icmp6.checksum': 1 }, ['icmp6/input'], g.rng);
      },
    },
    { w: 1, make: (g) => targeted('icmp6-tooshort', frame6(PEER6_GLOBAL, US6_GLOBAL, Ip6Nxt.ICMPV6, bytes(g.rng, g.rng.below(4))), { 'icmp6.tooshort': 1 }, ['icmp6/input'], g.rng) },
    {
      w: 2, make: (g) => {
        const hlim = pick(g.rng, [0, 1, 64, 128, 254]);
        const [type, body, counter] = pick(g.rng, [
          [NS, nsBody(US6_GLOBAL), 'icmp6.badns'],
          [NA, concat(Uint8Array.of(0x60, 0, 0, 0), PEER6_GLOBAL), 'icmp6.badna'],
          [RA, concat(Uint8Array.of(64, 0, 0, 30), new Uint8Array(8)), 'icmp6.badra'],
        ] as const);
        const dst = type === RA ? IN6ADDR_LINKLOCAL_ALLNODES : US6_LL;
        return targeted('nd-bad-hlim', frame6(PEER6_LL, dst, Ip6Nxt.ICMPV6, icmp6(PEER6_LL, dst, type, 0, body), hlim), { [counter]: 1 }, [], g.rng);
      },
    },
    {
      w: 2, make: (g) => targeted('nd-option-length-0', frame6(PEER6_LL, US6_LL, Ip6Nxt.ICMPV6, icmp6(PEER6_LL, US6_LL, NS, 0, nsBody(US6_LL, Uint8Array.of(1, 0, ...PEER_MAC))), 255), { 'icmp6.nd_badopt': 1, 'icmp6.badns': 1 }, [], g.rng),
    },
    // --- random ---
    {
      w: 12, make: (g) => {
        const p = validPkt(g.rng);
        const ext = g.rng.chance(0.3);
        return randomCase(g.rng, 'ipv6', frame6(PEER6_GLOBAL, US6_GLOBAL, ext ? Ip6Nxt.DSTOPTS : p.nxt, ext ? concat(optionsHeader(p.nxt, new Uint8Array(4)), p.payload) : p.payload), drawAdvance(g.rng), 80);
      },
    },
    { w: 3, make: (g) => randomCase(g.rng, 'ipv6-nd', frame6(PEER6_LL, US6_LL, Ip6Nxt.ICMPV6, icmp6(PEER6_LL, US6_LL, NS, 0, nsBody(US6_LL)), 255), drawAdvance(g.rng), 100) },
  ];
  return weighted(rows);
}

export const ipv6Spec: StackTargetSpec = {
  name: 'stack/ipv6',
  description: 'malformed IPv6 (header, extension-header chains, fragments, ICMPv6, ND) into io-pkt-v6-hc\'s ip6_input/frag6/icmp6/nd6; each drop in its ip6stat/icmp6stat counter',
  defaultInputs: 250_000,
  quickInputs: 3_000,
  episodeFrames: 400,
  rig: () => ({ inet6: true }),
  makeGen: makeIpv6Gen,
};
