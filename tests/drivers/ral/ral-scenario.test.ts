/**
 * devnp-ral on whole simulated QNX nodes: docs/examples/wifi-ap-sta.yaml (a QNX AP and a QNX station on a
 * `type: wireless` link: scan, associate, ping, out of range and back), the same with the station given the
 * channel, and io-pkt-v4 (no 802.11) refusing the driver.
 */
import * as path from 'node:path';
import { loadScenario, parseScenarioText, runScenarioChecked } from '../../../emulator/app/testing/api';
import { IOPKT_LOCAL_KEY } from '../../../stack/io-pkt/main';
import { sharedRun } from '../../helpers/shared-run';

const EXAMPLE = path.resolve(__dirname, '../../../docs/examples/wifi-ap-sta.yaml');

describe('docs/examples/wifi-ap-sta.yaml', () => {
  const run = sharedRun(() => runScenarioChecked(loadScenario(EXAMPLE)));

  test('every expectation holds', () => {
    expect(run().failures).toEqual([]);
  });

  test('the station shows the BSS while associated, "no network" while away, and the BSS again', () => {
    const sta = run().consoles.get('sta') ?? '';
    // Each `ifconfig ral0`: the BSSID line (only while in a BSS) and the status line.
    const shows = sta.split('# ifconfig ral0').slice(1).map((b) => [/bssid (\S+)/.exec(b.split('inet ')[0]!)?.[1] ?? null, /status: (.+)/.exec(b)?.[1]]);
    expect(shows).toEqual([
      ['00:0c:43:25:60:01', 'active'],
      [null, 'no network'],
      ['00:0c:43:25:60:01', 'active'],
    ]);
  });
});

const PAIR = (apStack: string, staLine: string) => `
name: ral-pair
seed: 2
until: 9s
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:01", link: air0 }]
    script: |
      ${apStack} -d ral
      waitfor /dev/socket 10
      ifconfig ral0 ssid qnxnet mediaopt hostap chan 11 10.0.2.1/24 up
  sta:
    position: { x: 0, y: 35 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:02", link: air0 }]
    script: |
      io-pkt-v4-hc -d ral
      waitfor /dev/socket 10
      ${staLine}
links:
  air0: { type: wireless, channel: 11 }
actions:
  - { at: 5s, node: sta, command: "ping -c 3 10.0.2.1" }
`;

describe('devnp-ral in other configurations', () => {
  test('a station given the channel joins at once (no scan of other channels) and pings on channel 11', () => {
    const r = runScenarioChecked(parseScenarioText(PAIR('io-pkt-v4-hc', 'ifconfig ral0 ssid qnxnet chan 11 10.0.2.2/24 up')));
    expect(r.consoles.get('sta')).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
  });

  test('io-pkt-v4 has no 802.11: it cannot load devnp-ral (the first net80211 symbol is unresolved)', () => {
    const text = PAIR('io-pkt-v4 -v', 'ifconfig ral0 ssid qnxnet 10.0.2.2/24 up')
      .replace('actions:\n', 'actions:\n  - { at: 1s, node: ap, command: "mount -T io-pkt /lib/dll/devnp-ral.so" }\n');
    const r = runScenarioChecked(parseScenarioText(text));
    const ap = r.consoles.get('ap') ?? '';
    expect(ap).toMatch(/Unable to load devnp-ral\.so: Unresolved symbol "ieee80211_ifattach" called from devnp-ral\.so/);
    expect(ap).toContain('ifconfig: SIOCGIFFLAGS ral0: No such device or address');
    expect(ap).toContain('mount: Possible reason: No such file or directory');
    expect(r.consoles.get('sta')).not.toContain('bytes from 10.0.2.1');
  });

  test('mounted into io-pkt-v6-hc, brought up as an AP, then destroyed: interface, interrupt and module gone', () => {
    const r = runScenarioChecked(parseScenarioText(`
name: ral-mount
seed: 1
until: 4s
nodes:
  ap:
    position: { x: 0, y: 0 }
    nics: [{ model: rt2560, mac: "00:0c:43:25:60:01", link: air0 }]
    script: |
      # typed below
links:
  air0: { type: wireless, channel: 6 }
actions:
  - { at: 100ms, node: ap, command: "io-pkt-v6-hc &" }
  - { at: 1s, node: ap, command: "mount -T io-pkt /lib/dll/devnp-ral.so" }
  - { at: 1500ms, node: ap, command: "ifconfig ral0 ssid qnxnet mediaopt hostap chan 1 up" }
  - { at: 2500ms, node: ap, command: "ifconfig ral0 destroy" }
  - { at: 3s, node: ap, command: "ifconfig ral0" }
`));
    expect(r.consoles.get('ap')).toContain('ifconfig: SIOCGIFFLAGS ral0: No such device or address');
    const n = r.run.assembled.nodes.find((x) => x.name === 'ap')!;
    const io = n.kernel!.procs.list().map((p) => p.local.get(IOPKT_LOCAL_KEY)).find((x) => x !== undefined)!;
    expect(io.loaded.size).toBe(0);
    expect(io.devices).toHaveLength(0);
    expect(io.stack.ifs.list.map((i) => i.name)).toEqual(['lo0']);
    expect(io.intr.size).toBe(0);
  });
});
