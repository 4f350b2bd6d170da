/**
 * A fake wireless world for net80211 tests, independent of the RT2560 model and devnp-ral: an event queue
 * on virtual time, a fake io-pkt host per node (timeouts, kicks, ether_input), a fake driver that chains
 * net80211's state hook the way rt2560_newstate does (tunes the channel, dwell timer while scanning, beacon
 * template and a beacon every interval in hostap) and puts every frame net80211 queues on the "air", and an
 * air that delivers a frame to every other node on the same channel whose link is up, after the frame's
 * airtime at 1 Mb/s (management) or 54 Mb/s (data).
 */
import type { Co, ThreadCtx } from '../../stack/kernel/api';
import type { IoPkt } from '../../stack/io-pkt/driver-api';
import { newIfData, IFF_BROADCAST, IFF_MULTICAST, IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';
import type { Mbuf } from '../../stack/net/mbuf';
import { Crypto } from '../../stack/crypto/crypto';
import { ieee80211_beacon_alloc, ieee80211_beacon_update } from '../../stack/net80211/beacon';
import { ieee80211_ifattach } from '../../stack/net80211/ieee80211';
import { ieee80211_input_stack, ieee80211_input } from '../../stack/net80211/input';
import { ieee80211_encap, ieee80211_find_txnode } from '../../stack/net80211/output';
import { ieee80211_new_state } from '../../stack/net80211/proto';
import { ieee80211_next_scan } from '../../stack/net80211/scan';
import { ieee80211_channels_2ghz_bg, ieee80211_txtime, IEEE80211_MODE_11B, IEEE80211_MODE_11G, IEEE80211_RATESET_11B, IEEE80211_RATESET_11G } from '../../stack/net80211/rates';
import { IEEE80211_C_HOSTAP, IEEE80211_C_IBSS, IEEE80211_C_SHPREAMBLE, IEEE80211_C_SHSLOT, IEEE80211_TU_NS, Ieee80211Com, type BeaconOffsets, type Ieee80211Host } from '../../stack/net80211/var';

/** Run a generator that must not block on the kernel (net80211 never does by itself). */
export function run<T>(g: Co<T>): T {
  const r = g.next();
  if (!r.done) throw new Error('net80211 yielded a kernel operation in a fake-air test');
  return r.value;
}

interface Ev {
  t: number;
  seq: number;
  fn: () => void;
  dead: boolean;
}

export class Clock {
  now = 0;
  private q: Ev[] = [];
  private seq = 0;
  at(t: number, fn: () => void): () => void {
    const e: Ev = { t, seq: this.seq++, fn, dead: false };
    this.q.push(e);
    this.q.sort((a, b) => a.t - b.t || a.seq - b.seq);
    return () => {
      e.dead = true;
    };
  }
  runUntil(t: number): void {
    for (;;) {
      const e = this.q[0];
      if (!e || e.t > t) break;
      this.q.shift();
      if (e.dead) continue;
      this.now = e.t;
      e.fn();
    }
    this.now = t;
  }
}

/** A frame on the air, as the test sees it. */
export interface AirFrame {
  t: number;
  from: string;
  data: Uint8Array;
}

/** The thread context net80211 and the crypto API see: CPU charges and traces go nowhere. */
const NULL_CTX = { charge: () => {}, trace: () => {} } as unknown as ThreadCtx;

export class FakeNode {
  readonly ic: Ieee80211Com;
  readonly ifp: Ifnet;
  /** Ethernet frames ether_input got. */
  readonly delivered: Mbuf[] = [];
  readonly trace: { probe: string; f: Record<string, unknown> }[] = [];
  linkUp = false;
  bo: BeaconOffsets | null = null;
  private cancelDwell: (() => void) | null = null;
  private cancelBeacon: (() => void) | null = null;
  private beacon: Mbuf | null = null;
  /** Scan dwell time (rt2560: 200 ms). */
  dwellNs = 200_000_000;
  /** The hc stack's crypto API, once enableCrypto() made one (CCMP needs it). */
  crypto: Crypto | null = null;
  /** RTM_IEEE80211 messages the node's routing sockets would read. */
  readonly rtm: Uint8Array[] = [];

  constructor(readonly air: FakeAir, readonly name: string, readonly mac: Uint8Array) {
    const node = this;
    const clock = air.clock;
    this.ifp = {
      name: 'ral0', unit: 0, driver: 'fake', flags: IFF_BROADCAST | IFF_MULTICAST, mtu: 1500, lladdr: mac.slice(),
      media: { subtype: 'none', fullDuplex: false, linkUp: false }, snd: [], sndMax: 256, data: newIfData(), multicast: [],
      ops: {
        *init() {
          node.ifp.flags |= IFF_RUNNING;
          yield* ieee80211_new_state(node.ic, 'INIT', -1);
          yield* ieee80211_new_state(node.ic, node.ic.opmode === 'monitor' ? 'RUN' : 'SCAN', -1);
          return 0;
        },
        *start() {
          node.start();
        },
        *stop() {
          yield* ieee80211_new_state(node.ic, 'INIT', -1);
          node.ifp.flags &= ~IFF_RUNNING;
        },
        config: () => ({}) as never,
        stats: () => ({}) as never,
      },
      softc: null,
    };
    const iopkt = {
      ifInput: (_ctx: ThreadCtx, _ifp: Ifnet, m: Mbuf) => {
        clock.at(clock.now, () => run(ieee80211_input_stack(node.ic, m)));
      },
    } as unknown as IoPkt;
    const host: Ieee80211Host = {
      ctx: NULL_CTX,
      now: () => clock.now,
      charge: () => {},
      trace: (_l, probe, _p, f) => {
        node.trace.push({ probe, f: f ?? {} });
      },
      newPktId: () => ++air.pktIds,
      log: () => {},
      timeout: (delayNs, _name, fn) => clock.at(clock.now + Math.max(1, delayNs), () => run(fn(NULL_CTX))),
      kick: () => {
        clock.at(clock.now, () => node.start());
      },
      etherInput: (_ifp, m) => {
        node.delivered.push(m);
      },
      linkState: (_ifp, up) => {
        node.linkUp = up;
      },
      get crypto() {
        return node.crypto;
      },
      routeMessage: (data) => {
        node.rtm.push(data);
      },
    };
    const ic = new Ieee80211Com(iopkt, this.ifp);
    ic.myaddr = mac.slice();
    ic.caps = IEEE80211_C_IBSS | IEEE80211_C_HOSTAP | IEEE80211_C_SHPREAMBLE | IEEE80211_C_SHSLOT;
    ic.channels = ieee80211_channels_2ghz_bg();
    ic.supRates[IEEE80211_MODE_11B] = [...IEEE80211_RATESET_11B];
    ic.supRates[IEEE80211_MODE_11G] = [...IEEE80211_RATESET_11G];
    this.ic = ic;
    ieee80211_ifattach(ic, host);
    const parent = ic.newstate;
    // rt2560_newstate's shape: stop the scan timer, program the "chip" for the new state, then chain.
    ic.newstate = function* (nstate, arg) {
      node.cancelDwell?.();
      node.cancelDwell = null;
      node.cancelBeacon?.();
      node.cancelBeacon = null;
      if (nstate === 'SCAN') {
        node.cancelDwell = clock.at(clock.now + node.dwellNs, () => {
          node.cancelDwell = null;
          run(ieee80211_next_scan(ic));
        });
      }
      if (nstate === 'RUN' && ic.opmode === 'hostap') node.startBeacons();
      return yield* parent(nstate, arg);
    };
  }

  private startBeacons(): void {
    const { m, bo } = ieee80211_beacon_alloc(this.ic, this.ic.bss);
    this.beacon = m;
    this.bo = bo;
    const period = this.ic.bintval * IEEE80211_TU_NS;
    const tick = (): void => {
      if (!this.beacon || !this.bo) return;
      ieee80211_beacon_update(this.ic, this.ic.bss, this.bo, this.beacon, 0);
      this.air.send(this, this.beacon.data.slice(), 2);
      this.cancelBeacon = this.air.clock.at(this.air.clock.now + period, tick);
    };
    this.cancelBeacon = this.air.clock.at(this.air.clock.now + period, tick);
  }

  /** The crypto API with its software provider; completions run "in the stack context" at the same instant. */
  enableCrypto(): Crypto {
    const clock = this.air.clock;
    const c: Crypto = new Crypto({ wake: () => clock.at(clock.now, () => c.runReturns(NULL_CTX)) });
    this.crypto = c;
    return c;
  }

  /** if_start: management frames, encrypted data (ic_cryptoq), then (in RUN) data. */
  start(): void {
    const ic = this.ic;
    for (;;) {
      const mg = ic.mgtq.shift();
      if (!mg) break;
      this.air.send(this, mg.m.data, 2);
    }
    for (;;) {
      const cq = ic.cryptoq.shift();
      if (!cq) break;
      this.air.send(this, cq.m.data, 108);
    }
    if (ic.state !== 'RUN') return;
    for (;;) {
      const m0 = this.ifp.snd.shift();
      if (!m0) break;
      const ni = ieee80211_find_txnode(ic, m0.data.subarray(0, 6));
      if (!ni) continue;
      const m = ieee80211_encap(ic, m0, ni);
      if (m) this.air.send(this, m.data, 108);
    }
  }

  /** ifconfig up. */
  up(): void {
    this.ifp.flags |= IFF_UP;
    run(this.ifp.ops.init(this.ifp));
  }

  /** Queue an Ethernet frame for output (what ether_output does). */
  output(dst: Uint8Array, type: number, payload: Uint8Array): void {
    const e = new Uint8Array(14 + payload.length);
    e.set(dst, 0);
    e.set(this.mac, 6);
    e[12] = type >> 8;
    e[13] = type & 0xff;
    e.set(payload, 14);
    this.ifp.snd.push({ data: e, pktId: ++this.air.pktIds });
    this.air.clock.at(this.air.clock.now, () => this.start());
  }

  probes(name: string): Record<string, unknown>[] {
    return this.trace.filter((t) => t.probe === name).map((t) => t.f);
  }
}

export class FakeAir {
  readonly clock = new Clock();
  readonly nodes: FakeNode[] = [];
  readonly log: AirFrame[] = [];
  pktIds = 0;
  /** Links that are down ("out of range"), as "a|b" with names sorted. */
  private readonly cut = new Set<string>();
  /** RSSI every receiver reports. */
  rssi = 40;

  add(name: string, mac: string): FakeNode {
    const n = new FakeNode(this, name, Uint8Array.from(mac.split(':').map((x) => parseInt(x, 16))));
    this.nodes.push(n);
    return n;
  }

  setLink(a: FakeNode, b: FakeNode, up: boolean): void {
    const k = [a.name, b.name].sort().join('|');
    if (up) this.cut.delete(k);
    else this.cut.add(k);
  }

  send(from: FakeNode, data: Uint8Array, rate: number): void {
    const t = this.clock.now;
    this.log.push({ t, from: from.name, data: data.slice() });
    const air = Math.round(ieee80211_txtime(data.length + 4, rate, false) * 1000);
    for (const to of this.nodes) {
      if (to === from || this.cut.has([from.name, to.name].sort().join('|'))) continue;
      if (to.ic.curchan.ieee !== from.ic.curchan.ieee || (to.ifp.flags & IFF_RUNNING) === 0) continue;
      const copy = data.slice();
      this.clock.at(t + air, () => ieee80211_input(NULL_CTX, to.ic, { data: copy, pktId: 0 }, this.rssi, 0));
    }
  }

  /** The management/data frames on the air as "from:subtype" (fc0 byte) after time t. */
  kinds(from = 0): string[] {
    return this.log.filter((f) => f.t >= from).map((f) => `${f.from}:${(f.data[0] ?? 0).toString(16).padStart(2, '0')}`);
  }
}

export const ms = (n: number): number => n * 1_000_000;
export const sec = (n: number): number => n * 1_000_000_000;
