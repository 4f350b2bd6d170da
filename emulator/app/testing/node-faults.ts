/**
 * Node faults (issue 18, docs/faults.md): a simulated QNX node's kernel crashes, hangs for a while, or the node
 * loses power and boots again; and a node's cable is pulled from a link and plugged back in. Scheduled by
 * inject.ts at Priority.Scenario; nothing here draws randomness (a reboot's start-up jitter comes from the
 * node's own `power-on` stream, as the first boot's did).
 *
 * - crash: procnto's kernel fault handler prints its Shutdown message and never returns (stack/kernel/halt.ts).
 *   The board and NICs keep running: a NIC receives into its ring until it is full, then counts missed frames;
 *   its IRQ line stays asserted with nobody to acknowledge it.
 * - hang: the CPUs stop (spinning with interrupts disabled) until `until`, then go on where they were.
 * - power-cycle: the node's ports lose link at once (a powered-off PHY sends no link pulses: the far end sees
 *   the same as a pulled cable), the kernel is gone; after `off` the board's chipset (PIC, I/O APIC, PCI host,
 *   PIIX) and every NIC are put back into the state they had at power-on, the ports get link again (after
 *   auto-negotiation where the medium negotiates) and the node boots as at the start of the run.
 * - unplug: a `down` of the node's port(s) on the link (emulator/machine/net/fault.ts): the PHY sees the wire go
 *   and renegotiates on replug (link-segment.ts); this module only reports it.
 */
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import type { Time } from '../../machine/sim/time';
import type { TraceRecord } from '../../machine/sim/trace';
import type { LinkFaults } from '../../machine/net/fault';
import { Cable } from '../../machine/net/cable';
import { Switch } from '../../machine/net/switch';
import type { Assembled } from '../assembly/run';
import type { SimNode } from '../assembly/node';
import type { LinkFault, NodeFault } from '../scenario/faults';
import type { Kernel } from '../../../stack/kernel/kernel';

/** Seconds with three decimals, as fault reports print times. */
export function seconds(t: Time): string {
  return `${(t / 1e9).toFixed(3)} s`;
}

/**
 * The chipset's power-on state (PCI configuration spaces, PIIX, PIC, I/O APIC: registers only, no pending events),
 * captured before the run starts (inject runs right after assemble, before any event).
 */
type ChipsetState = Pick<ReturnType<SimNode['board']['saveState']>, 'pci' | 'piix' | 'pic' | 'ioapic'>;

function captureChipset(node: SimNode): ChipsetState {
  const b = node.board;
  return { pci: b.pci.saveState(), piix: b.piix.saveState(), pic: b.pic.saveState(), ioapic: b.ioapic.saveState() };
}

/**
 * Power-on: the chipset back to its power-on registers, then every NIC through its own reset path as the bus
 * asserts it at power-up (PCI RST#, ISA RESET DRV). RAM keeps its contents (nothing after power-on reads memory
 * it did not write first: start-up hands out memory afresh, drivers initialise their rings).
 */
function powerOnReset(node: SimNode, chipset: ChipsetState): void {
  const b = node.board;
  b.pci.loadState(chipset.pci);
  b.piix.loadState(chipset.piix);
  b.pic.loadState(chipset.pic);
  b.ioapic.loadState(chipset.ioapic);
  for (const n of node.nics) {
    const d = n.device;
    if (d.bus === 'pci') d.fn.reset?.();
    else d.reset?.();
  }
}

/** The node's NIC ports per link (what a power-off takes down). */
function portsByLink(node: SimNode): Map<string, string[]> {
  const m = new Map<string, string[]>();
  node.nics.forEach((n, i) => m.set(n.spec.link, [...(m.get(n.spec.link) ?? []), `${node.name}.nic${i}`]));
  return m;
}

/**
 * What procnto prints on its debug device when it takes a fault in the kernel (QNX Technotes, "Reading a
 * Shutdown Message"): the CPU and the CPU holding the kernel lock, signal/code/fault (11/1/11: SIGSEGV,
 * SEGV_MAPERR, FLTPAGE, as in QNX's sample), then per CPU the process and thread it was running ("1-n?": its
 * idle thread). The simulated kernel has no x86 registers, so the context, instruction and stack dumps that
 * follow on a real box are replaced by one line marked as the emulator's.
 */
export function shutdownMessage(k: Kernel, why: string): string {
  const lines = ['Shutdown[0,0] S/C/F=11/1/11 state(c0)= now lock'];
  for (const cpu of k.sched.cpus) {
    const t = cpu.thread;
    lines.push(t ? `[${cpu.id}]PID-TID=${t.proc.pid}-${t.tid} "proc/boot/${t.proc.name}"` : `[${cpu.id}]PID-TID=1-${cpu.id + 1}? "proc/boot/procnto"`);
  }
  lines.push(`[qnxemu] ${why}; no register dump (the simulated procnto has no x86 context)`);
  return `${lines.join('\n')}\n`;
}

/** Nodes whose power is off now, by the power-cycle that switched them off (per run: one map per inject). */
export type PoweredOff = Map<string, number>;

/** crash, hang, power-cycle on a simulated QNX node. Returns the fault's report line. */
export function nodeFault(a: Assembled, node: SimNode, f: NodeFault, faultsOf: (link: string) => LinkFaults, off: PoweredOff): () => string {
  const q = a.sim.queue;
  const id = `fault${f.index}`;
  const at = (name: string, t: Time, fn: () => void): void => q.schedule(new SimEvent(`${id}.${name}`, fn, Priority.Scenario), t);
  const trace = (probe: string, fields: Record<string, string | number | boolean>): void =>
    a.sim.tracer.emit(node.name, 'fault', probe, 0, { index: f.index, ...fields });
  switch (f.kind) {
    case 'crash': {
      let what = 'the run ended first';
      at('crash', f.at, () => {
        const k = node.kernel;
        if (!k) {
          what = 'no kernel was running (not booted yet, or powered off): nothing crashed';
          trace('crash', { skipped: true });
          return;
        }
        if (k.halt.kind === 'crashed') {
          what = 'the kernel had already crashed';
          return;
        }
        node.console.flush();
        node.console.write(shutdownMessage(k, `kernel fault injected by faults[${f.index}]`));
        k.halt.stop('crashed');
        // The existing kernel/crash probe, for procnto itself (pid 1) rather than one of its processes.
        k.trace('crash', { pid: 1, tid: 0, name: 'procnto', error: `kernel fault (faults[${f.index}])`, kernel: true });
        what = `${node.name}'s kernel crashed at ${seconds(q.now)}`;
      });
      return () => `faults[${f.index}] crash: ${what}`;
    }
    case 'hang': {
      let what = 'the run ended first';
      let hung: Kernel | null = null;
      at('hang', f.at, () => {
        const k = node.kernel;
        if (!k || k.halt.kind !== null) {
          what = k ? `the kernel was already ${k.halt.kind}: nothing hung` : 'no kernel was running: nothing hung';
          trace('hang', { skipped: true });
          return;
        }
        k.halt.stop('hung');
        hung = k;
        k.trace('hang', { on: true });
        what = `${node.name}'s CPUs stopped at ${seconds(q.now)}${f.until === null ? ' for good' : ''}`;
      });
      if (f.until !== null) {
        at('resume', f.until, () => {
          const k = hung;
          if (!k) return;
          const ns = k.halt.resume();
          if (ns === 0) {
            what += ` (then ${k.halt.kind ?? 'recovered'}, so they never resumed)`;
            return;
          }
          k.trace('hang', { on: false, ns });
          what += `, went on at ${seconds(q.now)}`;
        });
      }
      return () => `faults[${f.index}] hang: ${what}`;
    }
    case 'power-cycle':
      return powerCycle(a, node, f, faultsOf, off, at, trace);
  }
}

function powerCycle(
  a: Assembled,
  node: SimNode,
  f: NodeFault,
  faultsOf: (link: string) => LinkFaults,
  off: PoweredOff,
  at: (name: string, t: Time, fn: () => void) => void,
  trace: (probe: string, fields: Record<string, string | number | boolean>) => void,
): () => string {
  const q = a.sim.queue;
  const id = `fault${f.index}`;
  const chipset = captureChipset(node);
  const ports = portsByLink(node);
  let offAt: Time | null = null;
  let bootsBefore = 0;
  let alreadyOff: number | null = null;
  at('power-off', f.at, () => {
    const by = off.get(node.name);
    if (by !== undefined) {
      // Switching off a node that is off changes nothing; the power-cycle that switched it off switches it on.
      alreadyOff = by;
      trace('power-off', { skipped: true });
      return;
    }
    off.set(node.name, f.index);
    offAt = q.now;
    bootsBefore = node.bootTimes.length;
    node.console.flush();
    node.powerOff();
    for (const [link, p] of ports) faultsOf(link).down(p, id);
    trace('power-off', {});
  });
  at('power-on', f.at + f.off, () => {
    if (off.get(node.name) !== f.index) return;
    off.delete(node.name);
    powerOnReset(node, chipset);
    for (const [link, p] of ports) faultsOf(link).up(p, id);
    trace('power-on', {});
    node.powerOn();
  });
  return () => {
    if (alreadyOff !== null) return `faults[${f.index}] power-cycle: ${node.name} was already off (faults[${alreadyOff}]): nothing changed`;
    if (offAt === null) return `faults[${f.index}] power-cycle: the run ended before ${node.name} was switched off`;
    const again = node.bootTimes[bootsBefore];
    const on = f.at + f.off;
    const after = again !== undefined ? `booted again at ${seconds(again)}` : q.now >= on ? 'powered on, the run ended before it booted' : 'still off at the end of the run';
    return `faults[${f.index}] power-cycle: ${node.name} off at ${seconds(offAt)}, ${after}`;
  };
}

/**
 * An unplug's report: when the cable went and came back, and when each of the node's ports on the link had link
 * again (auto-negotiation records of its segment; a station without auto-negotiation has link at once).
 */
export function unplugReport(a: Assembled, f: LinkFault, ports: readonly string[]): () => string {
  let linkUp: Time | null = null;
  const q = a.sim.queue;
  const plugged = f.until;
  // The auto-negotiation segments of the node's ports: a cable's is the cable; a hub port's has the station's
  // port name; a switch port's is "<switch>.p<index>" in attachment order (switch-port.ts).
  const m = a.network.media.get(f.link);
  const segs = new Set<string>(
    m instanceof Cable ? [f.link] : m instanceof Switch ? m.portInfos().flatMap((p, i) => (ports.includes(p.name) ? [`${f.link}.p${i}`] : [])) : ports,
  );
  const mine = (seg: string): boolean => segs.has(seg);
  a.sim.tracer.addSink((rec: TraceRecord) => {
    if (plugged === null || rec.t < plugged || linkUp !== null || rec.layer !== 'autoneg' || rec.probe !== 'link-up') return;
    if (mine(String(rec.f?.['seg'] ?? ''))) linkUp = rec.t;
  });
  return () => {
    const who = `${f.node}'s cable on ${f.link} (${ports.join(', ')})`;
    // The down/up events (inject.ts linkFault) ran by now if the run reached their times.
    const pulled = f.at;
    if (q.now < pulled) return `faults[${f.index}] unplug: the run ended before ${who} was pulled`;
    if (plugged === null || q.now < plugged) return `faults[${f.index}] unplug: ${who} pulled at ${seconds(pulled)}, not plugged back in before the end`;
    const up = linkUp !== null ? `link up again at ${seconds(linkUp)} (auto-negotiation)` : 'no auto-negotiation record after it (a station without auto-negotiation has link at once)';
    return `faults[${f.index}] unplug: ${who} pulled at ${seconds(pulled)}, plugged back in at ${seconds(plugged)}, ${up}`;
  };
}
