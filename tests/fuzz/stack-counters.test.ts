/**
 * Each targeted mutation class of the stack fuzzers lands in the NetBSD counter this table names (the table
 * docs/fuzzing.md prints): the first frame of that class a seeded episode makes is fed to a stack brought to the
 * same state by the frames before it, and the counter must move by exactly what the mutation promises (one; for an
overlapping IPv6 fragment, every fragment of the datagram it discards) while no layer above takes it.
 * The table is written here independently of the generators' own labels, so a generator that mislabels its
 * mutation fails too.
 */
import { CounterVector, counterDelta } from '../../fuzz/stack/counters';
import { StackRig } from '../../fuzz/stack/env';
import { runEpisode, type StackEpisodeInput } from '../../fuzz/stack/episode';
import { STACK_SPECS } from '../../fuzz/stack';

/** [target, mutation label, counter, NetBSD function that counts it]. */
const TABLE: [string, string, string, string][] = [
  ['stack/ether-arp', 'ether-arp/runt', 'if.ierrors', 'ether_input'],
  ['stack/ether-arp', 'ether-arp/unknown-ethertype', 'if.noproto', 'ether_input'],
  ['stack/ether-arp', 'ether-arp/arp-truncated', 'arp.rcvbadlen', 'arpintr'],
  ['stack/ether-arp', 'ether-arp/arp-long-addresses', 'arp.rcvbadlen', 'arpintr'],
  ['stack/ether-arp', 'ether-arp/arp-bad-protocol', 'arp.rcvbadproto', 'arpintr'],
  ['stack/ether-arp', 'ether-arp/arp-from-our-mac', 'arp.rcvlocalsha', 'in_arpinput'],
  ['stack/ether-arp', 'ether-arp/arp-broadcast-sha', 'arp.rcvbcastsha', 'in_arpinput'],
  ['stack/ether-arp', 'ether-arp/arp-duplicate-address', 'arp.rcvlocalspa', 'in_arpinput'],
  ['stack/ether-arp', 'ether-arp/arp-zero-tpa', 'arp.rcvzerotpa', 'in_arpinput'],
  ['stack/ipv4', 'ipv4/toosmall', 'ip.toosmall', 'ip_input'],
  ['stack/ipv4', 'ipv4/badvers', 'ip.badvers', 'ip_input'],
  ['stack/ipv4', 'ipv4/badhlen-small', 'ip.badhlen', 'ip_input'],
  ['stack/ipv4', 'ipv4/badhlen-past-buffer', 'ip.badhlen', 'ip_input'],
  ['stack/ipv4', 'ipv4/badsum', 'ip.badsum', 'ip_input'],
  ['stack/ipv4', 'ipv4/badlen', 'ip.badlen', 'ip_input'],
  ['stack/ipv4', 'ipv4/tooshort', 'ip.tooshort', 'ip_input'],
  ['stack/ipv4', 'ipv4/notmember', 'ip.notmember', 'ip_input'],
  ['stack/ipv4', 'ipv4/noproto', 'ip.noproto', 'rip_input'],
  ['stack/ipv4', 'ipv4/mf-odd-length', 'ip.badfrags', 'ip_reass_packet'],
  ['stack/ipv4', 'ipv4/frag-past-65535', 'ip.toolong', 'ip_reass'],
  ['stack/ipv4', 'ipv4/duplicate-fragment', 'ip.fragdropped', 'ip_reass'],
  ['stack/ipv4', 'ipv4/reass-table-full', 'ip.fragdropped', 'ip_reass (ip_maxfragpackets)'],
  ['stack/ipv4', 'ipv4/opt-bad-length', 'ip.badoptions', 'ip_dooptions'],
  ['stack/ipv4', 'ipv4/opt-no-length-byte', 'ip.badoptions', 'ip_dooptions'],
  ['stack/ipv4', 'ipv4/rr-bad-pointer', 'ip.badoptions', 'ip_dooptions'],
  ['stack/ipv4', 'ipv4/ts-bad-pointer', 'ip.badoptions', 'ip_dooptions'],
  ['stack/ipv4', 'ipv4/ts-bad-flag', 'ip.badoptions', 'ip_dooptions'],
  ['stack/ipv4', 'ipv4/ts-overflow-wraps', 'ip.badoptions', 'ip_dooptions'],
  ['stack/ipv4', 'ipv4/ssrr-not-us', 'ip.badoptions', 'ip_dooptions'],
  ['stack/icmp-udp', 'icmp-udp/icmp-tooshort', 'icmp.tooshort', 'icmp_input'],
  ['stack/icmp-udp', 'icmp-udp/icmp-badsum', 'icmp.checksum', 'icmp_input'],
  ['stack/icmp-udp', 'icmp-udp/icmp-badcode', 'icmp.badcode', 'icmp_input'],
  ['stack/icmp-udp', 'icmp-udp/icmp-error-quoting-garbage', 'icmp.badlen', 'icmp_input'],
  ['stack/icmp-udp', 'icmp-udp/icmp-echo-to-broadcast', 'icmp.bmcastecho', 'icmp_input'],
  ['stack/icmp-udp', 'icmp-udp/udp-hdrops', 'udp.hdrops', 'udp_input'],
  ['stack/icmp-udp', 'icmp-udp/udp-length-past-payload', 'udp.badlen', 'udp_input'],
  ['stack/icmp-udp', 'icmp-udp/udp-length-below-8', 'udp.badlen', 'udp_input'],
  ['stack/icmp-udp', 'icmp-udp/udp-badsum', 'udp.badsum', 'udp_input'],
  ['stack/icmp-udp', 'icmp-udp/udp-closed-port', 'udp.noport', 'udp_input'],
  ['stack/icmp-udp', 'icmp-udp/udp-broadcast-closed-port', 'udp.noportbcast', 'udp_input'],
  ['stack/tcp', 'tcp/short-header', 'tcp.rcvshort', 'tcp_input'],
  ['stack/tcp', 'tcp/bad-offset', 'tcp.rcvbadoff', 'tcp_input'],
  ['stack/tcp', 'tcp/badsum', 'tcp.rcvbadsum', 'tcp_input'],
  ['stack/tcp', 'tcp/closed-port', 'tcp.noport', 'tcp_input'],
  ['stack/tcp', 'tcp/old-duplicate', 'tcp.rcvduppack', 'tcp_input'],
  ['stack/ipv6', 'ipv6/toosmall', 'ip6.toosmall', 'ip6_input'],
  ['stack/ipv6', 'ipv6/badvers', 'ip6.badvers', 'ip6_input'],
  ['stack/ipv6', 'ipv6/payload-past-frame', 'ip6.tooshort', 'ip6_input'],
  ['stack/ipv6', 'ipv6/hbh-not-first', 'ip6.badoptions', 'ip6_input'],
  ['stack/ipv6', 'ipv6/option-action-discard', 'ip6.badoptions', 'ip6_process_hopopts / dest6_input'],
  ['stack/ipv6', 'ipv6/long-chain', 'ip6.toomanyhdr', 'ip6_input'],
  ['stack/ipv6', 'ipv6/routing-type0', 'ip6.badoptions', 'route6_input'],
  ['stack/ipv6', 'ipv6/unknown-next-header', 'icmp6.error', 'ip6_input → icmp6_error'],
  ['stack/ipv6', 'ipv6/frag-odd-length', 'ip6.fragdropped', 'frag6_input'],
  ['stack/ipv6', 'ipv6/frag-overlap', 'ip6.fragdropped', 'frag6_input (RFC 5722)'],
  ['stack/ipv6', 'ipv6/frag-table-full', 'ip6.fragdropped', 'frag6_input (ip6_maxfrags)'],
  ['stack/ipv6', 'ipv6/icmp6-badsum', 'icmp6.checksum', 'icmp6_input'],
  ['stack/ipv6', 'ipv6/icmp6-tooshort', 'icmp6.tooshort', 'icmp6_input'],
  ['stack/ipv6', 'ipv6/nd-option-length-0', 'icmp6.nd_badopt', 'nd6_options'],
];

/** The first episode (seed 1) holding a frame labelled `label`, and that frame's index. */
function findCase(target: string, label: string): { input: StackEpisodeInput; k: number } {
  const spec = STACK_SPECS.find((s) => s.name === target)!;
  for (let e = 0; e < 120; e++) {
    const r = runEpisode(spec, 1, e, spec.episodeFrames, { record: true });
    const k = r.cases.findIndex((c) => c.label === label);
    if (k >= 0 && k < r.inputs) return { input: r.input!, k };
  }
  throw new Error(`no ${label} frame in 120 episodes of ${target}`);
}

describe('stack fuzzers: each targeted mutation lands in its NetBSD counter', () => {
  it.each(TABLE)('%s %s → %s (%s)', (target, label, counter) => {
    const { input, k } = findCase(target, label);
    const step = input.steps[k]!;
    const want = step.e?.[counter] ?? 0;
    expect(want).toBeGreaterThanOrEqual(1);
    const rig = new StackRig(input.rigSeed, input.opts);
    for (let i = 0; i < k; i++) {
      rig.advance(input.steps[i]!.a);
      rig.input(Uint8Array.from(Buffer.from(input.steps[i]!.h, 'hex')));
      rig.takeSent();
    }
    rig.advance(step.a);
    const v = new CounterVector(rig);
    const before = new Float64Array(v.size);
    const after = new Float64Array(v.size);
    v.read(before);
    rig.env.traces.length = 0;
    const pkt = rig.input(Uint8Array.from(Buffer.from(step.h, 'hex')));
    v.read(after);
    expect(counterDelta(v, before, after).get(counter)).toBe(want);
    const reached = rig.env.traces.filter((t) => t.pkt === pkt).map((t) => `${t.layer}/${t.probe}`);
    for (const layer of step.n ?? []) expect(reached).not.toContain(layer);
  });
});
