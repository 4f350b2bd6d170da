/**
 * TCP and UDP lines as tcpdump 4.x prints them (print-tcp.c tcp_print, print-udp.c udp_print):
 * `Flags [S.], seq 1:101, ack 1, win 32768, options [mss 1460,nop,wscale 0], length 100`, sequence numbers
 * relative to the first ones seen with ACK set in each conversation (unless -S), `UDP, length N`, and the
 * `-q` forms `tcp N` / `UDP, length N`. Truncated headers print tcpdump's `[|tcp]` / `[|udp]` markers.
 */
import { be16, be32, portString, type Ndo } from './ndo';

const TH_FLAGS: [number, string][] = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']];

function tcpOptions(b: Uint8Array, o: number, end: number): string {
  const out: string[] = [];
  while (o < end) {
    const kind = b[o]!;
    if (kind === 0) {
      out.push('eol');
      break;
    }
    if (kind === 1) {
      out.push('nop');
      o++;
      continue;
    }
    const len = b[o + 1];
    if (len === undefined || len < 2 || o + len > end) {
      out.push(`opt-${kind} [bad length ${len ?? 0}]`);
      break;
    }
    switch (kind) {
      case 2: out.push(len === 4 ? `mss ${be16(b, o + 2)}` : `mss [bad length ${len}]`); break;
      case 3: out.push(len === 3 ? `wscale ${b[o + 2]}` : `wscale [bad length ${len}]`); break;
      case 4: out.push('sackOK'); break;
      case 5: {
        const blocks: string[] = [];
        for (let p = o + 2; p + 8 <= o + len; p += 8) blocks.push(`{${be32(b, p)}:${be32(b, p + 4)}}`);
        out.push(`sack ${blocks.length} ${blocks.join('')}`);
        break;
      }
      case 8: out.push(len === 10 ? `TS val ${be32(b, o + 2)} ecr ${be32(b, o + 6)}` : `TS [bad length ${len}]`); break;
      default: out.push(`unknown-${kind}`);
    }
    o += len;
  }
  return out.join(',');
}

/** The one's-complement sum of `b[o, o+n)` over a pseudo-header sum (in_cksum's accumulation). */
export function cksumOver(b: Uint8Array, o: number, n: number, init: number): number {
  let sum = init;
  for (let i = 0; i + 1 < n; i += 2) sum += be16(b, o + i);
  if (n & 1) sum += b[o + n - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * `src.port > dst.port: ` then the TCP part; `length` is the IP payload length. `pseudo` is the IP
 * pseudo-header sum when the whole segment is at hand (for -v's `cksum 0x… (correct)`), else null.
 */
export function tcpPrint(ndo: Ndo, b: Uint8Array, o: number, length: number, src: string, dst: string, pseudo: number | null = null): string {
  if (b.length - o < 20) return `${src} > ${dst}: [|tcp]`;
  const sport = be16(b, o);
  const dport = be16(b, o + 2);
  const head = `${src}.${portString(ndo, sport)} > ${dst}.${portString(ndo, dport)}: `;
  const hlen = (b[o + 12]! >> 4) * 4;
  if (hlen < 20) return `${head}tcp ${length} [bad hdr length ${hlen} - too short, < 20]`;
  if (hlen > length) return `${head}tcp ${length} [bad hdr length ${hlen} - too long, > ${length}]`;
  const dlen = length - hlen;
  if (ndo.qflag) return `${head}tcp ${dlen}`;
  let seq = be32(b, o + 4);
  let ack = be32(b, o + 8);
  const flags = b[o + 13]!;
  const win = be16(b, o + 14);
  if (!ndo.Sflag && flags & 0x10) {
    // One entry per conversation, in an arbitrary collating order so both directions share it.
    const rev = `${src}.${sport}` > `${dst}.${dport}`;
    const key = rev ? `${dst}.${dport}|${src}.${sport}` : `${src}.${sport}|${dst}.${dport}`;
    const th = ndo.tcpSeq.get(key);
    if (!th || flags & 0x02) {
      ndo.tcpSeq.set(key, rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 });
    } else if (rev) {
      seq = (seq - th.ack) >>> 0;
      ack = (ack - th.seq) >>> 0;
    } else {
      seq = (seq - th.seq) >>> 0;
      ack = (ack - th.ack) >>> 0;
    }
  }
  const fl = TH_FLAGS.filter(([bit]) => flags & bit).map(([, c]) => c).join('') || 'none';
  let s = `${head}Flags [${fl}]`;
  if (ndo.vflag && pseudo !== null && o + length <= b.length) {
    const got = be16(b, o + 16);
    const sum = cksumOver(b, o, length, pseudo);
    // in_cksum over the segment with its checksum field folds to 0xffff when correct; else recompute it.
    const right = ~cksumOver(b, o + 18, length - 18, cksumOver(b, o, 16, pseudo)) & 0xffff;
    const hex = (x: number) => `0x${x.toString(16).padStart(4, '0')}`;
    s += sum === 0xffff ? `, cksum ${hex(got)} (correct)` : `, cksum ${hex(got)} (incorrect -> ${hex(right)})`;
  }
  if (ndo.vflag > 1 || dlen > 0 || flags & 0x07) {
    s += `, seq ${seq}`;
    if (dlen > 0) s += `:${(seq + dlen) >>> 0}`;
  }
  if (flags & 0x10) s += `, ack ${ack}`;
  s += `, win ${win}`;
  if (flags & 0x20) s += `, urg ${be16(b, o + 18)}`;
  if (hlen > 20) s += `, options [${tcpOptions(b, o + 20, Math.min(o + hlen, b.length))}]`;
  return `${s}, length ${dlen}`;
}

export function udpPrint(ndo: Ndo, b: Uint8Array, o: number, length: number, src: string, dst: string): string {
  if (b.length - o < 8) return `${src} > ${dst}: [|udp]`;
  const sport = be16(b, o);
  const dport = be16(b, o + 2);
  const ulen = be16(b, o + 4);
  const head = `${src}.${portString(ndo, sport)} > ${dst}.${portString(ndo, dport)}: `;
  if (ulen < 8) return `${head}UDP, bad length ${ulen} < 8`;
  if (ulen > length) return `${head}UDP, bad length ${ulen} > ${length}`;
  return `${head}UDP, length ${ulen - 8}`;
}
