import type { Time } from '../sim/time';
import type { Frame, Medium } from './link';
import { PcapFileWriter, type PcapOptions, type PcapWriter } from './pcap';

export interface PcapTapOptions {
  /** Record only frames that pass this filter (e.g. one port's traffic). */
  filter?: (frame: Frame, fromPort: string) => boolean;
}

/**
 * Capture every frame a medium completes into `writer`, stamped with the virtual time its last bit was on the
 * wire. The frame bytes carry no FCS, so the record's original length is the frame without FCS, as Wireshark
 * expects for LINKTYPE_ETHERNET without an FCS.
 */
export function attachPcap<W extends PcapWriter>(medium: Medium, writer: W, clock: { readonly now: Time }, opts: PcapTapOptions = {}): W {
  const filter = opts.filter;
  medium.tap((frame, from) => {
    if (filter && !filter(frame, from)) return;
    writer.writeRecord(clock.now, frame.data);
  });
  return writer;
}

/** Open `path` and capture `medium` into it; close() the returned writer at the end of the run. */
export function openPcapTap(medium: Medium, path: string, clock: { readonly now: Time }, opts: PcapOptions & PcapTapOptions = {}): PcapFileWriter {
  const w = new PcapFileWriter(path, opts);
  attachPcap(medium, w, clock, opts);
  return w;
}
