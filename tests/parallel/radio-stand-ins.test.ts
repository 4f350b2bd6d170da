/**
 * A guest's 802.11 radio across threads (emulator/machine/parallel/radio-stand-ins.ts), its two halves joined here
 * directly (no threads, no 1 ns boundary): the main thread's RadioProxy on the real air and the worker's RemoteRadio
 * the MAC drives. A radio through the stand-ins hears exactly what one attached directly hears (receptions, CCA,
 * transmit done, at the same times, with the same signal figures), reads CCA as the air's radio says it at each call,
 * and its own transmissions, retunes and power changes reach the air. The air's lookahead is its detection time.
 */
import { RadioProxy, RemoteRadio, type RadioAct } from '../../emulator/machine/parallel/radio-stand-ins';
import { airRig, dataFrame, TestRadio } from '../net/wireless/helpers';
import type { Ppdu } from '../../emulator/machine/net/wireless/radio';

/** Station B at 10 m, attached directly or through the stand-ins; A (at the origin) and C (30 m) send to it. */
function scene(remote: boolean) {
  const rig = airRig(7);
  const a = rig.radio('a', { x: 0, y: 0, z: 0 }, 1);
  const c = rig.radio('c', { x: 30, y: 0, z: 0 }, 3);
  const b = new TestRadio(rig.sim, 2);
  const ccaAtCalls: [string, boolean, boolean | null][] = [];
  const acts: RadioAct[] = [];
  rig.positions.place('b', { x: 10, y: 0, z: 0 });
  if (!remote) b.port = rig.air.attach(b, 'b', rig.positions.of('b'));
  else {
    let proxy: RadioProxy | null = null;
    // The worker's half: what the MAC does goes "to the main thread" at once (here: straight to the proxy).
    const worker = new RemoteRadio(0, b, (_i, act) => {
      acts.push(act);
      proxy!.act(act);
    });
    proxy = new RadioProxy(0, (_i, call, st) => {
      ccaAtCalls.push([call.call, st[2], call.call === 'cca' ? call.busy : null]);
      worker.apply(call, st);
    });
    proxy.port = rig.air.attach(proxy, 'b', rig.positions.of('b'));
    worker.setState(proxy.state());
    b.port = worker;
  }
  const ppdu = (from: TestRadio, len: number): Ppdu => ({ mpdu: dataFrame(b.addr, from.addr, len), pktId: len, rate: 11, shortPreamble: false });
  rig.at(1_000, () => a.port.transmit(ppdu(a, 200)));
  // C starts while A's frame is still on the air: interference at B.
  rig.at(300_000, () => c.port.transmit(ppdu(c, 100)));
  rig.at(3_000_000, () => b.port.transmit(ppdu(b, 60)));
  rig.at(4_000_000, () => {
    b.port.setChannel(11);
    b.port.setTxPowerDbm(10);
  });
  rig.at(4_100_000, () => a.port.transmit(ppdu(a, 80))); // b no longer hears channel 6
  rig.run(10_000_000);
  return { rig, a, b, c, ccaAtCalls, acts };
}

test('through the stand-ins a radio hears what it hears attached directly; its own acts reach the air', () => {
  const direct = scene(false);
  const remote = scene(true);
  expect(direct.b.rx.length).toBeGreaterThan(0);
  expect(remote.b.rx.map((r) => [r.t, r.ppdu.pktId, r.info])).toEqual(direct.b.rx.map((r) => [r.t, r.ppdu.pktId, r.info]));
  expect(remote.b.cca).toEqual(direct.b.cca);
  expect(remote.b.done).toEqual(direct.b.done);
  // A heard B's frame (sent through the stand-in) as when B was attached directly.
  expect(remote.a.rx.map((r) => [r.t, r.ppdu.pktId, r.info.rssiDbm])).toEqual(direct.a.rx.map((r) => [r.t, r.ppdu.pktId, r.info.rssiDbm]));
  expect(remote.a.rx.some((r) => r.ppdu.pktId === 60)).toBe(true);
  // B retuned: A's last frame is not heard on channel 11 either way; the replica holds what was set.
  expect(remote.b.rx.some((r) => r.ppdu.pktId === 80)).toBe(false);
  expect([remote.b.port.channel, remote.b.port.txPowerDbm]).toEqual([11, 10]);
  expect(remote.acts.map((x) => x.act)).toEqual(['tx', 'channel', 'power']);
  // Every call carried the air's CCA at its moment, and the replica answered it to the listener.
  expect(remote.ccaAtCalls.length).toBe(remote.b.rx.length + remote.b.cca.length + remote.b.done.length);
  for (const [call, cca, busy] of remote.ccaAtCalls) if (call === 'cca') expect(cca).toBe(busy);
});

test('the replica: a channel the air ignores is ignored there too; transmitting until the air says done', () => {
  const sent: RadioAct[] = [];
  const listener = new TestRadio(airRig().sim, 9);
  const r = new RemoteRadio(0, listener, (_i, a) => sent.push(a));
  r.setState([6, 18, false]);
  r.setChannel(15);
  expect(r.channel).toBe(6);
  r.setTxPowerDbm(Number.NaN);
  expect(r.txPowerDbm).toBe(18);
  expect(sent).toEqual([{ act: 'channel', channel: 15 }, { act: 'power', dbm: Number.NaN }]); // the air traces them
  r.transmit({ mpdu: new Uint8Array(24), pktId: 1, rate: 1, shortPreamble: false });
  expect(r.transmitting()).toBe(true);
  r.apply({ call: 'cca', busy: true }, [6, 18, true]);
  expect([r.ccaBusy(), r.transmitting()]).toEqual([true, true]);
  r.apply({ call: 'done' }, [6, 18, false]);
  expect([r.ccaBusy(), r.transmitting()]).toEqual([false, false]);
  expect(listener.cca.map((c) => c.busy)).toEqual([true]);
  expect(listener.done).toHaveLength(1);
});

test("the air's lookahead is its detection time (4 µs by default)", () => {
  expect(airRig().air.lookahead).toBe(4000);
  expect(airRig(1, { detectNs: 2500 }).air.lookahead).toBe(2500);
});
