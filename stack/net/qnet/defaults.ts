/**
 * lsm-qnet.so's tunables, their defaults and where each comes from (docs/design/qnet-behaviour.md §1.2).
 * [doc] = QNX's lsm-qnet.so / npm-qnet-l4_lite.so pages; [ours] = not found in a stored source, chosen here
 * and named in one place so a better source can correct it.
 */
export interface QnetTunables {
  /** Length of Qnet's tick, ns. [ours: 200 ms, from auto_add's 150 ticks = 30 s] */
  tickNs: number;
  /** auto_add=: ticks between the resolver's broadcasts of our own mapping; 0 = none, and unsolicited ones are ignored. [doc: 150] */
  autoAdd: number;
  /** tx_retries=: retransmissions of a frame on one link before that link is declared down for that peer. [ours: 10] */
  txRetries: number;
  /** Ticks before an unacknowledged frame is retransmitted. [ours: 1] */
  txTimeoutTicks: number;
  /** conn_est_timeout=: ticks before a TCS_INIT / LR request is repeated. [doc, io-net: 1] */
  connEstTimeout: number;
  /** conn_est_retries=: repeats of a TCS_INIT / LR request before giving up (EHOSTUNREACH). [doc, io-net: 1] */
  connEstRetries: number;
  /** conn_up_idle=: ticks of silence before a session is polled (NR ping). [doc, io-net: 50] */
  connUpIdle: number;
  /** mtu_en=: largest LwL4 frame payload on an Ethernet link, bytes (header and pad included). [ours: 1500] */
  mtuEn: number;
  /** max_tx_bufs=: frames a session may have unacknowledged. [ours: 64] */
  maxTxBufs: number;
  /** do_crc=: fill and check the LwL4 CRC. [doc facts §7: off by default; ours: on, so tshark checks it] */
  doCrc: boolean;
  /** no_slog: don't log to the system log. */
  noSlog: boolean;
}

export const QNET_DEFAULTS: Readonly<QnetTunables> = {
  tickNs: 200_000_000,
  autoAdd: 150,
  txRetries: 10,
  txTimeoutTicks: 1,
  connEstTimeout: 1,
  connEstRetries: 1,
  connUpIdle: 50,
  mtuEn: 1500,
  maxTxBufs: 64,
  doCrc: true,
  noSlog: false,
};

/** Qnet's EtherType (facts/io-pkt.md §7; packet-qnet6.c ETHERTYPE_QNX_QNET6). */
export const ETHERTYPE_QNET = 0x8204;

/** CPU time of Qnet's own work, ns (charged to the io-pkt thread running it). [ours, same scale as stack/net/costs.ts] */
export const QnetCost = {
  /** Building or parsing one LwL4 frame (header, CRC setup, session lookup). */
  frame: 1_200,
  /** Per payload byte (CRC and copy). */
  perByte: 2,
  /** Encoding or decoding one KIF message (tables, kernel Net* call bookkeeping). */
  kif: 1_500,
  /** One resolver or TCS message. */
  control: 2_000,
} as const;
