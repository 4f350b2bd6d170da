/**
 * Selective acknowledgments (RFC 2018) as NetBSD's netinet/tcp_sack.c keeps them.
 *
 * Receiver: the SACK blocks of an outgoing ACK describe the runs of data waiting in the reassembly queue,
 * the run holding the most recently received segment first, then the others by how recently they last grew
 * (RFC 2018 §4; NetBSD walks its time-ordered queue, tcp_update_sack_list). No D-SACK blocks (RFC 2883) are
 * generated.
 *
 * Sender: every SACK option updates the scoreboard, a list of holes (tcp_sack_option): bytes the peer lacks
 * below the highest byte it SACKed. During a SACK recovery episode tcp_output retransmits the holes in
 * sequence order before new data (tcp_sack_output), as long as the estimate of the data in the network
 * (RFC 6675's pipe, taken as NetBSD/FreeBSD do from the forward-most SACKed byte: snd_max − snd_fack plus
 * the bytes retransmitted from holes) leaves room in cwnd. Blocks at or below the cumulative ACK (RFC 2883
 * D-SACK blocks among them) and blocks for data never sent are ignored, as tcp_sack_option does.
 */
import { NetCost } from '../costs';
import type { TcpOptions } from '../wire/tcp';
import { SEQ_GEQ, SEQ_GT, SEQ_LEQ, SEQ_LT, seqAdd, seqDiff } from './fsm';
import { TF_SACK_PERMIT, type SackHole, type TcpCb } from './tcpcb';
import type { Tcp } from './tcp';

/** MAX_TCPOPTLEN: the option space of a TCP header. */
export const MAX_TCPOPTLEN = 40;
/** NOP NOP kind length in front of the blocks (RFC 2018 §3, the layout BSD sends). */
const SACK_OPT_HDR = 4;
const SACK_BLOCK_LEN = 8;

const seqMax = (a: number, b: number): number => (SEQ_GT(a, b) ? a : b);
const seqMin = (a: number, b: number): number => (SEQ_LT(a, b) ? a : b);

export type SackBlock = { left: number; right: number };

/**
 * The SACK blocks for an ACK from `tp` when `used` bytes of options are already taken: at most 4 blocks,
 * 3 beside a timestamp (RFC 2018 §3). Empty when SACK was not agreed or nothing waits out of order.
 */
export function tcpSackBlocks(tp: TcpCb, used: number): SackBlock[] {
  if ((tp.flags & TF_SACK_PERMIT) === 0 || tp.segq.length === 0) return [];
  const max = Math.floor((MAX_TCPOPTLEN - used - SACK_OPT_HDR) / SACK_BLOCK_LEN);
  if (max <= 0) return [];
  // Coalesce contiguous queued segments into runs; a run is as recent as its newest segment.
  const runs: (SackBlock & { recent: number })[] = [];
  for (const q of tp.segq) {
    const end = seqAdd(q.seq, q.data.length);
    const last = runs[runs.length - 1];
    if (last && SEQ_GEQ(last.right, q.seq)) {
      last.right = seqMax(last.right, end);
      last.recent = Math.max(last.recent, q.arrival);
    } else runs.push({ left: q.seq, right: end, recent: q.arrival });
  }
  return runs
    .filter((r) => SEQ_GT(r.right, r.left) && SEQ_GT(r.left, tp.rcv_nxt))
    .sort((x, y) => y.recent - x.recent)
    .slice(0, max)
    .map(({ left, right }) => ({ left, right }));
}

/**
 * tcp_sack_option: fold the SACK blocks of an ACK for `ack` into the scoreboard. Blocks are checked (old,
 * beyond snd_max, empty: ignored), sorted, then each one trims, splits or removes the holes it covers, and
 * opens a new hole between the previous highest SACKed byte and its left edge.
 */
export function tcpSackOption(tcp: Tcp, tp: TcpCb, ack: number, opts: TcpOptions): void {
  const blocks = opts.sack;
  if ((tp.flags & TF_SACK_PERMIT) === 0 || !blocks || blocks.length === 0) return;
  tcp.stats.sack_rcv_blocks++;
  tcp.s.env.charge(NetCost.tcpSackOption);
  const acked = SEQ_GT(ack, tp.snd_una) ? ack : tp.snd_una;
  const valid = blocks
    .filter((b) => SEQ_GT(b.right, acked) && SEQ_LT(b.left, tp.snd_max) && SEQ_LT(b.left, b.right) && SEQ_LEQ(b.right, tp.snd_max))
    .map((b) => ({ left: seqMax(b.left, acked), right: b.right }))
    .sort((x, y) => seqDiff(x.left, y.left));
  if (valid.length === 0) return;
  const holes = tp.snd_holes;
  if (holes.length === 0 || SEQ_LT(tp.rcv_lastsack, acked)) tp.rcv_lastsack = seqMax(tp.rcv_lastsack, acked);
  for (const b of valid) {
    if (SEQ_GT(b.right, tp.snd_fack)) tp.snd_fack = b.right;
    // The block fills what it covers of existing holes.
    for (let i = 0; i < holes.length; i++) {
      const h = holes[i]!;
      if (SEQ_LEQ(b.right, h.start) || SEQ_GEQ(b.left, h.end)) continue;
      if (SEQ_LEQ(b.left, h.start) && SEQ_GEQ(b.right, h.end)) {
        holes.splice(i--, 1); // the whole hole arrived
      } else if (SEQ_LEQ(b.left, h.start)) {
        h.start = b.right; // its front arrived
        h.rxmit = seqMax(h.rxmit, h.start);
      } else if (SEQ_GEQ(b.right, h.end)) {
        h.end = b.left; // its back arrived
        h.rxmit = seqMin(h.rxmit, h.end);
      } else {
        // The middle arrived: two holes.
        const tail: SackHole = { start: b.right, end: h.end, rxmit: seqMax(h.rxmit, b.right) };
        h.end = b.left;
        h.rxmit = seqMin(h.rxmit, h.end);
        holes.splice(++i, 0, tail);
      }
    }
    // Bytes between the last SACKed byte and this block are missing too.
    if (SEQ_LT(tp.rcv_lastsack, b.left)) holes.push({ start: tp.rcv_lastsack, end: b.left, rxmit: tp.rcv_lastsack });
    if (SEQ_LT(tp.rcv_lastsack, b.right)) tp.rcv_lastsack = b.right;
  }
}

/** tcp_del_sackholes: the cumulative ACK moved to `ack`: holes below it are gone. */
export function tcpDelSackholes(tp: TcpCb, ack: number): void {
  const last = SEQ_GT(ack, tp.snd_una) ? ack : tp.snd_una;
  const holes = tp.snd_holes;
  while (holes.length > 0 && SEQ_LEQ(holes[0]!.end, last)) holes.shift();
  const h = holes[0];
  if (h && SEQ_LT(h.start, last)) {
    h.start = last;
    h.rxmit = seqMax(h.rxmit, last);
  }
  if (SEQ_GT(last, tp.snd_fack)) tp.snd_fack = last;
  if (SEQ_GT(last, tp.rcv_lastsack)) tp.rcv_lastsack = last;
}

/** tcp_free_sackholes: forget the scoreboard (after a retransmission timeout). */
export function tcpFreeSackholes(tp: TcpCb): void {
  tp.snd_holes.length = 0;
  tp.snd_fack = tp.rcv_lastsack = tp.snd_una;
}

/**
 * tcp_sack_output: the first hole with bytes still to retransmit (null if none), and the bytes already
 * retransmitted from holes (they are in the network again).
 */
export function tcpSackOutput(tp: TcpCb): { hole: SackHole | null; rexmitBytes: number } {
  let rexmitBytes = 0;
  let hole: SackHole | null = null;
  for (const h of tp.snd_holes) {
    rexmitBytes += seqDiff(h.rxmit, h.start);
    if (!hole && SEQ_LT(h.rxmit, h.end) && SEQ_GEQ(h.rxmit, tp.snd_una)) hole = h;
  }
  return { hole, rexmitBytes };
}

/** RFC 6675 §4's pipe, FACK style: data sent beyond the forward-most SACKed byte plus retransmitted hole bytes. */
export function tcpSackPipe(tp: TcpCb, rexmitBytes: number): number {
  return seqDiff(tp.snd_max, seqMax(tp.snd_fack, tp.snd_una)) + rexmitBytes;
}
