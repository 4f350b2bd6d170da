/** The bcm5701 tests' common starts: a host whose NIC has a link partner on its cable, and a tg3 opened on it. */
import { Host, MS, type HostOptions } from './fixture';
import { attachPartner, cableWithPartner, type Partner } from './partner';
import { Tg3 } from './tg3';

/** `h`'s NIC cabled to a link partner, 2 ms later (the PHY has seen the partner; no driver yet). */
export function cabled(h: Host): Partner {
  const { cable, partner } = cableWithPartner(h.sim);
  h.nic.connect(cable);
  attachPartner(cable, partner);
  h.delay(2 * MS);
  return partner;
}

/** A BCM5701 under the simulated tg3 with a link partner on its cable: probed, opened, 10 ms on, link up. */
export function linkedTg3(o: HostOptions = {}): { h: Host; t: Tg3; partner: Partner } {
  const h = new Host(o);
  const partner = cabled(h);
  const t = new Tg3(h);
  t.probe();
  t.open();
  t.run(10 * MS);
  if (!t.linkUp) throw new Error('no link');
  return { h, t, partner };
}
