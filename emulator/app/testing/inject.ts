/**
 * Puts a scenario's `actions:` and `faults:` onto an assembled run: commands typed into new shells (on a
 * guest node: typed at its shell when the prompt shows), link faults (emulator/machine/net/fault.ts, on any node's
 * ports, guests' included), receive bursts from a synthetic station, IRQ storms, node moves and interference
 * bursts on wireless links (emulator/machine/net/wireless). Everything is
 * scheduled as owned events at Priority.Scenario (after the hardware and CPUs at the same instant), and
 * draws randomness only from named streams, so a run with faults is as deterministic as one without.
 */
import { componentContext } from '../../machine/sim/context';
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import type { Time } from '../../machine/sim/time';
import type { Assembled } from '../assembly/run';
import type { SimNode } from '../assembly/node';
import type { GuestNode } from '../assembly/guest-node';
import type { RemoteGuestNode } from '../assembly/guest-workers';
import { LinkFaults, isFaultable, type FrameFault } from '../../machine/net/fault';
import type { Medium } from '../../machine/net/link';
import type { NodeAction } from '../scenario/actions';
import { scheduleImpair } from './impair-actions';
import { nicPortName } from '../assembly/link-impairments';
import type { BurstFault, Fault, InterferenceFault, IrqStormFault, LinkFault } from '../scenario/faults';
import { nodeFault, unplugReport, type PoweredOff } from './node-faults';
import type { Scenario } from '../scenario/types';
import { CsmaCdMac } from '../../../nic-models/common/csma-mac';
import { ETHER_HDR_LEN, EtherType, EthernetFrame, EthernetRepr } from '../../../stack/net/wire/ethernet';

/** How often a deferred action looks again for its node's kernel (before the node booted). */
const BOOT_POLL_NS = 1_000_000;
/** Environment of shells started by actions (the boot script's PATH). */
const ACTION_ENV = { PATH: '/proc/boot:/bin:/usr/bin' };

export interface Injected {
  /** Per fault (scenario order): what it did, for reports ("lost 12 frames"). */
  faultReports(): string[];
  /** Actions that never ran (their node never booted), as messages. */
  problems(): string[];
  /** Processes started by actions, per node (pids), in start order. */
  started: Map<string, number[]>;
}

/** What link faults and bursts need of a node, QNX or guest: its name and NICs. */
type AnyNode = SimNode | GuestNode | RemoteGuestNode;

export function inject(a: Assembled, scenario: Scenario): Injected {
  const started = new Map<string, number[]>();
  const nodes = new Map(a.nodes.map((n) => [n.name, n]));
  const guests = new Map<string, GuestNode | RemoteGuestNode>([...a.guests, ...a.remote].map((g) => [g.name, g]));
  const anyNode = (name: string): AnyNode => (nodes.get(name) ?? guests.get(name))!;
  const reports: (() => string)[] = [];
  const linkFaults = new Map<string, LinkFaults>();
  const faultsOf = (link: string): LinkFaults => {
    let lf = linkFaults.get(link);
    if (!lf) {
      const m = a.network.media.get(link);
      if (!m || !isFaultable(m)) throw new Error(`link ${link}: not a hub, cable or switch`);
      lf = new LinkFaults(componentContext(a.sim, '', `${link}.fault`), m);
      for (const n of [...a.nodes, ...a.guests, ...a.remote]) n.nics.forEach((nic, i) => nic.spec.link === link && lf!.knownPorts.add(portName(n, i)));
      linkFaults.set(link, lf);
    }
    return lf;
  };

  const poweredOff: PoweredOff = new Map();
  (scenario.faults ?? []).forEach((f: Fault) => {
    switch (f.kind) {
      case 'down':
      case 'loss':
      case 'corrupt': {
        const ports = portsOf(a, f);
        const report = linkFault(a, faultsOf(f.link), f, ports);
        // `kind: unplug` is a down of one node's ports: its own report line (node-faults.ts).
        reports.push(f.unplugged && ports ? unplugReport(a, f, ports) : report);
        break;
      }
      case 'crash':
      case 'hang':
      case 'power-cycle':
        reports.push(nodeFault(a, nodes.get(f.node)!, f, faultsOf, poweredOff));
        break;
      case 'rx-burst':
        reports.push(burst(a, anyNode(f.node), f));
        break;
      case 'irq-storm':
        reports.push(irqStorm(a, nodes.get(f.node)!, f));
        break;
      case 'interference':
        reports.push(interference(a, f));
        break;
    }
  });

  const ran = (scenario.actions ?? []).map((act) => {
    if (act.kind === 'impair') return { act, ran: scheduleImpair(a, act) };
    if (act.kind === 'move') return { act, ran: scheduleMove(a, act) };
    const g = guests.get(act.node);
    return { act, ran: g ? scheduleGuestAction(a, g, act) : scheduleAction(a, nodes.get(act.node)!, act, started, nodes) };
  });
  return {
    // What each fault did, then what the link impairments did (link-impairments.ts).
    faultReports: () => [...reports.map((r) => r()), ...a.network.impairments.report()],
    problems: () =>
      ran.flatMap((r) => {
        const why = r.ran();
        return why === null ? [] : [`actions[${r.act.index}] never ran: ${why}`];
      }),
    started,
  };
}

/** A NIC's port name on its medium (the MAC attaches under its component name). */
export function portName(n: { readonly name: string }, nic: number): string {
  return nicPortName(n.name, nic);
}

function portsOf(a: Assembled, f: LinkFault): string[] | null {
  if (f.node === null) return null;
  const n: AnyNode = a.nodes.find((x) => x.name === f.node) ?? a.guests.find((x) => x.name === f.node) ?? a.remote.find((x) => x.name === f.node)!;
  return n.nics.flatMap((nic, i) => (nic.spec.link === f.link ? [portName(n, i)] : []));
}

/** Run `fn` at `at` and, when `until` is given, `end` then. */
function window(a: Assembled, name: string, at: Time, until: Time | null, fn: () => void, end: () => void): void {
  a.sim.queue.schedule(new SimEvent(`${name}.start`, fn, Priority.Scenario), at);
  if (until !== null) a.sim.queue.schedule(new SimEvent(`${name}.end`, end, Priority.Scenario), until);
}

function linkFault(a: Assembled, lf: LinkFaults, f: LinkFault, ports: string[] | null): () => string {
  const id = `fault${f.index}`;
  if (f.kind === 'down') {
    let downs = 0;
    window(a, id, f.at, f.until, () => (downs++, lf.down(ports, id)), () => lf.up(ports, id));
    return () => `faults[${f.index}] down: link ${f.link}${ports ? ` (${ports.join(', ')})` : ''} went down ${downs} time(s)`;
  }
  const ff: FrameFault = lf.addFrameFault(id, f.kind, ports, f.probability);
  window(a, id, f.at, f.until, () => (ff.active = true), () => (ff.active = false));
  return () => `faults[${f.index}] ${f.kind}: ${ff.hits} frame(s) ${f.kind === 'loss' ? 'lost' : 'corrupted'} on ${f.link}`;
}

/**
 * A synthetic station on the NIC's medium with a real 802.3 MAC (deference, backoff): it sends `frames`
 * frames of `size` bytes back to back (one inter-frame gap apart) to the NIC's address, EtherType 0x88B5
 * (IEEE local experimental, so the stack discards them after the driver has taken them from the ring).
 */
function burst(a: Assembled, node: AnyNode, f: BurstFault): () => string {
  const nic = node.nics[f.nic]!;
  const medium: Medium = a.network.media.get(f.link)!;
  const ctx = componentContext(a.sim, '', `${f.link}.burst${f.index}`);
  const mac = new CsmaCdMac(ctx, () => undefined);
  mac.connect(medium);
  let sent = 0;
  let aborted = 0;
  const src = Uint8Array.of(0x02, 0xbb, 0, 0, (f.index >> 8) & 0xff, f.index & 0xff);
  const next = (): void => {
    if (sent + aborted >= f.frames) {
      a.sim.tracer.emit('', 'fault', 'burst-end', 0, { port: ctx.name, sent, aborted });
      return;
    }
    const data = new Uint8Array(f.size);
    EthernetRepr.emit({ dst: nic.spec.mac, src, ethertype: EtherType.LocalExperimental1 }, new EthernetFrame(data));
    const seq = sent + aborted;
    for (let i = ETHER_HDR_LEN; i < data.length; i++) data[i] = (seq + i) & 0xff;
    mac.transmit({ data, pktId: a.sim.tracer.newPacketId() }, (o) => {
      if (o.ok) sent++;
      else aborted++;
      next();
    });
  };
  a.sim.queue.schedule(
    new SimEvent(`fault${f.index}.burst`, () => {
      a.sim.tracer.emit('', 'fault', 'burst-start', 0, { port: ctx.name, to: portName(node, f.nic), frames: f.frames, size: f.size });
      next();
    }, Priority.Scenario),
    f.at,
  );
  return () => `faults[${f.index}] rx-burst: ${sent} of ${f.frames} frame(s) sent to ${node.name}.nics[${f.nic}]${aborted ? `, ${aborted} aborted` : ''}`;
}

/** An ISA IRQ line driven by the fault: a rising edge every period, held high for half of it. */
function irqStorm(a: Assembled, node: SimNode, f: IrqStormFault): () => string {
  const line = node.board.isaIrq(f.irq);
  const q = a.sim.queue;
  let edges = 0;
  let on = false;
  const half = Math.max(1, Math.floor(f.period / 2));
  const fall = new SimEvent(`fault${f.index}.irq-low`, () => line.set(false), Priority.Device);
  const rise: SimEvent = new SimEvent(`fault${f.index}.irq-high`, () => {
    if (!on) return;
    line.set(true);
    edges++;
    q.schedule(fall, q.now + half);
    q.schedule(rise, q.now + f.period);
  }, Priority.Device);
  window(a, `fault${f.index}`, f.at, f.until, () => {
    on = true;
    a.sim.tracer.emit(node.name, 'fault', 'irq-storm', 0, { irq: f.irq, period: f.period, on: true });
    if (!rise.scheduled) q.schedule(rise, q.now);
  }, () => {
    on = false;
    q.deschedule(rise);
    if (fall.scheduled) q.deschedule(fall);
    line.set(false);
    a.sim.tracer.emit(node.name, 'fault', 'irq-storm', 0, { irq: f.irq, edges, on: false });
  });
  return () => `faults[${f.index}] irq-storm: ${edges} edge(s) on ${node.name} IRQ ${f.irq}`;
}

/** A noise source on a wireless link for the fault's window (WirelessChannel.noiseBurst). */
function interference(a: Assembled, f: InterferenceFault): () => string {
  const air = a.network.air.get(f.link);
  if (!air) throw new Error(`link ${f.link}: not a wireless link`);
  let on = false;
  a.sim.queue.schedule(new SimEvent(`fault${f.index}.interference`, () => {
    on = true;
    air.noiseBurst(`fault${f.index}`, f.position, f.powerDbm, f.channel, f.until - f.at);
  }, Priority.Scenario), f.at);
  const p = f.position;
  return () => `faults[${f.index}] interference: ${on ? '' : 'not '}radiated ${f.powerDbm} dBm on channel ${f.channel} from (${p.x}, ${p.y}, ${p.z}) on ${f.link}`;
}

/** A `move` action: the node stands at the new position from `at` on (signals already on the air are unchanged). */
function scheduleMove(a: Assembled, act: NodeAction): () => string | null {
  let moved = false;
  a.sim.queue.schedule(new SimEvent(`action${act.index}`, () => {
    a.network.positions.move(act.node, act.position!);
    moved = true;
  }, Priority.Scenario), act.at);
  return () => (moved ? null : `the run ended before ${act.node}'s move`);
}

/**
 * Type the action's line at a guest's shell: queued at `at`, typed when the prompt shows (after any command
 * still queued, as the guest's `commands:` are), echoed on its console by the guest's shell. Returns why it
 * did not run (null: it was typed). A guest in a worker thread (`--threads`) is typed at through its shell's
 * stand-in on this thread (guest-workers.ts RemoteShell), which sends the line to the worker at `at`.
 */
function scheduleGuestAction(a: Assembled, g: GuestNode | RemoteGuestNode, act: NodeAction): () => string | null {
  /** The shell's `typed` count once this command has been typed (commands are typed in queue order). */
  let typedAt = -1;
  a.sim.queue.schedule(
    new SimEvent(`action${act.index}`, () => {
      a.sim.tracer.emit(g.name, 'scenario', 'action', 0, { index: act.index, command: act.command });
      typedAt = g.shell.typed + g.shell.waiting + 1;
      g.shell.queue(act.command);
    }, Priority.Scenario),
    act.at,
  );
  return () => {
    if (typedAt < 0) return `the run ended before ${g.name}'s action time`;
    if (g.shell.typed >= typedAt) return null;
    return `${g.name}'s shell ${g.shell.ready ? 'was still busy with an earlier command' : 'never showed its prompt'}, so '${act.command}' was not typed`;
  };
}

/**
 * Type the action's line into a new `sh` on the node; before the node's kernel (or the sink node's) is up,
 * look again every millisecond. Returns why it did not run (null: it ran).
 */
function scheduleAction(a: Assembled, node: SimNode, act: NodeAction, started: Map<string, number[]>, nodes: Map<string, SimNode>): () => string | null {
  const q = a.sim.queue;
  let ran = false;
  const run = (n: SimNode, line: string): void => {
    const k = n.kernel!;
    n.console.write(`# ${line}\n`);
    a.sim.tracer.emit(n.name, 'scenario', 'action', 0, { index: act.index, command: line });
    const pid = k.spawn({ argv: ['sh', '-c', line], env: { ...ACTION_ENV } });
    started.set(n.name, [...(started.get(n.name) ?? []), pid]);
  };
  const ev: SimEvent = new SimEvent(`action${act.index}`, () => {
    const sinkNode = act.sink ? nodes.get(act.sink.node)! : null;
    if (!node.kernel || (sinkNode && !sinkNode.kernel)) {
      q.schedule(ev, q.now + BOOT_POLL_NS);
      return;
    }
    if (sinkNode && act.sink) run(sinkNode, act.sink.command);
    run(node, act.command);
    ran = true;
  }, Priority.Scenario);
  q.schedule(ev, act.at);
  return () => (ran ? null : `${act.node} had no running kernel`);
}
