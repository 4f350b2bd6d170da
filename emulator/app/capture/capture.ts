/**
 * A live capture: one pcapng section whose interfaces are the `--capture` taps (taps.ts), fed by the media's
 * frame taps as frames complete, each packet passed through `--capture-filter` (frame-filter.ts) and handed on as
 * a whole block (emulator/machine/net/pcapng.ts) to a sink — the -w output as it happens, or the ring
 * (ring.ts). It only observes: it draws no randomness and emits no trace records, so a run's trace-hash is
 * the same with and without it.
 *
 * Each Enhanced Packet Block is stamped with the virtual time in nanoseconds (if_tsresol 9) and carries two
 * comments: `pkt N`, the packet id the trace gives the frame (`qnxemu trace --pkt N`, the debugger's `pkt N`;
 * left out for a frame without one, id 0), and `from <port>`, the medium port that sent it (`alpha.nic0`).
 * A `link:node` tap also sets epb_flags to outbound (sent by the node) or inbound.
 * Wired interfaces are LINKTYPE_ETHERNET without FCS, stamped when the last bit is on the wire (as --pcap);
 * wireless ones LINKTYPE_IEEE802_11_RADIOTAP, the same radiotap record --pcap writes (radiotap.ts), stamped
 * when the PPDU starts.
 */
import type { Network } from '../assembly/network';
import type { FilterNode } from '../debug/filter';
import { LINKTYPE_ETHERNET, LINKTYPE_IEEE802_11_RADIOTAP } from '../../machine/net/pcap';
import { EPB_INBOUND, EPB_OUTBOUND, epbBlock, idbBlock, shbBlock } from '../../machine/net/pcapng';
import { radiotapRecord, type RadiotapInfo } from '../../machine/net/wireless/radiotap';
import type { Time } from '../../machine/sim/time';
import { passes, wifiAddresses } from './frame-filter';
import { tapDescription, type TapSpec } from './taps';

export const CAPTURE_SNAPLEN = 65535;

export interface CaptureSettings {
  taps: TapSpec[];
  filter: FilterNode | null;
}

/** Where blocks go: `header` marks the SHB and IDBs (a ring keeps them always). */
export type BlockSink = (block: Uint8Array, header: boolean) => void;

const isGroup = (mac: Uint8Array | null): boolean => mac !== null && (mac[0]! & 1) !== 0;
const sameMac = (a: Uint8Array | null, b: Uint8Array): boolean => a !== null && a.length === 6 && a.every((x, i) => x === b[i]);

export class Capture {
  /** Packet blocks handed to the sink. */
  packets = 0;
  /** Frames the taps saw that the filter left out. */
  filtered = 0;

  constructor(
    readonly settings: CaptureSettings,
    private readonly sink: BlockSink,
  ) {}

  /** Write the section header and one IDB per tap, and hook every tap onto its medium. Call before the run starts. */
  attach(network: Network, clock: { readonly now: Time }): void {
    this.sink(shbBlock('qnxemu'), true);
    this.settings.taps.forEach((tap, id) => {
      const wireless = tap.linkType === 'wireless';
      const linktype = wireless ? LINKTYPE_IEEE802_11_RADIOTAP : LINKTYPE_ETHERNET;
      this.sink(idbBlock({ linktype, snaplen: CAPTURE_SNAPLEN, name: tap.text, description: tapDescription(tap) }), true);
      if (wireless) this.attachAir(network, tap, id);
      else this.attachWire(network, tap, id, clock);
    });
  }

  /** epb_flags of a node tap's packet, undefined on a whole-link tap, null if the node tap does not keep it. */
  private direction(tap: TapSpec, from: string, dst: Uint8Array | null): number | null | undefined {
    if (tap.node === null) return undefined;
    if (from.startsWith(`${tap.node}.`)) return EPB_OUTBOUND;
    if (isGroup(dst) || tap.macs.some((m) => sameMac(dst, m))) return EPB_INBOUND;
    return null; // not the node's
  }

  private packet(id: number, tap: TapSpec, t: Time, pkt: number, from: string, data: Uint8Array, bytes: Uint8Array, dst: Uint8Array | null): void {
    const direction = this.direction(tap, from, dst);
    if (direction === null) return;
    if (!passes(this.settings.filter, pkt, data, tap.linkType === 'wireless')) {
      this.filtered++;
      return;
    }
    const comments = pkt > 0 ? [`pkt ${pkt}`, `from ${from}`] : [`from ${from}`];
    this.sink(epbBlock({ interfaceId: id, t, data: bytes, snaplen: CAPTURE_SNAPLEN, comments, ...(direction !== undefined ? { direction } : {}) }), false);
    this.packets++;
  }

  private attachWire(network: Network, tap: TapSpec, id: number, clock: { readonly now: Time }): void {
    const medium = network.media.get(tap.link);
    if (!medium) throw new Error(`capture: no wired medium ${tap.link}`);
    medium.tap((frame, from) => this.packet(id, tap, clock.now, frame.pktId, from, frame.data, frame.data, frame.data.length >= 6 ? frame.data.subarray(0, 6) : null));
  }

  /**
   * The air reports a PPDU twice as it starts: first to radiotap taps (the record, no sender), then to air taps
   * (the sender's radio). The record waits for the second call, which names the port.
   */
  private attachAir(network: Network, tap: TapSpec, id: number): void {
    const air = network.air.get(tap.link);
    if (!air) throw new Error(`capture: no wireless link ${tap.link}`);
    let pending: { t: Time; info: RadiotapInfo } | null = null;
    air.tapRadiotap((t, info) => {
      pending = { t, info };
    });
    air.tap((tx) => {
      const p = pending;
      pending = null;
      if (!p || tx.ppdu !== p.info.ppdu) return;
      const mpdu = p.info.ppdu.mpdu;
      this.packet(id, tap, p.t, p.info.ppdu.pktId, tx.from, mpdu, radiotapRecord(p.info), wifiAddresses(mpdu).ra);
    });
  }
}
