/**
 * Debian's wpa_supplicant in the guest image (issue 10 §3) on its own, before any WPA2 on the other side: through
 * nl80211 it drives mac80211's client MLME on our RT2560 (rt2500pci), reads wpa_supplicant.conf(5), answers on its
 * control socket under /run, and behaves as on Debian against an open QNX access point (io-pkt-v4-hc, devnp-ral,
 * `mediaopt hostap`, no hostapd) — connected with key_mgmt=NONE, and left scanning when the network it is given
 * asks for WPA-PSK, which the AP does not offer (its beacons carry no RSN element).
 */
import { bootAndSnapshot, guestRun, scenarioOf, SEC } from './helpers';

const AP_MAC = '00:0c:43:25:60:01';
const YAML = `
seed: 9
until: 120s
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rt2560, mac: "${AP_MAC}", link: air0 }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ifconfig ral0 ssid qnxap mediaopt hostap chan 6 10.0.2.1/24 up
  linux1:
    kind: guest
    position: { x: 10, y: 0 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:03", link: air0 }]
    ip: 10.0.2.3/24
links:
  air0: { type: wireless, channel: 6 }
`;

let fixture: Awaited<ReturnType<typeof bootAndSnapshot>>;
beforeAll(async () => {
  fixture = await bootAndSnapshot(scenarioOf(YAML, 'wpa-supplicant'));
}, 300_000);

/** Writes the configuration with busybox printf and starts wpa_supplicant daemonized, logging to /tmp/wpa.log. */
function start(network: string): string {
  return `printf 'ctrl_interface=/run/wpa_supplicant\\nnetwork={\\n${network}}\\n' > /etc/wpa_supplicant.conf; wpa_supplicant -B -i wlan0 -c /etc/wpa_supplicant.conf -f /tmp/wpa.log`;
}

describe("Debian's wpa_supplicant in the guest", () => {
  test('is the Debian build, runs from the image with its libraries, and its control socket lives under /run', async () => {
    const a = await fixture.restore();
    const out = guestRun(a, 'linux1', `wpa_supplicant -v; ${start('\\tssid="qnxap"\\n\\tkey_mgmt=NONE\\n')}; ls /run/wpa_supplicant /var/run/wpa_supplicant; wpa_cli -i wlan0 ping`, 30 * SEC);
    expect(out).toContain('wpa_supplicant v2.10');
    expect(out.filter((l) => l.trim() === 'wlan0')).toHaveLength(2); // the socket, seen through /var/run -> /run
    expect(out).toContain('PONG');
  });

  test('with key_mgmt=NONE it connects to the open QNX AP, and the guest pings it', async () => {
    const a = await fixture.restore();
    const out = guestRun(a, 'linux1', `${start('\\tssid="qnxap"\\n\\tkey_mgmt=NONE\\n')}; sleep 3; wpa_cli -i wlan0 status; cat /tmp/wpa.log`, 30 * SEC);
    for (const l of [`bssid=${AP_MAC}`, 'ssid=qnxap', 'pairwise_cipher=NONE', 'group_cipher=NONE', 'key_mgmt=NONE', 'wpa_state=COMPLETED', 'ip_address=10.0.2.3'])
      expect(out).toContain(l);
    expect(out).toContain(`wlan0: SME: Trying to authenticate with ${AP_MAC} (SSID='qnxap' freq=2437 MHz)`);
    expect(out).toContain(`wlan0: Associated with ${AP_MAC}`);
    expect(out.some((l) => l.startsWith(`wlan0: CTRL-EVENT-CONNECTED - Connection to ${AP_MAC} completed`))).toBe(true);
    expect(guestRun(a, 'linux1', 'ping -c 3 10.0.2.1', 30 * SEC)).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
  });

  test('given a WPA-PSK network, it does not associate with the open AP of the same SSID: it keeps scanning', async () => {
    const a = await fixture.restore();
    const net = '\\tssid="qnxap"\\n\\tpsk="correct horse battery staple"\\n\\tkey_mgmt=WPA-PSK\\n\\tproto=RSN\\n\\tpairwise=CCMP\\n\\tgroup=CCMP\\n';
    const out = guestRun(a, 'linux1', `${start(net)}; sleep 4; wpa_cli -i wlan0 status; wpa_cli -i wlan0 scan_results; iw dev wlan0 link`, 30 * SEC);
    // wpa_supplicant's network selection (events.c wpa_scan_res_ok): a BSS without an RSN/WPA element does not match a
    // WPA-PSK network, so no authentication is even tried.
    expect(out.some((l) => /^wpa_state=(SCANNING|DISCONNECTED|INACTIVE)$/.test(l))).toBe(true);
    expect(out.some((l) => l.startsWith(AP_MAC) && l.includes('qnxap') && !l.includes('WPA'))).toBe(true);
    expect(out).toContain('Not connected.');
  });
});
