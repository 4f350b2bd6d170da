/**
 * The rings, as if_bge.c runs them: bge_newbuf_std / bge_init_rx_ring_std (standard receive producer ring,
 * one cluster per slot, `receive=` of them posted), bge_init_tx_ring, bge_encap / bge_start (one send BD per
 * frame, checksum-offload flags from the mbuf, runts padded when TCP/UDP offload is asked for —
 * bge_cksum_pad —, 16 descriptors of slack), bge_rxeof (return ring up to the status block's producer,
 * errored frames recycled, checksum results handed to the stack) and bge_txeof (free up to the status block's
 * send consumer). Descriptors and the status block are host memory read and written with cached accesses.
 *
 * The simulated io-pkt's mbufs are not physically addressed, so frames are copied between them and the
 * driver's DMA buffers; the CPU is charged what the real zero-copy driver does per frame (costs.ts).
 */
import type { ThreadCtx } from '../../kernel/api';
import { IFF_OACTIVE, IFF_RUNNING } from '../../net/if';
import {
  M_CSUM_DATA, M_CSUM_IPv4, M_CSUM_IPv4_BAD, M_CSUM_TCPv4, M_CSUM_UDPv4, type Mbuf,
} from '../../net/mbuf';
import { BGE_NEWBUF_NS, BGE_RX_FRAME_NS, BGE_TX_DONE_NS, BGE_TX_FRAME_NS, HOST_DESC_ACCESS_NS } from './costs';
import {
  BGE_MBX_RX_CONS0_LO, BGE_MBX_RX_STD_PROD_LO, BGE_MBX_TX_HOST_PROD0_LO, BGE_MBX_TX_NIC_PROD0_LO, BGE_RETURN_RING_CNT,
  BGE_RX_BD_SIZE, BGE_RXBDFLAG_END, BGE_RXBDFLAG_ERROR, BGE_RXBDFLAG_IP_CSUM, BGE_RXBDFLAG_JUMBO_RING,
  BGE_RXBDFLAG_TCP_UDP_CSUM, BGE_SB_RX_PROD0, BGE_SB_TX_CONS0, BGE_STD_RX_RING_CNT, BGE_TX_BD_SIZE, BGE_TX_RING_CNT,
  BGE_TXBDFLAG_END, BGE_TXBDFLAG_IP_CSUM, BGE_TXBDFLAG_TCP_UDP_CSUM, ETHER_ALIGN, ETHER_CRC_LEN, ETHER_MIN_NOPAD,
  MCLBYTES,
} from './regs';
import type { BgeSoftc } from './softc';

/** Send descriptors bge_encap keeps free ("avoid coming within 16 descriptors of the end of the ring"). */
export const BGE_TX_SLACK = 16;

function le32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}
function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

/** Read a little-endian u16 of host memory (status block fields). */
function hostU16(ctx: ThreadCtx, addr: number): number {
  const b = new Uint8Array(2);
  ctx.bus.memRead(addr, b);
  return b[0]! | (b[1]! << 8);
}

/** bge_newbuf_std: standard slot `i` gets its cluster (ETHER_ALIGN into it), length, index, END. */
export function bgeNewbufStd(ctx: ThreadCtx, sc: BgeSoftc, i: number): void {
  const bd = new Uint8Array(BGE_RX_BD_SIZE);
  put32(bd, 0, 0);
  put32(bd, 4, sc.mem.rxBuf(i) + ETHER_ALIGN);
  put32(bd, 8, ((MCLBYTES - ETHER_ALIGN) | (i << 16)) >>> 0);
  put32(bd, 12, BGE_RXBDFLAG_END);
  ctx.bus.memWrite(sc.mem.stdRing + i * BGE_RX_BD_SIZE, bd);
  ctx.charge(BGE_NEWBUF_NS + HOST_DESC_ACCESS_NS);
}

/** bge_init_rx_ring_std: post `receive=` clusters; the producer index is the last slot filled. */
export function bgeInitRxRingStd(ctx: ThreadCtx, sc: BgeSoftc): void {
  const n = sc.opts.rxPosted;
  for (let i = 0; i < n; i++) bgeNewbufStd(ctx, sc, i);
  sc.std = n - 1;
  sc.csr.writembx(ctx, BGE_MBX_RX_STD_PROD_LO, sc.std);
}

/** bge_init_tx_ring: empty ring, both producer mailboxes 0. */
export function bgeInitTxRing(ctx: ThreadCtx, sc: BgeSoftc): void {
  sc.txCnt = 0;
  sc.txSavedConsIdx = 0;
  sc.txProdIdx = 0;
  sc.txChain.fill(null);
  ctx.bus.memWrite(sc.mem.txRing, new Uint8Array(BGE_TX_RING_CNT * BGE_TX_BD_SIZE));
  sc.csr.writembx(ctx, BGE_MBX_TX_HOST_PROD0_LO, 0);
  sc.csr.writembx(ctx, BGE_MBX_TX_NIC_PROD0_LO, 0);
}

/** bge_free_tx_ring / bge_free_rx_ring_std: forget what the chip had. */
export function bgeFreeRings(sc: BgeSoftc): void {
  sc.txChain.fill(null);
  sc.txCnt = 0;
}

type EncapResult = 'ok' | 'nobufs' | 'drop';

/** bge_encap: one frame into the send ring at the producer index. */
function bgeEncap(ctx: ThreadCtx, sc: BgeSoftc, m: Mbuf): EncapResult {
  const ifp = sc.ifp!;
  let flags = 0;
  const csum = m.csumFlags ?? 0;
  if (csum & M_CSUM_IPv4) flags |= BGE_TXBDFLAG_IP_CSUM;
  if (csum & (M_CSUM_TCPv4 | M_CSUM_UDPv4)) flags |= BGE_TXBDFLAG_TCP_UDP_CSUM;
  let data = m.data;
  // bge_cksum_pad: with TCP/UDP offload the chip's padding could enter the sum; pad runts with zeros.
  if (flags & BGE_TXBDFLAG_TCP_UDP_CSUM && data.length < ETHER_MIN_NOPAD) {
    const padded = new Uint8Array(ETHER_MIN_NOPAD);
    padded.set(data);
    data = padded;
  }
  if (data.length === 0 || data.length > MCLBYTES) return 'drop';
  const idx = sc.txProdIdx;
  if (sc.txChain[idx] !== null || sc.txCnt + 1 > Math.min(sc.opts.txMax, BGE_TX_RING_CNT) - BGE_TX_SLACK) {
    ifp.flags |= IFF_OACTIVE;
    return 'nobufs';
  }
  const buf = sc.mem.txBuf(idx);
  ctx.bus.memWrite(buf, data);
  ctx.tagPacket?.(data, m.pktId);
  const bd = new Uint8Array(BGE_TX_BD_SIZE);
  put32(bd, 0, 0);
  put32(bd, 4, buf);
  put32(bd, 8, ((flags | BGE_TXBDFLAG_END) | (data.length << 16)) >>> 0);
  put32(bd, 12, 0);
  ctx.bus.memWrite(sc.mem.txRing + idx * BGE_TX_BD_SIZE, bd);
  sc.txChain[idx] = { pktId: m.pktId, len: data.length };
  sc.txCnt++;
  sc.txProdIdx = (idx + 1) % BGE_TX_RING_CNT;
  ctx.charge(BGE_TX_FRAME_NS + HOST_DESC_ACCESS_NS);
  ctx.trace('driver', 'tx', m.pktId, { if: ifp.name, len: data.length, slot: idx, csum: flags });
  return 'ok';
}

/** bge_start: drain if_snd into the ring, one producer-mailbox write per call, arm the 5 s watchdog. */
export function bgeStart(ctx: ThreadCtx, sc: BgeSoftc): void {
  const ifp = sc.ifp;
  if (!ifp || (ifp.flags & (IFF_RUNNING | IFF_OACTIVE)) !== IFF_RUNNING) return;
  let pkts = 0;
  while (sc.txChain[sc.txProdIdx] === null) {
    const m = ifp.snd[0];
    if (!m) break;
    const r = bgeEncap(ctx, sc, m);
    if (r === 'nobufs') break;
    ifp.snd.shift();
    if (r === 'drop') {
      ifp.data.oerrors++;
      sc.counters.txFailedAllocs++;
      continue;
    }
    pkts++;
  }
  if (pkts === 0) return;
  sc.csr.writembx(ctx, BGE_MBX_TX_HOST_PROD0_LO, sc.txProdIdx);
  sc.ifTimer = 5;
}

/** bge_txeof: free the slots the chip has consumed (status block idx[0].tx_consumer). */
export function bgeTxeof(ctx: ThreadCtx, sc: BgeSoftc): void {
  const ifp = sc.ifp!;
  const cons = hostU16(ctx, sc.mem.statusBlock + BGE_SB_TX_CONS0) % BGE_TX_RING_CNT;
  ctx.charge(HOST_DESC_ACCESS_NS);
  let freed = false;
  for (let n = 0; sc.txSavedConsIdx !== cons && n < BGE_TX_RING_CNT; n++) {
    const idx = sc.txSavedConsIdx;
    const slot = sc.txChain[idx];
    if (slot) {
      ifp.data.opackets++;
      sc.txChain[idx] = null;
    }
    if (sc.txCnt > 0) sc.txCnt--;
    sc.txSavedConsIdx = (idx + 1) % BGE_TX_RING_CNT;
    sc.ifTimer = 0;
    freed = true;
    ctx.charge(BGE_TX_DONE_NS + HOST_DESC_ACCESS_NS);
  }
  if (freed) ifp.flags &= ~IFF_OACTIVE;
}

/**
 * bge_rxcsum (pre-57765 chips): what the chip checked, as m_pkthdr.csum_flags / csum_data. The stack
 * trusts these only as far as the interface's enabled receive capabilities go (ip_input, udp_input).
 */
function bgeRxcsum(m: Mbuf, flags: number, ipTcpCsum: number): void {
  let f = 0;
  if (flags & BGE_RXBDFLAG_IP_CSUM) {
    f |= M_CSUM_IPv4;
    if (((ipTcpCsum >>> 16) ^ 0xffff) !== 0) f |= M_CSUM_IPv4_BAD;
  }
  // Transport sums of runts are not trusted (the 5700-era chips may include their padding).
  if (flags & BGE_RXBDFLAG_TCP_UDP_CSUM && m.data.length >= ETHER_MIN_NOPAD) {
    m.csumData = ipTcpCsum & 0xffff;
    f |= M_CSUM_TCPv4 | M_CSUM_UDPv4 | M_CSUM_DATA;
  }
  if (f) m.csumFlags = f;
}

/** bge_rxeof: every return BD up to the status block's producer; refill; consumer and producer mailboxes. */
export function bgeRxeof(ctx: ThreadCtx, sc: BgeSoftc): void {
  const ifp = sc.ifp!;
  const prod = hostU16(ctx, sc.mem.statusBlock + BGE_SB_RX_PROD0) % BGE_RETURN_RING_CNT;
  ctx.charge(HOST_DESC_ACCESS_NS);
  let cons = sc.rxSavedConsIdx;
  if (cons === prod) return;
  let stdcnt = 0;
  const bd = new Uint8Array(BGE_RX_BD_SIZE);
  for (let n = 0; cons !== prod && n < BGE_RETURN_RING_CNT; n++) {
    ctx.bus.memRead(sc.mem.returnRing + cons * BGE_RX_BD_SIZE, bd);
    ctx.charge(HOST_DESC_ACCESS_NS);
    cons = (cons + 1) % BGE_RETURN_RING_CNT;
    const idxLen = le32(bd, 8);
    const flags = le32(bd, 12) & 0xffff;
    const rxidx = (idxLen >>> 16) % BGE_STD_RX_RING_CNT;
    const len = idxLen & 0xffff;
    if (flags & BGE_RXBDFLAG_JUMBO_RING) {
      // No jumbo ring is posted (MTU ≤ 1500): nothing to recycle.
      ifp.data.ierrors++;
      continue;
    }
    sc.std = (sc.std + 1) % BGE_STD_RX_RING_CNT;
    stdcnt++;
    if (flags & BGE_RXBDFLAG_ERROR || len <= ETHER_CRC_LEN || len > MCLBYTES - ETHER_ALIGN) {
      ifp.data.ierrors++;
      bgeNewbufStd(ctx, sc, sc.std);
      ctx.trace('driver', 'rx-error', 0, { if: ifp.name, len, flags, err: le32(bd, 20) >>> 16 });
      continue;
    }
    const data = new Uint8Array(len - ETHER_CRC_LEN);
    ctx.bus.memRead(sc.mem.rxBuf(rxidx) + ETHER_ALIGN, data);
    bgeNewbufStd(ctx, sc, sc.std);
    const m: Mbuf = { data, pktId: ctx.identify?.(data) ?? 0, rcvif: ifp };
    bgeRxcsum(m, flags, le32(bd, 16));
    ifp.data.ipackets++;
    ctx.charge(BGE_RX_FRAME_NS);
    ctx.trace('driver', 'rx', m.pktId, { if: ifp.name, len: data.length, slot: rxidx, csum: m.csumFlags ?? 0 });
    sc.iopkt.ifInput(ctx, ifp, m);
  }
  sc.rxSavedConsIdx = cons;
  sc.csr.writembx(ctx, BGE_MBX_RX_CONS0_LO, cons);
  if (stdcnt) sc.csr.writembx(ctx, BGE_MBX_RX_STD_PROD_LO, sc.std);
}
