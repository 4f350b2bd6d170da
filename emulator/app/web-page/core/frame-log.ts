/**
 * Every frame the session's run has carried, per link, for the page's capture view, counters and pcap download.
 * It taps the media of each instance the debugger builds for the session (DebugSession's onInstance hook:
 * every `back`/`restart` rebuilds and replays the run, and the log starts again with it), as `qnxemu run --pcap`
 * taps them (emulator/app/assembly/network.ts): a wired medium's frames as they complete (Ethernet, no FCS), a
 * wireless link's PPDUs as radiotap records (emulator/machine/net/wireless/radiotap.ts). Observation only.
 *
 * Per NIC port it also counts the frames sent and received, from what the media report: on a wire, the frames the
 * port put on the medium (the tap's sender: the frames of the pcap) and the medium's `wire deliver` records (`to`:
 * the port it handed a frame to); on the air, the `air tx-start` records (`radio`: the sender of each PPDU of the
 * radiotap pcap) and the `air rx-end` records with `ok` (a PPDU the radio decoded intact, whoever it was for).
 * The models keep no second bookkeeping for it.
 */
import type { SimInstance } from '../../debug/instance';
import type { DebugRecord } from '../../debug/records';
import { LINKTYPE_ETHERNET, LINKTYPE_IEEE802_11_RADIOTAP, PcapMemoryWriter } from '../../../machine/net/pcap';
import { radiotapRecord } from '../../../machine/net/wireless/radiotap';

export interface LoggedFrame {
  link: string;
  t: number;
  /** Number of the event during which the frame completed. */
  ev: number;
  pkt: number;
  /** Ethernet: the frame without FCS; wireless: the radiotap record (header, MPDU, FCS). */
  bytes: Uint8Array;
  /** Wireless: the MPDU's length; wired: bytes.length. */
  len: number;
  /** Wired: the NIC port that sent it ("alpha.nic0"); on the air '' (its sender is in its `air tx-start` record). */
  from: string;
}

/** Frames a NIC port ("alpha.nic0") sent and received so far. */
export interface PortCount {
  tx: number;
  rx: number;
}

/** Field `k` of a record when it is a string (the port names in `to` and `radio`). */
const text = (r: DebugRecord, k: string): string | null => {
  const v = r.f?.[k];
  return typeof v === 'string' ? v : null;
};

export class FrameLog {
  frames: LoggedFrame[] = [];
  /** Link name → LINKTYPE of its capture. */
  readonly linktypes = new Map<string, number>();

  /** Ports' counts; the records (the instance's trace) are read up to `scanned` so far. */
  private counts = new Map<string, PortCount>();
  private records: readonly DebugRecord[] = [];
  private scanned = 0;

  /** Start a fresh log on a newly built instance (before it runs). */
  attach(inst: SimInstance): void {
    this.frames = [];
    this.counts = new Map();
    this.records = inst.records;
    this.scanned = 0;
    const frames = this.frames;
    const q = inst.queue;
    for (const [name, medium] of inst.a.network.media) {
      this.linktypes.set(name, LINKTYPE_ETHERNET);
      medium.tap((frame, from) => {
        frames.push({ link: name, t: q.now, ev: q.executed, pkt: frame.pktId, bytes: frame.data.slice(), len: frame.data.length, from });
        this.port(from).tx++;
      });
    }
    for (const [name, air] of inst.a.network.air) {
      this.linktypes.set(name, LINKTYPE_IEEE802_11_RADIOTAP);
      air.tapRadiotap((t, info) => frames.push({ link: name, t, ev: q.executed, pkt: info.ppdu.pktId, bytes: radiotapRecord(info), len: info.ppdu.mpdu.length, from: '' }));
    }
  }

  private port(name: string): PortCount {
    let c = this.counts.get(name);
    if (!c) this.counts.set(name, (c = { tx: 0, rx: 0 }));
    return c;
  }

  /** Frames each port has sent and received so far (the records are read once, as the run goes on). */
  ports(): ReadonlyMap<string, PortCount> {
    const recs = this.records;
    for (; this.scanned < recs.length; this.scanned++) {
      const r = recs[this.scanned]!;
      if (r.layer === 'wire' && r.probe === 'deliver') {
        const to = text(r, 'to');
        if (to) this.port(to).rx++;
      } else if (r.layer === 'air' && (r.probe === 'tx-start' || (r.probe === 'rx-end' && r.f?.['ok'] === true))) {
        const radio = text(r, 'radio');
        if (radio) this.port(radio)[r.probe === 'tx-start' ? 'tx' : 'rx']++;
      }
    }
    return this.counts;
  }

  /** Frames of `link` (or every link) so far. */
  of(link?: string): LoggedFrame[] {
    return link === undefined ? this.frames : this.frames.filter((f) => f.link === link);
  }

  /**
   * A pcap (nanosecond timestamps, as `qnxemu run --pcap` writes) of one link, or of every link sharing the
   * first Ethernet link's type (a capture has one link type: wireless links are downloaded one by one).
   */
  pcap(link?: string): Uint8Array {
    let linktype: number;
    let frames: LoggedFrame[];
    if (link !== undefined) {
      const lt = this.linktypes.get(link);
      if (lt === undefined) throw new Error(`no link '${link}' (links: ${[...this.linktypes.keys()].join(', ')})`);
      linktype = lt;
      frames = this.of(link);
    } else {
      const types = new Set(this.linktypes.values());
      linktype = types.has(LINKTYPE_ETHERNET) || types.size === 0 ? LINKTYPE_ETHERNET : LINKTYPE_IEEE802_11_RADIOTAP;
      frames = this.frames.filter((f) => this.linktypes.get(f.link) === linktype);
    }
    const w = new PcapMemoryWriter({ linktype });
    for (const f of frames) w.writeRecord(f.t, f.bytes);
    return w.bytes();
  }
}
