/**
 * IPv6 on the wire, checked by Wireshark: two io-pkt-v6-hc nodes with RTL8029s on a hub run DAD, router
 * solicitation, address resolution, ping6 over link-local and global addresses, a 3000-byte ping6 that
 * leaves in fragments and comes back reassembled (after a small ping6 has resolved the neighbours both ways:
 * like NetBSD's ln_hold, an INCOMPLETE entry keeps only the latest packet, so fragments sent before
 * resolution would be lost), and a ping6 to all-nodes. tshark must decode every frame
 * of the hub's pcap without a malformed packet, an error-level expert note or a bad ICMPv6 checksum, and
 * find the ND messages and fragments it expects.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenarioText, runScenarioChecked } from '../../emulator/app/testing/api';

function tshark(args: string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run does this)');
    throw new Error(`tshark failed: ${err.stderr ?? err.message}`);
  }
}

const SCENARIO = `
name: ipv6-pcap
seed: 2
until: 12s
nodes:
  alpha:
    nics: [{ model: rtl8029, mac: "00:00:e8:0a:00:01", link: hub0 }]
    script: |
      io-pkt-v6-hc -dne2000
      waitfor /dev/socket 10
      ifconfig en0 up
      ifconfig en0 inet6 2001:db8::1 prefixlen 64
      sleep 3
      ping6 -c 2 -i 0.5 fe80::200:e8ff:fe0b:2%en0
      ping6 -c 1 2001:db8::2
      ping6 -c 2 -i 0.5 -s 3000 2001:db8::2
      ping6 -c 1 ff02::1%en0
      ndp -a
  beta:
    nics: [{ model: rtl8029, mac: "00:00:e8:0b:00:02", link: hub0 }]
    script: |
      io-pkt-v6-hc -dne2000
      waitfor /dev/socket 10
      ifconfig en0 up
      ifconfig en0 inet6 2001:db8::2/64
links:
  hub0: { type: hub }
expect:
  - { node: alpha, console_re: "--- fe80::200:e8ff:fe0b:2%en0 ping6 statistics ---\\n2 packets transmitted, 2 packets received, 0.0% packet loss" }
  - { node: alpha, console: "PING6(3048=40+8+3000 bytes) 2001:db8::1 --> 2001:db8::2" }
  - { node: alpha, console_re: "--- 2001:db8::2 ping6 statistics ---\\n2 packets transmitted, 2 packets received, 0.0% packet loss" }
`;

describe('IPv6 pcap decodes cleanly in tshark', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-ipv6-pcap-'));
  const r = runScenarioChecked(parseScenarioText(SCENARIO), { pcapDir: dir });
  const pcap = path.join(dir, 'hub0.pcap');

  test('the pings are answered (fragmented ones too)', () => {
    expect(r.failures).toEqual([]);
    expect(fs.existsSync(pcap)).toBe(true);
  });

  test('no malformed frames, no error-level expert notes, no bad ICMPv6 checksums', () => {
    const filter = '_ws.malformed || _ws.expert.severity >= error || icmpv6.checksum.status == 0';
    expect(tshark(['-r', pcap, '-Y', filter, '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message']).trim()).toBe('');
  });

  test('tshark sees DAD and resolution NS, NAs, RSs, echoes, and the 3000-byte echoes in fragments', () => {
    // One pass: a row per frame (tshark's field occurrences joined with ',').
    const rows = tshark(['-r', pcap, '-T', 'fields', '-E', 'separator=|', '-e', 'ipv6.src', '-e', 'ipv6.dst', '-e', 'icmpv6.type',
      '-e', 'icmpv6.nd.na.flag.s', '-e', 'ipv6.nxt', '-e', 'ipv6.reassembled.length'])
      .trim().split('\n').map((l) => {
        const [src, dst, type, s, nxt, reass] = l.split('|');
        return { src, dst, type: Number(type || -1), solicited: s === '1' || s === 'True', nxt: (nxt ?? '').split(','), reass: reass !== '' && reass !== undefined };
      });
    const count = (f: (x: (typeof rows)[number]) => boolean) => rows.filter(f).length;
    // DAD: one NS from :: per address (two link-local, two global).
    expect(count((x) => x.type === 135 && x.src === '::')).toBe(4);
    expect(count((x) => x.type === 135 && x.src !== '::')).toBeGreaterThanOrEqual(1);
    expect(count((x) => x.type === 136 && x.solicited)).toBeGreaterThanOrEqual(1);
    expect(count((x) => x.type === 133)).toBeGreaterThanOrEqual(2);
    // 3048-byte packets at MTU 1500: three fragments each way, per echo; tshark reassembles each.
    expect(count((x) => x.nxt.includes('44'))).toBe(2 * 2 * 3);
    expect(count((x) => x.type === 129 && x.reass)).toBe(2);
    expect(count((x) => x.type === 128 && x.dst === 'ff02::1')).toBe(1);
  });
});
