/**
 * The interface between the socket layer (sockets.ts) and a connection-oriented protocol (NetBSD's
 * pr_usrreq requests for SOCK_STREAM, and the so*() calls a protocol makes back). TCP implements
 * StreamProtocol; the socket layer implements SocketUpcalls. Both run synchronously in the stack context.
 */
import type { SockAddr } from '../include/netinet/in';
import type { Socket } from './socket';

/** What the socket layer asks of a stream protocol (PRU_*). Numbers returned are errnos (0 = done). */
export interface StreamProtocol {
  /** PRU_ATTACH: a new socket (so.stream is already set): create the control block in so.pcb. */
  attach(so: Socket): number;
  /** PRU_BIND: in_pcbbind (port 0 = an ephemeral port; EADDRINUSE/EADDRNOTAVAIL). */
  bind(so: Socket, addr: SockAddr): number;
  /** PRU_LISTEN: bind an ephemeral port if unbound, enter LISTEN (so.acceptConn/qlimit set by the socket layer). */
  listen(so: Socket): number;
  /** PRU_CONNECT: choose the source, bind if needed, send the SYN; the protocol calls soisconnecting. */
  connect(so: Socket, addr: SockAddr): number;
  /** The local address (getsockname). */
  sockaddr(so: Socket): SockAddr;
  /** PRU_SEND: `data` (already fitted to so_snd's space by the socket layer) is appended to so.stream.snd and sent as the window allows. */
  send(so: Socket, data: Uint8Array, pktId: number): number;
  /** PRU_RCVD: the reader took bytes from so.stream.rcv: a window update may be due. */
  rcvd(so: Socket): void;
  /** PRU_SHUTDOWN (SHUT_WR): no more data; a FIN follows what is queued. */
  shutdown(so: Socket): number;
  /**
   * close(2) (soclose → PRU_DISCONNECT / PRU_ABORT): graceful unless SO_LINGER with time 0 or unread data
   * (then RST). The protocol calls SocketUpcalls.sofree(so) once its control block is gone (at once, or
   * after FIN_WAIT/TIME_WAIT).
   */
  disconnect(so: Socket): void;
  /** PRU_ABORT: drop the connection with RST (a listener's unaccepted connections when it closes). */
  abort(so: Socket): void;
  /** tcp_ctloutput at level IPPROTO_TCP: set returns an errno, get returns the value or -errno. */
  setopt(so: Socket, name: number, value: number): number;
  getopt(so: Socket, name: number): number;
}

/** What a protocol calls on the socket layer (kern/uipc_socket2.c), implemented by Sockets. */
export interface SocketUpcalls {
  soisconnecting(so: Socket): void;
  /** Established: wake a blocked connect(); a listener's child moves from q0 to q and wakes accept(). */
  soisconnected(so: Socket): void;
  soisdisconnecting(so: Socket): void;
  /** Gone: can neither send nor receive; everybody blocked on it wakes (so.error may say why). */
  soisdisconnected(so: Socket): void;
  /** sonewconn: a child socket for a SYN on listener `head` (in head.q0), or null when the backlog is full. */
  sonewconn(head: Socket): Socket | null;
  /** Data (or FIN, or an error) for readers. */
  sorwakeup(so: Socket): void;
  /** Send space, connection completion or an error for writers. */
  sowwakeup(so: Socket): void;
  /** The peer's FIN: readers see end of stream after the queued bytes. */
  socantrcvmore(so: Socket): void;
  socantsendmore(so: Socket): void;
  /** The protocol released its control block: the socket goes once the user has closed it too. */
  sofree(so: Socket): void;
}
