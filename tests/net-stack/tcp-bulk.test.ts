/**
 * A 1 MiB transfer between two stacks joined back to back (1 ms each way), without and with a seeded 2 %
 * frame loss: delivery is byte-exact, and tcpstat's retransmission counter equals the retransmitted data
 * segments seen on the wire (a data segment whose sequence range was sent before). SACK (the default) against
 * NewReno with the same segments lost.
 */
import { Pair, type WireSeg } from './tcp-pair';
import { SEQ_LT, seqAdd } from '../../stack/net/tcp/fsm';

function payload(n: number): Uint8Array {
  const d = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    d[i] = x >>> 24;
  }
  return d;
}

/** Transfer `data` from a to b, the application writing as space allows and reading everything that arrives. */
function transfer(p: Pair, data: Uint8Array): Uint8Array {
  const { cli, srv } = p.connect();
  const out = new Uint8Array(data.length);
  let sent = 0;
  let got = 0;
  const pumpApp = (): boolean => {
    while (sent < data.length) {
      const n = p.a.s.sockets.sendStream(cli, data.subarray(sent, Math.min(sent + 8192, data.length)), 1);
      if (n <= 0) break;
      sent += n;
    }
    for (;;) {
      const r = p.b.s.sockets.receiveStream(srv, 1 << 20, false);
      if (typeof r === 'number' || r.data.length === 0) break;
      out.set(r.data, got);
      got += r.data.length;
    }
    return got === data.length;
  };
  for (let i = 0; i < 100000 && !pumpApp(); i++) p.step(10_000_000, pumpApp);
  expect(got).toBe(data.length);
  return out;
}

/** Data segments from `from` whose first byte was already sent once. */
function retransmitted(segs: WireSeg[], from: 'a' | 'b'): number {
  let max: number | null = null;
  let n = 0;
  for (const s of segs) {
    if (s.from !== from || s.len === 0) continue;
    if (max !== null && SEQ_LT(s.seq, max)) n++;
    const end = seqAdd(s.seq, s.len);
    if (max === null || SEQ_LT(max, end)) max = end;
  }
  return n;
}

describe('tcp 1 MiB transfer between two stacks', () => {
  const data = payload(1 << 20);

  it('delivers every byte in order without loss, no retransmissions', () => {
    const p = new Pair();
    const out = transfer(p, data);
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
    const st = p.a.s.tcp.stats;
    expect(st.sndrexmitpack).toBe(0);
    expect(st.sndbyte).toBe(1 << 20);
    expect(p.b.s.tcp.stats.rcvbyte).toBe(1 << 20);
    expect(retransmitted(p.segs, 'a')).toBe(0);
    // Header prediction hits on the receiver's in-order data (the sender's ACKs rarely qualify here: the
    // window they carry changes as the reader drains every 10 ms).
    expect(p.b.s.tcp.stats.preddat).toBeGreaterThan(600);
    // Every data segment carries at most t_maxseg less the 12-byte timestamp option: 1460 - 12 = 1448.
    expect(Math.max(...p.dataSegs('a').map((s) => s.len))).toBe(1448);
  });

  /** The lossy run: a seeded 2 % frame loss both ways, with SACK (the default) or without (NewReno). */
  function lossy(sack: boolean) {
    const p = new Pair();
    p.a.s.tcp.sackEnable = sack;
    p.b.s.tcp.sackEnable = sack;
    let x = 0x9e3779b9;
    p.loss = () => {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      return x % 100 < 2;
    };
    const out = transfer(p, data);
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
    const st = p.a.s.tcp.stats;
    const dropped = p.segs.filter((s) => s.dropped).length;
    expect(dropped).toBeGreaterThan(10);
    expect(st.sndrexmitpack).toBeGreaterThan(0);
    expect(st.sndrexmitpack).toBe(retransmitted(p.segs, 'a'));
    expect(st.sndbyte).toBe(1 << 20);
    return { p, st };
  }

  it('delivers every byte in order with a seeded 2 % frame loss; sndrexmitpack = retransmissions on the wire', () => {
    const { p, st } = lossy(true);
    // SACK was agreed and used: recovery episodes, the holes retransmitted in them, blocks both ways.
    expect(st.sack_recovery_episode).toBeGreaterThan(0);
    expect(st.sack_rexmits).toBeGreaterThan(0);
    expect(st.sack_rexmits).toBeLessThanOrEqual(st.sndrexmitpack);
    expect(st.sack_rcv_blocks).toBeGreaterThan(0);
    expect(p.b.s.tcp.stats.sack_send_blocks).toBe(p.segs.filter((s) => s.from === 'b' && s.repr.options.sack).length);
    // Every data segment the sender lost to the wire is retransmitted at least once.
    const lost = new Set(p.segs.filter((s) => s.from === 'a' && s.len > 0 && s.dropped).map((s) => s.seq));
    const resent = new Set<number>();
    const seen = new Set<number>();
    for (const s of p.segs) {
      if (s.from !== 'a' || s.len === 0) continue;
      if (seen.has(s.seq)) resent.add(s.seq);
      seen.add(s.seq);
    }
    for (const q of lost) expect(resent.has(q)).toBe(true);
  });

  it('the same data segments lost with and without SACK: SACK needs no more timeouts and no more time than NewReno', () => {
    // Loss by data segment (the first transmission of every segment whose index hashes into 2 %), not by frame,
    // so both runs lose the same segments whatever else differs between them.
    const run = (sack: boolean) => {
      const p = new Pair();
      p.a.s.tcp.sackEnable = sack;
      p.b.s.tcp.sackEnable = sack;
      let base = -1;
      let maxEnd = 0;
      p.loss = (frame, from) => {
        if (from !== 'a' || frame[23] !== 6) return false;
        const tcp = frame.subarray(14 + (frame[14]! & 0x0f) * 4);
        const len = frame.length - (tcp.byteOffset - frame.byteOffset) - (tcp[12]! >> 4) * 4;
        if (len === 0) return false;
        const seq = new DataView(tcp.buffer, tcp.byteOffset).getUint32(4);
        if (base < 0) base = seq;
        const rel = (seq - base) >>> 0;
        if (rel < maxEnd) return false; // a retransmission
        maxEnd = rel + len;
        return rel % 1448 === 0 && (Math.imul(rel / 1448, 0x9e3779b1) >>> 0) % 50 === 0;
      };
      const out = transfer(p, data);
      expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
      const st = p.a.s.tcp.stats;
      expect(st.sndrexmitpack).toBe(retransmitted(p.segs, 'a'));
      return { p, st, lost: p.segs.filter((s) => s.dropped).length };
    };
    const sack = run(true);
    const reno = run(false);
    expect(sack.lost).toBeGreaterThan(10);
    expect(sack.lost).toBe(reno.lost);
    expect(sack.st.sack_recovery_episode).toBeGreaterThan(0);
    expect(reno.st.sack_recovery_episode).toBe(0);
    expect(reno.p.segs.some((s) => s.repr.options.sack)).toBe(false);
    // Here the reader keeps changing the window, so a window's first duplicate ACK often does not count
    // (RFC 5681 §2: same window) and NewReno rarely sees three before its flight runs out; SACK starts recovery
    // from the SACKed bytes instead (snd_fack more than 3 segments ahead) and seldom waits for the timer.
    expect(sack.st.rexmttimeo).toBeLessThan(reno.st.rexmttimeo);
    expect(sack.p.now).toBeLessThanOrEqual(reno.p.now);
  });
});
