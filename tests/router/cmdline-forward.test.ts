/**
 * The tcpip options that make a router (io-pkt-v4.use; init_main.c): `forward` turns forwarding and the fast path
 * on, `fastforward=N` (strtol) with N ≠ 0 turns both on, `fastforward=0` only the fast path off, and a bare
 * `fastforward` turns forwarding on.
 */
import { parseIoPktCommandLine } from '../../stack/io-pkt/cmdline';

const tcpip = (opts: string | null) => {
  const cl = parseIoPktCommandLine(['io-pkt-v4-hc', '-d', 'ne2000', ...(opts === null ? [] : ['-ptcpip', opts])]);
  return [cl.tcpip.forward, cl.tcpip.fastforward];
};

test.each([
  [null, [false, true]],
  ['forward', [true, true]],
  ['forward,fastforward=0', [true, false]],
  ['fastforward=0', [false, false]],
  ['fastforward=1', [true, true]],
  ['fastforward=0x10', [true, true]],
  ['fastforward', [true, true]],
])('-ptcpip %s → forward, fastforward = %j', (opts, want) => {
  expect(tcpip(opts)).toEqual(want);
});
