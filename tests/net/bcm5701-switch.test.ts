/**
 * Issue 8 §2 with the real models: a BCM5701 (driven by the tg3 replay of tests/nic-models/bcm5701) and a
 * DP8390 NE2000 on one store-and-forward switch. The BCM5701's PHY negotiates 1000 Mb/s full duplex with PAUSE,
 * the NE2000 port stays 10 Mb/s half duplex; a burst from the fast port to the slow one overflows the slow
 * port's bounded queue (counted drops) unless the switch's PAUSE holds the BCM5701's transmitter.
 */
import { componentContext } from '../../emulator/machine/sim';
import { Switch } from '../../emulator/machine/net/switch';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';
import { Host, MS } from '../nic-models/bcm5701/fixture';
import { ethFrame } from '../nic-models/bcm5701/partner';
import { Tg3 } from '../nic-models/bcm5701/tg3';

const NE_MAC = [0x00, 0x50, 0xc2, 0x00, 0x00, 0x09];

function world(flowControl: boolean) {
  let sw: Switch | null = null;
  const h = new Host({ medium: (sim) => (sw = new Switch(componentContext(sim, '', 'sw0'), { flowControl })) });
  const ne = new Ne2000Isa(componentContext(h.sim, 'beta', 'beta.en0'), { mac: NE_MAC });
  ne.connect(sw!);
  const t = new Tg3(h);
  t.probe();
  t.open();
  for (let i = 0; i < 20 && !t.linkUp; i++) t.run(5 * MS);
  return { h, t, sw: sw!, ne };
}

describe('a 1 Gb/s BCM5701 and a 10 Mb/s NE2000 share a switch', () => {
  test('each port at its own negotiated rate; a burst from the fast port overflows the slow port\'s queue', () => {
    const { h, t, sw } = world(false);
    expect(t.linkUp).toBe(true);
    expect(sw.portInfo('alpha.nic0')).toMatchObject({ up: true, speedMbps: 1000, fullDuplex: true });
    expect(sw.portInfo('beta.en0')).toMatchObject({ up: true, speedMbps: 10, fullDuplex: false });
    const N = 150;
    for (let k = 0; k < N; k++) t.xmit(ethFrame(NE_MAC, [0x00, 0x10, 0x18, 0x01, 0x57, 0x01], 0x88b5, new Uint8Array(1500)), 0, 0, k === N - 1);
    t.run(400 * MS);
    const info = sw.portInfo('beta.en0');
    const drops = h.recs.filter((r) => r.layer === 'wire' && r.probe === 'drop' && r.f?.reason === 'queue-full' && r.f.port === 'beta.en0');
    expect(info.drops).toBeGreaterThan(0);
    expect(info.drops).toBe(drops.length);
    expect(info.drops + info.tx).toBe(N); // every frame reached the switch: delivered or dropped, none lost otherwise
    expect(info.tx).toBeGreaterThanOrEqual(1 + sw.queueFrames);
    expect(sw.portInfo('alpha.nic0').pauseTx).toBe(0);
  });

  test('with flow control the switch\'s XOFF holds the BCM5701 (MAC_RX_MODE.FLOW_CTRL_ENABLE): nothing is dropped', () => {
    const { h, t, sw } = world(true);
    expect(t.linkUp).toBe(true);
    const N = 150;
    for (let k = 0; k < N; k++) t.xmit(ethFrame(NE_MAC, [0x00, 0x10, 0x18, 0x01, 0x57, 0x01], 0x88b5, new Uint8Array(1500)), 0, 0, k === N - 1);
    t.run(400 * MS);
    const info = sw.portInfo('beta.en0');
    expect(info).toMatchObject({ drops: 0, tx: N });
    expect(sw.portInfo('alpha.nic0').pauseTx).toBeGreaterThan(0);
    expect(h.recs.filter((r) => r.layer === 'switch' && r.probe === 'xoff').length).toBeGreaterThan(0);
  });
});
