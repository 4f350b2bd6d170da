/**
 * lsm-qnet.so in io-pkt, with the transport and KIF replaced by recording fakes: loading and options, the LAN
 * resolver filling /net from start-up advertisements, /net read through messages, opens of /net/<node>
 * answered by redirects (resolution on demand, ENOENT, EINVAL), /proc/qnetstats, slog lines.
 */
import { QNET_DEFAULTS } from '../../stack/net/qnet/defaults';
import { IOPKT_LOCAL_KEY } from '../../stack/io-pkt/main';
import { newSim } from '../io-pkt/rig';
import { hub, qnetNode, recordingParts, type FakeLog } from './lsm-rig';

function log(): FakeLog {
  return { input: [], ticks: 0, ops: [] };
}

describe('lsm-qnet.so in io-pkt (fake transport and KIF)', () => {
  /**
   * alpha, beta, gamma on one hub, their io-pkt started in that order 100 ms apart; `opts` is each one's
   * lsm-qnet option string (beta also gets host_name=beta; alpha and gamma are named by `hostname`).
   */
  function three(opts = '') {
    const sim = newSim(5);
    const logs = [log(), log(), log()];
    const a = qnetNode(sim, 'alpha', 1, recordingParts(logs[0]!));
    const b = qnetNode(sim, 'beta', 2, recordingParts(logs[1]!));
    const g = qnetNode(sim, 'gamma', 3, recordingParts(logs[2]!));
    hub([a.nics[0]!, b.nics[0]!, g.nics[0]!]);
    const o = (x: string) => [x, opts].filter((y) => y !== '').join(',');
    a.run(['hostname alpha', `io-pkt-v4 -dfake -pqnet ${o('')}`]);
    b.run(['sleep 0.1', `io-pkt-v4 -dfake -pqnet ${o('host_name=beta')}`]);
    g.run(['hostname gamma', 'sleep 0.2', `io-pkt-v4 -dfake -pqnet ${o('')}`]);
    return { sim, a, b, g, logs };
  }

  test('start-up advertisements fill /net of the nodes already running; a quiet late node waits for auto_add', () => {
    const { sim, a, b, g, logs } = three();
    a.run(['sleep 0.5', 'readpath /net', 'readpath /proc/qnetstats']);
    g.run(['sleep 0.5', 'readpath /net']);
    sim.queue.runUntil(2_000_000_000);
    for (const n of [a, b, g]) expect(n.k.crashes).toEqual([]);
    // alpha heard beta's and gamma's start-up broadcasts; gamma started last and heard none (user's guide
    // "Populating /net": its /net fills from the others' periodic broadcasts, every 30 s by default).
    expect(a.console()).toContain('alpha beta gamma\n');
    expect(g.console()).toContain('gamma\n');
    expect(g.console()).not.toContain('gamma alpha');
    // One link each: alpha sent one advertisement and heard two.
    expect(a.console()).toContain('lr tx_broadcasts : 1\n');
    expect(a.console()).toContain('lr rx_broadcasts : 2\n');
    expect(a.console()).toContain('kif nd_up : 0\n');
    expect(a.console()).toContain('transport (recording fake)\n');
    expect(a.iopkt().slog).toContain('qnet: started, node alpha (nd 0) on en0');
    expect(b.iopkt().slog).toContain('qnet: started, node beta (nd 0) on en0');
    // Qnet brought en0 up (IFF_UP) without ifconfig; LR frames never reach the transport.
    expect(a.iopkt().stack.ifs.list.find((i) => i.name === 'en0')!.flags & 1).toBe(1);
    expect(logs[0]!.input).toEqual([]);
    expect(logs[0]!.ticks).toBeGreaterThanOrEqual(9);
  });

  test('auto_add=5 (1 s): every node lists all three once the periodic broadcasts went round', () => {
    const { sim, a, b, g } = three('auto_add=5');
    for (const n of [a, b, g]) n.run(['sleep 1.5', 'readpath /net']);
    sim.queue.runUntil(2_000_000_000);
    expect(a.console()).toBe('alpha beta gamma\n');
    expect(b.console()).toBe('beta gamma alpha\n');
    expect(g.console()).toBe('gamma alpha beta\n');
  });

  test('/net/<node>/… opens redirect to that node\'s procnto with the rest; ~QoS takes another ND slot', () => {
    const { sim, a } = three();
    a.run(['sleep 1', 'netopen /net/beta/dev/echo', 'netopen /net/gamma', 'netopen /net/beta~preferred:en0/etc/hosts', 'netopen /net/alpha/dev', 'netopen /net/beta~fast/x', 'netopen /net/beta~exclusive:en7/x']);
    sim.queue.runUntil(2_000_000_000);
    const out = a.console();
    // ND 1 = beta (heard first), 2 = gamma; preferred:en0 is QoS slot 1 → 1 | 1 << 16 = 65537.
    expect(out).toContain('/net/beta/dev/echo: redirect {"nd":1,"pid":1,"chid":1,"prefix":"/","rest":"dev/echo"} after');
    expect(out).toContain('/net/gamma: redirect {"nd":2,"pid":1,"chid":1,"prefix":"/","rest":""} after');
    expect(out).toContain('/net/beta~preferred:en0/etc/hosts: redirect {"nd":65537,"pid":1,"chid":1,"prefix":"/","rest":"etc/hosts"} after');
    expect(out).toContain('/net/alpha/dev: redirect {"nd":0,"pid":1,"chid":1,"prefix":"/","rest":"dev"} after');
    // EINVAL (22): a QoS that does not parse, an interface Qnet is not bound to.
    expect(out).toContain('/net/beta~fast/x: status -1 errno 22');
    expect(out).toContain('/net/beta~exclusive:en7/x: status -1 errno 22');
  });

  test('auto_add=0: /net holds only what was opened; a node is resolved on demand, an unknown one fails with ENOENT', () => {
    const { sim, g } = three('auto_add=0');
    g.run(['sleep 1', 'readpath /net', 'netopen /net/beta/dev', 'readpath /net', 'netopen /net/nobody/x', 'readpath /proc/qnetstats']);
    sim.queue.runUntil(3_000_000_000);
    const out = g.console();
    expect(out).toContain('gamma\n');
    expect(out).toMatch(/\/net\/beta\/dev: redirect \{"nd":1,"pid":1,"chid":1,"prefix":"\/","rest":"dev"\} after 0\.\d+ ms/);
    expect(out).toContain('gamma beta\n');
    // Unanswered: the request goes out at once and again at the next tick (conn_est_timeout 1, conn_est_retries 1);
    // the tick after that gives up: between 1 and 2 ticks after the first request, (200, 400] ms.
    const m = /\/net\/nobody\/x: status -1 errno 2 after (\d+\.\d+) ms/.exec(out);
    expect(m).not.toBeNull();
    const ms = Number(m![1]);
    const tickMs = QNET_DEFAULTS.tickNs / 1e6;
    expect(ms).toBeGreaterThan(tickMs * QNET_DEFAULTS.connEstTimeout);
    expect(ms).toBeLessThanOrEqual(tickMs * QNET_DEFAULTS.connEstTimeout * (QNET_DEFAULTS.connEstRetries + 1) + 1);
    // beta once, nobody twice: 3 requests; 1 reply; nothing broadcast.
    expect(out).toContain('lr tx_requests : 3\n');
    expect(out).toContain('lr rx_replies : 1\n');
    expect(out).toContain('lr unresolved : 1\n');
    expect(out).toContain('lr tx_broadcasts : 0\n');
  });

  test('bind=en1 uses only en1; without bind= an interface attached later is bound at the next tick', () => {
    const sim = newSim(8);
    const a = qnetNode(sim, 'alpha', 1, recordingParts(log()), 2);
    const b = qnetNode(sim, 'beta', 3, recordingParts(log()));
    hub([a.nics[1]!, b.nics[0]!]);
    a.run(['hostname alpha', 'io-pkt-v4 -dfake -pqnet bind=en1', 'sleep 1', 'readpath /proc/qnetstats', 'sleep 0.5', 'readpath /net']);
    b.run(['hostname beta', 'io-pkt-v4 -pqnet', 'sleep 0.5', 'mount -Tio-pkt devnp-fake.so', 'sleep 0.5', 'readpath /net']);
    sim.queue.runUntil(2_000_000_000);
    expect(a.iopkt().slog).toContain('qnet: started, node alpha (nd 0) on en1');
    expect(a.console()).toContain('lr tx_broadcasts : 1\n');
    expect(a.nics[0]!.sent).toEqual([]);
    // beta started Qnet with no interface, then got en0: bound at the next tick and advertised on it; alpha
    // (already up) heard it.
    expect(b.iopkt().slog).toContain('qnet: started, node beta (nd 0) on (no interface yet)');
    expect(b.console()).toContain('beta\n');
    expect(b.nics[0]!.sent.length).toBe(1);
    expect(a.console()).toContain('\nalpha beta\n');
  });

  test('bad options fail the load with one clear line each; a second Qnet on the node is EEXIST', () => {
    const sim = newSim(6);
    const a = qnetNode(sim, 'alpha', 1, recordingParts(log()));
    a.run([
      'io-pkt-v4 -dfake -pqnet resolve=dns,bogus', 'sleep 0.1', 'ls /net', 'mount -Tio-pkt -o host_name=alpha lsm-qnet.so', 'sleep 0.1',
      'mount -Tio-pkt lsm-qnet.so', 'io-pkt-v4 -i1 -pqnet', 'sleep 0.1',
    ]);
    sim.queue.runUntil(1_000_000_000);
    const out = a.console();
    expect(out).toContain("lsm-qnet: option 'resolve=dns': the dns resolver is not modelled; only resolve=en (the LAN resolver)\n");
    expect(out).toContain("lsm-qnet: option 'bogus': unknown option\n");
    // Not loaded: nobody serves /net.
    expect(out).toContain("ls: No such file or directory (/net)\n");
    // mount -o loaded it; the same io-pkt again: EEXIST.
    expect(a.iopkt().slog).toContain('qnet: started, node alpha (nd 0) on en0');
    expect(out).toContain('mount: Possible reason: File exists\n');
    // Another io-pkt on the node: the kernel already has a network manager (one Qnet per node).
    const slogs = a.k.procs.list().flatMap((p) => p.local.get(IOPKT_LOCAL_KEY)?.slog ?? []);
    expect(slogs).toContain('lsm-qnet: a network manager is already running on this node');
    expect(a.k.crashes).toEqual([]);
  });
});
