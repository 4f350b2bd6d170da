/**
 * `stack/ether-arp`: Ethernet input (net/if_ethersubr.c ether_input) and ARP (netinet/if_arp.c arpintr,
 * in_arpinput): runts, ethertypes nobody handles, ARP with a bad length, protocol, hardware type, address lengths
 * or operation, ARP from our own link address, from a broadcast link address, claiming our IP address
 * (duplicate), with zero sender or target addresses, gratuitous ARP; valid requests and replies keep the cache
 * and its held packets moving (echo requests from hosts we must resolve before answering).
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { ARP_LEN, ArpOp } from '../../stack/net/wire/arp';
import { ETHER_BROADCAST } from '../../stack/net/wire/addr';
import { EtherType, IpProto, arp, bytes, ether, icmp4, ipv4, type ArpSpec } from './build';
import type { FrameCase } from './check';
import { PEER, PEER_MAC, US, US_MAC, type StackRig } from './env';
import type { StackTargetSpec } from './episode';
import { pick, weighted, type CaseRow } from './mix';
import { drawAdvance, randomCase } from './mutate';

const BROADCAST = ETHER_BROADCAST as Uint8Array;
const NOT_ARP = ['arp/resolved', 'arp/reply'];
const NOT_IP = ['ip/input', 'arp/resolved', 'arp/reply'];

/** A neighbour on our /24 (10.77.0.10..199) with its own MAC. */
function host(rng: Rng): { ip: number; mac: Uint8Array } {
  const n = 10 + rng.below(190);
  return { ip: (PEER & 0xffffff00) | n, mac: Uint8Array.of(0x02, 0x00, 0x5e, 0x10, 0x00, n) };
}

function arpFrame(r: ArpSpec, dst = BROADCAST, src = r.sha): Uint8Array {
  return ether(dst, src, EtherType.ARP, arp(r));
}

function validArp(rng: Rng): Uint8Array {
  const h = rng.chance(0.5) ? { ip: PEER, mac: PEER_MAC } : host(rng);
  return rng.chance(0.5)
    ? arpFrame({ op: ArpOp.Request, sha: h.mac, spa: h.ip, tha: new Uint8Array(6), tpa: US })
    : arpFrame({ op: ArpOp.Reply, sha: h.mac, spa: h.ip, tha: US_MAC, tpa: US }, US_MAC);
}

function targeted(label: string, frame: Uint8Array, expect: Record<string, number>, notReached: readonly string[], rng: Rng): FrameCase {
  return { kind: 'targeted', label: `ether-arp/${label}`, frame, adv: drawAdvance(rng), expect, notReached };
}

/** Rewrite one ARP header field of a valid request (byte offsets of RFC 826's packet after the Ethernet header). */
function arpEdit(rng: Rng, f: (a: Uint8Array, dv: DataView) => void): Uint8Array {
  const fr = validArp(rng);
  const a = fr.subarray(14);
  f(a, new DataView(a.buffer, a.byteOffset, a.byteLength));
  return fr;
}

export function makeEtherArpGen(_rig: StackRig, _rng: Rng) {
  const rows: CaseRow[] = [
    // --- valid ---
    { w: 6, make: (g) => ({ kind: 'valid', label: 'ether-arp/arp', frame: validArp(g.rng), adv: drawAdvance(g.rng) }) },
    {
      w: 6, make: (g) => {
        // An echo request from a neighbour we have no entry for: our reply waits on ARP (la_hold).
        const h = host(g.rng);
        const pkt = ipv4({ src: h.ip, dst: US, proto: IpProto.ICMP, payload: icmp4(8, 0, g.rng.u32(), bytes(g.rng, g.rng.below(32))), id: g.rng.u32() & 0xffff });
        return { kind: 'valid', label: 'ether-arp/echo-from-neighbour', frame: ether(US_MAC, h.mac, EtherType.IPv4, pkt), adv: drawAdvance(g.rng) };
      },
    },
    {
      w: 2, make: (g) => {
        const h = g.rng.chance(0.5) ? { ip: PEER, mac: PEER_MAC } : host(g.rng);
        return { kind: 'valid', label: 'ether-arp/gratuitous', frame: arpFrame({ op: pick(g.rng, [ArpOp.Request, ArpOp.Reply]), sha: h.mac, spa: h.ip, tha: new Uint8Array(6), tpa: h.ip }), adv: drawAdvance(g.rng) };
      },
    },
    // --- targeted: ether_input ---
    { w: 2, make: (g) => targeted('runt', bytes(g.rng, g.rng.below(14)), { 'if.ierrors': 1 }, NOT_IP, g.rng) },
    {
      w: 2, make: (g) => {
        const type = pick(g.rng, [0x88b5, 0x9000, 0x0842, 0x8035, 0x88cc, 0x0600, 0x05dc, 0xffff, 0x86dd]);
        return targeted('unknown-ethertype', ether(US_MAC, PEER_MAC, type, bytes(g.rng, 46)), { 'if.noproto': 1 }, NOT_IP, g.rng);
      },
    },
    // --- targeted: arpintr ---
    { w: 2, make: (g) => targeted('arp-truncated', validArp(g.rng).subarray(0, 14 + g.rng.below(ARP_LEN)), { 'arp.rcvbadlen': 1 }, NOT_ARP, g.rng) },
    {
      w: 1, make: (g) => targeted('arp-long-addresses', arpEdit(g.rng, (a) => { a[4] = 6 + 1 + g.rng.below(200); }), { 'arp.rcvbadlen': 1 }, NOT_ARP, g.rng),
    },
    {
      w: 2, make: (g) => targeted('arp-bad-protocol', arpEdit(g.rng, (_a, dv) => { dv.setUint16(2, pick(g.rng, [0x86dd, 0x0806, 0x0000, 0x1234])); }), { 'arp.rcvbadproto': 1 }, NOT_ARP, g.rng),
    },
    {
      w: 1, make: (g) => targeted('arp-bad-hrd', arpEdit(g.rng, (_a, dv) => { dv.setUint16(0, pick(g.rng, [0, 6, 24, 0xffff])); }), { 'arp.rcvbadproto': 1 }, NOT_ARP, g.rng),
    },
    {
      w: 1, make: (g) => targeted('arp-short-hln-pln', arpEdit(g.rng, (a) => { a[4] = g.rng.below(6); a[5] = g.rng.below(4); }), { 'arp.rcvbadproto': 1 }, NOT_ARP, g.rng),
    },
    {
      w: 1, make: (g) => targeted('arp-bad-op', arpEdit(g.rng, (_a, dv) => { dv.setUint16(6, pick(g.rng, [0, 3, 4, 8, 9, 0xffff])); }), { 'arp.rcvbadproto': 1 }, NOT_ARP, g.rng),
    },
    // --- targeted: in_arpinput ---
    {
      w: 2, make: (g) => targeted('arp-from-our-mac', arpFrame({ op: ArpOp.Request, sha: US_MAC, spa: host(g.rng).ip, tha: new Uint8Array(6), tpa: US }, BROADCAST, PEER_MAC), { 'arp.rcvlocalsha': 1 }, NOT_ARP, g.rng),
    },
    {
      w: 1, make: (g) => targeted('arp-broadcast-sha', arpFrame({ op: ArpOp.Reply, sha: BROADCAST, spa: PEER, tha: US_MAC, tpa: US }, US_MAC, PEER_MAC), { 'arp.rcvbcastsha': 1 }, NOT_ARP, g.rng),
    },
    {
      w: 2, make: (g) => {
        const h = host(g.rng);
        const op = pick(g.rng, [ArpOp.Request, ArpOp.Reply]);
        // Another station claims our address: logged, counted, and a request is answered with our own claim.
        return targeted('arp-duplicate-address', arpFrame({ op, sha: h.mac, spa: US, tha: new Uint8Array(6), tpa: g.rng.chance(0.5) ? US : PEER }), { 'arp.rcvlocalspa': 1, 'arp.sndreply': op === ArpOp.Request ? 1 : 0 }, ['arp/resolved'], g.rng);
      },
    },
    {
      w: 1, make: (g) => targeted('arp-zero-tpa', arpFrame({ op: ArpOp.Request, sha: host(g.rng).mac, spa: host(g.rng).ip, tha: new Uint8Array(6), tpa: 0 }), { 'arp.rcvzerotpa': 1 }, ['arp/reply'], g.rng),
    },
    {
      w: 1, make: (g) => targeted('arp-zero-spa', arpFrame({ op: ArpOp.Reply, sha: host(g.rng).mac, spa: 0, tha: US_MAC, tpa: US }, US_MAC), { 'arp.rcvzerospa': 1 }, ['arp/resolved'], g.rng),
    },
    // --- random mutations ---
    { w: 10, make: (g) => randomCase(g.rng, 'ether-arp', validArp(g.rng), drawAdvance(g.rng), 28) },
    { w: 2, make: (g) => randomCase(g.rng, 'ether', ether(pick(g.rng, [US_MAC, BROADCAST]), PEER_MAC, EtherType.IPv4, ipv4({ src: PEER, dst: US, proto: IpProto.ICMP, payload: icmp4(8, 0, 1, new Uint8Array(8)) })), drawAdvance(g.rng), 14) },
  ];
  return weighted(rows);
}

export const etherArpSpec: StackTargetSpec = {
  name: 'stack/ether-arp',
  description: 'runts, unknown ethertypes and malformed ARP into ether_input/arpintr/in_arpinput; each drop in its ifnet/arpstat counter',
  defaultInputs: 200_000,
  quickInputs: 2_000,
  episodeFrames: 300,
  rig: () => ({}),
  makeGen: makeEtherArpGen,
};
