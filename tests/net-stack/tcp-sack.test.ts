/**
 * Selective acknowledgments (RFC 2018) as NetBSD's tcp_sack.c does them: SACK-permitted in the SYNs (both must
 * carry it), SACK blocks built from the reassembly queue (most recent first, at most 3 beside timestamps), the
 * sender's scoreboard and a recovery that retransmits exactly the holes, before new data, under the RFC 6675
 * pipe. Scripted peer for exact segments; two stacks back to back for whole transfers against NewReno.
 */
import { TH_ACK, TH_SYN, type TcpOptions, type TcpRepr } from '../../stack/net/wire/tcp';
import { TF_SACK_PERMIT } from '../../stack/net/tcp/tcpcb';
import type { Socket } from '../../stack/net/socket';
import { Peer, stateOf, tcb } from './tcp-peer';
import { Pair, drain, pumpStream, type WireSeg } from './tcp-pair';
import { formatTcpStats } from '../../stack/utils/netstat-stats';

const ISS = 1000;
const PISS = 5000;
const pattern = (n: number, k = 7) => new Uint8Array(n).map((_, i) => (i * k + (i >> 8)) & 0xff);

function peer(): Peer {
  const p = new Peer();
  p.env.random32 = () => ISS;
  return p;
}

/** Our active open against a peer whose SYN-ACK carries `opts`; returns the socket and our SYN. */
function active(p: Peer, opts: TcpOptions, iss = ISS): { so: Socket; syn: TcpRepr } {
  const so = p.connect(40000, 1025);
  const [syn] = p.out();
  p.send({ sport: 40000, dport: 1025, seq: PISS, ack: iss + 1, flags: TH_SYN | TH_ACK, opts });
  p.out();
  expect(stateOf(so)).toBe('ESTABLISHED');
  return { so, syn: syn! };
}

describe('SACK-permitted negotiation (RFC 2018 §2)', () => {
  it('our SYN offers it; a SYN-ACK with it agrees', () => {
    const p = peer();
    const { so, syn } = active(p, { mss: 1460, sackPermitted: true });
    expect(syn.options.sackPermitted).toBe(true);
    expect(tcb(so).flags & TF_SACK_PERMIT).toBe(TF_SACK_PERMIT);
  });

  it('a SYN-ACK without it: no SACK on this connection', () => {
    const p = peer();
    const { so } = active(p, { mss: 1460 });
    expect(tcb(so).flags & TF_SACK_PERMIT).toBe(0);
  });

  it('a listener echoes it only when the SYN offered it', () => {
    for (const offer of [true, false]) {
      const p = peer();
      p.listen(80);
      p.send({ seq: PISS, flags: TH_SYN, opts: offer ? { mss: 1460, sackPermitted: true } : { mss: 1460 } });
      const [synack] = p.out();
      expect(synack!.options.sackPermitted).toBe(offer ? true : undefined);
    }
  });

  it('with net.inet.tcp.sack.enable off we neither offer nor accept it', () => {
    const p = peer();
    p.s.tcp.sackEnable = false;
    const { so, syn } = active(p, { mss: 1460, sackPermitted: true });
    expect(syn.options.sackPermitted).toBeUndefined();
    expect(tcb(so).flags & TF_SACK_PERMIT).toBe(0);
    p.listen(80);
    p.send({ seq: PISS, flags: TH_SYN, opts: { mss: 1460, sackPermitted: true } });
    expect(p.out()[0]!.options.sackPermitted).toBeUndefined();
  });
});

describe('the receiver: SACK blocks from the reassembly queue (RFC 2018 §4)', () => {
  it('reports the runs most recent first, 3 at most beside timestamps, and delivers the bytes exactly', () => {
    const p = peer();
    const lis = p.listen(80);
    let tsv = 100;
    const ts = () => ({ val: tsv++, ecr: 0 });
    p.send({ seq: PISS, flags: TH_SYN, opts: { mss: 1460, sackPermitted: true, ts: ts() } });
    p.out();
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK, opts: { ts: ts() } });
    const so = p.s.sockets.accept(lis) as Socket;
    const data = pattern(8000);
    const R = PISS + 1;
    const seg = (off: number, len: number) => {
      p.send({ seq: R + off, ack: ISS + 1, flags: TH_ACK, opts: { ts: ts() }, data: data.subarray(off, off + len) });
      const out = p.out();
      expect(out).toHaveLength(1); // out of order: an immediate ACK (RFC 5681 §4.2)
      return out[0]!;
    };
    const blocks = (r: TcpRepr) => (r.options.sack ?? []).map((b) => [b.left - R, b.right - R]);
    // Holes at 0..1000, 2000..3000, 4000..5000, 6000..7000.
    let a = seg(1000, 1000);
    expect(a.ack).toBe(R);
    expect(blocks(a)).toEqual([[1000, 2000]]);
    a = seg(3000, 1000);
    expect(blocks(a)).toEqual([[3000, 4000], [1000, 2000]]);
    a = seg(5000, 1000);
    expect(blocks(a)).toEqual([[5000, 6000], [3000, 4000], [1000, 2000]]);
    // A fourth run: only three blocks fit beside the timestamp (40 − 12 − 4 = 24 bytes); the oldest goes.
    a = seg(7000, 1000);
    expect(a.options.ts).toBeDefined();
    expect(blocks(a)).toEqual([[7000, 8000], [5000, 6000], [3000, 4000]]);
    // Filling 2000..3000 joins two runs; that run is now the most recent.
    a = seg(2000, 1000);
    expect(blocks(a)).toEqual([[1000, 4000], [7000, 8000], [5000, 6000]]);
    // The segment at rcv_nxt: the ACK jumps to 4000, the runs above stay reported.
    a = seg(0, 1000);
    expect(a.ack).toBe(R + 4000);
    expect(blocks(a)).toEqual([[7000, 8000], [5000, 6000]]);
    a = seg(4000, 1000);
    expect(a.ack).toBe(R + 6000);
    expect(blocks(a)).toEqual([[7000, 8000]]);
    p.send({ seq: R + 6000, ack: ISS + 1, flags: TH_ACK, opts: { ts: ts() }, data: data.subarray(6000, 7000) });
    const last = p.out();
    expect(last[0]!.ack).toBe(R + 8000);
    expect(last[0]!.options.sack).toBeUndefined();
    const got = drain(p.n, so);
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    // Every ACK above carried one SACK option.
    expect(p.s.tcp.stats.sack_send_blocks).toBe(7);
  });

  it('without timestamps four blocks fit', () => {
    const p = peer();
    const lis = p.listen(80);
    p.send({ seq: PISS, flags: TH_SYN, opts: { mss: 1460, sackPermitted: true } });
    p.out();
    p.send({ seq: PISS + 1, ack: ISS + 1, flags: TH_ACK });
    p.s.sockets.accept(lis);
    const R = PISS + 1;
    let last: TcpRepr | undefined;
    for (const off of [1000, 3000, 5000, 7000, 9000]) {
      p.send({ seq: R + off, ack: ISS + 1, flags: TH_ACK, data: pattern(500) });
      last = p.out()[0];
    }
    expect(last!.options.sack!.map((b) => b.left - R)).toEqual([9000, 7000, 5000, 3000]);
  });
});

describe('the sender: the scoreboard and SACK recovery (RFC 6675, NetBSD tcp_sack_output)', () => {
  // The second run puts the sequence space's wrap (2^32) in the middle of the episode.
  it.each([[ISS], [0xffffffff - 7500]])('retransmits exactly the holes, the first at the third duplicate ACK, then new data under the pipe (ISS %d)', (iss) => {
    const p = new Peer();
    p.env.random32 = () => iss;
    const { so } = active(p, { mss: 1000, sackPermitted: true }, iss);
    const tp = tcb(so);
    const S = (iss + 1) >>> 0;
    const rel = (x: number) => (x - S) >>> 0;
    const ack = (a: number, sack: [number, number][] = []) => {
      p.send({ sport: 40000, dport: 1025, seq: PISS + 1, ack: S + a, flags: TH_ACK, win: 65535,
        opts: sack.length ? { sack: sack.map(([l, r]) => ({ left: (S + l) >>> 0, right: (S + r) >>> 0 })) } : {} });
      return p.out().map((r) => [rel(r.seq), r.payload.length]);
    };
    expect(p.s.sockets.sendStream(so, pattern(20000), 1)).toBe(20000);
    // Initial window: 4 segments (RFC 3390 with MSS 1000).
    expect(p.out().map((r) => rel(r.seq))).toEqual([0, 1000, 2000, 3000]);
    // Each ACK opens cwnd by a segment (slow start): two segments go per ACK.
    for (const a of [1000, 2000, 3000, 4000]) ack(a);
    expect(rel(tp.snd_max)).toBe(12000);
    expect(tp.snd_cwnd).toBe(8000);
    // Segments 4000 and 8000 are lost; the peer SACKs what came.
    expect(ack(4000, [[5000, 6000]])).toEqual([]);
    expect(ack(4000, [[5000, 7000]])).toEqual([]);
    // Third duplicate: ssthresh = cwnd/2 = 4000 = cwnd; the first hole goes at once although the pipe
    // (snd_max − fack = 12000 − 8000) leaves no room (RFC 6675 §5 step 4.3).
    expect(ack(4000, [[5000, 8000]])).toEqual([[4000, 1000]]);
    expect(tp.snd_ssthresh).toBe(4000);
    expect(tp.snd_cwnd).toBe(4000);
    // A new block shows the second hole; pipe = 12000 − 10000 + 1000 retransmitted = 3000: room for it.
    expect(ack(4000, [[9000, 10000], [5000, 8000]])).toEqual([[8000, 1000]]);
    expect(tp.snd_holes.map((h) => [rel(h.start), rel(h.end), rel(h.rxmit)])).toEqual([[4000, 5000, 5000], [8000, 9000, 9000]]);
    // No hole left to send: new data as the pipe (12000 − 11000 + 2000) allows.
    expect(ack(4000, [[9000, 11000], [5000, 8000]])).toEqual([[12000, 1000]]);
    // Partial ACK (the first hole filled): pipe = 13000 − 12000 + 1000 = 2000 → two new segments.
    expect(ack(8000, [[9000, 12000]])).toEqual([[13000, 1000], [14000, 1000]]);
    expect(tp.sack_recovery).toBe(true);
    // The ACK covering snd_recover (12000) ends the episode: cwnd = flight (2000) + 1 segment (tcp_sack_newack).
    expect(ack(13000)).toEqual([[15000, 1000]]);
    expect(tp.sack_recovery).toBe(false);
    const st = p.s.tcp.stats;
    expect([st.sack_recovery_episode, st.sack_rexmits, st.sack_rexmit_bytes, st.sndrexmitpack]).toEqual([1, 2, 2000, 2]);
    expect(st.sack_rcv_blocks).toBe(6);
    expect(st.rexmttimeo).toBe(0);
  });

  it('a lost retransmission: the timeout ends the episode, drops the scoreboard and goes back to snd_una', () => {
    const p = peer();
    const { so } = active(p, { mss: 1000, sackPermitted: true });
    const tp = tcb(so);
    const S = ISS + 1;
    const ack = (a: number, sack: [number, number][] = []) => {
      p.send({ sport: 40000, dport: 1025, seq: PISS + 1, ack: S + a, flags: TH_ACK, win: 65535,
        opts: sack.length ? { sack: sack.map(([l, r]) => ({ left: S + l, right: S + r })) } : {} });
      return p.out().map((r) => [r.seq - S, r.payload.length]);
    };
    p.s.sockets.sendStream(so, pattern(8000), 1);
    p.out();
    ack(1000);
    expect(ack(1000, [[2000, 3000]])).toEqual([]);
    expect(ack(1000, [[2000, 4000]])).toEqual([]);
    expect(ack(1000, [[2000, 5000]])).toEqual([[1000, 1000]]);
    expect(tp.sack_recovery).toBe(true);
    // The retransmission is lost too: nothing more comes back until the retransmission timer fires.
    const { segs } = p.advanceUntilOutput(10_000_000_000);
    expect(segs.map((r) => [r.seq - S, r.payload.length])).toEqual([[1000, 1000]]);
    expect([tp.sack_recovery, tp.snd_holes.length, tp.snd_cwnd, p.s.tcp.stats.rexmttimeo]).toEqual([false, 0, 1000, 1]);
    expect(tp.snd_nxt - S).toBe(2000);
  });

  it('ignores blocks below the ACK (D-SACK, RFC 2883) and blocks beyond snd_max', () => {
    const p = peer();
    const { so } = active(p, { mss: 1000, sackPermitted: true });
    const tp = tcb(so);
    const S = ISS + 1;
    p.s.sockets.sendStream(so, pattern(4000), 1);
    p.out();
    p.send({ sport: 40000, dport: 1025, seq: PISS + 1, ack: S + 1000, flags: TH_ACK,
      opts: { sack: [{ left: S, right: S + 1000 }, { left: S + 3000, right: S + 9000 }] } });
    expect(tp.snd_holes).toEqual([]);
    p.send({ sport: 40000, dport: 1025, seq: PISS + 1, ack: S + 1000, flags: TH_ACK,
      opts: { sack: [{ left: S + 500, right: S + 1000 }, { left: S + 2000, right: S + 3000 }] } });
    expect(tp.snd_holes.map((h) => [h.start - S, h.end - S])).toEqual([[1000, 2000]]);
  });
});

/** Drop the first transmission of the data segments from a with these indices (send order). */
function dropDataSegments(p: Pair, which: number[]): void {
  let i = 0;
  let maxEnd = -1;
  p.loss = (frame, from) => {
    if (from !== 'a' || frame[12] !== 0x08 || frame[13] !== 0x00 || frame[23] !== 6) return false; // IPv4 TCP only
    const ipHl = (frame[14]! & 0x0f) * 4;
    const tcp = frame.subarray(14 + ipHl);
    const len = frame.length - 14 - ipHl - (tcp[12]! >> 4) * 4;
    if (len === 0) return false;
    const seq = new DataView(tcp.buffer, tcp.byteOffset).getUint32(4);
    if (maxEnd >= 0 && ((seq - maxEnd) | 0) < 0) return false; // a retransmission
    maxEnd = (seq + len) >>> 0;
    return which.includes(i++);
  };
}

function transfer(p: Pair, n: number): Uint8Array {
  const data = pattern(n);
  const out = Buffer.from(pumpStream(p, data).got);
  expect(out.equals(Buffer.from(data))).toBe(true);
  return out;
}

const retransmissions = (segs: WireSeg[]) => {
  const seen = new Set<number>();
  const r: WireSeg[] = [];
  for (const s of segs) {
    if (s.from !== 'a' || s.len === 0) continue;
    if (seen.has(s.seq)) r.push(s);
    seen.add(s.seq);
  }
  return r;
};

describe('whole transfers: SACK against NewReno (1 ms each way: RTT 2 ms)', () => {
  function run(sack: boolean, drops: number[]) {
    const p = new Pair();
    p.a.s.tcp.sackEnable = sack;
    p.b.s.tcp.sackEnable = sack;
    dropDataSegments(p, drops);
    transfer(p, 200_000);
    const st = p.a.s.tcp.stats;
    const rx = retransmissions(p.segs);
    return { p, st, rx, span: rx.length ? rx[rx.length - 1]!.t - rx[0]!.t : 0 };
  }

  for (const drops of [[20, 23], [20, 23, 26]]) {
    it(`${drops.length} drops in one window: SACK retransmits exactly them within one RTT, NewReno needs one RTT each`, () => {
      const s = run(true, drops);
      const n = run(false, drops);
      // Both retransmit exactly the lost segments, once each, and neither waits for a timeout.
      for (const r of [s, n]) {
        expect(r.st.sndrexmitpack).toBe(drops.length);
        expect(r.rx).toHaveLength(drops.length);
        expect(r.st.rexmttimeo).toBe(0);
        expect(r.p.segs.filter((x) => x.dropped).map((x) => x.seq).sort()).toEqual(r.rx.map((x) => x.seq).sort());
      }
      expect(s.st.sack_recovery_episode).toBe(1);
      expect(s.st.sack_rexmits).toBe(drops.length);
      expect(n.st.sack_recovery_episode).toBe(0);
      expect(n.st.sack_rcv_blocks).toBe(0);
      // SACK: all holes go within one round trip of the first retransmission; NewReno: a partial ACK, one RTT,
      // for every further hole.
      expect(s.span).toBeLessThan(2_000_000);
      expect(n.span).toBeGreaterThanOrEqual((drops.length - 1) * 2_000_000);
      expect(n.p.a.env.probes('tcp').filter((x) => x === 'partialack')).toHaveLength(drops.length - 1);
    });
  }
});

describe('netstat -s -p tcp', () => {
  it('prints the SACK counters with the FreeBSD/NetBSD wording', () => {
    const st = { ...new Pair().a.s.tcp.stats, sack_recovery_episode: 2, sack_rexmits: 3, sack_rexmit_bytes: 4344, sack_rcv_blocks: 9, sack_send_blocks: 1 };
    const text = formatTcpStats(st);
    expect(text).toContain('\t2 SACK recovery episodes\n');
    expect(text).toContain('\t3 segment rexmits in SACK recovery episodes\n');
    expect(text).toContain('\t4344 byte rexmits in SACK recovery episodes\n');
    expect(text).toContain('\t9 SACK options (SACK blocks) received\n');
    expect(text).toContain('\t1 SACK option (SACK blocks) sent\n');
  });
});
