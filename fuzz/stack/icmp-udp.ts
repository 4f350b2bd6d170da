/**
 * `stack/icmp-udp`: ICMP (netinet/ip_icmp.c icmp_input) and UDP (netinet/udp_usrreq.c udp_input): ICMP messages
 * too short, with bad checksums, bad codes, errors quoting garbage, echo to a broadcast; UDP datagrams shorter
 * than a header, with a length past the IP payload or below 8, bad checksums, checksum 0 (none: accepted), to a
 * closed port (port unreachable back) and to a broadcast address nobody listens on.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { EtherType, IpProto, bytes, icmp4, ipv4, toUs, udp4 } from './build';
import type { FrameCase } from './check';
import { BCAST, PEER, PEER_TCP_PORT, UDP_PORT, US, type StackRig } from './env';
import type { StackTargetSpec } from './episode';
import { pick, weighted, type CaseRow } from './mix';
import { drawAdvance, randomCase } from './mutate';

const BCAST_MAC = Uint8Array.of(255, 255, 255, 255, 255, 255);

function frame(proto: number, payload: Uint8Array, dst = US, mac?: Uint8Array): Uint8Array {
  return toUs(EtherType.IPv4, ipv4({ src: PEER, dst, proto, payload }), mac);
}

function targeted(label: string, f: Uint8Array, expect: Record<string, number>, notReached: readonly string[], rng: Rng): FrameCase {
  return { kind: 'targeted', label: `icmp-udp/${label}`, frame: f, adv: drawAdvance(rng), expect, notReached };
}

/** An IPv4 header + 8 bytes as an ICMP error quotes it: a datagram we sent (UDP or TCP from our ports). */
function quote(rng: Rng, proto = pick(rng, [IpProto.UDP, IpProto.TCP])): Uint8Array {
  const l4 = new Uint8Array(8);
  const dv = new DataView(l4.buffer);
  dv.setUint16(0, proto === IpProto.TCP ? 49152 + rng.below(100) : UDP_PORT);
  dv.setUint16(2, proto === IpProto.TCP ? PEER_TCP_PORT : 1024 + rng.below(1000));
  dv.setUint32(4, rng.u32());
  return ipv4({ src: US, dst: PEER, proto, payload: l4 }).subarray(0, 28);
}

function udpData(rng: Rng, dport = UDP_PORT, dst = US): Uint8Array {
  return udp4(PEER, dst, 1024 + rng.below(60000), dport, bytes(rng, rng.below(200)));
}

export function makeIcmpUdpGen(_rig: StackRig, _rng: Rng) {
  const rows: CaseRow[] = [
    // --- valid ---
    { w: 6, make: (g) => ({ kind: 'valid', label: 'icmp-udp/echo', frame: frame(IpProto.ICMP, icmp4(8, 0, g.rng.u32(), bytes(g.rng, g.rng.below(100)))), adv: drawAdvance(g.rng) }) },
    { w: 6, make: (g) => ({ kind: 'valid', label: 'icmp-udp/udp', frame: frame(IpProto.UDP, udpData(g.rng)), adv: drawAdvance(g.rng) }) },
    {
      w: 2, make: (g) => {
        const u = udpData(g.rng);
        u[6] = 0;
        u[7] = 0; // no checksum (RFC 768): accepted
        return { kind: 'valid', label: 'icmp-udp/udp-nosum', frame: frame(IpProto.UDP, u), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: 3, make: (g) => {
        // An ICMP error about one of our datagrams (tcp/udp ctlinput): unreachable, time exceeded, parameter problem.
        const [type, code] = pick(g.rng, [[3, 0], [3, 1], [3, 3], [3, 4], [3, 13], [11, 0], [11, 1], [12, 0], [4, 0]] as const);
        return { kind: 'valid', label: `icmp-udp/error-${type}-${code}`, frame: frame(IpProto.ICMP, icmp4(type, code, type === 3 && code === 4 ? 576 + g.rng.below(900) : 0, quote(g.rng))), adv: drawAdvance(g.rng) };
      },
    },
    { w: 1, make: (g) => ({ kind: 'valid', label: 'icmp-udp/other-type', frame: frame(IpProto.ICMP, icmp4(pick(g.rng, [0, 13, 14, 15, 16, 17, 18, 9, 10]), 0, g.rng.u32(), bytes(g.rng, g.rng.below(20)))), adv: drawAdvance(g.rng) }) },
    // --- targeted: icmp_input ---
    { w: 2, make: (g) => targeted('icmp-tooshort', frame(IpProto.ICMP, bytes(g.rng, g.rng.below(8))), { 'icmp.tooshort': 1 }, ['icmp/echo-in'], g.rng) },
    {
      w: 3, make: (g) => {
        const m = icmp4(8, 0, g.rng.u32(), bytes(g.rng, g.rng.below(64)));
        m[2] = m[2]! ^ (1 + g.rng.below(255));
        return targeted('icmp-badsum', frame(IpProto.ICMP, m), { 'icmp.checksum': 1 }, ['icmp/echo-in'], g.rng);
      },
    },
    {
      w: 2, make: (g) => {
        // icmp_input's code checks: unreachable above ICMP_UNREACH_PRECEDENCE_CUTOFF (15), time exceeded and
        // parameter problem above 1, source quench not 0 → badcode (the message still goes to raw sockets).
        const [type, code] = pick(g.rng, [[3, 16 + g.rng.below(240)], [11, 2 + g.rng.below(254)], [12, 2 + g.rng.below(254)], [4, 1 + g.rng.below(255)]] as const);
        return targeted('icmp-badcode', frame(IpProto.ICMP, icmp4(type, code, 0, quote(g.rng))), { 'icmp.badcode': 1 }, [], g.rng);
      },
    },
    {
      w: 2, make: (g) => {
        // An error whose quote is shorter than ICMP_ADVLENMIN (an IP header and 8 bytes), or has a bad header length.
        const q = quote(g.rng);
        const body = g.rng.chance(0.5) ? q.subarray(0, g.rng.below(28)) : Uint8Array.from(q, (b, i) => (i === 0 ? 0x40 | g.rng.below(5) : b));
        return targeted('icmp-error-quoting-garbage', frame(IpProto.ICMP, icmp4(pick(g.rng, [3, 11, 12]), 0, 0, body)), { 'icmp.badlen': 1 }, [], g.rng);
      },
    },
    { w: 2, make: (g) => targeted('icmp-echo-to-broadcast', frame(IpProto.ICMP, icmp4(8, 0, g.rng.u32(), bytes(g.rng, 8)), BCAST, BCAST_MAC), { 'icmp.bmcastecho': 1, 'icmp.reflect': 0 }, [], g.rng) },
    // --- targeted: udp_input ---
    { w: 2, make: (g) => targeted('udp-hdrops', frame(IpProto.UDP, bytes(g.rng, g.rng.below(8))), { 'udp.hdrops': 1 }, ['udp/input'], g.rng) },
    {
      w: 2, make: (g) => {
        const u = udpData(g.rng);
        new DataView(u.buffer).setUint16(4, u.length + 1 + g.rng.below(1000));
        return targeted('udp-length-past-payload', frame(IpProto.UDP, u), { 'udp.badlen': 1 }, ['udp/input'], g.rng);
      },
    },
    {
      w: 1, make: (g) => {
        const u = udpData(g.rng);
        new DataView(u.buffer).setUint16(4, g.rng.below(8));
        return targeted('udp-length-below-8', frame(IpProto.UDP, u), { 'udp.badlen': 1 }, ['udp/input'], g.rng);
      },
    },
    {
      w: 3, make: (g) => {
        const u = udpData(g.rng);
        u[7] = u[7]! ^ (1 + g.rng.below(255));
        if (u[6] === 0 && u[7] === 0) u[7] = 1;
        return targeted('udp-badsum', frame(IpProto.UDP, u), { 'udp.badsum': 1 }, ['udp/input'], g.rng);
      },
    },
    { w: 2, make: (g) => targeted('udp-closed-port', frame(IpProto.UDP, udpData(g.rng, 9 + g.rng.below(5))), { 'udp.noport': 1, 'icmp.error': 1 }, [], g.rng) },
    { w: 1, make: (g) => targeted('udp-broadcast-closed-port', frame(IpProto.UDP, udpData(g.rng, 9 + g.rng.below(5), BCAST), BCAST, BCAST_MAC), { 'udp.noportbcast': 1, 'udp.noport': 0, 'icmp.error': 0 }, [], g.rng) },
    { w: 1, make: (g) => ({ kind: 'valid', label: 'icmp-udp/udp-broadcast', frame: frame(IpProto.UDP, udpData(g.rng, UDP_PORT, BCAST), BCAST, BCAST_MAC), adv: drawAdvance(g.rng) }) },
    // --- random ---
    { w: 6, make: (g) => randomCase(g.rng, 'icmp', frame(IpProto.ICMP, g.rng.chance(0.5) ? icmp4(8, 0, g.rng.u32(), bytes(g.rng, 16)) : icmp4(3, 3, 0, quote(g.rng))), drawAdvance(g.rng)) },
    { w: 6, make: (g) => randomCase(g.rng, 'udp', frame(IpProto.UDP, udpData(g.rng)), drawAdvance(g.rng)) },
  ];
  return weighted(rows);
}

export const icmpUdpSpec: StackTargetSpec = {
  name: 'stack/icmp-udp',
  description: 'malformed ICMP and UDP into icmp_input/udp_input (lengths, checksums, codes, quoted garbage, closed ports, broadcasts)',
  defaultInputs: 200_000,
  quickInputs: 2_000,
  episodeFrames: 300,
  rig: () => ({}),
  makeGen: makeIcmpUdpGen,
};
