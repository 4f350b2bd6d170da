/**
 * Two QnetKif instances (alpha, beta) for tests/qnet/kif*.test.ts: each with a recording fake KernelKif, and a
 * fake transport that queues whole KIF messages and delivers them in order when the test says (done(0) after
 * each delivery, as the transport's acknowledgement, or later when held), or loses them (done(errno)), or
 * refuses them at once. The fake transport hands each message up with the QoS it was sent with (as if both
 * nodes' interfaces had the same names), and logs it (`qosLog`).
 */
import { Errno, type Message } from '../../stack/kernel/api';
import type { KernelKif, KifOp, KifResult, NetManager, VClient } from '../../stack/kernel/kif';
import { QnetKif } from '../../stack/net/qnet/kif';
import { QnetStats, type QnetEnv, type QnetNdTable, type QnetPeer, type QnetTransportApi, type QosSpec } from '../../stack/net/qnet/types';
import { QnetKifPacket, QnetKifRepr } from '../../stack/net/wire/qnet-kif';
import { WireError } from '../../stack/net/wire/view';

export type Call =
  | { call: 'clientSent'; id: number }
  | { call: 'clientReply'; id: number; r: KifResult }
  | { call: 'vconnect'; client: { nd: number; pid: number }; pid: number; chid: number; coid: number }
  | { call: 'vsend'; coid: number; client: VClient; msg: Message; id: number }
  | { call: 'vpulse'; coid: number; prio: number; code: number; value: number }
  | { call: 'vdetach'; coid: number }
  | { call: 'nodeDown'; nd: number; errno: number };

/** A kernel that records the Net* calls; channels that exist are "pid/chid". */
export class FakeKernel implements KernelKif {
  readonly calls: Call[] = [];
  readonly channels = new Set<string>();
  vsendErrno = 0;
  private nextCoid = 0x100;
  register(_m: NetManager): number { return 0; }
  takeOps(): KifOp[] { return []; }
  clientSent(id: number): void { this.calls.push({ call: 'clientSent', id }); }
  clientReply(id: number, r: KifResult): void { this.calls.push({ call: 'clientReply', id, r }); }
  vconnect(client: { nd: number; pid: number }, pid: number, chid: number): number {
    const coid = this.channels.has(`${pid}/${chid}`) ? this.nextCoid++ : -Errno.ESRCH;
    this.calls.push({ call: 'vconnect', client, pid, chid, coid });
    return coid;
  }
  vsend(coid: number, client: VClient, msg: Message, id: number): number {
    this.calls.push({ call: 'vsend', coid, client, msg, id });
    return this.vsendErrno;
  }
  vpulse(coid: number, prio: number, code: number, value: number): number {
    this.calls.push({ call: 'vpulse', coid, prio, code, value });
    return 0;
  }
  vdetach(coid: number): void { this.calls.push({ call: 'vdetach', coid }); }
  nodeDown(nd: number, errno: number): void { this.calls.push({ call: 'nodeDown', nd, errno }); }
  /** The calls since the last take. */
  take(): Call[] { return this.calls.splice(0); }
}

interface Queued { from: Node; to: Node; kind: string; payload: Uint8Array; qos: QosSpec; done?: (e: number) => void }

export interface Node {
  readonly name: string;
  readonly kernel: FakeKernel;
  readonly stats: QnetStats;
  readonly kif: QnetKif;
  readonly traces: { probe: string; f: Record<string, string | number | boolean> }[];
  /** This node's peer object for the other node. */
  other: QnetPeer;
  charged: number;
}

/** The in-test wire: whole messages in FIFO order. */
export class Wire {
  readonly queue: Queued[] = [];
  /** Every message handed to the transport: "alpha>beta connectMsgSend". */
  readonly log: string[] = [];
  /** The same with the QoS each was sent with: "beta>alpha msgReply preferred:en1". */
  readonly qosLog: string[] = [];
  /** The next messages handed over are lost: done(lose) when delivered. */
  lose = 0;
  /** send() refuses at once with this errno. */
  refuse = 0;
  /** Hold the transport's acknowledgements (done(0)) until ack(): the answer may overtake them. */
  holdAcks = false;
  private readonly held: (() => void)[] = [];
  readonly nodes: Node[] = [];

  /** Deliver everything queued (and what the deliveries queue) in order; returns the kinds delivered. */
  run(max = 100): string[] {
    const out: string[] = [];
    for (let i = 0; i < max && this.queue.length > 0; i++) out.push(this.step());
    return out;
  }

  step(): string {
    const q = this.queue.shift()!;
    q.to.kif.input(q.to.other, q.payload, q.qos);
    if (this.holdAcks) this.held.push(() => q.done?.(0));
    else q.done?.(0);
    return `${q.from.name}>${q.to.name} ${q.kind}`;
  }

  /** Release the held acknowledgements, in order. */
  ack(): void {
    for (const a of this.held.splice(0)) a();
  }
}

class FakeTransport implements QnetTransportApi {
  constructor(private readonly wire: Wire, private readonly self: () => Node) {}
  send(peer: QnetPeer, qos: QosSpec, _layer: number, payload: Uint8Array, done?: (errno: number) => void): number {
    if (this.wire.refuse) return this.wire.refuse;
    const from = this.self();
    const to = this.wire.nodes.find((n) => n.name === peer.name)!;
    const r = QnetKifRepr.parse(new QnetKifPacket(payload));
    if (r instanceof WireError) throw new Error(`we emitted a bad KIF message: ${r.reason}`);
    this.wire.log.push(`${from.name}>${to.name} ${r.kind}`);
    this.wire.qosLog.push(`${from.name}>${to.name} ${r.kind} ${qos.type}${qos.ifname ? `:${qos.ifname}` : ''}`);
    if (this.wire.lose) {
      const e = this.wire.lose;
      this.wire.queue.push({ from, to: { ...to, kif: { input: () => {} } as unknown as QnetKif }, kind: `${r.kind} (lost)`, payload, qos, done: () => done?.(e) });
      return 0;
    }
    this.wire.queue.push({ from, to, kind: r.kind, payload, qos, done });
    return 0;
  }
  input(): void {}
  tick(): void {}
  describe(): string[] { return []; }
}

function peer(nd: number, name: string, remoteNd: number): QnetPeer {
  return { nd, name, domain: '', macs: [], remoteNd };
}

/**
 * alpha knows beta as ND 1 (beta's ND for alpha: 2); beta knows alpha as ND 2 (alpha's ND for beta: 1). The
 * NDs name loadbalance unless `alphaQos` gives alpha's ND for beta another QoS.
 */
export function kifPair(alphaQos: QosSpec = { type: 'loadbalance' }): { wire: Wire; alpha: Node; beta: Node } {
  const wire = new Wire();
  const make = (name: string, other: QnetPeer, qos: QosSpec = { type: 'loadbalance' }): Node => {
    const kernel = new FakeKernel();
    const stats = new QnetStats();
    const traces: Node['traces'] = [];
    const node = { name, kernel, stats, traces, other, charged: 0 } as Node;
    const env: QnetEnv = {
      now: () => 0,
      charge: (ns) => { node.charged += ns; },
      trace: (probe, f) => { traces.push({ probe, f }); },
      log: () => {},
      output: () => { throw new Error('QnetKif never outputs frames itself'); },
    };
    const nds: QnetNdTable = {
      lookup: (nd) => ((nd & 0xffff) === other.nd ? { peer: other, qos } : null),
      ndOf: (p) => p.nd,
    };
    (node as { kif: QnetKif }).kif = new QnetKif(env, kernel, new FakeTransport(wire, () => node), nds, stats);
    return node;
  };
  const alpha = make('alpha', peer(1, 'beta', 2), alphaQos);
  const beta = make('beta', peer(2, 'alpha', 1));
  wire.nodes.push(alpha, beta);
  return { wire, alpha, beta };
}
