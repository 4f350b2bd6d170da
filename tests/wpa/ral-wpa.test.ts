/**
 * WPA2-PSK between two simulated QNX nodes with RT2560s in the air (devnp-ral, the chip's cipher engine when
 * registered): hostapd and wpa_supplicant configured from files the boot script writes to /dev/shmem, the
 * 4-way handshake, `wpa_cli status`, ping; and with a wrong passphrase, the handshake failing on both sides.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenarioText, runScenarioChecked } from '../../emulator/app/testing/api';

const SCENARIO = (staPass: string) => `
name: ral-wpa
seed: 3
until: 12s
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:01", link: air0 }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ifconfig ral0 mode 11g mediaopt hostap chan 6 10.0.2.1/24 up
      echo interface=ral0 > /dev/shmem/hostapd.conf
      echo ssid=qnxwpa >> /dev/shmem/hostapd.conf
      echo wpa=2 >> /dev/shmem/hostapd.conf
      echo 'wpa_passphrase=correct horse battery staple' >> /dev/shmem/hostapd.conf
      echo wpa_key_mgmt=WPA-PSK >> /dev/shmem/hostapd.conf
      echo rsn_pairwise=CCMP >> /dev/shmem/hostapd.conf
      hostapd -B /dev/shmem/hostapd.conf
  sta:
    position: { x: 0, y: 5 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:02", link: air0 }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ifconfig ral0 10.0.2.2/24 up
      echo ctrl_interface=/var/run/wpa_supplicant > /dev/shmem/wpa.conf
      echo network={ >> /dev/shmem/wpa.conf
      echo '  ssid="qnxwpa"' >> /dev/shmem/wpa.conf
      echo '  psk="${staPass}"' >> /dev/shmem/wpa.conf
      echo '  key_mgmt=WPA-PSK' >> /dev/shmem/wpa.conf
      echo } >> /dev/shmem/wpa.conf
      wpa_supplicant -B -i ral0 -c /dev/shmem/wpa.conf
links:
  air0: { type: wireless, channel: 6 }
actions:
  - { at: 7s, node: sta, command: "wpa_cli status" }
  - { at: 7500ms, node: sta, command: "ping -c 3 10.0.2.1" }
`;

describe('hostapd and wpa_supplicant over RT2560s', () => {
  test('the station completes the handshake, wpa_cli shows it, pings the AP over CCMP; tshark decrypts the air', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ral-wpa-'));
    const r = runScenarioChecked(parseScenarioText(SCENARIO('correct horse battery staple')), { artifactsDir: dir });
    const ap = r.consoles.get('ap') ?? '';
    const sta = r.consoles.get('sta') ?? '';
    expect(ap).toContain('ral0: STA 00:0c:43:25:60:02 WPA: pairwise key handshake completed (RSN)');
    expect(sta).toContain('ral0: WPA: Key negotiation completed with 00:0c:43:25:60:01 [PTK=CCMP GTK=CCMP]');
    expect(sta).toContain("Selected interface 'ral0'\nbssid=00:0c:43:25:60:01\nfreq=2437\nssid=qnxwpa\nid=0\nmode=station\n");
    expect(sta).toContain('wpa_state=COMPLETED\nip_address=10.0.2.2\naddress=00:0c:43:25:60:02\n');
    expect(sta).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    // The radiotap capture of the air, decrypted by tshark from the passphrase and SSID alone.
    const out = execFileSync(
      'tshark',
      ['-r', path.join(dir, 'air0.pcap'), '-o', 'wlan.enable_decryption:TRUE', '-o', 'uat:80211_keys:"wpa-pwd","correct horse battery staple:qnxwpa"',
        '-Y', 'eapol || icmp', '-T', 'fields', '-e', 'wlan_rsna_eapol.keydes.msgnr', '-e', 'icmp.type'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const rows = out.replace(/\n$/, '').split('\n').map((l) => l.split('\t').join('/'));
    expect(rows).toEqual(['1/', '2/', '3/', '4/', '/8', '/0', '/8', '/0', '/8', '/0']);
  });

  test('a wrong passphrase fails the handshake with the expected lines on both sides', () => {
    const r = runScenarioChecked(parseScenarioText(SCENARIO('not the passphrase')));
    const ap = r.consoles.get('ap') ?? '';
    const sta = r.consoles.get('sta') ?? '';
    expect(ap).toContain('ral0: STA 00:0c:43:25:60:02 WPA: invalid MIC in msg 2/4 of 4-Way Handshake');
    expect(ap).toContain('ral0: AP-STA-POSSIBLE-PSK-MISMATCH 00:0c:43:25:60:02');
    expect(sta).toContain('ral0: WPA: 4-Way Handshake failed - pre-shared key may be incorrect');
    expect(sta).toContain('wpa_state=');
    expect(sta).not.toContain('wpa_state=COMPLETED');
    expect(sta).not.toContain('CTRL-EVENT-CONNECTED');
  });
});
