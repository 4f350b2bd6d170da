/**
 * `show sockets|arp|ifnet|threads <node>`: the state of a node's io-pkt, read directly from the stack's structures
 * (socket buffers with their queued datagrams and packet ids, the ARP cache with held packets, interfaces
 * with flags, addresses, send queues, if_data and the driver's counters; io-pkt's threads with what each did on
 * the layer-2 fast path and in the stack context).
 */
import type { SimNode } from '../assembly/node';
import { IFF_ALLMULTI, IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, IFF_OACTIVE, IFF_PROMISC, IFF_RUNNING, IFF_SIMPLEX, IFF_UP } from '../../../stack/net/if';
import { ipToString, macToString, prefixFromMask } from '../../../stack/net/wire/addr';
import { sockaddrToString } from '../../../stack/include/netinet/in';
import { stacksOf, type StackRef } from './targets';

const TYPES: Record<number, string> = { 1: 'stream', 2: 'dgram', 3: 'raw' };
const DOMAINS: Record<number, string> = { 1: 'unix', 2: 'inet', 17: 'route', 24: 'inet6' };
const PROTOS: Record<number, string> = { 0: 'ip', 1: 'icmp', 17: 'udp', 255: 'raw' };

function withStacks(node: SimNode, what: string, fn: (s: StackRef, out: string[]) => void): string[] {
  const stacks = stacksOf(node);
  if (stacks.length === 0) return [`${node.name}: no io-pkt is running${node.kernel ? '' : ' (the node has not booted yet)'}, so no ${what}`];
  const out: string[] = [];
  for (const s of stacks) {
    if (stacks.length > 1) out.push(`${s.name} (pid ${s.pid}):`);
    fn(s, out);
  }
  return out;
}

export function showSockets(node: SimNode): string[] {
  return withStacks(node, 'sockets', (s, out) => {
    const list = s.stack.sockets.list.filter((so) => !so.closed);
    out.push(`${node.name}: ${list.length} open socket(s)${s.stack.sockets.list.length > list.length ? `, ${s.stack.sockets.list.length - list.length} closed` : ''}`);
    for (const so of list) {
      const local = `${ipToString(so.laddr)}.${so.lport || '*'}`;
      const foreign = so.faddr ? `${ipToString(so.faddr)}.${so.fport}` : '*.*';
      const kind = `${DOMAINS[so.domain] ?? so.domain}/${TYPES[so.type] ?? so.type}/${PROTOS[so.protocol] ?? so.protocol}`;
      const rcv = so.rcv;
      const flags = [so.error ? `so_error=${so.error}` : '', so.cantRcvMore ? 'cantrcvmore' : '', so.waiters.length ? `${so.waiters.length} reader(s) blocked` : ''].filter(Boolean).join(' ');
      out.push(`  so ${so.id} ${kind} local ${local} foreign ${foreign} rcvbuf ${rcv.cc}/${rcv.hiwat} bytes in ${rcv.records.length} record(s)${rcv.drops ? `, ${rcv.drops} dropped` : ''} sndbuf ${so.sndHiwat}${flags ? ' ' + flags : ''}`);
      for (const rec of rcv.records.slice(0, 8)) {
        out.push(`    record: ${rec.data.length} bytes from ${sockaddrToString(rec.from)}${rec.pktId ? ` pkt ${rec.pktId}` : ''}`);
      }
      if (rcv.records.length > 8) out.push(`    … ${rcv.records.length - 8} more`);
    }
  });
}

export function showArp(node: SimNode): string[] {
  return withStacks(node, 'ARP cache', (s, out) => {
    const arp = s.stack.arp;
    out.push(`${node.name}: ARP cache, ${arp.table.size} entr${arp.table.size === 1 ? 'y' : 'ies'}`);
    for (const e of arp.table.values()) {
      const state = arp.state(e);
      const mac = e.mac ? macToString(e.mac) : '(incomplete)';
      const extra = [
        state === 'resolved' ? `expires at ${e.expire}s uptime` : '',
        e.asked ? `asked ${e.asked}x` : '',
        e.hold ? `holding pkt ${e.hold.pktId} (${e.hold.data.length} bytes)` : '',
        `used ${e.use}x`,
      ].filter(Boolean);
      out.push(`  ${ipToString(e.ip).padEnd(15)} ${mac.padEnd(17)} ${e.ifp.name.padEnd(5)} ${state.padEnd(10)} ${extra.join(', ')}`);
    }
  });
}

const FLAG_NAMES: [number, string][] = [
  [IFF_UP, 'UP'], [IFF_BROADCAST, 'BROADCAST'], [IFF_LOOPBACK, 'LOOPBACK'], [IFF_RUNNING, 'RUNNING'], [IFF_PROMISC, 'PROMISC'],
  [IFF_ALLMULTI, 'ALLMULTI'], [IFF_OACTIVE, 'OACTIVE'], [IFF_SIMPLEX, 'SIMPLEX'], [IFF_MULTICAST, 'MULTICAST'],
];

export function showIfnet(node: SimNode): string[] {
  return withStacks(node, 'interfaces', (s, out) => {
    for (const ifp of s.stack.ifs.list) {
      const st = s.stack.ifs.st(ifp);
      const flags = FLAG_NAMES.filter(([b]) => (ifp.flags & b) !== 0).map(([, n]) => n).join(',');
      out.push(`${ifp.name}: index ${st.index} ${st.type} driver ${ifp.driver} flags=${ifp.flags.toString(16)}<${flags}> mtu ${ifp.mtu}`);
      if (st.type === 'ether') out.push(`  address ${macToString(ifp.lladdr)}, media ${ifp.media.subtype} ${ifp.media.fullDuplex ? 'full' : 'half'}-duplex, link ${ifp.media.linkUp ? 'up' : 'down'}`);
      for (const a of st.addrs) out.push(`  inet ${ipToString(a.addr)}/${prefixFromMask(a.mask) ?? ipToString(a.mask)} broadcast ${ipToString(a.broadcast)}`);
      const d = ifp.data;
      out.push(`  send queue ${ifp.snd.length}/${ifp.sndMax}${st.sndDrops ? ` (${st.sndDrops} dropped)` : ''}${ifp.snd.length ? ': pkt ' + ifp.snd.map((m) => m.pktId).join(', ') : ''}`);
      out.push(`  if_data: ipackets ${d.ipackets} ierrors ${d.ierrors} opackets ${d.opackets} oerrors ${d.oerrors} collisions ${d.collisions} ibytes ${d.ibytes} obytes ${d.obytes} imcasts ${d.imcasts} omcasts ${d.omcasts} iqdrops ${d.iqdrops} noproto ${d.noproto}`);
      if (st.type !== 'ether') continue;
      try {
        const n = ifp.ops.stats(ifp);
        const nz = Object.entries(n).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
        out.push(`  driver stats: ${nz.length ? nz.join(', ') : 'all zero'}`);
      } catch (e) {
        out.push(`  driver stats: unavailable (${(e as Error).message})`);
      }
    }
  });
}

/**
 * `show threads <node>`: each io-pkt thread (docs/forwarding.md "Traces"): interrupt entries serviced, frames the
 * fast path consumed without the stack context, frames queued for it, driver starts without it, stack-context
 * takes (and how many came right after an interrupt, with no POKE), `[stack]` on the holder.
 */
export function showThreads(node: SimNode): string[] {
  return withStacks(node, 'threads', (s, out) => {
    out.push(...s.proc.threadSummary());
    out.push(`  POKE pulses ${s.proc.pokes}`);
  });
}
