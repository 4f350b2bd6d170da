/** Test radios on a WirelessChannel: a listener that records what the medium tells it, and 802.11 frame builders. */
import { componentContext, SimEvent, Simulation, type TraceRecord } from '../../../emulator/machine/sim';
import { WirelessChannel, type WirelessConfig } from '../../../emulator/machine/net/wireless/medium';
import { Positions } from '../../../emulator/machine/net/wireless/position';
import type { Position, Ppdu, RadioListener, RadioPort, RxInfo, WifiRate } from '../../../emulator/machine/net/wireless/radio';

export interface AirRig {
  sim: Simulation;
  air: WirelessChannel;
  positions: Positions;
  recs: TraceRecord[];
  at(t: number, fn: () => void): void;
  radio(name: string, p: Position, mac?: number): TestRadio;
  run(until: number): void;
}

export function airRig(seed = 1, config: Partial<WirelessConfig> = {}): AirRig {
  const sim = new Simulation(seed);
  const recs: TraceRecord[] = [];
  sim.tracer.addSink((r) => recs.push(r));
  const air = new WirelessChannel(componentContext(sim, '', 'air'), config);
  const positions = new Positions(componentContext(sim, '', 'positions'));
  let n = 0;
  return {
    sim, air, positions, recs,
    at(t, fn) {
      sim.queue.schedule(new SimEvent(`test.at${n++}`, fn), t);
    },
    radio(name, p, mac) {
      positions.place(name, p);
      const r = new TestRadio(sim, mac ?? radios++);
      r.port = air.attach(r, name, positions.of(name));
      return r;
    },
    run(until) {
      sim.queue.runUntil(until);
    },
  };
}
let radios = 1;

/** Records rxEnd / ccaChanged / txDone with their times. */
export class TestRadio implements RadioListener {
  port!: RadioPort;
  readonly rx: { t: number; ppdu: Ppdu; info: RxInfo }[] = [];
  readonly cca: { t: number; busy: boolean }[] = [];
  readonly done: number[] = [];
  readonly addr: Uint8Array;

  constructor(private readonly sim: Simulation, mac: number) {
    this.addr = Uint8Array.of(0x02, 0, 0, 0, 0, mac & 0xff);
  }
  rxEnd(ppdu: Ppdu, info: RxInfo): void {
    this.rx.push({ t: this.sim.queue.now, ppdu, info });
  }
  ccaChanged(busy: boolean): void {
    this.cca.push({ t: this.sim.queue.now, busy });
  }
  txDone(): void {
    this.done.push(this.sim.queue.now);
  }
  macAddress(): Uint8Array {
    return this.addr;
  }
  send(mpdu: Uint8Array, rate: WifiRate, pktId = 0, shortPreamble = false): void {
    this.port.transmit({ mpdu, rate, pktId, shortPreamble });
  }
}

/** An 802.11 data frame (FromDS/ToDS 0) of `len` bytes: header 24 bytes, LLC/SNAP, payload filled with `fill`. */
export function dataFrame(to: Uint8Array, from: Uint8Array, len: number, fill = 0x5a): Uint8Array {
  const f = new Uint8Array(Math.max(len, 32)).fill(fill);
  f[0] = 0x08; // type data, subtype 0
  f[1] = 0x00;
  f[2] = 0x2c; // duration 44 µs
  f[3] = 0x00;
  f.set(to, 4);
  f.set(from, 10);
  f.set(from, 16); // BSSID
  f[22] = 0x10;
  f[23] = 0x00;
  f.set([0xaa, 0xaa, 0x03, 0, 0, 0, 0x88, 0xb5], 24); // LLC/SNAP, local experimental EtherType
  return f;
}

/** An ACK (14 bytes with FCS: 10 here). */
export function ackFrame(to: Uint8Array): Uint8Array {
  const f = new Uint8Array(10);
  f[0] = 0xd4;
  f.set(to, 4);
  return f;
}

/** A beacon from `bssid` with SSID `ssid`, DS parameter set `channel`, supported rates. */
export function beaconFrame(bssid: Uint8Array, ssid: string, channel: number): Uint8Array {
  const body = [
    0, 0, 0, 0, 0, 0, 0, 0, // timestamp
    0x64, 0x00, // beacon interval 100 TU
    0x01, 0x04, // capability: ESS, short preamble
    0, ssid.length, ...[...ssid].map((c) => c.charCodeAt(0)),
    1, 8, 0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24,
    3, 1, channel,
  ];
  const f = new Uint8Array(24 + body.length);
  f[0] = 0x80;
  f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 4);
  f.set(bssid, 10);
  f.set(bssid, 16);
  f.set(body, 24);
  return f;
}
