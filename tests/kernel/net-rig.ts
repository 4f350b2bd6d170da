/**
 * Two kernels (alpha, beta) in one Simulation joined by a fake network manager written here: `qnetd` on each
 * node registers with ctx.kif, takes the KifOps it is woken for and hands them to the other node's qnetd over
 * an in-test wire with a fixed latency, which acts on them there (vconnect/vsend/vpulse/vdetach) and answers
 * (clientSent/clientReply). Not Qnet: just enough transport to exercise the kernel's half (stack/kernel/net*.ts).
 *
 * Timing of the fake manager: each wake (pulse) is a MsgReceive; takeOps/handling charges what the kif calls
 * charge; frames leave after the manager's CPU time so far (`work(0)` flushes the timeline) and arrive WIRE_NS
 * later, where a pulse (RX, at the frame's priority) wakes the other qnetd.
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { Kernel } from '../../stack/kernel/kernel';
import type { CostTable } from '../../stack/kernel/costs';
import { Errno, type Message, type ProgramMain, type ThreadCtx } from '../../stack/kernel/api';
import { ndNode, type KifOp, type KifResult, type RemoteTarget } from '../../stack/kernel/kif';
import { FakeBus, ZERO_COSTS } from './helpers';

export type NodeName = 'alpha' | 'beta';
/** alpha's ND for beta (node part 2, a QoS slot above: the kernel must compare node parts only). */
export const BETA_ND = 0x10002;
/** beta's ND for alpha. */
export const ALPHA_ND = 5;
export const WIRE_NS = 50_000;
export const WAKE = 7;
export const RX = 8;

type Frame =
  | { kind: 'send'; id: number; cpid: number; ccoid: number; tid: number; prio: number; target: RemoteTarget; msg: Message }
  | { kind: 'pulse'; cpid: number; ccoid: number; target: RemoteTarget; prio: number; code: number; value: number }
  | { kind: 'detach'; cpid: number; ccoid: number }
  | { kind: 'sent'; id: number }
  | { kind: 'reply'; id: number; result: KifResult }
  /** Not a frame: a local command to declare the peer down. */
  | { kind: 'nodedown' };

export interface NetRig {
  sim: Simulation;
  k: Record<NodeName, Kernel>;
  out: string[];
  trace: string[];
  /** qnetd pids, once started. */
  mgr: Partial<Record<NodeName, { pid: number; coid: number }>>;
  /** Frames that crossed the wire, in order, as "alpha>beta send". */
  frames: string[];
  /** Drop frames in both directions (a cut cable). */
  cut: boolean;
  /** Hand `frame` to `node`'s qnetd at `when` (absolute). */
  inject(node: NodeName, frame: Frame, when: number, prio?: number): void;
  run(until?: number): void;
}

function peerOf(n: NodeName): NodeName {
  return n === 'alpha' ? 'beta' : 'alpha';
}
/** `n`'s ND for its peer. */
function peerNd(n: NodeName): number {
  return n === 'alpha' ? BETA_ND : ALPHA_ND;
}

export function netRig(programs: Record<NodeName, Record<string, ProgramMain>>, costs: Partial<CostTable> = {}, managers = true): NetRig {
  const sim = new Simulation(1);
  const out: string[] = [];
  const trace: string[] = [];
  sim.tracer.addLineSink((_r, line) => trace.push(line));
  const inbox: Record<NodeName, Frame[]> = { alpha: [], beta: [] };
  let ev = 0;
  const rig: NetRig = {
    sim, out, trace, mgr: {}, frames: [], cut: false,
    k: {} as Record<NodeName, Kernel>,
    inject(node, frame, when, prio = 10) {
      sim.queue.schedule(new SimEvent(`wire${ev++}`, () => arrive(node, frame, prio), Priority.Wire), when);
    },
    run(until = 10_000_000_000) {
      sim.queue.runUntil(until);
    },
  };
  function arrive(node: NodeName, frame: Frame, prio: number): void {
    const m = rig.mgr[node];
    if (!m) return;
    inbox[node].push(frame);
    const k = rig.k[node];
    const ch = k.msg.target(null, m.coid, 'rx');
    k.msg.pulse(ch, prio, RX, 0);
  }
  function transmit(from: NodeName, ctx: ThreadCtx, frame: Frame, prio: number): void {
    if (rig.cut) return;
    const to = peerOf(from);
    rig.frames.push(`${from}>${to} ${frame.kind}`);
    rig.inject(to, frame, ctx.now() + WIRE_NS, prio);
  }
  function qnetd(self: NodeName): ProgramMain {
    return function* (ctx) {
      const kif = ctx.kif!;
      const chid = ctx.ChannelCreate();
      const coid = ctx.ConnectAttach(0, chid);
      const nd = peerNd(self);
      const name = peerOf(self);
      const st = kif.register({
        coid, pulseCode: WAKE,
        ndToName: (x) => (ndNode(x) === ndNode(nd) ? name : null),
        nameToNd: (s) => (s === name ? nd : -1),
      });
      if (st !== 0) return st;
      rig.mgr[self] = { pid: ctx.pid, coid };
      /** Remote client connections made here: "pid:coid" → vconnect'ed coid. */
      const vc = new Map<string, number>();
      const conn = (cpid: number, ccoid: number, t: RemoteTarget): number => {
        const key = `${cpid}:${ccoid}`;
        let c = vc.get(key);
        if (c === undefined) {
          c = kif.vconnect({ nd, pid: cpid }, t.pid, t.chid);
          if (c >= 0) vc.set(key, c);
        }
        return c;
      };
      for (;;) {
        const r = yield* ctx.MsgReceive(chid);
        if (r.kind !== 'pulse') {
          ctx.MsgError(r.rcvid, Errno.ENOSYS);
          continue;
        }
        const outq: [Frame, number][] = [];
        if (r.code === WAKE) {
          for (const op of kif.takeOps()) outq.push(toFrame(op));
        } else if (r.code === RX) {
          for (const f of inbox[self].splice(0)) {
            switch (f.kind) {
              case 'send': {
                const c = conn(f.cpid, f.ccoid, f.target);
                const e = c < 0 ? -c : kif.vsend(c, { nd, pid: f.cpid, tid: f.tid, prio: f.prio }, f.msg, f.id);
                outq.push([e === 0 ? { kind: 'sent', id: f.id } : { kind: 'reply', id: f.id, result: { error: e } }, f.prio]);
                break;
              }
              case 'pulse': {
                const c = conn(f.cpid, f.ccoid, f.target);
                if (c >= 0) kif.vpulse(c, f.prio, f.code, f.value);
                break;
              }
              case 'detach': {
                const key = `${f.cpid}:${f.ccoid}`;
                const c = vc.get(key);
                vc.delete(key);
                if (c !== undefined) kif.vdetach(c);
                break;
              }
              case 'sent':
                kif.clientSent(f.id);
                break;
              case 'reply':
                kif.clientReply(f.id, f.result);
                break;
              case 'nodedown':
                // The node part only: the kernel must match connections made with a QoS-qualified ND.
                kif.nodeDown(ndNode(nd), Errno.EHOSTDOWN);
                vc.clear();
                break;
            }
          }
        }
        yield* ctx.work(0);
        for (const [f, prio] of outq) transmit(self, ctx, f, prio);
      }
    };
  }
  for (const n of ['alpha', 'beta'] as const) {
    const bus = new FakeBus('8259', 1);
    const progs = new Map<string, ProgramMain>(Object.entries(programs[n]));
    progs.set('qnetd', qnetd(n));
    const k = new Kernel(componentContext(sim, n, `${n}.procnto`), bus, {
      cpus: 1, programs: progs, console: (t) => out.push(`${n}: ${t}`), costs: { ...ZERO_COSTS, ...costs }, hostname: n,
    });
    k.boot();
    rig.k[n] = k;
    if (managers) k.spawn({ argv: ['qnetd'], priority: 21 });
  }
  return rig;
}

function toFrame(op: KifOp): [Frame, number] {
  switch (op.kind) {
    case 'send':
      return [{ kind: 'send', id: op.id, cpid: op.pid, ccoid: op.coid, tid: op.tid, prio: op.prio, target: op.target, msg: op.msg }, op.prio];
    case 'pulse':
      return [{ kind: 'pulse', cpid: op.pid, ccoid: op.coid, target: op.target, prio: op.prio, code: op.code, value: op.value }, op.prio];
    case 'detach':
      return [{ kind: 'detach', cpid: op.pid, ccoid: op.coid }, 10];
    case 'vreply':
      return [{ kind: 'reply', id: op.id, result: op.result }, op.prio];
  }
}

/** The state of thread 1 of the process named `name` on `k`. */
export function stateOf(k: Kernel, name: string): { state: string; priority: number; blockedOn: number } | undefined {
  const t = k.processes.find((p) => p.name === name)?.threads[0];
  return t ? { state: t.state, priority: t.priority, blockedOn: t.blockedOn } : undefined;
}

/** Run `fn` at absolute time `when` (an observation point). */
export function at(r: NetRig, when: number, fn: () => void): void {
  r.sim.queue.schedule(new SimEvent(`probe@${when}`, fn, Priority.Scenario), when);
}
