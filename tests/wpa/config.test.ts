/** hostapd.conf and wpa_supplicant.conf as the programs read them, and what they say about bad files. */
import { parseHostapdConf, parseSupplicantConf } from '../../stack/utils/wpa/config';
import { makeNode, newSim } from '../io-pkt/rig';

describe('hostapd.conf', () => {
  it('reads the WPA2-PSK items; the passphrase is everything after "="', () => {
    const { conf, errors } = parseHostapdConf(
      '# c\ninterface=ral0\ndriver=bsd\nssid=lab net\nchannel=11\nwpa=2\nwpa_passphrase="quoted pass"\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_group_rekey=600\nhw_mode=g\n',
    );
    expect(errors).toEqual([]);
    expect(conf).toMatchObject({ interface: 'ral0', ssid: 'lab net', channel: 11, wpa: 2, passphrase: '"quoted pass"', groupRekey: 600 });
  });
  it('reports bad lines with their numbers, as hostapd does', () => {
    const { errors } = parseHostapdConf('interface=ral0\nssid=x\nwpa=2\nwpa_passphrase=short\nfoo=bar\nrsn_pairwise=TKIP\nnonsense\nwpa_psk=12\n');
    expect(errors).toEqual([
      'Line 4: invalid WPA passphrase length 5 (expected 8..63)',
      "Line 5: unknown configuration item 'foo'",
      "Line 6: unsupported pairwise cipher 'TKIP' (this build: CCMP)",
      "Line 7: invalid line 'nonsense'",
      "Line 8: Invalid PSK '12'.",
      'WPA-PSK enabled, but PSK or passphrase is not configured.',
    ]);
  });
});

describe('wpa_supplicant.conf', () => {
  it('reads network blocks with quoted values and a hex psk', () => {
    const { conf, errors } = parseSupplicantConf(
      `ctrl_interface=DIR=/var/run/wpa_supplicant GROUP=wheel\nnetwork={\n  ssid="qnx wpa"\n  psk=${'ab'.repeat(32)}\n  key_mgmt=WPA-PSK\n}\nnetwork={\n ssid="open"\n key_mgmt=NONE\n}\n`,
    );
    expect(errors).toEqual([]);
    expect(conf.networks.map((n) => [n.ssid, n.open, n.psk?.length ?? 0])).toEqual([['qnx wpa', false, 32], ['open', true, 0]]);
  });
  it('reports what wpa_supplicant reports', () => {
    expect(parseSupplicantConf('network={\n ssid="x"\n psk="short"\n}\n').errors).toEqual([
      "Line 3: Invalid passphrase length 5 (expected: 8..63) 'short'.",
      'Line 1: WPA-PSK accepted for key management, but no PSK configured.',
    ]);
    expect(parseSupplicantConf('network={\n ssid="x"\n').errors).toEqual(['Line 1: network block was not terminated properly.']);
    expect(parseSupplicantConf('bogus=1\nnetwork={\n psk="12345678"\n}\n').errors).toEqual([
      "Line 1: unknown global field 'bogus'.",
      'Line 2: network block was missing ssid',
    ]);
  });
});

describe('the programs with bad or missing files', () => {
  it('hostapd and wpa_supplicant explain and exit 1; wpa_cli without a supplicant fails to connect', () => {
    const sim = newSim(1);
    const n = makeNode(sim, 'a');
    n.k.addBootFiles(['/etc/bad.conf'], { '/etc/bad.conf': 'interface=ral0\nssid=x\nwpa=2\n' });
    n.run([
      'io-pkt-v4-hc -dfake',
      'waitfor /dev/socket',
      'hostapd /etc/missing.conf',
      'echo $?',
      'hostapd /etc/bad.conf',
      'wpa_supplicant -i ral0 -c /etc/missing.conf',
      'wpa_cli -i ral0 status',
      'echo $?',
    ]);
    sim.queue.runUntil(2_000_000_000);
    expect(n.console()).toBe(
      'Configuration file: /etc/missing.conf\n' +
        "Could not open configuration file '/etc/missing.conf' for reading.\nFailed to set up interface with /etc/missing.conf\nFailed to initialize interface\n" +
        '1\n' +
        'Configuration file: /etc/bad.conf\nWPA-PSK enabled, but PSK or passphrase is not configured.\n' +
        "1 errors found in configuration file '/etc/bad.conf'\nFailed to set up interface with /etc/bad.conf\nFailed to initialize interface\n" +
        "Failed to open config file '/etc/missing.conf', error: No such file or directory\nFailed to read or parse configuration '/etc/missing.conf'.\n" +
        'Failed to connect to non-global ctrl_ifname: ral0  error: No such file or directory\n1\n',
    );
  });
});
