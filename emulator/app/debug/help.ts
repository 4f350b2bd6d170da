/** The debugger's command reference (`help`); docs/debugger.md says the same at more length. */
export const HELP: [string, string][] = [
  ['break probe <layer>/<probe> [on <node>] [if <filter>]', 'stop when a trace probe fires (layer or probe may be *), e.g. break probe nic/rx-accept if icmp and host 10.0.0.2'],
  ['break reg <node>.<nic>.<REG> [read|write]', "stop on a NIC register access (nic0… or the interface name, en0…; REG: a datasheet name of that model's registers); turns on register tracing"],
  ['break irq <node> <n>', 'stop when interrupt line n is raised at the node\'s interrupt controller'],
  ['break time <t>', 'stop before the first event at or after virtual time t (1.5s, 250ms, 1.107849125)'],
  ['delete <n>|all', 'remove breakpoint n (or all)'],
  ['info breaks', 'list breakpoints with their hit counts'],
  ['continue', 'run to the next breakpoint or the end of the run (c)'],
  ['step [n]', 'run one event (or n), listing the records it emitted (s)'],
  ['next', 'go to the current packet\'s next hop: the next trace record with its packet id (n)'],
  ['until <t>', 'run every event up to virtual time t (or to a breakpoint)'],
  ['back [n]', 'step back n events (default 1): the run is rebuilt and replayed to that point'],
  ['restart', 'go back to power-on'],
  ['path [pkt]', 'the packet\'s whole path: every hop with its time, per-hop latency and total'],
  ['where', 'show where the session is stopped'],
  ['history [n]', 'the last n packet records up to the cursor (Packet Tracer\'s event list)'],
  ['drops [so-far]', 'frames that did not reach their destination, grouped by cause, each with why (the whole run with the lookahead; so-far: up to the cursor)'],
  ['show nic <node>.<nic>', "the NIC model's view of itself: registers by page or block with datasheet names, rings (frames not yet taken by the driver), engines, counters"],
  ['show pic <node> | show ioapic <node> | show board <node>', 'interrupt controllers and the board map'],
  ['show sockets <node> | show arp <node> | show ifnet <node> | show threads <node> | show procs <node>', 'io-pkt and kernel state'],
  ['show nodes', 'each node running, crashed, hung or powered off (faults)'],
  ['show events [n]', 'pending events in firing order, with their times'],
  ['show packet [pkt]', 'decoded summary and hex dump of the packet\'s frame'],
  ['set console on|off', 'print node console output while running (default on)'],
  ['help', 'this list'],
  ['quit', 'leave (q)'],
];

export const FILTER_HELP = [
  'filters (tcpdump syntax subset): icmp, icmp echo-request, icmp echo-reply, arp, udp, ip, tcp, ip6, icmp6,',
  '  icmp6 neighbor-solicitation, broadcast, [src|dst] host A (IPv4 or IPv6: host fe80::1), ether [src|dst] host MAC,',
  '  [tcp|udp] [src|dst] port N, pkt N, len > N, icmp[icmptype] == icmp-echo, ip[8] < 5, tcp[13] & 2 != 0,',
  '  tcp[tcpflags] & tcp-syn != 0, combined with and/or/not (&&, ||, !) and parentheses',
];

export function helpText(): string[] {
  const w = Math.max(...HELP.map(([c]) => c.length));
  return ['commands:', ...HELP.map(([c, d]) => `  ${c.padEnd(w)}  ${d}`), ...FILTER_HELP];
}
