/**
 * ping's received table (NetBSD sbin/ping/ping.c and KAME ping6.c `rcvd_tbl`, macros SET/CLR/TST): one bit
 * per sequence number modulo MAX_DUP_CHK. The pinger clears a sequence's bit when it sends it, a reply sets it,
 * and a reply whose bit is already set is a duplicate ("DUP!"). Clearing on send is what keeps a long run
 * right once icmp_seq wraps at 65 536 (a table that only ever fills would call every later reply a duplicate).
 */
export class DupTable {
  private readonly tbl: Uint8Array;

  /** @param bits MAX_DUP_CHK: 8 * 128 in NetBSD's ping, 8 * 8192 in KAME's ping6. */
  constructor(private readonly bits: number) {
    this.tbl = new Uint8Array(bits >> 3);
  }

  /** CLR(seq % mx_dup_ck): the pinger sent this sequence number. */
  clear(seq: number): void {
    const b = seq % this.bits;
    this.tbl[b >> 3]! &= ~(1 << (b & 7));
  }

  /** TST then SET: true if a reply with this sequence number was already seen since it was sent. */
  seen(seq: number): boolean {
    const b = seq % this.bits;
    const mask = 1 << (b & 7);
    const dup = (this.tbl[b >> 3]! & mask) !== 0;
    this.tbl[b >> 3]! |= mask;
    return dup;
  }
}

/** NetBSD ping.c MAX_DUP_CHK. */
export const PING_MAX_DUP_CHK = 8 * 128;
/** KAME ping6.c MAX_DUP_CHK. */
export const PING6_MAX_DUP_CHK = 8 * 8192;
