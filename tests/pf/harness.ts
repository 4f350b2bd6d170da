/**
 * A pf router on the net-stack harness: en0 inside (10.0.0.1/24, host 10.0.0.5 behind it), en1 outside
 * (192.0.2.1/24, host 192.0.2.9), forwarding on, ARP entries permanent so forwarded frames leave at once. pf is
 * attached as lsm-pf does it (pflog0, the pfil hook) and loaded through its ioctl handler with tickets.
 */
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';
import type { Mbuf } from '../../stack/net/mbuf';
import { NetStack } from '../../stack/net/stack';
import { Pf } from '../../stack/net/pf/pf';
import { pfIoctl } from '../../stack/net/pf/ioctl';
import { createPflogIf } from '../../stack/net/pf/pflog';
import type { PfAddrWrap, PfPortRange, PfRule, PfRuleset } from '../../stack/include/net/pfvar';
import { FakeEnv, fakeEther } from '../net-stack/harness';
import { MAC, ether, ip4 } from './pkt';

export function addr(cidr: string, neg = false): PfAddrWrap {
  const [a, l] = cidr.split('/');
  const len = l === undefined ? 32 : Number(l);
  const n = ip4(a!);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const b = (v: number) => new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
  return { type: 'addrmask', af: 2, addr: b(n), mask: b(mask), neg };
}
export const any = (neg = false): PfAddrWrap => ({ type: 'any', neg });
export const table = (name: string, neg = false): PfAddrWrap => ({ type: 'table', name, neg });
export const dynif = (ifname: string, neg = false, network = false): PfAddrWrap => ({ type: 'dynif', ifname, network, neg });
export const port = (op: PfPortRange['op'], lo: number, hi = 0): PfPortRange => ({ op, lo, hi });

export function rule(p: Omit<Partial<PfRule>, 'src' | 'dst'> & { src?: Partial<PfRule['src']>; dst?: Partial<PfRule['dst']> } = {}): PfRule {
  return {
    action: 'pass', direction: 'inout', quick: false, log: 'none', ifname: null, ifnot: false, af: 0, proto: 0,
    flags: 0, flagset: 0, type: 0, code: 0, keepState: 'none', blockPolicy: 'drop', rpool: null, label: '', timeouts: {},
    ...p,
    src: { addr: any(), port: null, ...(p.src ?? {}) },
    dst: { addr: any(), port: null, ...(p.dst ?? {}) },
  };
}

export function makeRouter() {
  const env = new FakeEnv();
  env.t = 5_000_000_000;
  const s = new NetStack(env, { forward: true });
  const en0 = fakeEther('en0', '00:50:c2:00:00:01');
  const en1 = fakeEther('en1', '00:50:c2:00:00:11');
  for (const [ifp, a] of [[en0, '10.0.0.1'], [en1, '192.0.2.1']] as const) {
    s.attachInterface(ifp, 'ether');
    ifp.flags |= IFF_UP | IFF_RUNNING;
    s.addAddress(ifp, ip4(a), 0xffffff00);
  }
  s.arp.addPermanent(en0, ip4('10.0.0.5'), MAC.inside);
  s.arp.addPermanent(en1, ip4('192.0.2.9'), MAC.outside);
  const pf = new Pf(s);
  const pflog0 = createPflogIf(0);
  s.attachInterface(pflog0, 'loop');
  pf.pflogif = pflog0;
  s.pfil.inet.add('pf', pf.hook);
  env.traces.length = 0;
  const ioctl = (cmd: string, d: Record<string, unknown> = {}) => pfIoctl(pf, cmd, d);
  /** Load rulesets in one transaction (DIOCXBEGIN, DIOCADDRULE each, DIOCXCOMMIT). */
  const load = (sets: Partial<Record<PfRuleset, PfRule[]>>) => {
    const rs = Object.keys(sets) as PfRuleset[];
    const t = ioctl('DIOCXBEGIN', { rulesets: rs });
    if (typeof t === 'number') throw new Error(`DIOCXBEGIN ${t}`);
    for (const r of rs) for (const x of sets[r]!) {
      const e = ioctl('DIOCADDRULE', { ticket: t.ticket, ruleset: r, rule: x });
      if (typeof e === 'number') throw new Error(`DIOCADDRULE ${e}`);
    }
    const c = ioctl('DIOCXCOMMIT', { ticket: t.ticket });
    if (typeof c === 'number') throw new Error(`DIOCXCOMMIT ${c}`);
  };
  /** A packet arriving on en0 (from the inside host) or en1 (from outside), to the router's MAC. */
  const rx = (ifp: Ifnet, pkt: Uint8Array, pktId = 1) => {
    const src = ifp === en0 ? MAC.inside : MAC.outside;
    const frame = ether(ifp.lladdr, src, pkt);
    s.input(ifp, { data: frame, pktId });
    s.drainLoopback();
  };
  /** IP packets queued on an interface (Ethernet header stripped). */
  const sent = (ifp: Ifnet): Uint8Array[] => ifp.snd.splice(0).map((m: Mbuf) => m.data.slice(14));
  /** Advance virtual time second by second, running callouts (pf's purge). */
  const advance = (sec: number) => {
    for (let i = 0; i < sec; i++) {
      env.t += 1e9;
      s.runTimers();
    }
  };
  pf.start();
  return { env, s, en0, en1, pf, pflog0, ioctl, load, rx, sent, advance };
}
