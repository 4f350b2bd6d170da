/**
 * docs/examples/tcpdump.yaml from jest: its expectations pass, and the promiscuous-mode check on the hub —
 * gamma sees alpha↔beta ICMP only because BIOCPROMISC made the NE2000 accept foreign unicast; with -p it
 * sees none of it (only broadcasts reach it) and its tcpdump is still waiting when the run ends.
 */
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';

describe('docs/examples/tcpdump.yaml', () => {
  it('passes its expectations', () => {
    const r = runScenarioChecked(loadScenario('docs/examples/tcpdump.yaml'));
    const gamma = r.consoles.get('gamma') ?? '';
    expect(r.failures).toEqual([]);
    // ping -c 2: two requests and two replies between alpha and beta, none addressed to gamma.
    expect(gamma.match(/ICMP echo (request|reply)/g)).toHaveLength(4);
    // beta's capture, read back: request, reply, two datagrams (the first was lost to ARP), request.
    const read = (r.consoles.get('beta') ?? '').split('reading from file')[1]!.split('\n').filter((l) => /^\d\d:/.test(l));
    expect(read.map((l) => l.replace(/^\S+ /, '').replace(/id \d+/, 'id N').replace(/(\d+\.\d+\.\d+\.\d+)\.\d+ >/, '$1.P >'))).toEqual([
      'IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id N, seq 0, length 64',
      'IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id N, seq 0, length 64',
      'IP 10.0.0.1.P > 10.0.0.2.9000: UDP, length 100',
      'IP 10.0.0.1.P > 10.0.0.2.9000: UDP, length 100',
      'IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id N, seq 1, length 64',
    ]);
  });

  it('is deterministic: the same consoles and trace hash twice', () => {
    const x = runScenarioChecked(loadScenario('docs/examples/tcpdump.yaml'));
    const y = runScenarioChecked(loadScenario('docs/examples/tcpdump.yaml'));
    expect(x.traceHash).toBe(y.traceHash);
    expect([...x.consoles]).toEqual([...y.consoles]);
  });

  it('tcpdump -p on the hub does not see unicast for other stations', () => {
    const sc = loadScenario('docs/examples/tcpdump.yaml');
    const gamma = sc.nodes.find((n) => n.name === 'gamma')!;
    gamma.script = gamma.script.map((l) => ({ ...l, text: l.text.replace('tcpdump -i en0', 'tcpdump -p -i en0') }));
    const r = runScenarioChecked(sc);
    const out = r.consoles.get('gamma') ?? '';
    expect(out).toContain('listening on en0');
    expect(out).not.toContain('ICMP');
    expect(out).not.toContain('packets captured');
  });
});
