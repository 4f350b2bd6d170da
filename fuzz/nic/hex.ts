/** Hex strings for byte payloads in fuzz ops and reproducers (JSON-safe, diff-friendly). */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += HEX[x]!;
  return s;
}

/** The value of one hex digit's character code, or 0 for anything else (a hand-edited reproducer). */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return 0;
}

/** Bytes of a hex string; a non-hex digit reads as 0, an odd last digit is dropped. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  return out;
}
