/**
 * tcp_reass (netinet/tcp_input.c): out-of-order segments wait in tp.segq, sorted by sequence number. Overlaps
 * are resolved as BSD does: bytes already queued win, a new segment is trimmed against its predecessor and
 * successors it covers are trimmed or dropped. Once the segment at rcv_nxt is there, the contiguous run goes
 * to the socket. The queue is bounded (segments and bytes within the receive window) so a peer cannot make
 * it grow without limit.
 */
import { SEQ_GEQ, SEQ_GT, SEQ_LEQ, haveEstablished, seqAdd, seqDiff } from './fsm';
import type { TcpCb } from './tcpcb';
import type { Tcp } from './tcp';

/** Most segments kept out of order per connection (NetBSD bounds it by tcp_reass_maxqueuelen). */
export const TCP_REASS_MAXQLEN = 100;

/**
 * Queue `data` (sequence `seq`, FIN after it if `fin`); then deliver what has become contiguous. Returns true
 * when a FIN was delivered in order (the caller processes it). `data` empty with seq === rcv_nxt just
 * drains the queue (tcp_reass(tp, NULL) after the connection is established).
 */
export function tcpReass(tcp: Tcp, tp: TcpCb, seq: number, data: Uint8Array, fin: boolean, pktId: number): boolean {
  const st = tcp.stats;
  const q = tp.segq;
  if (data.length > 0 || fin) {
    if (q.length >= TCP_REASS_MAXQLEN) {
      st.rcvmemdrop++;
      tcp.s.env.trace('tcp', 'drop', pktId, { so: tp.so.id, reason: 'reassembly queue full', seq });
      return false;
    }
    let s = seq;
    let d = data;
    // Find the first queued segment that starts after the new one.
    let i = 0;
    while (i < q.length && SEQ_LEQ(q[i]!.seq, s)) i++;
    // Trim the front against the predecessor.
    const prev = i > 0 ? q[i - 1]! : null;
    if (prev) {
      const overlap = seqDiff(seqAdd(prev.seq, prev.data.length), s);
      if (overlap > 0) {
        if (overlap >= d.length && !(fin && !prev.fin)) {
          st.rcvduppack++;
          st.rcvdupbyte += d.length;
          return false;
        }
        const cut = Math.min(overlap, d.length);
        d = d.subarray(cut);
        s = seqAdd(s, cut);
      }
    }
    st.rcvoopack++;
    st.rcvoobyte += d.length;
    const end = seqAdd(s, d.length);
    // Trim or drop successors the new segment covers.
    while (i < q.length) {
      const nx = q[i]!;
      const over = seqDiff(end, nx.seq);
      if (over <= 0) break;
      if (over < nx.data.length) {
        nx.data = nx.data.subarray(over);
        nx.seq = seqAdd(nx.seq, over);
        break;
      }
      fin ||= nx.fin;
      q.splice(i, 1);
    }
    q.splice(i, 0, { seq: s, data: d, fin, pktId, arrival: tp.reass_arrivals++ });
  }
  if (!haveEstablished(tp.state)) return false;
  // Deliver the contiguous run at rcv_nxt.
  const so = tp.so;
  const rcv = so.stream!.rcv;
  let gotFin = false;
  let delivered = false;
  while (q.length > 0) {
    const f = q[0]!;
    if (SEQ_GT(f.seq, tp.rcv_nxt)) break;
    q.shift();
    // Bytes before rcv_nxt were delivered already (the segment at rcv_nxt filled part of this one).
    const skip = seqDiff(tp.rcv_nxt, f.seq);
    if (skip < f.data.length) {
      const part = f.data.subarray(skip);
      tp.rcv_nxt = seqAdd(tp.rcv_nxt, part.length);
      if (!so.cantRcvMore) rcv.append(part.slice(), f.pktId);
      delivered = true;
    }
    if (f.fin && SEQ_GEQ(seqAdd(f.seq, f.data.length), tp.rcv_nxt)) {
      gotFin = true;
      break;
    }
  }
  if (delivered) tcp.up.sorwakeup(so);
  return gotFin;
}

/** Drop every queued segment (tcp_freeq). */
export function tcpFreeq(tp: TcpCb): void {
  tp.segq.length = 0;
}

