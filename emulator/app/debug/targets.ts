/**
 * Naming things in debugger commands: a node's io-pkt stacks, and a NIC as `<node>.<nic>` where <nic> is the
 * scenario's NIC index name (`nic0`, as in NIC trace records) or an interface name the node's io-pkt gave it
 * (`en0`). Interfaces map to NICs by station address (the PROM MAC); before io-pkt has attached them, `enN`
 * falls back to the N-th NIC of the node (what io-pkt's enmap yields when every NIC is Ethernet).
 */
import { IOPKT_LOCAL_KEY } from '../../../stack/io-pkt/main';
import type { NetStack } from '../../../stack/net/stack';
import type { IoPktProcess } from '../../../stack/io-pkt/process';
import type { Ifnet } from '../../../stack/net/if';
import { isGuest, type AnyNode, type NicRef, type SimInstance } from './instance';

export interface StackRef {
  pid: number;
  name: string;
  stack: NetStack;
  /** The io-pkt process itself (threads, the stack context). */
  proc: IoPktProcess;
}

/** The io-pkt instances running on a node (usually one), in pid order; none on a guest (its stack is Linux's). */
export function stacksOf(node: AnyNode): StackRef[] {
  if (isGuest(node)) return [];
  const k = node.kernel;
  if (!k) return [];
  const out: StackRef[] = [];
  for (const p of k.procs.list()) {
    const io = p.local.get(IOPKT_LOCAL_KEY);
    if (io && io.stack) out.push({ pid: p.pid, name: p.name, stack: io.stack, proc: io });
  }
  return out;
}

const sameMac = (a: Uint8Array, b: Uint8Array): boolean => a.length >= 6 && b.length >= 6 && [0, 1, 2, 3, 4, 5].every((i) => a[i] === b[i]);

/** The interface (if any) io-pkt attached for a NIC. */
export function ifnetOf(nic: NicRef): Ifnet | undefined {
  for (const s of stacksOf(nic.node)) {
    for (const ifp of s.stack.ifs.list) {
      let perm: Uint8Array | undefined;
      try {
        perm = ifp.ops.config(ifp).permanentMac;
      } catch {
        perm = undefined;
      }
      if ((perm && sameMac(perm, nic.mac)) || sameMac(ifp.lladdr, nic.mac)) return ifp;
    }
  }
  return undefined;
}

/** Resolve "alpha.en0" / "alpha.nic0". Returns the NIC or an error message. */
export function resolveNic(inst: SimInstance, text: string): NicRef | string {
  const dot = text.indexOf('.');
  if (dot <= 0) return `expected <node>.<nic> (e.g. alpha.nic0 or alpha.en0), got '${text}'`;
  const nodeName = text.slice(0, dot);
  const nicName = text.slice(dot + 1);
  if (inst.isRemoteGuest(nodeName)) return remoteGuestNote(nodeName, 'its NIC models');
  const node = inst.anyNode(nodeName);
  if (!node) return `no node '${nodeName}' (nodes: ${inst.nodeNames.join(', ')})`;
  const mine = [...inst.nics.values()].filter((n) => n.node === node);
  const byIndex = /^nic(\d+)$/.exec(nicName);
  if (byIndex) {
    const n = mine[Number(byIndex[1])];
    if (n) return n;
  } else {
    for (const s of stacksOf(node)) {
      const ifp = s.stack.ifs.byName(nicName);
      if (!ifp) continue;
      const n = mine.find((x) => sameMac(x.mac, ifp.lladdr) || ifnetOf(x) === ifp);
      if (n) return n;
    }
    const en = /^en(\d+)$/.exec(nicName);
    if (en && mine[Number(en[1])]) return mine[Number(en[1])]!;
  }
  const names = mine.map((n) => {
    const ifp = ifnetOf(n);
    return ifp ? `nic${n.index} (${ifp.name})` : `nic${n.index}`;
  });
  const guest = isGuest(node) ? ` (${nodeName} is a Linux guest: name its NICs nicN, in scenario order)` : '';
  return `no NIC '${nicName}' on ${nodeName} (NICs: ${names.join(', ') || 'none'})${guest}`;
}

/**
 * Why `what` of guest `name` cannot be shown: in a threaded run (`debug --threads`) the guest ran in a worker thread
 * and is replayed from what it sent (emulator/app/assembly/guest-recording.ts); its records and console are in the trace.
 */
export function remoteGuestNote(name: string, what: string): string {
  return (
    `${name} is a Linux guest that ran in a worker thread (the threaded engine: two or more guests, or --threads): ${what} stayed there, and this session replays ` +
    `only what it sent — its trace records and console lines are in the trace (list, path, next); to look at its NICs, debug with --no-threads (the single-threaded engine: another run)`
  );
}
