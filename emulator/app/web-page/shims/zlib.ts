/**
 * node:zlib for the web page's bundle: `crc32` only — the Ethernet/802.11 FCS and the multicast hash filters
 * (emulator/machine/net/crc32.ts). From SheetJS's crc-32 package (the IEEE 802.3 CRC, the same register and final
 * complement as zlib's), made unsigned as node's is. Compression is not needed by the page (snapshot files and
 * the guest image builder are not in its bundle) and is refused with a clear error if something asks.
 */
import { buf, str } from 'crc-32';

/** zlib.crc32(data[, value]): `value` continues a previous CRC, as in node. */
export function crc32(data: Uint8Array | string, value = 0): number {
  return (typeof data === 'string' ? str(data, value) : buf(data, value)) >>> 0;
}

function refused(name: string): never {
  throw new Error(`node:zlib in the web page: ${name} is not available (only crc32 is)`);
}

export const gzipSync = (): never => refused('gzipSync');
export const gunzipSync = (): never => refused('gunzipSync');
export const gzip = (): never => refused('gzip');
export const gunzip = (): never => refused('gunzip');
