/**
 * `netstat [-a] [-n]`: the active Internet connections, as NetBSD's usr.bin/netstat prints them from the
 * net.inet.{tcp,udp}.pcblist and net.inet6.{tcp6,udp6}.pcblist sysctl nodes (inet.c protopr, inet6.c
 * ip6protopr). One header per family, printed before its first row; without -a, sockets with no foreign
 * address (listeners, unconnected datagram sockets) are left out. Ports are always numeric here: there is
 * no services database on the image, so getservbyport would find nothing anyway.
 */
import type { PcbRow } from '../io-pkt/sysctl';
import { AF_INET } from '../include/sys/socket';
import { tcpStateName } from '../net/tcp/fsm';
import { ipToString } from '../net/wire/addr';
import { ipv6IsUnspecified, ipv6ToString } from '../net/wire/addr6';

/** Column width of an endpoint (width = 22 without -A). */
const WIDTH = 22;

const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w) : s.padEnd(w));
const rpad = (s: string | number, w: number) => String(s).padStart(w);

/** inet_lnaof(): the host part of a classful address (what netstat's -a filter tests). */
export function inetLnaof(a: number): number {
  if ((a & 0x80000000) === 0) return a & 0x00ffffff;
  if ((a & 0xc0000000) >>> 0 === 0x80000000) return a & 0x0000ffff;
  return a & 0x000000ff;
}

/** inetprint(): "addr.port" — the host part cut at 16 characters, "*" for INADDR_ANY and port 0. */
export function inetEndpoint(addr: number, port: number): string {
  const host = addr === 0 ? '*' : ipToString(addr);
  return `${host.slice(0, 16)}.${port === 0 ? '*' : port}`;
}

/** inet6print(): the numeric host, cut at 16 characters, then ".port". */
export function inet6Endpoint(addr: Uint8Array, port: number): string {
  const host = ipv6IsUnspecified(addr) ? '*' : ipv6ToString(addr);
  return `${host.slice(0, 16)}.${port === 0 ? '*' : port}`;
}

function rowLine(r: PcbRow, name: string, local: string, foreign: string): string {
  const state = r.proto === 'tcp' ? ` ${r.state >= 0 ? tcpStateName(r.state) : r.state}` : '';
  // A datagram row ends after the foreign address: the padding NetBSD prints there is trailing blanks.
  const line = `${fit(name, 5)} ${rpad(r.rcvq, 6)} ${rpad(r.sndq, 6)}  ${fit(local, WIDTH)} ${fit(foreign, WIDTH)}${state}`;
  return `${state ? line : line.trimEnd()}\n`;
}

/** protopr for the IPv4 PCB lists (tcp rows, then udp rows, each list newest first as the kernel keeps it). */
export function formatInetSockets(rows: PcbRow[], all: boolean): string {
  let t = '';
  for (const r of rows) {
    if (r.local.family !== AF_INET || r.foreign.family !== AF_INET) continue;
    if (r.proto === 'raw') continue;
    if (!all && inetLnaof(r.foreign.addr) === 0) continue;
    if (!t) {
      t = `Active Internet connections${all ? ' (including servers)' : ''}\n`;
      t += `Proto Recv-Q Send-Q  ${fit('Local Address', WIDTH)} ${fit('Foreign Address', WIDTH)} State\n`;
    }
    t += rowLine(r, r.proto, inetEndpoint(r.local.addr, r.local.port), inetEndpoint(r.foreign.addr, r.foreign.port));
  }
  return t;
}

/** ip6protopr for the IPv6 PCB lists ("tcp6"/"udp6", header "(state)"). */
export function formatInet6Sockets(rows: PcbRow[], all: boolean): string {
  let t = '';
  for (const r of rows) {
    if (r.local.family === AF_INET || r.foreign.family === AF_INET) continue;
    if (r.proto === 'raw') continue;
    if (!all && ipv6IsUnspecified(r.foreign.addr)) continue;
    if (!t) {
      t = `Active Internet6 connections${all ? ' (including servers)' : ''}\n`;
      t += `Proto Recv-Q Send-Q  ${fit('Local Address', WIDTH)} ${fit('Foreign Address', WIDTH)} (state)\n`;
    }
    t += rowLine(r, `${r.proto}6`, inet6Endpoint(r.local.addr, r.local.port), inet6Endpoint(r.foreign.addr, r.foreign.port));
  }
  return t;
}
