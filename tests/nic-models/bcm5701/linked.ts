/** A BCM5701 under the simulated tg3 with a link partner on its cable: probed, opened, link up (the edge tests' start). */
import { Host, MS } from './fixture';
import { attachPartner, cableWithPartner, type Partner } from './partner';
import { Tg3 } from './tg3';

export function linkedTg3(o: { verbose?: boolean } = {}): { h: Host; t: Tg3; partner: Partner } {
  const h = new Host(o);
  const { cable, partner } = cableWithPartner(h.sim);
  h.nic.connect(cable);
  attachPartner(cable, partner);
  h.delay(2 * MS);
  const t = new Tg3(h);
  t.probe();
  t.open();
  t.run(10 * MS);
  if (!t.linkUp) throw new Error('no link');
  return { h, t, partner };
}
