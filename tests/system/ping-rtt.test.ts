/**
 * The default VM's ping round trip, computed from the timing model and compared with the run (issue 7 §4):
 * alpha (ISA NE2000, devnp-ne2000) pings beta (PCI RTL8029, devn-ne2000 through devnp-shim) over a hub.
 *
 * The expected figure adds, along the critical path of one steady-state echo (ARP resolved):
 *  - each driver's bus accesses, listed register by register and word by word, at the cycle times the node's
 *    own bus gives (ISA behind the PIIX3 for alpha's card, PCI for beta's, ISA-timed 8259 cycles);
 *  - wire times (preamble + frame + FCS at 10 Mb/s), the hub's propagation, the DP8390's FIFO fill before it
 *    transmits and the ring write after the last bit;
 *  - interrupt INTA, entry, mask, EOI and exit; kernel, stack, shim and driver CPU costs from their tables.
 * Nothing is read back from the run to build the figure; the run is only what it is compared with.
 */
import { DEFAULT_COSTS as K } from '../../stack/kernel/costs';
import { bytesCost, NetCost } from '../../stack/net/costs';
import {
  DRIVER_INTR_ENTRY_NS, DRIVER_RX_PER_FRAME_NS, DRIVER_TX_PER_FRAME_NS, SHIM_COPY_PER_BYTE_NS, SHIM_PER_PACKET_NS,
} from '../../stack/drivers/costs';
import * as R from '../../stack/drivers/dp8390/regs';
import { DP8390_BIT_RATE, fifoThresholdBytes, localDmaTime, RX_TAIL_BYTES } from '../../nic-models/ne2000/timing';
import type { NodeBus } from '../../emulator/machine/bus/node-bus';
import { PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD, PIC_SLAVE_DATA } from '../../emulator/machine/bus/pc-platform';
import { defaultScenario, run } from './helpers';

interface Rec { t: number; node: string; layer: string; probe: string; pkt: number; f?: Record<string, unknown> }

/** The hub's default propagation delay between two ports (emulator/machine/net/hub.ts). */
const HUB_PROPAGATION_NS = 500;
/** An echo request/reply frame: 14 Ethernet + 20 IP + 8 ICMP + 56 data bytes. */
const FRAME = 98;
const ICMP_LEN = FRAME - 14 - 20;
const IP_LEN = FRAME - 14;
/** The header copied out of the ring before each frame (status, next page, count). */
const HDR_WORDS = R.RING_HDR / 2;
const FRAME_WORDS = FRAME / 2;

describe('ping round trip on the default VM, from the timing model', () => {
  const r = run(defaultScenario(), { keepTrace: true });
  const recs = r.trace.map((l) => JSON.parse(l) as Rec);
  const alpha = r.nodes.find((n) => n.name === 'alpha')!;
  const beta = r.nodes.find((n) => n.name === 'beta')!;
  const aBus: NodeBus = alpha.board.nodeBus(alpha.syspage!);
  const bBus: NodeBus = beta.board.nodeBus(beta.syspage!);
  const aBase = 0x300;
  const bBase = beta.syspage!.pci.find((d) => d.vendorId === 0x10ec)!.bars[0]!.base;

  /** Cycle times of one NIC's window on its node's bus. */
  function cycles(bus: NodeBus, base: number) {
    return {
      w8: bus.ioCycleNs(base + R.CR, 1, true),
      r8: bus.ioCycleNs(base + R.P0_ISR, 1, false),
      w16: bus.ioCycleNs(base + R.ASIC_DATA, 2, true),
      r16: bus.ioCycleNs(base + R.ASIC_DATA, 2, false),
    };
  }
  const isa = cycles(aBus, aBase);
  const pci = cycles(bBus, bBase);

  // ---- the NIC and the wire ----------------------------------------------------------------------------
  const wire = ((8 + FRAME + 4) * 8 * 1e9) / DP8390_BIT_RATE; // preamble+SFD, frame, FCS
  const fill = localDmaTime(fifoThresholdBytes(R.DCR_FT1 | R.DCR_LS | R.DCR_WTS), true); // before the MAC starts
  const ringTail = localDmaTime(RX_TAIL_BYTES, true); // FIFO drain + ring header after the last bit
  const onTheWay = fill + wire + HUB_PROPAGATION_NS + ringTail;

  // ---- driver bus accesses (stack/drivers/dp8390) -------------------------------------------------------
  type Cyc = typeof isa;
  /** ne2000-io writeMem (CR, ISR, RBCR0/1, RSAR0/1, CR; OUTSW; one ISR poll finds RDC) and xmit (CR, TPSR, TBCR0/1, CR). */
  const upload = (c: Cyc) => 7 * c.w8 + FRAME_WORDS * c.w16 + c.r8 + 5 * c.w8;
  /** readMem: CR, RBCR0/1, RSAR0/1, CR, then INSW of `words`. */
  const readMem = (c: Cyc, words: number) => 6 * c.w8 + words * c.r16;
  /**
   * The interrupt loop for one received frame (dp8390.ts intr, ring-reader.ts rint):
   * CR, ISR (PRX); ack ISR; rint: CR p1, CURR, CR p0; header; frame; [per-frame CPU, deliver]; BNRY; the
   * loop's second CURR check (CR p1, CURR, CR p0); CR, ISR (RDC left by the remote reads); ack, CR, ISR (0).
   */
  const rxBus = (c: Cyc) =>
    c.w8 + c.r8 + c.w8 + (c.w8 + c.r8 + c.w8) + readMem(c, HDR_WORDS) + readMem(c, FRAME_WORDS) + c.w8 +
    (c.w8 + c.r8 + c.w8) + (c.w8 + c.r8) + (c.w8 + c.w8 + c.r8);

  // ---- interrupt entry and exit (stack/kernel/interrupts.ts, irq-controllers.ts) ------------------------
  /** INTA, entry, the attachment's handler with its IMR write and event, the EOI(s), exit. */
  const interrupt = (bus: NodeBus, slave: boolean) =>
    bus.interruptAcknowledgeNs + K.interruptEntry +
    K.interruptHandler + bus.ioCycleNs(slave ? PIC_SLAVE_DATA : PIC_MASTER_DATA, 1, true) + K.pulse +
    (slave ? bus.ioCycleNs(PIC_SLAVE_CMD, 1, true) : 0) + bus.ioCycleNs(PIC_MASTER_CMD, 1, true) + K.interruptExit;
  /** InterruptUnmask: a kernel call and the IMR write. */
  const unmask = (bus: NodeBus, slave: boolean) => K.kernelCall + bus.ioCycleNs(slave ? PIC_SLAVE_DATA : PIC_MASTER_DATA, 1, true);

  // ---- alpha sends: ping's sendto → io-pkt → ip/ether output → devnp-ne2000 uploads and starts the NIC --
  const sendMsg = K.kernelCall + K.msgPassBase + bytesCost(ICMP_LEN + 32, K.msgPerByte);
  const ipOut = NetCost.ipOutput + bytesCost(20, NetCost.checksumPerByte) + NetCost.etherOutput;
  const aSend =
    sendMsg + K.contextSwitch +
    NetCost.resmgrMessage + bytesCost(ICMP_LEN, NetCost.copyPerByte) /* resmgr write */ +
    bytesCost(ICMP_LEN, NetCost.copyPerByte) /* raw output */ + ipOut + (K.kernelCall + K.msgReplyBase) +
    DRIVER_TX_PER_FRAME_NS + upload(isa);

  // ---- beta: IRQ 11 (slave), devn-ne2000's interrupt thread reads the frame, io-pkt reflects it, ---------
  // ---- devnp-shim hands the reply to devn-ne2000, which uploads it over PCI ----------------------------
  const ipIn = NetCost.etherInput + NetCost.ipInput + bytesCost(20, NetCost.checksumPerByte);
  const bDriver =
    DRIVER_INTR_ENTRY_NS + rxBus(pci) + DRIVER_RX_PER_FRAME_NS +
    SHIM_PER_PACKET_NS + SHIM_COPY_PER_BYTE_NS * FRAME /* tx_up into an mbuf */ +
    unmask(bBus, true) + K.kernelCall /* InterruptWait */;
  const bStack =
    K.contextSwitch + (K.kernelCall + K.pulse) /* the rx pulse to io-pkt, paid by its thread */ + ipIn +
    NetCost.icmp + bytesCost(ICMP_LEN, NetCost.checksumPerByte) +
    bytesCost(ICMP_LEN, NetCost.copyPerByte + NetCost.checksumPerByte) /* icmp_reflect */ + ipOut;
  const bSend = SHIM_PER_PACKET_NS + SHIM_COPY_PER_BYTE_NS * FRAME + DRIVER_TX_PER_FRAME_NS + upload(pci);
  const beta_ = interrupt(bBus, true) + bDriver + bStack + bSend;

  // ---- alpha receives: IRQ 5, io-pkt's interrupt pulse, devnp-ne2000 reads the frame, the stack ---------
  // ---- delivers it to ping's raw socket and replies to its pending read -------------------------------
  const aReceive =
    interrupt(aBus, false) + K.contextSwitch +
    DRIVER_INTR_ENTRY_NS + rxBus(isa) + DRIVER_RX_PER_FRAME_NS + unmask(aBus, false) +
    ipIn + NetCost.icmp + bytesCost(ICMP_LEN, NetCost.checksumPerByte) +
    NetCost.rawDeliver + bytesCost(IP_LEN, NetCost.copyPerByte) + NetCost.socketEnqueue + NetCost.socketWakeup +
    bytesCost(IP_LEN, NetCost.copyPerByte) + (K.kernelCall + K.msgReplyBase + bytesCost(IP_LEN + 16, K.msgPerByte)) +
    2 * K.kernelCall /* TimerSettime, MsgReceive: io-pkt blocks */ + K.contextSwitch /* ping runs */;

  const expected = aSend + onTheWay + beta_ + onTheWay + aReceive;

  test('the bus cycle times the computation uses are the ISA and PCI model\'s', () => {
    // ISA 8-bit write: 8 PCI clocks + (1 + 6 + 4.5) BCLKs; 16-bit data-port write: 8 clocks + (1 + 3 + 4.5).
    expect(isa).toEqual({ w8: 1620, r8: 1650, w16: 1260, r16: 1290 });
    // PCI I/O to the RTL8029 (medium DEVSEL#): 6 clocks write, 7 read, plus the chip's target wait states
    // (nic-models/ne2000/rtl8029-pci.ts): 6 for a DP8390 register, 3 for the data port.
    expect(pci).toEqual({ w8: (6 + 6) * 30, r8: (7 + 6) * 30, w16: (6 + 3) * 30, r16: (7 + 3) * 30 });
    expect([wire, fill, ringTail]).toEqual([88_000, 800, 2000]);
  });

  test('the round trip of an echo is within 10 % of the figure computed from the timing model', () => {
    const sends = recs.filter((x) => x.node === 'alpha' && x.layer === 'app' && x.probe === 'send');
    const recvs = recs.filter((x) => x.node === 'alpha' && x.layer === 'app' && x.probe === 'recv');
    // Echoes 1–3 (echo 0 also waits for ARP).
    for (let i = 1; i <= 3; i++) {
      const rtt = recvs.find((x) => x.t > sends[i]!.t)!.t - sends[i]!.t;
      expect(Math.abs(rtt - expected) / expected).toBeLessThan(0.1);
    }
    const times = [...r.consoles.get('alpha')!.matchAll(/icmp_seq=[123] ttl=255 time=(\d+\.\d+) ms/g)].map((m) => Number(m[1]) * 1e6);
    expect(times).toHaveLength(3);
    for (const t of times) expect(Math.abs(t - expected) / expected).toBeLessThan(0.1);
    // For the record: the model's figure, the parts that dominate it.
    expect(expected).toBeGreaterThan(2 * wire + upload(isa) + readMem(isa, FRAME_WORDS));
  });

  test('alpha\'s ifnet output → nic tx-start gap is the reply to ping, the driver\'s per-frame work and the upload', () => {
    // The echo request of seq 1: its ifnet-output probe is recorded after the stack's CPU time before it.
    const send = recs.filter((x) => x.node === 'alpha' && x.layer === 'app' && x.probe === 'send')[1]!;
    const out = recs.find((x) => x.node === 'alpha' && x.layer === 'ifnet' && x.probe === 'output' && x.t >= send.t)!;
    const start = recs.find((x) => x.node === 'alpha' && x.layer === 'nic' && x.probe === 'tx-start' && x.t >= out.t)!;
    const gap = start.t - out.t;
    // io-pkt's MsgReply to ping, devnp-ne2000's per-frame work, the ISA upload and xmit, the FIFO fill.
    expect(gap).toBe(K.kernelCall + K.msgReplyBase + DRIVER_TX_PER_FRAME_NS + upload(isa) + fill);
    // The upload alone: 12 register writes, 49 word writes, one ISR read — 82.8 µs over ISA, not 3.6 µs.
    expect(upload(isa)).toBe(12 * 1620 + 49 * 1260 + 1650);
    expect(gap).toBeGreaterThan(upload(isa));
  });
});
