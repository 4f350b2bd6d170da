/**
 * CPU cost of if_bridge (NetBSD if_bridge.c as io-pkt's hc stacks carry it), charged through NetEnv.charge on
 * the thread doing the work: the receiving thread without the stack context for bridge_input/forward/broadcast/
 * enqueue, the stack context for bridge_rtupdate (bridgeintrq), bridge_output and the aging walk. Same machine
 * assumptions as stack/net/costs.ts (a ~1 GHz x86 of the QNX 6.6 era); each figure is derived from a NetCost
 * neighbour doing comparable work, so bridged and routed paths stay comparable.
 */
import { NetCost } from '../costs';

export const BridgeCost = {
  /**
   * bridge_input: the member lookup in the thread's private list, the bridge's RUNNING check, the header reads
   * and, for unicast, the "is it one of our members' addresses" walk. ether_input's 400 ns without the ethertype
   * demultiplexing (≈ 50 ns): 350 ns.
   */
  input: NetCost.etherInput - 50,
  /**
   * bridge_rtlookup_self: the Jenkins hash of 6 bytes (≈ 30 ALU operations, 30 ns), one bucket walk with memcmp
   * (≈ 50 ns) and BRIDGE_SELF_ENTER/EXIT (≈ 40 ns): 120 ns.
   */
  rtlookup: 120,
  /**
   * bridge_rtupdate_self in a receiving thread: the lookup (120 ns) plus, when the entry is new or stale, an mbuf
   * for the request, the pkt_ex lock and the bridgeintrq enqueue (≈ 180 ns): charged as 120 + 180 = 300 ns.
   */
  rtupdateQueue: 300,
  /**
   * bridge_rtupdate in the stack context (bridge_intr_input): lookup, pool_get, sorted hash insert and the
   * per-thread create queues (bridge_rtnode_insert): an ARP table update's 700 ns minus its parse (≈ 300 ns).
   */
  rtupdate: NetCost.arpInput - 300,
  /**
   * bridge_enqueue per destination: clear csum flags, IFQ_ENQUEUE under if_snd_ex, counters. ether_output's
   * 450 ns without the ARP lookup and header prepend (≈ 150 ns): 300 ns.
   */
  enqueue: NetCost.etherOutput - 150,
  /** m_copym for each extra flood destination: a header mbuf sharing the cluster (reference count), ≈ 150 ns. */
  copym: 150,
  /** m_dup of a broadcast/multicast for the forwarding copy: 150 ns + the bytes at NetCost.copyPerByte. */
  dupBase: 150,
  /**
   * One BPDU built and sent, or parsed and run through the 802.1D comparisons (bstp_input, bstp_transmit_config):
   * an ARP reply's construction, 500 ns.
   */
  bpdu: NetCost.arpOutput,
  /** bridge_rtage per node walked (flag test, expiry compare, maybe pool_put): ≈ 20 ns. */
  agePerNode: 20,
} as const;
