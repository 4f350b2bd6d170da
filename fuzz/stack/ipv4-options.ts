/**
 * The IPv4 option rows of `stack/ipv4` (RFC 791 §3.1, RFC 781 timestamps), judged by ip_dooptions
 * (netinet/ip_input.c; stack/net/ip-options.ts): malformed lengths, pointers, timestamp flags and overflow,
 * a strict source route through a host that is not us — each refused with an ICMP error and counted in
 * ipstat.badoptions (and icmpstat.error) — next to valid ones that must be delivered: record route with and
 * without room, timestamps, a loose source route that ends here, one that continues past us (forwarded).
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { IPOPT_LSRR, IPOPT_NOP, IPOPT_RR, IPOPT_SSRR, IPOPT_TS, IPOPT_TS_PRESPEC, IPOPT_TS_TSANDADDR, IPOPT_TS_TSONLY } from '../../stack/net/ip-options';
import { EtherType, IpProto, bytes, icmp4, ipv4, toUs, udp4 } from './build';
import type { FrameCase } from './check';
import { FAR, PEER, UDP_PORT, US } from './env';
import { pick, type CaseRow } from './mix';
import { drawAdvance } from './mutate';

const ABOVE_OPTS = ['udp/input', 'icmp/echo-in', 'ip/frag-queued', 'ip/forward'];

/** `final`: the destination a source route ends at (the UDP pseudo-header uses it, RFC 1122 §4.1.3.4). */
function withOptions(rng: Rng, options: number[], dst = US, final = dst): Uint8Array {
  const isIcmp = rng.chance(0.5);
  const payload = isIcmp ? icmp4(8, 0, rng.u32(), bytes(rng, rng.below(32))) : udp4(PEER, final, 3000 + rng.below(1000), UDP_PORT, bytes(rng, rng.below(64)));
  const proto = isIcmp ? IpProto.ICMP : IpProto.UDP;
  return toUs(EtherType.IPv4, ipv4({ src: PEER, dst, proto, payload, options: Uint8Array.from(options), id: rng.u32() & 0xffff }));
}

function addrBytes(a: number): number[] {
  return [(a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff];
}

/** An option area of at most 40 bytes, NOP-padded in front to a multiple of 4. */
function padFront(opt: number[]): number[] {
  const pad = (4 - (opt.length % 4)) % 4;
  return [...new Array<number>(pad).fill(IPOPT_NOP), ...opt];
}

function bad(rng: Rng, label: string, options: number[], dst = US): FrameCase {
  return {
    kind: 'targeted', label: `ipv4/${label}`, frame: withOptions(rng, options, dst), adv: drawAdvance(rng),
    expect: { 'ip.badoptions': 1, 'icmp.error': 1 }, notReached: ABOVE_OPTS,
  };
}

function good(rng: Rng, label: string, options: number[], dst = US, final = dst): FrameCase {
  return { kind: 'valid', label: `ipv4/${label}`, frame: withOptions(rng, options, dst, final), adv: drawAdvance(rng) };
}

export function ipOptionCases(_forwarding: boolean): CaseRow[] {
  return [
    {
      w: 2, make: (g) => {
        const type = pick(g.rng, [IPOPT_RR, IPOPT_TS, IPOPT_LSRR, 0x94, 0x44, 0x82, 25]);
        const len = pick(g.rng, [0, 1, 13, 40, 255]);
        return bad(g.rng, 'opt-bad-length', padFront([type, len, ...new Array<number>(2).fill(0)]).slice(0, 8));
      },
    },
    { w: 1, make: (g) => bad(g.rng, 'opt-no-length-byte', [IPOPT_NOP, IPOPT_NOP, IPOPT_NOP, pick(g.rng, [IPOPT_RR, IPOPT_TS, 0x94, 130])]) },
    { w: 1, make: (g) => bad(g.rng, 'rr-bad-pointer', padFront([IPOPT_RR, 11, g.rng.below(4), ...new Array<number>(8).fill(0)])) },
    { w: 1, make: (g) => bad(g.rng, 'ts-bad-pointer', padFront([IPOPT_TS, 12, g.rng.below(5), IPOPT_TS_TSONLY, ...new Array<number>(8).fill(0)])) },
    { w: 1, make: (g) => bad(g.rng, 'ts-bad-length', [IPOPT_TS, 3, 5, 0]) },
    { w: 1, make: (g) => bad(g.rng, 'ts-bad-flag', [IPOPT_TS, 12, 5, pick(g.rng, [2, 4, 5, 9, 15]), ...new Array<number>(8).fill(0)]) },
    { w: 1, make: (g) => bad(g.rng, 'ts-overflow-wraps', [IPOPT_TS, 8, 9, 0xf0 | IPOPT_TS_TSONLY, 0, 0, 0, 0]) },
    { w: 1, make: (g) => bad(g.rng, 'ssrr-not-us', padFront([IPOPT_SSRR, 7, 4, ...addrBytes(US)]), FAR) },
    // valid options: the datagram is delivered
    { w: 2, make: (g) => good(g.rng, 'rr', padFront([IPOPT_RR, 3 + 4 * (1 + g.rng.below(9)), 4, ...new Array<number>(36).fill(0)]).slice(0, 40)) },
    { w: 1, make: (g) => good(g.rng, 'rr-full', padFront([IPOPT_RR, 11, 12, ...new Array<number>(8).fill(0)])) },
    { w: 1, make: (g) => good(g.rng, 'ts', [IPOPT_TS, 36, 5, pick(g.rng, [IPOPT_TS_TSONLY, IPOPT_TS_TSANDADDR]), ...new Array<number>(32).fill(0)]) },
    { w: 1, make: (g) => good(g.rng, 'ts-prespec', [IPOPT_TS, 12, 5, IPOPT_TS_PRESPEC, ...addrBytes(US), 0, 0, 0, 0]) },
    { w: 1, make: (g) => good(g.rng, 'ts-full', [IPOPT_TS, 8, 9, 0x10 | IPOPT_TS_TSONLY, 0, 0, 0, 0]) },
    { w: 1, make: (g) => good(g.rng, 'lsrr-ends-here', padFront([IPOPT_LSRR, 7, 8, ...addrBytes(PEER)])) },
    { w: 1, make: (g) => good(g.rng, 'lsrr-through-us', padFront([IPOPT_LSRR, 7, 4, ...addrBytes(FAR)]), US, FAR) },
  ];
}
