/**
 * lsm-qnet.so with its real transport and KIF: three nodes on one hub; alpha opens paths on beta through
 * /net (io-pkt's redirect to beta's procnto, beta's procnto answering or redirecting again), lists beta's
 * /dev, reads a boot-image file and beta's own /proc/qnetstats over the wire.
 */
import { lsmQnet } from '../../stack/io-pkt/lsm-qnet';
import { makeNode, newSim, type TestNode } from '../io-pkt/rig';
import type { Simulation } from '../../emulator/machine/sim/simulation';
import { hub, readpath } from './lsm-rig';

function node(sim: Simulation, name: string, macBase: number): TestNode {
  const n = makeNode(sim, name, { macBase, extraModules: { 'lsm-qnet.so': lsmQnet }, programs: { readpath } });
  return n;
}

describe('lsm-qnet.so end to end (real transport and KIF)', () => {
  function three() {
    const sim = newSim(7);
    const a = node(sim, 'alpha', 1);
    const b = node(sim, 'beta', 2);
    const g = node(sim, 'gamma', 3);
    hub([a.nics[0]!, b.nics[0]!, g.nics[0]!]);
    b.k.addBootFiles(['/etc/hosts'], { '/etc/hosts': '127.0.0.1 localhost\n10.0.0.2 beta\n' });
    // Started in reverse order so that alpha, last, is the quiet one: its /net fills on demand.
    g.run(['hostname gamma', 'io-pkt-v4 -dfake -pqnet']);
    b.run(['hostname beta', 'sleep 0.1', 'io-pkt-v4 -dfake -pqnet']);
    a.run(['hostname alpha', 'sleep 0.2', 'io-pkt-v4 -dfake -pqnet']);
    return { sim, a, b, g };
  }

  test('ls /net/beta/dev, cat /net/beta/etc/hosts and beta\'s /proc/qnetstats from alpha', () => {
    const { sim, a, b, g } = three();
    a.run(['sleep 0.5', 'readpath /net/beta/dev', 'readpath /net/beta/etc/hosts', 'readpath /net/beta/proc/qnetstats', 'readpath /net', 'readpath /net/nobody/x']);
    sim.queue.runUntil(4_000_000_000);
    for (const n of [a, b, g]) expect(n.k.crashes).toEqual([]);
    const out = a.console();
    // beta's procnto lists its /dev (io-pkt's bpf and socket, procnto's own devices) and serves the file.
    expect(out).toContain('bpf bpf0 null shmem socket text zero\n127.0.0.1 localhost\n10.0.0.2 beta\n');
    // beta's counters, read over Qnet from beta's io-pkt: it served alpha's messages (the reads of this very
    // file included) and answered alpha's one LR request (alpha started last and heard no advertisement).
    expect(out).toMatch(/kif server_msgs : [1-9]\d*\n/);
    expect(out).toContain('lr rx_requests : 1\nlr tx_replies : 1\n');
    expect(out).toMatch(/\nalpha nd 1 \(its nd for us 1\): session up .* en0 up\n/);
    // alpha's /net: itself and beta, resolved on demand; gamma (advertised before alpha ran) is not there.
    expect(out).toContain('\nalpha beta\n');
    expect(out).toContain('readpath: /net/nobody/x: No such file or directory\n');
  });

  test('beta unplugged: alpha\'s next open gives up after tx_retries and slog says the node is down', () => {
    const { sim, a, b } = three();
    a.run(['sleep 0.5', 'readpath /net/beta/etc/hosts', 'sleep 1', 'readpath /net/beta/etc/hosts']);
    sim.queue.runUntil(1_000_000_000);
    expect(a.console()).toBe('127.0.0.1 localhost\n10.0.0.2 beta\n');
    b.nics[0]!.attached = false;
    sim.queue.runUntil(8_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(a.console()).toBe('127.0.0.1 localhost\n10.0.0.2 beta\nreadpath: /net/beta/etc/hosts: Host is down\n');
    // The transport's link line (its env.log), then the module's node line; both in the node's slog (sloginfo).
    const slog = a.iopkt().slog;
    expect(slog.slice(slog.indexOf('qnet: started, node alpha (nd 0) on en0'))).toEqual([
      'qnet: started, node alpha (nd 0) on en0', 'qnet: link en0 to beta down after 10 retries', 'qnet: node beta down',
    ]);
    a.run(['sloginfo']);
    sim.queue.runUntil(8_100_000_000);
    expect(a.console()).toContain('qnet: node beta down');
  });
});
