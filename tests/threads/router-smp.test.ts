/**
 * io-pkt on an SMP router (issue 12 §4): a node with two NICs forwarding both ways with ipflow. On two CPUs the two
 * interrupt sources are serviced at once by different io-pkt threads on different CPUs, each source by one thread
 * at a time (the kernel masks it until io-pkt unmasks), every packet is fast-forwarded without the stack context,
 * and the router forwards more than the same node with one CPU — by more than the slow path, serialized on the
 * stack context, ever could.
 *
 * The far ends are bare test NICs (tests/io-pkt/fake-net.ts) driven by an injector offering 60-byte frames both
 * ways faster than the router can forward, so the router is CPU-bound; the router is a real simulated QNX node
 * (kernel, io-pkt-v4, devnp-fake, ipflow).
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { NetCost } from '../../stack/net/costs';
import { ARP_LEN, ArpOp, ArpPacket, ArpRepr, EtherType, EthernetFrame, EthernetRepr, IpProto, Ipv4Packet, Ipv4Repr, UdpPacket, UdpRepr } from '../../stack/net/wire';
import { parseIpv4 } from '../../stack/net/wire/addr';
import { FakeBus } from '../kernel/helpers';
import { FakeNic, connect } from '../io-pkt/fake-net';
import { mac, makeNode, newSim, type TestNode } from '../io-pkt/rig';

/** Frame length on the NIC: 14 Ethernet + 20 IP + 8 UDP + 18 payload (the 64-byte minimum less the FCS). */
const L = 60;
/** Each direction offers a frame every 2 µs (500 000 frames/s), well above what one CPU forwards. */
const GAP_NS = 2_000;
const T0 = 1_000_000_000;
/** Offered for 6 ms; measured over [T0 + 1 ms, T0 + 6 ms] (the first frames make the flows on the slow path). */
const RUN_NS = 6_000_000;
const WARM_NS = 1_000_000;
const RX_RING = 64;

/** devnp-fake's CPU per frame (fake-net.ts): receive 3000 + 2/byte, transmit 2000 + 2/byte. */
const DRV_RX = 3_000 + 2 * L;
const DRV_TX = 2_000 + 2 * L;
/** ipflow_fastforward on a hit: lookup, header checksum in software, ether_input's share, the forward, ether_output. */
const FAST = NetCost.ipflowLookup + 20 * NetCost.checksumPerByte + NetCost.etherInput + NetCost.ipflowForward + NetCost.etherOutput;
/** The slow path's share, in the stack context: ether_input, ip_input, ip_forward, ip_output, ether_output. */
const SLOW = NetCost.etherInput + NetCost.ipInput + NetCost.ipForward + NetCost.ipOutput + NetCost.etherOutput;

function frame(dstMac: Uint8Array, srcMac: Uint8Array, src: string, dst: string, seq: number): Uint8Array {
  const data = new Uint8Array(L);
  EthernetRepr.emit({ dst: dstMac, src: srcMac, ethertype: EtherType.IPv4 }, new EthernetFrame(data));
  const ipBuf = data.subarray(14);
  const payload = new Uint8Array(18);
  payload[0] = seq & 0xff;
  UdpRepr.emit({ srcPort: 4000, dstPort: 9, payload }, new UdpPacket(ipBuf.subarray(20)), parseIpv4(src)!, parseIpv4(dst)!);
  Ipv4Repr.emit({
    src: parseIpv4(src)!, dst: parseIpv4(dst)!, protocol: IpProto.UDP, ttl: 64, tos: 0, ident: seq & 0xffff, dontFrag: false,
    moreFrags: false, fragOffset: 0, optionsLen: 0, payloadLen: 8 + 18,
  }, new Ipv4Packet(ipBuf));
  return data;
}

function arpWhoHas(sha: Uint8Array, spa: string, tpa: string): Uint8Array {
  const data = new Uint8Array(14 + ARP_LEN);
  EthernetRepr.emit({ dst: new Uint8Array(6).fill(0xff), src: sha, ethertype: EtherType.ARP }, new EthernetFrame(data));
  ArpRepr.emit({ op: ArpOp.Request, sha, spa: parseIpv4(spa)!, tha: new Uint8Array(6), tpa: parseIpv4(tpa)! }, new ArpPacket(data.subarray(14)));
  return data;
}

interface RouterRun {
  /** Frames the router put on each far end's wire inside the measured window. */
  forwarded: number;
  window: number;
  fast: { t: number; thread: string; stk: boolean }[];
  slow: number;
  /** (time, cpu, tid) of every kernel dispatch and the interrupts taken (verbose kernel records). */
  dispatch: { t: number; cpu: number; pid: number; tid: number }[];
  pid: number;
  intrCpus: Set<number>;
  node: TestNode;
  threads: Map<number, string>;
  /** Entries started while another thread was still servicing them (must stay 0). */
  sharedEntry: number;
}

function runRouter(cpus: number): RouterRun {
  const sim = newSim(11);
  const r = makeNode(sim, 'router', { cpus, nics: 2, macBase: 0x11 });
  const farBus = new FakeBus('8259', 1);
  const farA = new FakeNic('farA', mac(0xa1), farBus, 9, sim.queue);
  const farG = new FakeNic('farG', mac(0xa2), farBus, 10, sim.queue);
  // A 64-descriptor receive ring on the router's NICs: what one interrupt can hand up, as bge's ring bounds rxeof.
  for (const n of r.nics) n.rxRing = RX_RING;
  // The far ends only collect what the router sends (no driver drains them).
  farA.rxRing = Infinity;
  farG.rxRing = Infinity;
  connect(farA, r.nics[0]!, 1_000);
  connect(farG, r.nics[1]!, 1_000);
  r.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.1/24', 'ifconfig en1 10.0.2.1/24',
    'sysctl -w net.inet.ip.forwarding=1']);
  // The far ends ask for their gateway: the router learns their addresses from the requests (in_arpinput).
  sim.queue.runUntil(T0 - 1_000_000);
  farA.transmit(arpWhoHas(farA.mac, '10.0.1.2', '10.0.1.1'), 0);
  farG.transmit(arpWhoHas(farG.mac, '10.0.2.2', '10.0.2.1'), 0);
  sim.queue.runUntil(T0);
  let seq = 0;
  const inject = new SimEvent('inject', () => {
    farA.transmit(frame(r.nics[0]!.mac, farA.mac, '10.0.1.2', '10.0.2.2', seq), 0);
    farG.transmit(frame(r.nics[1]!.mac, farG.mac, '10.0.2.2', '10.0.1.2', seq), 0);
    seq++;
    if (sim.queue.now + GAP_NS < T0 + RUN_NS) sim.queue.scheduleIn(inject, GAP_NS);
  }, Priority.Wire);
  sim.queue.schedule(inject, T0);
  const fast: RouterRun['fast'] = [];
  const dispatch: RouterRun['dispatch'] = [];
  const intrCpus = new Set<number>();
  let slow = 0;
  sim.tracer.verbose = true;
  sim.tracer.addSink((rec) => {
    if (rec.node !== 'router') return;
    const f = rec.f ?? {};
    if (rec.layer === 'ip' && rec.probe === 'fastforward') fast.push({ t: rec.t, thread: String(f['thread']), stk: f['stk'] === true });
    if (rec.layer === 'ip' && rec.probe === 'forward') slow++;
    if (rec.layer === 'kernel' && rec.probe === 'dispatch') dispatch.push({ t: rec.t, cpu: Number(f['cpu']), pid: Number(f['pid']), tid: Number(f['tid']) });
    if (rec.layer === 'kernel' && rec.probe === 'interrupt') intrCpus.add(Number(f['cpu']));
  });
  sim.queue.runUntil(T0 + RUN_NS + 1_000_000);
  expect(r.k.crashes).toEqual([]);
  const lo = T0 + WARM_NS;
  const hi = T0 + RUN_NS;
  const inWindow = (n: FakeNic) => n.rx.filter((x) => x.t >= lo && x.t < hi).length;
  const p = r.iopkt();
  return {
    forwarded: inWindow(farA) + inWindow(farG), window: hi - lo, fast, slow, dispatch, intrCpus, node: r,
    pid: r.k.procs.list().find((x) => x.name === 'io-pkt-v4')!.pid,
    threads: new Map(p.threads.list().map((w) => [w.tid, w.name])),
    sharedEntry: p.l2.sharedEntry,
  };
}

describe('a 2-CPU router forwarding both ways with ipflow', () => {
  const one = runRouter(1);
  const two = runRouter(2);

  test('every packet but the flows\' first is fast-forwarded without the stack context', () => {
    for (const x of [one, two]) {
      expect(x.fast.length).toBeGreaterThan(1000);
      expect(x.fast.every((f) => !f.stk)).toBe(true);
      // The slow path (ip_forward, with the stack context) only carried the frames that arrived before each
      // direction's flow existed: ipflow_create runs in the stack context after the first one is forwarded.
      expect(x.slow).toBeLessThan(x.fast.length / 50);
    }
  });

  test('on two CPUs, two io-pkt threads forward at once, on different CPUs', () => {
    const names = new Set(two.fast.map((f) => f.thread));
    expect(names.size).toBeGreaterThanOrEqual(2);
    // Which CPU each thread was last dispatched on, at any time (kernel dispatch records).
    const byName = new Map([...two.threads].map(([tid, name]) => [name, tid]));
    const cpuAt = (tid: number, t: number): number => {
      let cpu = -1;
      for (const d of two.dispatch) {
        if (d.t > t) break;
        if (d.pid === two.pid && d.tid === tid) cpu = d.cpu;
      }
      return cpu;
    };
    // Consecutive fast-forwards by two different threads less than one packet's CPU time (C, ~6.4 µs) apart, on
    // different CPUs: the two sources were being serviced at the same time.
    const C = DRV_RX + FAST + DRV_TX;
    let overlaps = 0;
    for (let i = 1; i < two.fast.length; i++) {
      const a = two.fast[i - 1]!;
      const b = two.fast[i]!;
      if (a.thread === b.thread || b.t - a.t >= C) continue;
      const ca = cpuAt(byName.get(a.thread)!, a.t);
      const cb = cpuAt(byName.get(b.thread)!, b.t);
      if (ca >= 0 && cb >= 0 && ca !== cb) overlaps++;
    }
    expect(overlaps).toBeGreaterThan(two.fast.length / 10);
    // Each source by one thread at a time: no entry was ever entered by a second thread before the first let go.
    expect(two.sharedEntry).toBe(0);
    // The hardware interrupts themselves arrive on CPU 0 (the 8259's INTR goes to the boot CPU); the threads
    // servicing them run wherever the scheduler puts them.
    expect([...two.intrCpus]).toEqual([0]);
  });

  test('two CPUs forward more than one, by more than the slow path could gain', () => {
    const rate1 = one.forwarded / (one.window / 1e9);
    const rate2 = two.forwarded / (two.window / 1e9);
    // Per forwarded frame the router spends C = driver rx + ipflow + driver tx of CPU, interrupt work aside:
    const C = DRV_RX + FAST + DRV_TX; // 3120 + 1162 + 2120 = 6402 ns
    // One CPU cannot beat 1/C; two cannot beat 2/C.
    expect(rate1).toBeLessThanOrEqual(1e9 / C);
    expect(rate2).toBeLessThanOrEqual(2e9 / C);
    // Had every packet gone through the stack context, its share (SLOW + the transmit the holder starts) would run
    // on one CPU at a time: Amdahl's bound for two CPUs is (rx + serial) / (rx / 2 + serial).
    const serial = SLOW + DRV_TX; // 3350 + 2120 = 5470 ns
    const slowPathGain = (DRV_RX + serial) / (DRV_RX / 2 + serial); // 8590 / 7030 ≈ 1.22
    expect(rate2 / rate1).toBeGreaterThan(slowPathGain);
    // And the fast path's gain is real parallelism: not more than the CPUs added.
    expect(rate2 / rate1).toBeLessThanOrEqual(2.05);
  });
});
