/** <netinet/tcp.h>: TCP-level socket options (level IPPROTO_TCP), NetBSD values. */
export const TCP_NODELAY = 0x01;
export const TCP_MAXSEG = 0x02;
export const TCP_KEEPIDLE = 0x03;
export const TCP_KEEPINTVL = 0x05;
export const TCP_KEEPCNT = 0x06;

/** The default MSS when nothing better is known (RFC 1122, RFC 9293: 536 for IPv4; 1220 for IPv6). */
export const TCP_MSS = 536;
export const TCP6_MSS = 1220;
