// ping's received table (stack/utils/dup-table.ts, NetBSD ping.c / KAME ping6.c rcvd_tbl): cleared on send, so a
// run longer than the 16-bit icmp_seq does not call later replies duplicates; a second reply before the next send
// of that slot is a duplicate.
import { DupTable, PING_MAX_DUP_CHK, PING6_MAX_DUP_CHK } from '../../stack/utils/dup-table';

describe('ping rcvd_tbl', () => {
  test('70 000 pings, each answered once: no duplicate after icmp_seq wraps at 65 536', () => {
    const t = new DupTable(PING_MAX_DUP_CHK);
    let dups = 0;
    for (let n = 0; n < 70_000; n++) {
      const seq = n & 0xffff;
      t.clear(seq);
      if (t.seen(seq)) dups++;
    }
    expect(dups).toBe(0);
  });

  test('a second reply to one request is a duplicate; sending the slot again clears it', () => {
    const t = new DupTable(PING_MAX_DUP_CHK);
    t.clear(7);
    expect(t.seen(7)).toBe(false);
    expect(t.seen(7)).toBe(true);
    // Same slot modulo MAX_DUP_CHK (8 * 128 = 1024 bits): 7 + 1024 shares the bit with 7.
    expect(t.seen(7 + 1024)).toBe(true);
    t.clear(7 + 1024);
    expect(t.seen(7)).toBe(false);
  });

  test('the table sizes are NetBSD ping (1024 bits) and KAME ping6 (65 536 bits)', () => {
    expect(PING_MAX_DUP_CHK).toBe(1024);
    expect(PING6_MAX_DUP_CHK).toBe(65_536);
    const t6 = new DupTable(PING6_MAX_DUP_CHK);
    t6.clear(5);
    expect(t6.seen(5)).toBe(false);
    expect(t6.seen(5 + 1024)).toBe(false);
  });
});
