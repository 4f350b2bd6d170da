/**
 * CPU cost of protocol processing in io-pkt, charged to the thread that holds the stack context
 * (ctx.charge). Values are assumptions for a ~1 GHz x86 of the QNX 6.6 era running the NetBSD-derived
 * stack; they are meant to give latencies of the right order (a few µs per packet through the stack),
 * and to make configurations comparable, not to reproduce a particular machine. Change them here only.
 */
export const NetCost = {
  /** ether_input: header checks, demux by ethertype (ns per frame). */
  etherInput: 400,
  /** ether_output: ARP lookup hit, header prepend, if_snd enqueue (ns per frame). */
  etherOutput: 450,
  /** in_arpinput: parse, table update, maybe a reply (ns per ARP packet). */
  arpInput: 700,
  /** arprequest / arp reply construction (ns). */
  arpOutput: 500,
  /** ip_input: header validation, address match, protocol demux (ns per datagram, checksum extra). */
  ipInput: 900,
  /** ip_output: route lookup, header build (ns per datagram, checksum extra). */
  ipOutput: 1000,
  /** ip_forward on top of ip_input + ip_output (ns). */
  ipForward: 600,
  /**
   * ipflow (ip_flow.c). Against the slow path's ip_input + ip_forward (900 + 600 ns), ipflow_fastforward is short
   * straight-line code: version/length checks, ipflow_hash (6 shift-and-add rounds), a bucket walk of one or two
   * entries comparing three fields, then on a hit the RTF_UP/IFF_UP/gateway-route/ARP checks, the RFC 1141
   * incremental checksum update and two counters — a few hundred instructions, ~150 ns each half at ~1 GHz.
   * `ipflowLookup` is paid whenever the lookup runs (hit or miss; a miss adds it to the slow path),
   * `ipflowForward` on a hit (ether_input's share and ether_output are charged as etherInput/etherOutput).
   */
  ipflowLookup: 150,
  ipflowForward: 150,
  /** ipflow_create in the stack context: lookup in the stack's table, pool_get, route references, insertion (ns). */
  ipflowCreate: 500,
  /** One flow moved through a thread's pass queue (mutex, list unlink and insert) (ns per entry). */
  ipflowQueue: 60,
  /** ipflow_slowtimo: per flow walked (expiry test, counters folded into ipstat) (ns). */
  ipflowSlowtimo: 40,
  /** ip_reass: find the queue, trim overlaps, insert one fragment (ns per fragment, copies extra). */
  ipReass: 500,
  /** ip_fragment: build one fragment's header (ns per fragment, copies and header checksums extra). */
  ipFragment: 300,
  /** igmp_input / igmp_sendpkt: one IGMP message in or out (ns, checksum extra). */
  igmp: 600,
  /** mld_input / mld_sendpkt: one MLD message in or out (ns, checksum extra). */
  mld: 600,
  /** ip6_input: header checks, destination match, extension-header walk, demux (ns per packet). */
  ip6Input: 1000,
  /** ip6_output: route and source selection, header build (ns per packet). */
  ip6Output: 1100,
  /** nd6_ns_output / nd6_na_output / RS / RA construction (ns per message, checksum extra). */
  nd6Output: 600,
  /** icmp_input + icmp_reflect (ns, checksum extra). */
  icmp: 700,
  /** udp_input / udp_output: pcb lookup, header (ns, checksum extra). */
  udp: 800,
  /** tcp_input: PCB lookup, sequence/window checks, ACK and data processing (ns per segment, checksum extra). */
  tcpInput: 1500,
  /** tcp_output: send decision, header and options, timers (ns per segment, checksum and copy extra). */
  tcpOutput: 1200,
  /** tcp_sack_option: sort a SACK option's blocks and walk the scoreboard's holes (ns per option received). */
  tcpSackOption: 250,
  /** rip_input per raw socket matched (ns). */
  rawDeliver: 300,
  /** sbappendaddr: queue a record on a socket (ns). */
  socketEnqueue: 350,
  /** sowakeup: wake a reader blocked in the resource manager (MsgReply of a pending _IO_READ) (ns). */
  socketWakeup: 1500,
  /** Handling one resource-manager message in the stack (decode, OCB lookup), excluding copies (ns). */
  resmgrMessage: 1200,
  /** Copying data between mbufs and client buffers (ns per byte, ~2 GB/s). */
  copyPerByte: 0.5,
  /** Internet checksum over data (ns per byte). */
  checksumPerByte: 0.6,
} as const;

/** Cost of touching `bytes` bytes at `perByte` ns each, as a whole number of ns. */
export function bytesCost(bytes: number, perByte: number): number {
  return Math.ceil(bytes * perByte);
}
