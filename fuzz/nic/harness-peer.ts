/**
 * The far end of a fuzz rig's medium: a peer station that sends the frames `rx` ops give and hands the frames
 * the device sends to the rig. Wired kinds get a real `Cable` (emulator/machine/net/cable.ts: negotiation,
 * half-duplex collisions and deferral as on a crossover cable); wireless kinds a real `WirelessChannel` with the
 * peer radio 2 m away, tuned to whatever channel the device's driver tuned its radio to before each send.
 *
 * The peer is hostile too: it sends whenever told, whatever the carrier (a collision on a half-duplex cable is
 * part of what the model must survive), but never while its own previous frame is still on the wire (that would
 * be a bug of the peer, which the medium would only trace). Toward a device with its own PHY the peer
 * auto-negotiates every mode with its times scaled by PEER_AN_TIME_SCALE (the smaller scale of the two ends
 * applies, link-segment.ts), so the link is up within milliseconds of virtual time instead of 2–3 s: fuzz
 * episodes are short. Toward a PHY-less 10BASE-T MAU (the DP8390) it is one too, and the link is up at once.
 */
import type { NicDevice, NicKind } from '../../nic-models/kind';
import type { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { Cable } from '../../emulator/machine/net/cable';
import type { Frame, Medium, NetPort, NetPortListener } from '../../emulator/machine/net/link';
import { StaticEndpoint } from '../../emulator/machine/net/endpoints';
import { WirelessChannel } from '../../emulator/machine/net/wireless/medium';
import type { Position, RadioListener, RadioPort, WirelessMedium } from '../../emulator/machine/net/wireless/radio';

/** Auto-negotiation time scale of the peer (see above). */
export const PEER_AN_TIME_SCALE = 0.001;
/** Rate of the peer radio's PPDUs (11 Mb/s CCK: decodable at 2 m on any 802.11b/g radio). */
const PEER_RATE = 11;

export interface Peer {
  /** Put `frame` on the medium now; false if the peer is still sending its previous one. */
  send(frame: Uint8Array): boolean;
}

export function attachPeer(sim: Simulation, kind: NicKind, device: NicDevice, onDeviceFrame: (f: Uint8Array) => void): Peer {
  return kind.medium === 'wireless' ? wirelessPeer(sim, device, onDeviceFrame) : wiredPeer(sim, device, onDeviceFrame);
}

function wiredPeer(sim: Simulation, device: NicDevice, onDeviceFrame: (f: Uint8Array) => void): Peer {
  const cable = new Cable(componentContext(sim, '', 'fuzz.cable'));
  let deviceHasPhy = false;
  // The device attaches first, through this view, so the peer knows whether to negotiate.
  const view: Medium = {
    name: cable.name,
    attach: (listener, name) => {
      deviceHasPhy = listener.autoneg !== undefined;
      return cable.attach(listener, name);
    },
    tap: (fn) => cable.tap(fn),
  };
  device.connect(view);
  let busy = false;
  const listener: NetPortListener = {
    frameReceived: (f: Frame) => onDeviceFrame(f.data),
    transmitDone: () => (busy = false),
    collision: () => (busy = false),
    fullDuplexCapable: true,
    ...(deviceHasPhy ? { autoneg: new StaticEndpoint({}, { timeScale: PEER_AN_TIME_SCALE }) } : {}),
  };
  const port: NetPort = cable.attach(listener, 'peer');
  let pktId = 0;
  return {
    send(frame) {
      if (busy) return false;
      busy = true;
      port.transmit({ data: frame, pktId: ++pktId });
      return true;
    },
  };
}

function wirelessPeer(sim: Simulation, device: NicDevice, onDeviceFrame: (f: Uint8Array) => void): Peer {
  const air = new WirelessChannel(componentContext(sim, '', 'fuzz.air'));
  let devicePort: RadioPort | null = null;
  const view: WirelessMedium = {
    name: air.name,
    kind: 'wireless',
    attach: (listener, name, position) => (devicePort = air.attach(listener, name, position)),
  };
  if (!device.connectRadio) throw new Error(`a wireless NIC kind whose device has no connectRadio`);
  const here: Position = { x: 0, y: 0, z: 0 };
  device.connectRadio(view, () => here);
  const listener: RadioListener = {
    rxEnd: (ppdu, rx) => {
      if (rx.ok) onDeviceFrame(ppdu.mpdu);
    },
    ccaChanged: () => undefined,
    txDone: () => undefined,
  };
  const there: Position = { x: 2, y: 0, z: 0 };
  const port = air.attach(listener, 'peer', () => there);
  let pktId = 0;
  return {
    send(mpdu) {
      if (port.transmitting()) return false;
      if (devicePort && devicePort.channel !== port.channel) port.setChannel(devicePort.channel);
      port.transmit({ mpdu, pktId: ++pktId, rate: PEER_RATE, shortPreamble: false });
      return true;
    },
  };
}
