/**
 * hostapd and wpa_supplicant as programs of two simulated QNX nodes (io-pkt-v4-hc with the test wireless
 * driver), configured from their usual files, meeting only on the air: association, the 4-way handshake over
 * /dev/bpf, keys and port authorization through the net80211 ioctls, `wpa_cli status`, ping over CCMP; and a
 * wrong passphrase failing with the expected lines on both sides.
 */
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim, type TestNode } from '../io-pkt/rig';
import { fakeWifiDriver } from '../net80211/fake-wifi-driver';

const SEC = 1_000_000_000;

const HOSTAPD_CONF = `# hostapd.conf
interface=ral0
driver=bsd
ctrl_interface=/var/run/hostapd
ssid=qnxwpa
channel=6
wpa=2
wpa_passphrase=correct horse battery staple
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_group_rekey=600
`;

const supplicantConf = (pass: string) => `ctrl_interface=/var/run/wpa_supplicant
network={
    ssid="qnxwpa"
    psk="${pass}"
    key_mgmt=WPA-PSK
    proto=RSN
    pairwise=CCMP
    group=CCMP
}
`;

function withFile(n: TestNode, path: string, text: string): void {
  n.k.addBootFiles([path], { [path]: text });
}

function pair(staPass: string, hostapdConf = HOSTAPD_CONF) {
  const sim = newSim(11);
  const ap = makeNode(sim, 'ap', { macBase: 1 });
  const sta = makeNode(sim, 'sta', { macBase: 2 });
  ap.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => ap.nics);
  sta.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => sta.nics);
  connect(ap.nics[0]!, sta.nics[0]!, 1_000);
  withFile(ap, '/etc/hostapd.conf', hostapdConf);
  withFile(sta, '/etc/wpa_supplicant.conf', supplicantConf(staPass));
  ap.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 mode 11g mediaopt hostap chan 6 10.0.0.1/24 up', 'hostapd -B /etc/hostapd.conf']);
  sta.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 10.0.0.2/24 up', 'wpa_supplicant -B -i ral0 -c /etc/wpa_supplicant.conf']);
  return { sim, ap, sta };
}

describe('hostapd × wpa_supplicant on two QNX nodes', () => {
  test('WPA2-PSK: the 4-way handshake completes, wpa_cli status, ping', () => {
    const { sim, ap, sta } = pair('correct horse battery staple');
    sim.queue.runUntil(6 * SEC);
    sta.run(['wpa_cli -i ral0 status', 'ping -c 2 10.0.0.1']);
    sim.queue.runUntil(10 * SEC);
    const a = ap.console();
    const s = sta.console();
    expect(a).toContain('Configuration file: /etc/hostapd.conf\n');
    expect(a).toContain('ral0: AP-ENABLED\n');
    expect(a).toContain('ral0: STA 00:50:c2:00:00:02 IEEE 802.11: associated\n');
    expect(a).toContain('ral0: STA 00:50:c2:00:00:02 WPA: pairwise key handshake completed (RSN)\n');
    expect(a).toContain('ral0: AP-STA-CONNECTED 00:50:c2:00:00:02\n');
    expect(s).toContain('Successfully initialized wpa_supplicant\n');
    // wpa_supplicant chose the BSS from the scan results and asked net80211 to join it (MLME ASSOC).
    expect(s).toContain("ral0: Trying to associate with 00:50:c2:00:00:01 (SSID='qnxwpa' freq=2437 MHz)\n");
    expect(s).toContain('ral0: WPA: Key negotiation completed with 00:50:c2:00:00:01 [PTK=CCMP GTK=CCMP]\n');
    expect(s).toContain('ral0: CTRL-EVENT-CONNECTED - Connection to 00:50:c2:00:00:01 completed [id=0 id_str=]\n');
    expect(s).toContain(
      'bssid=00:50:c2:00:00:01\nfreq=2437\nssid=qnxwpa\nid=0\nmode=station\npairwise_cipher=CCMP\ngroup_cipher=CCMP\n' +
        'key_mgmt=WPA2-PSK\nwpa_state=COMPLETED\nip_address=10.0.0.2\naddress=00:50:c2:00:00:02\n',
    );
    expect(s).toMatch(/2 packets transmitted, 2 packets received, 0.0% packet loss/);
  });

  test('a wrong passphrase: hostapd sees invalid MICs and deauthenticates; wpa_supplicant says the key may be wrong', () => {
    const { sim, ap, sta } = pair('wrong horse battery staple');
    sim.queue.runUntil(8 * SEC);
    const a = ap.console();
    const s = sta.console();
    expect(a).toContain('ral0: STA 00:50:c2:00:00:02 WPA: invalid MIC in msg 2/4 of 4-Way Handshake\n');
    expect(a).toContain('ral0: AP-STA-POSSIBLE-PSK-MISMATCH 00:50:c2:00:00:02\n');
    expect(a).not.toContain('AP-STA-CONNECTED');
    expect(s).toContain('ral0: WPA: 4-Way Handshake failed - pre-shared key may be incorrect\n');
    expect(s).not.toContain('CTRL-EVENT-CONNECTED');
    // The network is disabled for 10 s after the first wrong key (wpas_auth_failed): one attempt in 8 s.
    expect(s).toContain('ral0: CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="qnxwpa" auth_failures=1 duration=10 reason=WRONG_KEY\n');
    expect(a.split('invalid MIC in msg 2/4').length - 1).toBe(4);
    expect(s.split('Trying to associate').length - 1).toBe(1);
  });

  test('after 10 s disabled the station tries again; a second wrong key disables it for 20 s', () => {
    const { sim, sta } = pair('wrong horse battery staple');
    sim.queue.runUntil(26 * SEC);
    const s = sta.console();
    expect(s).toContain('ral0: CTRL-EVENT-SSID-REENABLED id=0 ssid="qnxwpa"\n');
    expect(s).toContain('auth_failures=2 duration=20 reason=WRONG_KEY\n');
    expect(s.split('Trying to associate').length - 1).toBe(2);
  });

  test('group rekey (wpa_group_rekey=5): group 1/2 and 2/2 over the air, and unicast still flows', () => {
    const { sim, ap, sta } = pair('correct horse battery staple', HOSTAPD_CONF.replace('wpa_group_rekey=600', 'wpa_group_rekey=5'));
    sim.queue.runUntil(9 * SEC);
    sta.run(['ping -c 1 10.0.0.1']);
    sim.queue.runUntil(11 * SEC);
    expect(ap.console()).toContain('ral0: STA 00:50:c2:00:00:02 WPA: group key handshake completed (RSN)\n');
    expect(sta.console()).toContain('ral0: WPA: Group rekeying completed with 00:50:c2:00:00:01 [GTK=CCMP]\n');
    expect(sta.console()).toMatch(/1 packets transmitted, 1 packets received/);
  });
});
