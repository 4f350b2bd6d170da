/** A NetStack on a fake environment with one fake Ethernet interface whose send queue the test reads. */
import { IFF_BROADCAST, IFF_MULTICAST, IFF_RUNNING, IFF_SIMPLEX, IFF_UP, newIfData, type Ifnet, type IfnetOps } from '../../stack/net/if';
import type { Mbuf } from '../../stack/net/mbuf';
import type { NetEnv } from '../../stack/net/env';
import { NetStack } from '../../stack/net/stack';
import { parseIpv4, parseMac } from '../../stack/net/wire/addr';

export interface TraceRec { layer: string; probe: string; pkt: number; f?: Record<string, unknown> }

export class FakeEnv implements NetEnv {
  t = 0;
  charged = 0;
  traces: TraceRec[] = [];
  kicks: string[] = [];
  logs: string[] = [];
  private deferred: (() => void)[] = [];
  private pkt = 1000;
  timerChanges = 0;
  now(): number { return this.t; }
  charge(ns: number): void { this.charged += ns; }
  trace(layer: string, probe: string, pkt: number, f?: Record<string, unknown>): void { this.traces.push({ layer, probe, pkt, f }); }
  newPktId(): number { return this.pkt++; }
  kick(ifp: Ifnet): void { this.kicks.push(ifp.name); }
  defer(fn: () => void): void { this.deferred.push(fn); }
  timersChanged(): void { this.timerChanges++; }
  /** The syslog priority of each log line (undefined: LOG_INFO). */
  priorities: (number | undefined)[] = [];
  log(text: string, priority?: number): void { this.logs.push(text); this.priorities.push(priority); }
  /** A seeded xorshift32 stream (tests set `seed` for a different run). */
  seed = 0x2545f491;
  random32(): number { let x = this.seed; x ^= x << 13; x ^= x >>> 17; x ^= x << 5; this.seed = x >>> 0; return this.seed; }
  flush(): void { for (const fn of this.deferred.splice(0)) fn(); }
  probes(layer: string): string[] { return this.traces.filter((r) => r.layer === layer).map((r) => r.probe); }
}

const nullOps: IfnetOps = {
  *init(ifp) { ifp.flags |= IFF_RUNNING; return 0; },
  *start() { /* the test drains snd */ },
  *stop(ifp) { ifp.flags &= ~IFF_RUNNING; },
  config() { throw new Error('not used'); },
  stats() { throw new Error('not used'); },
};

export function fakeEther(name: string, mac: string): Ifnet {
  return {
    name, unit: 0, driver: 'fake', flags: IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST, mtu: 1500,
    lladdr: parseMac(mac)!, media: { subtype: '10baseT', fullDuplex: false, linkUp: true }, snd: [], sndMax: 50,
    data: newIfData(), multicast: [], ops: nullOps, softc: null,
  };
}

export function ip(s: string): number {
  return parseIpv4(s)!;
}

/** A stack with en0 (mac, address/24) up and running. */
export function makeStack(mac = '00:50:c2:00:00:02', addr = '10.77.0.2', opts: { forward?: boolean } = {}) {
  const env = new FakeEnv();
  const s = new NetStack(env, opts);
  const en0 = fakeEther('en0', mac);
  s.attachInterface(en0, 'ether');
  en0.flags |= IFF_UP | IFF_RUNNING;
  const ia = s.addAddress(en0, ip(addr), 0xffffff00);
  s.addressUp(en0, ia);
  en0.snd.length = 0; // drop the gratuitous ARP
  env.traces.length = 0;
  return { env, s, en0 };
}

export function take(ifp: Ifnet): Mbuf[] {
  return ifp.snd.splice(0);
}

export function rx(s: NetStack, ifp: Ifnet, frame: Uint8Array, pktId = 1): void {
  s.input(ifp, { data: frame.slice(), pktId });
  s.drainLoopback();
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
