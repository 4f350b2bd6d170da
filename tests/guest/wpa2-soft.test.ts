/**
 * The same WPA2-PSK network as wpa2.test.ts with devnp-ral started `nohwcrypto` on the QNX nodes
 * (docs/examples/wifi-wpa2-soft.yaml's buildfiles): the RT2560's cipher engine is not registered, so io-pkt-v4-hc's
 * always-present software provider does CCMP, charging its per-byte CPU cost (stack/crypto/costs.ts) on the thread
 * that runs it. The Linux guest cannot tell: the air carries the same CCMP.
 */
import type { Assembled } from '../../emulator/app/assembly/run';
import { swAesCcmCost, CryptoCost } from '../../stack/crypto/costs';
import { bootAndSnapshot, guestRun, scenarioOf, SEC } from './helpers';
import { AP_MAC, cryptoDispatches, guestConnect, PASSPHRASE, wpa2Yaml } from './wpa2-helpers';

let hw: Awaited<ReturnType<typeof bootAndSnapshot>>;
let soft: Awaited<ReturnType<typeof bootAndSnapshot>>;

beforeAll(async () => {
  soft = await bootAndSnapshot(scenarioOf(wpa2Yaml(true), 'wpa2-soft'));
  hw = await bootAndSnapshot(scenarioOf(wpa2Yaml(false), 'wpa2-hw'));
}, 600_000);

/** CPU time of every thread of the AP's io-pkt so far (ns). */
function ioPktCpu(a: Assembled, node: string): number {
  const k = a.nodes.find((n) => n.name === node)?.kernel;
  if (!k) throw new Error(`${node} has no kernel`);
  return k.processes.filter((p) => p.name.startsWith('io-pkt')).reduce((s, p) => s + p.threads.reduce((t, th) => t + th.cpuTimeNs, 0), 0);
}

describe('WPA2-PSK with the RT2560 engine not registered (software CCMP on the QNX side)', () => {
  test('the guest completes the handshakes and pings the AP; every CCMP request on the AP went to the software provider', async () => {
    const c = cryptoDispatches();
    const a = await soft.restore({ onTrace: c.sink });
    const out = guestConnect(a, PASSPHRASE);
    expect(out).toContain('wpa_state=COMPLETED');
    expect(out).toContain('pairwise_cipher=CCMP');
    expect(out.some((l) => l.includes(`WPA: Key negotiation completed with ${AP_MAC} [PTK=CCMP GTK=CCMP]`))).toBe(true);
    expect(guestRun(a, 'linux1', 'ping -c 5 10.0.2.1', 30 * SEC)).toContain('5 packets transmitted, 5 packets received, 0% packet loss');
    expect(c.engines('ap')).toEqual(['swcrypto']);
    expect(c.get('ap', 'swcrypto')).toBeGreaterThanOrEqual(10);
  });

  test("software CCMP costs the AP's io-pkt the software provider's CPU per frame; the engine does not", async () => {
    // The same exchange on both networks: connect, settle, then 20 echo requests of 1000 bytes and their replies.
    const measure = async (f: typeof hw): Promise<{ cpu: number; reqs: { len: number; engine: string }[] }> => {
      const reqs: { len: number; engine: string }[] = [];
      let on = false;
      const a = await f.restore({ onTrace: (r) => void (on && r.node === 'ap' && r.layer === 'crypto' && r.probe === 'dispatch' && reqs.push({ len: Number(r.f?.['len']), engine: String(r.f?.['engine']) })) });
      guestConnect(a, PASSPHRASE);
      guestRun(a, 'linux1', 'ping -c 2 10.0.2.1', 30 * SEC);
      on = true;
      const cpu0 = ioPktCpu(a, 'ap');
      guestRun(a, 'linux1', 'ping -c 20 -i 0.2 -s 1000 10.0.2.1', 30 * SEC);
      const cpu = ioPktCpu(a, 'ap') - cpu0;
      on = false;
      return { cpu, reqs };
    };
    const s = await measure(soft);
    const h = await measure(hw);
    expect(s.reqs.every((r) => r.engine === 'swcrypto')).toBe(true);
    expect(h.reqs.every((r) => r.engine !== 'swcrypto')).toBe(true);
    expect(s.reqs.filter((r) => r.len >= 1000).length).toBeGreaterThanOrEqual(40); // 20 requests in, 20 replies out
    // What the software provider charges for these requests (its cost table), beyond the framework's bookkeeping
    // that any engine pays: the difference of the AP's io-pkt CPU time between the runs must be about that, less what
    // devnp-ral spends driving the engine (descriptor writes, register accesses), which is far smaller.
    const expected = s.reqs.reduce((sum, r) => sum + swAesCcmCost(r.len), 0);
    const perFrameSw = expected / s.reqs.length;
    expect(perFrameSw).toBeGreaterThan(CryptoCost.AES_CCM_SETUP_NS);
    const diff = s.cpu - h.cpu;
    expect(diff).toBeGreaterThan(0.5 * expected);
    expect(diff).toBeLessThan(1.2 * expected);
  });
});
