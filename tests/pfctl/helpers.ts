/** Shared fixture of the pfctl tests: parse a pf.conf text against a node with en0 (10.0.0.1/24) and en1. */
import { parsePfConf } from '../../stack/utils/pfctl/parser';
import type { PfConf } from '../../stack/utils/pfctl/parser-core';
import type { PfIface } from '../../stack/utils/pfctl/host';

export const IFACES: PfIface[] = [
  { name: 'lo0', addrs: [{ addr: 0x7f000001, mask: 0xff000000 }], loopback: true },
  { name: 'en0', addrs: [{ addr: 0x0a000001, mask: 0xffffff00 }] },
  { name: 'en1', addrs: [{ addr: 0xc0a80101, mask: 0xffff0000 }] },
  { name: 'pflog0', addrs: [] },
];

export function parse(text: string, verbose = 0): PfConf {
  return parsePfConf(text, { file: '/etc/pf.conf', verbose, ifaces: IFACES });
}

/** The messages (stderr lines) of a parse. */
export function errors(text: string): string[] {
  return parse(text).out.filter((l) => l.err).map((l) => l.text.trimEnd());
}
