/**
 * The devnp-ral harness (harness.ts) with the hc variants' crypto framework (stack/crypto/crypto.ts): the fake
 * io-pkt answers IoPkt.crypto() and gives net80211 the framework in its host; callbacks (crypto_ret_q) run in its
 * stack thread.
 */
import type { Simulation } from '../../../emulator/machine/sim/simulation';
import { Crypto } from '../../../stack/crypto/crypto';
import type { CryptoFramework } from '../../../stack/crypto/api';
import type { Co } from '../../../stack/kernel/api';
import type { Ifnet } from '../../../stack/net/if';
import type { Ieee80211Host } from '../../../stack/net80211/var';
import { makeAir, makeStation, WifiFakeIoPkt, type Station } from './harness';

export class HcFakeIoPkt extends WifiFakeIoPkt {
  readonly cf = new Crypto({
    wake: () => this.k.later(0, () => this.k.run(this.stack, (function* (cf: Crypto, ctx): Co<void> {
      cf.runReturns(ctx);
    })(this.cf, this.stack.ctx))),
  });
  hasCrypto = true;

  crypto(): CryptoFramework | null {
    return this.hasCrypto ? this.cf : null;
  }

  override ieee80211Host(ifp: Ifnet): Ieee80211Host | null {
    const h = super.ieee80211Host(ifp);
    if (!h || !this.hasCrypto) return h;
    const cf = this.cf;
    return Object.create(h, { crypto: { value: cf } }) as Ieee80211Host;
  }
}

export type HcStation = Station & { hc: HcFakeIoPkt };

export function hcStation(sim: Simulation, name: string, mac: number[], air: ReturnType<typeof makeAir> | null, x = 0): HcStation {
  const st = makeStation(sim, name, mac, air, { x, y: 0, z: 0 });
  const hc = new HcFakeIoPkt(st.k);
  for (const ctx of [hc.ctx, hc.intrThread.ctx]) Object.assign(ctx, { allocPhys: (st.iopkt.ctx as unknown as { allocPhys: unknown }).allocPhys });
  return Object.assign(st, { iopkt: hc, hc });
}
