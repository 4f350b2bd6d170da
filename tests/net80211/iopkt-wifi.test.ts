/**
 * 802.11 inside io-pkt, with a fake wireless driver (no chip): the hc variants carry it — a QNX AP and a
 * QNX station configured with ifconfig as users type it associate and ping; ifconfig, `list scan`, wlanctl
 * and nicinfo show the 802.11 state — and io-pkt-v4 refuses a wireless driver.
 */
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim } from '../io-pkt/rig';
import { fakeWifiDriver, fakeWifiDriverNoImports } from './fake-wifi-driver';

const SEC = 1_000_000_000;

function pair() {
  const sim = newSim(9);
  const ap = makeNode(sim, 'ap', { macBase: 1 });
  const sta = makeNode(sim, 'sta', { macBase: 2 });
  ap.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => ap.nics);
  sta.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => sta.nics);
  connect(ap.nics[0]!, sta.nics[0]!, 1_000);
  return { sim, ap, sta };
}

describe('io-pkt-v4 has no 802.11', () => {
  test('a wireless driver does not load: unresolved net80211 symbol, the QNX way', () => {
    const sim = newSim(3);
    const n = makeNode(sim, 'alpha');
    n.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => n.nics);
    n.run(['io-pkt-v4 -v -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0']);
    sim.queue.runUntil(2 * SEC);
    expect(n.console()).toBe(
      'Unable to load devnp-fakewifi.so: Unresolved symbol "ieee80211_ifattach" called from devnp-fakewifi.so\n' +
        'ifconfig: SIOCGIFFLAGS ral0: No such device or address\n',
    );
  });

  test('a driver that does not declare its imports fails in ieee80211_ifattach instead', () => {
    const sim = newSim(3);
    const n = makeNode(sim, 'alpha');
    n.modules['devnp-fakewifi.so'] = fakeWifiDriverNoImports(() => n.nics);
    n.run(['io-pkt-v4 -v -dfakewifi', 'waitfor /dev/socket']);
    sim.queue.runUntil(2 * SEC);
    expect(n.console()).toBe('Unable to init devnp-fakewifi.so: Not supported\n');
  });

  test('io-pkt-v4-hc and io-pkt-v6-hc attach it', () => {
    for (const v of ['io-pkt-v4-hc', 'io-pkt-v6-hc']) {
      const sim = newSim(3);
      const n = makeNode(sim, 'alpha');
      n.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => n.nics);
      n.run([`${v} -v -dfakewifi`, 'waitfor /dev/socket', 'ifconfig ral0']);
      sim.queue.runUntil(2 * SEC);
      expect(n.console()).toBe(
        // a station in INIT: no SSID, no BSSID, any channel — so no bssid/chan line
        'ral0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> mtu 1500\n\tssid ""\n\tpowersave off\n' +
          // active: the rate at ni_txrate of our (not yet joined) BSS node, as ieee80211_media_status reports it
          '\taddress: 00:50:c2:00:00:01\n\tmedia: IEEE802.11 autoselect (DS1)\n\tstatus: no network\n',
      );
    }
  });
});

describe('a QNX AP and a QNX station in io-pkt-v4-hc', () => {
  test('ifconfig ssid/mediaopt hostap/chan up; the station associates and pings; status, scan list, wlanctl, nicinfo', () => {
    const { sim, ap, sta } = pair();
    ap.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 ssid qnxnet mode 11g mediaopt hostap chan 6 up', 'ifconfig ral0 10.0.0.1/24']);
    sta.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 ssid qnxnet up', 'ifconfig ral0 10.0.0.2/24']);
    sim.queue.runUntil(5 * SEC);
    ap.out.length = 0;
    sta.out.length = 0;
    sta.run(['ping -c 2 10.0.0.1', 'ifconfig ral0', 'ifconfig ral0 list scan', 'ifconfig -v ral0']);
    ap.run(['ifconfig ral0', 'wlanctl ral0']);
    sim.queue.runUntil(9 * SEC);
    const so = sta.console();
    expect(so).toMatch(/2 packets transmitted, 2 packets received, 0.0% packet loss/);
    expect(so).toContain(
      'ral0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tssid qnxnet\n\tpowersave off\n\tbssid 00:50:c2:00:00:01 chan 6\n' +
        '\taddress: 00:50:c2:00:00:02\n\tmedia: IEEE802.11 autoselect (OFDM54 mode 11g)\n\tstatus: active\n\tinet 10.0.0.2 netmask 0xffffff00 broadcast 10.0.0.255\n',
    );
    expect(so).toContain('SSID    BSSID              CHAN RATE  S:N   INT CAPS\nqnxnet  00:50:c2:00:00:01     6  54M  40:0  100 ESs\n');
    // -v: the 802.11 statistics, in ifconfig's order and wording
    expect(so).toMatch(/\trx beacon frames: [1-9]\d*\n/);
    expect(so).toContain('\tactive scans started: 1\n\tpassive scans started: 0\n');
    const ao = ap.console();
    expect(ao).toContain(
      // an AP's ssid line: IEEE80211_IOC_APBRIDGE is on by default
      'ral0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tssid qnxnet apbridge\n\tpowersave off\n\tbssid 00:50:c2:00:00:01 chan 6\n' +
        '\taddress: 00:50:c2:00:00:01\n\tmedia: IEEE802.11 autoselect mode 11g hostap\n\tstatus: active\n',
    );
    expect(ao).toContain(
      'ral0: mac 00:50:c2:00:00:01 bss 00:50:c2:00:00:01\n\tnode flags 0003<bss,sta>\n\tess <qnxnet>\n' +
        // create_ibss leaves an AP's own node without capability bits, as NetBSD's does
        '\tchan 6 freq 2437MHz flags 04e0<cck,ofdm,2.4GHz,dynamic cck-ofdm>\n\tcapabilities 0000\n' +
        '\tbeacon-interval 100 TU tsft 0 us\n\trates [*1.0] *2.0 *5.5 *11.0 6.0 9.0 12.0 18.0 24.0 36.0 48.0 54.0\n',
    );
    expect(ao).toContain(
      'ral0: mac 00:50:c2:00:00:02 bss 00:50:c2:00:00:01\n\tnode flags 0002<sta>\n\tess <qnxnet>\n' +
        '\tchan 6 freq 2437MHz flags 04e0<cck,ofdm,2.4GHz,dynamic cck-ofdm>\n\tcapabilities 0421<ess,short preamble,short slot-time>\n' +
        '\tbeacon-interval 100 TU tsft 0 us\n\trates *1.0 *2.0 *5.5 6.0 9.0 *11.0 12.0 18.0 24.0 36.0 48.0 [54.0]\n',
    );
    // the station's inactivity counter: reloaded to ic_inact_run (20 ticks of 15 s) by its traffic
    expect(ao).toMatch(/\tassoc-id 1 assoc-failed 0 inactivity 20s\n\trssi 40 txseq \d+ rxseq \d+\n/);
    ap.out.length = 0;
    ap.run(['nicinfo ral0']);
    sim.queue.runUntil(10 * SEC);
    expect(ap.console()).toMatch(/Network Name \(SSID\) \.+ qnxnet\n {2}Channel \.+ 6\n {2}BSSID \.+ 00:50:c2:00:00:01\n {2}Operating Mode \.+ Access Point\n/);
    expect(ap.console()).toMatch(/Associated Stations \.+ 1\n/);
  });

  test('ifconfig ral0 scan on a station that is up without an SSID lists the AP', () => {
    const { sim, ap, sta } = pair();
    ap.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 ssid qnxnet mode 11g mediaopt hostap chan 11 up']);
    sta.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 scan', 'ifconfig ral0 down', 'ifconfig ral0 scan']);
    sim.queue.runUntil(10 * SEC);
    expect(sta.console()).toBe(
      'ifconfig: SIOCS80211SCAN: Network is down\n' +
        'ifconfig: SIOCS80211SCAN: Network is down\n',
    );
    sta.out.length = 0;
    sta.run(['ifconfig ral0 up', 'ifconfig ral0 scan']);
    sim.queue.runUntil(20 * SEC);
    expect(sta.console()).toContain('qnxnet  00:50:c2:00:00:01    11  54M  40:0  100 ESs\n');
  });
});

describe('determinism', () => {
  test('the same seed gives the same consoles and the same frames on the wire', () => {
    const once = () => {
      const { sim, ap, sta } = pair();
      ap.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 ssid qnxnet mode 11g mediaopt hostap chan 6 up', 'ifconfig ral0 10.0.0.1/24']);
      sta.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 ssid qnxnet up', 'ifconfig ral0 10.0.0.2/24', 'sleep 4', 'ping -c 2 10.0.0.1', 'wlanctl ral0']);
      sim.queue.runUntil(8 * SEC);
      return JSON.stringify([sta.console(), ap.console(), ap.nics[0]!.sent.map((f) => [f.t, Array.from(f.data)])]);
    };
    expect(once()).toBe(once());
  });
});

describe('configuration errors, as ifconfig and wlanctl report them', () => {
  test('bad channel, SSID too long, unknown media or mode, wlanctl usage and an unknown interface', () => {
    const sim = newSim(4);
    const n = makeNode(sim, 'alpha');
    n.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => n.nics);
    n.run([
      'io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 chan 15', `ifconfig ral0 ssid ${'x'.repeat(33)}`,
      'ifconfig ral0 media OFDM99', 'ifconfig ral0 mode 11a', 'ifconfig ral0 chan', 'wlanctl', 'wlanctl ral7', 'wlanctl lo0', 'wlanctl ral0',
    ]);
    sim.queue.runUntil(2 * SEC);
    expect(n.console()).toBe(
      'ifconfig: SIOCS80211CHANNEL: Invalid argument\n' +
        'ifconfig: SIOCS80211NWID: Invalid argument\n' +
        'ifconfig: SIOCSIFMEDIA: Invalid argument\n' +
        'ifconfig: SIOCSIFMEDIA: Invalid argument\n' +
        'ifconfig: chan: missing argument\n' +
        'Usage: wlanctl [ -p ] -a\n       wlanctl [ -p ] interface [ interface ... ]\n' +
        'wlanctl: if_nametoindex: No such device or address\n' +
        // a station in INIT: its own BSS node only
        'ral0: mac 00:50:c2:00:00:01 bss 00:00:00:00:00:00\n\tnode flags 0001<bss>\n\tess <>\n' +
        '\tchan 1 freq 2412MHz flags 04e0<cck,ofdm,2.4GHz,dynamic cck-ofdm>\n\tcapabilities 0000\n\tbeacon-interval 0 TU tsft 0 us\n' +
        '\trates [*1.0] *2.0 *5.5 *11.0 6.0 9.0 12.0 18.0 24.0 36.0 48.0 54.0\n\tassoc-id 0 assoc-failed 0 inactivity 2s\n\trssi 0 txseq 0 rxseq 0\n',
    );
  });
});
