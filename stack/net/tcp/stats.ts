/** TCP counters, named after NetBSD's tcpstat (netinet/tcp_var.h), which `netstat -s` prints. */
export function newTcpStat() {
  return {
    connattempt: 0, accepts: 0, connects: 0, drops: 0, conndrops: 0, closed: 0, segstimed: 0, rttupdated: 0,
    delack: 0, timeoutdrop: 0, rexmttimeo: 0, persisttimeo: 0, keeptimeo: 0, keepprobe: 0, keepdrops: 0,
    persistdrops: 0, connsdrained: 0, pmtublackhole: 0,
    sndtotal: 0, sndpack: 0, sndbyte: 0, sndrexmitpack: 0, sndrexmitbyte: 0, sndacks: 0, sndprobe: 0, sndurg: 0,
    sndwinup: 0, sndctrl: 0, sndrst: 0,
    rcvtotal: 0, rcvpack: 0, rcvbyte: 0, rcvbadsum: 0, rcvbadoff: 0, rcvmemdrop: 0, rcvshort: 0, rcvduppack: 0,
    rcvdupbyte: 0, rcvpartduppack: 0, rcvpartdupbyte: 0, rcvoopack: 0, rcvoobyte: 0, rcvpackafterwin: 0,
    rcvbyteafterwin: 0, rcvafterclose: 0, rcvwinprobe: 0, rcvdupack: 0, rcvacktoomuch: 0, rcvackpack: 0,
    rcvackbyte: 0, rcvwinupd: 0, pawsdrop: 0, predack: 0, preddat: 0, pcbhashmiss: 0, noport: 0, badsyn: 0,
    listendrop: 0, rcvbadsig: 0, mturesent: 0, badrst: 0,
    // SACK (RFC 2018): recovery episodes, what they retransmitted, SACK options received and sent
    sack_recovery_episode: 0, sack_rexmits: 0, sack_rexmit_bytes: 0, sack_rcv_blocks: 0, sack_send_blocks: 0,
  };
}
export type TcpStat = ReturnType<typeof newTcpStat>;
