/**
 * A NetStack on the fake environment (tests/net-stack/harness.ts) with an if_bridge and N fake Ethernet members
 * whose drivers record filter reprogramming; frames built by hand; ioctl generators run to completion; virtual
 * time advanced with the stack's callouts run as io-pkt's stack pass would.
 */
import type { Co } from '../../stack/kernel/api';
import { IFF_PROMISC, IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';
import type { Mbuf } from '../../stack/net/mbuf';
import { NetStack } from '../../stack/net/stack';
import { IfBridge } from '../../stack/net/bridge/index';
import { bridgeIoctl } from '../../stack/net/bridge/ioctl';
import type { BridgeSoftc } from '../../stack/net/bridge/softc';
import { parseMac } from '../../stack/net/wire/addr';
import type { BrdgCmd } from '../../stack/include/net/if_bridgevar';
import { FakeEnv, fakeEther } from '../net-stack/harness';

/** Run an ioctl generator that never blocks (the fake drivers' setFilter does not). */
export function run<T>(g: Co<T>): T {
  const r = g.next();
  if (!r.done) throw new Error('ioctl blocked in a test without a kernel');
  return r.value;
}

export interface Member {
  ifp: Ifnet;
  /** (flags & IFF_PROMISC) each time the driver's setFilter ran. */
  filterCalls: boolean[];
}

export function member(name: string, mac: string): Member {
  const ifp = fakeEther(name, mac);
  const m: Member = { ifp, filterCalls: [] };
  ifp.ops = {
    ...ifp.ops,
    *setFilter(i: Ifnet): Co<void> {
      m.filterCalls.push((i.flags & IFF_PROMISC) !== 0);
    },
  };
  ifp.flags |= IFF_UP | IFF_RUNNING;
  return m;
}

export const MAC = {
  en0: '00:50:c2:00:01:00', en1: '00:50:c2:00:01:01', en2: '00:50:c2:00:01:02',
  a: '00:50:c2:00:00:0a', b: '00:50:c2:00:00:0b', c: '00:50:c2:00:00:0c', d: '00:50:c2:00:00:0d',
} as const;

export class BridgeRig {
  readonly env = new FakeEnv();
  readonly s = new NetStack(this.env);
  readonly br = new IfBridge(this.s);
  readonly m: Member[];
  sc!: BridgeSoftc;

  /** `macBase`: members get 00:50:c2:00:<macBase>:<i> (default 01: en0 = MAC.en0). */
  constructor(nMembers = 2, macBase = 1) {
    this.s.bridge = this.br;
    this.m = [];
    for (let i = 0; i < nMembers; i++) {
      const mem = member(`en${i}`, `00:50:c2:00:${macBase.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`);
      this.s.attachInterface(mem.ifp, 'ether');
      this.m.push(mem);
    }
  }

  /** ifconfig bridge0 create; brconfig bridge0 add en(N-1) … add en0 up (members listed en0 first, as added last). */
  setup(): this {
    expect(this.br.cloneCreate('bridge0')).toBe(0);
    this.sc = this.br.list[0]!;
    for (let i = this.m.length - 1; i >= 0; i--) expect(this.brdg('BRDGADD', { ifbr_ifsname: `en${i}` })).toEqual({});
    expect(this.ioctl('SIOCSIFFLAGS', { flags: IFF_UP })).toEqual({});
    this.env.traces.length = 0;
    return this;
  }

  ioctl(dcmd: string, d: Record<string, unknown>): unknown {
    return run(bridgeIoctl(this.br, this.sc, dcmd, { name: 'bridge0', ...d }));
  }

  /** A BRDG* command through SIOCGDRVSPEC (gets) or SIOCSDRVSPEC (sets), as brconfig's do_cmd sends it. */
  brdg(cmd: BrdgCmd, data: Record<string, unknown>, get = /^BRDG(G|RTS)/.test(cmd)): unknown {
    return this.ioctl(get ? 'SIOCGDRVSPEC' : 'SIOCSDRVSPEC', { ifd_cmd: cmd, ifd_data: data });
  }

  /** The address cache as BRDGRTS returns it: "mac ifname expire flags" per entry. */
  cache(): string[] {
    const r = this.brdg('BRDGRTS', { ifbac_len: 8192 }) as { data: { ifbac_req: { ifba_dst: Uint8Array; ifba_ifsname: string; ifba_expire: number; ifba_flags: number }[] } };
    return r.data.ifbac_req.map((a) => `${Array.from(a.ifba_dst, (b) => b.toString(16).padStart(2, '0')).join(':')} ${a.ifba_ifsname} ${a.ifba_expire} ${a.ifba_flags}`);
  }

  /** A frame received on member `i` (NetStack.fastInput, as io-pkt calls it). Returns (consumed, the mbuf). */
  rx(i: number, frame: Uint8Array, pktId = 1): { consumed: boolean; m: Mbuf } {
    const m: Mbuf = { data: frame, pktId };
    return { consumed: this.s.fastInput(this.m[i]!.ifp, m), m };
  }

  /** What each member's if_snd holds (taken). */
  sent(): Uint8Array[][] {
    return this.m.map((x) => x.ifp.snd.splice(0).map((mb) => mb.data));
  }

  /** Advance virtual time by `ns` and run what is due, as a stack pass does (callouts, bridgeintrq). */
  advance(ns: number): void {
    const end = this.env.t + ns;
    for (;;) {
      const next = this.s.callouts.next();
      if (next === null || next > end) break;
      this.env.t = Math.max(this.env.t, next);
      this.s.runTimers();
    }
    this.env.t = end;
  }

  /** Run the stack pass now (bridgeintrq learning requests). */
  stackPass(): void {
    this.s.runTimers();
  }

  bridgeTraces(probe?: string): Record<string, unknown>[] {
    return this.env.traces.filter((t) => t.layer === 'bridge' && (!probe || t.probe === probe)).map((t) => t.f ?? {});
  }
}

/** An Ethernet II frame of `len` bytes (60 = minimum without FCS). */
export function frame(dst: string, src: string, type = 0x88b5, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  f.set(parseMac(dst)!, 0);
  f.set(parseMac(src)!, 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  return f;
}

export const BCAST = 'ff:ff:ff:ff:ff:ff';
