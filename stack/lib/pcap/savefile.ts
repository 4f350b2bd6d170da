/**
 * The pcap savefile format (libpcap sf-pcap.c, pcap-savefile(5)): a 24-byte file header (magic 0xa1b2c3d4 in
 * the writer's byte order — little-endian on x86 —, version 2.4, thiszone, sigfigs, snaplen, linktype) then
 * per packet a 16-byte record header (ts_sec, ts_usec, caplen, len) and the captured bytes. pcap_dump_open
 * writes the header, pcap_dump appends one record; pcap_open_offline/pcap_next_ex read them back with
 * libpcap's error texts. Big-endian files (swapped magic) are read too, as libpcap does.
 */
export const TCPDUMP_MAGIC = 0xa1b2c3d4;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_FILE_HDR_LEN = 24;
export const PCAP_REC_HDR_LEN = 16;

export interface SavefileHeader {
  snaplen: number;
  linktype: number;
  versionMajor: number;
  versionMinor: number;
}

export interface SavefileRecord {
  tsSec: number;
  tsUsec: number;
  caplen: number;
  len: number;
  data: Uint8Array;
}

/** struct pcap_file_header as pcap_dump_open writes it. */
export function savefileHeader(snaplen: number, linktype: number): Uint8Array {
  const b = new Uint8Array(PCAP_FILE_HDR_LEN);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, TCPDUMP_MAGIC, true);
  dv.setUint16(4, PCAP_VERSION_MAJOR, true);
  dv.setUint16(6, PCAP_VERSION_MINOR, true);
  dv.setInt32(8, 0, true);
  dv.setUint32(12, 0, true);
  dv.setUint32(16, snaplen, true);
  dv.setUint32(20, linktype, true);
  return b;
}

/** One pcap_dump record: struct pcap_sf_pkthdr then the captured bytes. */
export function savefileRecord(r: Omit<SavefileRecord, 'caplen'>): Uint8Array {
  const b = new Uint8Array(PCAP_REC_HDR_LEN + r.data.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, r.tsSec, true);
  dv.setUint32(4, r.tsUsec, true);
  dv.setUint32(8, r.data.length, true);
  dv.setUint32(12, r.len, true);
  b.set(r.data, PCAP_REC_HDR_LEN);
  return b;
}

/** pcap_open_offline + pcap_next_ex over the whole file: the records, or libpcap's error text. */
export function readSavefile(buf: Uint8Array): { header: SavefileHeader; records: SavefileRecord[]; error: string | null } | { error: string } {
  if (buf.length < PCAP_FILE_HDR_LEN) {
    return { error: buf.length === 0 ? 'truncated dump file; tried to read 4 file header bytes, only got 0'
      : `truncated dump file; tried to read ${PCAP_FILE_HDR_LEN} file header bytes, only got ${buf.length}` };
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let le: boolean;
  if (dv.getUint32(0, true) === TCPDUMP_MAGIC) le = true;
  else if (dv.getUint32(0, false) === TCPDUMP_MAGIC) le = false;
  else return { error: 'bad dump file format' };
  const header: SavefileHeader = {
    versionMajor: dv.getUint16(4, le), versionMinor: dv.getUint16(6, le), snaplen: dv.getUint32(16, le), linktype: dv.getUint32(20, le),
  };
  if (header.versionMajor < PCAP_VERSION_MAJOR) return { error: 'archaic pcap savefile format' };
  const records: SavefileRecord[] = [];
  let o = PCAP_FILE_HDR_LEN;
  while (o < buf.length) {
    if (o + PCAP_REC_HDR_LEN > buf.length) {
      return { header, records, error: `truncated dump file; tried to read ${PCAP_REC_HDR_LEN} header bytes, only got ${buf.length - o}` };
    }
    const caplen = dv.getUint32(o + 8, le);
    const len = dv.getUint32(o + 12, le);
    if (caplen > 262144) return { header, records, error: `invalid packet capture length ${caplen}, bigger than maximum of 262144` };
    if (o + PCAP_REC_HDR_LEN + caplen > buf.length) {
      return { header, records, error: `truncated dump file; tried to read ${caplen} captured bytes, only got ${buf.length - o - PCAP_REC_HDR_LEN}` };
    }
    records.push({ tsSec: dv.getUint32(o, le), tsUsec: dv.getUint32(o + 4, le), caplen, len, data: buf.subarray(o + 16, o + 16 + caplen) });
    o += PCAP_REC_HDR_LEN + caplen;
  }
  return { header, records, error: null };
}
