/**
 * Shared by the WPA2 guest tests (wpa2.test.ts, wpa2-soft.test.ts): the nodes of docs/examples/wifi-wpa2.yaml (its
 * buildfiles) as a test scenario, the guest's wpa_supplicant.conf and start-up, tshark over the capture, and a
 * counter of the hc stack's crypto dispatches per engine.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { Assembled } from '../../emulator/app/assembly/run';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { guestRun, SEC } from './helpers';

export const AP_MAC = '00:0c:43:25:60:01';
export const STA_MAC = '00:0c:43:25:60:02';
export const GUEST_MAC = '00:0c:43:25:60:03';
export const SSID = 'qnxwpa';
export const PASSPHRASE = 'correct horse battery staple';
const EXAMPLES = path.resolve(__dirname, '../../docs/examples');

/** The example's three nodes, the guest without its commands (the tests type them). `soft`: the -soft buildfiles. */
export function wpa2Yaml(soft: boolean, seed = 11): string {
  const bf = (n: string): string => path.join(EXAMPLES, 'wifi-wpa2', `${n}${soft ? '-soft' : ''}.build`);
  return `
seed: ${seed}
until: 120s
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rt2560, mac: "${AP_MAC}", link: air0 }]
    buildfile: ${bf('ap')}
  sta:
    position: { x: 5, y: 0 }
    nics: [{ model: rt2560, mac: "${STA_MAC}", link: air0 }]
    buildfile: ${bf('sta')}
  linux1:
    kind: guest
    position: { x: 10, y: 0 }
    nics: [{ model: rt2560, mac: "${GUEST_MAC}", link: air0 }]
    ip: 10.0.2.3/24
links:
  air0: { type: wireless, channel: 6 }
`;
}

/** wpa_supplicant.conf(5) for the guest, written with busybox printf (the shell's `\n`, `\t`). */
export function guestConf(psk: string): string {
  return `printf 'ctrl_interface=/run/wpa_supplicant\\nnetwork={\\n\\tssid="${SSID}"\\n\\tpsk="${psk}"\\n\\tkey_mgmt=WPA-PSK\\n\\tproto=RSN\\n\\tpairwise=CCMP\\n\\tgroup=CCMP\\n}\\n' > /etc/wpa_supplicant.conf`;
}

/**
 * Starts Debian's wpa_supplicant on wlan0 (daemonized, its log in /tmp/wpa.log) and waits up to `tries` seconds of
 * guest time for wpa_state=COMPLETED; returns `wpa_cli status` and the log.
 */
export function guestConnect(a: Assembled, psk: string, tries = 12): string[] {
  guestRun(a, 'linux1', guestConf(psk));
  const wait = Array.from({ length: tries }, (_, i) => i + 1).join(' ');
  return guestRun(
    a,
    'linux1',
    `wpa_supplicant -B -i wlan0 -c /etc/wpa_supplicant.conf -f /tmp/wpa.log; for i in ${wait}; do wpa_cli -i wlan0 status | grep -q wpa_state=COMPLETED && break; sleep 1; done; wpa_cli -i wlan0 status; cat /tmp/wpa.log`,
    (tries + 20) * SEC,
  );
}

/** tshark over a capture, one row of `fields` per frame ('|' separated); extra options before -r. */
export function tshark(file: string, fields: readonly string[], opts: readonly string[] = [], filter?: string): string[][] {
  const args = [...opts, '-r', file, ...(filter ? ['-Y', filter] : []), '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])];
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return out === '' ? [] : out.split('\n').map((l) => l.split('|'));
}

/** Wireshark's decryption options for this network's passphrase (the "wpa-pwd" key type: passphrase:SSID). */
export function decryptOpts(passphrase = PASSPHRASE, ssid = SSID): string[] {
  return ['-o', 'wlan.enable_decryption:TRUE', '-o', `uat:80211_keys:"wpa-pwd","${passphrase}:${ssid}"`];
}

/** Counts the stack crypto framework's `dispatch` records per node and engine (stack/crypto/crypto.ts). */
export function cryptoDispatches(): { sink: (r: TraceRecord) => void; get: (node: string, engine: string) => number; engines: (node: string) => string[] } {
  const n = new Map<string, number>();
  return {
    sink: (r) => {
      if (r.layer !== 'crypto' || r.probe !== 'dispatch') return;
      const k = `${r.node}/${String(r.f?.['engine'] ?? '?')}`;
      n.set(k, (n.get(k) ?? 0) + 1);
    },
    get: (node, engine) => n.get(`${node}/${engine}`) ?? 0,
    engines: (node) => [...n.keys()].filter((k) => k.startsWith(`${node}/`)).map((k) => k.slice(node.length + 1)),
  };
}
