/**
 * lsm-qnet.so, QNX's native network (Transparent Distributed Processing) as an io-pkt protocol module
 * (lsm-qnet.so utility page; Core Networking "TDP"; docs/design/qnet-behaviour.md §1.1–1.4, §3):
 * `io-pkt-v4 -dne2000 -pqnet[,options]` or `mount -Tio-pkt [-o options] lsm-qnet.so`.
 *
 * At init: parse the options (options.ts; any problem: one line per problem on the console and in slog, EINVAL);
 * one Qnet per node (a second load, in this io-pkt or another: EEXIST — the kernel's register() answers for the
 * node); name the node (host_name= or _CS_HOSTNAME — still "localhost": a name made of the first link's MAC —
 * and domain= or _CS_DOMAIN or ''); bind the links (bind= or every Ethernet interface, also ones attached later;
 * Qnet brings them up — starting Qnet needs no ifconfig [inferred from "Starting Qnet"]); hook EtherType 0x8204
 * (LR frames to the resolver, the rest to the transport); register with the kernel as its network manager
 * (KIF ops are drained in the stack context when the kernel pulses io-pkt with PULSE_NETMGR); attach /net and
 * /proc/qnetstats; advertise on every link (auto_add); start Qnet's tick (periodic_ticks), which drives the
 * transport, the resolver and link discovery. A protocol module cannot be unmounted (S4).
 */
import { Errno, type Co, type ThreadCtx } from '../kernel/api';
import type { KernelKif, KifOp } from '../kernel/kif';
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../net/if';
import type { NetStack } from '../net/stack';
import { macToString } from '../net/wire/addr';
import { ETHER_HDR_LEN, EthernetFrame } from '../net/wire/ethernet';
import { QnetL4Packet, QnetL4Repr, QnetL4Type, QnetLayer } from '../net/wire/qnet';
import { WireError } from '../net/wire/view';
import { ETHERTYPE_QNET, QnetCost, type QnetTunables } from '../net/qnet/defaults';
import { QnetKif } from '../net/qnet/kif';
import { QnetTransport } from '../net/qnet/l4';
import { LanResolver } from '../net/qnet/lr';
import { QnetNodes, fqnn } from '../net/qnet/nodes';
import { parseQnetOptions, validNodeName } from '../net/qnet/options';
import { qnetStatsText } from '../net/qnet/stats-text';
import { QnetStats, type QnetEnv, type QnetLink, type QnetNdTable, type QnetPeer, type QnetTransportApi, type QosSpec, type TransportUpper } from '../net/qnet/types';
import type { IoPkt, LsmModule } from './driver-api';
import type { LsmHost } from './lsm-host';
import { PULSE_NETMGR } from './msg';
import { netDevice, qnetStatsDevice } from './resmgr-qnet';

/** What the module needs of the KIF layer (stack/net/qnet/kif.ts QnetKif). */
export interface QnetKifApi {
  kernelOps(ops: KifOp[]): void;
  input(peer: QnetPeer, payload: Uint8Array, qos?: QosSpec): void;
  peerDown(peer: QnetPeer, errno: number): void;
}

/** The transport and KIF classes (parts of their own), as constructors the module wires together. */
export interface QnetParts {
  transport(env: QnetEnv, links: () => readonly QnetLink[], tun: QnetTunables, stats: QnetStats, upper: TransportUpper, local: { name: string; domain: string }): QnetTransportApi;
  kif(env: QnetEnv, kernel: KernelKif, transport: QnetTransportApi, nodes: QnetNodes & QnetNdTable, stats: QnetStats): QnetKifApi;
}

/** A running Qnet (the debugger and white-box tests). */
export interface QnetState {
  readonly nodes: QnetNodes;
  readonly lr: LanResolver;
  readonly stats: QnetStats;
  readonly transport: QnetTransportApi;
  readonly tun: QnetTunables;
  links(): readonly QnetLink[];
  statsText(): string;
}

const attached = new WeakMap<NetStack, QnetState>();

export function qnetOf(s: NetStack): QnetState | undefined {
  return attached.get(s);
}

/** Link speed for loadbalance: the media subtype's rate ("100baseTX" → 100 Mbit/s); 10 Mbit/s when unknown. */
function mediaBps(ifp: Ifnet): number {
  const m = /^(\d+)base/.exec(ifp.media.subtype);
  return m ? Number(m[1]) * 1_000_000 : 10_000_000;
}

/** The node name when _CS_HOSTNAME is still "localhost": the MAC's hex digits [ours; S5 names no format]. */
function nameFromMac(mac: Uint8Array | undefined): string {
  return mac ? macToString(mac).replace(/:/g, '') : 'localhost';
}

/** The bound interfaces as QnetLinks; an index (src_qos_idx) is given once, in order of discovery. */
class LinkTable {
  private readonly byIf = new Map<Ifnet, QnetLink>();
  private readonly order: QnetLink[] = [];
  constructor(private readonly stack: NetStack, private readonly binds: readonly string[]) {}

  /** Interfaces to bind that are attached now and not yet links. */
  candidates(): Ifnet[] {
    const ifs = this.stack.ifs;
    return ifs.list.filter((i) => !this.byIf.has(i) && ifs.st(i).type === 'ether' && (this.binds.length === 0 || this.binds.includes(i.name)));
  }

  add(ifp: Ifnet): QnetLink {
    const stack = this.stack;
    const link: QnetLink = {
      index: this.order.length, name: ifp.name, ifp, mac: ifp.lladdr.slice(0, 6),
      usable: () => stack.ifs.has(ifp) && (ifp.flags & (IFF_UP | IFF_RUNNING)) === (IFF_UP | IFF_RUNNING),
      bps: () => mediaBps(ifp),
    };
    this.byIf.set(ifp, link);
    this.order.push(link);
    return link;
  }

  of(ifp: Ifnet): QnetLink | undefined {
    return this.byIf.get(ifp);
  }

  list(): readonly QnetLink[] {
    return this.order;
  }
}

/** Bring a bound interface up (if_up and the driver's init), as Qnet needs it running to send. */
function* ifUp(ctx: ThreadCtx, ifp: Ifnet): Co<void> {
  if ((ifp.flags & IFF_UP) !== 0 && (ifp.flags & IFF_RUNNING) !== 0) return;
  ifp.flags |= IFF_UP;
  if ((ifp.flags & IFF_RUNNING) === 0) {
    const e = yield* ifp.ops.init(ifp);
    if (e) ctx.trace('qnet', 'if-up-failed', 0, { if: ifp.name, errno: e });
  }
}

export function makeLsmQnet(parts: QnetParts): LsmModule {
  return {
    kind: 'iopkt_lsm_entry',
    *lsmInit(iopkt: IoPkt, options: string, lsm: LsmHost): Co<number> {
      const s = lsm.stack;
      const ctx = iopkt.ctx;
      const opt = parseQnetOptions(options);
      if ('errors' in opt) {
        for (const e of opt.errors) {
          ctx.print(`lsm-qnet: ${e}\n`);
          s.env.log(`lsm-qnet: ${e}`);
        }
        return Errno.EINVAL;
      }
      if (attached.has(s)) return Errno.EEXIST;
      const { tun, binds } = opt.ok;
      const links = new LinkTable(s, binds);
      const first = links.candidates()[0];
      let host = opt.ok.hostName ?? ctx.confstr('_CS_HOSTNAME') ?? 'localhost';
      if (host === 'localhost' || !validNodeName(host)) host = nameFromMac(first?.lladdr);
      const domain = opt.ok.domain ?? ctx.confstr('_CS_DOMAIN') ?? '';
      const stats = new QnetStats();
      const nodes = new QnetNodes(host, domain);
      const env: QnetEnv = {
        now: () => s.env.now(),
        charge: (ns) => s.env.charge(ns),
        trace: (probe, f, pkt) => s.env.trace('qnet', probe, pkt ?? 0, f),
        log: (text) => {
          if (!tun.noSlog) s.env.log(text);
        },
        output: (link, dst, payload) => {
          const data = new Uint8Array(ETHER_HDR_LEN + payload.length);
          const f = new EthernetFrame(data);
          f.setDst(dst);
          f.setSrc(link.mac);
          f.ethertype = ETHERTYPE_QNET;
          data.set(payload, ETHER_HDR_LEN);
          const pktId = s.env.newPktId();
          if (!link.usable()) {
            s.env.trace('qnet', 'drop', pktId, { if: link.name, reason: 'interface not up and running' });
            return;
          }
          const e = s.ether.transmit(link.ifp, { data, pktId });
          if (e) s.env.trace('qnet', 'drop', pktId, { if: link.name, reason: `if_snd: errno ${e}` });
        },
      };
      const lr = new LanResolver(env, () => links.list(), nodes, tun, stats);
      let kifApi: QnetKifApi | null = null;
      const upper: TransportUpper = {
        deliver: (peer, layer, payload, qos) => {
          if (layer === QnetLayer.KIF) kifApi?.input(peer, payload, qos);
          else env.trace('drop', { node: fqnn(peer.name, peer.domain), reason: `message of layer ${layer}` });
        },
        peerFor: (link, mac, name, domain) => {
          const peer = nodes.findOrAdd(name, domain);
          if (peer) nodes.setMac(peer, link.index, mac);
          return peer;
        },
        peerDown: (peer, errno) => {
          stats.kif.nd_down++;
          env.log(`qnet: node ${fqnn(peer.name, peer.domain)} down`);
          kifApi?.peerDown(peer, errno);
        },
        peerUp: (peer) => {
          stats.kif.nd_up++;
          env.log(`qnet: node ${fqnn(peer.name, peer.domain)} up (nd ${peer.nd})`);
        },
      };
      const transport = parts.transport(env, () => links.list(), tun, stats, upper, { name: host, domain });
      const kernel = ctx.kif;
      if (kernel) {
        const e = kernel.register({ coid: lsm.selfCoid, pulseCode: PULSE_NETMGR, ndToName: (nd) => nodes.ndToName(nd), nameToNd: (n) => nodes.nameToNd(n) });
        if (e) {
          s.env.log(`lsm-qnet: a network manager is already running on this node`);
          return e;
        }
        const k = parts.kif(env, kernel, transport, nodes, stats);
        kifApi = k;
        let queued: KifOp[] = [];
        lsm.addStackWork({
          pending: () => {
            queued = queued.concat(kernel.takeOps());
            return queued.length > 0;
          },
          run: () => {
            const ops = queued;
            queued = [];
            k.kernelOps(ops);
          },
        });
      } else {
        // A kernel without Net* calls: names and /net work, remote message passing does not (ENOTSUP there).
        s.env.log('lsm-qnet: the kernel offers no network manager interface; message passing stays local');
      }
      const state: QnetState = {
        nodes, lr, stats, transport, tun, links: () => links.list(),
        statsText: () => qnetStatsText(stats, transport.describe()),
      };
      attached.set(s, state);

      s.ether.handlers.set(ETHERTYPE_QNET, (ifp, m, payload) => {
        env.charge(QnetCost.frame + QnetCost.perByte * payload.length);
        const link = links.of(ifp);
        if (!link) {
          s.env.trace('qnet', 'drop', m.pktId, { if: ifp.name, reason: 'interface not bound to Qnet' });
          return;
        }
        const l4 = QnetL4Repr.parse(new QnetL4Packet(payload));
        if (l4 instanceof WireError) {
          stats.l4.rx_bad++;
          s.env.trace('qnet', 'drop', m.pktId, { if: ifp.name, reason: l4.reason });
          return;
        }
        const src = m.data.slice(6, 12);
        if (l4.type === QnetL4Type.Lr) {
          if (l4.layer === QnetLayer.LR) lr.input(link, src, l4);
          else {
            stats.l4.rx_bad++;
            s.env.trace('qnet', 'drop', m.pktId, { if: ifp.name, reason: `LR frame in layer ${l4.layer}` });
          }
          return;
        }
        transport.input(link, src, l4);
      });

      // Bind what is there now; the tick binds interfaces attached later.
      const bindNew = function* (c: ThreadCtx): Co<void> {
        for (const ifp of links.candidates()) {
          const link = links.add(ifp);
          yield* ifUp(c, ifp);
          lr.advertiseOn(link);
        }
      };
      yield* bindNew(ctx);
      lsm.attachDevice('/net', netDevice({ nodes, lr, linkNames: () => links.list().map((l) => l.name) }), { dir: true, absolute: true });
      lsm.attachDevice('/proc/qnetstats', qnetStatsDevice(() => state.statsText()), { absolute: true });
      iopkt.callout(tun.tickNs, function* (c: ThreadCtx): Co<void> {
        yield* bindNew(c);
        transport.tick();
        lr.tick();
      });
      env.log(`qnet: started, node ${nodes.selfFqnn} (nd 0) on ${links.list().map((l) => l.name).join(' ') || '(no interface yet)'}`);
      return 0;
    },
  };
}

/** lsm-qnet.so: the module with its real transport (l4.ts) and kernel interface (kif.ts). */
export const lsmQnet: LsmModule = makeLsmQnet({
  transport: (env, links, tun, stats, upper, local) => new QnetTransport(env, links, tun, stats, upper, local),
  kif: (env, kernel, transport, nodes, stats) => new QnetKif(env, kernel, transport, nodes, stats),
});
