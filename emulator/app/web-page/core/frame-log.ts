/**
 * Every frame the session's run has carried, per link, for the page's capture view, counters and pcap download.
 * It taps the media of each instance the debugger builds for the session (DebugSession's onInstance hook:
 * every `back`/`restart` rebuilds and replays the run, and the log starts again with it), as `qnxemu run --pcap`
 * taps them (emulator/app/assembly/network.ts): a wired medium's frames as they complete (Ethernet, no FCS), a
 * wireless link's PPDUs as radiotap records (emulator/machine/net/wireless/radiotap.ts). Observation only.
 */
import type { SimInstance } from '../../debug/instance';
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
  /** NIC port that sent it ("alpha.nic0"; on the air, the transmitting radio's name). */
  from: string;
}

export class FrameLog {
  frames: LoggedFrame[] = [];
  /** Link name → LINKTYPE of its capture. */
  readonly linktypes = new Map<string, number>();

  /** Start a fresh log on a newly built instance (before it runs). */
  attach(inst: SimInstance): void {
    this.frames = [];
    const frames = this.frames;
    const q = inst.queue;
    for (const [name, medium] of inst.a.network.media) {
      this.linktypes.set(name, LINKTYPE_ETHERNET);
      medium.tap((frame, from) => frames.push({ link: name, t: q.now, ev: q.executed, pkt: frame.pktId, bytes: frame.data.slice(), len: frame.data.length, from }));
    }
    for (const [name, air] of inst.a.network.air) {
      this.linktypes.set(name, LINKTYPE_IEEE802_11_RADIOTAP);
      // The air reports a PPDU to its radiotap taps, then to its plain taps with the transmitting radio's name.
      let last: LoggedFrame | null = null;
      let lastPpdu: unknown = null;
      air.tapRadiotap((t, info) => {
        last = { link: name, t, ev: q.executed, pkt: info.ppdu.pktId, bytes: radiotapRecord(info), len: info.ppdu.mpdu.length, from: '' };
        lastPpdu = info.ppdu;
        frames.push(last);
      });
      air.tap((tx) => {
        if (last && tx.ppdu && tx.ppdu === lastPpdu) last.from = tx.from;
      });
    }
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
